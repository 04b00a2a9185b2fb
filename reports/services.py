"""Writes of the reports app: submitting (freezing) a report, export jobs and
report settings.

A submitted report is created once and never changed: the services offer no
update and no delete, the model refuses both, and the admin is read-only.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from feedback.models import Unit
from reports import access
from reports.comparison import as_stored
from reports.files import CASE_FORMATS, SUMMARY_FORMATS, cases_file, summary_file
from reports.models import (
    ExportJob,
    ExportStatus,
    ReportKind,
    ReportSettings,
    SubmittedReport,
)
from reports.periods import Period, parse_period
from reports.selectors import DRILL_FIGURES, report_period, submitted_report_for_period
from reports.statistics import case_scope

logger = logging.getLogger(__name__)

# Above this many cases in scope an export runs in the worker.
DEFAULT_ASYNC_CASES = 200_000
DEFAULT_ASYNC_ROWS = 5_000

FILE_FORMAT_OF = {ReportKind.STATISTICS: "xlsx", ReportKind.DVCQ: "docx"}


@transaction.atomic
def submitted_report_create(
    *,
    actor,
    unit: Unit,
    kind: str,
    period: Period,
    today: dt.date,
    note: str = "",
) -> SubmittedReport:
    """Freeze the report of ``unit`` for ``period``: its figures over the
    unit's whole subtree as they are now, and its file (XLSX statistics or
    the DOCX report). Once per unit, kind and period."""
    if kind not in ReportKind.values:
        raise InvalidInputError(fields={"kind": _("Unknown report.")})
    if not access.can_submit_report(actor, unit):
        raise PermissionDeniedError(
            _("Only the unit's leader or a supervisor submits its reports.")
        )
    if period.end >= today:
        raise InvalidInputError(
            fields={
                "period": _(
                    "The period has not ended yet; submit the report after %(day)s."
                )
                % {"day": period.end.strftime("%d/%m/%Y")}
            }
        )
    # Lock the unit so that two submissions of the same report queue up.
    Unit.objects.select_for_update().get(pk=unit.pk)
    existing = submitted_report_for_period(unit=unit, kind=kind, period=period)
    if existing is not None:
        raise InvalidInputError(
            _(
                "This report was already submitted on %(day)s. Later corrections "
                "show as differences on its page."
            )
            % {"day": timezone.localtime(existing.submitted_at).strftime("%d/%m/%Y")},
            code="already_submitted",
        )
    # The unit's report counts its whole subtree (``can_submit_report``
    # ensures the actor sees all of it).
    report_file = summary_file(
        user=None,
        unit=unit,
        period=period,
        file_format=FILE_FORMAT_OF[kind],
        today=today,
    )
    report = SubmittedReport(
        unit=unit,
        kind=kind,
        period_code=period.code,
        window=period.window,
        period_start=period.start,
        period_end=period.end,
        figures=as_stored(report_file.summary.as_dict()),
        file_format=FILE_FORMAT_OF[kind],
        note=note.strip(),
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    report.file.save(report_file.filename, ContentFile(report_file.content), save=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        report.file.delete(save=False)
        raise InvalidInputError(
            _("This report was already submitted."), code="already_submitted"
        ) from None
    transaction.on_commit(
        lambda: logger.info(
            "report %s submitted by user %s", report.pk, report.submitted_by_id
        )
    )
    return report


# --------------------------------------------------------------------------
# Export jobs
# --------------------------------------------------------------------------


def export_is_large(*, user, unit: Unit, target: str, rows: int | None = None) -> bool:
    """Whether an export should run in the worker: many cases in the unit's
    scope for statistics, many rows for a case list."""
    if target == "cases":
        limit = getattr(settings, "REPORTS_ASYNC_ROWS", DEFAULT_ASYNC_ROWS)
        return (rows or 0) > limit
    limit = getattr(settings, "REPORTS_ASYNC_CASES", DEFAULT_ASYNC_CASES)
    return case_scope(user=user, unit=unit).order_by()[: limit + 1].count() > limit


def _validate_job(target: str, file_format: str, params: dict) -> None:
    if target == "summary":
        if file_format not in SUMMARY_FORMATS:
            raise InvalidInputError(fields={"format": _("Unknown file format.")})
    elif target == "cases":
        if file_format not in CASE_FORMATS:
            raise InvalidInputError(fields={"format": _("Unknown file format.")})
        if params.get("figure") not in DRILL_FIGURES:
            raise InvalidInputError(fields={"figure": _("Unknown figure.")})
    else:
        raise InvalidInputError(fields={"target": _("Unknown export.")})
    parse_period(params.get("period", ""), params.get("window") or None)


@transaction.atomic
def export_job_create(
    *, actor, unit: Unit, target: str, file_format: str, params: dict
) -> ExportJob:
    """Queue an export for the worker (after the commit); the job's page
    follows its progress."""
    if not access.report_units_for(actor).filter(pk=unit.pk).exists():
        raise NotFoundError(_("Unit not found."))
    _validate_job(target, file_format, params)
    job = ExportJob.objects.create(
        requested_by=actor,
        unit=unit,
        target=target,
        file_format=file_format,
        params=params,
    )
    from reports.tasks import run_export_job

    transaction.on_commit(lambda: run_export_job.delay(job.pk))
    return job


def _set_progress(job_id: int, progress: int, **fields) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        progress=min(progress, 100), updated_at=timezone.now(), **fields
    )


def export_job_run(*, job_id: int) -> ExportJob:
    """Produce a job's file, recording its progress as it goes. A job that
    already finished is left as it is (a retried task does nothing)."""
    job = ExportJob.objects.select_related("unit", "requested_by").get(pk=job_id)
    if job.is_finished:
        return job
    _set_progress(job.pk, 5, status=ExportStatus.RUNNING, started_at=timezone.now())
    params = job.params
    today = timezone.localdate()
    try:
        period = report_period(
            unit=job.unit, code=params["period"], window=params.get("window")
        )
        if job.target == "cases":
            total = max(int(params.get("rows") or 0), 1)

            def progress(count: int) -> None:
                _set_progress(job.pk, 5 + int(90 * count / total))

            report_file = cases_file(
                user=job.requested_by,
                unit=job.unit,
                period=period,
                figure=params["figure"],
                file_format=job.file_format,
                today=today,
                filters={
                    "own": bool(params.get("own")),
                    "kind": params.get("kind", ""),
                    "field": params.get("field", ""),
                    "channel": params.get("channel", ""),
                },
                progress=progress,
            )
        else:
            _set_progress(job.pk, 20)
            report_file = summary_file(
                user=job.requested_by,
                unit=job.unit,
                period=period,
                file_format=job.file_format,
                today=today,
                issued_on=(
                    dt.date.fromisoformat(params["issued_on"])
                    if params.get("issued_on")
                    else None
                ),
            )
        _set_progress(job.pk, 95)
        job.refresh_from_db()
        job.file.save(
            report_file.filename, ContentFile(report_file.content), save=False
        )
        job.filename = report_file.filename
        job.status = ExportStatus.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save(
            update_fields=[
                "file",
                "filename",
                "status",
                "progress",
                "finished_at",
                "updated_at",
            ]
        )
    except Exception as error:
        logger.exception("export job %s failed", job.pk)
        message = getattr(error, "message", None) or _("The export failed.")
        _set_progress(
            job.pk,
            0,
            status=ExportStatus.FAILED,
            error=str(message),
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
    return job


# --------------------------------------------------------------------------
# Report settings
# --------------------------------------------------------------------------


def report_settings_overlaps(
    *,
    unit: Unit,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    exclude_id: int | None = None,
) -> bool:
    """Whether another settings row of the unit is valid on some of the same
    days (two rows would then compete for one report)."""
    others = ReportSettings.objects.filter(unit=unit)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    if valid_to is not None:
        others = others.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=valid_to))
    if valid_from is not None:
        others = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    return others.exists()
