"""Reference data clients need to fill in requests: fields, legal grounds."""

from rest_framework import serializers

from feedback.models import Field, LegalGround


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["id", "code", "name", "is_active"]
        read_only_fields = fields


class LegalGroundSerializer(serializers.ModelSerializer):
    action = serializers.CharField(
        read_only=True, help_text="The workflow action that cites it."
    )
    kind = serializers.CharField(
        read_only=True, help_text="The case kind it is for; blank for every kind."
    )

    class Meta:
        model = LegalGround
        fields = ["code", "action", "kind", "article", "text"]
        read_only_fields = fields
