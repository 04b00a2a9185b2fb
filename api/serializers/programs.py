"""Shapes of work programs, their tasks, bright spots and inspections: what
the API outputs and the bodies it accepts.

Output serializers only render: lateness is computed by
``programs.selectors`` and passed in as ``overdue`` annotations. Input
serializers check types, lengths and formats, and resolve ids only among the
records the user may read (a hidden id reads as a missing one); whether a
change is allowed stays in ``programs.services``.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.schema import EnumField
from api.serializers.cases import validate_plausible_date
from api.serializers.units import UnitRefSerializer
from programs import permissions, selectors
from programs.models import (
    BrightSpot,
    BrightSpotStatus,
    FollowUpAction,
    FollowUpStatus,
    Inspection,
    InspectionStatus,
    ProgramTask,
    Rating,
    TaskKind,
    TaskStatus,
    WorkProgram,
)
from programs.services import BRIGHT_SPOT_TRANSITIONS


def task_kind_field(**kwargs):
    return EnumField(TaskKind.choices, enum_name="ProgramTaskKind", **kwargs)


def task_status_field(**kwargs):
    return EnumField(TaskStatus.choices, enum_name="ProgramTaskStatus", **kwargs)


def bright_spot_action_choices():
    return [(name, t.label) for name, t in BRIGHT_SPOT_TRANSITIONS.items()]


class ProgramSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    task_count = serializers.IntegerField(read_only=True)
    done_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = WorkProgram
        fields = [
            "id",
            "unit",
            "year",
            "parent_program",
            "title",
            "number",
            "issued_on",
            "signer_name",
            "legal_bases",
            "focus_areas",
            "units_due_on",
            "half_year_report_due_on",
            "annual_report_due_on",
            "task_count",
            "done_count",
        ]
        read_only_fields = fields


class ProgramTaskSerializer(serializers.ModelSerializer):
    lead_unit = UnitRefSerializer(read_only=True, allow_null=True)
    cooperating_units = UnitRefSerializer(many=True, read_only=True)
    quarters = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    kind = task_kind_field(read_only=True)
    status = task_status_field(read_only=True)
    overdue = serializers.BooleanField(
        read_only=True, help_text="Not done and past its due date, as of today."
    )

    class Meta:
        model = ProgramTask
        fields = [
            "id",
            "position",
            "title",
            "quarters",
            "due_on",
            "kind",
            "lead_unit",
            "cooperating_units",
            "status",
            "done_on",
            "overdue",
        ]
        read_only_fields = fields


class BrightSpotSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    status = EnumField(
        BrightSpotStatus.choices, enum_name="BrightSpotStatus", read_only=True
    )
    rating = EnumField(
        Rating.choices, enum_name="BrightSpotRating", read_only=True, allow_blank=True
    )

    class Meta:
        model = BrightSpot
        fields = [
            "id",
            "unit",
            "year",
            "title",
            "field",
            "goal",
            "period",
            "expected_result",
            "status",
            "review_comment",
            "progress",
            "result",
            "rating",
            "evaluation_comment",
        ]
        read_only_fields = fields


class FollowUpActionSerializer(serializers.ModelSerializer):
    status = EnumField(
        FollowUpStatus.choices, enum_name="FollowUpStatus", read_only=True
    )

    class Meta:
        model = FollowUpAction
        fields = ["id", "title", "due_on", "status", "done_on"]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    follow_ups = FollowUpActionSerializer(many=True, read_only=True)
    status = EnumField(
        InspectionStatus.choices, enum_name="InspectionStatus", read_only=True
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "program",
            "unit",
            "planned_on",
            "team",
            "scope",
            "status",
            "held_on",
            "findings",
            "conclusion_number",
            "conclusion_date",
            "conclusion_text",
            "follow_ups",
        ]
        read_only_fields = fields


# --------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ReadableUnitField(serializers.PrimaryKeyRelatedField):
    """A unit id among the units whose programs the user may read."""

    def get_queryset(self):
        return permissions.readable_units(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleProgramField(serializers.PrimaryKeyRelatedField):
    """A program id among the programs the user may read."""

    def get_queryset(self):
        return selectors.programs_visible_to(self.context["request"].user)


def _date(**kwargs):
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_null", True)
    return serializers.DateField(validators=[validate_plausible_date], **kwargs)


def _lines(help_text):
    return serializers.ListField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        max_length=100,
        required=False,
        help_text=help_text,
    )


class ProgramWriteSerializer(serializers.Serializer):
    """A work program's values."""

    parent_program = VisibleProgramField(
        required=False,
        allow_null=True,
        help_text="For a unit's own program: the steering committee's program "
        "(of the same year) it implements. Creating it submits it.",
    )
    title = serializers.CharField(max_length=255)
    number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    issued_on = _date()
    signer_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True
    )
    legal_bases = _lines("The documents the program cites.")
    focus_areas = _lines("The program's focus areas.")
    required_units = ReadableUnitField(
        many=True,
        required=False,
        help_text="The units asked to submit their own program (units the "
        "program's unit oversees).",
    )
    units_due_on = _date(help_text="When the units' own programs are due.")
    half_year_report_due_on = _date()
    annual_report_due_on = _date()

    def service_values(self) -> dict:
        values = dict(self.validated_data)
        values.pop("unit", None)
        values.pop("year", None)
        return values


class ProgramCreateSerializer(ProgramWriteSerializer):
    unit = ReadableUnitField(help_text="The unit whose program this is.")
    year = serializers.IntegerField(min_value=2000, max_value=2099)


class ProgramUpdateSerializer(ProgramWriteSerializer):
    """PATCH: only the values given change; unit and year never do."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class TaskWriteSerializer(serializers.Serializer):
    """A task's values: quarters, a due date, or both (the date wins)."""

    title = serializers.CharField()
    kind = task_kind_field()
    quarters = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=4),
        max_length=4,
        required=False,
    )
    due_on = _date(
        help_text="Omitted or null: due at the end of the last quarter given."
    )
    lead_unit = ReadableUnitField(required=False, allow_null=True)
    cooperating_units = ReadableUnitField(many=True, required=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class TaskUpdateSerializer(TaskWriteSerializer):
    """PATCH: only the values given change. A change of ``status`` is kept
    as a progress note."""

    status = task_status_field(required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class TaskProgressSerializer(serializers.Serializer):
    status = task_status_field()
    note = serializers.CharField(help_text="What was done; kept forever.")
    evidence = serializers.FileField(
        required=False,
        help_text="A PDF, JPEG or PNG proving the progress (multipart only).",
    )


class BrightSpotRegisterSerializer(serializers.Serializer):
    unit = ReadableUnitField()
    year = serializers.IntegerField(min_value=2000, max_value=2099)
    title = serializers.CharField(max_length=255)
    field = serializers.CharField(max_length=255)
    goal = serializers.CharField()
    period = serializers.CharField(max_length=120)
    expected_result = serializers.CharField()


class BrightSpotTransitionSerializer(serializers.Serializer):
    action = EnumField(bright_spot_action_choices(), enum_name="BrightSpotAction")
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="`return`: what must change; `evaluate`: the evaluation.",
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="`report_progress`, `report_result`: the report.",
    )
    rating = EnumField(
        Rating.choices,
        enum_name="BrightSpotRating",
        required=False,
        allow_blank=True,
        default="",
        help_text="`evaluate`: the rating.",
    )


class InspectionPlanSerializer(serializers.Serializer):
    program = VisibleProgramField(required=False, allow_null=True, default=None)
    unit = ReadableUnitField(help_text="The inspected unit.")
    planned_on = serializers.DateField(validators=[validate_plausible_date])
    team = serializers.CharField()
    scope = serializers.CharField()


class InspectionRecordSerializer(serializers.Serializer):
    held_on = serializers.DateField(validators=[validate_plausible_date])
    findings = serializers.CharField()


class FollowUpInputSerializer(serializers.Serializer):
    title = serializers.CharField()
    due_on = serializers.DateField(validators=[validate_plausible_date])


class InspectionConcludeSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=60)
    date = serializers.DateField(validators=[validate_plausible_date])
    text = serializers.CharField()
    follow_ups = FollowUpInputSerializer(
        many=True,
        required=False,
        max_length=30,
        help_text="The actions the conclusion requires, each due on or after "
        "the conclusion's date.",
    )

    def service_values(self) -> dict:
        values = dict(self.validated_data)
        values["follow_ups"] = [
            (row["title"], row["due_on"]) for row in values.get("follow_ups", [])
        ]
        return values
