"""Authorities, neighbours and memberships in the admin; what every admin page shares: access and keys."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse

from authorities.models import Authority, Membership, Role, StatisticalNeighbour


def administered_authority_ids(user) -> list[int]:
    """Authorities in which the user is an administrator (superusers: all)."""
    if user.is_superuser:
        return list(Authority.objects.values_list("pk", flat=True))
    return list(
        Membership.objects.filter(user=user, role=Role.ADMINISTRATOR, user__is_active=True).values_list(
            "authority_id", flat=True
        )
    )


class AdministratorAccess:
    """Admin access for council administrators: their own authorities only; superusers see all."""

    authority_field = "authority"

    def _allowed(self, request) -> bool:
        return request.user.is_active and (
            request.user.is_superuser or bool(administered_authority_ids(request.user))
        )

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or not self.authority_field:
            return queryset
        return queryset.filter(**{f"{self.authority_field}__in": administered_authority_ids(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "authority" and not request.user.is_superuser:
            kwargs["queryset"] = Authority.objects.filter(pk__in=administered_authority_ids(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class KeyFieldsReadOnly:
    """Fields that name an object (its natural key) are read-only once it exists, for everyone, superusers too.

    Addresses, files and other councils' tools name objects by these keys; a change would silently move figures
    or break links. A real change of an authority's code is ``manage.py change_authority_code``, which keeps the
    old addresses redirecting.
    """

    key_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return readonly
        return readonly + [name for name in self.key_fields if name not in readonly]


class KeyFieldsFixedInline:
    """For inlines: the key fields of rows that exist are disabled (posted values ignored); new rows set them."""

    key_fields: tuple[str, ...] = ()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        key_fields = self.key_fields

        class KeyFieldsFixedForm(formset.form):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                if self.instance.pk is not None:
                    for name in key_fields:
                        if name in self.fields:
                            self.fields[name].disabled = True

        formset.form = KeyFieldsFixedForm
        return formset


def object_authority_id(obj) -> int | None:
    """The authority an object belongs to (itself, its own, or its plan's), or None for shared objects."""
    if isinstance(obj, Authority):
        return obj.pk
    if getattr(obj, "authority_id", None) is not None:
        return obj.authority_id
    plan = getattr(obj, "plan", None)
    return getattr(plan, "authority_id", None)


def view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's "view on site" redirect, answering 404 for objects outside the user's authorities.

    Django's own (``contenttypes.views.shortcut``) redirects any staff user to any object's page, so a council
    administrator could learn another council's addresses by trying ids. Shared objects (no authority) are
    for superusers only.
    """
    if not request.user.is_superuser:
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type is not None else None
        try:
            obj = model._default_manager.filter(pk=object_id).first() if model is not None else None
        except (ValueError, ValidationError):  # an id of the wrong form for the model's key
            obj = None
        authority_id = object_authority_id(obj) if obj is not None else None
        if authority_id is None or authority_id not in administered_authority_ids(request.user):
            raise Http404("No such object.")
    return shortcut(request, content_type_id, object_id)


class StatisticalNeighbourInline(admin.TabularInline):
    model = StatisticalNeighbour
    fk_name = "authority"
    extra = 0
    fields = ["rank", "neighbour_code", "neighbour", "closeness"]
    raw_id_fields = ["neighbour"]


@admin.register(Authority)
class AuthorityAdmin(AdministratorAccess, KeyFieldsReadOnly, admin.ModelAdmin):
    authority_field = "pk"
    key_fields = ("code",)
    list_display = ["code", "name", "gss_code", "region", "is_current"]
    list_filter = ["region", "is_current"]
    search_fields = ["code", "name", "gss_code"]
    inlines = [StatisticalNeighbourInline]
    filter_horizontal = ["successors"]

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["user", "authority", "role"]
    list_filter = ["role", ("authority", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name", "authority__name"]
    raw_id_fields = ["user"]
