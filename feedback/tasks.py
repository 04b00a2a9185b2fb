"""Celery tasks of the case core. Tasks take ids and call services.

Every task is idempotent (the services dedupe what they write), acknowledged
late (a worker killed mid-task leaves the message to be redelivered) and
retried with exponential backoff on transient errors: a lost database or
broker connection, a locked SQLite file, an unreachable mail server.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from feedback.selectors.deadlines import working_calendar
from feedback.services import notifications, sweep
from feedback.services.public import tracking_lookups_prune, unsatisfied_rating

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
)

RELIABLE = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task
def heartbeat() -> str:
    """Proves that the worker and beat run; returns the worker's local time."""
    return timezone.localtime().isoformat()


@shared_task
def ping(value: str) -> str:
    return f"pong:{value}"


def _day(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else timezone.localdate()


@shared_task(**RELIABLE)
def deadline_sweep(
    today: str | None = None, chunk_size: int | None = None, force: bool = False
) -> dict:
    """The daily reminders and escalations (``today`` as YYYY-MM-DD, default
    the local date).  Skipped on days off unless ``force``: nobody reads a
    reminder on a Sunday, and Monday's run sends it."""
    day = _day(today)
    if not force:
        calendar = working_calendar(first_year=day.year, last_year=day.year)
        if not calendar.is_working_day(day):
            return {"today": day.isoformat(), "skipped": "day off"}
    result = sweep.deadline_sweep(
        today=day, chunk_size=chunk_size or sweep.DEFAULT_CHUNK_SIZE
    )
    logger.info("Deadline sweep %s", result.as_dict())
    return result.as_dict()


@shared_task(**RELIABLE)
def weekly_digest(today: str | None = None) -> dict:
    """Monday morning's summary for each unit's leaders."""
    return sweep.weekly_digest(today=_day(today)).as_dict()


@shared_task(**RELIABLE)
def notify_unsatisfied_rating(case_id: int) -> int:
    """Tell the responsible unit's leaders that the citizen is not satisfied."""
    return notifications.notify_unsatisfied_rating(case_id=case_id)


@shared_task(**RELIABLE)
def outbox_deliver() -> dict:
    """Write the waiting citizen notices into the outbox, then send the
    messages whose time has come (every minute)."""
    written = notifications.citizen_notices_write()
    return {"notices": written, **notifications.outbox_deliver().as_dict()}


def enqueue_unsatisfied_rating(sender, *, case_id, **kwargs) -> None:
    """``unsatisfied_rating`` receiver (the citizen portal's rating flag)."""
    try:
        notify_unsatisfied_rating.delay(case_id)
    except (BrokerError, OSError):
        logger.exception("Could not queue the rating alert for case %s", case_id)


RECEIVERS = ((unsatisfied_rating, enqueue_unsatisfied_rating),)


def _uid(receiver) -> str:
    return f"feedback.tasks.{receiver.__name__}"


def connect_signals() -> None:
    """Connect the receivers of this module (from ``FeedbackConfig.ready``);
    connecting twice is harmless."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, dispatch_uid=_uid(receiver))


def signals_connected() -> bool:
    return all(
        any(entry[0][0] == _uid(receiver) for entry in signal.receivers)
        for signal, receiver in RECEIVERS
    )


def disconnect_signals() -> None:
    for signal, receiver in RECEIVERS:
        signal.disconnect(dispatch_uid=_uid(receiver))


@shared_task(acks_late=True)
def prune_tracking_lookups() -> int:
    """Forget public look-up attempts older than 30 days (they only serve
    throttling)."""
    return tracking_lookups_prune(older_than=dt.timedelta(days=30))
