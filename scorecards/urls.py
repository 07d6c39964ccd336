from django.urls import path, register_converter

from scorecards.benchmarks import views as comparison_views
from scorecards.converters import PeriodConverter, QuarterConverter
from scorecards.core import views
from scorecards.entry import signoff_views
from scorecards.entry import views as entry_views
from scorecards.packs import views as pack_views
from scorecards.returns import views as return_views

register_converter(PeriodConverter, "period")
register_converter(QuarterConverter, "quarter")

app_name = "scorecards"
urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.authority_latest, name="authority"),
    path("<str:code>/<period:period>/", views.scorecard_detail, name="detail"),
    path("<str:code>/<quarter:period>/", views.scorecard_detail, name="quarter"),
    # Actions on a month come before the indicator pattern, whose slug would otherwise match their names.
    path("<str:code>/<period:period>/enter/", entry_views.month_entry, name="enter"),
    path("<str:code>/<period:period>/submit/", signoff_views.submit, name="submit"),
    path("<str:code>/<period:period>/approve/", signoff_views.approve, name="approve"),
    path("<str:code>/<period:period>/return/", signoff_views.return_month, name="return"),
    path("<str:code>/<period:period>/attention/", views.attention_report, name="attention"),
    path("<str:code>/<quarter:period>/attention/", views.attention_report, name="quarter_attention"),
    path("<str:code>/upload/", entry_views.upload, name="upload"),
    path("<str:code>/upload/confirm/", entry_views.upload_confirm, name="upload_confirm"),
    path("<str:code>/upload/template/<slug:kind>.csv", entry_views.upload_template, name="upload_template"),
    path("<str:code>/upload/errors/<str:token>.csv", entry_views.upload_errors, name="upload_errors"),
    path("<str:code>/<period:period>/pack/", pack_views.board_pack_create, name="pack_create"),
    path("<str:code>/<quarter:period>/pack/", pack_views.board_pack_create, name="quarter_pack_create"),
    path("<str:code>/returns/", return_views.returns, name="returns"),
    path("<str:code>/returns/<int:return_id>/", return_views.return_detail, name="return_import"),
    path("<str:code>/returns/<int:return_id>/confirm/", return_views.return_confirm, name="return_confirm"),
    path("<str:code>/returns/<int:return_id>/discard/", return_views.return_discard, name="return_discard"),
    path(
        "<str:code>/returns/<int:return_id>/problems/", return_views.return_problems, name="return_problems"
    ),
    path(
        "<str:code>/returns/<int:return_id>/problems.csv",
        return_views.return_problems_csv,
        name="return_problems_csv",
    ),
    path(
        "<str:code>/returns/<int:return_id>/problems/delete/",
        return_views.return_problems_delete,
        name="return_problems_delete",
    ),
    path("<str:code>/<period:period>/<slug:indicator_code>/", views.indicator_detail, name="indicator"),
    path(
        "<str:code>/<quarter:period>/<slug:indicator_code>/", views.indicator_detail, name="quarter_indicator"
    ),
    path("<str:code>/packs/", pack_views.board_pack_list, name="packs"),
    path("<str:code>/packs/<int:pack_id>/", pack_views.board_pack_detail, name="pack"),
    path("<str:code>/packs/<int:pack_id>/status/", pack_views.board_pack_status, name="pack_status"),
    path("<str:code>/packs/<int:pack_id>/download/", pack_views.board_pack_download, name="pack_download"),
    path(
        "<str:code>/<period:period>/<slug:indicator_code>/compare/", comparison_views.compare, name="compare"
    ),
    path("<str:code>/<period:period>/<slug:indicator_code>/league/", comparison_views.league, name="league"),
]
