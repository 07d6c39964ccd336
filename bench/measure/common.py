"""What every measurement shares: how much to repeat, the context (data set, signed-in client, work folder),
timing a page, and adding up the time spent in the database."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from authorities.models import Authority
from bench.dataset import HOME_USERNAME, Dataset
from scorecards.models import Indicator


@dataclass(frozen=True)
class Plan:
    """How much to repeat each measurement."""

    runs: int
    warm_up: int
    pack_runs: int
    load_seconds: int
    load_users: int

    @classmethod
    def for_mode(cls, *, quick: bool) -> Plan:
        if quick:
            return cls(runs=10, warm_up=2, pack_runs=1, load_seconds=10, load_users=50)
        return cls(runs=30, warm_up=3, pack_runs=3, load_seconds=60, load_users=50)


class Context:
    """What the measurements share: the data set, the plan, where to write files, how to start a process."""

    def __init__(self, *, dataset: Dataset, plan: Plan, workdir: Path, say: Callable[[str], None]):
        self.dataset, self.plan, self.workdir, self.say = dataset, plan, workdir, say
        self.authority = Authority.objects.get(code=dataset.home_code)
        self.period = dataset.end
        self.client = Client()
        self.client.force_login(get_user_model().objects.get(username=HOME_USERNAME))
        self.sections: list[tuple[str, str]] = []

    def scorecard_url(self, months: int) -> str:
        url = reverse("scorecards:detail", args=[self.authority.code, self.period])
        return f"{url}?months={months}"

    def child_env(self) -> dict[str, str]:
        return dict(os.environ)


def ms(seconds: float) -> float:
    return seconds * 1000


def get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return ms(elapsed)


class SqlTimer:
    """Adds up the time spent in the database driver, through Django's execute wrapper."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def catalogue_cut(keep: int) -> None:
    """Delete all but the first ``keep`` indicators, inside a transaction the caller rolls back."""
    kept = list(Indicator.objects.order_by("position", "code").values_list("pk", flat=True)[:keep])
    table = Indicator._meta.db_table
    with connection.cursor() as cursor:
        # A raw DELETE leaves the figures of the removed indicators in place: foreign keys are checked at
        # commit, and this transaction never commits.
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {table} WHERE NOT (id = ANY(%s))", [kept])  # noqa: S608
        else:
            cursor.execute(f"DELETE FROM {table} WHERE id NOT IN ({', '.join(map(str, kept))})")  # noqa: S608
