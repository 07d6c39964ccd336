"""Writes about people (accounts and their memberships of authorities) and about authorities' codes."""

from __future__ import annotations

import datetime
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from authorities.models import Authority, FormerCode, Membership, Role, StatisticalNeighbour

UNKNOWN_AUTHORITIES = "unknown authority code(s): {codes}; import the authorities first"
WEAK_PASSWORD = "password rejected: {reasons}"
NO_AUTHORITY = "a user needs at least one authority"
CODE_NOT_AN_AUTHORITY = "no authority has the code {code!r} now"
CODE_NOT_DFE = "{code!r} is not a DfE authority code of 3 digits, such as 838"
CODE_UNCHANGED = "the new code is the authority's code already"
CODE_IN_USE = "{code!r} is the code of {name} now"
CODE_FORMERLY_ANOTHERS = "{code!r} was the code of {name}, and its old addresses lead there"
DFE_CODE = re.compile(r"[0-9]{3}")


class UserError(ValueError):
    pass


@transaction.atomic
def user_add(*, username: str, password: str, role: str, authority_codes: list[str]):
    """Create or update a user so that they hold exactly ``role`` in exactly these authorities."""
    role = Role(role)
    codes = sorted(set(authority_codes))
    if not codes:
        raise UserError(NO_AUTHORITY)
    authorities = list(Authority.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {a.code for a in authorities})
    if missing:
        raise UserError(UNKNOWN_AUTHORITIES.format(codes=", ".join(missing)))
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    created = user is None
    if created:
        user = user_model(username=username)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise UserError(WEAK_PASSWORD.format(reasons=" ".join(error.messages))) from error
    user.set_password(password)
    user.is_active = True
    # Administrators manage their councils' catalogue and data in the admin site.
    user.is_staff = role == Role.ADMINISTRATOR
    user.save()
    Membership.objects.filter(user=user).exclude(authority__in=authorities).delete()
    for authority in authorities:
        Membership.objects.update_or_create(user=user, authority=authority, defaults={"role": role})
    return user, created


class AuthorityCodeError(ValueError):
    pass


@transaction.atomic
def authority_code_change(*, old: str, new: str, at: datetime.datetime | None = None) -> Authority:
    """Give an authority a new DfE code (a reorganisation), keeping the old one so its addresses redirect.

    The old code is recorded as a ``FormerCode``; other authorities' statistical neighbour lists that name it
    name the new one. A code the authority had before and gets back stops being a former code.
    """
    authority = Authority.objects.select_for_update().filter(code=old).first()
    if authority is None:
        raise AuthorityCodeError(CODE_NOT_AN_AUTHORITY.format(code=old))
    if not DFE_CODE.fullmatch(new):
        raise AuthorityCodeError(CODE_NOT_DFE.format(code=new))
    if new == old:
        raise AuthorityCodeError(CODE_UNCHANGED)
    holder = Authority.objects.filter(code=new).first()
    if holder is not None:
        raise AuthorityCodeError(CODE_IN_USE.format(code=new, name=holder.name))
    former = FormerCode.objects.select_related("authority").filter(code=new).first()
    if former is not None and former.authority_id != authority.pk:
        raise AuthorityCodeError(CODE_FORMERLY_ANOTHERS.format(code=new, name=former.authority.name))
    if former is not None:
        former.delete()
    FormerCode.objects.create(authority=authority, code=old, changed_at=at or timezone.now())
    StatisticalNeighbour.objects.filter(neighbour_code=old).update(neighbour_code=new)
    authority.code = new
    authority.save(update_fields=["code"])
    return authority
