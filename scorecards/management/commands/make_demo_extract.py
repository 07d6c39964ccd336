"""make_demo_extract SOURCE [OUTPUT]: the demo's extract of DfE's published statistics, from the official files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from authorities.reference import ReferenceDataError
from scorecards.demo.extract import DEMO_REFERENCE, extract_write


class Command(BaseCommand):
    help = (
        "Write the rows of DfE's published files that the demo's comparison and league pages read (the "
        "mapped measures, every authority, England and the regions) and the statistical-neighbour model, "
        "from a folder laid out like shared/data, with a README naming the sources and the licence."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", type=Path, help="Folder laid out like shared/data.")
        parser.add_argument(
            "output",
            type=Path,
            nargs="?",
            default=DEMO_REFERENCE,
            help=f"Where to write (default {DEMO_REFERENCE}).",
        )

    def handle(self, *args, source: Path, output: Path, **options) -> None:
        if not source.is_dir():
            raise CommandError(f"{source} is not a folder.")
        try:
            result = extract_write(source, output)
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{result} to {output}")
