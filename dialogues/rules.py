"""The duties to receive citizens and to talk with them, as pure functions.

The rules themselves are rows of ``MeetingRule`` (data with validity dates);
these functions take the rows, the dates and the days on which meetings took
place, and touch neither the database nor the clock.

* A ``week`` rule ("at least 1 day a week") is counted per week, Monday to
  Sunday; a week belongs to the month of its Monday.
* A ``month`` rule ("at least 2 days a month") applies to a month when the
  rule is valid on its first day; a ``year`` rule, when valid on 1 January
  or on any later day of the year.
* What counts is the number of distinct days with a meeting: two reception
  sessions on one day are one reception day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

WEEK = "week"
MONTH = "month"
YEAR = "year"
FREQUENCY = "frequency"
NOTICE = "notice"
ENFORCE = "enforce"


def applicable(
    rules: Iterable,
    *,
    rule_type: str,
    meeting_kind: str,
    day: dt.date,
    organiser_kind: str | None = None,
) -> list:
    """The rules of ``rule_type`` for ``meeting_kind`` valid on ``day``; a rule
    tied to a kind of organising unit applies only to that kind."""
    return [
        rule
        for rule in rules
        if rule.rule_type == rule_type
        and rule.meeting_kind == meeting_kind
        and rule.is_valid_on(day)
        and (
            not rule.organiser_kind
            or organiser_kind is None
            or rule.organiser_kind == organiser_kind
        )
    ]


def latest_announcement(starts_on: dt.date, notice_days: int) -> dt.date:
    """The last day on which a meeting on ``starts_on`` may be announced."""
    return starts_on - dt.timedelta(days=notice_days)


@dataclass(frozen=True)
class NoticeBreach:
    rule: object
    latest_on: dt.date


def notice_breach(
    rules: Iterable,
    *,
    meeting_kind: str,
    organiser_kind: str,
    starts_on: dt.date,
    announced_on: dt.date,
) -> NoticeBreach | None:
    """The notice rule that announcing on ``announced_on`` would break, with
    the last day that would have satisfied it; ``None`` when none is broken.
    The rule is the one valid on the day of the meeting."""
    for rule in applicable(
        rules,
        rule_type=NOTICE,
        meeting_kind=meeting_kind,
        day=starts_on,
        organiser_kind=organiser_kind,
    ):
        latest = latest_announcement(starts_on, rule.notice_days)
        if announced_on > latest:
            return NoticeBreach(rule=rule, latest_on=latest)
    return None


def mondays_of_month(year: int, month: int) -> list[dt.date]:
    """The Mondays that fall in the month: the weeks the month owns."""
    first = dt.date(year, month, 1)
    offset = (7 - first.weekday()) % 7
    day = first + dt.timedelta(days=offset)
    days = []
    while day.month == month:
        days.append(day)
        day += dt.timedelta(days=7)
    return days


@dataclass(frozen=True)
class Requirement:
    """What the rules ask of one month (or year) against what was done.

    ``met`` counts the days that satisfy the rules (capped per period, so two
    receptions in one week do not make up for a week without any);
    ``covered`` does the same with the planned days added.
    """

    rules: tuple
    required: int
    met: int
    covered: int

    @property
    def shortfall(self) -> int:
        return max(self.required - self.met, 0)

    @property
    def planned_shortfall(self) -> int:
        return max(self.required - self.covered, 0)


def _count_in(days: set[dt.date], first: dt.date, last: dt.date) -> int:
    return sum(1 for day in days if first <= day <= last)


def month_requirement(
    rules: Iterable,
    *,
    meeting_kind: str,
    year: int,
    month: int,
    held_days: set[dt.date],
    planned_days: set[dt.date],
    organiser_kind: str | None = None,
) -> Requirement | None:
    """The week and month rules for ``meeting_kind`` in one month; ``None``
    when no such rule applies to it."""
    rules = [
        rule
        for rule in rules
        if rule.rule_type == FREQUENCY
        and rule.meeting_kind == meeting_kind
        and rule.period in (WEEK, MONTH)
        and (
            not rule.organiser_kind
            or organiser_kind is None
            or rule.organiser_kind == organiser_kind
        )
    ]
    both = held_days | planned_days
    used, required, met, covered = [], 0, 0, 0
    for rule in rules:
        if rule.period == WEEK:
            for monday in mondays_of_month(year, month):
                if not rule.is_valid_on(monday):
                    continue
                sunday = monday + dt.timedelta(days=6)
                required += rule.minimum
                met += min(rule.minimum, _count_in(held_days, monday, sunday))
                covered += min(rule.minimum, _count_in(both, monday, sunday))
                if rule not in used:
                    used.append(rule)
        else:
            first = dt.date(year, month, 1)
            if not rule.is_valid_on(first):
                continue
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
            required += rule.minimum
            met += min(rule.minimum, _count_in(held_days, first, last))
            covered += min(rule.minimum, _count_in(both, first, last))
            used.append(rule)
    if not used:
        return None
    return Requirement(rules=tuple(used), required=required, met=met, covered=covered)


def year_requirement(
    rules: Iterable,
    *,
    meeting_kind: str,
    year: int,
    held_days: set[dt.date],
    planned_days: set[dt.date],
    organiser_kind: str | None = None,
) -> Requirement | None:
    """The year rules for ``meeting_kind`` (e.g. one dialogue conference a
    year); ``None`` when none is valid during the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rules = [
        rule
        for rule in rules
        if rule.rule_type == FREQUENCY
        and rule.meeting_kind == meeting_kind
        and rule.period == YEAR
        and (rule.valid_from is None or rule.valid_from <= last)
        and (rule.valid_to is None or rule.valid_to >= first)
        and (
            not rule.organiser_kind
            or organiser_kind is None
            or rule.organiser_kind == organiser_kind
        )
    ]
    if not rules:
        return None
    required = max(rule.minimum for rule in rules)
    held = _count_in(held_days, first, last)
    both = _count_in(held_days | planned_days, first, last)
    return Requirement(
        rules=tuple(rules),
        required=required,
        met=min(required, held),
        covered=min(required, both),
    )
