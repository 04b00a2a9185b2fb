"""The queue's "working days left" agrees with the day-by-day count of the
deadline engine, in time that does not grow with how late a case is."""

import datetime as dt
import random
from types import SimpleNamespace

from feedback import deadlines
from feedback.selectors.queue import days_left

BASE = dt.date(2024, 1, 1)


def _calendar(rng):
    def days(count):
        return frozenset(
            BASE + dt.timedelta(days=rng.randrange(1200)) for _ in range(count)
        )

    return deadlines.WorkingCalendar(
        holidays=days(30), extra_days_off=days(5), extra_working_days=days(8)
    )


def test_days_left_matches_the_deadline_engine():
    rng = random.Random(10)
    for _ in range(2000):
        calendar = _calendar(rng)
        today = BASE + dt.timedelta(days=rng.randrange(1100))
        due_on = today + dt.timedelta(days=rng.randrange(-400, 100))
        case = SimpleNamespace(is_open=True, stage_due_on=due_on)
        assert days_left(case, today=today, calendar=calendar) == (
            deadlines.working_days_left(today, due_on, calendar)
        ), (today, due_on)


def test_swapped_days_count_as_the_calendar_says():
    # Saturday 4 May 2024 is worked; Monday 6 May is a day off.
    calendar = deadlines.WorkingCalendar(
        holidays=frozenset({dt.date(2024, 4, 30), dt.date(2024, 5, 1)}),
        extra_days_off=frozenset({dt.date(2024, 5, 6)}),
        extra_working_days=frozenset({dt.date(2024, 5, 4)}),
    )
    case = SimpleNamespace(is_open=True, stage_due_on=dt.date(2024, 5, 7))
    # Thu 2, Fri 3, Sat 4 (worked), Tue 7: Mon 6 is off.
    assert days_left(case, today=dt.date(2024, 5, 1), calendar=calendar) == 4
    assert days_left(case, today=dt.date(2024, 5, 7), calendar=calendar) == 0
    late = SimpleNamespace(is_open=True, stage_due_on=dt.date(2024, 4, 29))
    # Tue 30 Apr and Wed 1 May are holidays: late by Thu 2 and Fri 3.
    assert days_left(late, today=dt.date(2024, 5, 3), calendar=calendar) == -2


def test_closed_or_undated_cases_have_no_days_left():
    calendar = deadlines.WorkingCalendar(holidays=frozenset())
    today = dt.date(2024, 5, 2)
    closed = SimpleNamespace(is_open=False, stage_due_on=today)
    undated = SimpleNamespace(is_open=True, stage_due_on=None)
    assert days_left(closed, today=today, calendar=calendar) is None
    assert days_left(undated, today=today, calendar=calendar) is None
