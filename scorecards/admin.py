"""The admin site, arranged for officers: the catalogue, monthly values, benchmarks, targets, sign-off, audit,
uploads awaiting confirmation; plans, actions, questions and meetings (read only) from ``scorecards.plans.admin``.

Every change made here is written to the audit trail with the route "admin", and a change to a month's data
sends an approved month back to draft, exactly as the forms and uploads do.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction

from authorities.admin import (
    AdministratorAccess,
    KeyFieldsFixedInline,
    KeyFieldsReadOnly,
    administered_authority_ids,
)
from scorecards.audit import Change, changes_record
from scorecards.benchmarks import admin as benchmarks_admin  # noqa: F401 - registers the published-measure mapping
from scorecards.entry.signoff import months_changed
from scorecards.imports import Action, Table, TableRow, plan_table
from scorecards.models import (
    Benchmark,
    BoardPack,
    ChangeRecord,
    ChangeRoute,
    Indicator,
    MonthlyValue,
    PendingUpload,
    ScorecardMonth,
    Target,
)
from scorecards.plans.admin import ReadOnlyAdmin  # and registers plans, actions, questions and meetings

AUDITED_FIELDS = {
    MonthlyValue: ["value", "numerator", "denominator", "status", "commentary"],
    Benchmark: ["england", "region", "sn_average", "sn_min", "sn_max", "sn_count", "own", "note"],
    Target: ["value", "note"],
    Indicator: [
        "section",
        "name",
        "unit",
        "polarity",
        "decimals",
        "source",
        "definition",
        "amber_tolerance",
        "position",
    ],
}
KINDS = {MonthlyValue: "value", Benchmark: "benchmark", Target: "target", Indicator: "indicator"}
#: The authority filter offers only the authorities among the rows the user may see, not every council.
OWN_AUTHORITIES = ("authority", admin.RelatedOnlyFieldListFilter)


def object_key(obj) -> str:
    if isinstance(obj, MonthlyValue):
        return f"{obj.authority.code} {obj.indicator.code} {obj.period:%Y-%m}"
    if isinstance(obj, Benchmark):
        return f"{obj.authority.code} {obj.indicator.code} {obj.year} {obj.source}"
    if isinstance(obj, Target):
        return f"{obj.authority.code} {obj.indicator.code} {obj.kind} {obj.year}"
    return obj.code


def audit_save(obj, *, user, created: bool, deleted: bool = False) -> None:
    """Record the fields of ``obj`` that differ from what the database holds (call before saving)."""
    model = type(obj)
    fields = AUDITED_FIELDS[model]
    before = None if created else model.objects.filter(pk=obj.pk).values(*fields).first()
    changes = []
    for name in fields:
        old = before[name] if before else None
        new = None if deleted else getattr(obj, name)
        if created and new in (None, ""):
            continue
        changes.append(
            Change(
                kind=KINDS[model],
                object_key=object_key(obj),
                field=name,
                old=old,
                new=new,
                authority_id=getattr(obj, "authority_id", None),
                indicator_id=obj.pk if model is Indicator else obj.indicator_id,
                period=getattr(obj, "period", None),
                note="deleted" if deleted else ("created" if created else ""),
            )
        )
    changes_record(changes, user=user, route=ChangeRoute.ADMIN)
    if model is MonthlyValue:
        months_changed(
            authority_id=obj.authority_id, periods=[obj.period], user=user, route=ChangeRoute.ADMIN
        )


class AuditedAdmin(KeyFieldsReadOnly, admin.ModelAdmin):
    """Saves and deletes through the audit trail.

    Its ``key_fields`` (the natural key) are fixed once the object exists, for superusers too, so that a change
    is always a change of its figures, audited and signed off for the month it belongs to, never a silent move.
    """

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # saving again would touch updated_at, marking an approved figure "revised"
        audit_save(obj, user=request.user, created=not change)
        super().save_model(request, obj, form, change)

    @transaction.atomic
    def delete_model(self, request, obj):
        audit_save(obj, user=request.user, created=False, deleted=True)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_save(obj, user=request.user, created=False, deleted=True)
        super().delete_queryset(request, queryset)

    @transaction.atomic
    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            obj = inline_form.instance
            if inline_form in formset.deleted_forms and obj.pk:
                audit_save(obj, user=request.user, created=False, deleted=True)
            elif inline_form.has_changed() and inline_form not in formset.deleted_forms:
                audit_save(obj, user=request.user, created=obj.pk is None)
        super().save_formset(request, form, formset, change)


class EnteredBenchmarkInline(KeyFieldsFixedInline, admin.TabularInline):
    """Benchmarks the council entered; those computed from DfE releases are read in the benchmark list."""

    model = Benchmark
    key_fields = ("authority", "year")
    extra = 0
    fields = ["authority", "year", "england", "region", "sn_average", "sn_min", "sn_max", "own", "note"]
    show_change_link = True

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(source="entered").select_related("authority")
        return queryset.filter(authority_id__in=administered_authority_ids(request.user))


class TargetInline(KeyFieldsFixedInline, admin.TabularInline):
    model = Target
    key_fields = ("authority", "kind", "year")
    extra = 0
    fields = ["authority", "kind", "year", "value", "note"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("authority")
        return queryset.filter(authority_id__in=administered_authority_ids(request.user))


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    key_fields = ("code",)
    list_display = ["code", "section", "name", "unit", "polarity", "decimals", "amber_tolerance", "position"]
    list_filter = ["section", "unit", "polarity", "source"]
    search_fields = ["code", "name", "definition"]
    ordering = ["position", "code"]
    inlines = [EnteredBenchmarkInline, TargetInline]

    def has_change_permission(self, request, obj=None):
        # The catalogue is shared by every council: only superusers change it.
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff


class MonthlyValueForm(forms.ModelForm):
    """Checks a figure by the rules of the values upload, so the admin accepts exactly what an upload would."""

    FIGURES = ("value", "numerator", "denominator")

    class Meta:
        model = MonthlyValue
        fields = [
            "authority",
            "indicator",
            "period",
            "value",
            "numerator",
            "denominator",
            "status",
            "commentary",
        ]

    def clean(self):
        cleaned = super().clean()
        authority = cleaned.get("authority") or getattr(self.instance, "authority", None)
        indicator = cleaned.get("indicator") or getattr(self.instance, "indicator", None)
        period = cleaned.get("period") or self.instance.period
        if (
            authority is None
            or indicator is None
            or period is None
            or any(name in self.errors for name in (*self.FIGURES, "status"))
        ):
            return cleaned
        cells = {"authority": authority.code, "indicator": indicator.code, "period": f"{period:%Y-%m}"}
        for name in self.FIGURES:
            number = cleaned.get(name)
            cells[name] = "" if number is None else format(number, "f")
        cells["status"] = cleaned.get("status") or ""
        plan = plan_table(
            "values",
            Table(header=list(cells), labels={name: name for name in cells}, rows=[TableRow(2, cells)]),
        )
        for error in plan.errors:
            self.add_error(error.column if error.column in self.fields else None, error.message)
        planned = plan.rows[0] if plan.rows else None
        if not plan.errors and planned is not None and cleaned.get("value") is None:
            # From numerator and denominator, as an upload computes it (unchanged: as already stored).
            computed = (
                planned.fields.get("value") if planned.action != Action.UNCHANGED else self.instance.value
            )
            cleaned["value"] = computed
        return cleaned


@admin.register(MonthlyValue)
class MonthlyValueAdmin(AdministratorAccess, AuditedAdmin):
    form = MonthlyValueForm
    key_fields = ("authority", "indicator", "period")
    list_display = ["authority", "indicator", "period", "value", "status", "updated_at", "updated_by"]
    list_filter = [OWN_AUTHORITIES, "indicator__section", "period", "status"]
    search_fields = ["indicator__code", "indicator__name", "authority__name", "commentary"]
    date_hierarchy = "period"
    list_select_related = ["authority", "indicator", "updated_by"]
    raw_id_fields = ["indicator"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Benchmark)
class BenchmarkAdmin(AdministratorAccess, AuditedAdmin):
    key_fields = ("authority", "indicator", "year", "source")
    list_display = [
        "authority",
        "indicator",
        "year",
        "source",
        "england",
        "sn_average",
        "sn_min",
        "sn_max",
        "own",
    ]
    list_filter = ["source", "year", OWN_AUTHORITIES, "indicator__section"]
    search_fields = ["indicator__code", "indicator__name", "authority__name"]
    list_select_related = ["authority", "indicator"]
    raw_id_fields = ["indicator"]


@admin.register(Target)
class TargetAdmin(AdministratorAccess, AuditedAdmin):
    key_fields = ("authority", "indicator", "kind", "year")
    list_display = ["authority", "indicator", "kind", "year", "value", "note"]
    list_filter = ["kind", "year", OWN_AUTHORITIES, "indicator__section"]
    search_fields = ["indicator__code", "indicator__name", "authority__name"]
    list_select_related = ["authority", "indicator"]
    raw_id_fields = ["indicator"]


@admin.register(ScorecardMonth)
class ScorecardMonthAdmin(AdministratorAccess, admin.ModelAdmin):
    """Sign-off happens on the scorecard page, where the rules are enforced; here it is read."""

    list_display = ["authority", "period", "state", "revision", "submitted_at", "approved_at", "approved_by"]
    list_filter = ["state", OWN_AUTHORITIES]
    date_hierarchy = "period"
    readonly_fields = [
        "authority",
        "period",
        "state",
        "revision",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_by",
    ]
    fields = readonly_fields + ["summary"]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin, AdministratorAccess, admin.ModelAdmin):
    """The audit trail: read only, for everyone."""

    list_display = ["at", "username", "route", "kind", "object_key", "field", "old", "new", "note"]
    list_filter = ["route", "kind", OWN_AUTHORITIES, "indicator__section"]
    search_fields = ["object_key", "username", "old", "new", "note"]
    date_hierarchy = "at"
    list_select_related = ["authority", "indicator"]


@admin.register(BoardPack)
class BoardPackAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = [
        "authority",
        "period",
        "state",
        "approval_state",
        "requested_by",
        "requested_at",
        "page_count",
    ]
    list_filter = ["state", "approval_state", "authority"]
    readonly_fields = [field.name for field in BoardPack._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PendingUpload)
class PendingUploadAdmin(ReadOnlyAdmin, AdministratorAccess, admin.ModelAdmin):
    """Previewed uploads: confirmed or discarded on the upload page, which applies them once."""

    list_display = ["authority", "kind", "filename", "user", "state", "created_at", "finished_at"]
    list_filter = ["state", "kind", OWN_AUTHORITIES]
    search_fields = ["filename", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["authority", "user"]
    exclude = ["token"]
