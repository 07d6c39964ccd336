from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from authorities.admin import view_on_site
from scorecards.core import views as scorecard_views

urlpatterns = [
    path("", scorecard_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", scorecard_views.health, name="health"),
    path("scorecards/", include("scorecards.urls")),
    path("plans/", include("scorecards.plans.urls")),
    # Before the admin's own: its "view on site" redirect, scoped to the administrator's authorities.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="admin_view_on_site",
    ),
    path("admin/", admin.site.urls),
]
