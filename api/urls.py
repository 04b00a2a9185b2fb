"""API routes: ``/api/v1/…``, the OpenAPI schema and its docs.

Staff endpoints authenticate with a token (``POST /api/v1/auth/token/``) or
the admin session.  The citizens' public endpoints (tracking, submission)
get their own section below, under ``/api/v1/public/``.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api.views import (
    actions,
    auth,
    cases,
    meetings,
    programs,
    public,
    reference,
    reports,
    units,
)
from api.views.docs import DocsView
from api.views.errors import EndpointNotFoundView
from feedback import workflow

app_name = "api"

staff_patterns = [
    path("auth/token/", auth.TokenObtainView.as_view(), name="auth-token"),
    path("auth/tokens/", auth.ApiTokenListView.as_view(), name="auth-tokens"),
    path(
        "auth/tokens/<int:pk>/",
        auth.ApiTokenDetailView.as_view(),
        name="auth-token-detail",
    ),
    path("units/", units.UnitListView.as_view(), name="unit-list"),
    path("units/<int:pk>/", units.UnitDetailView.as_view(), name="unit-detail"),
    path("fields/", reference.FieldListView.as_view(), name="field-list"),
    path(
        "legal-grounds/",
        reference.LegalGroundListView.as_view(),
        name="legal-ground-list",
    ),
    path("cases/", cases.CaseListView.as_view(), name="case-list"),
    path("cases/<int:pk>/", cases.CaseDetailView.as_view(), name="case-detail"),
    path(
        "cases/<int:pk>/events/",
        cases.CaseEventListView.as_view(),
        name="case-events",
    ),
    path(
        "cases/<int:pk>/history/",
        cases.CaseHistoryView.as_view(),
        name="case-history",
    ),
    path("meetings/", meetings.MeetingListView.as_view(), name="meeting-list"),
    path(
        "meetings/<int:pk>/",
        meetings.MeetingDetailView.as_view(),
        name="meeting-detail",
    ),
    path(
        "meetings/<int:pk>/transition/",
        meetings.MeetingTransitionView.as_view(),
        name="meeting-transition",
    ),
    path(
        "meetings/<int:pk>/publish/",
        meetings.MeetingPublishView.as_view(),
        name="meeting-publish",
    ),
    path(
        "meetings/<int:pk>/items/",
        meetings.MeetingItemListView.as_view(),
        name="meeting-items",
    ),
    path(
        "meetings/<int:pk>/items/convert/",
        meetings.MeetingItemsConvertView.as_view(),
        name="meeting-items-convert",
    ),
    path(
        "meetings/<int:pk>/items/merge/",
        meetings.MeetingItemsMergeView.as_view(),
        name="meeting-items-merge",
    ),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/answer/",
        meetings.MeetingItemAnswerView.as_view(),
        name="meeting-item-answer",
    ),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/hot-spot/",
        meetings.MeetingItemHotSpotView.as_view(),
        name="meeting-item-hot-spot",
    ),
    path("programs/", programs.ProgramListView.as_view(), name="program-list"),
    path(
        "programs/<int:pk>/",
        programs.ProgramDetailView.as_view(),
        name="program-detail",
    ),
    path(
        "programs/<int:pk>/tasks/",
        programs.ProgramTaskListView.as_view(),
        name="program-tasks",
    ),
    path(
        "programs/tasks/<int:pk>/",
        programs.ProgramTaskDetailView.as_view(),
        name="program-task-detail",
    ),
    path(
        "programs/tasks/<int:pk>/progress/",
        programs.ProgramTaskProgressView.as_view(),
        name="program-task-progress",
    ),
    path(
        "bright-spots/",
        programs.BrightSpotListView.as_view(),
        name="bright-spot-list",
    ),
    path(
        "bright-spots/<int:pk>/",
        programs.BrightSpotDetailView.as_view(),
        name="bright-spot-detail",
    ),
    path(
        "bright-spots/<int:pk>/transition/",
        programs.BrightSpotTransitionView.as_view(),
        name="bright-spot-transition",
    ),
    path(
        "inspections/",
        programs.InspectionListView.as_view(),
        name="inspection-list",
    ),
    path(
        "inspections/<int:pk>/",
        programs.InspectionDetailView.as_view(),
        name="inspection-detail",
    ),
    path(
        "inspections/<int:pk>/record/",
        programs.InspectionRecordView.as_view(),
        name="inspection-record",
    ),
    path(
        "inspections/<int:pk>/conclude/",
        programs.InspectionConcludeView.as_view(),
        name="inspection-conclude",
    ),
    path(
        "inspections/follow-ups/<int:pk>/complete/",
        programs.FollowUpCompleteView.as_view(),
        name="inspection-follow-up-complete",
    ),
    path(
        "reports/summary/",
        reports.ReportSummaryView.as_view(),
        name="report-summary",
    ),
    path("reports/export/", reports.ReportExportView.as_view(), name="report-export"),
    path(
        "reports/exports/<int:pk>/",
        reports.ExportJobView.as_view(),
        name="report-export-job",
    ),
    path(
        "reports/exports/<int:pk>/file/",
        reports.ExportJobFileView.as_view(),
        name="report-export-job-file",
    ),
    # One route per workflow action, e.g. cases/7/accept/, cases/7/notes/.
    *(
        path(
            f"cases/<int:pk>/{actions.url_segment(name)}/",
            actions.case_action_view(name).as_view(),
            name=f"case-{name}",
        )
        for name in workflow.ACTIONS
    ),
]

# Public citizen endpoints (online submission, tracking by code and PIN,
# rating, published answers): no authentication, throttled per address with
# the "public" and "public_submit" scopes, no personal data.
public_patterns = [
    path(
        "feedback/",
        public.PublicSubmissionView.as_view(),
        name="public-feedback",
    ),
    path("track/", public.PublicTrackView.as_view(), name="public-track"),
    path(
        "track/rating/",
        public.PublicRatingView.as_view(),
        name="public-track-rating",
    ),
    path(
        "answers/",
        public.PublishedAnswerListView.as_view(),
        name="public-answers",
    ),
    path("options/", public.PublicOptionsView.as_view(), name="public-options"),
]

urlpatterns = [
    # The public endpoints first: citizens' phones call them most, and no
    # staff route starts with "public/", so they are matched without trying
    # every staff route before them.
    path("v1/public/", include(public_patterns)),
    path("v1/", include(staff_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    # Anything else under v1/ is a 404 in the API's error shape.
    re_path(r"^v1/", EndpointNotFoundView.as_view()),
]
