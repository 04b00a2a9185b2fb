"""Periods: codes, calendar and cut-off windows (NĐ 09/2019 Art 12), labels."""

import datetime as dt

import pytest
from django.utils import translation

from feedback.errors import InvalidInputError
from reports.periods import (
    Window,
    current_quarter,
    last_months,
    parse_period,
    recent_periods,
)

D = dt.date


@pytest.mark.parametrize(
    ("code", "window", "start", "end"),
    [
        ("2024-Q1", "calendar", D(2024, 1, 1), D(2024, 3, 31)),
        ("2024-Q4", "calendar", D(2024, 10, 1), D(2024, 12, 31)),
        ("2024-H1", "calendar", D(2024, 1, 1), D(2024, 6, 30)),
        ("2024-H2", "calendar", D(2024, 7, 1), D(2024, 12, 31)),
        ("2024-9M", "calendar", D(2024, 1, 1), D(2024, 9, 30)),
        ("2024", "calendar", D(2024, 1, 1), D(2024, 12, 31)),
        ("2024-Q1", "cutoff", D(2023, 12, 15), D(2024, 3, 14)),
        ("2024-Q3", "cutoff", D(2024, 6, 15), D(2024, 9, 14)),
        ("2024-H1", "cutoff", D(2023, 12, 15), D(2024, 6, 14)),
        ("2024-H2", "cutoff", D(2024, 6, 15), D(2024, 12, 14)),
        ("2024-9M", "cutoff", D(2023, 12, 15), D(2024, 9, 14)),
        ("2024", "cutoff", D(2023, 12, 15), D(2024, 12, 14)),
        ("2024-02-01..2024-02-29", None, D(2024, 2, 1), D(2024, 2, 29)),
        ("2024-q2", None, D(2024, 4, 1), D(2024, 6, 30)),
    ],
)
def test_periods_and_windows(code, window, start, end):
    period = parse_period(code, window)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "2024-Q5",
        "2024-H3",
        "24-Q1",
        "2024-02-30..2024-03-01",
        "2024-03-01..2024-02-01",
        "2000-01-01..2019-01-01",
    ],
)
def test_bad_codes_are_refused_with_the_period_field(code):
    with pytest.raises(InvalidInputError) as error:
        parse_period(code)
    assert "period" in error.value.fields


def test_an_unknown_window_is_refused():
    with pytest.raises(InvalidInputError) as error:
        parse_period("2024", "weekly")
    assert "window" in error.value.fields


def test_bounds_are_local_midnights():
    period = parse_period("2024-Q1")
    assert period.start_at.isoformat() == "2024-01-01T00:00:00+07:00"
    assert period.end_at.isoformat() == "2024-04-01T00:00:00+07:00"
    assert period.as_of(D(2024, 2, 10)) == D(2024, 2, 10)
    assert period.as_of(D(2024, 6, 1)) == D(2024, 3, 31)


def test_labels_in_vietnamese():
    with translation.override("vi"):
        assert parse_period("2024-Q3").label == "quý III năm 2024"
        assert parse_period("2024-H1").label == "6 tháng đầu năm 2024"
        assert parse_period("2024-9M").label == "9 tháng năm 2024"
        assert parse_period("2024").label == "năm 2024"
        assert (
            parse_period("2024", Window.CUTOFF).full_label
            == "năm 2024 (từ 15/12/2023 đến 14/12/2024)"
        )


def test_the_codes_round_trip():
    for code in ("2024-Q2", "2024-H2", "2024-9M", "2024", "2024-01-05..2024-02-01"):
        assert parse_period(code).code == code


def test_choosing_periods():
    assert current_quarter(D(2024, 8, 15)).code == "2024-Q3"
    months = last_months(D(2024, 2, 10), 24)
    assert len(months) == 24
    assert months[0].start == D(2022, 3, 1) and months[-1].end == D(2024, 2, 29)
    recent = [p.code for p in recent_periods(D(2024, 5, 1), years=1)]
    assert recent == ["2024", "2024-9M", "2024-H1", "2024-Q2", "2024-Q1"]
