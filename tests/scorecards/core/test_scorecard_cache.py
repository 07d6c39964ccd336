"""The scorecard's cached grid: served again only while nothing it shows has changed.

The key holds the authority's data version, which database triggers change in the writing transaction
(migrations authorities 0002, scorecards 0005). Each write path below must show its new figure on the very
next page, with no stale HTML; on PostgreSQL too (DATABASE_URL=postgres://...).
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authorities.models import Authority, Role
from scorecards.entry.signoff import month_approve, month_return, month_submit
from scorecards.imports import import_file
from scorecards.models import (
    Benchmark,
    BenchmarkSource,
    ChangeRecord,
    Indicator,
    MonthlyValue,
    ScorecardMonth,
    Target,
)
from tests.conftest import PASSWORD

NOV = datetime.date(2020, 11, 1)
URL = "/scorecards/838/2020-11/"


@pytest.fixture
def dental(make_indicator):
    return make_indicator(code="dental_check_pct", name="Dental checks within 12 months")


@pytest.fixture
def november(home_authority, dental, make_value, approve_month):
    """Dorset's October and November, approved."""
    make_value(home_authority, dental, "2020-10", 55)
    make_value(home_authority, dental, "2020-11", 42)
    for period in (datetime.date(2020, 10, 1), NOV):
        approve_month(home_authority, period, at=datetime.datetime(2020, 12, 1, tzinfo=datetime.UTC))
    return home_authority


def page(client, url: str = URL) -> tuple[str, int]:
    """The page's grid (the tiles and the table) and how many queries the page took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<div class="table-wrap"')
    return html[start : html.index("</table>", start)], len(queries)


def version(authority: Authority) -> int:
    return Authority.objects.values_list("data_version", flat=True).get(pk=authority.pk)


def nov_value(authority, indicator) -> MonthlyValue:
    return MonthlyValue.objects.get(authority=authority, indicator=indicator, period=NOV)


def test_a_second_page_is_served_from_the_cache(client, november, officer):
    client.force_login(officer)
    first, miss = page(client)
    second, hit = page(client)
    assert second == first and "42%" in first
    assert hit < miss
    # The whole page is the same, but for the CSRF token (masked afresh for each page, never cached).
    assert _without_csrf(client.get(URL).content) == _without_csrf(client.get(URL).content)


def _without_csrf(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def test_exports_are_built_fresh_not_cached(client, november, officer, dental):
    client.force_login(officer)
    page(client)
    MonthlyValue.objects.filter(authority=november, indicator=dental, period=NOV).update(value=Decimal(43))
    assert b"43" in client.get(URL + "?format=csv").content


def _assert_changes(client, authority, write, *, before: str, after: str, url: str = URL) -> None:
    """The page shows ``before`` (now cached), then ``after`` on the first page after the write."""
    html, _ = page(client, url)
    assert before in html
    assert page(client, url)[0] == html  # cached
    old = version(authority)
    write()
    assert version(authority) != old
    html, _ = page(client, url)
    assert after in html and before not in html


# Figures, by every route that writes them -----------------------------------------------------------------


def test_model_save(client, november, officer, dental):
    client.force_login(officer)

    def write():
        value = nov_value(november, dental)
        value.value = Decimal(47)
        value.save()

    _assert_changes(client, november, write, before="42%", after="47%")


def test_queryset_update(client, november, officer, dental):
    client.force_login(officer)
    _assert_changes(
        client,
        november,
        lambda: MonthlyValue.objects.filter(authority=november, indicator=dental, period=NOV).update(
            value=Decimal(48)
        ),
        before="42%",
        after="48%",
    )


def test_bulk_create(client, november, officer, make_indicator):
    client.force_login(officer)
    other = make_indicator(code="stability_pct", name="Placement stability")
    html, _ = page(client)
    assert "71%" not in html
    old = version(november)
    MonthlyValue.objects.bulk_create(
        [MonthlyValue(authority=november, indicator=other, period=NOV, value=Decimal(71))]
    )
    assert version(november) != old
    assert "71%" in page(client)[0]


def test_import_file(client, november, officer):
    client.force_login(officer)
    csv = io.BytesIO(
        b"authority,indicator,period,value,status,commentary\n838,dental_check_pct,2020-11,49,,\n"
    )
    _assert_changes(
        client,
        november,
        lambda: import_file("values", csv, "values.csv", user=officer),
        before="42%",
        after="49%",
    )


def test_month_entry_form(client, november, officer):
    client.force_login(officer)

    def write():
        form = client.get(f"{URL}enter/")
        assert form.status_code == 200
        response = client.post(
            f"{URL}enter/", {"version": form.context["version"], "dental_check_pct-value": "46"}
        )
        assert response.status_code == 302, response.content.decode()[:2000]

    _assert_changes(client, november, write, before="42%", after="46%")


def test_admin(client, november, officer, dental, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(officer)
    value = nov_value(november, dental)
    data = {
        "authority": november.pk,
        "indicator": dental.pk,
        "period": "2020-11-01",
        "value": "45",
        "numerator": "",
        "denominator": "",
        "status": "",
        "commentary": "",
    }

    def write():
        client.force_login(admin)
        response = client.post(f"/admin/scorecards/monthlyvalue/{value.pk}/change/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        client.force_login(officer)

    _assert_changes(client, november, write, before="42%", after="45%")


# Benchmarks, targets, the catalogue --------------------------------------------------------------------------


@pytest.mark.parametrize("source", [BenchmarkSource.ENTERED, BenchmarkSource.DFE])
def test_benchmark_update(client, november, officer, dental, source):
    client.force_login(officer)
    benchmark = Benchmark.objects.create(
        authority=november, indicator=dental, year="2019/20", source=source, england=Decimal(61)
    )

    def write():
        benchmark.england = Decimal(63)
        benchmark.save()

    _assert_changes(client, november, write, before="61%", after="63%")


def test_benchmark_bulk_update_as_reference_data_loads(client, november, officer, dental):
    client.force_login(officer)
    benchmark = Benchmark.objects.create(
        authority=november, indicator=dental, year="2019/20", source=BenchmarkSource.DFE, england=Decimal(61)
    )

    def write():
        benchmark.england = Decimal(64)
        Benchmark.objects.bulk_update([benchmark], ["england"], batch_size=500)

    _assert_changes(client, november, write, before="61%", after="64%")


def test_target(client, november, officer, dental):
    client.force_login(officer)
    target = Target.objects.create(
        authority=november, indicator=dental, kind="target", year="2020/21", value=80
    )
    _assert_changes(
        client,
        november,
        lambda: Target.objects.filter(pk=target.pk).update(value=Decimal(81)),
        before="80%",
        after="81%",
    )


def test_indicator_rename_changes_every_authority(client, november, officer, dental, other_authority):
    client.force_login(officer)
    other_before = version(other_authority)

    def write():
        Indicator.objects.filter(pk=dental.pk).update(name="Dental checks in the year")

    _assert_changes(
        client, november, write, before="Dental checks within 12 months", after="Dental checks in the year"
    )
    assert version(other_authority) != other_before


# Sign-off and who reads ------------------------------------------------------------------------------------


def test_approval_shows_board_members_the_figures(
    client, home_authority, dental, make_value, officer, approver, board_member
):
    make_value(home_authority, dental, "2020-11", 42)
    client.force_login(board_member)

    def write():
        month_submit(
            authority=home_authority, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True
        )
        month_approve(authority=home_authority, period=NOV, user=approver, role=Role.APPROVER)

    _assert_changes(client, home_authority, write, before="awaiting approval", after="42%")


def test_return_to_officers(client, home_authority, dental, make_value, officer, approver):
    make_value(home_authority, dental, "2020-11", 42)
    month_submit(authority=home_authority, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    client.force_login(officer)
    _assert_changes(
        client,
        home_authority,
        lambda: month_return(
            authority=home_authority, period=NOV, user=approver, role=Role.APPROVER, reason="Check"
        ),
        before="note-submitted",
        after="note-draft",
    )


def test_board_members_and_officers_get_their_own_grids(client, november, dental, officer, board_member):
    # Changed after approval: officers see the new figure, board members the approved one, marked revised.
    value = nov_value(november, dental)
    ChangeRecord.objects.create(
        route="form",
        kind="value",
        authority=november,
        indicator=dental,
        period=NOV,
        object_key="838 dental_check_pct 2020-11",
        field="value",
        old="42",
        new="44",
    )
    ScorecardMonth.objects.filter(authority=november, period=NOV).update(state="draft", revision=2)
    MonthlyValue.objects.filter(pk=value.pk).update(value=Decimal(44))
    client.force_login(officer)
    officer_grid, _ = page(client)
    client.force_login(board_member)
    board_grid, _ = page(client)
    assert "44%" in officer_grid and "42%" in board_grid and "44%" not in board_grid
    assert page(client)[0] == board_grid
    client.force_login(officer)
    assert page(client)[0] == officer_grid


def test_another_councils_write_leaves_the_cache(
    client, november, officer, dental, other_authority, make_value
):
    client.force_login(officer)
    _, miss = page(client)
    _, hit = page(client)
    mine = version(november)
    make_value(other_authority, dental, "2020-11", 12)
    Target.objects.create(authority=other_authority, indicator=dental, kind="target", year="2020/21", value=9)
    assert version(november) == mine
    assert page(client)[1] == hit < miss


def test_a_rolled_back_write_leaves_no_version_behind(client, november, officer, dental):
    """A page rendered inside a transaction that rolls back is kept under a version no later write reuses."""
    from django.db import transaction

    client.force_login(officer)
    page(client)
    before = version(november)
    with transaction.atomic():
        MonthlyValue.objects.filter(authority=november, indicator=dental, period=NOV).update(
            value=Decimal(99)
        )
        assert "99%" in page(client)[0]
        transaction.set_rollback(True)
    assert version(november) == before
    assert "99%" not in page(client)[0]
    MonthlyValue.objects.filter(authority=november, indicator=dental, period=NOV).update(value=Decimal(98))
    html = page(client)[0]
    assert "98%" in html and "99%" not in html
