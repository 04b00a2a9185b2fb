"""The project's URLs plus what the reports need until ``config/urls.py`` and
``api/urls.py`` carry them: the pages at ``/bao-cao/`` and the report
endpoints among the API's staff routes (before its catch-all 404)."""

from django.urls import include, path

import api.urls
from api.views import reports as report_api
from config.urls import urlpatterns as project_urlpatterns

REPORT_API = [
    path(
        "reports/summary/",
        report_api.ReportSummaryView.as_view(),
        name="report-summary",
    ),
    path(
        "reports/export/", report_api.ReportExportView.as_view(), name="report-export"
    ),
    path(
        "reports/exports/<int:pk>/",
        report_api.ExportJobView.as_view(),
        name="report-export-job",
    ),
    path(
        "reports/exports/<int:pk>/file/",
        report_api.ExportJobFileView.as_view(),
        name="report-export-job-file",
    ),
]

api_patterns = [
    path("v1/", include([*REPORT_API, *api.urls.staff_patterns])),
    *(p for p in api.urls.urlpatterns if str(p.pattern) != "v1/"),
]

urlpatterns = [
    path("bao-cao/", include("reports.urls")),
    path("api/", include((api_patterns, "api"))),
    *(p for p in project_urlpatterns if str(p.pattern) != "api/"),
]
