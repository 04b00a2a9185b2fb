"""Report pages: the dashboard, the statistics of a period, the cases behind a
figure, exports (direct or in the worker) and submitted reports.

Views parse input, call one selector or service and render; figures come
from ``reports.statistics`` and every number links to its cases.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.db_router import replica_view
from feedback import files
from feedback.errors import DomainError, InvalidInputError, NotFoundError
from feedback.models import CaseKind, Channel
from feedback.presentation import masked_party_value
from reports import access, charts, exports, selectors, services, sources
from reports.comparison import as_stored, figure_differences
from reports.files import cases_file, summary_file
from reports.forms import (
    ExportForm,
    ReportFilterForm,
    SubmitReportForm,
    unit_choices,
)
from reports.models import ExportStatus, ReportKind
from reports.periods import current_quarter, last_months
from reports.statistics import (
    FIGURE_LABELS,
    FIGURES,
    RATES,
    TABLE_KEYS,
    report_summary,
    report_trend,
)

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
TREND_MONTHS = 24
OVERDUE_ON_DASHBOARD = 10
DASHBOARD_KEYS = ("received", "resolved", "open_end", "open_overdue")


def not_found_as_404(view):
    """A hidden or missing unit, case or report is a plain 404."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFoundError:
            raise Http404(_("Not found.")) from None

    return wrapper


def _base_params(unit, period) -> dict:
    params = {"unit": unit.code, "period": period.code}
    if period.window:
        params["window"] = period.window
    return params


def _file_response(report_file) -> HttpResponse:
    return files.content_response(
        report_file.content,
        filename=report_file.filename,
        content_type=report_file.content_type,
    )


def _no_units(request):
    return render(request, "reports/no_units.html", status=200)


# --------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------


@login_required
@not_found_as_404
@replica_view
def dashboard(request):
    """The current calendar quarter at a glance, the last 24 months, the
    breakdowns by field and unit, and the overdue cases."""
    units = access.report_unit_choices(request.user)
    if not units:
        return _no_units(request)
    today = timezone.localdate()
    unit = access.pick_unit(
        user=request.user, choices=units, code=request.GET.get("unit")
    )
    quarter = current_quarter(today)
    summary = report_summary(
        user=request.user, unit=unit, period=quarter, today=today, with_extra=False
    )
    base = _base_params(unit, quarter)
    trend = report_trend(
        user=request.user, unit=unit, months=last_months(today, TREND_MONTHS)
    )

    def month_link(point, figure):
        params = {"unit": unit.code, "period": point.period.code, "figure": figure}
        return f"{reverse('report-cases')}?{urlencode(params)}"

    # The list shows no party, so nothing is prefetched.
    overdue = [
        {"case": case, "days": (today - case.final_due_on).days}
        for case in selectors.report_cases(
            user=request.user,
            unit=unit,
            period=quarter,
            figure="open_overdue",
            today=today,
        ).prefetch_related(None)[:OVERDUE_ON_DASHBOARD]
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "unit": unit,
            "unit_choices": unit_choices(units, unit),
            "period": quarter,
            "summary": summary,
            "base": base,
            "trend": trend,
            "trend_svg": charts.trend_svg(
                trend,
                link=month_link,
                title=_("Cases received and resolved per month, last 24 months"),
            ),
            "overdue": overdue,
            "breakdowns": [
                (_("By field"), _("Field"), summary.by_field),
                (_("By unit"), _("Unit"), summary.by_unit),
            ],
            "dashboard_keys": DASHBOARD_KEYS,
            "figure_labels": FIGURE_LABELS,
        },
    )


# --------------------------------------------------------------------------
# Statistics of a period
# --------------------------------------------------------------------------


def _filter_form(request, units, today):
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = current_quarter(today).code
    if not data.get("unit"):
        data["unit"] = units[0].code
    # A deeper unit (from a "by unit" row) joins the choices when readable.
    current = access.pick_unit(user=request.user, choices=units, code=data["unit"])
    return ReportFilterForm(data, units=units, current=current, today=today)


@login_required
@not_found_as_404
@replica_view
def summary_view(request):
    """The statistics of a unit for a period, every figure a link to its
    cases, with the exports and the report's submission."""
    units = access.report_unit_choices(request.user)
    if not units:
        return _no_units(request)
    today = timezone.localdate()
    form = _filter_form(request, units, today)
    context = {"form": form}
    if form.is_valid():
        unit = form.current
        try:
            period = selectors.report_period(
                unit=unit,
                code=form.cleaned_data["code"],
                window=form.cleaned_data["window"] or None,
            )
        except InvalidInputError as error:
            form.add_error(None, error.fields.get("period") or error.message)
            return render(request, "reports/summary.html", context)
        summary = report_summary(
            user=request.user, unit=unit, period=period, today=today, cached=True
        )
        submitted = selectors.submitted_reports_of_period(unit=unit, period=period)
        can_submit = access.can_submit_report(request.user, unit)
        context.update(
            {
                "unit": unit,
                "period": period,
                "summary": summary,
                "base": _base_params(unit, period),
                "figures": FIGURES,
                "rates": RATES,
                "table_keys": TABLE_KEYS,
                "figure_labels": FIGURE_LABELS,
                "reception_figures": sources.RECEPTION_FIGURES,
                "meeting_figures": sources.MEETING_FIGURES,
                "submitted": submitted,
                "export_formats": [
                    ("xlsx", _("Download Excel (XLSX)")),
                    ("csv", _("Download CSV")),
                    ("docx", _("Report draft (Word)")),
                    ("json", _("Download JSON")),
                ],
                "can_submit": can_submit and period.end < today,
                "submit_form": SubmitReportForm(
                    auto_id="submit-%s",
                    initial={
                        "unit": unit.code,
                        "period": period.code,
                        "window": period.window,
                        "kind": ReportKind.DVCQ,
                    },
                ),
            }
        )
    return render(request, "reports/summary.html", context)


# --------------------------------------------------------------------------
# Drill-down: the cases behind a figure
# --------------------------------------------------------------------------


def _drill_params(request) -> dict:
    get = request.GET
    return {
        "figure": get.get("figure", ""),
        "kind": get.get("kind", ""),
        "field": get.get("field", ""),
        "channel": get.get("channel", ""),
        "own": get.get("own") == "1",
    }


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("page_size", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _drill_context(request, today):
    """Unit, period and filters of a drill-down request, validated."""
    unit = access.report_unit_get(user=request.user, code=request.GET.get("unit"))
    period = selectors.report_period(
        unit=unit,
        code=request.GET.get("period") or current_quarter(today).code,
        window=request.GET.get("window") or None,
    )
    params = _drill_params(request)
    if params["kind"] and params["kind"] not in CaseKind.values:
        raise InvalidInputError(fields={"kind": _("Unknown kind.")})
    if params["channel"] and params["channel"] not in Channel.values:
        raise InvalidInputError(fields={"channel": _("Unknown channel.")})
    return unit, period, params


@login_required
@not_found_as_404
@replica_view
def cases_view(request):
    """The cases a figure counts, with the same unit, period and filters;
    identities masked as the reader may see them; paginated."""
    today = timezone.localdate()
    try:
        unit, period, params = _drill_context(request, today)
        cases = selectors.report_cases(
            user=request.user,
            unit=unit,
            period=period,
            today=today,
            figure=params["figure"],
            own=params["own"],
            kind=params["kind"],
            field=params["field"],
            channel=params["channel"],
        )
    except InvalidInputError as error:
        return render(
            request,
            "reports/error.html",
            {"message": error.message, "fields": error.fields},
            status=400,
        )
    paginator = Paginator(cases, _page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    rows = []
    for case in page:
        petitioner = case.petitioners[0] if case.petitioners else None
        name = (
            masked_party_value(request.user, petitioner, "full_name")
            if petitioner is not None
            else ""
        )
        rows.append(
            {
                "case": case,
                "petitioner": name,
                "is_masked": petitioner is not None and name != petitioner.full_name,
                "is_overdue": (
                    case.final_due_on is not None
                    and case.final_due_on < period.as_of(today)
                    and case.status in ("received", "accepted")
                ),
            }
        )
    filters = {
        key: value
        for key, value in (
            ("kind", params["kind"]),
            ("field", params["field"]),
            ("channel", params["channel"]),
            ("own", "1" if params["own"] else ""),
        )
        if value
    }
    query = {
        **_base_params(unit, period),
        **filters,
        "figure": params["figure"],
        "page_size": paginator.per_page,
    }
    field = selectors.field_by_code(params["field"])
    return render(
        request,
        "reports/cases.html",
        {
            "unit": unit,
            "period": period,
            "figure": params["figure"],
            "figure_label": _figure_label(params["figure"]),
            "filters": filters,
            "filter_labels": _filter_labels(params, field),
            "page": page,
            "rows": rows,
            "query": urlencode(query),
            "base": _base_params(unit, period),
            "export_fields": {**_base_params(unit, period), **filters},
            "export_formats": [
                ("csv", _("Download CSV")),
                ("xlsx", _("Download Excel (XLSX)")),
            ],
            "page_sizes": PAGE_SIZES,
        },
    )


def _figure_label(figure: str) -> str:
    if figure in FIGURE_LABELS:
        return str(FIGURE_LABELS[figure])
    return str(dict(sources.RECEPTION_FIGURES)["cases_logged"])


def _filter_labels(params, field) -> list[str]:
    labels = []
    if params["kind"]:
        labels.append(str(CaseKind(params["kind"]).label))
    if field is not None:
        labels.append(field.name)
    if params["channel"]:
        labels.append(str(Channel(params["channel"]).label))
    if params["own"]:
        labels.append(_("the unit's own cases only"))
    return labels


# --------------------------------------------------------------------------
# Visits, meetings and items behind the activity figures
# --------------------------------------------------------------------------

MEETING_ITEM_FIGURES = (
    "items",
    "answered_on_spot",
    "to_cases",
    "cases_answered",
    "merged",
    "pending",
)


@login_required
@not_found_as_404
@replica_view
def activity_view(request):
    """The register rows, meetings or meeting items an activity figure
    counts. No visitor's or raiser's name is shown."""
    today = timezone.localdate()
    unit = access.report_unit_get(user=request.user, code=request.GET.get("unit"))
    try:
        period = selectors.report_period(
            unit=unit,
            code=request.GET.get("period") or current_quarter(today).code,
            window=request.GET.get("window") or None,
        )
    except InvalidInputError as error:
        return render(
            request, "reports/error.html", {"message": error.message}, status=400
        )
    figure = request.GET.get("figure", "")
    meeting_kind = request.GET.get("meeting_kind", "")
    reception_keys = [key for key, _label in sources.RECEPTION_FIGURES]
    if figure in reception_keys and figure != "cases_logged":
        objects = sources.reception_visits(user=request.user, unit=unit, period=period)
        what = "visits"
        if objects is not None:
            objects = objects.filter(sources.visit_filter(figure)).select_related(
                "unit"
            )
        label = dict(sources.RECEPTION_FIGURES)[figure]
    elif figure in ("held", "attendance"):
        objects = sources.meetings_held(user=request.user, unit=unit, period=period)
        what = "meetings"
        if objects is not None:
            if meeting_kind:
                objects = objects.filter(kind=meeting_kind)
            objects = objects.select_related("organiser_unit").order_by(
                "starts_at", "id"
            )
        label = dict(sources.MEETING_FIGURES)[figure]
    elif figure in MEETING_ITEM_FIGURES:
        objects = sources.meeting_items(user=request.user, unit=unit, period=period)
        what = "items"
        if objects is not None:
            objects = objects.filter(sources.item_filter(figure, period))
            if meeting_kind:
                objects = objects.filter(meeting__kind=meeting_kind)
            objects = objects.select_related("meeting", "field", "case").order_by(
                "meeting__starts_at", "meeting_id", "number"
            )
        label = dict(sources.MEETING_FIGURES)[figure]
    else:
        return render(
            request,
            "reports/error.html",
            {"message": _("Unknown figure.")},
            status=400,
        )
    if objects is None:
        raise Http404(_("Not found."))
    paginator = Paginator(objects, _page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    query = {
        **_base_params(unit, period),
        "figure": figure,
        "page_size": paginator.per_page,
    }
    if meeting_kind:
        query["meeting_kind"] = meeting_kind
    return render(
        request,
        "reports/activity.html",
        {
            "unit": unit,
            "period": period,
            "what": what,
            "figure_label": label,
            "page": page,
            "query": urlencode(query),
            "base": _base_params(unit, period),
        },
    )


# --------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------


@login_required
@require_POST
@not_found_as_404
def export_view(request):
    """A file now when it is small; otherwise a job for the worker and its
    progress page."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "reports/error.html",
            {"message": _("The export request is not valid.")},
            status=400,
        )
    data = form.cleaned_data
    today = timezone.localdate()
    unit = access.report_unit_get(user=request.user, code=data["unit"])
    try:
        period = selectors.report_period(
            unit=unit, code=data["period"], window=data["window"] or None
        )
        params = {"period": period.code, "window": period.window}
        if data["target"] == "summary":
            if services.export_is_large(user=request.user, unit=unit, target="summary"):
                return _queue(request, unit, "summary", data["format"], params)
            return _file_response(
                summary_file(
                    user=request.user,
                    unit=unit,
                    period=period,
                    file_format=data["format"],
                    today=today,
                )
            )
        filters = {
            "own": data["own"],
            "kind": data["kind"],
            "field": data["field"],
            "channel": data["channel"],
        }
        rows = selectors.report_cases(
            user=request.user,
            unit=unit,
            period=period,
            figure=data["figure"],
            today=today,
            **filters,
        ).count()
        if services.export_is_large(
            user=request.user, unit=unit, target="cases", rows=rows
        ):
            params.update(filters, figure=data["figure"], rows=rows)
            return _queue(request, unit, "cases", data["format"], params)
        return _file_response(
            cases_file(
                user=request.user,
                unit=unit,
                period=period,
                figure=data["figure"],
                file_format=data["format"],
                today=today,
                filters=filters,
            )
        )
    except InvalidInputError as error:
        return render(
            request,
            "reports/error.html",
            {"message": error.message, "fields": error.fields},
            status=400,
        )


def _queue(request, unit, target, file_format, params):
    job = services.export_job_create(
        actor=request.user,
        unit=unit,
        target=target,
        file_format=file_format,
        params=params,
    )
    messages.info(
        request,
        _("The export is large; it is being prepared. This page shows its progress."),
    )
    return redirect("report-job", pk=job.pk)


@login_required
@not_found_as_404
def job_view(request, pk):
    """The progress of an export; the page reloads itself until it is done."""
    job = selectors.export_job_get(user=request.user, job_id=pk)
    return render(
        request,
        "reports/job.html",
        {"job": job, "refresh": not job.is_finished, "done": ExportStatus.DONE},
    )


@files.file_view
def job_file(request, pk):
    """The finished file of one of the user's own exports."""
    job = selectors.export_job_get(user=request.user, job_id=pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404(_("Not found."))
    return files.file_response(
        job.file,
        filename=job.filename or job.file.name,
        content_type=exports.CONTENT_TYPES.get(job.file_format, ""),
    )


# --------------------------------------------------------------------------
# Submitted reports
# --------------------------------------------------------------------------


@login_required
@require_POST
@not_found_as_404
def submit_view(request):
    """Submit (and freeze) the report of the unit and period on the page."""
    form = SubmitReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The report could not be submitted."))
        return redirect("report-summary")
    data = form.cleaned_data
    unit = access.report_unit_get(user=request.user, code=data["unit"])
    query = {"unit": unit.code, "period": data["period"], "window": data["window"]}
    back = f"{reverse('report-summary')}?{urlencode(query)}"
    try:
        period = selectors.report_period(
            unit=unit, code=data["period"], window=data["window"] or None
        )
        report = services.submitted_report_create(
            actor=request.user,
            unit=unit,
            kind=data["kind"],
            period=period,
            today=timezone.localdate(),
            note=data["note"],
        )
    except DomainError as error:
        text = " ".join(str(m) for m in error.fields.values()) or str(error.message)
        messages.error(request, text)
        return redirect(back)
    messages.success(
        request,
        _("The report was submitted and frozen; it can no longer change."),
    )
    return redirect("report-submitted-detail", pk=report.pk)


@login_required
def submitted_list(request):
    """Reports submitted by the units the reader may read, newest first."""
    units = access.report_units_for(request.user)
    reports = selectors.submitted_reports_for(units=units)
    paginator = Paginator(reports, DEFAULT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "reports/submitted_list.html", {"page": page})


@login_required
@not_found_as_404
def submitted_detail(request, pk):
    """A frozen report next to the same report counted today; every figure
    that changed since is listed with its difference."""
    report = selectors.submitted_report_get(
        units=access.report_units_for(request.user), report_id=pk
    )
    period = selectors.report_period(
        unit=report.unit, code=report.period_code, window=report.window or None
    )
    current = report_summary(
        user=None, unit=report.unit, period=period, today=timezone.localdate()
    )
    frozen = report.figures
    differences = figure_differences(frozen, as_stored(current.as_dict()))
    totals = [
        {
            "key": figure.key,
            "label": figure.label,
            "is_detail": figure.is_detail,
            "frozen": frozen["total"]["figures"].get(figure.key, 0),
            "current": current.total.figures[figure.key],
        }
        for figure in FIGURES
    ]
    return render(
        request,
        "reports/submitted_detail.html",
        {
            "report": report,
            "period": period,
            "totals": totals,
            "differences": differences,
            "base": _base_params(report.unit, period),
        },
    )


@files.file_view
def submitted_file(request, pk):
    """The file a unit sent, to readers of its reports."""
    report = selectors.submitted_report_get(
        units=access.report_units_for(request.user), report_id=pk
    )
    return files.file_response(
        report.file,
        filename=report.file.name.rsplit("/", 1)[-1],
        content_type=exports.CONTENT_TYPES.get(report.file_format, ""),
    )
