"""Load a folder of DfE reference data in one go: authorities, reorganisations, neighbours, benchmarks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from authorities.reference import (
    ReferenceDataError,
    import_authority_list,
    import_reorganisations,
    import_statistical_neighbours,
)
from scorecards.benchmarks.published import import_published_benchmarks, seed_published_measures
from scorecards.models import PublishedMeasure

#: Where each kind of file sits in a folder laid out like shared/data, in order of preference.
AUTHORITY_LIST_FILES = (
    "derived/la_reference_2025.csv",
    "dfe_csc_outcomes/cla_number_and_rate_per_10k_children.csv",
)
NEIGHBOUR_MODEL_FILES = ("dfe_csc_outcomes/sn_model_2025_wide.csv", "lait/sn_may_2025.xlsx")

NOT_A_FOLDER = "{path} is not a folder."
LACKS_FILE = "{path} lacks {kind}: expected {expected}."
MISSING_MEASURE_FILE = "{path} lacks {file}, so these indicators get no DfE benchmarks: {indicators}."
UNKNOWN_CODES = "Authority codes not in the authority list, not imported: {codes}."
SUMMARY = (
    "Loaded {path}: authorities {authorities.created} created, {authorities.changed} changed; "
    "reorganisations {reorganisations.created} created, {reorganisations.changed} changed; "
    "neighbours {neighbours.created} created, {neighbours.changed} changed, {neighbours.removed} removed; "
    "mappings {measures.created} created ({measures.indicators_created} indicators created); "
    "benchmarks {benchmarks.created} created, {benchmarks.changed} changed, {benchmarks.removed} removed, "
    "{benchmarks.unchanged} unchanged; {unknown} unknown authority codes."
)


class ProgressBar:
    """A one-line progress bar, redrawn in place; silent when not enabled."""

    WIDTH = 30

    def __init__(self, total: int, *, write: Callable[[str], None], enabled: bool) -> None:
        self.total, self.done, self.write, self.enabled = max(total, 1), 0, write, enabled

    def advance(self, label: str) -> None:
        self.done = min(self.done + 1, self.total)
        if self.enabled:
            filled = self.WIDTH * self.done // self.total
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.write(f"\r[{bar}] {self.done}/{self.total} {label[:50]:<50}")

    def finish(self) -> None:
        """Fill the bar (the steps of missing files never come) and end its line."""
        if self.done < self.total:
            self.done = self.total - 1
            self.advance("done")
        if self.enabled:
            self.write("\n")


class Command(BaseCommand):
    help = (
        "Load a folder laid out like shared/data: the authority list, reorganisations, the statistical-"
        "neighbour model and the published children-looked-after CSVs, then compute every DfE benchmark."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="Folder laid out like shared/data.")

    def handle(self, *args, path: Path, verbosity: int = 1, **options) -> None:
        if not path.is_dir():
            raise CommandError(NOT_A_FOLDER.format(path=path))
        authority_list = self._first(path, AUTHORITY_LIST_FILES, "an authority list")
        neighbour_model = self._first(path, NEIGHBOUR_MODEL_FILES, "a statistical-neighbour model")
        try:
            # One transaction: a bad file leaves the database as it was, not half-loaded.
            with transaction.atomic():
                measures = seed_published_measures()
                files = PublishedMeasure.objects.values_list("file_name", flat=True).distinct().count()
                progress = ProgressBar(
                    files + 6, write=lambda text: self.stderr.write(text, ending=""), enabled=verbosity > 0
                )
                progress.advance("published-measure mapping")
                authorities = import_authority_list(authority_list)
                progress.advance(authority_list.name)
                reorganisations = import_reorganisations()
                progress.advance("reorganisations")
                neighbours = import_statistical_neighbours(neighbour_model)
                progress.advance(neighbour_model.name)
                benchmarks = import_published_benchmarks(path, progress=progress.advance)
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        progress.finish()

        for name, indicators in sorted(benchmarks.missing_files.items()):
            self.stderr.write(
                self.style.WARNING(
                    MISSING_MEASURE_FILE.format(path=path, file=name, indicators=", ".join(indicators))
                )
            )
        unknown = (
            authorities.unknown_codes
            | reorganisations.unknown_codes
            | neighbours.unknown_codes
            | benchmarks.unknown_codes
        )
        if unknown:
            self.stderr.write(self.style.WARNING(UNKNOWN_CODES.format(codes=", ".join(sorted(unknown)))))
        self.stdout.write(
            SUMMARY.format(
                path=path,
                authorities=authorities,
                reorganisations=reorganisations,
                neighbours=neighbours,
                measures=measures,
                benchmarks=benchmarks,
                unknown=len(unknown),
            )
        )

    def _first(self, folder: Path, candidates: tuple[str, ...], kind: str) -> Path:
        for candidate in candidates:
            if (folder / candidate).is_file():
                return folder / candidate
        raise CommandError(LACKS_FILE.format(path=folder, kind=kind, expected=" or ".join(candidates)))
