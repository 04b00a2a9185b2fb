"""Legal deadlines: the worked examples, Tết, weekends, make-up Saturdays."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback import deadlines
from feedback.errors import InvalidInputError
from feedback.models import CalendarException, DeadlinePolicy
from feedback.selectors.deadlines import compute_due_date, working_calendar

D = dt.date


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "stage", "start", "flags", "expected"),
    [
        # The worked examples of the legal deadline tables.
        ("complaint", "resolve", D(2024, 1, 25), {}, D(2024, 2, 26)),
        ("denunciation", "accept", D(2024, 2, 6), {}, D(2024, 2, 22)),
        ("complaint", "accept", D(2025, 4, 24), {}, D(2025, 5, 12)),
        ("complaint", "accept", D(2026, 8, 20), {}, D(2026, 8, 28)),
        ("denunciation", "resolve", D(2026, 8, 14), {}, D(2026, 9, 14)),
        (
            "denunciation",
            "resolve",
            D(2026, 8, 14),
            {"extensions": 1},
            D(2026, 10, 13),
        ),
        ("complaint", "resolve", D(2026, 1, 17), {}, D(2026, 2, 23)),
        ("feedback", "answer", D(2025, 1, 22), {}, D(2025, 2, 12)),
    ],
)
def test_worked_examples(kind, stage, start, flags, expected):
    assert compute_due_date(kind=kind, stage=stage, start=start, **flags).due_on == (
        expected
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("flags", "days", "expected"),
    [
        ({}, 30, D(2024, 3, 4)),  # 2024-02-03 + 30 = Mon 04/03
        ({"complex": True}, 45, D(2024, 3, 19)),
        ({"remote": True}, 45, D(2024, 3, 19)),
        ({"remote": True, "complex": True}, 60, D(2024, 4, 3)),
        ({"second": True}, 45, D(2024, 3, 19)),
        ({"second": True, "complex": True}, 60, D(2024, 4, 3)),
        ({"second": True, "remote": True}, 60, D(2024, 4, 3)),
        ({"second": True, "remote": True, "complex": True}, 70, D(2024, 4, 15)),
    ],
)
def test_complaint_resolution_variants(flags, days, expected):
    """Variants pick the longer periods of Luật Khiếu nại Arts 28 and 37;
    2024-04-13 (day 70) is a Saturday, so it rolls to Monday 15/04."""
    result = compute_due_date(
        kind="complaint", stage="resolve", start=D(2024, 2, 3), **flags
    )
    assert result.days == days
    assert result.due_on == expected


@pytest.mark.django_db
def test_rule_set_changes_on_validity_date():
    """Complaint acceptance: 10 working days until 30/06/2026, 7 after."""
    before = compute_due_date(kind="complaint", stage="accept", start=D(2026, 6, 30))
    after = compute_due_date(kind="complaint", stage="accept", start=D(2026, 7, 1))
    assert before.days == 10
    assert after.days == 7
    assert before.due_on == D(2026, 7, 14)
    assert after.due_on == D(2026, 7, 10)


@pytest.mark.django_db
def test_several_places_lengthens_denunciation_acceptance():
    result = compute_due_date(
        kind="denunciation", stage="accept", start=D(2024, 3, 1), several_places=True
    )
    assert result.days == 10
    assert result.due_on == D(2024, 3, 15)


@pytest.mark.django_db
def test_two_extensions_is_the_maximum_for_denunciations():
    two = compute_due_date(
        kind="denunciation", stage="resolve", start=D(2024, 3, 1), extensions=2
    )
    assert two.days == 90
    with pytest.raises(InvalidInputError) as error:
        compute_due_date(
            kind="denunciation", stage="resolve", start=D(2024, 3, 1), extensions=3
        )
    assert error.value.code == "too_many_extensions"


@pytest.mark.django_db
def test_complaints_cannot_be_extended():
    with pytest.raises(InvalidInputError):
        compute_due_date(
            kind="complaint", stage="resolve", start=D(2024, 3, 1), extensions=1
        )


@pytest.mark.django_db
def test_second_time_never_falls_back_to_first_time_rules():
    with pytest.raises(InvalidInputError):
        compute_due_date(
            kind="denunciation", stage="resolve", start=D(2024, 3, 1), second=True
        )


@pytest.mark.django_db
def test_process_stage_applies_to_every_kind():
    result = compute_due_date(
        kind="voter_petition", stage="process", start=D(2024, 3, 1)
    )
    assert result.policy.kind == DeadlinePolicy.ANY_KIND
    assert result.due_on == D(2024, 3, 15)


@pytest.mark.django_db
def test_policy_edits_in_the_admin_change_due_dates():
    DeadlinePolicy.objects.filter(kind="feedback", stage="answer").update(days=5)
    result = compute_due_date(kind="feedback", stage="answer", start=D(2024, 3, 1))
    assert result.due_on == D(2024, 3, 8)


@pytest.mark.django_db
def test_announced_day_off_is_skipped_and_make_up_saturday_counts():
    CalendarException.objects.create(
        date=D(2024, 3, 4), kind="day_off", reason="Nghỉ bù"
    )
    cal = working_calendar(first_year=2024, last_year=2024)
    assert not cal.is_working_day(D(2024, 3, 4))
    assert cal.is_working_day(D(2024, 5, 4))  # seeded make-up Saturday
    assert not cal.is_working_day(D(2024, 5, 11))  # an ordinary Saturday


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("year", "first_off", "last_off"),
    [
        (2024, D(2024, 2, 8), D(2024, 2, 14)),
        (2025, D(2025, 1, 27), D(2025, 2, 1)),
        (2026, D(2026, 2, 16), D(2026, 2, 20)),
    ],
)
def test_tet_holidays_are_not_working_days(year, first_off, last_off):
    cal = working_calendar(first_year=year, last_year=year)
    day = first_off
    while day <= last_off:
        assert not cal.is_working_day(day), day
        day += dt.timedelta(days=1)
    assert (
        cal.is_working_day(last_off + dt.timedelta(days=1))
        or (last_off + dt.timedelta(days=1)).weekday() >= 5
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # 5 working days across Tết 2024: 07/02 then 15, 16, 19, 20.
        (D(2024, 2, 6), 5, D(2024, 2, 20)),
        # Across Tết 2025 (27/01–01/02 off, 25–26/01 weekend).
        (D(2025, 1, 23), 3, D(2025, 2, 4)),
        # Across Tết 2026 (16–20/02 off).
        (D(2026, 2, 12), 2, D(2026, 2, 23)),
    ],
)
def test_working_days_across_tet(start, days, expected):
    cal = working_calendar(first_year=start.year, last_year=start.year)
    assert deadlines.add_working_days(start, days, cal) == expected


EMPTY = deadlines.WorkingCalendar(holidays=frozenset())


def test_working_days_skip_weekends():
    # Friday + 1 working day = Monday.
    assert deadlines.add_working_days(D(2024, 3, 1), 1, EMPTY) == D(2024, 3, 4)


def test_calendar_days_roll_forward_to_a_working_day():
    # Friday + 1 calendar day = Saturday → Monday.
    assert deadlines.add_calendar_days(D(2024, 3, 1), 1, EMPTY) == D(2024, 3, 4)
    # Friday + 3 calendar days = Monday, unchanged.
    assert deadlines.add_calendar_days(D(2024, 3, 1), 3, EMPTY) == D(2024, 3, 4)


def test_days_left_counts_working_days_both_ways():
    assert deadlines.working_days_left(D(2024, 3, 1), D(2024, 3, 5), EMPTY) == 2
    assert deadlines.working_days_left(D(2024, 3, 5), D(2024, 3, 5), EMPTY) == 0
    assert deadlines.working_days_left(D(2024, 3, 5), D(2024, 3, 1), EMPTY) == -2


def test_variant_candidates_most_specific_first():
    assert deadlines.variant_candidates(remote=True, complex=True) == [
        "remote_complex",
        "remote",
        "complex",
        "standard",
    ]
    assert deadlines.variant_candidates(second=True, complex=True) == [
        "second_complex",
        "second",
    ]


HOLIDAYS = st.frozensets(
    st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 6, 30)),
    days=st.integers(min_value=1, max_value=60),
    holidays=HOLIDAYS,
)
def test_working_day_due_date_properties(start, days, holidays):
    """The due date is a working day, exactly ``days`` working days ahead."""
    cal = deadlines.WorkingCalendar(holidays=holidays)
    due = deadlines.add_working_days(start, days, cal)
    assert cal.is_working_day(due)
    assert deadlines.working_days_left(start, due, cal) == days


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 6, 30)),
    days=st.integers(min_value=0, max_value=90),
    holidays=HOLIDAYS,
)
def test_calendar_day_due_date_properties(start, days, holidays):
    """Never before start + days; a working day; no working day skipped."""
    cal = deadlines.WorkingCalendar(holidays=holidays)
    due = deadlines.add_calendar_days(start, days, cal)
    earliest = start + dt.timedelta(days=days)
    assert due >= earliest
    assert cal.is_working_day(due)
    day = earliest
    while day < due:
        assert not cal.is_working_day(day)
        day += dt.timedelta(days=1)
