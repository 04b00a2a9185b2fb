"""OpenAPI description helpers: named enums, the error shape, common headers.

drf-spectacular names an enum after the field that carries it, so ``kind``
(of a case, a unit, an event) and ``status``/``from_status`` collide and the
schema generator warns.  ``EnumField`` names its enum explicitly instead
(``CaseKind``, ``UnitKind``, ``CaseStatus``...) through a field extension, so
the schema validates with ``--fail-on-warn`` without global enum overrides.
"""

from __future__ import annotations

from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from feedback import workflow


class EnumField(serializers.ChoiceField):
    """A choice field documented as the named enum component ``enum_name``."""

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField
    match_subclasses = True

    def get_name(self):
        suffix = "OrBlank" if self.target.allow_blank else ""
        return f"{self.target.enum_name}{suffix}"

    def map_serializer_field(self, auto_schema, direction):
        values = [value for value in self.target.choices if value != ""]
        description = "\n".join(
            f"* `{value}` - {label}"
            for value, label in self.target.choices.items()
            if value != ""
        )
        if self.target.allow_blank:
            values.append("")
            description += "\n* `` - (none)"
        return {"type": "string", "enum": values, "description": description}


def action_choices():
    """The workflow actions with their (lazily translated) labels."""
    return [(name, action.label) for name, action in workflow.ACTIONS.items()]


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable, machine-readable error code.")
    message = serializers.CharField(
        help_text="A human-readable message in the request's language."
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=(
            "Per-field messages; nested fields use dotted paths "
            "(`parties.0.national_id`); `__all__` holds messages about the "
            "request as a whole."
        ),
    )
    allowed_actions = serializers.ListField(
        child=EnumField(action_choices(), enum_name="WorkflowAction"),
        required=False,
        help_text="Only for `invalid_transition` (409): what the case allows now.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Invalid input: `fields` says what is wrong with each field.",
    401: "Not authenticated: send `Authorization: Token <token>`.",
    403: "Your role does not allow this.",
    404: "Not found, or not visible to you (the two are indistinguishable).",
    409: (
        "The case's status does not allow the action (`invalid_transition`, "
        "with `allowed_actions`), or it changed concurrently (`conflict`)."
    ),
    412: "`If-Match` names a version the case no longer has.",
    422: "The `Idempotency-Key` was already used with a different request body.",
    429: "Too many attempts; retry after the `Retry-After` seconds.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an operation, all in the one shape."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
        for status in statuses
    }


IF_MATCH = OpenApiParameter(
    name="If-Match",
    location=OpenApiParameter.HEADER,
    type=OpenApiTypes.STR,
    required=False,
    description=(
        'The case\'s `ETag` (`"<version>"`) as last read. When the case has '
        "changed since, nothing is done and the answer is 412."
    ),
)

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    type=OpenApiTypes.STR,
    required=False,
    description=(
        "A client-chosen key (1–255 visible ASCII characters). Repeating a "
        "request with the same key and body within 24 hours returns the first "
        "response (with `pin` null: the PIN is shown only once) instead of "
        "logging a second case; the same key with a different body is refused "
        "(422)."
    ),
)
LOCATION = OpenApiParameter(
    name="Location",
    location=OpenApiParameter.HEADER,
    type=OpenApiTypes.URI,
    response=[201],
    description="The new record's URL.",
)
REPLAYED = OpenApiParameter(
    name="Idempotent-Replayed",
    location=OpenApiParameter.HEADER,
    type=OpenApiTypes.STR,
    enum=["true"],
    response=[201],
    description="Present when the answer is the replay of an earlier request.",
)


class RequiredReasonPatchExtension(OpenApiSerializerExtension):
    """PATCH bodies are documented as partial; ``reason`` stays required."""

    target_class = "api.serializers.cases.CaseUpdateSerializer"

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        required = set(schema.get("required", []))
        schema["required"] = sorted(required | {"reason"})
        return schema
