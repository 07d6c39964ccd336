"""Approved snapshots: never edited, part of the data version; a stale authority save cannot rewind the version.

- ``scorecards_monthsnapshot`` joins the tables whose writes change their authority's ``data_version``.
- Snapshot rows refuse UPDATE: what an approver signed off is kept as signed off.
- Any UPDATE of an authority row gives it a new random ``data_version``, so a ``save()`` of an instance read
  earlier (the admin, a script) writes a fresh version, never an old one back.
- Months approved before snapshots existed get the snapshot of their last approval, rebuilt once here from the
  figures and the audit trail (the first recorded old value of a field changed since the approval).

Names are listed in ``scorecards/checks.py``, which fails ``manage.py check --database default`` when one is
missing (an SQLite table rebuild drops a table's triggers).
"""

# ruff: noqa: S608 - the SQL is built from the constants below only, never from input
from collections import defaultdict
from decimal import Decimal

from django.db import migrations

SNAPSHOT_TABLES = ("scorecards_monthsnapshot", "scorecards_snapshotfigure")
PG_NEW_VERSION = "(random() * 9.2e18)::bigint"
IMMUTABLE = "approved snapshots are never edited"

PG_FORWARD = [
    "CREATE TRIGGER scorecards_monthsnapshot_version_insert AFTER INSERT ON scorecards_monthsnapshot "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scorecards_version_inserted()",
    "CREATE TRIGGER scorecards_monthsnapshot_version_delete AFTER DELETE ON scorecards_monthsnapshot "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION scorecards_version_deleted()",
    f"""CREATE FUNCTION scorecards_snapshot_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{IMMUTABLE}'; END $$""",
    *(
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION scorecards_snapshot_immutable()"
        for table in SNAPSHOT_TABLES
    ),
    f"""CREATE FUNCTION authorities_fresh_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.data_version := {PG_NEW_VERSION}; RETURN NEW; END $$""",
    "CREATE TRIGGER authorities_authority_fresh_version BEFORE UPDATE ON authorities_authority "
    "FOR EACH ROW EXECUTE FUNCTION authorities_fresh_version()",
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS authorities_authority_fresh_version ON authorities_authority",
    "DROP FUNCTION IF EXISTS authorities_fresh_version()",
    *(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}" for table in SNAPSHOT_TABLES),
    "DROP FUNCTION IF EXISTS scorecards_snapshot_immutable()",
    "DROP TRIGGER IF EXISTS scorecards_monthsnapshot_version_insert ON scorecards_monthsnapshot",
    "DROP TRIGGER IF EXISTS scorecards_monthsnapshot_version_delete ON scorecards_monthsnapshot",
]

SQLITE_FORWARD = [
    "CREATE TRIGGER scorecards_monthsnapshot_version_insert AFTER INSERT ON scorecards_monthsnapshot "
    "FOR EACH ROW BEGIN UPDATE authorities_authority SET data_version = random() "
    "WHERE id = NEW.authority_id; END",
    "CREATE TRIGGER scorecards_monthsnapshot_version_delete AFTER DELETE ON scorecards_monthsnapshot "
    "FOR EACH ROW BEGIN UPDATE authorities_authority SET data_version = random() "
    "WHERE id = OLD.authority_id; END",
    *(
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
        f"FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
        for table in SNAPSHOT_TABLES
    ),
    # SQLite cannot assign NEW in a BEFORE trigger; this runs after, and does not fire itself again (SQLite's
    # recursive triggers are off), so a version written by a stale save() is replaced at once.
    "CREATE TRIGGER authorities_authority_fresh_version AFTER UPDATE ON authorities_authority "
    "FOR EACH ROW BEGIN UPDATE authorities_authority SET data_version = random() WHERE id = NEW.id; END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS authorities_authority_fresh_version",
    *(f"DROP TRIGGER IF EXISTS {table}_immutable" for table in SNAPSHOT_TABLES),
    "DROP TRIGGER IF EXISTS scorecards_monthsnapshot_version_insert",
    "DROP TRIGGER IF EXISTS scorecards_monthsnapshot_version_delete",
]


def snapshot_approved_months(apps, schema_editor):
    ScorecardMonth = apps.get_model("scorecards", "ScorecardMonth")
    MonthlyValue = apps.get_model("scorecards", "MonthlyValue")
    ChangeRecord = apps.get_model("scorecards", "ChangeRecord")
    MonthSnapshot = apps.get_model("scorecards", "MonthSnapshot")
    SnapshotFigure = apps.get_model("scorecards", "SnapshotFigure")
    for month in ScorecardMonth.objects.filter(approved_at__isnull=False).select_related("approved_by"):
        revised = month.state != "approved"
        figures = {
            row.indicator_id: {
                "value": row.value,
                "numerator": row.numerator,
                "denominator": row.denominator,
                "status": row.status,
                "commentary": row.commentary,
            }
            for row in MonthlyValue.objects.filter(authority_id=month.authority_id, period=month.period)
        }
        if revised:
            first_old = defaultdict(dict)
            for record in ChangeRecord.objects.filter(
                authority_id=month.authority_id, period=month.period, kind="value", at__gt=month.approved_at
            ).order_by("at", "pk"):
                first_old[record.indicator_id].setdefault(record.field, record.old)
            for indicator_id, fields in first_old.items():
                figure = figures.setdefault(
                    indicator_id,
                    {"value": None, "numerator": None, "denominator": None, "status": "", "commentary": ""},
                )
                for name, old in fields.items():
                    if name in ("value", "numerator", "denominator"):
                        figure[name] = Decimal(old) if old else None
                    elif name in ("status", "commentary"):
                        figure[name] = old
        snapshot = MonthSnapshot.objects.create(
            authority_id=month.authority_id,
            period=month.period,
            revision=month.revision - 1 if revised and month.revision > 1 else month.revision,
            approved_at=month.approved_at,
            approved_by_name=month.approved_by.get_username() if month.approved_by else "",
            summary=month.summary,
        )
        SnapshotFigure.objects.bulk_create(
            SnapshotFigure(snapshot=snapshot, indicator_id=indicator_id, **figure)
            for indicator_id, figure in figures.items()
            if figure["value"] is not None or figure["status"]
        )


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}[vendor]:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in {"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("scorecards", "0006_month_snapshots")]

    operations = [
        migrations.RunPython(snapshot_approved_months, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
