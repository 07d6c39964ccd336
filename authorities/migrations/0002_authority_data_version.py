"""A per-authority data version: changed by database triggers on every write a scorecard depends on.

The triggers on the scorecard tables are in scorecards migration 0005. Here: the column, and a trigger that
gives every new authority a random version, so that an authority id reused (a database rebuilt or restored
beside a cache that outlived it) never starts from a version a cached page was kept under.
"""

from django.db import migrations, models

FORWARD = {
    "postgresql": [
        """
        CREATE FUNCTION authorities_new_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.data_version := (random() * 9.2e18)::bigint;
            RETURN NEW;
        END $$
        """,
        """
        CREATE TRIGGER authorities_authority_version_insert BEFORE INSERT ON authorities_authority
        FOR EACH ROW EXECUTE FUNCTION authorities_new_data_version()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER authorities_authority_version_insert AFTER INSERT ON authorities_authority
        FOR EACH ROW BEGIN
            UPDATE authorities_authority SET data_version = random() WHERE id = NEW.id;
        END
        """,
    ],
}
REVERSE = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS authorities_authority_version_insert ON authorities_authority",
        "DROP FUNCTION IF EXISTS authorities_new_data_version()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS authorities_authority_version_insert"],
}


def forwards(apps, schema_editor):
    for sql in FORWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in REVERSE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("authorities", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="authority",
            name="data_version",
            field=models.BigIntegerField(
                default=0,
                editable=False,
                help_text="Changed by database triggers on every write to the data a scorecard shows.",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
