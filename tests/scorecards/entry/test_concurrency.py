"""Two officers at once, for real: threads posting to a live server at the same moment, each signed in by the form.

Runs on SQLite (a file, as in production: tests/conftest.py) and on PostgreSQL when DATABASE_URL points there.
Each race is made certain rather than likely: the step inside the write lock is slowed a little, so that the
second request arrives while the first holds the lock. Whatever the order, the rules are: never a 500, never
a silent overwrite, never one preview applied twice, and the loser is shown what the winner changed.
"""

from __future__ import annotations

import datetime
import html
import re
import threading
import time
from decimal import Decimal

import pytest
import requests

from scorecards.entry import services as entry_services
from scorecards.entry import views as entry_views
from scorecards.entry.services import CONFLICT
from scorecards.entry.views import UPLOAD_ALREADY_APPLIED, UPLOAD_CHANGED
from scorecards.models import ChangeRecord, MonthlyValue, PendingUpload, ScorecardMonth
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

NOV = datetime.date(2020, 11, 1)
DEC = datetime.date(2020, 12, 1)
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
#: Time the winner holds the lock for, so that the other request surely arrives meanwhile.
HOLD = 0.3
HEADER = "authority,indicator,period,value,numerator,denominator,status,commentary\n"


class Browser:
    """One person's browser: signed in through the login form, posting forms with their CSRF token."""

    def __init__(self, base_url: str, username: str) -> None:
        self.base = base_url
        self.session = requests.Session()
        page = self.session.get(f"{base_url}/accounts/login/", timeout=10)
        response = self.session.post(
            f"{base_url}/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(page.text)},
            timeout=10,
        )
        assert response.status_code == 200 and "/accounts/login/" not in response.url, response.text[:300]

    def twin(self) -> Browser:
        """A second tab of the same browser: the same session cookie, its own connection."""
        other = object.__new__(Browser)
        other.base, other.session = self.base, requests.Session()
        other.session.cookies.update(self.session.cookies)
        return other

    def fields(self, path: str) -> dict[str, str]:
        page = self.session.get(f"{self.base}{path}", timeout=10)
        assert page.status_code == 200, page.text[:300]
        return _hidden(page.text)

    def post(self, path: str, data: dict, **kwargs) -> requests.Response:
        return self.session.post(f"{self.base}{path}", data=data, timeout=30, **kwargs)

    def preview(self, content: str) -> dict[str, str]:
        """Upload a values file; the confirmation form's fields (token, digest and CSRF token)."""
        token = _csrf(self.session.get(f"{self.base}/scorecards/838/upload/", timeout=10).text)
        response = self.post(
            "/scorecards/838/upload/",
            {"kind": "values", "csrfmiddlewaretoken": token},
            files={"file": ("values.csv", content.encode(), "text/csv")},
        )
        assert response.status_code == 200, response.text[:500]
        return _hidden(response.text)


def _csrf(page: str) -> str:
    return CSRF.search(page).group(1)


def _hidden(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in HIDDEN.findall(page)}


def at_once(*calls) -> list:
    """Run the calls in threads released together; their results in order (an exception is re-raised)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 - handed back to the test thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


@pytest.fixture
def slowed(monkeypatch):
    """Slow a function (by module and name) after it returns, while the caller holds the write lock."""

    def slow(module, name: str) -> None:
        original = getattr(module, name)

        def held(*args, **kwargs):
            result = original(*args, **kwargs)
            time.sleep(HOLD)
            return result

        monkeypatch.setattr(module, name, held)

    return slow


@pytest.fixture
def month(settings, tmp_path, home_authority, make_indicator, make_value, make_user):
    settings.MEDIA_ROOT = tmp_path
    cic = make_indicator(code="cic_count", name="Children in care", unit="count", polarity="neutral")
    make_value(home_authority, cic, "2020-10", 468)
    make_value(home_authority, cic, "2020-11", 470)
    make_user("officer-a", "officer", home_authority)
    make_user("officer-b", "officer", home_authority)
    return cic


def value_records() -> list[tuple[str, str, str]]:
    return list(
        ChangeRecord.objects.filter(kind="value", field="value").values_list("username", "old", "new")
    )


def test_two_officers_saving_the_month_form_at_once_one_saves_the_other_sees_the_conflict(
    live_server, month, slowed
):
    url = "/scorecards/838/2020-11/enter/"
    first, second = Browser(live_server.url, "officer-a"), Browser(live_server.url, "officer-b")
    forms = [first.fields(url), second.fields(url)]
    assert forms[0]["version"] == forms[1]["version"]
    slowed(entry_services, "month_entry_rows")  # called after the version check, inside the lock
    responses = at_once(
        *(
            lambda browser=browser, form=form, value=value: browser.post(
                url, {**form, "cic_count-value": value}, allow_redirects=False
            )
            for browser, form, value in ((first, forms[0], "476"), (second, forms[1], "480"))
        )
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 400], [r.text[:300] for r in responses]
    winner = 0 if responses[0].status_code == 302 else 1
    won, lost = ("476", "480") if winner == 0 else ("480", "476")
    loser_page = html.unescape(responses[1 - winner].text)
    assert CONFLICT in loser_page
    assert f"<td>470</td><td>{won}</td>" in loser_page  # the winner's change, old → new
    assert MonthlyValue.objects.get(period=NOV).value == Decimal(won)
    assert value_records() == [(f"officer-{'ab'[winner]}", "470", won)]
    assert ScorecardMonth.objects.filter(period=NOV).count() == 1


def test_a_double_click_on_confirm_applies_the_preview_once(live_server, month, slowed):
    officer = Browser(live_server.url, "officer-a")
    form = officer.preview(HEADER + "838,cic_count,2020-11,476,,,,\n")
    slowed(entry_views, "_plan_stored")  # planned again inside the lock
    tabs = (officer, officer.twin())
    responses = at_once(*(lambda tab=tab: tab.post("/scorecards/838/upload/confirm/", form) for tab in tabs))
    assert all(response.status_code == 200 for response in responses)
    pages = sorted(html.unescape(response.text) for response in responses)
    assert sum("Applied values.csv: created 0, updated 1, unchanged 0." in page for page in pages) == 1
    assert sum(UPLOAD_ALREADY_APPLIED in page for page in pages) == 1
    assert MonthlyValue.objects.get(period=NOV).value == Decimal(476)
    assert value_records() == [("officer-a", "470", "476")]
    assert PendingUpload.objects.get().state == "applied"


def test_two_officers_confirming_changes_to_the_same_row_one_applies_the_other_sees_it(
    live_server, month, slowed
):
    officers = (Browser(live_server.url, "officer-a"), Browser(live_server.url, "officer-b"))
    forms = [
        officer.preview(HEADER + f"838,cic_count,2020-11,{value},,,,\n")
        for officer, value in zip(officers, ("476", "480"), strict=True)
    ]
    slowed(entry_views, "_plan_stored")
    responses = at_once(
        *(
            lambda officer=officer, form=form: officer.post("/scorecards/838/upload/confirm/", form)
            for officer, form in zip(officers, forms, strict=True)
        )
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409], [r.text[:300] for r in responses]
    winner = 0 if responses[0].status_code == 200 else 1
    won, lost = ("476", "480") if winner == 0 else ("480", "476")
    refused = html.unescape(responses[1 - winner].text)
    assert UPLOAD_CHANGED in refused
    assert f"<td>value</td><td>470</td><td>{won}</td>" in refused  # what the other officer changed
    assert f'<span class="change">value: {won} → {lost}</span>' in refused  # what confirming would do now
    assert MonthlyValue.objects.get(period=NOV).value == Decimal(won)
    # Never applied twice, never an audit record whose "old" was not what it replaced.
    assert value_records() == [(f"officer-{'ab'[winner]}", "470", won)]


def test_two_files_creating_the_same_row_at_once_one_creates_it_the_other_sees_a_conflict(
    live_server, month, slowed
):
    officers = (Browser(live_server.url, "officer-a"), Browser(live_server.url, "officer-b"))
    forms = [
        officer.preview(HEADER + f"838,cic_count,2020-12,{value},,,,\n")
        for officer, value in zip(officers, ("476", "480"), strict=True)
    ]
    slowed(entry_views, "_plan_stored")
    responses = at_once(
        *(
            lambda officer=officer, form=form: officer.post("/scorecards/838/upload/confirm/", form)
            for officer, form in zip(officers, forms, strict=True)
        )
    )
    assert sorted(response.status_code for response in responses) == [200, 409]
    assert MonthlyValue.objects.filter(period=DEC).count() == 1
    assert ChangeRecord.objects.filter(kind="value", field="value", period=DEC).count() == 1
