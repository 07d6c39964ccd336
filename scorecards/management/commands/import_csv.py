"""``manage.py import_csv KIND FILE [--dry-run]``: import one file of the contract, all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scorecards.imports import KINDS, ImportFailed, import_file
from scorecards.imports.messages import UNKNOWN_KIND
from scorecards.models import ChangeRoute

NO_SUCH_FILE = "{path}: no such file"
NOTHING_IMPORTED = "{count} error(s) in {path}; nothing was imported"


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of authorities, indicators, values, benchmarks or targets. "
        "Prints 'created N, updated N, unchanged N'; on bad input prints each row's error and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", metavar="KIND", help=f"one of: {', '.join(KINDS)}")
        parser.add_argument("file", metavar="FILE", help="a .csv (UTF-8) or .xlsx file with a header row")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what would change, writing nothing",
        )

    def handle(self, *args, kind: str, file: str, dry_run: bool, **options):
        if kind not in KINDS:
            raise CommandError(UNKNOWN_KIND.format(kind=kind, expected=", ".join(KINDS)), returncode=1)
        path = Path(file)
        if not path.is_file():
            raise CommandError(NO_SUCH_FILE.format(path=path), returncode=1)
        try:
            with path.open("rb") as file_obj:
                summary = import_file(kind, file_obj, path.name, dry_run=dry_run, route=ChangeRoute.COMMAND)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(str(error))
            raise CommandError(
                NOTHING_IMPORTED.format(count=len(failure.errors), path=path), returncode=1
            ) from failure
        self.stdout.write(f"{'dry run: ' if dry_run else ''}{summary}")
