"""A case's timeline (its events) and its change history (simple-history)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.schema import EnumField
from api.serializers.cases import UserRefSerializer
from feedback.models import CaseEvent, EventKind, Status
from feedback.presentation import masked_party_value

# Never output, whatever a history model holds.
SECRET_FIELDS = frozenset({"pin_hash"})
PARTY_IDENTITY_FIELDS = ("full_name", "national_id", "phone", "email", "address")


class CaseEventSerializer(serializers.ModelSerializer):
    kind = EnumField(EventKind.choices, enum_name="EventKind", read_only=True)
    action = serializers.CharField(
        read_only=True,
        help_text="The workflow action (or `create`) that wrote the entry.",
    )
    from_status = EnumField(
        Status.choices, enum_name="CaseStatus", read_only=True, allow_blank=True
    )
    to_status = EnumField(
        Status.choices, enum_name="CaseStatus", read_only=True, allow_blank=True
    )
    data = serializers.DictField(
        read_only=True, help_text="Details of the entry (dates, units, values)."
    )
    author = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "kind",
            "action",
            "from_status",
            "to_status",
            "is_public",
            "text",
            "data",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class HistoryRecordSerializer(serializers.Serializer):
    """One historical version of the case or of one of its parties."""

    id = serializers.IntegerField(
        source="history_id", read_only=True, help_text="Id of the history record."
    )
    model = EnumField(
        [("case", "case"), ("party", "party")],
        enum_name="HistoryModel",
        read_only=True,
        source="history_model",
    )
    object_id = serializers.IntegerField(
        source="id", read_only=True, help_text="Id of the case or party."
    )
    date = serializers.DateTimeField(source="history_date", read_only=True)
    type = EnumField(
        [("+", "created"), ("~", "changed"), ("-", "deleted")],
        enum_name="HistoryType",
        read_only=True,
        source="history_type",
    )
    user = UserRefSerializer(source="history_user", read_only=True, allow_null=True)
    change_reason = serializers.CharField(
        source="history_change_reason", read_only=True, allow_null=True
    )
    values = serializers.SerializerMethodField(
        help_text=(
            "Every tracked value of that version; relations as ids. A "
            "denouncer's identity is masked for whoever may not see it."
        )
    )

    @extend_schema_field(
        {"type": "object", "additionalProperties": {}, "example": {"title": "…"}}
    )
    def get_values(self, record) -> dict:
        user = self.context["request"].user
        is_party = record.history_model == "party"
        values = {}
        for field in record.instance_type._meta.concrete_fields:
            name = field.attname
            if name in SECRET_FIELDS or not hasattr(record, name):
                continue
            if is_party and name in PARTY_IDENTITY_FIELDS:
                values[name] = masked_party_value(user, record, name)
            else:
                values[name] = _json_value(field.value_from_object(record))
        return values


def _json_value(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
