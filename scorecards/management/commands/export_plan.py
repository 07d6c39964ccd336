"""export_plan AUTHORITY PLAN --as-of YYYY-MM-DD --period YYYY-MM --format json|csv|pdf --output FILE"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from authorities.models import Authority
from scorecards.imports.cells import CellError, parse_period
from scorecards.plans import exports, rules, selectors

FORMATS = ("json", "csv", "pdf")
BAD_AS_OF = "--as-of {value!r} is not a date that exists, written YYYY-MM-DD"
UNKNOWN_AUTHORITY = "no authority with DfE code {value!r}"
UNKNOWN_PLAN = "authority {authority} has no plan {value!r}"


class Command(BaseCommand):
    help = "Write one plan as it stood at a date, each action with its evidence from the scorecard."

    def add_arguments(self, parser):
        parser.add_argument("authority", help="DfE code, e.g. 823")
        parser.add_argument("plan", help="the plan's code, e.g. peer-2018")
        parser.add_argument("--as-of", required=True, dest="as_of", help="YYYY-MM-DD")
        parser.add_argument("--period", required=True, help="the scorecard month of the evidence, YYYY-MM")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--output", required=True, help="file to write; - for standard output (not pdf)")

    def handle(self, *args, authority, plan, as_of, period, format, output, **options):
        at = rules.parse_iso_date(as_of)
        if at is None:
            raise CommandError(BAD_AS_OF.format(value=as_of), returncode=1)
        try:
            month = parse_period(period)
        except CellError as error:
            raise CommandError(f"--period: {error}", returncode=1) from error
        found = Authority.objects.filter(code=authority).first()
        if found is None:
            raise CommandError(UNKNOWN_AUTHORITY.format(value=authority), returncode=1)
        chosen = selectors.plan_get(authority=found, code=plan)
        if chosen is None:
            raise CommandError(UNKNOWN_PLAN.format(authority=found.code, value=plan), returncode=1)
        # Staff at the command line read the working figures, drafts included, as export_scorecard does.
        view = selectors.plan_build(plan=chosen, at=at, period=month, include_drafts=True)
        if format == "pdf":
            content = exports.plan_pdf(view)
        else:
            content = (exports.plan_csv(view) if format == "csv" else exports.plan_json(view) + "\n").encode()
        if output != "-":
            Path(output).write_bytes(content)
            self.stdout.write(f"wrote {output} ({len(view.actions)} actions as at {at:%Y-%m-%d}, {format})")
        elif format == "pdf":
            raise CommandError("a PDF needs --output FILE", returncode=1)
        else:
            self.stdout.write(content.decode(), ending="")
