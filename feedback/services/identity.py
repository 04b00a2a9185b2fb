"""The audit trail of who opened a denouncer's identity.

The Law on Denunciations (Arts 8, 47) makes revealing a denouncer a
disciplinary offence, so every screen that shows an entitled person the
identity behind a denunciation writes one ``IdentityAccess`` row through
``identity_access_record``.
"""

from __future__ import annotations

from django.db import transaction

from feedback.models import Case, IdentityAccess

# Where the identity was shown; the value is stored, so keep it stable.
CONTEXT_CASE_PAGE = "case_page"


@transaction.atomic
def identity_access_record(*, user, case: Case, context: str) -> IdentityAccess:
    """Record that ``user`` has just been shown the identity of the people who
    petitioned ``case`` (``context`` says where, e.g. ``"case_page"``).

    The caller has already asked ``permissions.can_see_identity``; this only
    writes the trail, and the row is kept even if the page later fails.
    """
    return IdentityAccess.objects.create(case=case, user=user, context=context[:40])
