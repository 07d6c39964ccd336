"""Every URL name pinned to its path: board papers and e-mails link to these, so a move must not change them."""

import datetime

import pytest
from django.urls import resolve, reverse

NOV = datetime.date(2020, 11, 1)

PINNED = [
    ("home", [], "/"),
    ("login", [], "/accounts/login/"),
    ("logout", [], "/accounts/logout/"),
    ("health", [], "/health/"),
    ("scorecards:home", [], "/scorecards/"),
    ("scorecards:authority", ["838"], "/scorecards/838/"),
    ("scorecards:detail", ["838", NOV], "/scorecards/838/2020-11/"),
    ("scorecards:enter", ["838", NOV], "/scorecards/838/2020-11/enter/"),
    ("scorecards:submit", ["838", NOV], "/scorecards/838/2020-11/submit/"),
    ("scorecards:approve", ["838", NOV], "/scorecards/838/2020-11/approve/"),
    ("scorecards:return", ["838", NOV], "/scorecards/838/2020-11/return/"),
    ("scorecards:upload", ["838"], "/scorecards/838/upload/"),
    ("scorecards:upload_confirm", ["838"], "/scorecards/838/upload/confirm/"),
    ("scorecards:upload_template", ["838", "values"], "/scorecards/838/upload/template/values.csv"),
    ("scorecards:pack_create", ["838", NOV], "/scorecards/838/2020-11/pack/"),
    ("scorecards:return", ["838", NOV], "/scorecards/838/2020-11/return/"),
    ("scorecards:returns", ["838"], "/scorecards/838/returns/"),
    ("scorecards:return_import", ["838", 7], "/scorecards/838/returns/7/"),
    ("scorecards:return_confirm", ["838", 7], "/scorecards/838/returns/7/confirm/"),
    ("scorecards:return_discard", ["838", 7], "/scorecards/838/returns/7/discard/"),
    ("scorecards:return_problems", ["838", 7], "/scorecards/838/returns/7/problems/"),
    ("scorecards:return_problems_csv", ["838", 7], "/scorecards/838/returns/7/problems.csv"),
    ("scorecards:return_problems_delete", ["838", 7], "/scorecards/838/returns/7/problems/delete/"),
    ("scorecards:indicator", ["838", NOV, "dental_check_pct"], "/scorecards/838/2020-11/dental_check_pct/"),
    ("scorecards:packs", ["838"], "/scorecards/838/packs/"),
    ("scorecards:pack", ["838", 7], "/scorecards/838/packs/7/"),
    ("scorecards:pack_status", ["838", 7], "/scorecards/838/packs/7/status/"),
    ("scorecards:pack_download", ["838", 7], "/scorecards/838/packs/7/download/"),
    ("scorecards:compare", ["838", NOV, "cla_rate"], "/scorecards/838/2020-11/cla_rate/compare/"),
    ("scorecards:league", ["838", NOV, "cla_rate"], "/scorecards/838/2020-11/cla_rate/league/"),
]


@pytest.mark.parametrize(("name", "args", "path"), PINNED, ids=[p[0] for p in PINNED])
def test_it_keeps_every_url_name_at_its_path(name, args, path):
    assert reverse(name, args=args) == path
    assert resolve(path).view_name == name
