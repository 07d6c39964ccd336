"""A reorganisation changes an authority's code: by command only, and its old addresses keep working for its users.

Board papers link to /scorecards/CODE/... and /plans/CODE/...: after ``change_authority_code OLD NEW`` each old
address answers 301 to the same address with NEW, for those who may see the authority; anyone else gets the
404 a missing authority gets.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from authorities.models import Authority, FormerCode, StatisticalNeighbour
from authorities.services import (
    CODE_FORMERLY_ANOTHERS,
    CODE_IN_USE,
    CODE_NOT_AN_AUTHORITY,
    CODE_NOT_DFE,
    CODE_UNCHANGED,
)

NOV = datetime.date(2020, 11, 1)


def change(old: str, new: str) -> str:
    out = io.StringIO()
    call_command("change_authority_code", old, new, stdout=out)
    return out.getvalue()


@pytest.fixture
def renamed(home_authority, other_authority):
    StatisticalNeighbour.objects.create(authority=other_authority, rank=1, neighbour_code="838")
    assert change("838", "940").strip() == "Dorset: code 838 is now 940; addresses with 838 redirect"
    home_authority.refresh_from_db()
    return home_authority


def test_the_command_records_the_former_code_and_renames_neighbour_lists(renamed, other_authority):
    assert renamed.code == "940"
    assert list(renamed.former_codes.values_list("code", flat=True)) == ["838"]
    assert StatisticalNeighbour.objects.get(authority=other_authority).neighbour_code == "940"


@pytest.mark.parametrize(
    "path",
    [
        "/scorecards/{code}/",
        "/scorecards/{code}/2020-11/",
        "/scorecards/{code}/2020-11/dental_check_pct/",
        "/scorecards/{code}/2020-21-Q3/",
        "/scorecards/{code}/packs/",
        "/plans/{code}/",
        "/plans/{code}/peer-2018/",
    ],
)
def test_an_old_address_moves_permanently_to_the_new_code(client, renamed, board_member, path):
    client.force_login(board_member)
    response = client.get(path.format(code="838") + "?months=12")
    assert response.status_code == 301
    assert response["Location"] == path.format(code="940") + "?months=12"


def test_the_entry_pages_move_for_officers_and_stay_missing_for_board_members(
    client, renamed, officer, board_member
):
    client.force_login(officer)
    assert client.get("/scorecards/838/2020-11/enter/")["Location"] == "/scorecards/940/2020-11/enter/"
    client.force_login(board_member)
    assert client.get("/scorecards/838/2020-11/enter/").status_code == 404


def test_an_old_address_is_missing_for_anyone_else(client, renamed, other_council_user):
    assert client.get("/scorecards/838/")["Location"].startswith("/accounts/login/")
    client.force_login(other_council_user)
    for path in ("/scorecards/838/", "/plans/838/", "/scorecards/940/"):
        assert client.get(path).status_code == 404


def test_a_form_posted_to_an_old_address_is_not_redirected(client, renamed, officer):
    client.force_login(officer)
    assert client.post("/scorecards/838/2020-11/enter/", {"version": "x"}).status_code == 404


def test_a_code_taken_by_another_authority_since_is_that_authoritys_address(
    client, renamed, board_member, make_authority
):
    make_authority(code="838", name="A new council")
    client.force_login(board_member)
    assert client.get("/scorecards/838/").status_code == 404


def test_changing_back_makes_the_code_current_again(client, renamed, board_member):
    change("940", "838")
    assert Authority.objects.get(pk=renamed.pk).code == "838"
    assert list(FormerCode.objects.values_list("code", flat=True)) == ["940"]
    client.force_login(board_member)
    assert client.get("/scorecards/940/")["Location"] == "/scorecards/838/"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("999", "940", CODE_NOT_AN_AUTHORITY.format(code="999")),
        ("838", "94", CODE_NOT_DFE.format(code="94")),
        ("838", "９４０", CODE_NOT_DFE.format(code="９４０")),
        ("838", "838", CODE_UNCHANGED),
        ("838", "839", CODE_IN_USE.format(code="839", name="Bournemouth, Christchurch and Poole")),
    ],
)
def test_the_command_refuses_what_would_break_addresses(home_authority, other_authority, old, new, message):
    with pytest.raises(CommandError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        change(old, new)
    assert not FormerCode.objects.exists()
    assert set(Authority.objects.values_list("code", flat=True)) == {"838", "839"}


def test_a_code_another_authority_had_is_refused(renamed, other_authority):
    with pytest.raises(CommandError) as error:
        change("839", "838")
    assert str(error.value) == CODE_FORMERLY_ANOTHERS.format(code="838", name="Dorset")
