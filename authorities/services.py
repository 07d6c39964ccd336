"""Writes about people: accounts and their memberships of authorities."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from authorities.models import Authority, Membership, Role

UNKNOWN_AUTHORITIES = "unknown authority code(s): {codes}; import the authorities first"
WEAK_PASSWORD = "password rejected: {reasons}"
NO_AUTHORITY = "a user needs at least one authority"


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
