"""Reads the deadline policies and the calendar, and answers "when is it due?"."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import holidays as holidays_lib
from django.db.models import Q
from django.utils.translation import gettext as _

from feedback import deadlines
from feedback.errors import InvalidInputError
from feedback.models import CalendarException, DeadlinePolicy
from feedback.selectors.reference import Held

# The policies and the administrators' calendar swaps are a few dozen rows
# changed a few times a year, yet every intake, transition and page of "My
# work" reads them: each process holds them for the current reference
# generation (``feedback.selectors.reference``), like the units and fields.
# Without a shared cache they are read each time.


@dataclass(frozen=True)
class _Reference:
    policies: tuple[DeadlinePolicy, ...]
    exceptions: tuple[tuple[dt.date, str], ...]


def _read_reference() -> _Reference:
    return _Reference(
        policies=tuple(DeadlinePolicy.objects.all()),
        exceptions=tuple(CalendarException.objects.values_list("date", "kind")),
    )


# The policies and calendar swaps held by this process; ``_REFERENCE.get()``
# is ``None`` when they are not held (no shared cache, or the open
# transaction has changed them: it reads its own rows).
_REFERENCE = Held(_read_reference)


@functools.lru_cache(maxsize=32)
def _statutory_holidays(first_year: int, last_year: int) -> frozenset[dt.date]:
    """The statutory holidays of these years, computed once per process (the
    ``holidays`` package rebuilds its calendar on every call, and its rules
    only change with a new release; the administrators' swaps are read
    fresh from ``CalendarException`` every time)."""
    years = range(first_year, last_year + 1)
    return frozenset(holidays_lib.country_holidays("VN", years=years).keys())


def working_calendar(*, first_year: int, last_year: int) -> deadlines.WorkingCalendar:
    """The Vietnamese calendar for the given years: statutory holidays from the
    ``holidays`` package plus the swaps recorded by administrators."""
    return _working_calendar(first_year, last_year, _REFERENCE.get())


def _working_calendar(
    first_year: int, last_year: int, reference: _Reference | None
) -> deadlines.WorkingCalendar:
    statutory = _statutory_holidays(first_year, last_year)
    days_off, working_days = set(), set()
    first, last = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    if reference is None:
        exceptions = CalendarException.objects.filter(
            date__gte=first, date__lte=last
        ).values_list("date", "kind")
    else:
        exceptions = [row for row in reference.exceptions if first <= row[0] <= last]
    for day, kind in exceptions:
        if kind == CalendarException.Kind.WORKING_DAY:
            working_days.add(day)
        else:
            days_off.add(day)
    return deadlines.WorkingCalendar(
        holidays=statutory,
        extra_days_off=frozenset(days_off),
        extra_working_days=frozenset(working_days),
    )


def calendar_around(day: dt.date) -> deadlines.WorkingCalendar:
    """A calendar wide enough for any legal period that starts on ``day``."""
    return working_calendar(first_year=day.year - 1, last_year=day.year + 1)


@dataclass(frozen=True)
class DueDate:
    due_on: dt.date
    policy: DeadlinePolicy
    days: int


def deadline_policy(
    *, kind: str, stage: str, on: dt.date, variants: list[str]
) -> DeadlinePolicy:
    """The policy row for a step triggered on ``on``: kind-specific rows before
    the catch-all ``any`` ones, then the most specific variant."""
    return _deadline_policy(kind, stage, on, variants, _REFERENCE.get())


def _deadline_policy(
    kind: str,
    stage: str,
    on: dt.date,
    variants: list[str],
    reference: _Reference | None,
) -> DeadlinePolicy:
    kinds = (kind, DeadlinePolicy.ANY_KIND)
    if reference is None:
        rows = list(
            DeadlinePolicy.objects.filter(
                kind__in=kinds, stage=stage, variant__in=variants
            )
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        )
    else:
        rows = [
            row
            for row in reference.policies
            if row.kind in kinds
            and row.stage == stage
            and row.variant in variants
            and (row.valid_from is None or row.valid_from <= on)
            and (row.valid_to is None or row.valid_to >= on)
        ]
    if not rows:
        raise InvalidInputError(
            _("There is no deadline policy for kind %(kind)s, stage %(stage)s.")
            % {"kind": kind, "stage": stage},
            code="no_deadline_policy",
        )
    rows.sort(
        key=lambda row: (
            row.kind == DeadlinePolicy.ANY_KIND,
            variants.index(row.variant),
        )
    )
    return rows[0]


def compute_due_date(
    *,
    kind: str,
    stage: str,
    start: dt.date,
    second: bool = False,
    remote: bool = False,
    complex: bool = False,  # noqa: A002
    several_places: bool = False,
    extensions: int = 0,
    calendar: deadlines.WorkingCalendar | None = None,
) -> DueDate:
    variants = deadlines.variant_candidates(
        second=second, remote=remote, complex=complex, several_places=several_places
    )
    # The policy and the calendar from one look at the shared generation.
    reference = _REFERENCE.get()
    policy = _deadline_policy(kind, stage, start, variants, reference)
    if extensions < 0 or extensions > policy.max_extensions:
        raise InvalidInputError(
            _("%(count)s extensions exceed the legal maximum (%(max)s).")
            % {"count": extensions, "max": policy.max_extensions},
            code="too_many_extensions",
        )
    days = policy.days + extensions * policy.extension_days
    if calendar is None:
        calendar = _working_calendar(start.year - 1, start.year + 1, reference)
    due_on = deadlines.due_date(
        start, days=days, day_unit=policy.day_unit, calendar=calendar
    )
    return DueDate(due_on=due_on, policy=policy, days=days)
