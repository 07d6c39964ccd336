"""``manage.py import_csv KIND FILE [--dry-run]``: import one file of the contract, all rows or none."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scorecards.imports import KINDS, ImportFailed, import_file
from scorecards.imports.messages import UNKNOWN_KIND
from scorecards.models import ChangeRoute

NO_SUCH_FILE = "{path}: no such file"
NOTHING_IMPORTED = "{count} error(s) in {path}; nothing was imported"
MORE_ERRORS = "... and {count:,} more error(s) (use the upload page for a CSV of every one)"
FILE_TOO_LARGE = (
    "{path} is {size:,} bytes; the command reads at most {limit:,} (SCORECARD_UPLOAD_MAX_BYTES x {factor}): "
    "split the file"
)
#: Row errors printed; more would bury the summary (a broken file can have a million).
ERRORS_PRINTED = 200
#: The command reads a whole file into memory, as the upload page does, but trusts its operator more: a file
#: may be this many times the page's limit (100 MB by default; the row and cell limits still apply).
COMMAND_SIZE_FACTOR = 20


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of authorities, indicators, values, benchmarks, targets, plans or actions. "
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
        limit = settings.SCORECARD_UPLOAD_MAX_BYTES * COMMAND_SIZE_FACTOR
        size = path.stat().st_size
        if size > limit:
            raise CommandError(
                FILE_TOO_LARGE.format(path=path, size=size, limit=limit, factor=COMMAND_SIZE_FACTOR),
                returncode=1,
            )
        try:
            with path.open("rb") as file_obj:
                summary = import_file(kind, file_obj, path.name, dry_run=dry_run, route=ChangeRoute.COMMAND)
        except ImportFailed as failure:
            for error in failure.errors[:ERRORS_PRINTED]:
                self.stderr.write(str(error))
            if len(failure.errors) > ERRORS_PRINTED:
                self.stderr.write(MORE_ERRORS.format(count=len(failure.errors) - ERRORS_PRINTED))
            raise CommandError(
                NOTHING_IMPORTED.format(count=len(failure.errors), path=path), returncode=1
            ) from failure
        self.stdout.write(f"{'dry run: ' if dry_run else ''}{summary}")
