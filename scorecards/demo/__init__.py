"""The demonstration data set: Dorset's November 2020 corporate parenting data set and a second council.

Dorset's figures (authority 838) are transcribed from its public board paper; the commentary is our own
illustration. Bournemouth, Christchurch and Poole (839) carries a synthetic series made for the demo so that
switching council is real: it is not BCP's data. The files use the upload format of shared/CONTRACT.md and are
loaded through the same import service officers use.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from authorities.services import user_add
from scorecards.imports import import_file

DEMO_DIR = Path(__file__).resolve().parent
KINDS = ("authorities", "indicators", "values", "benchmarks", "targets")
DEMO_PASSWORD = "scorecard-demo-2020"
DEMO_USERS = (
    ("board", "board_member", ("838", "839")),
    ("officer", "officer", ("838",)),
    ("approver", "approver", ("838",)),
    ("admin", "administrator", ("838", "839")),
)


@transaction.atomic
def demo_load() -> str:
    """Load (or refresh) every demo file and the demo logins; safe to run again."""
    parts = []
    for kind in KINDS:
        path = DEMO_DIR / f"{kind}.csv"
        with path.open("rb") as handle:
            summary = import_file(kind, handle, path.name)
        parts.append(f"{kind} {summary}")
    for username, role, codes in DEMO_USERS:
        user_add(username=username, password=DEMO_PASSWORD, role=role, authority_codes=list(codes))
    return "; ".join(parts)
