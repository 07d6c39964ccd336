"""System checks: the database triggers the scorecard relies on are all there.

The grid cache is safe only because triggers change an authority's ``data_version`` with every write
(migrations scorecards 0005 and 0007), and board members can trust snapshots only because triggers refuse to
edit them. A trigger can vanish without anyone noticing: SQLite drops a table's triggers when a migration
rebuilds the table. ``manage.py check --database default`` (and ``migrate``) then fails, naming what is missing.
"""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

VERSIONED_TABLES = (
    "scorecards_monthlyvalue",
    "scorecards_benchmark",
    "scorecards_target",
    "scorecards_scorecardmonth",
    "scorecards_changerecord",
)
SNAPSHOT_TABLES = ("scorecards_monthsnapshot", "scorecards_snapshotfigure")
MISSING_TRIGGER = "scorecards.E001"


def expected_triggers(vendor: str) -> dict[str, str]:
    """Each trigger's name and the migration that creates it, by database vendor."""
    events = ("insert", "update", "delete") + (("truncate",) if vendor == "postgresql" else ())
    expected = {f"{table}_version_{event}": "0005" for table in VERSIONED_TABLES for event in events}
    if vendor == "postgresql":
        expected["scorecards_indicator_version"] = "0005"
    else:
        expected.update({f"scorecards_indicator_version_{event}": "0005" for event in events})
    expected.update(
        {
            "scorecards_monthsnapshot_version_insert": "0007",
            "scorecards_monthsnapshot_version_delete": "0007",
            **{f"{table}_immutable": "0007" for table in SNAPSHOT_TABLES},
            "authorities_authority_fresh_version": "0007",
        }
    )
    return expected


def present_triggers(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


@register(Tags.database)
def triggers_check(app_configs=None, databases=None, **kwargs) -> list[Error]:
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor not in ("postgresql", "sqlite"):
            continue
        recorder = MigrationRecorder(connection)
        if not recorder.has_table():
            continue
        applied = {name[:4] for app, name in recorder.applied_migrations() if app == "scorecards"}
        present = present_triggers(connection)
        missing = sorted(
            name for name, migration in expected_triggers(connection.vendor).items()
            if migration in applied and name not in present
        )  # fmt: skip
        if missing:
            errors.append(
                Error(
                    f"{len(missing)} database trigger(s) missing on {alias}: {', '.join(missing)}.",
                    hint="Cached scorecards could go stale or approved snapshots be edited. Re-create them by "
                    "migrating scorecards back to before the migration named in scorecards/checks.py and "
                    "forward again, or restore them from that migration's SQL.",
                    id=MISSING_TRIGGER,
                )
            )
    return errors
