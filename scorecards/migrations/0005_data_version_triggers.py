"""Triggers that change an authority's ``data_version`` on every write its scorecard depends on.

Database triggers rather than Python signals, so that ``bulk_create``, ``QuerySet.update``, COPY and raw SQL
change it too, in the writing transaction. The version becomes a new random number, never a counter: a
version is never reused after a rollback or a database restore, so a cached page can never be served for
data other than the data it was made from.

- Figures, benchmarks (both sources), targets and baselines, sign-off months and audit records (board
  members read approved figures rebuilt from the audit trail): the authorities named in the rows written.
- The indicator catalogue, shared by every authority: every authority.

PostgreSQL: statement-level triggers with transition tables (one per event, as PostgreSQL requires), so a
COPY or a bulk insert of a million rows updates each authority once, not once per row; a TRUNCATE changes
every authority. SQLite: row-level triggers.
"""

# ruff: noqa: S608 - the SQL is built from the constants below only, never from input
from django.db import migrations

AUTHORITY_TABLES = (
    "scorecards_monthlyvalue",
    "scorecards_benchmark",
    "scorecards_target",
    "scorecards_scorecardmonth",
    "scorecards_changerecord",
)
CATALOGUE_TABLE = "scorecards_indicator"
PG_NEW_VERSION = "(random() * 9.2e18)::bigint"


def _pg_function(name: str, authority_ids: str | None) -> str:
    where = f" WHERE id IN ({authority_ids})" if authority_ids else ""
    return f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE authorities_authority SET data_version = {PG_NEW_VERSION}{where};
            RETURN NULL;
        END $$
    """


PG_FUNCTIONS = {
    "scorecards_version_inserted": "SELECT authority_id FROM new_rows",
    "scorecards_version_updated": "SELECT authority_id FROM new_rows UNION SELECT authority_id FROM old_rows",
    "scorecards_version_deleted": "SELECT authority_id FROM old_rows",
    "scorecards_version_all": None,
}


def _pg_forward() -> list[str]:
    sql = [_pg_function(name, ids) for name, ids in PG_FUNCTIONS.items()]
    for table in AUTHORITY_TABLES:
        sql += [
            f"CREATE TRIGGER {table}_version_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION scorecards_version_inserted()",
            f"CREATE TRIGGER {table}_version_update AFTER UPDATE ON {table} "
            f"REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION scorecards_version_updated()",
            f"CREATE TRIGGER {table}_version_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION scorecards_version_deleted()",
            f"CREATE TRIGGER {table}_version_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION scorecards_version_all()",
        ]
    sql.append(
        f"CREATE TRIGGER {CATALOGUE_TABLE}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {CATALOGUE_TABLE} FOR EACH STATEMENT EXECUTE FUNCTION scorecards_version_all()"
    )
    return sql


def _pg_reverse() -> list[str]:
    sql = []
    for table in AUTHORITY_TABLES:
        for event in ("insert", "update", "delete", "truncate"):
            sql.append(f"DROP TRIGGER IF EXISTS {table}_version_{event} ON {table}")
    sql.append(f"DROP TRIGGER IF EXISTS {CATALOGUE_TABLE}_version ON {CATALOGUE_TABLE}")
    sql += [f"DROP FUNCTION IF EXISTS {name}()" for name in PG_FUNCTIONS]
    return sql


SQLITE_EVENTS = {
    "insert": "id = NEW.authority_id",
    "update": "id IN (NEW.authority_id, OLD.authority_id)",
    "delete": "id = OLD.authority_id",
}


def _sqlite_forward() -> list[str]:
    sql = [
        f"CREATE TRIGGER {table}_version_{event} AFTER {event.upper()} ON {table} FOR EACH ROW BEGIN "
        f"UPDATE authorities_authority SET data_version = random() WHERE {where}; END"
        for table in AUTHORITY_TABLES
        for event, where in SQLITE_EVENTS.items()
    ]
    sql += [
        f"CREATE TRIGGER {CATALOGUE_TABLE}_version_{event} AFTER {event.upper()} ON {CATALOGUE_TABLE} "
        f"FOR EACH ROW BEGIN UPDATE authorities_authority SET data_version = random(); END"
        for event in SQLITE_EVENTS
    ]
    return sql


def _sqlite_reverse() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_version_{event}"
        for table in (*AUTHORITY_TABLES, CATALOGUE_TABLE)
        for event in SQLITE_EVENTS
    ]


FORWARD = {"postgresql": _pg_forward, "sqlite": _sqlite_forward}
REVERSE = {"postgresql": _pg_reverse, "sqlite": _sqlite_reverse}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in FORWARD:
        raise RuntimeError(f"No data-version triggers for {vendor}: cached scorecards would go stale.")
    for sql in FORWARD[vendor]():
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in REVERSE.get(schema_editor.connection.vendor, list)():
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("authorities", "0002_authority_data_version"),
        ("scorecards", "0004_performance_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
