"""Compute figures from an SSDA903 return and import them (shared/CONTRACT.md, "Figures computed from ...")."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from authorities.models import Authority
from scorecards.returns import services
from scorecards.returns.reader import SPECS, ReturnError, read_return

SUMMARY = "computed {figures} figures for {months} months; {problems} data-quality problems"
TABLES = {spec.name for spec in SPECS}


def _number(value):
    """A figure as JSON writes it: a whole number as an integer, anything else unrounded as a float."""
    return int(value) if value == int(value) else float(value)


class Command(BaseCommand):
    help = (
        "Compute the month-end figures of AUTHORITY from --from to --to from the SSDA903 return at PATH (a "
        "folder of its CSV tables, or the XML return) and import them as values, the route recorded as the "
        "return. A file that cannot be read, or a missing column, is an error and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("authority", help="DfE code of the authority, e.g. 838")
        parser.add_argument(
            "path", help="folder of the return's CSV tables (episodes.csv, ...) or the XML file"
        )
        parser.add_argument("--from", dest="first", required=True, metavar="YYYY-MM")
        parser.add_argument("--to", dest="last", required=True, metavar="YYYY-MM")
        parser.add_argument("--dry-run", action="store_true", help="compute and report; write nothing")
        parser.add_argument(
            "--json", dest="json_path", metavar="FILE", help="also write figures and problems"
        )

    def handle(self, *args, **options):
        authority = Authority.objects.filter(code=options["authority"]).first()
        if authority is None:
            raise CommandError(f"No authority with the code {options['authority']!r}.")
        try:
            months = services.months_between(
                services.parse_month(options["first"], which="The --from"),
                services.parse_month(options["last"], which="The --to"),
            )
            tables = read_return(options["path"], max_bytes=settings.SCORECARD_RETURN_MAX_BYTES)
        except (services.ReturnRefused, ReturnError) as error:
            raise CommandError(str(error)) from None
        result = services.return_compute(tables, months=months)
        del tables
        for note in result.notes:
            self.stderr.write(note)
        if not options["dry_run"]:
            path = Path(options["path"])
            names = (
                [path.name]
                if path.is_file()
                else sorted(p.name for p in path.iterdir() if p.name.lower() in TABLES)
            )
            try:
                services.return_import_now(
                    authority=authority, result=result, months=months, file_names=names
                )
            except services.ReturnRefused as error:
                raise CommandError(str(error)) from None
        if options["json_path"]:
            document = {
                "figures": [
                    {
                        "indicator": figure.indicator,
                        "period": f"{figure.period:%Y-%m}",
                        "value": _number(figure.value),
                        "numerator": figure.numerator,
                        "denominator": figure.denominator,
                    }
                    for figure in result.figures
                ],
                "problems": [
                    {
                        "table": problem.table,
                        "row": problem.row,
                        "child": problem.child,
                        "rule": problem.rule,
                        "message": problem.message,
                    }
                    for problem in result.problems
                ],
            }
            Path(options["json_path"]).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        self.stdout.write(
            SUMMARY.format(figures=len(result.figures), months=len(months), problems=len(result.problems))
        )
