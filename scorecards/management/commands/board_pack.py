"""board_pack AUTHORITY PERIOD [--months N] [--wait SECONDS]; board_pack --refresh-stale [--stale-after SECONDS]"""

import datetime
import re
import time

from django.core.management.base import BaseCommand, CommandError

from authorities.models import Authority
from scorecards.core import selectors
from scorecards.models import BoardPack, PackState
from scorecards.packs import services as packs
from scorecards.packs import tasks as pack_tasks

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Request a board pack through the job queue (a real worker when REDIS_URL is set) and optionally wait "
        "for it; or fail packs whose worker stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("authority", nargs="?", help="DfE code, e.g. 838")
        parser.add_argument("period", nargs="?", help="month as YYYY-MM")
        parser.add_argument(
            "--months", type=int, default=selectors.DEFAULT_MONTHS, choices=selectors.WINDOW_CHOICES
        )
        parser.add_argument(
            "--wait", type=float, default=0, metavar="SECONDS", help="wait this long for the pack"
        )
        parser.add_argument(
            "--refresh-stale",
            action="store_true",
            help="mark packs whose worker stopped as failed, then stop",
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=packs.STALE_RENDERING.total_seconds(),
            metavar="SECONDS",
            help="with --refresh-stale: how long a render may go without a heartbeat",
        )

    def handle(self, *args, authority, period, months, wait, refresh_stale, stale_after, **options):
        if refresh_stale:
            failed = packs.board_pack_refresh_stale(
                rendering_after=datetime.timedelta(seconds=stale_after),
                queued_after=max(datetime.timedelta(seconds=stale_after), packs.STALE_QUEUED),
            )
            self.stdout.write(f"stale packs marked failed: {failed}")
            return
        if not authority or not period:
            raise CommandError("give AUTHORITY and PERIOD, or --refresh-stale", returncode=2)
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
            raise CommandError(f"period {period!r} is not a month written YYYY-MM", returncode=1)
        found = Authority.objects.filter(code=authority).first()
        if found is None:
            raise CommandError(f"no authority with DfE code {authority!r}", returncode=1)
        month = datetime.date(int(period[:4]), int(period[5:]), 1)

        started = time.monotonic()
        pack = pack_tasks.board_pack_request(authority=found, period=month, months=months, user=None)
        if wait <= 0:
            self.stdout.write(f"queued: pack {pack.pk}")
            return
        deadline = started + wait
        while True:
            pack = packs.board_pack_check(BoardPack.objects.get(pk=pack.pk))
            if pack.state == PackState.DONE:
                seconds = time.monotonic() - started
                self.stdout.write(
                    f"done: {pack.file.path} ({pack.page_count} pages, {pack.size_bytes} bytes, {seconds:.1f} s)"
                )
                return
            if pack.state == PackState.FAILED:
                raise CommandError(f"failed: pack {pack.pk}: {pack.error}", returncode=1)
            if time.monotonic() > deadline:
                raise CommandError(
                    f"timed out: pack {pack.pk} still {pack.get_state_display().lower()} after {wait:g} s",
                    returncode=1,
                )
            time.sleep(POLL_SECONDS)
