"""The work program: programs, their tasks, bright spots and inspections.

Reads go through ``programs.selectors`` (so scoped by
``programs.permissions``; a record you may not read is a 404), writes
through ``programs.services``, which decide what is allowed and refuse in
the API's one error shape (403 when you may read but not change, 409 when
the status does not allow it). Creations accept an ``Idempotency-Key``.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.idempotency import idempotency_key, request_fingerprint, run_idempotently
from api.pagination import PageNumberPagination
from api.schema import IDEMPOTENCY_KEY, LOCATION, REPLAYED, error_responses
from api.serializers.programs import (
    BrightSpotRegisterSerializer,
    BrightSpotSerializer,
    BrightSpotTransitionSerializer,
    FollowUpActionSerializer,
    InspectionConcludeSerializer,
    InspectionPlanSerializer,
    InspectionRecordSerializer,
    InspectionSerializer,
    ProgramCreateSerializer,
    ProgramSerializer,
    ProgramTaskSerializer,
    ProgramUpdateSerializer,
    TaskProgressSerializer,
    TaskUpdateSerializer,
    TaskWriteSerializer,
)
from api.views.base import StaffAPIView
from feedback.errors import NotFoundError
from programs import selectors, services
from programs.models import ProgramTask

TAGS = ["programs"]
YEAR = OpenApiParameter(
    name="year",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.QUERY,
    description="Only this year (2000–2099).",
)


CREATE_HEADERS = [IDEMPOTENCY_KEY, LOCATION, REPLAYED]


def _created(request, write, location) -> Response:
    """Answer 201 with what ``write`` returns as ``(status, body)``, once per
    ``Idempotency-Key``; ``location(body)`` is the new record's URL."""
    key = idempotency_key(request)
    headers = {}
    if key is None:
        status, body = write()
    else:
        outcome = run_idempotently(
            user=request.user,
            key=key,
            fingerprint=request_fingerprint(request),
            write=write,
        )
        status, body = outcome.status, outcome.body
        if outcome.replayed:
            headers["Idempotent-Replayed"] = "true"
    headers["Location"] = location(body)
    return Response(body, status=status, headers=headers)


def _program_data(request, program_id) -> dict:
    """The program as the list shows it (with its task counts)."""
    program = selectors.program_list(user=request.user).get(pk=program_id)
    return ProgramSerializer(program).data


def _task_data(task) -> dict:
    """The task with ``overdue`` computed today."""
    task = selectors.program_tasks(
        program=task.program, today=timezone.localdate()
    ).get(pk=task.pk)
    return ProgramTaskSerializer(task).data


def _inspection_data(request, inspection_id) -> dict:
    inspection = selectors.inspection_get(
        user=request.user, inspection_id=inspection_id
    )
    return InspectionSerializer(inspection).data


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

    @extend_schema(
        operation_id="programs_create",
        summary="Create a work program",
        description=(
            "The steering committee's program for a year, or a unit's own "
            "program (`parent_program`: the committee's, of the same year); "
            "creating a unit's own program submits it, and the committee's "
            "list of who has submitted and who is late shows it. One program "
            "per unit and year."
        ),
        tags=TAGS,
        parameters=CREATE_HEADERS,
        request=ProgramCreateSerializer,
        responses={201: ProgramSerializer, **error_responses(400, 401, 403, 422)},
    )
    def post(self, request):
        def write():
            serializer = ProgramCreateSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            program = services.program_create(
                actor=request.user,
                unit=serializer.validated_data["unit"],
                year=serializer.validated_data["year"],
                **serializer.service_values(),
            )
            return 201, _program_data(request, program.pk)

        return _created(
            request,
            write,
            lambda body: reverse(
                "api:program-detail", kwargs={"pk": body["id"]}, request=request
            ),
        )


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

    @extend_schema(
        operation_id="programs_partial_update",
        summary="Change a work program",
        description=(
            "Changes the values given; the unit and the year never change. "
            "The program's unit and those overseeing it only."
        ),
        tags=TAGS,
        request=ProgramUpdateSerializer,
        responses={200: ProgramSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, pk):
        selectors.program_get(user=request.user, program_id=pk)
        serializer = ProgramUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        services.program_update(
            actor=request.user, program_id=pk, changes=serializer.service_values()
        )
        return Response(_program_data(request, pk))


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

    @extend_schema(
        operation_id="programs_tasks_create",
        summary="Add a task",
        description=(
            "Adds a task for the quarters given, or by a due date in the "
            "program's year (at least one). The program's unit and those "
            "overseeing it only."
        ),
        tags=TAGS,
        parameters=CREATE_HEADERS,
        request=TaskWriteSerializer,
        responses={
            201: ProgramTaskSerializer,
            **error_responses(400, 401, 403, 404, 422),
        },
    )
    def post(self, request, pk):
        program = selectors.program_get(user=request.user, program_id=pk)

        def write():
            serializer = TaskWriteSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            task = services.task_create(
                actor=request.user, program=program, **serializer.validated_data
            )
            return 201, _task_data(task)

        return _created(
            request,
            write,
            lambda body: reverse(
                "api:program-task-detail", kwargs={"pk": body["id"]}, request=request
            ),
        )


def _visible_task(request, pk) -> ProgramTask:
    """The task if its program is visible to the user; 404 otherwise."""
    visible = selectors.programs_visible_to(request.user).values("pk")
    task = (
        ProgramTask.objects.select_related("program")
        .filter(pk=pk, program__in=visible)
        .first()
    )
    if task is None:
        raise NotFoundError()
    return task


class ProgramTaskDetailView(StaffAPIView):
    serializer_class = ProgramTaskSerializer

    @extend_schema(
        operation_id="programs_tasks_retrieve",
        summary="One task",
        tags=TAGS,
        responses={200: ProgramTaskSerializer, **error_responses(401, 404)},
    )
    def get(self, request, pk):
        return Response(_task_data(_visible_task(request, pk)))

    @extend_schema(
        operation_id="programs_tasks_partial_update",
        summary="Change a task",
        description=(
            "Changes the values given. `due_on` given is the due date (null: "
            "the end of the last quarter); `quarters` given without `due_on` "
            "move the due date to the end of the last quarter. A change of "
            "`status` is kept as a progress note. The program's unit and "
            "those overseeing it only."
        ),
        tags=TAGS,
        request=TaskUpdateSerializer,
        responses={
            200: ProgramTaskSerializer,
            **error_responses(400, 401, 403, 404),
        },
    )
    def patch(self, request, pk):
        _visible_task(request, pk)
        serializer = TaskUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        task = services.task_update(
            actor=request.user,
            task_id=pk,
            changes=dict(serializer.validated_data),
            today=timezone.localdate(),
        )
        return Response(_task_data(task))


class ProgramTaskProgressView(StaffAPIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="programs_tasks_progress",
        summary="Record progress on a task",
        description=(
            "Sets the task's status with a note kept forever, and optionally "
            "an evidence file (PDF, JPEG or PNG, sent as multipart). The "
            "program's unit, the task's lead unit and those overseeing them."
        ),
        tags=TAGS,
        request=TaskProgressSerializer,
        responses={
            200: ProgramTaskSerializer,
            **error_responses(400, 401, 403, 404),
        },
    )
    def post(self, request, pk):
        _visible_task(request, pk)
        serializer = TaskProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.task_progress(
            actor=request.user,
            task_id=pk,
            status=serializer.validated_data["status"],
            note=serializer.validated_data["note"],
            evidence=serializer.validated_data.get("evidence"),
            today=timezone.localdate(),
        )
        return Response(_task_data(task))


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

    @extend_schema(
        operation_id="bright_spots_create",
        summary="Register a bright spot",
        description=(
            'A unit registers a "Dân vận khéo" bright spot (status '
            "`registered`); the committee then approves or returns it."
        ),
        tags=TAGS,
        parameters=CREATE_HEADERS,
        request=BrightSpotRegisterSerializer,
        responses={201: BrightSpotSerializer, **error_responses(400, 401, 403, 422)},
    )
    def post(self, request):
        def write():
            serializer = BrightSpotRegisterSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            spot = services.bright_spot_register(
                actor=request.user, **serializer.validated_data
            )
            return 201, BrightSpotSerializer(spot).data

        return _created(
            request,
            write,
            lambda body: reverse(
                "api:bright-spot-detail", kwargs={"pk": body["id"]}, request=request
            ),
        )


class BrightSpotDetailView(StaffAPIView):
    serializer_class = BrightSpotSerializer

    @extend_schema(
        operation_id="bright_spots_retrieve",
        summary="One bright spot",
        tags=TAGS,
        responses={200: BrightSpotSerializer, **error_responses(401, 404)},
    )
    def get(self, request, pk):
        spot = selectors.bright_spot_get(user=request.user, spot_id=pk)
        return Response(BrightSpotSerializer(spot).data)


class BrightSpotTransitionView(StaffAPIView):
    @extend_schema(
        operation_id="bright_spots_transition",
        summary="Move a bright spot on",
        description=(
            "`approve` (registered → approved; the committee), `return` "
            "(registered → returned; needs `comment`; the committee), "
            "`resubmit` (returned → registered; the unit), `report_progress` "
            "(approved; needs `text`; the unit), `report_result` (approved → "
            "reported; needs `text`; the unit), `evaluate` (reported → "
            "evaluated; needs `rating`; the committee). 409 with "
            "`allowed_actions` when the status does not allow it."
        ),
        tags=TAGS,
        request=BrightSpotTransitionSerializer,
        responses={
            200: BrightSpotSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, pk):
        selectors.bright_spot_get(user=request.user, spot_id=pk)
        serializer = BrightSpotTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.bright_spot_transition(
            actor=request.user, spot_id=pk, **serializer.validated_data
        )
        spot = selectors.bright_spot_get(user=request.user, spot_id=pk)
        return Response(BrightSpotSerializer(spot).data)


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

    @extend_schema(
        operation_id="inspections_create",
        summary="Plan an inspection",
        description=(
            "Plans an inspection of a unit (status `planned`), under a "
            "program if given. The steering committee and the unit's "
            "supervisors only."
        ),
        tags=TAGS,
        parameters=CREATE_HEADERS,
        request=InspectionPlanSerializer,
        responses={201: InspectionSerializer, **error_responses(400, 401, 403, 422)},
    )
    def post(self, request):
        def write():
            serializer = InspectionPlanSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            inspection = services.inspection_plan(
                actor=request.user, **serializer.validated_data
            )
            return 201, _inspection_data(request, inspection.pk)

        return _created(
            request,
            write,
            lambda body: reverse(
                "api:inspection-detail", kwargs={"pk": body["id"]}, request=request
            ),
        )


class InspectionDetailView(StaffAPIView):
    serializer_class = InspectionSerializer

    @extend_schema(
        operation_id="inspections_retrieve",
        summary="One inspection",
        tags=TAGS,
        responses={200: InspectionSerializer, **error_responses(401, 404)},
    )
    def get(self, request, pk):
        return Response(_inspection_data(request, pk))


class InspectionRecordView(StaffAPIView):
    @extend_schema(
        operation_id="inspections_record",
        summary="Record an inspection's findings",
        description=(
            "Records that the inspection was held and what it found (again, "
            "to correct it, until the conclusion is issued: then 409)."
        ),
        tags=TAGS,
        request=InspectionRecordSerializer,
        responses={
            200: InspectionSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, pk):
        serializer = InspectionRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.inspection_record(
            actor=request.user, inspection_id=pk, **serializer.validated_data
        )
        return Response(_inspection_data(request, pk))


class InspectionConcludeView(StaffAPIView):
    @extend_schema(
        operation_id="inspections_conclude",
        summary="Issue an inspection's conclusion",
        description=(
            "Issues the written conclusion (thông báo kết luận) of a held "
            "inspection with the follow-up actions it requires, each due on "
            "or after the conclusion's date; 409 unless the inspection was "
            "held."
        ),
        tags=TAGS,
        request=InspectionConcludeSerializer,
        responses={
            200: InspectionSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, pk):
        serializer = InspectionConcludeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.inspection_conclude(
            actor=request.user, inspection_id=pk, **serializer.service_values()
        )
        return Response(_inspection_data(request, pk))


class FollowUpCompleteView(StaffAPIView):
    @extend_schema(
        operation_id="inspections_follow_ups_complete",
        summary="Mark a follow-up action done",
        description=(
            "The inspected unit (or those overseeing it) marks the action "
            "done today; 409 when it already is."
        ),
        tags=TAGS,
        request=None,
        responses={
            200: FollowUpActionSerializer,
            **error_responses(401, 403, 404, 409),
        },
    )
    def post(self, request, pk):
        action = services.follow_up_complete(
            actor=request.user, follow_up_id=pk, today=timezone.localdate()
        )
        return Response(FollowUpActionSerializer(action).data)
