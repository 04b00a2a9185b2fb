"""How confidential values look to those who may not see them.

Every template, serializer, export and notification shows party details
through ``masked_party_value``, which asks the one gate,
``permissions.can_see_identity``.
"""

from django.utils.translation import gettext as _

from feedback import permissions
from feedback.models import is_protected_role

MASK = "***"


def mask_name(full_name: str) -> str:
    """Initials only: "Nguyễn Văn An" → "N. V. A." — but for a denouncer even
    initials can identify, so callers pass through ``masked_party_value``."""
    return " ".join(f"{part[0]}." for part in full_name.split() if part)


def person_name_of(first_name: str, last_name: str, username: str) -> str:
    """A user's name in Vietnamese order: family and middle names, then the
    given name ("Nguyễn Văn" + "An" → "Nguyễn Văn An"); the user name when
    neither is known."""
    return f"{last_name} {first_name}".strip() or username


def masked_party_value(user, party, name: str) -> str:
    """The party's ``name`` attribute as ``user`` may see it."""
    return masked_party_values(user, party, (name,))[name]


def masked_party_values(user, party, names) -> dict[str, str]:
    """``masked_party_value`` for several attributes of one party, asking
    the gate once (a list shows five attributes of every party)."""
    return masked_values(
        {name: getattr(party, name) for name in names},
        role=party.role,
        identity_visible=permissions.can_see_identity(user, party.case),
    )


def masked_values(values: dict, *, role: str, identity_visible: bool) -> dict:
    """A party's ``values`` as shown to a reader for whom the gate
    (``permissions.can_see_identity``) answered ``identity_visible``."""
    if identity_visible:
        return values
    protected = is_protected_role(role)
    masked = {}
    for name, value in values.items():
        if not value:
            masked[name] = ""
        elif not protected:
            masked[name] = value if name == "full_name" else MASK
        else:
            masked[name] = _("(confidential)")
    return masked
