"""Cases: list, log, read, correct; the timeline and the change history."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.filters import CaseFilter
from api.http import case_etag, expected_version
from api.idempotency import (
    idempotency_key,
    request_fingerprint,
    run_idempotently,
)
from api.pagination import CasePagination, PageNumberPagination
from api.schema import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    LOCATION,
    REPLAYED,
    error_responses,
)
from api.selectors import case_history
from api.serializers.case_rows import summary_rows
from api.serializers.cases import (
    CaseCreatedSerializer,
    CaseCreateSerializer,
    CaseSerializer,
    CaseSummarySerializer,
    CaseUpdateSerializer,
)
from api.serializers.timeline import CaseEventSerializer, HistoryRecordSerializer
from api.services import case_correct_fields
from api.views.base import StaffAPIView, case_response
from feedback.selectors.cases import (
    case_get,
    case_list,
    case_timeline,
)
from feedback.selectors.counts import cached_page
from feedback.services.cases import case_create
from feedback.services.identity import (
    CONTEXT_API_CASE,
    CONTEXT_API_HISTORY,
    identity_reveal_record,
)

ETAG = OpenApiParameter(
    name="ETag",
    location=OpenApiParameter.HEADER,
    type=OpenApiTypes.STR,
    response=[200, 201],
    description='The case\'s version as an entity tag, e.g. `"3"`; send it back '
    "in `If-Match`.",
)


class CaseListView(StaffAPIView):
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter
    pagination_class = CasePagination
    serializer_class = CaseSummarySerializer

    def get_queryset(self):
        # The page is read as plain values, parties in one query for the
        # whole page (``CasePagination``).  The count is cached until the
        # cases change (``counted_in_cache``).
        return case_list(user=self.request.user).counted_in_cache()

    @extend_schema(
        operation_id="cases_list",
        summary="List cases",
        description=(
            "The cases you may see, newest received first, filtered by the "
            "query parameters. A denouncer's identity is masked unless you may "
            "see it."
        ),
        tags=["cases"],
        responses={
            200: CaseSummarySerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request):
        # The same address asked again by the same viewer is answered from
        # the cache until the cases change (``cached_page``).
        data = cached_page(
            "api-cases",
            user=request.user,
            address=request.build_absolute_uri(),
            compute=lambda: self._page(request),
        )
        return Response(data)

    def _page(self, request) -> dict:
        cases = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(cases)
        return self.get_paginated_response(summary_rows(page, request.user)).data

    @extend_schema(
        operation_id="cases_create",
        summary="Log a case",
        description=(
            "Logs a case for a unit you may log cases for and answers it with "
            "its tracking code and the one-time PIN for the receipt."
        ),
        tags=["cases"],
        parameters=[IDEMPOTENCY_KEY, ETAG, LOCATION, REPLAYED],
        request=CaseCreateSerializer,
        responses={201: CaseCreatedSerializer, **error_responses(400, 401, 403, 422)},
    )
    def post(self, request):
        key = idempotency_key(request)

        def write():
            serializer = CaseCreateSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            created = case_create(actor=request.user, **serializer.service_kwargs())
            data = CaseSerializer(created.case, context={"request": request}).data
            return 201, {**data, "pin": created.pin}

        headers = {}
        if key is None:
            status, body = write()
        else:
            outcome = run_idempotently(
                user=request.user,
                key=key,
                fingerprint=request_fingerprint(request),
                write=write,
                # The PIN is shown once and stored only as a keyed hash.
                stored_body=lambda body: {**body, "pin": None},
            )
            status, body = outcome.status, outcome.body
            if outcome.replayed:
                headers["Idempotent-Replayed"] = "true"
        headers["Location"] = reverse(
            "api:case-detail", kwargs={"pk": body["id"]}, request=request
        )
        headers["ETag"] = case_etag(body["version"])
        return Response(body, status=status, headers=headers)


class CaseDetailView(StaffAPIView):
    @extend_schema(
        operation_id="cases_retrieve",
        summary="One case",
        description="The case in full, with the actions you may take on it now.",
        tags=["cases"],
        parameters=[ETAG],
        responses={200: CaseSerializer, **error_responses(401, 404)},
    )
    def get(self, request, pk):
        case = case_get(user=request.user, case_id=pk)
        # Showing a denouncer to the entitled is itself audited.
        identity_reveal_record(user=request.user, case=case, context=CONTEXT_API_CASE)
        return case_response(request, case)

    @extend_schema(
        operation_id="cases_partial_update",
        summary="Correct a case",
        description=(
            "Corrects the given fields (those of `CORRECTABLE_FIELDS`): one "
            "`correct` action per value that differs, with the one `reason`, "
            "all or nothing. Old values stay in the history. Leaders, "
            "supervisors and administrators only."
        ),
        tags=["cases"],
        parameters=[IF_MATCH, ETAG],
        request=CaseUpdateSerializer,
        responses={
            200: CaseSerializer,
            **error_responses(400, 401, 403, 404, 409, 412),
        },
    )
    def patch(self, request, pk):
        serializer = CaseUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = case_correct_fields(
            case_id=pk,
            actor=request.user,
            values=serializer.corrections(),
            reason=serializer.validated_data["reason"],
            expected_version=expected_version(
                request, current=lambda: case_get(user=request.user, case_id=pk).version
            ),
        )
        return case_response(request, case)


class CaseEventListView(StaffAPIView):
    pagination_class = PageNumberPagination
    serializer_class = CaseEventSerializer

    @extend_schema(
        operation_id="cases_events_list",
        summary="A case's timeline",
        description="Every event of the case, oldest first.",
        tags=["cases"],
        responses={
            200: CaseEventSerializer(many=True),
            **error_responses(401, 404),
        },
    )
    def get(self, request, pk):
        case = case_get(user=request.user, case_id=pk)
        page = self.paginate_queryset(case_timeline(user=request.user, case=case))
        return self.get_paginated_response(CaseEventSerializer(page, many=True).data)


class CaseHistoryView(StaffAPIView):
    pagination_class = PageNumberPagination
    serializer_class = HistoryRecordSerializer

    @extend_schema(
        operation_id="cases_history_list",
        summary="A case's change history",
        description=(
            "Every stored version of the case and of its parties, newest "
            "first. A denouncer's identity is masked unless you may see it."
        ),
        tags=["cases"],
        responses={
            200: HistoryRecordSerializer(many=True),
            **error_responses(401, 404),
        },
    )
    def get(self, request, pk):
        case = case_get(user=request.user, case_id=pk)
        identity_reveal_record(
            user=request.user, case=case, context=CONTEXT_API_HISTORY, history=True
        )
        page = self.paginate_queryset(case_history(case=case))
        serializer = HistoryRecordSerializer(
            page, many=True, context=self.get_serializer_context()
        )
        return self.get_paginated_response(serializer.data)
