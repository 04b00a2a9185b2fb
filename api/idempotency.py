"""Idempotent writes: a retried request gets the first answer again.

A client that sends ``Idempotency-Key`` with a write and loses the answer
(a dropped connection, a double click) may send the same request again: the
first answer comes back and nothing is written twice.  Keys are per user and
live for ``RECORD_TTL``; the same key with a different body is refused.

Race safety: the record is inserted *before* the write, in the write's
transaction, and ``(user, key)`` is unique.  A concurrent request with the
same key blocks on that insert (PostgreSQL) or on the write lock (SQLite's
immediate transactions) until the first commits, then fails the unique
constraint, rolls back, and replays the committed answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from api.errors import IdempotencyKeyReused
from api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
RECORD_TTL = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict
    replayed: bool


class _KeyTaken(Exception):
    """Another request inserted the same key first."""


def idempotency_key(request) -> str | None:
    """The request's key, ``None`` without one; a malformed key is a 400."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if (
        not key
        or len(key) > MAX_KEY_LENGTH
        or not key.isascii()
        or not (key.isprintable())
    ):
        raise ValidationError(
            {
                HEADER: [
                    _("Use 1 to %(max)s visible ASCII characters.")
                    % {"max": MAX_KEY_LENGTH}
                ]
            }
        )
    return key


def request_fingerprint(request) -> str:
    """SHA-256 of the method, path and the body as canonical JSON, so that
    whitespace or key order do not make two equal bodies differ."""
    body = json.dumps(
        request.data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder
    )
    message = "\n".join([request.method, request.path, body])
    return hashlib.sha256(message.encode()).hexdigest()


def run_idempotently(
    *,
    user,
    key: str,
    fingerprint: str,
    write: Callable[[], tuple[int, dict]],
    stored_body: Callable[[dict], dict] = lambda body: body,
) -> Outcome:
    """Run ``write`` once per ``(user, key)``; replay its answer afterwards.

    ``write`` returns ``(status, body)`` and raises to refuse (nothing is
    then recorded, so the client may correct the request and retry with the
    same key).  ``stored_body`` strips what must not be kept (a PIN).
    """
    for _attempt in range(2):
        try:
            return _run_once(user, key, fingerprint, write, stored_body)
        except _KeyTaken:
            continue
    raise IdempotencyKeyReused()  # pragma: no cover - needs a third racer


def _run_once(user, key, fingerprint, write, stored_body) -> Outcome:
    with transaction.atomic():
        record = (
            IdempotencyRecord.objects.select_for_update()
            .filter(user=user, key=key)
            .first()
        )
        if record is not None and record.created_at < timezone.now() - RECORD_TTL:
            record.delete()
            record = None
        if record is not None:
            if record.request_hash != fingerprint:
                raise IdempotencyKeyReused()
            return Outcome(record.response_status, record.response_body, True)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, request_hash=fingerprint, response_status=0
                )
        except IntegrityError:
            raise _KeyTaken from None
        status, body = write()
        record.response_status = status
        record.response_body = stored_body(body)
        record.save(update_fields=["response_status", "response_body"])
        return Outcome(status, body, False)


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the records past ``RECORD_TTL``; returns how many."""
    now = now or timezone.now()
    deleted, _per_model = IdempotencyRecord.objects.filter(
        created_at__lt=now - RECORD_TTL
    ).delete()
    return deleted
