"""Who may see or change which authority. Every view asks here; nothing else decides.

A user who may not see an authority gets exactly the answer a missing authority gets (404), so addresses
do not reveal which councils use the service.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from authorities.models import Authority, Membership, Role

READ_ROLES = frozenset(Role)
ENTER_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR})
APPROVE_ROLES = frozenset({Role.APPROVER, Role.ADMINISTRATOR})
#: Roles that see months not yet approved (drafts are marked as drafts).
DRAFT_ROLES = ENTER_ROLES


def authorities_for(user) -> QuerySet[Authority]:
    """The authorities a user belongs to, in name order; none for an inactive account."""
    if not user.is_authenticated or not user.is_active:
        return Authority.objects.none()
    return Authority.objects.filter(memberships__user=user).order_by("name")


def role_in(user, authority: Authority) -> Role | None:
    if not user.is_authenticated or not user.is_active:
        return None
    role = Membership.objects.filter(user=user, authority=authority).values_list("role", flat=True).first()
    return Role(role) if role else None


def authority_for_user(user, code: str, *, roles: frozenset[Role] = READ_ROLES) -> tuple[Authority, Role]:
    """The authority with this DfE code and the user's role in it, or 404 if it is not theirs to see."""
    membership = (
        Membership.objects.select_related("authority")
        .filter(user=user, authority__code=code, user__is_active=True)
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None or membership.role not in roles:
        raise Http404("No such authority.")
    return membership.authority, Role(membership.role)
