"""Writes the API composes from the case services.

``case_correct_fields`` belongs next to ``case_transition`` in
``feedback.services.cases``; it lives here until the case core adopts it.
"""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from feedback.errors import ConflictError, InvalidInputError, PermissionDeniedError
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


def token_for(*, user) -> str:
    """The user's API token, created on first use."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
