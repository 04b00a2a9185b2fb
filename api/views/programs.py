"""Read endpoints of the work program: programs, their tasks, bright spots
and inspections, through ``programs.selectors`` (so scoped by
``programs.permissions``; a program you may not read is a 404)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.pagination import PageNumberPagination
from api.schema import error_responses
from api.serializers.programs import (
    BrightSpotSerializer,
    InspectionSerializer,
    ProgramSerializer,
    ProgramTaskSerializer,
)
from api.views.base import StaffAPIView
from programs import selectors

TAGS = ["programs"]
YEAR = OpenApiParameter(
    name="year",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.QUERY,
    description="Only this year (2000–2099).",
)


def _year(request) -> int | None:
    raw = request.query_params.get("year")
    if raw in (None, ""):
        return None
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2099:
        raise ValidationError({"year": ["Enter a year from 2000 to 2099."]})
    return year


class _PagedList(StaffAPIView):
    pagination_class = PageNumberPagination

    def _page(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True).data
        return self.get_paginated_response(data)


class ProgramListView(_PagedList):
    serializer_class = ProgramSerializer

    @extend_schema(
        operation_id="programs_list",
        summary="List work programs",
        description="The programs of the units you may read, newest year first.",
        tags=TAGS,
        parameters=[YEAR],
        responses={
            200: ProgramSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request):
        programs = selectors.program_list(user=request.user, year=_year(request))
        return self._page(programs, ProgramSerializer)


class ProgramDetailView(StaffAPIView):
    serializer_class = ProgramSerializer

    @extend_schema(
        operation_id="programs_retrieve",
        summary="One work program",
        tags=TAGS,
        responses={200: ProgramSerializer, **error_responses(401, 404)},
    )
    def get(self, request, pk):
        selectors.program_get(user=request.user, program_id=pk)
        program = selectors.program_list(user=request.user).get(pk=pk)
        return Response(ProgramSerializer(program).data)


class ProgramTaskListView(StaffAPIView):
    serializer_class = ProgramTaskSerializer

    @extend_schema(
        operation_id="programs_tasks_list",
        summary="A program's tasks",
        description="Every task, by due date, with `overdue` computed today.",
        tags=TAGS,
        responses={
            200: ProgramTaskSerializer(many=True),
            **error_responses(401, 404),
        },
    )
    def get(self, request, pk):
        program = selectors.program_get(user=request.user, program_id=pk)
        tasks = selectors.program_tasks(program=program, today=timezone.localdate())
        return Response(ProgramTaskSerializer(tasks, many=True).data)


class BrightSpotListView(_PagedList):
    serializer_class = BrightSpotSerializer

    @extend_schema(
        operation_id="bright_spots_list",
        summary="List bright spots",
        description='"Dân vận khéo" bright spots of the units you may read.',
        tags=TAGS,
        parameters=[YEAR],
        responses={
            200: BrightSpotSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request):
        spots = selectors.bright_spot_list(user=request.user, year=_year(request))
        return self._page(spots, BrightSpotSerializer)


class InspectionListView(_PagedList):
    serializer_class = InspectionSerializer

    @extend_schema(
        operation_id="inspections_list",
        summary="List inspections",
        description="Inspections of the units you may read, with follow-ups.",
        tags=TAGS,
        parameters=[YEAR],
        responses={
            200: InspectionSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request):
        inspections = selectors.inspection_list(user=request.user, year=_year(request))
        return self._page(inspections, InspectionSerializer)
