"""The return's pages: upload and compute, preview beside the figures held, confirm once, discard, the year-end
check against DfE; who may see them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from scorecards.models import (
    Benchmark,
    BenchmarkSource,
    ChangeRecord,
    ChangeRoute,
    MonthlyValue,
    PublishedMeasure,
    ReturnImport,
    ReturnState,
    ScorecardMonth,
)
from scorecards.returns import services
from scorecards.returns.reader import read_csv_files
from scorecards.returns.views import PREVIEW_CHANGED

from .conftest import MAR, fake_files, hand_made, needs_fake

RETURNS = "/scorecards/838/returns/"


def detail_url(return_import, suffix=""):
    return f"/scorecards/{return_import.authority.code}/returns/{return_import.pk}/{suffix}"


@pytest.fixture
def recorded(home_authority):
    """A preview of a small hand-made return for March 2018: 3 children in care, one with a bad date."""
    tables = read_csv_files(
        hand_made(
            "501,01/01/2018,S,C2,U1,,",
            "502,01/02/2018,S,C2,U1,,",
            "503,15/03/2018,S,C2,U1,,",
            "504,31/02/2018,S,C2,U1,,",
        )
    )
    months = [MAR]
    result = services.return_compute(tables, months=months)
    return services.return_record(
        authority=home_authority, result=result, months=months, file_names=["episodes.csv"]
    )


# Who may -------------------------------------------------------------------------------------------------


PAGES = ["", "{id}/", "{id}/problems/", "{id}/problems.csv"]
ACTIONS = ["{id}/confirm/", "{id}/discard/", "{id}/problems/delete/"]


@pytest.mark.parametrize("persona", ["officer", "approver", "administrator"])
@pytest.mark.parametrize("page", PAGES)
def test_officers_approvers_and_administrators_see_every_page(request, signed_in, recorded, persona, page):
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(RETURNS + page.format(id=recorded.pk)).status_code == 200


@pytest.mark.parametrize("persona", ["board_member", "other_council_user"])
@pytest.mark.parametrize("page", PAGES + ACTIONS)
def test_board_members_and_other_councils_get_404(request, signed_in, recorded, persona, page):
    client = signed_in(request.getfixturevalue(persona))
    method = client.post if page in ACTIONS or page == "" else client.get
    assert method(RETURNS + page.format(id=recorded.pk)).status_code == 404
    assert client.get(RETURNS + page.format(id=recorded.pk)).status_code in (404, 405)
    assert ReturnImport.objects.get().state == ReturnState.PREVIEW and recorded.problems.count() == 1


def test_another_councils_return_is_404_to_an_officer(signed_in, make_authority, make_user, recorded):
    other = make_authority(code="839")
    client = signed_in(make_user("their-officer", "officer", other))
    assert client.get(f"/scorecards/839/returns/{recorded.pk}/").status_code == 404
    assert client.get(detail_url(recorded)).status_code == 404


@pytest.mark.parametrize("page", PAGES + ACTIONS)
def test_anonymous_visitors_are_sent_to_sign_in(client, recorded, page):
    response = client.get(RETURNS + page.format(id=recorded.pk))
    if page in ACTIONS:
        assert response.status_code == 405
        response = client.post(RETURNS + page.format(id=recorded.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("page", "method"), [("", "put"), ("{id}/", "post"), ("{id}/problems.csv", "post")])
@pytest.mark.parametrize("action", ACTIONS)
def test_wrong_methods_are_refused(signed_in, officer, recorded, page, method, action):
    client = signed_in(officer)
    assert getattr(client, method)(RETURNS + page.format(id=recorded.pk)).status_code == 405
    assert client.get(RETURNS + action.format(id=recorded.pk)).status_code == 405


# Upload, preview, confirm ------------------------------------------------------------------------------------


@needs_fake
def test_an_officer_uploads_the_csv_tables_sees_the_preview_and_confirms_once(
    signed_in, officer, upload, make_indicator, make_value, home_authority
):
    cic = make_indicator(code="cic_count", unit="count", polarity="neutral", position=1)
    started = make_indicator(code="cic_started_in_month", unit="count", polarity="neutral", position=2)
    make_value(home_authority, cic, MAR, 1000)
    make_value(home_authority, started, MAR, 9)
    signed_in(officer)
    response = upload(fake_files(), first="2018-02", last="2018-03")
    return_import = ReturnImport.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(return_import)
    assert return_import.file_names == "episodes.csv, missing.csv, oc2.csv, header.csv"
    assert return_import.uploaded_by == officer and return_import.state == ReturnState.PREVIEW
    assert not MonthlyValue.objects.filter(computed_from__isnull=False).exists()

    page = signed_in(officer).get(detail_url(return_import))
    text = page.content.decode()
    assert "11 new, 1 changed, 1 unchanged; 57 data-quality problems" in text
    assert "Changed: 1,000 → 1,196" in text
    assert "14.4% (172 of 1,196)" in text
    assert "New (indicator added to the catalogue)" in text
    assert "Nothing is written until you confirm" in text

    digest = page.context["preview"].digest
    response = signed_in(officer).post(detail_url(return_import, "confirm/"), {"digest": digest}, follow=True)
    assert "Wrote the figures computed from episodes.csv" in response.content.decode()
    assert "created 11, updated 1, unchanged 1" in response.content.decode()
    written = MonthlyValue.objects.filter(
        authority=home_authority, period=MAR, indicator__code="cic_count"
    ).get()
    assert written.value == Decimal(1196) and written.computed_from == return_import
    assert written.updated_by == officer
    unchanged = MonthlyValue.objects.get(indicator=started, period=MAR)
    assert unchanged.computed_from is None  # unchanged figures keep their provenance
    assert MonthlyValue.objects.filter(computed_from=return_import).count() == 12
    routes = ChangeRecord.objects.filter(kind="value", user=officer).values_list("route", flat=True)
    assert set(routes) == {ChangeRoute.RETURN}

    again = signed_in(officer).post(detail_url(return_import, "confirm/"), {"digest": digest}, follow=True)
    assert "These figures were already written; nothing more was written." in again.content.decode()
    assert signed_in(officer).post(detail_url(return_import, "discard/"), follow=True).status_code == 200
    assert ReturnImport.objects.get().state == ReturnState.APPLIED


@needs_fake
def test_the_xml_return_can_be_uploaded_instead(signed_in, officer, upload, home_authority):
    signed_in(officer)
    response = upload(fake_files("fake_903.xml"), first="2018-03", last="2018-03")
    assert response.status_code == 302
    return_import = ReturnImport.objects.get()
    assert {
        "indicator": "cic_count",
        "period": "2018-03",
        "value": "109",
        "numerator": None,
        "denominator": None,
    } in (return_import.figures)
    assert return_import.problem_count == 3


def test_a_stale_preview_is_not_written(
    signed_in, officer, recorded, make_indicator, make_value, home_authority
):
    page = signed_in(officer).get(detail_url(recorded))
    digest = page.context["preview"].digest
    cic = make_indicator(code="cic_count", unit="count", polarity="neutral")
    make_value(home_authority, cic, MAR, 7)  # someone enters the month meanwhile
    response = signed_in(officer).post(detail_url(recorded, "confirm/"), {"digest": digest}, follow=True)
    assert PREVIEW_CHANGED in response.content.decode()
    assert MonthlyValue.objects.get().value == 7 and ReturnImport.objects.get().state == ReturnState.PREVIEW


def test_a_preview_is_confirmed_at_most_once_even_by_two_requests(recorded, officer):
    services.return_apply(return_import=recorded, user=officer)
    stale = ReturnImport.objects.get(pk=recorded.pk)
    stale.state = ReturnState.PREVIEW  # as a second request that loaded it before the first confirmed
    with pytest.raises(services.ReturnRefused, match="already written"):
        services.return_apply(return_import=stale, user=officer)
    assert MonthlyValue.objects.count() == 4  # in care, started, ceased, 3+ placements: written once


def test_a_refused_write_leaves_the_preview_to_confirm_again(recorded, officer, monkeypatch):
    def broken(*args, **kwargs):
        raise services.ReturnRefused("refused")

    monkeypatch.setattr(services, "_mark_computed", broken)
    with pytest.raises(services.ReturnRefused):
        services.return_apply(return_import=recorded, user=officer)
    assert ReturnImport.objects.get().state == ReturnState.PREVIEW and not MonthlyValue.objects.exists()


def test_discarding_writes_nothing(signed_in, officer, recorded):
    response = signed_in(officer).post(detail_url(recorded, "discard/"), follow=True)
    assert (
        "Discarded the figures computed from episodes.csv; nothing was written." in response.content.decode()
    )
    assert ReturnImport.objects.get().state == ReturnState.DISCARDED and not MonthlyValue.objects.exists()
    response = signed_in(officer).post(detail_url(recorded, "confirm/"), {"digest": "x"}, follow=True)
    assert "These figures were already discarded" in response.content.decode()


def test_an_approved_month_goes_back_to_draft_when_the_figures_are_written(
    recorded, officer, approve_month, home_authority
):
    approve_month(home_authority, MAR)
    services.return_apply(return_import=recorded, user=officer)
    month = ScorecardMonth.objects.get(authority=home_authority, period=MAR)
    assert (month.state, month.revision) == ("draft", 2)


# The indicator page ------------------------------------------------------------------------------------------


def test_the_indicator_page_says_how_a_figure_was_made(
    signed_in, officer, board_member, approve_month, home_authority, recorded
):
    services.return_apply(return_import=recorded, user=officer)
    made = timezone.localtime(ReturnImport.objects.get().uploaded_at)
    note = f"computed from the 903 return of {made.day} {made:%B %Y}"
    url = "/scorecards/838/2018-03/cic_count/"
    text = signed_in(officer).get(url).content.decode()
    assert f"March 2018: {note}." in text
    assert "1 data-quality problem</a> in" in text and detail_url(recorded, "problems/") in text
    assert note not in signed_in(board_member).get(url).content.decode()  # not approved yet

    approve_month(home_authority, MAR)
    text = signed_in(board_member).get(url).content.decode()
    assert f"March 2018: {note}." in text
    assert "data-quality" not in text and "/returns/" not in text


@needs_fake
def test_a_percentage_is_shown_with_its_numerator_and_denominator(signed_in, officer, home_authority):
    tables = read_csv_files(fake_files("episodes.csv", "oc2.csv"))
    result = services.return_compute(tables, months=[MAR])
    services.return_import_now(authority=home_authority, result=result, months=[MAR], file_names=["x"])
    text = signed_in(officer).get("/scorecards/838/2018-03/dental_check_pct/").content.decode()
    assert ": 497 of 1,048 children." in text


def test_a_figure_changed_by_hand_afterwards_is_no_longer_said_to_be_computed(
    signed_in, officer, recorded, home_authority
):
    services.return_apply(return_import=recorded, user=officer)
    value = MonthlyValue.objects.get(indicator__code="cic_count")
    value.value = 4
    value.save()
    assert (
        "computed from the 903 return"
        not in signed_in(officer).get("/scorecards/838/2018-03/cic_count/").content.decode()
    )


# Year end against DfE ----------------------------------------------------------------------------------------


@pytest.fixture
def published(home_authority, make_indicator):
    """DfE's 2017/18 figures for the authority, as the reference data holds them."""
    for code, unit, own, note in (
        ("three_plus_placements_pct", "percent", "11", "Children looked after on 31 March."),
        ("dental_check_pct", "percent", "46", ""),
        ("cic_rate_per_10k", "rate_per_10k", "63", ""),
    ):
        indicator = make_indicator(code=code, unit=unit, polarity="lower_is_better")
        PublishedMeasure.objects.create(indicator=indicator, file_name="x.csv", value_column="v", note=note)
        Benchmark.objects.create(
            authority=home_authority,
            indicator=indicator,
            year="2017/18",
            source=BenchmarkSource.DFE,
            own=Decimal(own),
        )


@needs_fake
def test_the_year_end_is_put_beside_dfes_published_figures(signed_in, officer, upload, published):
    signed_in(officer)
    upload(fake_files(), first="2018-03", last="2018-03")
    page = signed_in(officer).get(detail_url(ReturnImport.objects.get()))
    rows = {row.indicator: row for row in page.context["reconciliation"]}
    assert set(rows) == {"three_plus_placements_pct", "dental_check_pct", "cic_count"}
    three = rows["three_plus_placements_pct"]
    assert (three.computed, three.published, three.difference, three.flagged) == (
        "14.4% (172 of 1,196)",
        "11%",
        "+3.4 points",
        True,
    )
    assert three.note == "Children looked after on 31 March."
    dental = rows["dental_check_pct"]
    assert (dental.difference, dental.flagged) == ("+1.4 points", False)
    assert rows["cic_count"].difference == "–" and rows["cic_count"].note.startswith("not comparable")
    text = page.content.decode()
    assert "Check: more than 2 points apart" in text and "Within 2 points" in text


def test_without_a_31_march_there_is_nothing_to_reconcile(signed_in, officer, home_authority):
    tables = read_csv_files(hand_made("1,01/01/2018,S,C2,U1,,"))
    months = [datetime.date(2018, 1, 1)]
    result = services.return_compute(tables, months=months)
    return_import = services.return_record(
        authority=home_authority, result=result, months=months, file_names=["e"]
    )
    assert (
        "No 31 March is among the months computed"
        in signed_in(officer).get(detail_url(return_import)).content.decode()
    )


def test_a_preview_with_nothing_new_offers_nothing_to_write(signed_in, officer, recorded, home_authority):
    services.return_apply(return_import=recorded, user=officer)
    tables = read_csv_files(
        hand_made("501,01/01/2018,S,C2,U1,,", "502,01/02/2018,S,C2,U1,,", "503,15/03/2018,S,C2,U1,,")
    )
    result = services.return_compute(tables, months=[MAR])
    again = services.return_record(authority=home_authority, result=result, months=[MAR], file_names=["e"])
    text = signed_in(officer).get(detail_url(again)).content.decode()
    assert "0 new, 0 changed, 4 unchanged" in text
    assert "there is nothing to write" in text and "Confirm and write" not in text
