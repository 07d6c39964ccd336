"""Re-create the SQLite triggers of migrations 0005 and 0007 where a table rebuild dropped them.

SQLite alters a table by building a new one and dropping the old, which drops the old table's triggers. Every
migration that rebuilds one of the tables named in ``scorecards/checks.py`` ends with
``RunPython(restore_sqlite_triggers)``; the ``scorecards.E001`` check catches one that forgets. Not a
migration itself: the loader skips modules whose names start with an underscore.
"""

import importlib


def _statements() -> list[str]:
    versions = importlib.import_module("scorecards.migrations.0005_data_version_triggers")
    snapshots = importlib.import_module("scorecards.migrations.0007_snapshot_triggers")
    return [*versions._sqlite_forward(), *snapshots.SQLITE_FORWARD]


def restore_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in _statements():
        schema_editor.execute(sql.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1))
