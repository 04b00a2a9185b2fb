"""Authentication by API token: ``Authorization: Token <key>``.

The key is looked up by its hash (one query, with the owner, compiled once
per connection), and the answer is held by the process like the reference
rows (``feedback.selectors.reference``): saving or deleting a token or a user
moves their generation, so a revoked token or a deactivated owner is refused
at once by the process that changed it and within a second by the others.
A revoked or expired token is refused with its own error code
(``token_revoked``, ``token_expired``) in the API's error shape.  The
last-use time is written at most once a minute per process, after the
request's transaction.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from api.models import ApiToken
from api.services import api_token_hash
from feedback.prepared import PreparedQuery
from feedback.selectors.reference import HeldQuery, hold_with_reference_rows

LAST_USED_PRECISION = dt.timedelta(minutes=1)
# Every request of the staff API runs it: compiled once per connection, and
# its answers held by the process.
TOKEN_BY_HASH = HeldQuery(
    PreparedQuery(
        lambda key_hash: ApiToken.objects.select_related("owner").filter(
            key_hash=key_hash
        )[:1],
        key_hash="\x00key-hash\x00",
    )
)
hold_with_reference_rows(ApiToken)
# A log-in writes the user's last log-in time only, which no token check reads.
hold_with_reference_rows(
    get_user_model(),
    unless=lambda signal: signal.get("update_fields") == frozenset({"last_login"}),
)
# {key hash: the last-use time this process last wrote}: the held token
# keeps the time it was read with.
_last_used_written: dict[str, dt.datetime] = {}
LAST_USED_REMEMBERED = 10_000


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = TOKEN_BY_HASH.first(key_hash=api_token_hash(key))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This token has been revoked."), code="token_revoked"
            )
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This token has expired."), code="token_expired"
            )
        if not token.owner.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        written = _last_used_written.get(token.key_hash)
        last_used = max(
            (moment for moment in (token.last_used_at, written) if moment),
            default=None,
        )
        if last_used is None or now - last_used > LAST_USED_PRECISION:
            if len(_last_used_written) >= LAST_USED_REMEMBERED:
                _last_used_written.clear()  # at worst one write more each
            _last_used_written[token.key_hash] = now
            transaction.on_commit(
                lambda: ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            )
        return (token.owner, token)
