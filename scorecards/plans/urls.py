"""The ``plans:`` namespace at /plans/: an authority's plans, one plan, questions, meetings and the forms.

The pages' own names (questions, meetings, new) come before the plan pattern, and no plan may take them as
its code (``rules.RESERVED_PLAN_CODES``).
"""

from django.urls import path

from scorecards.plans import edit_views, meeting_views, question_views, views

app_name = "plans"
urlpatterns = [
    path("<str:code>/", views.plan_list, name="list"),
    path("<str:code>/questions/", question_views.question_list, name="questions"),
    path(
        "<str:code>/questions/<int:question_id>/answer/",
        question_views.question_answer,
        name="question_answer",
    ),
    path(
        "<str:code>/questions/<int:question_id>/close/", question_views.question_close, name="question_close"
    ),
    path("<str:code>/meetings/", meeting_views.meeting_list, name="meetings"),
    path("<str:code>/meetings/<int:meeting_id>/", meeting_views.meeting_detail, name="meeting"),
    path("<str:code>/meetings/<int:meeting_id>/pack/", meeting_views.meeting_pack, name="meeting_pack"),
    path("<str:code>/new/", edit_views.plan_create, name="plan_create"),
    path("<str:code>/<str:plan_code>/", views.plan_detail, name="detail"),
    path("<str:code>/<str:plan_code>/edit/", edit_views.plan_edit, name="plan_edit"),
    path("<str:code>/<str:plan_code>/add-action/", edit_views.action_create, name="action_create"),
    path("<str:code>/<str:plan_code>/actions/<str:action_code>/", edit_views.action_edit, name="action_edit"),
]
