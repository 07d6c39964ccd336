"""End-to-end fixtures: Debian's Chromium through Playwright, against a server that is already running.

`.ci/e2e` starts the production stack (gunicorn, a Celery worker, PostgreSQL, Redis, the demo data) and sets
E2E_BASE_URL; without it every test here skips, saying so. The tests run in file order and share the server's
database: the board member's journey reads the approved demo month before the officer's journey revises it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_PASSWORD = "scorecard-demo-2020"
#: WCAG 2.2 AA, as axe-core tags it: every A and AA rule of 2.0, 2.1 and 2.2.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CSP_MESSAGE = re.compile(r"Content Security Policy", re.IGNORECASE)


@dataclass
class Record:
    """What the suite did, for its closing summary: each step, and each page axe checked."""

    steps: list[str] = field(default_factory=list)
    axe_pages: list[tuple[str, str, int]] = field(default_factory=list)


RECORD = Record()


def pytest_terminal_summary(terminalreporter) -> None:
    if not RECORD.steps and not RECORD.axe_pages:
        return
    terminalreporter.section("end-to-end summary")
    terminalreporter.write_line(f"{len(RECORD.steps)} steps")
    terminalreporter.write_line(f"axe ({', '.join(WCAG_TAGS)}) checked {len(RECORD.axe_pages)} pages:")
    for name, path, violations in RECORD.axe_pages:
        terminalreporter.write_line(f"  {violations} violations  {name}  {path}")


@pytest.fixture(scope="session")
def base_url() -> str:
    url = os.environ.get("E2E_BASE_URL", "").rstrip("/")
    if not url:
        pytest.skip("E2E_BASE_URL is not set: run .ci/e2e, which starts the stack and sets it")
    return url


@pytest.fixture(scope="session")
def browser(base_url):
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install chromium (Debian's package, never a download)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """One person's browser tab, with the page's console watched for CSP violations and script errors."""

    def __init__(self, browser, base_url: str) -> None:
        self.base_url = base_url
        self.context = browser.new_context(base_url=base_url, accept_downloads=True, locale="en-GB")
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.csp_errors: list[str] = []
        self.script_errors: list[str] = []
        self.broken: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        if CSP_MESSAGE.search(message.text):
            self.csp_errors.append(message.text)

    def _response(self, response) -> None:
        """Server errors anywhere, and any missing static file (a stale or incomplete collectstatic)."""
        if response.status >= 500 or (response.status >= 400 and "/static/" in response.url):
            self.broken.append(f"{response.status} {response.url}")

    def step(self, text: str) -> None:
        RECORD.steps.append(text)

    def log_in(self, username: str, password: str = DEMO_PASSWORD, *, next_url: str = "") -> None:
        from urllib.parse import quote

        self.page.goto("/accounts/login/" + (f"?next={quote(next_url, safe='')}" if next_url else ""))
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def axe(self, name: str) -> None:
        """axe-core on the page as it is now: zero WCAG 2.2 AA violations, or a readable list of them."""
        from axe_playwright_python.sync_playwright import Axe

        self.page.wait_for_load_state()
        options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        results = Axe().run(self.page, options=options).response
        violations = results["violations"]
        path = self.page.url.removeprefix(self.base_url)
        RECORD.axe_pages.append((name, path, len(violations)))
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes'][:5]]}"
            for v in violations
        )
        assert not violations, (
            f"axe found {len(violations)} WCAG 2.2 AA violations on {name} ({path}):\n{details}"
        )
        # A run that checked nothing would also have no violations.
        assert results["passes"], f"axe ran no rule on {name} ({path})"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, base_url) -> Iterator:
    """Open a fresh browser context (no cookies) per person; afterwards, check that no CSP violation, script
    error, server error or missing static file happened."""
    opened: list[Visit] = []

    def open_visit() -> Visit:
        opened.append(Visit(browser, base_url))
        return opened[-1]

    yield open_visit
    for each in opened:
        csp, scripts, broken = each.csp_errors, each.script_errors, each.broken
        each.close()
        assert not csp, f"the Content Security Policy blocked something: {csp}"
        assert not scripts, f"a script failed: {scripts}"
        assert not broken, f"the server failed or a static file was missing: {broken}"
