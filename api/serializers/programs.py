"""Output shapes of work programs, their tasks, bright spots and
inspections. They only render: lateness is computed by
``programs.selectors`` and passed in as ``overdue`` annotations."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.units import UnitRefSerializer
from programs.models import (
    BrightSpot,
    FollowUpAction,
    Inspection,
    ProgramTask,
    WorkProgram,
)


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
    class Meta:
        model = FollowUpAction
        fields = ["id", "title", "due_on", "status", "done_on"]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    follow_ups = FollowUpActionSerializer(many=True, read_only=True)

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
