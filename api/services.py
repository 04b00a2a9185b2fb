"""Writes the API composes from the case services.

``case_correct_fields`` belongs next to ``case_transition`` in
``feedback.services.cases``; it lives here until the case core adopts it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from feedback.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from feedback.models import Case
from feedback.selectors.cases import case_get
from feedback.services.cases import case_allowed_actions, case_transition

# Keys of a ``correct`` refusal that name the corrected field itself.
_VALUE_KEYS = frozenset({"value", "field_name"})


@transaction.atomic
def case_correct_fields(
    *,
    case_id: int,
    actor,
    values: dict,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """Correct several fields of a case at once, all or nothing.

    Each value that differs from the current one becomes its own ``correct``
    action (so each has its event and history row) in one transaction; when
    one is refused, none is applied.  ``expected_version`` is checked against
    the case before the first correction.  Values equal to the current ones
    change nothing; with none left, the case is returned as it is, provided
    the actor may correct it and the version still matches.
    """
    case = case_get(user=actor, case_id=case_id)
    changes = {
        name: value
        for name, value in values.items()
        if getattr(case, Case._meta.get_field(name).attname) != value
    }
    if not changes:
        if expected_version is not None and expected_version != case.version:
            raise ConflictError()
        if "correct" not in case_allowed_actions(actor=actor, case=case):
            raise PermissionDeniedError()
        return case
    for index, name in enumerate(sorted(changes)):
        try:
            case = case_transition(
                case_id=case_id,
                action="correct",
                actor=actor,
                data={"field_name": name, "value": changes[name], "reason": reason},
                expected_version=expected_version if index == 0 else None,
            )
        except InvalidInputError as error:
            raise InvalidInputError(
                error.message,
                code=error.code,
                fields={
                    (name if key in _VALUE_KEYS else key): message
                    for key, message in error.fields.items()
                },
            ) from error
    return case


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_token_is_admin(user) -> bool:
    """Who may list and revoke everyone's tokens: superusers and staff
    granted the ``api.change_apitoken`` permission."""
    return bool(
        user.is_active and (user.is_superuser or user.has_perm("api.change_apitoken"))
    )


def api_token_create(
    *, owner, name: str, days: int | None = None, now=None
) -> tuple[ApiToken, str]:
    """A new token for ``owner`` valid ``days`` days (``API_TOKEN_TTL_DAYS``
    by default). Answers the token and its key: the key is not stored, so
    this is the only time it is known."""
    name = (name or "").strip()
    if not name:
        raise InvalidInputError(fields={"name": [_("Give the token a name.")]})
    days = settings.API_TOKEN_TTL_DAYS if days is None else days
    if not 1 <= days <= 365:
        raise InvalidInputError(
            fields={"days": [_("Between 1 and 365 days.")]},
        )
    now = now or timezone.now()
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        owner=owner,
        name=name[:100],
        key_hash=api_token_hash(key),
        expires_at=now + dt.timedelta(days=days),
    )
    return token, key


def api_tokens_visible_to(user, *, everyone: bool = False):
    """The user's own tokens, or with ``everyone`` (administrators only)
    every user's."""
    tokens = ApiToken.objects.select_related("owner", "revoked_by")
    if everyone:
        if not api_token_is_admin(user):
            raise PermissionDeniedError()
        return tokens
    return tokens.filter(owner=user)


@transaction.atomic
def api_token_revoke(*, token_id: int, actor, now=None) -> ApiToken:
    """Revoke a token: its owner or an administrator may. Revoking twice
    changes nothing; another user's token is "not found"."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or not (token.owner_id == actor.pk or api_token_is_admin(actor)):
        raise NotFoundError()
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token
