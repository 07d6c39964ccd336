"""export_scorecard AUTHORITY PERIOD --format json|csv|xlsx|pdf --output FILE [--months N]"""

import datetime
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from authorities.models import Authority
from scorecards.core import exports, selectors

FORMATS = ("json", "csv", "xlsx", "pdf")


class Command(BaseCommand):
    help = "Write one authority's scorecard for one month (YYYY-MM) as JSON, CSV, XLSX or PDF."

    def add_arguments(self, parser):
        parser.add_argument("authority", help="DfE code, e.g. 838")
        parser.add_argument("period", help="month as YYYY-MM")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--output", required=True, help="file to write; - for standard output (not pdf/xlsx)"
        )
        parser.add_argument("--months", type=int, default=selectors.DEFAULT_MONTHS)

    def handle(self, *args, authority, period, format, output, months, **options):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
            raise CommandError(f"period {period!r} is not a month written YYYY-MM", returncode=1)
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
            from scorecards.packs.services import approval_for, pack_data_as_of

            # The same PDF as the board pack: an approved month shows its approved figures, a draft is marked.
            draft = approval_for(authority=found, period=month).draft
            content: bytes | str = scorecard_pdf(
                selectors.scorecard_build(authority=found, period=month, months=months, include_drafts=draft),
                draft=draft,
                data_as_of=pack_data_as_of(authority=found, period=month, months=months),
            )
        elif format == "xlsx":
            content = exports.scorecard_xlsx(scorecard)
        elif format == "csv":
            content = exports.scorecard_csv(scorecard)
        else:
            content = exports.scorecard_json(scorecard) + "\n"
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
        self.stdout.write(f"wrote {path} ({len(scorecard.rows)} indicators, {format})")
