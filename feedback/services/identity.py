"""The audit trail of who opened a denouncer's identity.

The Law on Denunciations (Arts 8, 47) makes revealing a denouncer a
disciplinary offence, so every screen that shows an entitled person the
identity behind a denunciation goes through ``identity_access_record``, which
writes one ``IdentityAccess`` row (the register administrators browse) and
one ``identity_viewed`` ``CaseEvent``, sealed in the case's tamper-evident
audit chain (``feedback.audit``): who, when and where, never the identity.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from feedback import permissions
from feedback.models import (
    PROTECTED_PARTIES,
    Case,
    CaseEvent,
    CaseKind,
    EventKind,
    IdentityAccess,
    Party,
)

# Where the identity was shown; the value is stored, so keep it stable.
CONTEXT_CASE_PAGE = "case_page"
CONTEXT_API_CASE = "api_case"
CONTEXT_API_HISTORY = "api_history"


@transaction.atomic
def identity_access_record(*, user, case: Case, context: str) -> IdentityAccess:
    """Record that ``user`` has just been shown the identity of the people who
    petitioned ``case`` (``context`` says where, e.g. ``"case_page"``).

    The caller has already asked ``permissions.can_see_identity``; this only
    writes the trail, and the rows are kept even if the page later fails.
    The event carries the context only: the identity itself never enters the
    audit trail.
    """
    context = context[:40]
    access = IdentityAccess.objects.create(case=case, user=user, context=context)
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.IDENTITY_VIEWED,
        action="view_identity",
        author=user,
        is_public=False,
        data={"context": context},
        created_at=timezone.now(),
    )
    return access


def identity_reveal_record(
    *, user, case: Case, context: str, history: bool = False
) -> bool:
    """Record a showing of ``case`` to ``user`` when it reveals a denouncer:
    a denunciation with petitioners (or a representative) on record — in the
    parties' change history when ``history`` — shown to someone
    ``can_see_identity`` lets see them.  Returns whether it did.

    For screens (the API's case detail and history) that show the parties
    as ``presentation.masked_party_value`` allows and so reveal the identity
    exactly when this condition holds.
    """
    if case.kind != CaseKind.DENUNCIATION:
        return False
    if not permissions.can_see_identity(user, case):
        return False
    parties = Party.history if history else Party.objects
    protected = parties.filter(PROTECTED_PARTIES, case_id=case.pk)
    if not protected.exists():
        return False
    identity_access_record(user=user, case=case, context=context)
    return True
