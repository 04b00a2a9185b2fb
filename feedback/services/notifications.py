"""Writes of notifications: to citizens, to staff, and their delivery.

* ``citizen_notify`` turns one public case event into e-mail and SMS outbox
  rows for the petitioner, in Vietnamese and without confidential content;
  ``citizen_notices_write`` does it for every ``CitizenNotice`` the case
  services left in the events' transactions (the outbox's delivery run).
* ``notify_unsatisfied_rating`` tells the responsible unit's leaders that a
  citizen is not satisfied with an answer.
* ``outbox_deliver`` sends what is waiting in the outbox, with exponential
  backoff, and moves a message to the dead-letter list after
  ``OUTBOX_MAX_ATTEMPTS`` failures.
* ``notification_mark_read`` / ``notification_mark_all_read`` for the bell.

Every writer is idempotent: outbox rows carry a unique ``dedupe_key`` and
in-app notifications are checked under a row lock, so a retried task writes
nothing twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import BadHeaderError, EmailMessage, get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback import sms, tracking
from feedback.errors import NotFoundError
from feedback.models import (
    OPEN_STATUSES,
    Answer,
    Case,
    CaseEvent,
    CaseKind,
    Channel,
    CitizenNotice,
    EventKind,
    Membership,
    Notification,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    Party,
    PartyRole,
    Role,
    Satisfaction,
    Status,
)
from feedback.selectors.notifications import forget_unread_count
from feedback.workflow import STAGE_LABELS

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_RETRY_BASE_SECONDS = 300
DEFAULT_DELIVERY_LIMIT = 500
DEFAULT_DELIVERY_SECONDS = 50


class NotificationKind:
    """Values of ``Notification.kind``."""

    REMINDER = "reminder"
    ESCALATION = "escalation"
    DIGEST = "digest"
    UNSATISFIED_RATING = "unsatisfied_rating"


def stage_label(stage: str) -> str:
    label = STAGE_LABELS.get(stage)
    return str(label) if label else stage


def format_date(day: dt.date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def absolute_url(path: str) -> str:
    """``path`` on the public address ``SITE_URL`` ("" when it is not set, so
    that a message never carries a half address)."""
    base = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if not base or not path:
        return ""
    return f"{base}{path}"


def _notification_language():
    return translation.override(settings.LANGUAGE_CODE)


# --------------------------------------------------------------------------
# Citizens
# --------------------------------------------------------------------------

# What a citizen reads for each status, in plain words.
STATUS_HEADLINES = {
    Status.RECEIVED: gettext_lazy("Case %(code)s has been received."),
    Status.ACCEPTED: gettext_lazy(
        "Case %(code)s has been accepted and is being resolved."
    ),
    Status.RESOLVED: gettext_lazy("Case %(code)s has been resolved."),
    Status.CLOSED: gettext_lazy("Case %(code)s is closed."),
    Status.RETURNED: gettext_lazy(
        "Case %(code)s has been returned to you with guidance."
    ),
    Status.TRANSFERRED: gettext_lazy(
        "Case %(code)s has been forwarded to the competent body."
    ),
    Status.ARCHIVED: gettext_lazy("Case %(code)s has been filed."),
    Status.WITHDRAWN: gettext_lazy("Case %(code)s has been withdrawn at your request."),
}

# Public events that change what the citizen waits for: the case logged, a
# status change, a longer deadline, the answer and its correction.  Public
# notes and publications are on the tracking page but send nothing.
CITIZEN_EVENT_KINDS = frozenset(
    {
        EventKind.CREATED,
        EventKind.STATUS,
        EventKind.EXTENSION,
        EventKind.ANSWER,
        EventKind.CORRECTION,
    }
)


@dataclass(frozen=True)
class CitizenMessage:
    subject: str
    email_body: str
    sms_text: str


CONTACT_ROLES = (PartyRole.REPRESENTATIVE, PartyRole.PETITIONER)


def _contacts(case_ids) -> dict[int, dict[str, str]]:
    """Per case, the ``email`` and ``phone`` to tell: each the first
    representative's, else the first petitioner's, that is not empty; never
    a denounced person's.  One query for all the cases."""
    rank = {role: number for number, role in enumerate(CONTACT_ROLES)}
    chosen: dict[tuple[int, str], tuple[int, str]] = {}
    parties = (
        Party.objects.filter(case_id__in=case_ids, role__in=CONTACT_ROLES)
        .order_by("id")
        .values_list("case_id", "role", "email", "phone")
    )
    for case_id, role, email, phone in parties:
        for name, value in (("email", email), ("phone", phone)):
            known = chosen.get((case_id, name))
            if value and (known is None or rank[role] < known[0]):
                chosen[(case_id, name)] = (rank[role], value.strip())
    contacts: dict[int, dict[str, str]] = {}
    for (case_id, name), (_rank, value) in chosen.items():
        contacts.setdefault(case_id, {})[name] = value
    return contacts


def _answer_text(case: Case, event: CaseEvent) -> str:
    answer_id = (event.data or {}).get("answer_id")
    if answer_id:
        text = Answer.objects.filter(pk=answer_id).values_list("text", flat=True)
        return (text.first() or "").strip()
    return case.public_answer.strip()


def _track_url() -> str:
    try:
        return absolute_url(reverse("public-track"))
    except NoReverseMatch:
        return ""


def citizen_message(case: Case, event: CaseEvent) -> CitizenMessage:
    """What the petitioner is told about ``event``.

    The case code, the new status in plain words, the due date while the case
    is open, and, once resolved, the public answer (e-mail only; an SMS says
    to look it up).  Never the title or content, a denounced person, a note or
    a name.  A denouncer is told only the status and the dates.
    """
    code = tracking.format_code(case.code)
    is_denunciation = case.kind == CaseKind.DENUNCIATION
    due_on = None
    if event.kind == EventKind.EXTENSION:
        to_due = (event.data or {}).get("to_due_on")
        due_on = dt.date.fromisoformat(to_due) if to_due else case.final_due_on
        headline = _("The deadline for case %(code)s has been extended.") % {
            "code": code
        }
    elif event.kind == EventKind.CORRECTION:
        headline = _("The answer to case %(code)s has been corrected.") % {"code": code}
    else:
        headline = str(
            STATUS_HEADLINES.get(
                event.to_status, gettext_lazy("Case %(code)s has been updated.")
            )
        ) % {"code": code}
    if due_on is None and event.to_status in OPEN_STATUSES:
        due_on = case.final_due_on
    answer = ""
    if event.kind in (EventKind.ANSWER, EventKind.CORRECTION) and not is_denunciation:
        answer = _answer_text(case, event)
    context = {
        "headline": headline,
        "code": code,
        "due_on": format_date(due_on),
        "answer": answer,
        "track_url": _track_url(),
    }
    subject = _("Lắng Nghe: case %(code)s") % {"code": code}
    email_body = render_to_string("emails/citizen_update.txt", context)
    sms_text = headline
    if due_on:
        sms_text += " " + _("Due date: %(date)s.") % {"date": format_date(due_on)}
    if answer:
        sms_text += " " + _("Look up the answer with your tracking code and PIN.")
    return CitizenMessage(
        subject=subject, email_body=email_body.strip() + "\n", sms_text=sms_text
    )


def tells_citizen(case: Case, event: CaseEvent) -> bool:
    """Whether the petitioner is told about ``event``: a public event of the
    kinds in ``CITIZEN_EVENT_KINDS``, on a case that is not anonymous."""
    return (
        event.is_public and event.kind in CITIZEN_EVENT_KINDS and not case.is_anonymous
    )


def citizen_notify(*, case_id: int, event_id: int) -> int:
    """Queue e-mail and SMS messages for the petitioner about one event.

    Only events ``tells_citizen`` names notify; a case without contact
    details notifies no one.  A case sent online is not e-mailed on receipt:
    the portal e-mailed the receipt.  The dedupe key
    ``citizen:<event>:<channel>`` makes a retry harmless.  Returns how many
    messages were queued now.
    """
    event = (
        CaseEvent.objects.filter(pk=event_id, case_id=case_id)
        .select_related("case")
        .first()
    )
    if event is None:
        return 0
    return _citizen_notify(event, _contacts([case_id]).get(case_id, {}))


def _citizen_notify(event: CaseEvent, contacts: dict[str, str]) -> int:
    """``citizen_notify`` for ``event`` (its case selected with it), told
    to ``contacts`` (``_contacts``)."""
    case = event.case
    if not tells_citizen(case, event):
        return 0
    to = {
        OutboxChannel.EMAIL: contacts.get("email", ""),
        OutboxChannel.SMS: contacts.get("phone", ""),
    }
    if event.kind == EventKind.CREATED and case.channel == Channel.ONLINE:
        # The online form already e-mailed the receipt, with the PIN.
        to.pop(OutboxChannel.EMAIL)
    to = {channel: value for channel, value in to.items() if value}
    if not to:
        return 0
    with _notification_language():
        message = citizen_message(case, event)
    now = timezone.now()
    created = 0
    for channel, recipient in to.items():
        is_email = channel == OutboxChannel.EMAIL
        _message, was_created = OutboxMessage.objects.get_or_create(
            dedupe_key=f"citizen:{event.pk}:{channel}",
            defaults={
                "channel": channel,
                "recipient": recipient,
                "subject": message.subject if is_email else "",
                "body": message.email_body if is_email else message.sms_text,
                "case": case,
                "created_at": now,
            },
        )
        created += was_created
    return created


NOTICE_BATCH = 200


def citizen_notices_write(*, batch: int = NOTICE_BATCH) -> int:
    """Turn the waiting ``CitizenNotice`` rows into outbox messages, oldest
    first, and delete them: a batch and its messages in one transaction,
    its notices locked (``FOR UPDATE SKIP LOCKED`` where the database has
    it) so that two runs never write the same one.  A notice that fails
    for another reason than a lost connection is logged (ids only) and
    dropped, so that it cannot hold up the others.  Returns how many
    messages were queued."""
    skip_locked = connection.features.has_select_for_update_skip_locked
    queued = 0
    while True:
        with transaction.atomic():
            notices = list(
                CitizenNotice.objects.select_for_update(
                    skip_locked=skip_locked, of=("self",)
                )
                .order_by("created_at", "event_id")
                .values_list("event_id", "event__case_id")[:batch]
            )
            # The batch's events with their cases, and their contacts: two
            # queries, whatever its size.
            events = CaseEvent.objects.select_related("case").in_bulk(
                [event_id for event_id, _case_id in notices]
            )
            contacts = _contacts({case_id for _event_id, case_id in notices})
            for event_id, case_id in notices:
                try:
                    with transaction.atomic():
                        queued += _citizen_notify(
                            events[event_id], contacts.get(case_id, {})
                        )
                except (OperationalError, InterfaceError):
                    raise
                except Exception:
                    logger.exception(
                        "Could not write the citizen notice of case %s event %s",
                        case_id,
                        event_id,
                    )
            CitizenNotice.objects.filter(
                pk__in=[event_id for event_id, _case_id in notices]
            ).delete()
        if len(notices) < batch:
            return queued


# --------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------


def _unit_people(unit_id: int, roles) -> list[tuple[int, str]]:
    """Active users holding one of ``roles`` in the unit: (id, e-mail)."""
    rows = (
        Membership.objects.filter(
            unit_id=unit_id,
            unit__is_active=True,
            role__in=roles,
            user__is_active=True,
        )
        .order_by("user_id")
        .values_list("user_id", "user__email")
        .distinct()
    )
    return list(rows)


@transaction.atomic
def notify_unsatisfied_rating(*, case_id: int) -> int:
    """Tell the responsible unit's leaders that the citizen is not satisfied.

    Once per case and leader, however often it is called (the case row is
    locked while checking).  Returns how many notifications were written.
    """
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("responsible_unit")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFoundError(_("Case not found."))
    leaders = [
        user_id
        for user_id, _email in _unit_people(case.responsible_unit_id, [Role.LEADER])
    ]
    told = set(
        Notification.objects.filter(
            case=case, kind=NotificationKind.UNSATISFIED_RATING
        ).values_list("recipient_id", flat=True)
    )
    missing = [user_id for user_id in leaders if user_id not in told]
    if not missing:
        return 0
    with _notification_language():
        code = tracking.format_code(case.code)
        title = _("Citizen not satisfied: %(code)s") % {"code": code}
        rating = str(
            Satisfaction(case.satisfaction).label
            if case.satisfaction in Satisfaction.values
            else Satisfaction.NOT_SATISFIED.label
        )
        body = _("%(title)s — the citizen's rating: %(rating)s.") % {
            "title": case.title,
            "rating": rating,
        }
        comment = case.satisfaction_comment.strip()
        if comment:
            body += "\n" + _("Comment: %(comment)s") % {"comment": comment[:500]}
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            case=case,
            kind=NotificationKind.UNSATISFIED_RATING,
            title=title,
            body=body,
            created_at=now,
        )
        for user_id in missing
    )
    return len(missing)


def notification_mark_read(*, user, notification_id: int) -> bool:
    """Mark one of the user's notifications read; returns whether it was
    unread.  Someone else's notification is "not found"."""
    exists = Notification.objects.filter(pk=notification_id, recipient=user)
    if not exists.exists():
        raise NotFoundError(_("Notification not found."))
    updated = exists.filter(read_at__isnull=True).update(read_at=timezone.now())
    forget_unread_count(user)
    return bool(updated)


def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    updated = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    forget_unread_count(user)
    return updated


def staff_recipients(user_ids) -> dict[int, str]:
    """E-mail addresses of the active users among ``user_ids`` that have one."""
    return dict(
        get_user_model()
        .objects.filter(pk__in=list(user_ids), is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )


# --------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------

# Worth retrying: the mail server or gateway was unreachable or said "later".
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, ConnectionError)
# Retrying will not help: the address or number was refused for good.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused, BadHeaderError, sms.SmsRejected)


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    dead: int = 0

    def as_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "dead": self.dead}


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after its creation a message that failed ``attempts`` times
    is tried again: base × (2^attempts − 1), so the gaps double (5, 10, 20,
    40 … minutes with the default base of 300 seconds)."""
    base = int(
        getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS)
    )
    return dt.timedelta(seconds=base * (2**attempts - 1))


def due_condition(now: dt.datetime) -> Q:
    """Messages whose time has come: new ones, and failed ones whose backoff
    has passed."""
    condition = Q(status=OutboxStatus.PENDING)
    for attempts in range(1, max_attempts()):
        condition |= Q(
            status=OutboxStatus.FAILED,
            attempts=attempts,
            created_at__lte=now - retry_delay(attempts),
        )
    return condition


def _error_text(message: OutboxMessage, error: Exception) -> str:
    # SMTP errors quote the refused address; the list of dead letters is read
    # by administrators who may not see a denouncer's address.
    text = f"{type(error).__name__}: {error}"
    if message.recipient:
        text = text.replace(message.recipient, "***")
    return text[:2000]


class _Sender:
    """One mail connection and one SMS backend for a delivery run."""

    def __init__(self):
        self.mail = None
        self.sms = sms.get_sms_backend()

    def send(self, message: OutboxMessage) -> None:
        if message.channel == OutboxChannel.SMS:
            self.sms.send(phone=message.recipient, text=message.body)
            return
        if self.mail is None:
            self.mail = get_connection(fail_silently=False)
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.recipient],
                connection=self.mail,
            ).send(fail_silently=False)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.mail is not None:
            with contextlib.suppress(*TRANSIENT_ERRORS):
                self.mail.close()
            self.mail = None


def _attempt(sender: _Sender, message: OutboxMessage, now: dt.datetime) -> str:
    """Send one locked message and record the outcome on it (not saved)."""
    message.attempts += 1
    try:
        sender.send(message)
    except PERMANENT_ERRORS as error:
        message.status = OutboxStatus.DEAD
        message.last_error = _error_text(message, error)
    except Exception as error:  # noqa: BLE001 - every failure is recorded
        if not isinstance(error, TRANSIENT_ERRORS):
            logger.exception("Outbox message %s: unexpected error", message.pk)
        message.last_error = _error_text(message, error)
        message.status = (
            OutboxStatus.DEAD
            if message.attempts >= max_attempts()
            else OutboxStatus.FAILED
        )
    else:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.last_error = ""
    if message.status != OutboxStatus.SENT:
        logger.warning(
            "Outbox message %s (%s) attempt %s: %s",
            message.pk,
            message.channel,
            message.attempts,
            message.status,
        )
    return message.status


def outbox_deliver(
    *,
    now: dt.datetime | None = None,
    limit: int = DEFAULT_DELIVERY_LIMIT,
    seconds: float = DEFAULT_DELIVERY_SECONDS,
) -> DeliveryResult:
    """Send the messages whose time has come, oldest first.

    Each message is locked (``FOR UPDATE SKIP LOCKED`` where the database has
    it) for the length of its own transaction, so two workers never send the
    same one; on SQLite the write transaction serializes the workers instead.
    A run stops after ``limit`` messages or ``seconds`` so that runs started
    every minute do not pile up.
    """
    now = now or timezone.now()
    result = DeliveryResult()
    sender = _Sender()
    started = time.monotonic()
    skip_locked = connection.features.has_select_for_update_skip_locked
    try:
        for _count in range(limit):
            if time.monotonic() - started > seconds:
                break
            with transaction.atomic():
                due = OutboxMessage.objects.filter(due_condition(now)).order_by(
                    "created_at", "id"
                )
                message = due.select_for_update(skip_locked=skip_locked).first()
                if message is None:
                    break
                status = _attempt(sender, message, now)
                message.save(
                    update_fields=["status", "attempts", "last_error", "sent_at"]
                )
            if status == OutboxStatus.SENT:
                result.sent += 1
            elif status == OutboxStatus.FAILED:
                result.failed += 1
            else:
                result.dead += 1
    finally:
        sender.close()
    return result


def outbox_retry(*, message_ids) -> int:
    """Give dead or failed messages one more attempt at the next delivery run
    (the administrators' action on the dead-letter list): they wait again,
    one failure short of the limit, so a new failure makes them dead again."""
    return OutboxMessage.objects.filter(
        pk__in=list(message_ids),
        status__in=[OutboxStatus.DEAD, OutboxStatus.FAILED],
    ).update(status=OutboxStatus.PENDING, attempts=max(max_attempts() - 1, 0))
