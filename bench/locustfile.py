"""Board members browsing their scorecards, for ``locust --headless`` against gunicorn on 127.0.0.1 only.

Started by ``bench.measure.load``, configured through the environment (no Django here: locust patches sockets):

- ``BENCH_USERS``: ``username:code`` pairs, comma-separated, one per simulated board member;
- ``BENCH_PASSWORD``, ``BENCH_PERIODS`` (``YYYY-MM`` months with approved figures, comma-separated);
- ``BENCH_DURATION``: seconds of browsing, counted from the moment every member has signed in;
- ``BENCH_RESULT``: where to write the JSON summary.

Every member signs in first; the browsing clock and the statistics start once all have (sign-in is slow by
design, a password hash, and is reported apart). Requests go over plain HTTP on loopback with the header a
TLS-terminating proxy adds (``X-Forwarded-Proto: https``), as in production; cookies are kept by hand
because a client does not send secure cookies over plain HTTP.
"""

from __future__ import annotations

import json
import os
import random
import time

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, events, task

USERS = [tuple(pair.split(":", 1)) for pair in os.environ.get("BENCH_USERS", "").split(",") if pair]
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
PERIODS = [period for period in os.environ.get("BENCH_PERIODS", "").split(",") if period]
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
RESULT = os.environ.get("BENCH_RESULT", "")
WINDOWS = (6, 12, 13)

_next_user = iter(range(len(USERS)))
_signed_in: list[str] = []
_everyone_in = Event()
_timeline: dict[str, float] = {}
_sign_in_stats: dict[str, dict] = {}


def _entry_summary(entry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "median_ms": entry.median_response_time,
        "p95_ms": entry.get_response_time_percentile(0.95),
        "max_ms": entry.max_response_time,
    }


class BoardMember(FastHttpUser):
    """Signs in, then opens a random approved month of the council's scorecard every one to five seconds.

    The pause is a board member reading a sixty-row scorecard; a real one reads for far longer. The fast
    client (geventhttpclient) spends far less CPU per request than requests does: locust shares the cores
    with the server it measures.
    """

    wait_time = between(1, 5)

    def on_start(self) -> None:
        self.username, self.code = USERS[next(_next_user) % len(USERS)]
        base = self.host.rstrip("/")
        self.headers = {"X-Forwarded-Proto": "https", "Referer": f"https{base[4:]}/accounts/login/"}
        self.cookies: dict[str, str] = {}
        page = self.client.get("/accounts/login/", name="sign in (form)", headers=self._headers())
        self._keep_cookies(page)
        with self.client.post(
            "/accounts/login/",
            name="sign in",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            },
            headers={**self._headers(), "Origin": f"https{base[4:]}"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._keep_cookies(response)
            if response.status_code != 302 or "sessionid" not in self.cookies:
                response.failure(f"sign-in answered {response.status_code}")
            else:
                response.success()
        # A member lands on the scorecard after signing in; this also warms every gunicorn worker.
        self._scorecard(PERIODS[-1], 6, name="scorecard (after sign-in)")
        _signed_in.append(self.username)
        if len(_signed_in) >= len(USERS):
            _start_browsing(self.environment)
        _everyone_in.wait()
        # Members read before they move on; they do not all click at the same moment.
        gevent.sleep(self.wait_time())

    def _headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {**self.headers, "Cookie": cookie} if cookie else dict(self.headers)

    def _keep_cookies(self, _response) -> None:
        # The client's jar holds the secure cookies it will not send over plain HTTP.
        for cookie in self.client.cookiejar:
            if cookie.name in ("csrftoken", "sessionid"):
                self.cookies[cookie.name] = cookie.value

    @task
    def scorecard(self) -> None:
        self._scorecard(random.choice(PERIODS), random.choice(WINDOWS))  # noqa: S311 - not cryptography

    def _scorecard(self, period: str, months: int, name: str = "scorecard") -> None:
        with self.client.get(
            f"/scorecards/{self.code}/{period}/?months={months}",
            name=name,
            headers=self._headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif b"scorecard" not in response.content:
                response.failure("not a scorecard page")


def _start_browsing(environment) -> None:
    if _everyone_in.is_set():
        return
    stats = environment.stats
    _sign_in_stats["sign in"] = _entry_summary(stats.get("sign in", "POST"))
    _sign_in_stats["sign in (form)"] = _entry_summary(stats.get("sign in (form)", "GET"))
    _sign_in_stats["scorecard (after sign-in)"] = _entry_summary(
        stats.get("scorecard (after sign-in)", "GET")
    )
    _timeline["signed_in_at"] = time.time()
    stats.reset_all()
    _everyone_in.set()
    gevent.spawn_later(DURATION, environment.runner.quit)


@events.test_start.add_listener
def _started(environment, **_kwargs) -> None:
    _timeline["started_at"] = time.time()


@events.quitting.add_listener
def _write_summary(environment, **_kwargs) -> None:
    if not RESULT:
        return
    stats = environment.stats
    summary = {
        "users": len(_signed_in),
        "sign_in_seconds": _timeline.get("signed_in_at", time.time())
        - _timeline.get("started_at", time.time()),
        "browse_seconds": time.time() - _timeline.get("signed_in_at", time.time()),
        "signed_in_at": _timeline.get("signed_in_at"),
        "sign_in": _sign_in_stats,
        "scorecard": _entry_summary(stats.get("scorecard", "GET")),
        "total": _entry_summary(stats.total),
        "errors": [
            {"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
            for error in stats.errors.values()
        ],
        "all_signed_in": _everyone_in.is_set(),
    }
    with open(RESULT, "w", encoding="utf-8") as handle:
        json.dump(summary, handle)
