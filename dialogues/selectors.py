"""Reads of meetings, always through ``meetings_visible_to`` (staff) or the
meeting's published results (public).

Follow-up counts are one aggregate over a meeting's items and their cases;
"answered" means answered on the spot or a case resolved or closed, and
"overdue" is derived from the case's stage deadline, never stored.  Items
merged into another are not counted twice: they follow the item they were
merged into.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dialogues import permissions as meeting_permissions
from dialogues import rules as meeting_rules
from dialogues.models import (
    HAPPENED_STATUSES,
    UPCOMING_STATUSES,
    ItemOutcome,
    Meeting,
    MeetingEvent,
    MeetingItem,
    MeetingKind,
    MeetingRule,
    MeetingStatus,
)
from feedback import permissions
from feedback.errors import NotFoundError
from feedback.models import OPEN_STATUSES, Case, CaseEvent, Status, Unit, UnitKind
from feedback.selectors.cases import case_list

ANSWERED_CASE_STATUSES = (Status.RESOLVED, Status.CLOSED)
ENDED_ELSEWHERE_STATUSES = (
    Status.RETURNED,
    Status.TRANSFERRED,
    Status.ARCHIVED,
    Status.WITHDRAWN,
)


def local_today() -> dt.date:
    return timezone.localdate()


def followup_annotations(today: dt.date, prefix: str = "items__") -> dict:
    """``Count`` expressions of a meeting's follow-up, for one ``annotate``."""
    outcome = f"{prefix}outcome"
    status = f"{prefix}case__status__in"
    due = f"{prefix}case__stage_due_on"
    as_case = Q(**{outcome: ItemOutcome.CASE})
    open_case = as_case & Q(**{status: OPEN_STATUSES})
    return {
        "items_total": Count("items", filter=~Q(**{outcome: ItemOutcome.MERGED})),
        "items_pending": Count("items", filter=Q(**{outcome: ItemOutcome.PENDING})),
        "items_answered_on_spot": Count(
            "items", filter=Q(**{outcome: ItemOutcome.ANSWERED})
        ),
        "items_answered": Count(
            "items",
            filter=Q(**{outcome: ItemOutcome.ANSWERED})
            | (as_case & Q(**{status: ANSWERED_CASE_STATUSES})),
        ),
        "items_in_progress": Count(
            "items",
            filter=open_case
            & (Q(**{f"{due}__isnull": True}) | Q(**{f"{due}__gte": today})),
        ),
        "items_overdue": Count("items", filter=open_case & Q(**{f"{due}__lt": today})),
        "items_ended_elsewhere": Count(
            "items", filter=as_case & Q(**{status: ENDED_ELSEWHERE_STATUSES})
        ),
        "items_cases": Count("items", filter=as_case),
        "items_merged": Count("items", filter=Q(**{outcome: ItemOutcome.MERGED})),
    }


def meeting_list(
    *,
    user,
    today: dt.date | None = None,
    kind: str | None = None,
    status: str | None = None,
    year: int | None = None,
    organiser_unit: Unit | None = None,
    query: str | None = None,
) -> QuerySet[Meeting]:
    """Visible meetings, newest first, with their follow-up counts; three
    queries for a page whatever its size (count, rows, hamlets)."""
    today = today or local_today()
    meetings = meeting_permissions.meetings_visible_to(user)
    if kind:
        meetings = meetings.filter(kind=kind)
    if status:
        meetings = meetings.filter(status=status)
    if year:
        meetings = meetings.filter(starts_at__year=year)
    if organiser_unit is not None:
        meetings = meetings.filter(organiser_unit=organiser_unit)
    if query:
        meetings = meetings.filter(
            Q(topic__icontains=query) | Q(place__icontains=query)
        )
    return (
        meetings.select_related("organiser_unit", "chair")
        .prefetch_related(Prefetch("hamlets", queryset=Unit.objects.order_by("name")))
        .annotate(**followup_annotations(today))
        .order_by("-starts_at", "-id")
    )


def meeting_get(*, user, meeting_id, today: dt.date | None = None) -> Meeting:
    """One visible meeting with its follow-up counts; a hidden one is
    indistinguishable from a missing one."""
    try:
        return meeting_list(user=user, today=today).get(pk=meeting_id)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def meeting_items(*, meeting: Meeting, today: dt.date | None = None) -> list:
    """The meeting's items in order, with their case, unit and field; each
    has ``followers`` (the items merged into it) and ``is_overdue``."""
    today = today or local_today()
    items = list(
        MeetingItem.objects.filter(meeting=meeting)
        .select_related(
            "field",
            "raiser_hamlet",
            "responsible_unit",
            "case",
            "case__responsible_unit",
            "merged_into",
        )
        .order_by("number")
    )
    by_id = {item.pk: item for item in items}
    for item in items:
        item.followers = []
        item.is_overdue = bool(item.case_id and item.case.overdue_on(today))
    for item in items:
        if item.merged_into_id in by_id:
            by_id[item.merged_into_id].followers.append(item)
    return items


def meeting_events(*, meeting: Meeting) -> QuerySet[MeetingEvent]:
    return MeetingEvent.objects.filter(meeting=meeting).select_related("author")


def _date(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def meeting_warnings(
    meeting: Meeting, *, today: dt.date, rules: list | None = None
) -> list[str]:
    """What the notice rules say about a planned meeting, without refusing
    anything: the last day to announce it, or that the day has passed."""
    if meeting.status != MeetingStatus.PLANNED:
        return []
    rules = list(MeetingRule.objects.all()) if rules is None else rules
    starts_on = timezone.localtime(meeting.starts_at).date()
    if starts_on < today:
        return []
    breach = meeting_rules.notice_breach(
        rules,
        meeting_kind=meeting.kind,
        organiser_kind=meeting.organiser_unit.kind,
        starts_on=starts_on,
        announced_on=today,
    )
    if breach is not None:
        return [
            _(
                "A %(kind)s must be announced at least %(days)s days ahead "
                "(%(basis)s): for %(date)s the last day was %(latest)s. Choose "
                "a later date, or it cannot be announced."
            )
            % {
                "kind": meeting.get_kind_display().lower(),
                "days": breach.rule.notice_days,
                "basis": breach.rule.legal_basis,
                "date": _date(starts_on),
                "latest": _date(breach.latest_on),
            }
        ]
    for rule in meeting_rules.applicable(
        rules,
        rule_type=meeting_rules.NOTICE,
        meeting_kind=meeting.kind,
        day=starts_on,
        organiser_kind=meeting.organiser_unit.kind,
    ):
        latest = meeting_rules.latest_announcement(starts_on, rule.notice_days)
        return [
            _("Announce it by %(latest)s at the latest (%(basis)s).")
            % {"latest": _date(latest), "basis": rule.legal_basis}
        ]
    return []


# --------------------------------------------------------------------------
# The yearly calendar against the rules
# --------------------------------------------------------------------------


@dataclass
class KindMonth:
    kind: str
    held: int = 0
    planned: int = 0
    cancelled: int = 0
    requirement: meeting_rules.Requirement | None = None


@dataclass
class MonthRow:
    month: int
    kinds: list[KindMonth]

    @property
    def shortfalls(self) -> list[KindMonth]:
        return [
            cell
            for cell in self.kinds
            if cell.requirement is not None and cell.requirement.shortfall
        ]


@dataclass
class CalendarYear:
    year: int
    unit: Unit | None
    months: list[MonthRow]
    year_requirements: dict[str, meeting_rules.Requirement]
    totals: dict[str, KindMonth]
    rules: list[MeetingRule] = field(default_factory=list)
    today: dt.date | None = None


def calendar_units(*, user) -> QuerySet[Unit]:
    """Units whose meetings the user may see on the calendar (not hamlets)."""
    return (
        permissions.units_visible_to(user)
        .filter(is_active=True)
        .exclude(kind=UnitKind.HAMLET)
        .order_by("path")
    )


def default_calendar_unit(*, user) -> Unit | None:
    """The People's Committee the user sees first (the chairman's duties are
    its duties), else the first unit the user sees."""
    units = list(calendar_units(user=user))
    for unit in units:
        if unit.kind == UnitKind.PEOPLES_COMMITTEE:
            return unit
    return units[0] if units else None


def calendar_year(
    *, user, year: int, unit: Unit, today: dt.date | None = None
) -> CalendarYear:
    """Meetings organised by ``unit`` per month of ``year`` and kind (held,
    planned, cancelled), against what the rules in force require; two
    queries."""
    today = today or local_today()
    rules = list(MeetingRule.objects.all())
    first = dt.date(year, 1, 1) - dt.timedelta(days=7)
    last = dt.date(year, 12, 31) + dt.timedelta(days=7)
    rows = (
        meeting_permissions.meetings_visible_to(user)
        .filter(
            organiser_unit=unit,
            starts_at__date__gte=first,
            starts_at__date__lte=last,
        )
        .values_list("kind", "status", "starts_at")
    )
    held_days: dict[str, set] = defaultdict(set)
    planned_days: dict[str, set] = defaultdict(set)
    counts: dict[tuple, int] = defaultdict(int)
    for kind, status, starts_at in rows:
        day = timezone.localtime(starts_at).date()
        if status in HAPPENED_STATUSES:
            held_days[kind].add(day)
            bucket = "held"
        elif status in UPCOMING_STATUSES:
            planned_days[kind].add(day)
            bucket = "planned"
        else:
            bucket = "cancelled"
        if day.year == year:
            counts[(kind, day.month, bucket)] += 1
    months = []
    totals = {kind: KindMonth(kind=kind) for kind in MeetingKind.values}
    for month in range(1, 13):
        cells = []
        for kind in MeetingKind.values:
            cell = KindMonth(
                kind=kind,
                held=counts[(kind, month, "held")],
                planned=counts[(kind, month, "planned")],
                cancelled=counts[(kind, month, "cancelled")],
                requirement=meeting_rules.month_requirement(
                    rules,
                    meeting_kind=kind,
                    year=year,
                    month=month,
                    held_days=held_days[kind],
                    planned_days=planned_days[kind],
                    organiser_kind=unit.kind,
                ),
            )
            for name in ("held", "planned", "cancelled"):
                setattr(
                    totals[kind],
                    name,
                    getattr(totals[kind], name) + getattr(cell, name),
                )
            cells.append(cell)
        months.append(MonthRow(month=month, kinds=cells))
    year_requirements = {}
    for kind in MeetingKind.values:
        requirement = meeting_rules.year_requirement(
            rules,
            meeting_kind=kind,
            year=year,
            held_days=held_days[kind],
            planned_days=planned_days[kind],
            organiser_kind=unit.kind,
        )
        if requirement is not None:
            year_requirements[kind] = requirement
    return CalendarYear(
        year=year,
        unit=unit,
        months=months,
        year_requirements=year_requirements,
        totals=totals,
        rules=rules,
        today=today,
    )


# --------------------------------------------------------------------------
# Hot spots
# --------------------------------------------------------------------------


def hot_spot_items(*, user) -> QuerySet[MeetingItem]:
    """Items flagged as hot spots and not yet handled, in meetings the user
    sees."""
    return (
        MeetingItem.objects.filter(
            is_hot_spot=True,
            outcome=ItemOutcome.PENDING,
            meeting__in=meeting_permissions.meetings_visible_to(user),
        )
        .select_related("meeting", "meeting__organiser_unit", "field", "raiser_hamlet")
        .order_by("-meeting__starts_at", "number")
    )


def hot_spot_cases(*, user, today: dt.date | None = None) -> QuerySet[Case]:
    """Open cases flagged as hot spots that the user sees, oldest first, each
    with its timeline (``events``) and the meeting item it came from
    (``origin_items``)."""
    return (
        case_list(user=user, today=today)
        .filter(is_hot_spot=True, status__in=OPEN_STATUSES)
        .prefetch_related(
            Prefetch(
                "events",
                queryset=CaseEvent.objects.select_related("author").order_by(
                    "created_at", "id"
                ),
            )
        )
        .order_by("received_at", "id")
    )


def origin_items(case_ids) -> dict[int, MeetingItem]:
    """The meeting item each case was created from, by case id."""
    items = (
        MeetingItem.objects.filter(case_id__in=list(case_ids), outcome=ItemOutcome.CASE)
        .select_related("meeting")
        .order_by("pk")
    )
    return {item.case_id: item for item in items}


# --------------------------------------------------------------------------
# Reporting back and publishing
# --------------------------------------------------------------------------


def published_meetings() -> QuerySet[Meeting]:
    """Meetings whose results were published, newest first (public)."""
    return (
        Meeting.objects.filter(
            results_published_at__isnull=False, status__in=HAPPENED_STATUSES
        )
        .select_related("organiser_unit")
        .annotate(
            items_total=Count("items", filter=~Q(items__outcome=ItemOutcome.MERGED))
        )
        .order_by("-starts_at", "-id")
    )


def published_meeting_get(*, meeting_id) -> Meeting:
    try:
        return published_meetings().get(pk=meeting_id)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def official_header(unit: Unit) -> dict:
    """The lines of an official document's header for ``unit``: the body
    above it and its own name in capitals, and the place name of the date
    line (the commune's name without "Xã"/"Phường"/"Thị trấn")."""
    ancestors = list(unit.ancestors().exclude(pk=unit.pk))
    parent = ancestors[-1] if ancestors else None
    commune = next(
        (
            ancestor
            for ancestor in reversed(ancestors)
            if ancestor.kind == UnitKind.COMMUNE
        ),
        unit if unit.kind == UnitKind.COMMUNE else None,
    )
    place = commune.name if commune else unit.name
    for prefix in ("Xã ", "Phường ", "Thị trấn ", "xã ", "phường ", "thị trấn "):
        if place.startswith(prefix):
            place = place[len(prefix) :]
            break
    return {
        "above": parent.name.upper() if parent else "",
        "body": unit.name.upper(),
        "place": place,
    }
