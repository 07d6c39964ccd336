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
    ("admin_view_on_site", [7, "12"], "/admin/r/7/12/"),
    ("scorecards:home", [], "/scorecards/"),
    ("scorecards:authority", ["838"], "/scorecards/838/"),
    ("scorecards:detail", ["838", NOV], "/scorecards/838/2020-11/"),
    ("scorecards:quarter", ["838", "2019-20-Q4"], "/scorecards/838/2019-20-Q4/"),
    (
        "scorecards:quarter_indicator",
        ["838", "2019-20-Q4", "cla_rate"],
        "/scorecards/838/2019-20-Q4/cla_rate/",
    ),
    ("scorecards:enter", ["838", NOV], "/scorecards/838/2020-11/enter/"),
    ("scorecards:submit", ["838", NOV], "/scorecards/838/2020-11/submit/"),
    ("scorecards:approve", ["838", NOV], "/scorecards/838/2020-11/approve/"),
    ("scorecards:return", ["838", NOV], "/scorecards/838/2020-11/return/"),
    ("scorecards:attention", ["838", NOV], "/scorecards/838/2020-11/attention/"),
    ("scorecards:quarter_attention", ["838", "2019-20-Q4"], "/scorecards/838/2019-20-Q4/attention/"),
    ("scorecards:upload", ["838"], "/scorecards/838/upload/"),
    ("scorecards:upload_confirm", ["838"], "/scorecards/838/upload/confirm/"),
    ("scorecards:upload_template", ["838", "values"], "/scorecards/838/upload/template/values.csv"),
    ("scorecards:upload_errors", ["838", "x" * 22], f"/scorecards/838/upload/errors/{'x' * 22}.csv"),
    ("scorecards:pack_create", ["838", NOV], "/scorecards/838/2020-11/pack/"),
    ("scorecards:quarter_pack_create", ["838", "2019-20-Q4"], "/scorecards/838/2019-20-Q4/pack/"),
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
    ("plans:list", ["823"], "/plans/823/"),
    ("plans:detail", ["823", "peer-review-2018"], "/plans/823/peer-review-2018/"),
    ("plans:questions", ["823"], "/plans/823/questions/"),
    ("plans:question_answer", ["823", 7], "/plans/823/questions/7/answer/"),
    ("plans:question_close", ["823", 7], "/plans/823/questions/7/close/"),
    ("plans:meetings", ["823"], "/plans/823/meetings/"),
    ("plans:meeting", ["823", 7], "/plans/823/meetings/7/"),
    ("plans:meeting_pack", ["823", 7], "/plans/823/meetings/7/pack/"),
    ("plans:plan_create", ["823"], "/plans/823/new/"),
    ("plans:plan_edit", ["823", "peer-review-2018"], "/plans/823/peer-review-2018/edit/"),
    ("plans:action_create", ["823", "peer-review-2018"], "/plans/823/peer-review-2018/add-action/"),
    ("plans:action_edit", ["823", "peer-review-2018", "K4.10"], "/plans/823/peer-review-2018/actions/K4.10/"),
]


@pytest.mark.parametrize(("name", "args", "path"), PINNED, ids=[p[0] for p in PINNED])
def test_it_keeps_every_url_name_at_its_path(name, args, path):
    assert reverse(name, args=args) == path
    assert resolve(path).view_name == name
