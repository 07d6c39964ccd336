"""Who may see or change which authority. Every view asks here; nothing else decides.

A user who may not see an authority gets exactly the answer a missing authority gets (404), so addresses
do not reveal which councils use the service. An address with a code the authority had before a reorganisation
(``manage.py change_authority_code``) moves permanently to the same address with its code now, for those who
may see it; for anyone else it is a 404 like any other.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import NoReverseMatch, reverse

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
        moved_to = _moved_to(user, code, roles)
        if moved_to is not None:
            raise AuthorityMoved(code=moved_to)
        raise Http404("No such authority.")
    return membership.authority, Role(membership.role)


class AuthorityMoved(Http404):
    """The code is a former code of an authority the user may see; ``FormerCodeRedirect`` answers 301.

    A 404 to anything else that catches it, so that no other path can show a page at the old address.
    """

    def __init__(self, *, code: str) -> None:
        super().__init__("No such authority.")
        self.code = code


def _moved_to(user, code: str, roles: frozenset[Role]) -> str | None:
    """The code now of the authority that had this one, if the user holds one of ``roles`` there; else None.

    Asked only on the way to a 404. A code taken since by another authority is that authority's address.
    """
    if not user.is_authenticated or not user.is_active or Authority.objects.filter(code=code).exists():
        return None
    membership = (
        Membership.objects.select_related("authority")
        .filter(user=user, authority__former_codes__code=code)
        .first()
    )
    if membership is None or membership.role not in roles:
        return None
    return membership.authority.code


class FormerCodeRedirect:
    """Middleware: a page that asked ``authority_for_user`` about a former code moves to the code now (301).

    Reading pages only (GET and HEAD); a form posted to an old address is a 404, as before.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        match = getattr(request, "resolver_match", None)
        if (
            not isinstance(exception, AuthorityMoved)
            or match is None
            or request.method not in ("GET", "HEAD")
        ):
            return None
        if "code" not in match.kwargs:
            return None
        try:
            path = reverse(match.view_name, kwargs={**match.kwargs, "code": exception.code})
        except NoReverseMatch:
            return None
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{path}?{query}" if query else path)
