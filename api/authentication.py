"""Authentication by API token: ``Authorization: Token <key>``.

The key is looked up by its hash (one query, with the owner, compiled once
per connection); a revoked or expired token is refused with its own error
code (``token_revoked``, ``token_expired``) in the API's error shape.  The
last-use time is written at most once a minute, after the request's
transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from api.models import ApiToken
from api.services import api_token_hash
from feedback.prepared import PreparedQuery

LAST_USED_PRECISION = dt.timedelta(minutes=1)
# Every request of the staff API runs it: compiled once per connection.
TOKEN_BY_HASH = PreparedQuery(
    lambda key_hash: ApiToken.objects.select_related("owner").filter(key_hash=key_hash)[
        :1
    ],
    key_hash="\x00key-hash\x00",
)


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
        if token.last_used_at is None or now - token.last_used_at > (
            LAST_USED_PRECISION
        ):
            transaction.on_commit(
                lambda: ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            )
        return (token.owner, token)
