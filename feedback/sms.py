"""Pluggable SMS backends, chosen with the ``SMS_BACKEND`` setting.

A backend has one method, ``send(phone=..., text=...)``, which returns when
the message was handed over and raises on failure: ``ConnectionError`` or
``OSError`` for a failure worth retrying, ``SmsRejected`` for one that will
not get better (an invalid number, say).  The outbox delivery task calls it;
nothing else sends SMS.

* ``OutboxSmsBackend`` (the default) hands nothing over: the outbox row
  itself, marked sent, is the record, so a deployment without an SMS gateway
  can inspect exactly what would have gone out.
* ``LogSmsBackend`` writes the message to the log with the number masked: a
  petitioner's number identifies them, and logs must not.
* ``MemorySmsBackend`` keeps the messages in a list, for tests and demos.

A real gateway is a small class with the same ``send`` in the deployment's
own code, named in ``SMS_BACKEND``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "feedback.sms.OutboxSmsBackend"


class SmsRejected(Exception):  # noqa: N818 - reads as the event it reports
    """The gateway refused the message for good; retrying will not help."""


def mask_phone(phone: str) -> str:
    """Only the last three digits: "0912345678" → "*******678"."""
    visible = 3
    if len(phone) <= visible:
        return "*" * len(phone)
    return "*" * (len(phone) - visible) + phone[-visible:]


class BaseSmsBackend:
    def send(self, *, phone: str, text: str) -> None:
        raise NotImplementedError


class OutboxSmsBackend(BaseSmsBackend):
    """Records only: the outbox row, marked sent, is the message."""

    def send(self, *, phone: str, text: str) -> None:
        return None


class LogSmsBackend(BaseSmsBackend):
    """Writes each message to the ``feedback.sms`` log, number masked."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str


class MemorySmsBackend(BaseSmsBackend):
    """Appends to the class-level ``outbox`` list (clear it between tests)."""

    outbox: ClassVar[list[SentSms]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append(SentSms(phone=phone, text=text))


def get_sms_backend() -> BaseSmsBackend:
    """An instance of the backend named by ``SMS_BACKEND``."""
    path = getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND) or DEFAULT_BACKEND
    return import_string(path)()
