from django.urls import path, register_converter

from . import views
from .converters import PeriodConverter

register_converter(PeriodConverter, "period")

app_name = "scorecards"
urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.authority_latest, name="authority"),
    path("<str:code>/<period:period>/", views.scorecard_detail, name="detail"),
    path("<str:code>/<period:period>/<slug:indicator_code>/", views.indicator_detail, name="indicator"),
]
