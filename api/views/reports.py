"""Reports: the statistics of a unit and period as JSON, and their files.

``GET /api/v1/reports/summary/`` answers the figures (definitions in
``reports.statistics``); ``GET /api/v1/reports/export/`` answers the file
(XLSX, CSV, JSON or the DOCX report draft) or, for a large unit, 202 with an
export job that ``GET /api/v1/reports/exports/{id}/`` follows and whose file
``GET /api/v1/reports/exports/{id}/file/`` downloads. Figures are counted over
the cases the caller may see; files carry no identity.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from api.schema import error_responses
from api.serializers.reports import (
    ExportJobSerializer,
    ReportExportQuerySerializer,
    ReportQuerySerializer,
    ReportSummarySerializer,
)
from api.views.base import StaffAPIView
from config.db_router import replica_view
from reports import access, services
from reports.exports import CONTENT_TYPES
from reports.files import summary_file
from reports.models import ExportStatus
from reports.selectors import export_job_get, report_period
from reports.statistics import report_summary


class FormatIsNotARenderer(DefaultContentNegotiation):
    """``?format=xlsx`` names the file to produce, not DRF's renderer: the
    answer is always a file or JSON (errors included)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _unit_and_period(request, serializer_class):
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    unit = access.report_unit_get(user=request.user, code=data.get("unit"))
    period = report_period(unit=unit, code=data["period"], window=data.get("window"))
    return unit, period, data


def job_data(request, job) -> dict:
    status_url = reverse("api:report-export-job", args=[job.pk])
    file_url = reverse("api:report-export-job-file", args=[job.pk])
    return {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "file_format": job.file_format,
        "error": job.error,
        "url": request.build_absolute_uri(status_url),
        "file_url": (
            request.build_absolute_uri(file_url)
            if job.status == ExportStatus.DONE
            else None
        ),
    }


class ReportSummaryView(StaffAPIView):
    @extend_schema(
        operation_id="reports_summary",
        summary="Statistics of a unit for a period",
        description=(
            "Cases carried over, received, accepted, resolved (on time, late), "
            "not accepted, withdrawn and still open at the end (within the "
            "deadline, overdue), by kind, field, channel and sub-unit, with the "
            "rates; reception visits and meetings when those apps are installed. "
            "carried_over + received = resolved + not_accepted + withdrawn + "
            "open_end, in every row."
        ),
        tags=["reports"],
        parameters=[ReportQuerySerializer],
        responses={
            200: ReportSummarySerializer,
            **error_responses(400, 401, 404),
        },
    )
    @replica_view
    def get(self, request):
        unit, period, _data = _unit_and_period(request, ReportQuerySerializer)
        summary = report_summary(
            user=request.user,
            unit=unit,
            period=period,
            today=timezone.localdate(),
            cached=True,
        )
        return Response(ReportSummarySerializer(summary.as_dict()).data)


FILE_RESPONSES = {
    (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
    (200, "text/csv"): OpenApiTypes.BINARY,
    (200, CONTENT_TYPES["docx"]): OpenApiTypes.BINARY,
    (200, "application/json"): ReportSummarySerializer,
}


class ReportExportView(StaffAPIView):
    content_negotiation_class = FormatIsNotARenderer

    @extend_schema(
        operation_id="reports_export",
        summary="The statistics as a file",
        description=(
            "XLSX (one sheet per table), CSV (UTF-8 with BOM), JSON, or the DOCX "
            "draft of the mass-mobilisation report. For a unit with very many "
            "cases the file is prepared by the worker: the answer is then 202 "
            "with the export job to follow."
        ),
        tags=["reports"],
        parameters=[ReportExportQuerySerializer],
        responses={
            **FILE_RESPONSES,
            202: OpenApiResponse(ExportJobSerializer, description="Job queued."),
            **error_responses(400, 401, 404),
        },
    )
    @replica_view
    def get(self, request):
        unit, period, data = _unit_and_period(request, ReportExportQuerySerializer)
        file_format = data["format"]
        if services.export_is_large(user=request.user, unit=unit, target="summary"):
            job = services.export_job_create(
                actor=request.user,
                unit=unit,
                target="summary",
                file_format=file_format,
                params={"period": period.code, "window": period.window},
            )
            return Response(
                ExportJobSerializer(job_data(request, job)).data, status=202
            )
        report_file = summary_file(
            user=request.user,
            unit=unit,
            period=period,
            file_format=file_format,
            today=timezone.localdate(),
        )
        response = HttpResponse(
            report_file.content, content_type=report_file.content_type
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{report_file.filename}"'
        )
        return response


class ExportJobView(StaffAPIView):
    @extend_schema(
        operation_id="reports_export_job",
        summary="An export job",
        description="Its status and progress; `file_url` once it is done.",
        tags=["reports"],
        responses={200: ExportJobSerializer, **error_responses(401, 404)},
    )
    def get(self, request, pk):
        job = export_job_get(user=request.user, job_id=pk)
        return Response(ExportJobSerializer(job_data(request, job)).data)


class ExportJobFileView(StaffAPIView):
    content_negotiation_class = FormatIsNotARenderer

    @extend_schema(
        operation_id="reports_export_job_file",
        summary="The file of a finished export job",
        tags=["reports"],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **error_responses(401, 404),
        },
    )
    def get(self, request, pk):
        job = export_job_get(user=request.user, job_id=pk)
        if job.status != ExportStatus.DONE or not job.file:
            raise Http404
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.filename,
            content_type="application/octet-stream",
        )
