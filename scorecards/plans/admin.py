"""Plans, actions, questions and meetings in the admin: read there, changed on their own pages.

Every change to them goes through ``scorecards.plans.services``, which keeps an action's history and writes the
audit trail; an admin form would do neither, so these are read-only here (for superusers too) and each plan and
action links to the page where officers edit it. Imported by ``scorecards/admin.py``.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from authorities.admin import AdministratorAccess
from scorecards.models import Action, ActionUpdate, Meeting, Plan, Question

OWN_AUTHORITIES = ("authority", admin.RelatedOnlyFieldListFilter)
EDIT_LINK = '<a href="{}">{}</a>'


class ReadOnlyAdmin:
    """Viewed in the admin, never added, changed or deleted there: the change belongs to an audited service."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdmin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return True  # the page that holds the inline has decided who may see it

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ActionInline(ReadOnlyInline):
    model = Action
    fields = ["code", "priority", "title", "owner", "due"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan")


class ActionUpdateInline(ReadOnlyInline):
    """The action's history, oldest first, as the plan's page shows it at any date."""

    model = ActionUpdate
    fields = ["as_of", "status", "progress", "recorded_at", "recorded_by"]
    verbose_name_plural = "History (updates)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action__plan", "recorded_by")


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin, AdministratorAccess, admin.ModelAdmin):
    list_display = ["authority", "code", "title", "source", "source_date", "owner", "edit_link"]
    list_filter = ["source", OWN_AUTHORITIES]
    search_fields = ["code", "title", "owner", "authority__name"]
    list_select_related = ["authority"]
    fields = ["authority", "code", "title", "source", "source_date", "owner", "edit_link"]
    readonly_fields = ["edit_link"]
    inlines = [ActionInline]

    @admin.display(description="Edit")
    def edit_link(self, obj: Plan) -> str:
        url = reverse("plans:plan_edit", args=[obj.authority.code, obj.code])
        return format_html(EDIT_LINK, url, "Edit on the plan's page (audited)")


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin, AdministratorAccess, admin.ModelAdmin):
    authority_field = "plan__authority"
    list_display = ["plan", "code", "priority", "owner", "due", "edit_link"]
    list_filter = [
        ("plan__authority", admin.RelatedOnlyFieldListFilter),
        ("plan", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "title", "priority", "owner", "plan__code"]
    list_select_related = ["plan__authority"]
    fields = ["plan", "code", "priority", "title", "owner", "due", "indicators", "edit_link"]
    readonly_fields = ["edit_link"]
    inlines = [ActionUpdateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan__authority")

    @admin.display(description="Edit")
    def edit_link(self, obj: Action) -> str:
        url = reverse("plans:action_edit", args=[obj.plan.authority.code, obj.plan.code, obj.code])
        return format_html(EDIT_LINK, url, "Edit on the action's page (audited)")


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin, AdministratorAccess, admin.ModelAdmin):
    """The board's challenge log: asked, answered and closed on the questions page."""

    list_display = ["authority", "asked_at", "asked_by_name", "state", "indicator", "action", "period"]
    list_filter = ["state", OWN_AUTHORITIES]
    search_fields = ["text", "answer", "asked_by_name", "answered_by_name"]
    date_hierarchy = "asked_at"
    list_select_related = ["authority", "indicator", "action__plan"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin, AdministratorAccess, admin.ModelAdmin):
    list_display = ["authority", "date", "title", "period", "created_by"]
    list_filter = [OWN_AUTHORITIES]
    search_fields = ["title"]
    date_hierarchy = "date"
    list_select_related = ["authority", "created_by"]
