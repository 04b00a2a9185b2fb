"""Hand-checked figures of a small commune, the definitions behind them, and
the query count of the statistics."""

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import Case, UnitKind
from reports.periods import parse_period
from reports.selectors import report_cases
from reports.statistics import FIGURE_KEYS, percentage, report_summary
from tests.factories import UnitFactory, make_case

pytestmark = pytest.mark.django_db

Q1 = parse_period("2024-Q1")
TODAY = dt.date(2024, 6, 30)


def summary(commune, unit=None, period=Q1, user=None):
    return report_summary(
        user=user, unit=unit or commune.root, period=period, today=TODAY
    )


def rows_by_key(rows):
    return {row.key: row.figures for row in rows}


def test_the_quarter_of_the_commune_by_hand(commune, q1_cases):
    """Carried over: c1, c6; received: c2, c3, c4, c5, c7, c10; resolved: c1
    (late), c2 (on time, upheld); not accepted: c3 (returned), c5
    (forwarded); withdrawn: c7; open at the end: c4, c10 (within), c6
    (overdue)."""
    figures = summary(commune).total.figures
    assert figures["carried_over"] == 2
    assert figures["received"] == 6
    assert figures["in_hand"] == 8
    assert figures["accepted"] == 2  # c2 on 20/01, c10 on 31/03
    assert figures["resolved"] == 2
    assert figures["resolved_on_time"] == 1
    assert figures["resolved_late"] == 1
    assert figures["not_accepted"] == 2
    assert figures["returned"] == 1
    assert figures["transferred"] == 1
    assert figures["archived"] == 0
    assert figures["withdrawn"] == 1
    assert figures["open_end"] == 3
    assert figures["open_within"] == 2
    assert figures["open_overdue"] == 1
    assert figures["upheld"] == 1
    assert figures["mass"] == 1  # c4: 7 petitioners
    assert figures["hot_spot"] == 1
    rates = summary(commune).total.rates
    assert rates["resolution_rate"] == percentage(2, 5)
    assert str(rates["on_time_rate"]) == "50.0"
    assert rates["satisfaction_rate"] is None


def test_units_roll_up_their_subtrees(commune, q1_cases):
    """The committee's row includes its office; the rows add up to the total."""
    report = summary(commune)
    units = rows_by_key(report.by_unit)
    assert list(units) == ["UB", "HA", "HB"]
    assert units["UB"]["carried_over"] == 1
    assert units["UB"]["received"] == 3
    assert units["UB"]["resolved"] == 2
    assert units["HA"]["not_accepted"] == 1
    assert units["HA"]["withdrawn"] == 1
    assert units["HA"]["open_overdue"] == 1
    assert units["HB"]["open_end"] == 1
    for key in FIGURE_KEYS:
        assert sum(row[key] for row in units.values()) == report.total.figures[key]
        for rows in (report.by_kind, report.by_field, report.by_channel):
            assert sum(r.figures[key] for r in rows) == report.total.figures[key]


def test_a_unit_report_counts_only_its_subtree(commune, q1_cases):
    report = summary(commune, unit=commune.hamlet_a)
    assert report.total.figures["in_hand"] == 3
    assert [row.key for row in report.by_unit] == ["HA"]
    assert report.by_unit[0].params == {"unit": "HA", "own": "1"}


def test_breakdowns_by_kind_and_channel(commune, q1_cases):
    report = summary(commune)
    kinds = rows_by_key(report.by_kind)
    assert kinds["complaint"]["received"] == 1
    assert kinds["complaint"]["upheld"] == 1
    assert kinds["feedback"]["received"] == 5
    channels = rows_by_key(report.by_channel)
    assert channels["letter"]["transferred"] == 1
    assert channels["in_person"]["received"] == 5


def test_past_periods_are_counted_as_they_stood(commune, q1_cases):
    """Q2 starts with what Q1 left open, and a transition after a period's end
    does not change that period."""
    q2 = summary(commune, period=parse_period("2024-Q2")).total.figures
    assert q2["carried_over"] == summary(commune).total.figures["open_end"]
    assert q2["received"] == 1  # c8
    assert q2["resolved"] == 1  # c10 on 02/04


def test_every_figure_drills_down_to_the_cases_it_counts(commune, q1_cases):
    report = summary(commune)
    expected = {
        "carried_over": {q1_cases.c1, q1_cases.c6},
        "resolved_late": {q1_cases.c1},
        "not_accepted": {q1_cases.c3, q1_cases.c5},
        "open_end": {q1_cases.c4, q1_cases.c6, q1_cases.c10},
        "open_overdue": {q1_cases.c6},
    }
    for figure, cases in expected.items():
        found = set(
            report_cases(
                user=commune.supervisor,
                unit=commune.root,
                period=Q1,
                figure=figure,
                today=TODAY,
            )
        )
        assert {c.pk for c in found} == {c.pk for c in cases}, figure
    for key in FIGURE_KEYS:
        count = report_cases(
            user=commune.supervisor,
            unit=commune.root,
            period=Q1,
            figure=key,
            today=TODAY,
        ).count()
        assert count == report.total.figures[key], key


def test_a_backdated_receipt_counts_its_finish_at_the_receipt(commune):
    """A finish stamped before the receipt (a letter logged with an earlier
    date than its handling was typed in) still balances."""
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        received_at=dt.datetime(2024, 2, 20, 9, tzinfo=dt.UTC),
    ).case
    from tests.reports.conftest import act, at

    act(case.pk, "archive", at(dt.date(2023, 12, 30)), commune.supervisor)
    figures = summary(commune).total.figures
    assert figures["received"] == 1
    assert figures["archived"] == 1
    assert figures["open_end"] == 0


def test_the_reader_sees_only_the_figures_of_cases_they_may_see(commune, q1_cases):
    """An officer of hamlet A reading hamlet A's report counts hamlet A's cases;
    a supervisor of the commune counts them too."""
    officer = summary(commune, unit=commune.hamlet_a, user=commune.officer_a)
    supervisor = summary(commune, unit=commune.hamlet_a, user=commune.supervisor)
    assert officer.total.figures == supervisor.total.figures
    office_for_hamlet = summary(commune, unit=commune.root, user=commune.officer_a)
    assert office_for_hamlet.total.figures["in_hand"] == 3


def _hamlets_with_cases(commune, count):
    for index in range(count):
        hamlet = UnitFactory(
            code=f"X{index}",
            name=f"Xóm {index}",
            kind=UnitKind.HAMLET,
            parent=commune.root,
        )
        make_case(
            actor=commune.reception,
            unit=hamlet,
            received_at=dt.datetime(2024, 2, 1, 3, tzinfo=dt.UTC),
        )


@pytest.mark.parametrize("hamlets", [2, 20])
def test_the_summary_takes_the_same_queries_for_2_and_20_units(
    commune, hamlets, django_assert_num_queries
):
    _hamlets_with_cases(commune, hamlets)
    user = Case.objects.none()  # warm nothing: the system reads
    del user
    # kind × channel × field, unit, the fields, the unit's children,
    # reception (visits + links), meetings (meetings + items)
    with django_assert_num_queries(queries_per_summary()):
        report = summary(commune)
    assert report.total.figures["received"] == hamlets


def queries_per_summary() -> int:
    # PostgreSQL counts both groupings in one query (GROUPING SETS).
    return 7 if connection.vendor == "postgresql" else 8


def test_terminal_states_are_left_by_no_status_change():
    """The statistics join a case's one terminal event: the workflow must not
    let a returned, forwarded, archived or withdrawn case change status."""
    from feedback import workflow
    from reports.statistics import TERMINAL_ACTIONS

    targets = {workflow.ACTIONS[name].target for name in TERMINAL_ACTIONS}
    for action in workflow.ACTIONS.values():
        if action.target is not None:
            assert not (action.sources & targets), action.name


def test_a_closed_periods_figures_are_cached_until_a_case_changes(commune, q1_cases):
    cache.clear()
    fresh = summary(commune).as_dict()

    def cached():
        return report_summary(
            user=None, unit=commune.root, period=Q1, today=TODAY, cached=True
        )

    assert cached().as_dict() == fresh
    with CaptureQueriesContext(connection) as second:
        assert cached().as_dict() == fresh
    # The stamp instead of the grouped queries.
    assert len(second) == queries_per_summary() - (
        0 if connection.vendor == "postgresql" else 1
    )
    # Received in Q1 after all: saved like every service write, so the stamp
    # moves and the figures follow.
    case = Case.objects.get(pk=q1_cases.c6.pk)
    case.received_at = dt.datetime(2024, 2, 1, 3, tzinfo=dt.UTC)
    case.save()
    assert cached().total.figures == summary(commune).total.figures
    assert (
        cached().total.figures["received"] == fresh["total"]["figures"]["received"] + 1
    )
    cache.clear()


def test_a_running_period_is_never_cached(commune, q1_cases):
    cache.clear()
    running = {"user": None, "unit": commune.root, "period": Q1, "cached": True}
    report_summary(**running, today=dt.date(2024, 3, 31))
    with CaptureQueriesContext(connection) as again:
        report_summary(**running, today=dt.date(2024, 3, 31))
    assert len(again) == queries_per_summary()
    cache.clear()


def test_the_period_filter_drops_only_cases_no_figure_counts(commune, q1_cases):
    """Each figure's cases are the same with the period pre-filter as over
    every case of the scope."""
    from reports.statistics import (
        case_scope,
        figure_condition,
        relevant_between,
        with_timeline,
    )

    scope = case_scope(user=None, unit=commune.root)
    for period in (Q1, parse_period("2024-Q2"), parse_period("2023-Q4")):
        as_of = period.as_of(TODAY)
        for key in FIGURE_KEYS:
            condition = figure_condition(key, period=period, as_of=as_of)
            every = set(with_timeline(scope).filter(condition).values_list("pk"))
            relevant = with_timeline(
                scope.filter(relevant_between(period.start_at, period.end_at))
            ).filter(condition)
            assert set(relevant.values_list("pk")) == every, (period.code, key)


def test_one_process_computes_cached_figures_the_others_wait(settings):
    """At a quarter's end everybody opens the same report: while one
    process computes the figures, the others wait for its result instead
    of running the same heavy query together."""
    import threading

    from django.core.cache import cache

    from reports.statistics import computed_once

    key = "report-figures:test-dogpile"
    cache.delete(key)
    calls = []
    started = threading.Event()

    def slow():
        calls.append(threading.current_thread().name)
        started.set()
        time.sleep(0.3)
        return {"received": 7}

    first = threading.Thread(target=lambda: computed_once(key, slow, 60), name="a")
    first.start()
    started.wait(5)
    # The second reader finds the lock and gets the first one's result.
    assert computed_once(key, slow, 60) == {"received": 7}
    first.join()
    assert calls == ["a"]
    cache.delete(key)
