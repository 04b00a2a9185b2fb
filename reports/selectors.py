"""Reads of the reports app: periods with the unit's window, the cases behind
a figure (drill-down), report settings, submitted reports and export jobs.

The figures themselves are counted in ``reports.statistics``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from feedback.errors import InvalidInputError, NotFoundError
from feedback.models import Case, CaseCollaborator, Field, Party, PartyRole, Unit
from reports import sources
from reports.models import ExportJob, ReportSettings, SubmittedReport
from reports.periods import (
    Period,
    PeriodKind,
    Window,
    parse_period,
    period_kind_of,
)
from reports.statistics import (
    FIGURE_KEYS,
    case_scope,
    figure_condition,
    with_timeline,
)

WINDOW_FIELDS = {
    PeriodKind.QUARTER: "quarter_window",
    PeriodKind.HALF_YEAR: "half_year_window",
    PeriodKind.NINE_MONTHS: "nine_months_window",
    PeriodKind.YEAR: "year_window",
}


def report_settings_for(
    *, unit: Unit, on: dt.date, with_recipients: bool = False
) -> ReportSettings | None:
    """The unit's report settings valid on ``on`` (the latest-starting row
    when several are); ``None`` when there are none."""
    rows = (
        ReportSettings.objects.filter(unit=unit)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by(F("valid_from").desc(nulls_last=True), "-id")
    )
    if with_recipients:
        rows = rows.prefetch_related("recipients")
    return rows.first()


def report_period(*, unit: Unit, code: str, window: str | None = None) -> Period:
    """The period ``code`` names, in ``window`` or else in the window the
    unit's settings choose for that kind of period (calendar by default)."""
    kind = period_kind_of(code)
    if window and window not in Window.VALUES:
        raise InvalidInputError(fields={"window": _("Unknown window.")})
    if not window and kind in WINDOW_FIELDS:
        last_day = parse_period(code).end
        settings = report_settings_for(unit=unit, on=last_day)
        window = getattr(settings, WINDOW_FIELDS[kind]) if settings else None
    return parse_period(code, window or Window.CALENDAR)


# --------------------------------------------------------------------------
# Drill-down
# --------------------------------------------------------------------------

DRILL_FIGURES = (*FIGURE_KEYS, *sources.CASE_SOURCES)


def report_cases(
    *,
    user,
    unit: Unit,
    period: Period,
    figure: str,
    today: dt.date,
    own: bool = False,
    kind: str = "",
    field: str = "",
    channel: str = "",
) -> QuerySet[Case]:
    """The cases behind one figure, with the same definitions and scope as
    the count, ready for a list that masks identities without a query per
    row (the reader's collaborations and the petitioners are prefetched)."""
    if figure not in DRILL_FIGURES:
        raise InvalidInputError(fields={"figure": _("Unknown figure.")})
    cases = with_timeline(case_scope(user=user, unit=unit, own_only=own))
    if figure in FIGURE_KEYS:
        cases = cases.filter(
            figure_condition(figure, period=period, as_of=period.as_of(today))
        )
    else:
        cases = cases.filter(
            sources.case_source_condition(figure, user=user, unit=unit, period=period)
        )
    if kind:
        cases = cases.filter(kind=kind)
    if field:
        cases = cases.filter(field__code=field)
    if channel:
        cases = cases.filter(channel=channel)
    if figure in ("open_end", "open_overdue", "open_within", "carried_over"):
        ordering = (F("final_due_on").asc(nulls_last=True), "received_at", "id")
    else:
        ordering = ("-received_at", "-id")
    return (
        cases.select_related("field", "responsible_unit", "assignee")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.filter(role=PartyRole.PETITIONER).order_by("id"),
                to_attr="petitioners",
            ),
            Prefetch(
                "collaborators", queryset=CaseCollaborator.objects.only("case", "unit")
            ),
        )
        .order_by(*ordering)
    )


def field_by_code(code: str) -> Field | None:
    return Field.objects.filter(code=code).first() if code else None


# --------------------------------------------------------------------------
# Submitted reports and export jobs
# --------------------------------------------------------------------------


def submitted_reports_for(*, units: QuerySet[Unit]) -> QuerySet[SubmittedReport]:
    """Submitted reports of the given units, newest first."""
    return SubmittedReport.objects.filter(unit__in=units).select_related(
        "unit", "submitted_by"
    )


def submitted_report_get(*, units: QuerySet[Unit], report_id: int) -> SubmittedReport:
    report = submitted_reports_for(units=units).filter(pk=report_id).first()
    if report is None:
        raise NotFoundError(_("Report not found."))
    return report


def submitted_reports_of_period(*, unit: Unit, period: Period) -> list:
    """The reports of every kind the unit submitted for exactly this period."""
    return list(
        SubmittedReport.objects.filter(
            unit=unit, period_start=period.start, period_end=period.end
        ).select_related("submitted_by")
    )


def submitted_report_for_period(
    *, unit: Unit, kind: str, period: Period
) -> SubmittedReport | None:
    return (
        SubmittedReport.objects.filter(
            unit=unit, kind=kind, period_start=period.start, period_end=period.end
        )
        .select_related("submitted_by")
        .first()
    )


def export_job_get(*, user, job_id: int) -> ExportJob:
    """One of the user's own export jobs."""
    job = (
        ExportJob.objects.filter(pk=job_id, requested_by=user)
        .select_related("unit")
        .first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if job is None:
        raise NotFoundError(_("Export not found."))
    return job
