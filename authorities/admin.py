"""Authorities, neighbours and memberships in the admin site."""

from django.contrib import admin

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


class StatisticalNeighbourInline(admin.TabularInline):
    model = StatisticalNeighbour
    fk_name = "authority"
    extra = 0
    fields = ["rank", "neighbour_code", "neighbour", "closeness"]
    raw_id_fields = ["neighbour"]


@admin.register(Authority)
class AuthorityAdmin(AdministratorAccess, admin.ModelAdmin):
    authority_field = "pk"
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
