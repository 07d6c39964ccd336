"""``manage.py clean_uploads [--hours N]``: discard previews nobody confirmed, and old upload error reports.

The upload page does this each time a file is uploaded; the command is for a quiet site (run it daily).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from scorecards.entry.uploads import KEEP_FOR, uploads_clean


class Command(BaseCommand):
    help = "Delete upload previews not confirmed, and upload error reports, older than a day (or --hours N)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=int(KEEP_FOR.total_seconds() // 3600),
            help="age in hours after which a preview or error report is deleted (default 24)",
        )

    def handle(self, *args, hours: int, **options):
        if hours < 1:
            raise CommandError("--hours must be at least 1: a preview being confirmed now must stay.")
        removed = uploads_clean(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(f"deleted {removed} file(s)")
