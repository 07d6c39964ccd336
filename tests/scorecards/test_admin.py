"""The admin site: who gets in, what council administrators see, and that every change is audited."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from authorities.services import user_add
from scorecards.models import (
    Benchmark,
    ChangeRecord,
    MonthlyValue,
    ScorecardMonth,
    SignOffState,
    Target,
)
from tests.conftest import PASSWORD

NOV = datetime.date(2020, 11, 1)
CHANGELISTS = {
    "monthlyvalue": "?q=dental&period__gte=2020-11-01&indicator__section=Health",
    "benchmark": "?q=dental&source__exact=entered&year=2019/20",
    "target": "?q=dental&kind__exact=target",
    "indicator": "?q=dental&section=Health&unit__exact=percent",
    "scorecardmonth": "?state__exact=approved",
    "changerecord": "?q=dental&route__exact=form&kind=value",
    "boardpack": "",
}
AUTHORITY_CHANGELISTS = {"authority": "?q=Dorset&region=South+West", "membership": "?role__exact=officer"}


@pytest.fixture
def council_admin(home_authority):
    """An administrator of Dorset, made as the add_user command makes one (a staff user, not a superuser)."""
    user, _ = user_add(
        username="council-admin", password=PASSWORD, role="administrator", authority_codes=["838"]
    )
    return user


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)


@pytest.fixture
def data(home_authority, other_authority, make_indicator, make_value, approve_month):
    dental = make_indicator(code="dental_check_pct", name="Dental checks within 12 months")
    for authority, value in ((home_authority, 42), (other_authority, 77)):
        make_value(authority, dental, "2020-11", value)
        Benchmark.objects.create(authority=authority, indicator=dental, year="2019/20", england=Decimal(85))
        Target.objects.create(authority=authority, indicator=dental, kind="target", year="2020/21", value=60)
        approve_month(authority, NOV)
        ChangeRecord.objects.create(
            route="form",
            kind="value",
            authority=authority,
            indicator=dental,
            period=NOV,
            object_key=f"{authority.code} dental_check_pct 2020-11",
            field="value",
            old="",
            new=str(value),
        )
    return dental


def change_form_data(monthly_value: MonthlyValue, /, **overrides) -> dict:
    data = {
        "authority": monthly_value.authority_id,
        "indicator": monthly_value.indicator_id,
        "period": f"{monthly_value.period:%Y-%m-%d}",
        "value": "" if monthly_value.value is None else str(monthly_value.value),
        "numerator": "",
        "denominator": "",
        "status": monthly_value.status,
        "commentary": monthly_value.commentary,
    }
    data.update(overrides)
    return data


# Who gets in --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", CHANGELISTS)
@pytest.mark.parametrize("persona", ["superuser", "council_admin"])
def test_administrators_open_every_changelist_with_filters_and_search(client, request, data, persona, model):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(f"/admin/scorecards/{model}/{CHANGELISTS[model]}")
    assert response.status_code == 200, response.content[:500]


@pytest.mark.parametrize("model", AUTHORITY_CHANGELISTS)
@pytest.mark.parametrize("persona", ["superuser", "council_admin"])
def test_administrators_open_authorities_and_memberships(client, request, data, persona, model):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/admin/authorities/{model}/{AUTHORITY_CHANGELISTS[model]}").status_code == 200


@pytest.mark.parametrize("model", ["monthlyvalue", "benchmark", "target", "indicator"])
def test_administrators_open_change_forms(client, data, superuser, council_admin, home_authority, model):
    objects = {
        "monthlyvalue": MonthlyValue.objects.get(authority=home_authority),
        "benchmark": Benchmark.objects.get(authority=home_authority),
        "target": Target.objects.get(authority=home_authority),
        "indicator": data,
    }
    for user in (superuser, council_admin):
        client.force_login(user)
        assert client.get(f"/admin/scorecards/{model}/{objects[model].pk}/change/").status_code == 200


@pytest.mark.parametrize("persona", ["board_member", "officer", "approver", "other_council_user"])
def test_people_who_are_not_staff_are_sent_to_the_admin_sign_in(client, request, data, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in ("/admin/", "/admin/scorecards/monthlyvalue/", "/admin/scorecards/changerecord/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")


def test_anonymous_visitors_are_sent_to_the_admin_sign_in(client, data):
    response = client.get("/admin/scorecards/monthlyvalue/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# A council administrator sees only their councils ---------------------------------------------------------


@pytest.mark.parametrize("model", ["monthlyvalue", "benchmark", "target", "scorecardmonth", "changerecord"])
def test_a_council_administrator_sees_only_their_authorities_rows(client, data, council_admin, model):
    client.force_login(council_admin)
    response = client.get(f"/admin/scorecards/{model}/")
    assert response.context["cl"].result_count == 1
    assert {row.authority.code for row in response.context["cl"].result_list} == {"838"}
    html = response.content.decode()
    assert "Bournemouth" not in html  # not even in the authority filter


def test_a_council_administrator_cannot_open_another_councils_row(
    client, data, council_admin, other_authority
):
    client.force_login(council_admin)
    other = MonthlyValue.objects.get(authority=other_authority)
    response = client.get(f"/admin/scorecards/monthlyvalue/{other.pk}/change/")
    assert response.status_code == 302  # the admin's "does not exist" redirect, as for a missing row
    response = client.post(
        f"/admin/scorecards/monthlyvalue/{other.pk}/change/", change_form_data(other, value="1")
    )
    assert MonthlyValue.objects.get(pk=other.pk).value == Decimal(77)


def test_a_council_administrator_cannot_move_a_value_to_another_council(
    client, data, council_admin, home_authority, other_authority
):
    client.force_login(council_admin)
    response = client.post(
        "/admin/scorecards/monthlyvalue/add/",
        {
            "authority": other_authority.pk,
            "indicator": data.pk,
            "period": "2020-10-01",
            "value": "5",
            "status": "",
            "commentary": "",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not MonthlyValue.objects.filter(
        authority=other_authority, period=datetime.date(2020, 10, 1)
    ).exists()


def test_the_superuser_sees_every_council(client, data, superuser):
    client.force_login(superuser)
    assert client.get("/admin/scorecards/monthlyvalue/").context["cl"].result_count == 2


def test_only_the_superuser_changes_the_shared_catalogue(client, data, council_admin):
    client.force_login(council_admin)
    response = client.post(
        f"/admin/scorecards/indicator/{data.pk}/change/",
        {
            "code": data.code,
            "section": "Health",
            "name": "Renamed",
            "unit": "percent",
            "polarity": "higher_is_better",
            "decimals": 0,
            "position": 1,
        },
    )
    assert response.status_code == 403
    data.refresh_from_db()
    assert data.name == "Dental checks within 12 months"


# Every change is audited --------------------------------------------------------------------------------


def test_saving_a_value_in_admin_audits_it_and_sends_an_approved_month_back_to_draft(
    client, data, council_admin, home_authority
):
    value = MonthlyValue.objects.get(authority=home_authority)
    client.force_login(council_admin)
    response = client.post(
        f"/admin/scorecards/monthlyvalue/{value.pk}/change/",
        change_form_data(value, value="44", commentary="Corrected in admin"),
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.value == Decimal(44) and value.updated_by == council_admin
    records = ChangeRecord.objects.filter(route="admin", kind="value").order_by("field")
    assert [(r.field, r.old, r.new, r.username) for r in records] == [
        ("commentary", "", "Corrected in admin", "council-admin"),
        ("value", "42", "44", "council-admin"),
    ]
    assert all(r.authority == home_authority and r.period == NOV for r in records)
    month = ScorecardMonth.objects.get(authority=home_authority, period=NOV)
    assert (month.state, month.revision) == (SignOffState.DRAFT, 2)
    record = ChangeRecord.objects.get(kind="month", authority=home_authority)
    assert (record.old, record.new, record.note) == (
        "approved",
        "draft (revision 2)",
        "data changed by admin site",
    )


def test_saving_an_unchanged_value_in_admin_changes_nothing(client, data, council_admin, home_authority):
    value = MonthlyValue.objects.get(authority=home_authority)
    updated_at = value.updated_at
    client.force_login(council_admin)
    response = client.post(
        f"/admin/scorecards/monthlyvalue/{value.pk}/change/", change_form_data(value, value="42.0000")
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.updated_at == updated_at  # so the scorecard does not mark it "revised since approval"
    assert not ChangeRecord.objects.filter(route="admin").exists()
    assert ScorecardMonth.objects.get(authority=home_authority, period=NOV).state == SignOffState.APPROVED


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "suppressed"}, "status", "give a value or a status, not both"),
        ({"value": "150"}, "value", "150 is not a percentage between 0 and 100"),
        ({"value": "10", "numerator": "21", "denominator": "50"}, "value", "the value 10 differs from 42"),
        ({"numerator": "60", "denominator": "50", "value": ""}, "numerator", "the numerator 60 is larger"),
        ({"numerator": "21", "value": ""}, "denominator", "give both a numerator and a denominator"),
    ],
)
def test_admin_applies_the_upload_rules_beside_the_field(
    client, data, council_admin, home_authority, changes, field, message
):
    value = MonthlyValue.objects.get(authority=home_authority)
    client.force_login(council_admin)
    response = client.post(
        f"/admin/scorecards/monthlyvalue/{value.pk}/change/", change_form_data(value, **changes)
    )
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    assert MonthlyValue.objects.get(pk=value.pk).value == Decimal(42)
    assert not ChangeRecord.objects.filter(route="admin").exists()


def test_admin_computes_the_value_from_numerator_and_denominator(client, data, council_admin, home_authority):
    value = MonthlyValue.objects.get(authority=home_authority)
    client.force_login(council_admin)
    response = client.post(
        f"/admin/scorecards/monthlyvalue/{value.pk}/change/",
        change_form_data(value, value="", numerator="22", denominator="50"),
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert (value.value, value.numerator, value.denominator) == (Decimal(44), Decimal(22), Decimal(50))


def test_adding_and_deleting_in_admin_is_audited(client, data, council_admin, home_authority):
    client.force_login(council_admin)
    response = client.post(
        "/admin/scorecards/monthlyvalue/add/",
        {
            "authority": home_authority.pk,
            "indicator": data.pk,
            "period": "2020-12-01",
            "value": "40",
            "status": "",
            "commentary": "",
        },
    )
    assert response.status_code == 302
    created = MonthlyValue.objects.get(period=datetime.date(2020, 12, 1))
    record = ChangeRecord.objects.get(route="admin", kind="value", field="value")
    assert (record.old, record.new, record.note) == ("", "40", "created")
    response = client.post(f"/admin/scorecards/monthlyvalue/{created.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not MonthlyValue.objects.filter(pk=created.pk).exists()
    record = ChangeRecord.objects.filter(route="admin", field="value").order_by("-pk").first()
    assert (record.old, record.new, record.note) == ("40", "", "deleted")


def test_benchmarks_and_targets_changed_in_admin_are_audited(client, data, council_admin, home_authority):
    client.force_login(council_admin)
    target = Target.objects.get(authority=home_authority)
    response = client.post(
        f"/admin/scorecards/target/{target.pk}/change/",
        {
            "authority": home_authority.pk,
            "indicator": data.pk,
            "kind": "target",
            "year": "2020/21",
            "value": "65",
            "note": "",
        },
    )
    assert response.status_code == 302
    record = ChangeRecord.objects.get(kind="target")
    assert (record.route, record.field, record.old, record.new) == ("admin", "value", "60", "65")
    assert record.object_key == "838 dental_check_pct target 2020/21"


def test_indicator_changes_by_the_superuser_are_audited(client, data, superuser):
    client.force_login(superuser)
    response = client.post(
        f"/admin/scorecards/indicator/{data.pk}/change/",
        {
            "code": data.code,
            "section": "Health",
            "name": "Dental checks",
            "unit": "percent",
            "polarity": "higher_is_better",
            "decimals": 1,
            "source": "",
            "definition": "",
            "amber_tolerance": "",
            "position": data.position,
            "quarter_rule": "end",
            "benchmarks-TOTAL_FORMS": 0,
            "benchmarks-INITIAL_FORMS": 0,
            "targets-TOTAL_FORMS": 0,
            "targets-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    fields = set(ChangeRecord.objects.filter(kind="indicator").values_list("field", "old", "new", "route"))
    assert fields == {
        ("name", "Dental checks within 12 months", "Dental checks", "admin"),
        ("decimals", "0", "1", "admin"),
    }


# The audit trail is read only ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["superuser", "council_admin"])
def test_the_audit_trail_cannot_be_added_changed_or_deleted(client, request, data, persona):
    client.force_login(request.getfixturevalue(persona))
    record = ChangeRecord.objects.filter(authority__code="838").first()
    assert client.get("/admin/scorecards/changerecord/add/").status_code == 403
    page = client.get(f"/admin/scorecards/changerecord/{record.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # shown read only
    response = client.post(f"/admin/scorecards/changerecord/{record.pk}/change/", {"new": "tampered"})
    assert response.status_code == 403
    assert (
        client.post(f"/admin/scorecards/changerecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    response = client.post(
        "/admin/scorecards/changerecord/", {"action": "delete_selected", "_selected_action": [record.pk]}
    )
    record.refresh_from_db()
    assert record.new == "42"
    assert ChangeRecord.objects.filter(pk=record.pk).exists()


# Keys are fixed once saved, for everyone; "view on site" stays within the administrator's councils ----------


def test_the_superuser_cannot_change_an_indicators_code_or_a_values_key(
    client, data, superuser, home_authority
):
    client.force_login(superuser)
    page = client.get(f"/admin/scorecards/indicator/{data.pk}/change/").content.decode()
    assert 'name="code"' not in page  # shown, not editable
    response = client.post(
        f"/admin/scorecards/indicator/{data.pk}/change/",
        {
            "code": "renamed_code",
            "section": "Health",
            "name": data.name,
            "unit": "percent",
            "polarity": "higher_is_better",
            "decimals": 0,
            "position": data.position,
            "quarter_rule": "end",
            "benchmarks-TOTAL_FORMS": 0,
            "benchmarks-INITIAL_FORMS": 0,
            "targets-TOTAL_FORMS": 0,
            "targets-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    data.refresh_from_db()
    assert data.code == "dental_check_pct"
    value = MonthlyValue.objects.get(authority=home_authority)
    response = client.post(
        f"/admin/scorecards/monthlyvalue/{value.pk}/change/",
        change_form_data(value, period="2020-10-01", value="43"),
    )
    value.refresh_from_db()
    assert (value.period, value.value) == (NOV, Decimal(43))


@pytest.mark.parametrize("persona", ["superuser", "council_admin"])
def test_nobody_changes_an_authoritys_code_in_the_admin(client, request, data, home_authority, persona):
    client.force_login(request.getfixturevalue(persona))
    url = f"/admin/authorities/authority/{home_authority.pk}/change/"
    assert 'name="code"' not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "code": "999",
            "name": "Dorset Council",
            "gss_code": home_authority.gss_code,
            "region": home_authority.region,
            "is_current": "on",
            "statistical_neighbours-TOTAL_FORMS": 0,
            "statistical_neighbours-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    home_authority.refresh_from_db()
    assert (home_authority.code, home_authority.name) == ("838", "Dorset Council")


def test_an_inline_rows_key_is_fixed_but_its_figures_change(client, data, superuser, home_authority):
    client.force_login(superuser)
    targets = list(Target.objects.filter(indicator=data).order_by("pk"))
    form = {
        "code": data.code,
        "section": "Health",
        "name": data.name,
        "unit": "percent",
        "polarity": "higher_is_better",
        "decimals": 0,
        "position": data.position,
        "quarter_rule": "end",
        "benchmarks-TOTAL_FORMS": 0,
        "benchmarks-INITIAL_FORMS": 0,
        "targets-TOTAL_FORMS": len(targets),
        "targets-INITIAL_FORMS": len(targets),
    }
    for index, target in enumerate(targets):
        form.update(
            {
                f"targets-{index}-id": target.pk,
                f"targets-{index}-indicator": data.pk,
                f"targets-{index}-authority": target.authority_id,
                f"targets-{index}-kind": "baseline",
                f"targets-{index}-year": "2030/31",
                f"targets-{index}-value": "61",
                f"targets-{index}-note": "",
            }
        )
    response = client.post(f"/admin/scorecards/indicator/{data.pk}/change/", form)
    assert response.status_code == 302, response.context["inline_admin_formsets"][1].formset.errors
    assert set(Target.objects.values_list("kind", "year", "value")) == {("target", "2020/21", Decimal(61))}


def view_on_site(obj) -> str:
    from django.contrib.contenttypes.models import ContentType

    return f"/admin/r/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"


def test_view_on_site_takes_a_council_administrator_only_to_their_councils_pages(
    client, data, council_admin, superuser, home_authority, other_authority
):
    from scorecards.models import Plan

    own = MonthlyValue.objects.get(authority=home_authority)
    other = MonthlyValue.objects.get(authority=other_authority)
    plan = Plan.objects.create(
        authority=other_authority, code="peer-2018", title="Peer review", source="other"
    )
    month = ScorecardMonth.objects.get(authority=other_authority)
    client.force_login(council_admin)
    response = client.get(view_on_site(own))
    assert response.status_code == 302
    assert response["Location"].endswith("/scorecards/838/2020-11/dental_check_pct/")
    for obj in (other, plan, month, other_authority, data):  # another council's, or shared
        assert client.get(view_on_site(obj)).status_code == 404, obj
    for url in (
        "/admin/r/99999/1/",
        f"{view_on_site(own)[:-1]}x/",
        view_on_site(own).replace(str(own.pk), "999999"),
    ):
        assert client.get(url).status_code == 404
    client.force_login(superuser)
    assert client.get(view_on_site(other)).status_code == 302


def test_view_on_site_is_for_staff_only(client, data, officer, home_authority):
    own = MonthlyValue.objects.get(authority=home_authority)
    client.force_login(officer)
    response = client.get(view_on_site(own))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
