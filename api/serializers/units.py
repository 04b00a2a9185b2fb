"""Output shape of organisation units."""

from rest_framework import serializers

from api.schema import EnumField
from feedback.models import Unit, UnitKind


class UnitSerializer(serializers.ModelSerializer):
    kind = EnumField(UnitKind.choices, enum_name="UnitKind", read_only=True)
    parent = serializers.IntegerField(
        source="parent_id", read_only=True, allow_null=True
    )
    path = serializers.CharField(
        read_only=True,
        help_text="Materialized path of ids from the root, e.g. `/1/4/9/`.",
    )
    depth = serializers.IntegerField(
        read_only=True, help_text="0 for a root unit.", min_value=0
    )

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent", "depth", "path", "is_active"]
        read_only_fields = fields


class UnitRefSerializer(serializers.ModelSerializer):
    """A unit named inside another resource."""

    class Meta:
        model = Unit
        fields = ["id", "code", "name"]
        read_only_fields = fields
