"""The daily deadline sweep and the weekly digest for units.

``deadline_sweep`` finds the open cases whose current stage is due within the
responsible unit's ``reminder_days`` working days (a reminder) or is already
overdue (an escalation), and tells the people concerned once per case, stage
and due date: the ``Reminder`` row, unique on those four, is the record.  An
extension moves the due date, so the new date is reminded of again.

It walks the cases in primary-key order, ``chunk_size`` at a time (keyset
pagination, only the columns it needs), and handles each chunk in its own
transaction: read the candidates, drop those already sent, then write the
``Reminder`` rows, the in-app ``Notification`` rows and the e-mail
``OutboxMessage`` rows together.  A crash leaves every chunk either done or
untouched; a second worker racing on the same chunk makes the unique
constraint fail, which rolls the chunk back, and the chunk is read again.

``weekly_digest`` gives each unit's leaders the numbers of the week on Monday
morning, once per unit and ISO week.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback import deadlines, tracking
from feedback.models import (
    OPEN_STATUSES,
    Case,
    Membership,
    Notification,
    OutboxChannel,
    OutboxMessage,
    Reminder,
    ReminderKind,
    Role,
    Unit,
)
from feedback.selectors.deadlines import working_calendar
from feedback.selectors.notifications import case_link
from feedback.services.notifications import (
    NotificationKind,
    absolute_url,
    format_date,
    stage_label,
)

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 2000
# A chunk that keeps losing races (or finding the database locked) this many
# times in a row is given up: the task fails and is retried as a whole.
MAX_CHUNK_ATTEMPTS = 5
BULK_BATCH = 500


class Person(NamedTuple):
    user_id: int
    username: str
    email: str


class CaseRow(NamedTuple):
    """The columns of a case the sweep reads."""

    pk: int
    code: str
    title: str
    stage: str
    due_on: dt.date
    unit_id: int
    unit_name: str
    assignee_id: int | None


CASE_COLUMNS = (
    "pk",
    "code",
    "title",
    "stage",
    "stage_due_on",
    "responsible_unit_id",
    "responsible_unit__name",
    "assignee_id",
)


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder or escalation the sweep sends (or, dry, would send)."""

    case_id: int
    case_code: str
    kind: str
    stage: str
    due_on: dt.date
    recipients: tuple[str, ...]


@dataclass
class SweepResult:
    today: dt.date
    dry_run: bool = False
    reminders: int = 0
    escalations: int = 0
    notifications: int = 0
    emails: int = 0
    # Already sent by an earlier run (or another worker).
    already_sent: int = 0
    # Due, but nobody to tell: no assignee, no staff in the unit, no
    # supervisor above.  Left unrecorded so a later run tells whoever joins.
    unaddressed: int = 0
    chunks: int = 0
    retries: int = 0
    # Filled on a dry run only, so that a real run over a million cases keeps
    # its memory bounded.
    planned: list[PlannedReminder] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "reminders": self.reminders,
            "escalations": self.escalations,
            "notifications": self.notifications,
            "emails": self.emails,
            "already_sent": self.already_sent,
            "unaddressed": self.unaddressed,
            "chunks": self.chunks,
            "retries": self.retries,
        }


@dataclass
class _UnitStaff:
    officers: list[Person]
    leaders: list[Person]
    supervisors: list[Person]


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


class _Directory:
    """Who works where, read once per unit and user during a sweep."""

    def __init__(self):
        self.units: dict[int, _UnitStaff] = {}
        self.users: dict[int, Person | None] = {}

    def load(self, rows: list[CaseRow]) -> None:
        self._load_units({row.unit_id for row in rows} - self.units.keys())
        assignees = {row.assignee_id for row in rows if row.assignee_id}
        self._load_users(assignees - self.users.keys())

    def _load_units(self, unit_ids: set[int]) -> None:
        if not unit_ids:
            return
        paths = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "path"))
        above = {pk for path in paths.values() for pk in _path_ids(path)}
        rows = (
            Membership.objects.filter(unit__is_active=True, user__is_active=True)
            .filter(
                Q(unit_id__in=unit_ids, role__in=[Role.OFFICER, Role.LEADER])
                | Q(unit_id__in=above, role=Role.SUPERVISOR)
            )
            .order_by("user_id")
            .values_list("unit_id", "role", "user_id", "user__username", "user__email")
        )
        by_unit: dict[int, dict[str, list[Person]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for unit_id, role, user_id, username, email in rows:
            by_unit[unit_id][role].append(Person(user_id, username, email))
        for unit_id in unit_ids:
            own = by_unit[unit_id]
            self.units[unit_id] = _UnitStaff(
                officers=own[Role.OFFICER],
                leaders=own[Role.LEADER],
                # The unit's own supervisors and those of every unit above.
                supervisors=[
                    person
                    for ancestor in _path_ids(paths.get(unit_id, ""))
                    for person in by_unit[ancestor][Role.SUPERVISOR]
                ],
            )

    def _load_users(self, user_ids: set[int]) -> None:
        if not user_ids:
            return
        found = (
            get_user_model()
            .objects.filter(pk__in=user_ids, is_active=True)
            .values_list("pk", "username", "email")
        )
        for pk, username, email in found:
            self.users[pk] = Person(pk, username, email)
        for pk in user_ids:
            self.users.setdefault(pk, None)

    def recipients(self, row: CaseRow, kind: str) -> list[Person]:
        """Reminder: the assignee (or, with none, the unit's officers) and the
        unit's leaders.  Escalation: the assignee, the unit's leaders and the
        supervisors of the unit and of every unit above it."""
        staff = self.units[row.unit_id]
        assignee = self.users.get(row.assignee_id) if row.assignee_id else None
        people: list[Person] = [assignee] if assignee else []
        if kind == ReminderKind.REMINDER:
            if assignee is None:
                people += staff.officers
            people += staff.leaders
        else:
            people += staff.leaders + staff.supervisors
        unique = {person.user_id: person for person in people}
        return list(unique.values())


def reminder_cutoffs(
    today: dt.date, calendar: deadlines.WorkingCalendar
) -> dict[int, dt.date]:
    """The last due date that gets a reminder today, per distinct lead time."""
    leads = Unit.objects.order_by().values_list("reminder_days", flat=True).distinct()
    return {
        lead: deadlines.add_working_days(today, lead, calendar) for lead in set(leads)
    }


def due_window(today: dt.date, cutoffs: dict[int, dt.date]) -> Q:
    """Open cases whose stage is overdue or due within their unit's lead."""
    window = Q(stage_due_on__lt=today)
    for lead, cutoff in cutoffs.items():
        window |= Q(
            responsible_unit__reminder_days=lead,
            stage_due_on__gte=today,
            stage_due_on__lte=cutoff,
        )
    return Q(status__in=OPEN_STATUSES, stage_due_on__isnull=False) & window


@dataclass
class _Texts:
    title: str
    body: str
    subject: str
    email_body: str


def _texts(
    row: CaseRow,
    kind: str,
    today: dt.date,
    calendar: deadlines.WorkingCalendar,
    *,
    with_email: bool,
) -> _Texts:
    code = tracking.format_code(row.code)
    days = deadlines.working_days_left(today, row.due_on, calendar)
    values = {
        "code": code,
        "title": row.title,
        "stage": stage_label(row.stage),
        "date": format_date(row.due_on),
        "unit": row.unit_name,
    }
    if kind == ReminderKind.REMINDER:
        title = _("Due soon: %(code)s") % values
        body = _(
            "%(title)s — %(stage)s due on %(date)s (working days left: %(days)s)."
        ) % {**values, "days": days}
    else:
        title = _("Overdue: %(code)s") % values
        body = _(
            "%(title)s — %(stage)s was due on %(date)s (working days late: %(days)s)."
        ) % {**values, "days": -days}
    body += " " + _("Unit: %(unit)s.") % values
    if not with_email:
        return _Texts(title=title, body=body, subject=title, email_body="")
    # E-mail leaves our servers: the case code and dates, never the title.
    email_body = render_to_string(
        "emails/staff_deadline.txt",
        {
            "is_reminder": kind == ReminderKind.REMINDER,
            **values,
            "days": abs(days),
            "url": absolute_url(case_link(row.pk)),
        },
    )
    return _Texts(title=title, body=body, subject=title, email_body=email_body)


@dataclass
class _Chunk:
    """What one chunk wrote (counted only once its transaction commits)."""

    reminders: int = 0
    escalations: int = 0
    notifications: int = 0
    emails: int = 0
    already_sent: int = 0
    unaddressed: int = 0
    planned: list[PlannedReminder] = field(default_factory=list)


def _read_chunk(window: Q, after_pk: int, size: int) -> list[CaseRow]:
    rows = (
        Case.objects.filter(window, pk__gt=after_pk)
        .order_by("pk")
        .values_list(*CASE_COLUMNS)[:size]
    )
    return [CaseRow(*row) for row in rows]


def _process_chunk(
    rows: list[CaseRow],
    *,
    today: dt.date,
    now: dt.datetime,
    calendar: deadlines.WorkingCalendar,
    directory: _Directory,
    dry_run: bool,
) -> _Chunk:
    chunk = _Chunk()
    sent = set(
        Reminder.objects.filter(case_id__in=[row.pk for row in rows]).values_list(
            "case_id", "kind", "stage", "due_on"
        )
    )
    directory.load(rows)
    todo: list[tuple[CaseRow, str, list[Person]]] = []
    for row in rows:
        kind = ReminderKind.ESCALATION if row.due_on < today else ReminderKind.REMINDER
        if (row.pk, kind, row.stage, row.due_on) in sent:
            chunk.already_sent += 1
            continue
        people = directory.recipients(row, kind)
        if not people:
            chunk.unaddressed += 1
            continue
        todo.append((row, kind, people))
        if kind == ReminderKind.REMINDER:
            chunk.reminders += 1
        else:
            chunk.escalations += 1
        chunk.notifications += len(people)
        chunk.emails += sum(1 for person in people if person.email)
        if dry_run:
            chunk.planned.append(
                PlannedReminder(
                    case_id=row.pk,
                    case_code=tracking.format_code(row.code),
                    kind=kind,
                    stage=row.stage,
                    due_on=row.due_on,
                    recipients=tuple(person.username for person in people),
                )
            )
    if dry_run or not todo:
        return chunk
    reminders = Reminder.objects.bulk_create(
        Reminder(
            case_id=row.pk, kind=kind, stage=row.stage, due_on=row.due_on, sent_at=now
        )
        for row, kind, _people in todo
    )
    notifications: list[Notification] = []
    emails: list[OutboxMessage] = []
    for reminder, (row, kind, people) in zip(reminders, todo, strict=True):
        texts = _texts(
            row,
            kind,
            today,
            calendar,
            with_email=any(person.email for person in people),
        )
        for person in people:
            notifications.append(
                Notification(
                    recipient_id=person.user_id,
                    case_id=row.pk,
                    kind=kind,
                    title=texts.title,
                    body=texts.body,
                    created_at=now,
                )
            )
            if person.email:
                emails.append(
                    OutboxMessage(
                        channel=OutboxChannel.EMAIL,
                        recipient=person.email,
                        subject=texts.subject,
                        body=texts.email_body,
                        case_id=row.pk,
                        dedupe_key=f"reminder:{reminder.pk}:{person.user_id}",
                        created_at=now,
                    )
                )
    Notification.objects.bulk_create(notifications, batch_size=BULK_BATCH)
    OutboxMessage.objects.bulk_create(emails, batch_size=BULK_BATCH)
    return chunk


def _sweep_chunk(
    window: Q, after_pk: int, chunk_size: int, **context
) -> tuple[list[CaseRow], _Chunk, int]:
    """Read and handle the chunk after ``after_pk`` in one transaction; read
    it again when another worker wrote part of it first (the unique
    constraint fails, the transaction rolls back).  Returns the rows, what was
    written and how many retries it took."""
    for attempt in range(MAX_CHUNK_ATTEMPTS):
        try:
            with transaction.atomic():
                rows = _read_chunk(window, after_pk, chunk_size)
                chunk = (
                    _process_chunk(rows, now=timezone.now(), **context)
                    if rows
                    else _Chunk()
                )
            return rows, chunk, attempt
        except IntegrityError:
            if attempt == MAX_CHUNK_ATTEMPTS - 1:
                raise
            logger.info("Deadline sweep: chunk after case %s raced, retrying", after_pk)
    raise AssertionError("unreachable")  # pragma: no cover


def deadline_sweep(
    *, today: dt.date, dry_run: bool = False, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> SweepResult:
    """Send today's reminders and escalations, each once; see the module.

    ``dry_run`` reads exactly as a real run does and writes nothing; the
    result's ``planned`` lists what would be sent.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    result = SweepResult(today=today, dry_run=dry_run)
    calendar = working_calendar(first_year=today.year - 1, last_year=today.year + 1)
    window = due_window(today, reminder_cutoffs(today, calendar))
    context = {
        "today": today,
        "calendar": calendar,
        "directory": _Directory(),
        "dry_run": dry_run,
    }
    after_pk = 0
    with translation.override(settings.LANGUAGE_CODE):
        while True:
            rows, chunk, retries = _sweep_chunk(window, after_pk, chunk_size, **context)
            result.retries += retries
            if not rows:
                break
            after_pk = rows[-1].pk
            result.chunks += 1
            result.reminders += chunk.reminders
            result.escalations += chunk.escalations
            result.notifications += chunk.notifications
            result.emails += chunk.emails
            result.already_sent += chunk.already_sent
            result.unaddressed += chunk.unaddressed
            result.planned.extend(chunk.planned)
            if len(rows) < chunk_size:
                break
    return result


# --------------------------------------------------------------------------
# Weekly digest
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitDigest:
    unit_id: int
    open: int
    due_soon: int
    overdue: int
    resolved_last_week: int


@dataclass
class DigestResult:
    week: str
    units: int = 0
    notifications: int = 0
    emails: int = 0

    def as_dict(self) -> dict:
        return {
            "week": self.week,
            "units": self.units,
            "notifications": self.notifications,
            "emails": self.emails,
        }


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def unit_digests(*, today: dt.date) -> list[UnitDigest]:
    """Per unit: open cases, due within its lead, overdue, and resolved in the
    ISO week before ``today``'s — one aggregate query (plus the calendar)."""
    calendar = working_calendar(first_year=today.year - 1, last_year=today.year + 1)
    cutoffs = reminder_cutoffs(today, calendar)
    monday = today - dt.timedelta(days=today.weekday())
    last_week = Q(
        resolved_at__gte=_local_midnight(monday - dt.timedelta(days=7)),
        resolved_at__lt=_local_midnight(monday),
    )
    is_open = Q(status__in=OPEN_STATUSES)
    soon = Q(pk__in=[])
    for lead, cutoff in cutoffs.items():
        soon |= Q(
            responsible_unit__reminder_days=lead,
            stage_due_on__gte=today,
            stage_due_on__lte=cutoff,
        )
    rows = (
        Case.objects.filter(is_open | last_week)
        .order_by()
        .values("responsible_unit_id")
        .annotate(
            open=Count("pk", filter=is_open),
            due_soon=Count("pk", filter=is_open & soon),
            overdue=Count("pk", filter=is_open & Q(stage_due_on__lt=today)),
            resolved_last_week=Count("pk", filter=last_week),
        )
        .order_by("responsible_unit_id")
    )
    return [
        UnitDigest(
            unit_id=row["responsible_unit_id"],
            open=row["open"],
            due_soon=row["due_soon"],
            overdue=row["overdue"],
            resolved_last_week=row["resolved_last_week"],
        )
        for row in rows
    ]


def digest_url(unit_id: int) -> str:
    """The unit's open cases: its work queue, or the admin's case list while
    the queue is not installed.  It also tells one unit's digest from
    another's in the same week."""
    try:
        return f"{reverse('work-queue')}?unit={unit_id}"
    except NoReverseMatch:
        return (
            f"{reverse('admin:feedback_case_changelist')}"
            f"?responsible_unit__id__exact={unit_id}"
        )


def _send_unit_digest(
    digest: UnitDigest, *, today: dt.date, now: dt.datetime, result: DigestResult
) -> None:
    year, week, _weekday = today.isocalendar()
    with transaction.atomic():
        # The unit row lock makes "already told this week?" and the insert
        # one step for concurrent runs.
        unit = Unit.objects.select_for_update().filter(pk=digest.unit_id).first()
        if unit is None or not unit.is_active:
            return
        leaders = list(
            Membership.objects.filter(unit=unit, role=Role.LEADER, user__is_active=True)
            .order_by("user_id")
            .values_list("user_id", "user__email")
            .distinct()
        )
        url = digest_url(unit.pk)
        monday = today - dt.timedelta(days=today.weekday())
        told = set(
            Notification.objects.filter(
                kind=NotificationKind.DIGEST,
                url=url,
                created_at__gte=_local_midnight(monday),
                created_at__lt=_local_midnight(monday + dt.timedelta(days=7)),
                recipient_id__in=[user_id for user_id, _email in leaders],
            ).values_list("recipient_id", flat=True)
        )
        values = {
            "unit": unit.name,
            "week": week,
            "year": year,
            "open": digest.open,
            "due_soon": digest.due_soon,
            "overdue": digest.overdue,
            "resolved": digest.resolved_last_week,
        }
        title = _("Week %(week)s/%(year)s summary: %(unit)s") % values
        body = (
            _(
                "Open: %(open)s; due within the reminder period: %(due_soon)s; "
                "overdue: %(overdue)s; resolved last week: %(resolved)s."
            )
            % values
        )
        email_body = render_to_string(
            "emails/weekly_digest.txt",
            {**values, "url": absolute_url(url)},
        )
        new = [(user_id, email) for user_id, email in leaders if user_id not in told]
        Notification.objects.bulk_create(
            Notification(
                recipient_id=user_id,
                kind=NotificationKind.DIGEST,
                title=title,
                body=body,
                url=url,
                created_at=now,
            )
            for user_id, _email in new
        )
        for user_id, email in new:
            if not email:
                continue
            _message, created = OutboxMessage.objects.get_or_create(
                dedupe_key=f"digest:{unit.pk}:{year}-W{week:02d}:{user_id}",
                defaults={
                    "channel": OutboxChannel.EMAIL,
                    "recipient": email,
                    "subject": title,
                    "body": email_body,
                    "created_at": now,
                },
            )
            result.emails += created
        result.notifications += len(new)
        result.units += bool(new)


def weekly_digest(*, today: dt.date, now: dt.datetime | None = None) -> DigestResult:
    """Tell each unit's leaders this week's numbers, once per unit and ISO
    week (a digest written during ``today``'s week counts as sent).  Units
    with nothing open and nothing resolved last week get none."""
    year, week, _weekday = today.isocalendar()
    result = DigestResult(week=f"{year}-W{week:02d}")
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        for digest in unit_digests(today=today):
            _send_unit_digest(digest, today=today, now=now, result=result)
    return result
