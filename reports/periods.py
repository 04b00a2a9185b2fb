"""Reporting periods: parsing, windows and labels (pure functions).

A period is written as a short code that pages, the API and the command line
share:

* ``2024-Q1`` … ``2024-Q4`` — a quarter;
* ``2024-H1`` (the first 6 months, "sơ kết 6 tháng") and ``2024-H2``;
* ``2024-9M`` — the first 9 months;
* ``2024`` — the year ("tổng kết năm");
* ``2024-01-01..2024-03-31`` — any range of days, both ends included.

Each named period has two windows:

* ``calendar`` — the calendar months (Q1 = 01/01–31/03);
* ``cutoff`` — the data window of NĐ 09/2019/NĐ-CP Art 12: from the 15th of
  the month before the period's first month to the 14th of its last month
  (Q1 = 15/12 of the year before – 14/03; 6 months = 15/12 – 14/06;
  9 months = 15/12 – 14/09; year = 15/12 – 14/12).

A date range has no window. Which window a report type uses is the
deployment's choice (``reports.models.ReportSettings``); a request may name
one explicitly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback.errors import InvalidInputError


class PeriodKind:
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    NINE_MONTHS = "nine_months"
    YEAR = "year"
    RANGE = "range"

    NAMED = (QUARTER, HALF_YEAR, NINE_MONTHS, YEAR)


class Window:
    CALENDAR = "calendar"
    CUTOFF = "cutoff"

    CHOICES = [
        (CALENDAR, gettext_lazy("Calendar months")),
        (CUTOFF, gettext_lazy("Cut-off window 15th–14th (Decree 09/2019, Art. 12)")),
    ]
    VALUES = (CALENDAR, CUTOFF)


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# The longest range accepted: ten years is more than any report asks for and
# keeps a mistyped year from scanning a century.
MAX_RANGE_DAYS = 3660

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_NINE = re.compile(r"^(\d{4})-9M$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    """A reporting period: its kind, the first and last day (both included)
    and the window that produced them."""

    kind: str
    year: int
    part: int
    start: dt.date
    end: dt.date
    window: str = Window.CALENDAR

    # ------------------------------------------------------------------
    @property
    def code(self) -> str:
        """The code that reproduces this period (without the window)."""
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.part}"
        if self.kind == PeriodKind.HALF_YEAR:
            return f"{self.year}-H{self.part}"
        if self.kind == PeriodKind.NINE_MONTHS:
            return f"{self.year}-9M"
        if self.kind == PeriodKind.YEAR:
            return str(self.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def start_at(self) -> dt.datetime:
        """The first moment of the period, local midnight of ``start``."""
        return _local_midnight(self.start)

    @property
    def end_at(self) -> dt.datetime:
        """The first moment after the period: local midnight after ``end``."""
        return _local_midnight(self.end + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_of(self, today: dt.date) -> dt.date:
        """The day on which "overdue" is judged: the period's last day, or
        today while the period is still running."""
        return min(self.end, today)

    @property
    def label(self) -> str:
        """How a report names the period, e.g. "quý I năm 2024"."""
        if self.kind == PeriodKind.QUARTER:
            text = _("quarter %(roman)s of %(year)s") % {
                "roman": ROMAN[self.part],
                "year": self.year,
            }
        elif self.kind == PeriodKind.HALF_YEAR:
            text = (
                _("the first 6 months of %(year)s")
                if self.part == 1
                else _("the last 6 months of %(year)s")
            ) % {"year": self.year}
        elif self.kind == PeriodKind.NINE_MONTHS:
            text = _("the first 9 months of %(year)s") % {"year": self.year}
        elif self.kind == PeriodKind.YEAR:
            text = _("the year %(year)s") % {"year": self.year}
        else:
            return self.range_label
        return text

    @property
    def range_label(self) -> str:
        return _("from %(start)s to %(end)s") % {
            "start": self.start.strftime("%d/%m/%Y"),
            "end": self.end.strftime("%d/%m/%Y"),
        }

    @property
    def full_label(self) -> str:
        """The label with the days it covers when they are not obvious."""
        if self.kind == PeriodKind.RANGE:
            return self.label
        return f"{self.label} ({self.range_label})"

    def next_year(self) -> int:
        return self.end.year + 1 if self.kind == PeriodKind.YEAR else self.end.year


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone()
    )


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _months(kind: str, part: int) -> tuple[int, int]:
    """First and last month of a named period."""
    if kind == PeriodKind.QUARTER:
        return 3 * part - 2, 3 * part
    if kind == PeriodKind.HALF_YEAR:
        return (1, 6) if part == 1 else (7, 12)
    if kind == PeriodKind.NINE_MONTHS:
        return 1, 9
    return 1, 12


def named_period(
    kind: str, year: int, part: int = 1, window: str = Window.CALENDAR
) -> Period:
    """A quarter, half-year, 9 months or year in the given window."""
    if window not in Window.VALUES:
        raise InvalidInputError(fields={"window": _("Unknown window.")})
    if not 1900 <= year <= 9998:
        raise InvalidInputError(fields={"period": _("Enter a valid year.")})
    first, last = _months(kind, part)
    if window == Window.CALENDAR:
        start = dt.date(year, first, 1)
        end = _last_day(year, last)
    else:
        start = (
            dt.date(year - 1, 12, 15) if first == 1 else dt.date(year, first - 1, 15)
        )
        end = dt.date(year, last, 14)
    return Period(kind=kind, year=year, part=part, start=start, end=end, window=window)


def date_range(start: dt.date, end: dt.date) -> Period:
    """Any range of days, both ends included."""
    if end < start:
        raise InvalidInputError(
            fields={"period": _("The end date is before the start date.")}
        )
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidInputError(
            fields={"period": _("A report covers at most ten years.")}
        )
    return Period(
        kind=PeriodKind.RANGE, year=end.year, part=0, start=start, end=end, window=""
    )


def parse_period(code: str, window: str | None = None) -> Period:
    """The period a code names (see the module docstring); ``window`` applies
    to named periods and defaults to calendar months."""
    code = (code or "").strip().upper()
    window = window or Window.CALENDAR
    if match := _QUARTER.match(code):
        return named_period(
            PeriodKind.QUARTER, int(match[1]), int(match[2]), window=window
        )
    if match := _HALF.match(code):
        return named_period(
            PeriodKind.HALF_YEAR, int(match[1]), int(match[2]), window=window
        )
    if match := _NINE.match(code):
        return named_period(PeriodKind.NINE_MONTHS, int(match[1]), window=window)
    if match := _YEAR.match(code):
        return named_period(PeriodKind.YEAR, int(match[1]), window=window)
    if match := _RANGE.match(code):
        try:
            start = dt.date.fromisoformat(match[1])
            end = dt.date.fromisoformat(match[2])
        except ValueError:
            raise InvalidInputError(
                fields={"period": _("Enter valid dates.")}
            ) from None
        return date_range(start, end)
    raise InvalidInputError(
        fields={
            "period": _(
                "Unknown period. Use 2024-Q1, 2024-H1, 2024-9M, 2024 or "
                "2024-01-01..2024-03-31."
            )
        }
    )


def period_kind_of(code: str) -> str:
    """The kind of period a code names, without building it."""
    code = (code or "").strip().upper()
    if _QUARTER.match(code):
        return PeriodKind.QUARTER
    if _HALF.match(code):
        return PeriodKind.HALF_YEAR
    if _NINE.match(code):
        return PeriodKind.NINE_MONTHS
    if _YEAR.match(code):
        return PeriodKind.YEAR
    return PeriodKind.RANGE


def current_quarter(today: dt.date) -> Period:
    return named_period(PeriodKind.QUARTER, today.year, (today.month - 1) // 3 + 1)


def month_period(year: int, month: int) -> Period:
    return date_range(dt.date(year, month, 1), _last_day(year, month))


def last_months(today: dt.date, count: int) -> list[Period]:
    """The ``count`` calendar months up to and including today's, oldest
    first."""
    months = []
    year, month = today.year, today.month
    for _index in range(count):
        months.append(month_period(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def recent_periods(today: dt.date, years: int = 3) -> list[Period]:
    """Named periods (calendar window) of the last ``years`` years, newest
    first, for choosing a report; periods that have not started are left
    out."""
    periods = []
    for year in range(today.year, today.year - years, -1):
        candidates = [
            named_period(PeriodKind.YEAR, year),
            named_period(PeriodKind.NINE_MONTHS, year),
            named_period(PeriodKind.HALF_YEAR, year, 2),
            named_period(PeriodKind.HALF_YEAR, year, 1),
            *(named_period(PeriodKind.QUARTER, year, q) for q in (4, 3, 2, 1)),
        ]
        periods.extend(p for p in candidates if p.start <= today)
    return periods
