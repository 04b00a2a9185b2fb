"""Meetings (dialogues, voter contact, reception days) and their items.

Every write goes through ``dialogues.services`` and every read through
``dialogues.selectors``: what a meeting allows, what the law requires and who
may do it are decided there, and refused in the API's one error shape (a
status change the meeting does not allow is a 409 with ``allowed_actions``).
A meeting carries its version as an ``ETag``; ``If-Match`` on a write makes
it refuse (412) when someone changed the meeting meanwhile.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.filters import IntegerFilter, integer_parameter
from api.http import case_etag, expected_version
from api.pagination import PageNumberPagination
from api.schema import IF_MATCH, error_responses
from api.serializers.meetings import (
    MeetingItemAnswerSerializer,
    MeetingItemHotSpotSerializer,
    MeetingItemsConvertSerializer,
    MeetingItemsCreateSerializer,
    MeetingItemSerializer,
    MeetingItemsMergeSerializer,
    MeetingSerializer,
    MeetingTransitionSerializer,
    MeetingUpdateSerializer,
    MeetingWriteSerializer,
    PublishResultSerializer,
)
from api.views.base import StaffAPIView
from dialogues import selectors, services
from dialogues.models import Meeting, MeetingItem, MeetingKind, MeetingStatus
from feedback.errors import NotFoundError
from feedback.models import Unit

TAGS = ["meetings"]
ETAG = OpenApiParameter(
    name="ETag",
    location=OpenApiParameter.HEADER,
    type=OpenApiTypes.STR,
    response=[200, 201],
    description='The meeting\'s version as an entity tag, e.g. `"3"`; send it '
    "back in `If-Match`.",
)


def _meeting(request, pk) -> Meeting:
    """The visible meeting with its counts and units, or 404."""
    return selectors.meeting_get(user=request.user, meeting_id=pk)


def meeting_response(request, meeting_id, *, status=200, headers=None) -> Response:
    """The meeting as it is now (re-read for its follow-up counts)."""
    meeting = _meeting(request, meeting_id)
    data = MeetingSerializer(meeting, context={"request": request}).data
    return Response(
        data,
        status=status,
        headers={"ETag": case_etag(meeting.version), **(headers or {})},
    )


def _expected_version(request, pk) -> int | None:
    """The version ``If-Match`` expects, for the services' ``expected_version``."""
    return expected_version(
        request,
        current=lambda: (
            Meeting.objects.filter(pk=pk).values_list("version", flat=True).first() or 0
        ),
    )


def _item_of(meeting: Meeting, item_id) -> MeetingItem:
    item = MeetingItem.objects.filter(pk=item_id, meeting=meeting).first()
    if item is None:
        raise NotFoundError()
    return item


def _items_response(request, meeting, *, ids=None, status=200) -> Response:
    items = selectors.meeting_items(meeting=meeting)
    if ids is not None:
        items = [item for item in items if item.pk in ids]
    return Response(
        MeetingItemSerializer(items, many=True, context={"request": request}).data,
        status=status,
    )


class MeetingFilter(filters.FilterSet):
    """Narrow the visible meetings; never widens them."""

    kind = filters.ChoiceFilter(choices=MeetingKind.choices)
    status = filters.ChoiceFilter(choices=MeetingStatus.choices)
    organiser_unit = filters.ModelChoiceFilter(queryset=Unit.objects.all())
    year = integer_parameter(
        IntegerFilter(
            field_name="starts_at",
            lookup_expr="year",
            label="Year of the meeting",
            min_value=2000,
            max_value=2099,
        ),
        "Year of the meeting (2000–2099).",
        minimum=2000,
        maximum=2099,
    )
    starts_from = filters.DateFilter(field_name="starts_at", lookup_expr="date__gte")
    starts_to = filters.DateFilter(field_name="starts_at", lookup_expr="date__lte")

    class Meta:
        model = Meeting
        fields = ["kind", "status", "organiser_unit", "year"]


class MeetingListView(StaffAPIView):
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = MeetingFilter
    pagination_class = PageNumberPagination
    serializer_class = MeetingSerializer

    def get_queryset(self):
        return selectors.meeting_list(user=self.request.user).prefetch_related(
            Prefetch("participating_units", queryset=Unit.objects.order_by("path"))
        )

    @extend_schema(
        operation_id="meetings_list",
        summary="List meetings",
        description=(
            "The meetings you may see (organised by, held with or in a unit "
            "you see), newest first, with the follow-up of their items."
        ),
        tags=TAGS,
        responses={200: MeetingSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        meetings = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(meetings)
        serializer = MeetingSerializer(
            page, many=True, context=self.get_serializer_context()
        )
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        operation_id="meetings_create",
        summary="Plan a meeting",
        description=(
            "Plans a meeting (status `planned`) for a unit you organise "
            "meetings for. The answer's `Warning` header carries what the "
            "rules warn about, e.g. the last day to announce a dialogue."
        ),
        tags=TAGS,
        parameters=[ETAG],
        request=MeetingWriteSerializer,
        responses={201: MeetingSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        serializer = MeetingWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        result = services.meeting_create(
            actor=request.user, **serializer.service_values()
        )
        headers = {
            "Location": reverse(
                "api:meeting-detail", kwargs={"pk": result.meeting.pk}, request=request
            )
        }
        if result.warnings:
            headers["Warning"] = '199 - "{}"'.format(
                " ".join(result.warnings).replace('"', "'")
            )
        return meeting_response(request, result.meeting.pk, status=201, headers=headers)


class MeetingDetailView(StaffAPIView):
    @extend_schema(
        operation_id="meetings_retrieve",
        summary="One meeting",
        tags=TAGS,
        parameters=[ETAG],
        responses={200: MeetingSerializer, **error_responses(401, 404)},
    )
    def get(self, request, pk):
        return meeting_response(request, pk)

    @extend_schema(
        operation_id="meetings_partial_update",
        summary="Change a meeting's plan",
        description=(
            "Changes the planning values given. Kind and organising unit "
            "change only before the meeting is held; an announced meeting "
            "cannot be moved so close that its notice falls short; reported "
            "and cancelled meetings are closed (409)."
        ),
        tags=TAGS,
        parameters=[IF_MATCH, ETAG],
        request=MeetingUpdateSerializer,
        responses={
            200: MeetingSerializer,
            **error_responses(400, 401, 403, 404, 409, 412),
        },
    )
    def patch(self, request, pk):
        serializer = MeetingUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.meeting_update(
            meeting_id=pk,
            actor=request.user,
            changes=serializer.service_values(),
            expected_version=_expected_version(request, pk),
        )
        return meeting_response(request, pk)


class MeetingTransitionView(StaffAPIView):
    @extend_schema(
        operation_id="meetings_transition",
        summary="Change a meeting's status",
        description=(
            "`announce` (planned → announced; from 01/07/2026 a dialogue at "
            "least 5 days ahead), `hold` (planned/announced → held; needs "
            "`actual_attendance` and `minutes`), `report` (held → reported; "
            "every item answered or a case; leaders), `cancel` (planned/"
            "announced → cancelled; needs `reason`; leaders). 409 with "
            "`allowed_actions` when the status does not allow it."
        ),
        tags=TAGS,
        parameters=[IF_MATCH, ETAG],
        request=MeetingTransitionSerializer,
        responses={
            200: MeetingSerializer,
            **error_responses(400, 401, 403, 404, 409, 412),
        },
    )
    def post(self, request, pk):
        serializer = MeetingTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.meeting_transition(
            meeting_id=pk,
            action=serializer.validated_data["action"],
            actor=request.user,
            data=serializer.service_data(),
            expected_version=_expected_version(request, pk),
        )
        return meeting_response(request, pk)


class MeetingPublishView(StaffAPIView):
    @extend_schema(
        operation_id="meetings_publish",
        summary="Publish a meeting's answers",
        description=(
            "Publishes the answers given on the spot with the meeting, and "
            "each answered case through the case workflow's `publish` action "
            "where you may take it. Leaders of the organising unit."
        ),
        tags=TAGS,
        request=None,
        responses={
            200: PublishResultSerializer,
            **error_responses(401, 403, 404, 409),
        },
    )
    def post(self, request, pk):
        result = services.meeting_publish_results(meeting_id=pk, actor=request.user)
        meeting = _meeting(request, pk)
        result.meeting = meeting
        return Response(
            PublishResultSerializer(result, context={"request": request}).data
        )


class MeetingItemListView(StaffAPIView):
    pagination_class = PageNumberPagination
    serializer_class = MeetingItemSerializer

    @extend_schema(
        operation_id="meetings_items_list",
        summary="A meeting's items",
        description="Every item raised at the meeting, in order.",
        tags=TAGS,
        responses={200: MeetingItemSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, pk):
        meeting = _meeting(request, pk)
        page = self.paginate_queryset(selectors.meeting_items(meeting=meeting))
        return self.get_paginated_response(
            MeetingItemSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="meetings_items_create",
        summary="Record items",
        description=(
            "Records the opinions and petitions raised at a held meeting, all "
            "or nothing; errors are keyed `items.<index>.<field>`."
        ),
        tags=TAGS,
        request=MeetingItemsCreateSerializer,
        responses={
            201: MeetingItemSerializer(many=True),
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        serializer = MeetingItemsCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.items_add(
            meeting_id=meeting.pk, actor=request.user, items=serializer.service_items()
        )
        return _items_response(
            request, meeting, ids={item.pk for item in created}, status=201
        )


class MeetingItemsConvertView(StaffAPIView):
    @extend_schema(
        operation_id="meetings_items_convert",
        summary="Turn items into cases",
        description=(
            "Turns the given items into tracked cases (`voter_petition` for "
            "voter contact, `dialogue_issue` otherwise), received at the "
            "meeting's time and due on the chair's date or the policy's, in "
            "one transaction: all or nothing. Errors are keyed "
            "`items.<index>.<field>`."
        ),
        tags=TAGS,
        request=MeetingItemsConvertSerializer,
        responses={
            200: MeetingItemSerializer(many=True),
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        serializer = MeetingItemsConvertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        converted = services.items_convert(
            meeting_id=meeting.pk,
            actor=request.user,
            conversions=serializer.conversions(),
        )
        return _items_response(request, meeting, ids={item.pk for item in converted})


class MeetingItemsMergeView(StaffAPIView):
    @extend_schema(
        operation_id="meetings_items_merge",
        summary="Merge identical items",
        description=(
            "Merges items not yet handled into `primary`; they share its "
            "answer or case, whose number of petitioners grows by one each."
        ),
        tags=TAGS,
        request=MeetingItemsMergeSerializer,
        responses={
            200: MeetingItemSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        serializer = MeetingItemsMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        primary = services.items_merge(
            meeting_id=meeting.pk,
            actor=request.user,
            primary_id=serializer.validated_data["primary"],
            item_ids=serializer.validated_data["items"],
        )
        items = _items_response(request, meeting, ids={primary.pk})
        return Response(items.data[0])


class MeetingItemAnswerView(StaffAPIView):
    @extend_schema(
        operation_id="meetings_items_answer",
        summary="Record the answer given on the spot",
        tags=TAGS,
        request=MeetingItemAnswerSerializer,
        responses={
            200: MeetingItemSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, pk, item_pk):
        meeting = _meeting(request, pk)
        item = _item_of(meeting, item_pk)
        serializer = MeetingItemAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.item_answer(
            item_id=item.pk, actor=request.user, **serializer.validated_data
        )
        return Response(_items_response(request, meeting, ids={item.pk}).data[0])


class MeetingItemHotSpotView(StaffAPIView):
    @extend_schema(
        operation_id="meetings_items_hot_spot",
        summary="Flag an item as a hot spot, or clear the flag",
        description=(
            "An item that became a case has the case flagged too, through the "
            "case workflow (`correct`), which only the case's leaders may do."
        ),
        tags=TAGS,
        request=MeetingItemHotSpotSerializer,
        responses={
            200: MeetingItemSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, pk, item_pk):
        meeting = _meeting(request, pk)
        item = _item_of(meeting, item_pk)
        serializer = MeetingItemHotSpotSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.item_set_hot_spot(
            item_id=item.pk, actor=request.user, **serializer.validated_data
        )
        return Response(_items_response(request, meeting, ids={item.pk}).data[0])
