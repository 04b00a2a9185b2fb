"""Shapes of the citizens' public endpoints (``/api/v1/public/``).

Input serializers check types and lengths; the rules of a letter (required
address for a complaint, phone and ID formats, consent) stay in
``feedback.services.public`` so that the web form and the API apply the same
ones.  Missing values get the service's own messages.

Output serializers render the portal's dataclasses (``SubmissionReceipt``,
``PublicCaseView``, ``PublishedAnswer``), never a case model, so no
petitioner's detail can reach an answer.  A denunciation's public view leaves
out every key but the status and the dates (Luật Tố cáo Arts 8, 47).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.pagination import PageNumberPagination
from api.schema import EnumField
from api.serializers.cases import MAX_ID, FreshFieldsMixin
from feedback.models import CaseKind, Satisfaction, Status
from feedback.services.public import (
    ADDRESS_MAX,
    COMMENT_MAX,
    CONTENT_MAX,
    NAME_MAX,
    PUBLIC_KINDS,
    TITLE_MAX,
)

PUBLIC_KIND_CHOICES = [(kind.value, kind.label) for kind in PUBLIC_KINDS]
# What a denunciation's public view leaves out: only its status and dates are
# shown to whoever holds the code and PIN.
DENUNCIATION_HIDDEN_KEYS = (
    "kind",
    "kind_label",
    "field",
    "responsible_unit",
    "answer",
    "decision",
    "satisfaction",
    "satisfaction_label",
    "rated_on",
)
# Keys whose empty value is rendered as null.
BLANK_AS_NULL_KEYS = ("answer", "decision", "satisfaction", "satisfaction_label")
PERIOD_PATTERN = r"^\d{4}(-Q[1-4])?$"


def _messages(message) -> dict:
    """The same message for a missing, null or blank value."""
    return {"required": message, "null": message, "blank": message}


# --------------------------------------------------------------------------
# Submission
# --------------------------------------------------------------------------


class PublicSubmissionSerializer(FreshFieldsMixin, serializers.Serializer):
    """A citizen's letter.  Attachments are not taken by the API: they go to
    the web form or the reception desk."""

    kind = EnumField(
        PUBLIC_KIND_CHOICES,
        enum_name="PublicCaseKind",
        error_messages={
            **_messages(_("Choose what you are sending.")),
            "invalid_choice": _("Choose what you are sending."),
        },
    )
    field = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="Id of a field from `GET /api/v1/public/options/`.",
        error_messages={
            **_messages(_("Choose a field from the list.")),
            "invalid": _("Choose a field from the list."),
        },
    )
    hamlet = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=(
            "Id of the hamlet where it happens, from `GET /api/v1/public/options/`."
        ),
        error_messages={
            **_messages(_("Choose a hamlet from the list.")),
            "invalid": _("Choose a hamlet from the list."),
        },
    )
    title = serializers.CharField(
        max_length=TITLE_MAX, error_messages=_messages(_("Enter a title."))
    )
    content = serializers.CharField(
        max_length=CONTENT_MAX, error_messages=_messages(_("Describe the matter."))
    )
    full_name = serializers.CharField(
        max_length=NAME_MAX,
        help_text="The sender's name; for a denunciation it stays confidential.",
        error_messages=_messages(_("Enter your full name.")),
    )
    phone = serializers.CharField(
        max_length=20,
        help_text="A Vietnamese phone number, e.g. `0912 345 678` or `+84912345678`.",
        error_messages=_messages(_("Enter a phone number we can call you on.")),
    )
    email = serializers.EmailField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text="The receipt (code and PIN) is e-mailed there too.",
    )
    national_id = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        default="",
        help_text="The 12-digit citizen identity number.",
    )
    address = serializers.CharField(
        max_length=ADDRESS_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for a complaint or a denunciation.",
    )
    consent = serializers.BooleanField(
        help_text=(
            "The sender read the privacy notice (`/quyen-rieng-tu/`) and agrees "
            "that the details are used to handle the letter; must be true."
        ),
        error_messages={
            **_messages(_("Please read the privacy notice and tick the box to agree.")),
        },
    )

    def service_kwargs(self) -> dict:
        """Keyword arguments of ``public_submission_create``."""
        data = dict(self.validated_data)
        data["field_id"] = data.pop("field")
        data["hamlet_id"] = data.pop("hamlet")
        return data


class PublicReceiptSerializer(serializers.Serializer):
    """The receipt of an online letter."""

    code = serializers.CharField(
        read_only=True,
        help_text="The tracking code as printed, e.g. `7K3F-9QM2-XT4A`.",
    )
    pin = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=(
            "The 6-digit PIN. Shown once: only its keyed hash is stored, so it "
            "is null when the answer is the replay of an earlier request."
        ),
    )
    status = EnumField(
        Status.choices,
        enum_name="CaseStatus",
        read_only=True,
        allow_null=True,
        help_text="`received`; null on a replay (track the case for its status).",
    )
    status_label = serializers.CharField(
        read_only=True, allow_null=True, help_text="The status in plain words."
    )
    received_at = serializers.DateTimeField(read_only=True)
    answer_due_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The date the answer is due by law; null on a replay.",
    )
    responsible_unit = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The unit that received the letter; null on a replay.",
    )
    kind = EnumField(PUBLIC_KIND_CHOICES, enum_name="PublicCaseKind", read_only=True)
    kind_label = serializers.CharField(read_only=True)
    field = serializers.IntegerField(read_only=True, help_text="The field's id.")
    hamlet = serializers.IntegerField(read_only=True, help_text="The hamlet's id.")
    receipt_emailed = serializers.BooleanField(
        read_only=True, help_text="A copy of the receipt is e-mailed to the sender."
    )
    track_url = serializers.URLField(
        read_only=True,
        help_text=(
            "The tracking page with the code filled in (for a QR code); the "
            "PIN is still asked for."
        ),
    )


# --------------------------------------------------------------------------
# Tracking and rating
# --------------------------------------------------------------------------


class TrackLookupSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=20,
        help_text=(
            "The tracking code from the receipt; case, spaces and dashes do "
            "not matter (`7k3f 9qm2 xt4a`)."
        ),
        error_messages=_messages(_("Enter the tracking code.")),
    )
    pin = serializers.CharField(
        max_length=10,
        help_text="The 6-digit PIN from the receipt.",
        error_messages=_messages(_("Enter the PIN.")),
    )

    def validate_pin(self, value):
        if not (value.isascii() and value.isdigit() and len(value) == 6):
            raise serializers.ValidationError(_("The PIN has 6 digits."))
        return value


class PublicEventSerializer(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    label = serializers.CharField(
        read_only=True, help_text="What happened, in plain words."
    )
    text = serializers.CharField(
        read_only=True,
        help_text=(
            "Guidance or a reason addressed to the citizen; blank otherwise, "
            "and always blank for a denunciation."
        ),
    )


class PublicCaseSerializer(serializers.Serializer):
    """A case as the holder of its code and PIN sees it.

    For a denunciation only the status and the dates are given: `kind`,
    `kind_label`, `field`, `responsible_unit`, `answer`, `decision` and the
    rating keys are left out, and timeline entries carry no text.
    """

    # Optional keys are declared writable with ``required=False`` so that the
    # schema lists them as optional; the serializer is never used for input.
    code = serializers.CharField(
        source="display_code",
        read_only=True,
        help_text="The tracking code as printed, e.g. `7K3F-9QM2-XT4A`.",
    )
    kind = EnumField(
        CaseKind.choices,
        enum_name="CaseKind",
        required=False,
        help_text="Absent for a denunciation.",
    )
    kind_label = serializers.CharField(
        required=False, help_text="Absent for a denunciation."
    )
    field = serializers.CharField(
        required=False, help_text="The field (lĩnh vực); absent for a denunciation."
    )
    responsible_unit = serializers.CharField(
        required=False,
        help_text="The unit handling it; absent for a denunciation.",
    )
    received_on = serializers.DateField(read_only=True)
    status = EnumField(Status.choices, enum_name="CaseStatus", read_only=True)
    status_label = serializers.CharField(
        read_only=True, help_text="The status in plain words."
    )
    status_help = serializers.CharField(
        read_only=True, help_text="One sentence on what the status means."
    )
    is_open = serializers.BooleanField(read_only=True)
    answer_due_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="When the answer is due; null once the case ended otherwise.",
    )
    is_late = serializers.SerializerMethodField(
        help_text="Open past its due date, or answered after it."
    )
    overdue_days = serializers.IntegerField(
        read_only=True, help_text="Days an open case is past its due date (0: not)."
    )
    answered_late_days = serializers.IntegerField(
        read_only=True, help_text="Days after the due date the answer came (0: not)."
    )
    resolved_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="When it was answered."
    )
    answer = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="The public answer once answered, else null; absent for a "
        "denunciation.",
    )
    decision = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="A complaint's decision (number, date, outcome), else null; "
        "absent for a denunciation.",
    )
    satisfaction = EnumField(
        Satisfaction.choices,
        enum_name="Satisfaction",
        required=False,
        allow_null=True,
        help_text="The citizen's rating, null until rated; absent for a denunciation.",
    )
    satisfaction_label = serializers.CharField(required=False, allow_null=True)
    rated_on = serializers.DateField(required=False, allow_null=True)
    timeline = PublicEventSerializer(
        many=True, read_only=True, help_text="Public entries, oldest first."
    )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_late(self, view) -> bool:
        return bool(view.overdue_days or view.answered_late_days)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for key in BLANK_AS_NULL_KEYS:
            if data.get(key) == "":
                data[key] = None
        if instance.is_denunciation:
            for key in DENUNCIATION_HIDDEN_KEYS:
                data.pop(key, None)
        return data


class TrackResultSerializer(PublicCaseSerializer):
    """A successful look-up: the public view and, when the answer may be
    rated, the token that authorises the rating."""

    rating_token = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Present once the case is answered and not yet rated (never for a "
            "denunciation): send it to `POST /api/v1/public/track/rating/` "
            "within an hour. Null otherwise."
        ),
    )

    def to_representation(self, instance):
        """``instance`` is a ``TrackingResult``."""
        data = super().to_representation(instance.case)
        data["rating_token"] = instance.rating_token or None
        return data


def plain_lookup(data) -> tuple[str, str] | None:
    """``(code, pin)`` as ``TrackLookupSerializer`` validates them, for a
    body it would accept as it is: a JSON object whose ``code`` and ``pin``
    are strings, the code printable ASCII of at most 20 characters and the PIN
    6 digits once trimmed.  ``None`` for anything else, which the serializer
    then validates (and refuses with its messages).  A look-up is the public
    API's busiest request: this spares it a serializer's construction."""
    if type(data) is not dict:
        return None
    code, pin = data.get("code"), data.get("pin")
    if type(code) is not str or type(pin) is not str:
        return None
    code, pin = code.strip(), pin.strip()
    if not (code and len(code) <= 20 and code.isascii() and code.isprintable()):
        return None
    if not (len(pin) == 6 and pin.isascii() and pin.isdigit()):
        return None
    return code, pin


def _iso(day) -> str | None:
    return day.isoformat() if day else None


_MOMENT = serializers.DateTimeField()


def _text(value) -> str | None:
    return None if value is None else str(value)


def receipt_data(receipt: dict) -> dict:
    """``PublicReceiptSerializer(receipt).data``, key for key and value for
    value, built directly (as ``track_result_data``): ``receipt`` holds the
    serializer's keys; the tests compare both, new letter and replay."""
    received_at = receipt["received_at"]
    return {
        "code": _text(receipt["code"]),
        "pin": _text(receipt["pin"]),
        "status": _text(receipt["status"]),
        "status_label": _text(receipt["status_label"]),
        "received_at": None
        if received_at is None
        else _MOMENT.to_representation(received_at),
        "answer_due_on": _iso(receipt["answer_due_on"]),
        "responsible_unit": _text(receipt["responsible_unit"]),
        "kind": _text(receipt["kind"]),
        "kind_label": _text(receipt["kind_label"]),
        "field": None if receipt["field"] is None else int(receipt["field"]),
        "hamlet": None if receipt["hamlet"] is None else int(receipt["hamlet"]),
        "receipt_emailed": bool(receipt["receipt_emailed"]),
        "track_url": _text(receipt["track_url"]),
    }


def track_result_data(result) -> dict:
    """``TrackResultSerializer(result).data``, key for key and value for value,
    built directly: the serializer's per-instance copy of its fields costs
    more than the look-up's query.  ``result`` is a ``TrackingResult``; the
    tests compare both on every kind of case."""
    view = result.case
    data = {"code": view.display_code}
    if not view.is_denunciation:
        data["kind"] = view.kind
        data["kind_label"] = view.kind_label
        data["field"] = view.field
        data["responsible_unit"] = view.responsible_unit
    data.update(
        received_on=_iso(view.received_on),
        status=view.status,
        status_label=view.status_label,
        status_help=view.status_help,
        is_open=view.is_open,
        answer_due_on=_iso(view.answer_due_on),
        is_late=bool(view.overdue_days or view.answered_late_days),
        overdue_days=view.overdue_days,
        answered_late_days=view.answered_late_days,
        resolved_on=_iso(view.resolved_on),
    )
    if not view.is_denunciation:
        data["answer"] = view.answer or None
        data["decision"] = view.decision or None
        data["satisfaction"] = view.satisfaction or None
        data["satisfaction_label"] = view.satisfaction_label or None
        data["rated_on"] = _iso(view.rated_on)
    data["timeline"] = [
        {"date": _iso(event.date), "label": event.label, "text": event.text}
        for event in view.timeline
    ]
    data["rating_token"] = result.rating_token or None
    return data


class RatingCreateSerializer(serializers.Serializer):
    rating_token = serializers.CharField(
        max_length=500,
        help_text="The `rating_token` of a look-up, valid for an hour.",
    )
    satisfaction = EnumField(
        Satisfaction.choices,
        enum_name="Satisfaction",
        error_messages={
            **_messages(_("Choose how satisfied you are with the answer.")),
            "invalid_choice": _("Choose how satisfied you are with the answer."),
        },
    )
    comment = serializers.CharField(
        max_length=COMMENT_MAX, required=False, allow_blank=True, default=""
    )


# --------------------------------------------------------------------------
# Published answers
# --------------------------------------------------------------------------


class PublishedAnswerQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Words in the title or the answer.",
    )
    field = serializers.SlugField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="A field's `code` (`answer_fields` of the options).",
    )
    hamlet = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="A hamlet's id."
    )
    period = serializers.RegexField(
        PERIOD_PATTERN,
        required=False,
        allow_blank=True,
        default="",
        help_text="Answered in a year (`2026`) or a quarter (`2026-Q3`).",
        error_messages={
            "invalid": _("Use a year (2026) or a quarter (2026-Q3)."),
        },
    )
    page = serializers.IntegerField(
        min_value=1, max_value=1_000_000, required=False, default=1
    )
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=PageNumberPagination.max_page_size,
        required=False,
        default=PageNumberPagination.page_size,
    )


class PublishedAnswerSerializer(serializers.Serializer):
    """An answer a unit published; names, phone, ID numbers and e-mail
    addresses of the case's parties are replaced by a marker."""

    title = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(read_only=True)
    field = serializers.CharField(read_only=True, help_text="The field's name.")
    hamlet = serializers.CharField(
        read_only=True, allow_null=True, help_text="The hamlet concerned, if any."
    )
    received_on = serializers.DateField(read_only=True)
    resolved_on = serializers.DateField(read_only=True, allow_null=True)
    published_on = serializers.DateField(read_only=True)
    answer = serializers.CharField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["hamlet"] = data["hamlet"] or None
        return data


class PaginatedPublishedAnswerListSerializer(serializers.Serializer):
    """One page of published answers, in the API's pagination shape."""

    count = serializers.IntegerField(read_only=True, min_value=0)
    page = serializers.IntegerField(read_only=True, min_value=1)
    page_size = serializers.IntegerField(read_only=True, min_value=1, max_value=100)
    next = serializers.URLField(read_only=True, allow_null=True)
    previous = serializers.URLField(read_only=True, allow_null=True)
    results = PublishedAnswerSerializer(many=True, read_only=True)


# --------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------


class PublicKindOptionSerializer(serializers.Serializer):
    value = EnumField(PUBLIC_KIND_CHOICES, enum_name="PublicCaseKind", read_only=True)
    label = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    address_required = serializers.BooleanField(read_only=True)


class IdNameSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class ValueLabelSerializer(serializers.Serializer):
    value = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)


class PublicOptionsSerializer(serializers.Serializer):
    accepting_submissions = serializers.BooleanField(
        read_only=True,
        help_text=(
            "A unit receives online letters; when false, submissions are "
            "refused (409 `no_public_desk`)."
        ),
    )
    kinds = PublicKindOptionSerializer(many=True, read_only=True)
    fields = IdNameSerializer(
        many=True, read_only=True, help_text="Fields a letter may be filed under."
    )
    hamlets = IdNameSerializer(many=True, read_only=True)
    answer_fields = CodeNameSerializer(
        many=True,
        read_only=True,
        help_text="Values of the `field` filter of the published answers.",
    )
    answer_periods = ValueLabelSerializer(
        many=True,
        read_only=True,
        help_text="Values of the `period` filter of the published answers.",
    )
