"""Delivering the outbox: sent, retried with backoff, then dead letters."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from feedback.models import OutboxMessage
from feedback.services.notifications import (
    due_condition,
    outbox_deliver,
    outbox_retry,
    retry_delay,
)
from feedback.sms import SmsRejected
from feedback.tasks import outbox_deliver as outbox_deliver_task

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2025, 3, 12, 8, 0))


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingEmailBackend(BaseEmailBackend):
    """A mail server that refuses the address for good."""

    def send_messages(self, email_messages):
        recipient = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({recipient: (550, b"No such user")})


class DownSmsBackend:
    def send(self, *, phone, text):
        raise ConnectionError("gateway unreachable")


class RejectingSmsBackend:
    def send(self, *, phone, text):
        raise SmsRejected("invalid number")


def queue(channel="email", recipient="ngoc@example.vn", key="k1", **fields):
    return OutboxMessage.objects.create(
        channel=channel,
        recipient=recipient,
        subject="Lắng Nghe: hồ sơ" if channel == "email" else "",
        body="Hồ sơ đã được tiếp nhận.",
        dedupe_key=key,
        created_at=fields.pop("created_at", NOW),
        **fields,
    )


def test_an_email_and_an_sms_are_sent_and_marked_sent(sms_outbox):
    email = queue()
    sms = queue(channel="sms", recipient="0912345678", key="k2")

    result = outbox_deliver(now=NOW)

    assert result.as_dict() == {"sent": 2, "failed": 0, "dead": 0}
    assert [m.to for m in mail.outbox] == [["ngoc@example.vn"]]
    assert mail.outbox[0].subject == "Lắng Nghe: hồ sơ"
    assert [(s.phone, s.text) for s in sms_outbox] == [
        ("0912345678", "Hồ sơ đã được tiếp nhận.")
    ]
    for message in (email, sms):
        message.refresh_from_db()
        assert (message.status, message.attempts, message.sent_at) == ("sent", 1, NOW)
    assert outbox_deliver(now=NOW).sent == 0


def test_the_default_sms_backend_only_records(settings):
    settings.SMS_BACKEND = "feedback.sms.OutboxSmsBackend"
    sms = queue(channel="sms", recipient="0912345678")

    assert outbox_deliver(now=NOW).sent == 1
    sms.refresh_from_db()
    assert sms.status == "sent"


def test_a_transient_failure_is_retried_after_a_growing_delay(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    message = queue()

    first = outbox_deliver(now=NOW)
    message.refresh_from_db()
    assert first.as_dict() == {"sent": 0, "failed": 1, "dead": 0}
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error.startswith("SMTPServerDisconnected")

    # Not before a minute has passed since it was queued, then two more.
    assert outbox_deliver(now=NOW + dt.timedelta(seconds=59)).failed == 0
    assert outbox_deliver(now=NOW + dt.timedelta(seconds=60)).failed == 1
    assert outbox_deliver(now=NOW + dt.timedelta(seconds=179)).failed == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_deliver(now=NOW + dt.timedelta(seconds=180)).sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, "")


def test_the_delays_double(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 300
    gaps = [
        (retry_delay(n + 1) - retry_delay(n)).total_seconds() / 60 for n in range(5)
    ]
    assert gaps == [5, 10, 20, 40, 80]


def test_a_message_that_keeps_failing_becomes_a_dead_letter(settings):
    settings.SMS_BACKEND = f"{__name__}.DownSmsBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 4
    message = queue(channel="sms", recipient="0912345678")

    statuses = []
    for attempt in range(6):
        outbox_deliver(now=NOW + retry_delay(attempt))
        message.refresh_from_db()
        statuses.append((message.status, message.attempts))

    assert statuses == [
        ("failed", 1),
        ("failed", 2),
        ("failed", 3),
        ("dead", 4),
        ("dead", 4),
        ("dead", 4),
    ]
    assert message.last_error == "ConnectionError: gateway unreachable"


def test_a_refused_address_is_dead_at_once_and_not_quoted(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingEmailBackend"
    settings.SMS_BACKEND = f"{__name__}.RejectingSmsBackend"
    email = queue(recipient="to-cao@example.vn")
    sms = queue(channel="sms", recipient="0912345678", key="k2")

    assert outbox_deliver(now=NOW).dead == 2

    email.refresh_from_db()
    sms.refresh_from_db()
    assert (email.status, email.attempts) == ("dead", 1)
    assert "to-cao@example.vn" not in email.last_error
    assert email.last_error.startswith("SMTPRecipientsRefused")
    assert sms.status == "dead"


def test_a_dead_letter_can_be_given_one_more_attempt(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = queue(status="dead", attempts=3, last_error="SMTPException: x")

    assert outbox_retry(message_ids=[message.pk]) == 1
    assert outbox_deliver(now=NOW).sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 3)


def test_a_sent_or_dead_message_is_never_due():
    sent = queue(status="sent", key="a")
    dead = queue(status="dead", attempts=6, key="b")
    waiting = queue(key="c")
    later = NOW + dt.timedelta(days=30)

    due = set(OutboxMessage.objects.filter(due_condition(later)))

    assert due == {waiting}
    assert sent not in due and dead not in due


def test_oldest_first_and_a_run_stops_at_its_limit():
    older = queue(key="a", created_at=NOW - dt.timedelta(hours=1))
    newer = queue(key="b")

    assert outbox_deliver(now=NOW, limit=1).sent == 1

    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.status) == ("sent", "pending")


def test_the_task_delivers():
    queue()

    assert outbox_deliver_task.delay().get() == {
        "notices": 0,
        "sent": 1,
        "failed": 0,
        "dead": 0,
    }
