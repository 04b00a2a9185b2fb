"""The balance holds for generated data, every period and every unit:

    carried over + received = resolved + not accepted + withdrawn + open at end

Cases are created through ``case_create`` and moved through
``case_transition`` at random moments (the timestamps and event times are set
afterwards), including finishes stamped before the receipt. The figures are
also checked against an independent count in Python of the same timelines.
"""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.periods import Window, date_range, named_period, parse_period
from reports.statistics import report_summary
from tests.reports.conftest import act, at, new_case

pytestmark = pytest.mark.django_db

START = dt.date(2023, 7, 1)
UNITS = ("office", "committee", "hamlet_a", "hamlet_b")
ENDINGS = (
    "open",
    "accept",
    "resolve",
    "close",
    "return",
    "forward",
    "archive",
    "withdraw",
    "accept_withdraw",
)
PERIODS = [
    *(parse_period(code) for code in ("2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2")),
    *(parse_period(code) for code in ("2024-Q3", "2024-H1", "2024-9M", "2024")),
    named_period("half_year", 2024, 1, window=Window.CUTOFF),
    named_period("year", 2024, window=Window.CUTOFF),
    named_period("quarter", 2024, 2, window=Window.CUTOFF),
]
TODAY = dt.date(2024, 10, 15)

plans = st.lists(
    st.fixed_dictionaries(
        {
            "unit": st.sampled_from(UNITS),
            "kind": st.sampled_from(["feedback", "complaint", "voter_petition"]),
            "day": st.integers(0, 450),
            "hour": st.integers(0, 23),
            "ending": st.sampled_from(ENDINGS),
            "gap": st.integers(0, 120),
            "gap2": st.integers(0, 120),
            "hour2": st.integers(0, 23),
        }
    ),
    min_size=1,
    max_size=6,
)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def build(commune, plan):
    """Create one planned case; answer its (received, finished, how) times."""
    received = at(START + dt.timedelta(days=plan["day"]), plan["hour"])
    case = new_case(
        commune, getattr(commune, plan["unit"]), received, kind=plan["kind"]
    )
    first = at(START + dt.timedelta(days=plan["day"] + plan["gap"]), plan["hour2"])
    second = first + dt.timedelta(days=plan["gap2"], minutes=1)
    ending, actor = plan["ending"], commune.supervisor
    finished, how = None, None
    if ending in ("accept", "resolve", "close", "accept_withdraw"):
        act(case.pk, "accept", first, actor)
    if ending in ("resolve", "close"):
        act(case.pk, "resolve", second, actor)
        finished, how = second, "resolved"
    if ending == "close":
        act(case.pk, "close", second + dt.timedelta(days=3), actor)
    if ending in ("return", "forward", "archive"):
        act(case.pk, ending, first, actor)
        finished, how = first, "not_accepted"
    if ending in ("withdraw", "accept_withdraw"):
        act(case.pk, "withdraw", second if ending != "withdraw" else first, actor)
        finished = second if ending != "withdraw" else first
        how = "withdrawn"
    if finished is not None and finished < received:
        finished = received
    return received, finished, how


def expected(timelines, period):
    start, end = period.start_at, period.end_at
    figures = dict.fromkeys(
        ("carried_over", "received", "resolved", "not_accepted", "withdrawn"), 0
    )
    figures["open_end"] = 0
    for received, finished, how in timelines:
        if received < start and (finished is None or finished >= start):
            figures["carried_over"] += 1
        if start <= received < end:
            figures["received"] += 1
        if finished is not None and start <= finished < end:
            figures[how] += 1
        if received < end and (finished is None or finished >= end):
            figures["open_end"] += 1
    return figures


def assert_balanced(figures, where):
    assert (
        figures["carried_over"] + figures["received"]
        == figures["resolved"]
        + figures["not_accepted"]
        + figures["withdrawn"]
        + figures["open_end"]
    ), where
    assert figures["in_hand"] == figures["carried_over"] + figures["received"]
    assert figures["resolved"] == figures["resolved_on_time"] + figures["resolved_late"]
    assert figures["open_end"] == figures["open_within"] + figures["open_overdue"]
    assert figures["not_accepted"] == (
        figures["returned"] + figures["transferred"] + figures["archived"]
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plans=plans,
    periods=st.lists(st.sampled_from(PERIODS), min_size=1, max_size=3, unique=True),
    extra_range=st.tuples(st.integers(0, 500), st.integers(0, 200)),
    unit=st.sampled_from(("committee", "office", "hamlet_a")),
)
def test_the_balance_holds_for_every_period_and_unit(
    commune, plans, periods, extra_range, unit
):
    first_day = START + dt.timedelta(days=extra_range[0])
    periods = [
        *periods,
        date_range(first_day, first_day + dt.timedelta(days=extra_range[1])),
    ]
    with rolled_back():
        timelines = [build(commune, plan) for plan in plans]
        for period in periods:
            root = report_summary(
                user=None,
                unit=commune.root,
                period=period,
                today=TODAY,
                with_extra=False,
            )
            assert_balanced(root.total.figures, (period.code, "total"))
            for row in root.by_unit:
                assert_balanced(row.figures, (period.code, row.key))
            truth = expected(timelines, period)
            assert {key: root.total.figures[key] for key in truth} == truth
            sub = report_summary(
                user=None,
                unit=getattr(commune, unit),
                period=period,
                today=TODAY,
                with_extra=False,
            )
            assert_balanced(sub.total.figures, (period.code, unit))
            for row in sub.by_unit:
                assert_balanced(row.figures, (period.code, unit, row.key))


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=plans)
def test_a_period_carries_over_what_the_previous_one_left_open(commune, plans):
    with rolled_back():
        for plan in plans:
            build(commune, plan)
        quarters = [
            parse_period(f"{y}-Q{q}")
            for y, q in ((2023, 3), (2023, 4), (2024, 1), (2024, 2), (2024, 3))
        ]
        figures = [
            report_summary(
                user=None, unit=commune.root, period=q, today=TODAY, with_extra=False
            ).total.figures
            for q in quarters
        ]
        for before, after in zip(figures, figures[1:], strict=False):
            assert after["carried_over"] == before["open_end"]
