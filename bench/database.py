"""The benchmark's own database: created, commented with the data set it holds, dropped; never the project's.

Through psycopg on PostgreSQL's maintenance database, not through Django: the command's process never
connects to the benchmark database.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

DEFAULT_DATABASE = "scorecards_bench"
DEFAULT_URL = f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DATABASE}"


def engine(url: str) -> str:
    return dj_database_url.parse(url)["ENGINE"].rsplit(".", 1)[-1]


def same_database(url: str, configured: dict) -> bool:
    parsed = dj_database_url.parse(url)
    if parsed["ENGINE"] != configured["ENGINE"]:
        return False
    if parsed["ENGINE"].endswith("sqlite3"):
        return Path(str(parsed["NAME"])).resolve() == Path(str(configured["NAME"])).resolve()
    return (parsed["NAME"], parsed.get("HOST") or "", str(parsed.get("PORT") or "5432")) == (
        configured["NAME"],
        configured.get("HOST") or "",
        str(configured.get("PORT") or "5432"),
    )


def maintenance(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def database_comment(url: str) -> str | None:
    with maintenance(url) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [DEFAULT_DATABASE],
        ).fetchone()
    return None if row is None else (row[0] or "")


def create_database(url: str) -> None:
    from psycopg import sql

    with maintenance(url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DEFAULT_DATABASE))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DEFAULT_DATABASE)))


def comment_database(url: str, comment: str) -> None:
    from psycopg import sql

    with maintenance(url) as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(DEFAULT_DATABASE), sql.Literal(comment)
            )
        )


def drop_database(url: str) -> None:
    from psycopg import sql

    with maintenance(url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DEFAULT_DATABASE))
        )
