"""export_scorecard AUTHORITY PERIOD --format json|csv|xlsx|pdf --output FILE [--months N]"""

import datetime
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from authorities.models import Authority
from scorecards.core import exports, selectors
from scorecards.quarters import DEFAULT_QUARTERS, Quarter, is_quarter

FORMATS = ("json", "csv", "xlsx", "pdf")


class Command(BaseCommand):
    help = (
        "Write one authority's scorecard for one month (YYYY-MM) or quarter (YYYY-YY-Qn) as JSON, CSV, XLSX "
        "or PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("authority", help="DfE code, e.g. 838")
        parser.add_argument("period", help="month as YYYY-MM, or quarter as YYYY-YY-Qn (2019-20-Q4)")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--output", required=True, help="file to write; - for standard output (not pdf/xlsx)"
        )
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help=f"the window: months (default {selectors.DEFAULT_MONTHS}), or quarters for a quarter "
            f"(default {DEFAULT_QUARTERS})",
        )

    def handle(self, *args, authority, period, format, output, months, **options):
        if is_quarter(period):
            quarters = DEFAULT_QUARTERS if months is None else months
            return self._quarter(authority, Quarter.parse(period), format, output, quarters)
        if re.fullmatch(r"\d{4}-\d{2}-Q\d", period):
            # Shaped like a quarter but not one (2020-21-Q5, 2020-22-Q1): say why.
            try:
                Quarter.parse(period)
            except ValueError as error:
                raise CommandError(str(error), returncode=1) from error
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
            raise CommandError(
                f"period {period!r} is not a month written YYYY-MM or a quarter written YYYY-YY-Qn",
                returncode=1,
            )
        months = selectors.DEFAULT_MONTHS if months is None else months
        if not 1 <= months <= 36:
            raise CommandError("--months must be between 1 and 36", returncode=1)
        found = Authority.objects.filter(code=authority).first()
        if found is None:
            raise CommandError(f"no authority with DfE code {authority!r}", returncode=1)
        month = datetime.date(int(period[:4]), int(period[5:]), 1)
        # The command line is run by staff with access to the database: it exports the working figures, drafts
        # included, as an officer sees them (the PDF below follows the approval, as the board pack does).
        scorecard = selectors.scorecard_build(
            authority=found, period=month, months=months, include_drafts=True
        )
        if format == "pdf":
            from scorecards.packs.pdf import scorecard_pdf
            from scorecards.packs.selectors import approval_for, pack_data_as_of

            # The same PDF as the board pack: an approved month shows its approved figures, a draft is marked.
            draft = approval_for(authority=found, period=month).draft
            content: bytes | str = scorecard_pdf(
                selectors.scorecard_build(authority=found, period=month, months=months, include_drafts=draft),
                draft=draft,
                data_as_of=pack_data_as_of(authority=found, period=month, months=months),
            )
        else:
            content = self._content(scorecard, format)
        self._write(content, output, f"{len(scorecard.rows)} indicators, {format}")

    def _quarter(self, authority: str, quarter: Quarter, format: str, output: str, quarters: int) -> None:
        """A quarter's scorecard: the working figures, as for a month; the PDF from approved months only."""
        if not 1 <= quarters <= 20:
            raise CommandError("--months counts quarters for a quarter: between 1 and 20", returncode=1)
        found = Authority.objects.filter(code=authority).first()
        if found is None:
            raise CommandError(f"no authority with DfE code {authority!r}", returncode=1)
        scorecard = selectors.scorecard_build(
            authority=found, period=quarter, months=quarters, include_drafts=True
        )
        if format == "pdf":
            from scorecards.packs.pdf import scorecard_pdf

            approved = selectors.scorecard_build(authority=found, period=quarter, months=quarters)
            content: bytes | str = scorecard_pdf(approved, draft=False)
        else:
            content = self._content(scorecard, format)
        self._write(content, output, f"{len(scorecard.rows)} indicators, {quarter.label}, {format}")

    @staticmethod
    def _content(scorecard, format: str) -> bytes | str:
        if format == "xlsx":
            return exports.scorecard_xlsx(scorecard)
        if format == "csv":
            return exports.scorecard_csv(scorecard)
        return exports.scorecard_json(scorecard) + "\n"

    def _write(self, content: bytes | str, output: str, summary: str) -> None:
        if output == "-":
            if isinstance(content, bytes):
                raise CommandError("binary formats need --output FILE", returncode=1)
            self.stdout.write(content, ending="")
            return
        path = Path(output)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        self.stdout.write(f"wrote {path} ({summary})")
