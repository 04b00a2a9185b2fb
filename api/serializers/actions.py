"""Bodies of the workflow actions, one input serializer per action.

``action_input_serializer(name)`` answers for every action of
``feedback.workflow.ACTIONS``: an action added to the table later without a
serializer here gets the generic body (an optional ``reason`` and ``text``)
until it is given its own.  Serializers check shapes; whether the action is
allowed and what it requires stay in ``case_transition``.
"""

from __future__ import annotations

from rest_framework import serializers

from api.schema import EnumField
from api.serializers.cases import (
    MAX_ID,
    CorrectableFieldsSerializer,
    correction_value,
    validate_plausible_date,
)
from feedback.models import BodyClass, Outcome
from feedback.services.cases import CORRECTABLE_FIELDS


def _reason(**kwargs):
    kwargs.setdefault("help_text", "Why; recorded on the timeline.")
    return serializers.CharField(**kwargs)


def _optional_text(help_text="An optional note recorded on the timeline."):
    return serializers.CharField(required=False, allow_blank=True, help_text=help_text)


class CaseActionSerializer(serializers.Serializer):
    """Base of action bodies."""

    def service_data(self) -> dict:
        """The ``data`` argument of ``case_transition``."""
        return dict(self.validated_data)


class CaseGenericActionSerializer(CaseActionSerializer):
    reason = _reason(required=False, allow_blank=True)
    text = _optional_text()


def _legal_ground(action: str, **kwargs):
    kwargs.setdefault(
        "help_text",
        f"Code of a legal ground for `{action}` (see `GET /api/v1/legal-grounds/"
        f"?action={action}`).",
    )
    return serializers.SlugField(max_length=60, **kwargs)


class DecisionFields(serializers.Serializer):
    """Outcome, number and date of the decision (complaints, denunciations)."""

    outcome = EnumField(
        Outcome.choices,
        enum_name="Outcome",
        required=False,
        help_text="Required for complaints and denunciations.",
    )
    decision_number = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        help_text="Required for complaints and denunciations.",
    )
    decision_date = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[validate_plausible_date],
        help_text="Required for complaints and denunciations.",
    )


class CaseAcceptSerializer(CaseActionSerializer):
    legal_ground = _legal_ground("accept", required=False, allow_blank=True)
    text = _optional_text()


class CaseReturnSerializer(CaseActionSerializer):
    reason = _reason()
    legal_ground = _legal_ground("return")


class CaseForwardSerializer(CaseActionSerializer):
    reason = _reason()
    to_body = serializers.CharField(
        max_length=255, help_text="The competent body the letter is forwarded to."
    )
    to_body_class = EnumField(
        BodyClass.choices,
        enum_name="BodyClass",
        help_text="The class of that body (NĐ 55/2022, Art. 6).",
    )
    legal_ground = _legal_ground("forward")


class CaseArchiveSerializer(CaseActionSerializer):
    reason = _reason()
    legal_ground = _legal_ground("archive")


class CaseWithdrawSerializer(CaseActionSerializer):
    reason = _reason()


class CaseDraftAnswerSerializer(DecisionFields, CaseActionSerializer):
    public_answer = serializers.CharField(help_text="The draft answer.")


class CaseReturnAnswerSerializer(CaseActionSerializer):
    text = serializers.CharField(help_text="What the draft needs changed.")


class CaseResolveSerializer(DecisionFields, CaseActionSerializer):
    public_answer = serializers.CharField(
        required=False,
        help_text=(
            "The answer the petitioner (and the public tracking page) sees; "
            "defaults to the pending draft's, which is then approved."
        ),
    )


class CaseCorrectAnswerSerializer(DecisionFields, CaseActionSerializer):
    public_answer = serializers.CharField(help_text="The corrected answer.")
    reason = _reason()


class CasePublishSerializer(CaseActionSerializer):
    """No body: publishes the approved answer."""


class CaseCloseSerializer(CaseActionSerializer):
    text = _optional_text()


class CaseAssignSerializer(CaseActionSerializer):
    assignee = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="Id of an officer or leader of the responsible unit.",
    )


class CaseExtendSerializer(CaseActionSerializer):
    reason = _reason()


class CaseTransferSerializer(CaseActionSerializer):
    to_unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of the receiving unit."
    )
    reason = _reason()


class CaseReturnToDispatcherSerializer(CaseActionSerializer):
    reason = _reason()


class CaseAddCollaboratorSerializer(CaseActionSerializer):
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of the co-operating unit."
    )
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[validate_plausible_date],
        help_text="The unit's own deadline; the case's stage deadline by default.",
    )
    text = _optional_text("What the unit is asked to do.")


class CaseContributeSerializer(CaseActionSerializer):
    text = serializers.CharField(help_text="The co-operating unit's contribution.")


class CaseNoteSerializer(CaseActionSerializer):
    text = serializers.CharField(help_text="The progress note.")
    is_public = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Whether the petitioner sees the note when tracking the case.",
    )


class CaseCorrectSerializer(CaseActionSerializer):
    field_name = EnumField(
        [(name, name) for name in sorted(CORRECTABLE_FIELDS)],
        enum_name="CorrectableField",
    )
    value = serializers.JSONField(
        allow_null=True,
        help_text=(
            "The corrected value, typed as the field of the same name in the "
            "PATCH body (an id for `field` and `location_unit`)."
        ),
    )
    reason = _reason()

    def validate(self, attrs):
        typed = CorrectableFieldsSerializer().fields[attrs["field_name"]]
        try:
            value = typed.run_validation(attrs["value"])
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"value": error.detail}) from None
        return {**attrs, "value": correction_value(value)}


ACTION_SERIALIZERS: dict[str, type[CaseActionSerializer]] = {
    "accept": CaseAcceptSerializer,
    "return": CaseReturnSerializer,
    "forward": CaseForwardSerializer,
    "archive": CaseArchiveSerializer,
    "withdraw": CaseWithdrawSerializer,
    "draft_answer": CaseDraftAnswerSerializer,
    "return_answer": CaseReturnAnswerSerializer,
    "resolve": CaseResolveSerializer,
    "correct_answer": CaseCorrectAnswerSerializer,
    "publish": CasePublishSerializer,
    "close": CaseCloseSerializer,
    "assign": CaseAssignSerializer,
    "extend": CaseExtendSerializer,
    "transfer": CaseTransferSerializer,
    "return_to_dispatcher": CaseReturnToDispatcherSerializer,
    "add_collaborator": CaseAddCollaboratorSerializer,
    "contribute": CaseContributeSerializer,
    "note": CaseNoteSerializer,
    "correct": CaseCorrectSerializer,
}


def action_input_serializer(name: str) -> type[CaseActionSerializer]:
    """The body serializer of the action ``name``."""
    serializer = ACTION_SERIALIZERS.get(name)
    if serializer is not None:
        return serializer
    class_name = "Case" + name.title().replace("_", "") + "Serializer"
    return type(class_name, (CaseGenericActionSerializer,), {})
