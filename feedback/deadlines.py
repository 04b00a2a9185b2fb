"""Working-day arithmetic over the Vietnamese calendar, as pure functions.

Nothing here touches the database or the clock: callers pass the calendar
(statutory holidays plus the announced swaps) and the start date.  The rules
are those of Civil Code 91/2015 Arts 147–148 and the legal deadline tables:

* working days: the count starts the day after the trigger, and the due date
  is the N-th working day;
* calendar days: trigger + N days, rolled forward to the next working day when
  that day is not one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

WORKING = "wd"
CALENDAR = "cal"

# Flags that select a policy variant, in the order they compose its name.
VARIANT_FLAGS = ("second", "remote", "complex", "several_places")


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[dt.date]
    extra_days_off: frozenset[dt.date] = frozenset()
    extra_working_days: frozenset[dt.date] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working_days:
            return True
        if day.weekday() >= 5:
            return False
        return day not in self.holidays and day not in self.extra_days_off


def next_working_day(day: dt.date, calendar: WorkingCalendar) -> dt.date:
    """``day`` itself when it is a working day, else the first one after it."""
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.date, days: int, calendar: WorkingCalendar) -> dt.date:
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def add_calendar_days(start: dt.date, days: int, calendar: WorkingCalendar) -> dt.date:
    if days < 0:
        raise ValueError("days must not be negative")
    return next_working_day(start + dt.timedelta(days=days), calendar)


def due_date(
    start: dt.date, *, days: int, day_unit: str, calendar: WorkingCalendar
) -> dt.date:
    if day_unit == WORKING:
        return add_working_days(start, days, calendar)
    if day_unit == CALENDAR:
        return add_calendar_days(start, days, calendar)
    raise ValueError(f"unknown day unit {day_unit!r}")


def working_days_left(
    today: dt.date, due_on: dt.date, calendar: WorkingCalendar
) -> int:
    """Working days from ``today`` to ``due_on``: 0 on the day, negative when late."""
    if due_on >= today:
        count = 0
        day = today
        while day < due_on:
            day += dt.timedelta(days=1)
            if calendar.is_working_day(day):
                count += 1
        return count
    count = 0
    day = due_on
    while day < today:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return -count


def variant_candidates(
    *,
    second: bool = False,
    remote: bool = False,
    complex: bool = False,  # noqa: A002 - the legal term
    several_places: bool = False,
) -> list[str]:
    """Policy variant names to try, most specific first.

    A second-time complaint never falls back to first-time rules; the other
    flags fall back to the standard rule when no variant row exists (a
    denunciation's complexity, say, allows extensions rather than a longer
    period).
    """
    flags = {
        "second": second,
        "remote": remote,
        "complex": complex,
        "several_places": several_places,
    }
    chosen = [name for name in VARIANT_FLAGS if flags[name]]
    optional = [name for name in chosen if name != "second"]
    prefix = ["second"] if second else []
    candidates: list[str] = []
    for size in range(len(optional), -1, -1):
        for subset in _subsets(optional, size):
            parts = prefix + subset
            candidates.append("_".join(parts) if parts else "standard")
    return candidates


def _subsets(items: list[str], size: int) -> Iterable[list[str]]:
    if size == 0:
        yield []
        return
    for index, item in enumerate(items):
        for rest in _subsets(items[index + 1 :], size - 1):
            yield [item, *rest]
