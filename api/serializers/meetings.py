"""Shapes of meetings and their items: what the API outputs and the bodies it
accepts.

Output serializers only render (follow-up counts come annotated from
``dialogues.selectors``); input serializers check types, lengths and formats.
Whether an action is allowed, what the law requires (notice, minutes, every
item handled) and who may do it stay in ``dialogues.services``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.schema import EnumField
from api.serializers.cases import (
    FieldRefSerializer,
    UserRefSerializer,
    validate_plausible_date,
)
from api.serializers.units import UnitRefSerializer
from dialogues import workflow
from dialogues.models import (
    ItemOutcome,
    Meeting,
    MeetingItem,
    MeetingKind,
    MeetingStatus,
    RaisedBy,
    SessionTiming,
)
from dialogues.services import ItemConversion, ItemInput, meeting_allowed_transitions
from feedback.models import Field, Status, Unit, UnitKind
from feedback.selectors.cases import local_today


def transition_choices():
    return [(name, str(spec.label)) for name, spec in workflow.TRANSITIONS.items()]


def _plausible_moment(value):
    validate_plausible_date(value.date())


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


class FollowUpSerializer(serializers.Serializer):
    """How the items raised at the meeting ended, counted once each (items
    merged into another are counted with it)."""

    total = serializers.IntegerField(source="items_total", read_only=True)
    answered = serializers.IntegerField(
        source="items_answered",
        read_only=True,
        help_text="Answered on the spot, or a case resolved or closed.",
    )
    answered_on_the_spot = serializers.IntegerField(
        source="items_answered_on_spot", read_only=True
    )
    in_progress = serializers.IntegerField(
        source="items_in_progress",
        read_only=True,
        help_text="A case still open, within its deadline.",
    )
    overdue = serializers.IntegerField(
        source="items_overdue",
        read_only=True,
        help_text="A case still open past its stage deadline.",
    )
    pending = serializers.IntegerField(
        source="items_pending",
        read_only=True,
        help_text="Neither answered on the spot nor turned into a case yet.",
    )
    ended_elsewhere = serializers.IntegerField(
        source="items_ended_elsewhere",
        read_only=True,
        help_text="A case transferred, returned, archived or withdrawn.",
    )
    merged = serializers.IntegerField(source="items_merged", read_only=True)


class MeetingAllowedActionsField(serializers.ListField):
    """The transitions the requesting user may take on the meeting now."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault(
            "child", EnumField(transition_choices(), enum_name="MeetingAction")
        )
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return meeting_allowed_transitions(
            actor=self.context["request"].user, meeting=instance
        )


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting, with its follow-up counts and what you may do with it."""

    kind = EnumField(MeetingKind.choices, enum_name="MeetingKind", read_only=True)
    status = EnumField(MeetingStatus.choices, enum_name="MeetingStatus", read_only=True)
    organiser_unit = UnitRefSerializer(read_only=True)
    chair = UserRefSerializer(read_only=True, allow_null=True)
    chair_name = serializers.CharField(
        source="chair_display",
        read_only=True,
        help_text="The chair's name: the user's, or the name typed in.",
    )
    participating_units = UnitRefSerializer(many=True, read_only=True)
    hamlets = UnitRefSerializer(many=True, read_only=True)
    deputies = serializers.ListField(
        source="deputy_list", child=serializers.CharField(), read_only=True
    )
    session_timing = EnumField(
        SessionTiming.choices,
        enum_name="SessionTiming",
        read_only=True,
        allow_blank=True,
    )
    has_minutes_file = serializers.SerializerMethodField(
        help_text="Whether the scan of the signed minutes is attached."
    )
    followup = serializers.SerializerMethodField()
    allowed_actions = MeetingAllowedActionsField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "status",
            "topic",
            "organiser_unit",
            "chair",
            "chair_name",
            "chair_position",
            "participating_units",
            "hamlets",
            "deputies",
            "starts_at",
            "ends_at",
            "place",
            "council_session",
            "session_timing",
            "expected_attendance",
            "actual_attendance",
            "minutes",
            "has_minutes_file",
            "announced_at",
            "results_published_at",
            "cancel_reason",
            "followup",
            "allowed_actions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_has_minutes_file(self, meeting) -> bool:
        return bool(meeting.minutes_file)

    @extend_schema_field(FollowUpSerializer)
    def get_followup(self, meeting):
        return FollowUpSerializer(meeting).data


class ItemCaseSerializer(serializers.Serializer):
    """The case an item became."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(source="display_code", read_only=True)
    status = EnumField(Status.choices, enum_name="CaseStatus", read_only=True)
    responsible_unit = UnitRefSerializer(read_only=True)
    stage_due_on = serializers.DateField(read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    public_answer = serializers.CharField(read_only=True)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, case) -> bool:
        return case.overdue_on(local_today())


class MeetingItemSerializer(serializers.ModelSerializer):
    """An opinion or petition raised at a meeting and how it ended."""

    raised_by = EnumField(RaisedBy.choices, enum_name="RaisedBy", read_only=True)
    raiser_hamlet = UnitRefSerializer(read_only=True, allow_null=True)
    field = FieldRefSerializer(read_only=True)
    outcome = EnumField(ItemOutcome.choices, enum_name="ItemOutcome", read_only=True)
    case = ItemCaseSerializer(read_only=True, allow_null=True)
    merged_into = serializers.IntegerField(
        source="merged_into_id",
        read_only=True,
        allow_null=True,
        help_text="The item this one was merged into.",
    )
    responsible_unit = UnitRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = MeetingItem
        fields = [
            "id",
            "number",
            "raised_by",
            "raiser_name",
            "raiser_address",
            "raiser_phone",
            "raiser_hamlet",
            "field",
            "title",
            "content",
            "outcome",
            "answer",
            "answered_by",
            "case",
            "merged_into",
            "responsible_unit",
            "answer_due_on",
            "is_hot_spot",
            "handled_at",
            "created_at",
        ]
        read_only_fields = fields


class PublishResultSerializer(serializers.Serializer):
    answered_items = serializers.IntegerField(
        read_only=True, help_text="Answers given on the spot, now public."
    )
    published_cases = serializers.IntegerField(
        read_only=True, help_text="Answered cases published now."
    )
    waiting_cases = serializers.IntegerField(
        read_only=True, help_text="Cases still being resolved."
    )
    not_allowed_cases = serializers.IntegerField(
        read_only=True,
        help_text="Answered cases whose publication is up to their unit's leaders.",
    )
    meeting = MeetingSerializer(read_only=True)


# --------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------


class ActiveUnitField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Unit.objects.filter(is_active=True))
        super().__init__(**kwargs)


class MeetingWriteSerializer(serializers.Serializer):
    """The planning values of a meeting."""

    kind = EnumField(MeetingKind.choices, enum_name="MeetingKind")
    organiser_unit = ActiveUnitField(
        help_text="The unit that organises it; you must be its officer or "
        "leader, or a supervisor above it."
    )
    topic = serializers.CharField(max_length=255)
    starts_at = serializers.DateTimeField(validators=[_plausible_moment])
    ends_at = serializers.DateTimeField(
        required=False, allow_null=True, validators=[_plausible_moment]
    )
    place = serializers.CharField(max_length=255)
    chair = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The chair, when a user; else give `chair_name`.",
    )
    chair_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    chair_position = serializers.CharField(
        max_length=160, required=False, allow_blank=True
    )
    participating_units = ActiveUnitField(many=True, required=False)
    hamlets = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True, kind=UnitKind.HAMLET),
        many=True,
        required=False,
    )
    deputies = serializers.ListField(
        child=serializers.CharField(max_length=120),
        required=False,
        max_length=100,
        help_text="Names of the deputies attending.",
    )
    council_session = serializers.CharField(
        max_length=255, required=False, allow_blank=True
    )
    session_timing = EnumField(
        SessionTiming.choices,
        enum_name="SessionTiming",
        required=False,
        allow_blank=True,
    )
    expected_attendance = serializers.IntegerField(
        min_value=0, max_value=100_000, required=False, allow_null=True
    )

    def service_values(self) -> dict:
        """The values as ``meeting_create``/``meeting_update`` take them."""
        values = dict(self.validated_data)
        if "deputies" in values:
            values["deputies"] = "\n".join(values["deputies"])
        return values


class MeetingUpdateSerializer(MeetingWriteSerializer):
    """PATCH: only the planning values given change."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class MeetingItemInputSerializer(serializers.Serializer):
    raised_by = EnumField(RaisedBy.choices, enum_name="RaisedBy")
    raiser_name = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when a citizen raised it.",
    )
    raiser_address = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    raiser_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    raiser_hamlet = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(kind=UnitKind.HAMLET),
        required=False,
        allow_null=True,
        default=None,
        help_text="Required when the voters of a hamlet raised it.",
    )
    field = serializers.PrimaryKeyRelatedField(
        queryset=Field.objects.filter(is_active=True)
    )
    title = serializers.CharField(max_length=255)
    content = serializers.CharField()
    is_hot_spot = serializers.BooleanField(required=False, default=False)


class MeetingItemsCreateSerializer(serializers.Serializer):
    """Items to record, all or nothing."""

    items = MeetingItemInputSerializer(many=True, min_length=1, max_length=100)

    def service_items(self) -> list[ItemInput]:
        return [ItemInput(**entry) for entry in self.validated_data["items"]]


class ConversionSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, help_text="The item's id.")
    responsible_unit = ActiveUnitField(
        help_text="The unit that answers; you must be allowed to log cases for it."
    )
    answer_due_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        validators=[validate_plausible_date],
        help_text="The date the chair set; the policy's deadline when omitted.",
    )
    is_hot_spot = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Flag the case as a hot spot; the item's flag when omitted.",
    )


class MeetingItemsConvertSerializer(serializers.Serializer):
    """Items to turn into cases, in one transaction."""

    items = ConversionSerializer(many=True, min_length=1, max_length=100)

    def conversions(self) -> list[ItemConversion]:
        return [
            ItemConversion(
                item_id=entry["id"],
                responsible_unit=entry["responsible_unit"],
                answer_due_on=entry["answer_due_on"],
                is_hot_spot=entry["is_hot_spot"],
            )
            for entry in self.validated_data["items"]
        ]


class MeetingItemsMergeSerializer(serializers.Serializer):
    primary = serializers.IntegerField(min_value=1, help_text="The item to keep.")
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=100,
        help_text="The identical items merged into it.",
    )


class MeetingItemAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(help_text="The answer given at the meeting.")
    answered_by = serializers.CharField(
        max_length=160,
        required=False,
        allow_blank=True,
        default="",
        help_text="Who answered; the chair when omitted.",
    )


class MeetingItemHotSpotSerializer(serializers.Serializer):
    is_hot_spot = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingTransitionSerializer(serializers.Serializer):
    """A change of the meeting's status; the data each action needs."""

    action = EnumField(transition_choices(), enum_name="MeetingAction")
    actual_attendance = serializers.IntegerField(
        min_value=0,
        max_value=100_000,
        required=False,
        allow_null=True,
        help_text="`hold`: how many people attended.",
    )
    minutes = serializers.CharField(
        required=False, allow_blank=True, help_text="`hold`: the minutes."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="`cancel`: why."
    )

    def service_data(self) -> dict:
        data = dict(self.validated_data)
        data.pop("action")
        return data
