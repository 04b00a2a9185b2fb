"""Shapes of cases: what the API outputs, and the bodies it accepts.

Output serializers only render; party details always pass through
``feedback.presentation.masked_party_value``, the one gate for a denouncer's
identity.  Input serializers check types, lengths and formats; the rules
(who may, which state, what a kind requires) stay in the services.
"""

from __future__ import annotations

import copy
import datetime as dt

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.schema import EnumField, action_choices
from api.serializers.units import UnitRefSerializer
from feedback import permissions, validators
from feedback.models import (
    BodyClass,
    Case,
    CaseKind,
    Channel,
    Field,
    HandlingOutcome,
    Outcome,
    PartyRole,
    Satisfaction,
    Status,
    Unit,
    UnitKind,
)
from feedback.prepared import PreparedQuery
from feedback.presentation import masked_party_value, masked_party_values
from feedback.selectors.cases import local_today
from feedback.selectors.reference import HeldQuery
from feedback.services.cases import CORRECTABLE_FIELDS, PartyInput, case_allowed_actions

# Dates outside this range are typing mistakes, and the Vietnamese calendar
# (lunar holidays) is not computed beyond it.
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)
MAX_ID = 2**63 - 1


def date_range_message(last: dt.date):
    return _("Enter a date between %(first)s and %(last)s.") % {
        "first": FIRST_DATE.isoformat(),
        "last": last.isoformat(),
    }


def validate_plausible_date(value: dt.date) -> None:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise serializers.ValidationError(date_range_message(LAST_DATE))


def validate_past_moment(value: dt.datetime) -> None:
    """A reception time from 2000 up to now (a few minutes' clock skew)."""
    now = timezone.now()
    first = timezone.make_aware(dt.datetime.combine(FIRST_DATE, dt.time.min))
    if not first <= value <= now + dt.timedelta(minutes=5):
        raise serializers.ValidationError(date_range_message(timezone.localdate(now)))


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


class FieldRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["id", "code", "name"]
        read_only_fields = fields


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)


class MaskedPartyField(serializers.CharField):
    """A party attribute as the requesting user may see it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        user = self.context["request"].user
        return masked_party_value(user, instance, self.source)


class PartySerializer(serializers.Serializer):
    """A person or body named in a case; a denouncer's identity is replaced by
    "(confidential)" for whoever may not see it."""

    id = serializers.IntegerField(read_only=True)
    role = EnumField(PartyRole.choices, enum_name="PartyRole", read_only=True)
    full_name = MaskedPartyField()
    national_id = MaskedPartyField()
    phone = MaskedPartyField()
    email = MaskedPartyField()
    address = MaskedPartyField()


class AllowedActionsField(serializers.ListField):
    """The workflow actions the requesting user may take on the case now."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault(
            "child", EnumField(action_choices(), enum_name="WorkflowAction")
        )
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return case_allowed_actions(actor=self.context["request"].user, case=instance)


class CaseSummarySerializer(serializers.ModelSerializer):
    """A case as lists show it."""

    code = serializers.CharField(
        source="display_code",
        read_only=True,
        help_text="Tracking code as printed on the receipt, e.g. `7K3F-9QM2-XT4A`.",
    )
    kind = EnumField(CaseKind.choices, enum_name="CaseKind", read_only=True)
    channel = EnumField(Channel.choices, enum_name="Channel", read_only=True)
    status = EnumField(Status.choices, enum_name="CaseStatus", read_only=True)
    field = FieldRefSerializer(read_only=True)
    responsible_unit = UnitRefSerializer(read_only=True)
    location_unit = UnitRefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    created_by = serializers.IntegerField(
        source="created_by_id", read_only=True, allow_null=True
    )
    stage = serializers.CharField(
        read_only=True,
        help_text="The legal stage whose deadline `stage_due_on` is; blank when done.",
    )
    is_overdue = serializers.SerializerMethodField(
        help_text="Open, and its stage deadline has passed (local date)."
    )
    parties = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "code",
            "kind",
            "channel",
            "field",
            "title",
            "status",
            "stage",
            "stage_due_on",
            "final_due_on",
            "is_overdue",
            "received_at",
            "responsible_unit",
            "location_unit",
            "location_text",
            "assignee",
            "created_by",
            "is_complex",
            "is_mass",
            "is_prolonged",
            "is_hot_spot",
            "is_anonymous",
            "is_second_time",
            "petitioner_count",
            "extensions",
            "version",
            "parties",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, case) -> bool:
        return is_overdue(case)

    def to_representation(self, case):
        # A list renders this for every row: written out rather than walked
        # field by field (a third of a list request's time at 20 rows).
        # ``tests/api/test_case_list_rendering.py`` holds it equal to the
        # generic rendering, which subclasses keep.
        if type(self) is not CaseSummarySerializer:
            return super().to_representation(case)
        return summary_representation(case, self.context["request"].user)


def is_overdue(case) -> bool:
    annotated = getattr(case, "is_overdue", None)
    if annotated is not None:
        return bool(annotated)
    # A case fresh from a service has no annotation.
    return case.overdue_on(local_today())


_DATE = serializers.DateField()
_MOMENT = serializers.DateTimeField()
PARTY_DETAILS = ("full_name", "national_id", "phone", "email", "address")


def _ref(obj) -> dict | None:
    """A unit or field named inside a case: ``{"id", "code", "name"}``."""
    if obj is None:
        return None
    return {"id": obj.pk, "code": obj.code, "name": obj.name}


def _day(value) -> str | None:
    return None if value is None else _DATE.to_representation(value)


def _moment(value) -> str | None:
    return None if value is None else _MOMENT.to_representation(value)


def summary_representation(case, user) -> dict:
    """``CaseSummarySerializer``'s output for ``case`` as ``user`` sees it;
    party details pass through ``masked_party_values``."""
    assignee = case.assignee
    return {
        "id": case.pk,
        "code": case.display_code,
        "kind": case.kind,
        "channel": case.channel,
        "field": _ref(case.field),
        "title": case.title,
        "status": case.status,
        "stage": case.stage,
        "stage_due_on": _day(case.stage_due_on),
        "final_due_on": _day(case.final_due_on),
        "is_overdue": is_overdue(case),
        "received_at": _moment(case.received_at),
        "responsible_unit": _ref(case.responsible_unit),
        "location_unit": _ref(case.location_unit),
        "location_text": case.location_text,
        "assignee": None
        if assignee is None
        else {
            "id": assignee.pk,
            "username": assignee.username,
            "full_name": assignee.get_full_name(),
        },
        "created_by": case.created_by_id,
        "is_complex": case.is_complex,
        "is_mass": case.is_mass,
        "is_prolonged": case.is_prolonged,
        "is_hot_spot": case.is_hot_spot,
        "is_anonymous": case.is_anonymous,
        "is_second_time": case.is_second_time,
        "petitioner_count": case.petitioner_count,
        "extensions": case.extensions,
        "version": case.version,
        "parties": [
            {
                "id": party.pk,
                "role": party.role,
                **masked_party_values(user, party, PARTY_DETAILS),
            }
            for party in case.parties.all()
        ],
        "created_at": _moment(case.created_at),
        "updated_at": _moment(case.updated_at),
    }


class CaseSerializer(CaseSummarySerializer):
    """A case in full, with what the requesting user may do with it."""

    outcome = EnumField(
        Outcome.choices, enum_name="Outcome", read_only=True, allow_blank=True
    )
    satisfaction = EnumField(
        Satisfaction.choices,
        enum_name="Satisfaction",
        read_only=True,
        allow_blank=True,
    )
    duplicate_of = serializers.IntegerField(
        source="duplicate_of_id", read_only=True, allow_null=True
    )
    previous_case = serializers.IntegerField(
        source="previous_case_id", read_only=True, allow_null=True
    )
    transferred_from = serializers.IntegerField(
        source="transferred_from_id", read_only=True, allow_null=True
    )
    dispatch_unit = serializers.IntegerField(
        source="dispatch_unit_id",
        read_only=True,
        allow_null=True,
        help_text="The unit where the case was received and dispatched from.",
    )
    handling_outcome = EnumField(
        HandlingOutcome.choices,
        enum_name="HandlingOutcome",
        read_only=True,
        allow_blank=True,
        help_text="How the letter was handled, in the national database's terms.",
    )
    transferred_to_class = EnumField(
        BodyClass.choices, enum_name="BodyClass", read_only=True, allow_blank=True
    )
    allowed_actions = AllowedActionsField()

    def to_representation(self, case):
        # Written out as the summary is (every write answers with it); the
        # rendering test holds it equal to the generic one.
        if type(self) is not CaseSerializer:
            return serializers.ModelSerializer.to_representation(self, case)
        user = self.context["request"].user
        return {
            **summary_representation(case, user),
            "content": case.content,
            "accepted_at": _moment(case.accepted_at),
            "resolved_at": _moment(case.resolved_at),
            "closed_at": _moment(case.closed_at),
            "outcome": case.outcome,
            "decision_number": case.decision_number,
            "decision_date": _day(case.decision_date),
            "public_answer": case.public_answer,
            "published_at": _moment(case.published_at),
            "satisfaction": case.satisfaction,
            "satisfaction_comment": case.satisfaction_comment,
            "rated_at": _moment(case.rated_at),
            "is_mixed": case.is_mixed,
            "handling_outcome": case.handling_outcome,
            "transferred_to_class": case.transferred_to_class,
            "dispatch_unit": case.dispatch_unit_id,
            "duplicate_of": case.duplicate_of_id,
            "previous_case": case.previous_case_id,
            "transferred_from": case.transferred_from_id,
            "allowed_actions": case_allowed_actions(actor=user, case=case),
        }

    class Meta(CaseSummarySerializer.Meta):
        fields = [
            *CaseSummarySerializer.Meta.fields,
            "content",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "outcome",
            "decision_number",
            "decision_date",
            "public_answer",
            "published_at",
            "satisfaction",
            "satisfaction_comment",
            "rated_at",
            "is_mixed",
            "handling_outcome",
            "transferred_to_class",
            "dispatch_unit",
            "duplicate_of",
            "previous_case",
            "transferred_from",
            "allowed_actions",
        ]
        read_only_fields = fields


class CaseCreatedSerializer(CaseSerializer):
    pin = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=(
            "The 6-digit PIN for the receipt. Shown once: it is null when the "
            "answer is a replay of an idempotent request."
        ),
    )

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "pin"]
        read_only_fields = fields


# --------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------


class FreshFieldsMixin:
    """Gives each serializer instance copies of fields built once per class,
    rather than deep copies of the declared ones.

    DRF deep-copies every declared field of every serializer instance, and
    with it each field's arguments (choices, messages, querysets, validator
    lists), which no field changes: ``Field.__deepcopy__`` then runs the
    field's whole ``__init__`` again.  A field is the same whatever request
    it serves until ``bind`` gives it its name and parent, so each class
    builds its fields once from their arguments and every instance gets a
    shallow copy of each, bound to itself (an input serializer of a busy
    write is built on every request).  What the copies share (the argument
    and validator lists, the messages) is only ever read.  Nested
    serializers, and fields holding a child field, are deep-copied as
    before: binding changes their children."""

    def get_fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_field_prototypes")
        if prototypes is None:
            prototypes = {}
            for name, field in self._declared_fields.items():
                if not (
                    isinstance(field, serializers.BaseSerializer)
                    or "child" in field._kwargs
                ):
                    prototypes[name] = type(field)(*field._args, **field._kwargs)
            cls._field_prototypes = prototypes
        fields = {}
        for name, field in self._declared_fields.items():
            prototype = prototypes.get(name)
            if prototype is None:
                fields[name] = copy.deepcopy(field)
            else:
                fields[name] = copy_field = object.__new__(type(prototype))
                copy_field.__dict__.update(prototype.__dict__)
        return fields


class PartyInputSerializer(FreshFieldsMixin, serializers.Serializer):
    role = EnumField(PartyRole.choices, enum_name="PartyRole")
    full_name = serializers.CharField(max_length=120)
    national_id = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        default="",
        validators=[validators.validate_national_id],
    )
    phone = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        validators=[validators.validate_phone],
    )
    email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, default=""
    )
    address = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )


class PrimaryKeyLookup:
    """The rows of ``queryset`` (units or fields: reference rows) by primary
    key, the SQL compiled once per database connection (building it costs
    the ORM more than the database spends answering it) and the answers held
    by the process until the reference rows change (``HeldQuery``).  Shared
    by every copy of the field that uses it."""

    # A primary key no row has, within the range of a 64-bit column.
    PLACEHOLDER = -7_654_321_987_654_321

    def __init__(self, queryset):
        self.queryset = queryset
        self.rows = HeldQuery(
            PreparedQuery(
                lambda pk: queryset.filter(pk=pk).order_by(), pk=self.PLACEHOLDER
            )
        )

    def __deepcopy__(self, memo):
        return self

    def get(self, value):
        """The row whose primary key is ``value`` (converted as a filter on
        the primary key converts it: ``TypeError`` or ``ValueError`` when it
        cannot be), or ``None``."""
        pk_field = self.queryset.model._meta.pk
        pk = pk_field.get_prep_value(value)
        low, high = connection.ops.integer_field_range(pk_field.get_internal_type())
        if (low is not None and pk < low) or (high is not None and pk > high):
            return None  # as the ORM: out of the column's range, no row
        return self.rows.first(pk=pk)


class PreparedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """``PrimaryKeyRelatedField`` over a ``PrimaryKeyLookup``: the same values
    accepted, the same rows and the same messages."""

    def __init__(self, lookup: PrimaryKeyLookup, **kwargs):
        self.lookup = lookup
        kwargs["queryset"] = lookup.queryset
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            if isinstance(data, bool):
                raise TypeError
            row = self.lookup.get(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if row is None:
            self.fail("does_not_exist", pk_value=data)
        return row


ACTIVE_FIELDS = PrimaryKeyLookup(Field.objects.filter(is_active=True))
UNITS = PrimaryKeyLookup(Unit.objects.all())
HAMLETS = PrimaryKeyLookup(Unit.objects.filter(kind=UnitKind.HAMLET))


@extend_schema_field(OpenApiTypes.INT)
class VisibleCaseField(serializers.PrimaryKeyRelatedField):
    """A case the requesting user may see; any other id is just invalid."""

    def get_queryset(self):
        return permissions.cases_visible_to(self.context["request"].user)


class CaseCreateSerializer(FreshFieldsMixin, serializers.Serializer):
    kind = EnumField(CaseKind.choices, enum_name="CaseKind")
    channel = EnumField(Channel.choices, enum_name="Channel")
    field = PreparedPrimaryKeyField(ACTIVE_FIELDS)
    title = serializers.CharField(max_length=255)
    content = serializers.CharField()
    responsible_unit = PreparedPrimaryKeyField(UNITS)
    received_at = serializers.DateTimeField(
        required=False,
        validators=[validate_past_moment],
        help_text="When the letter or visit was received; now when omitted.",
    )
    location_unit = PreparedPrimaryKeyField(
        HAMLETS,
        required=False,
        allow_null=True,
        help_text="The hamlet concerned.",
    )
    location_text = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    parties = PartyInputSerializer(many=True, required=False, max_length=100)
    is_complex = serializers.BooleanField(required=False, default=False)
    is_anonymous = serializers.BooleanField(required=False, default=False)
    is_hot_spot = serializers.BooleanField(required=False, default=False)
    is_second_time = serializers.BooleanField(required=False, default=False)
    petitioner_count = serializers.IntegerField(
        min_value=1, max_value=1_000_000, required=False, default=1
    )
    previous_case = VisibleCaseField(
        required=False,
        allow_null=True,
        help_text="The earlier case this one repeats (marks it prolonged).",
    )
    duplicate_of = VisibleCaseField(
        required=False,
        allow_null=True,
        help_text="The case this letter duplicates.",
    )
    answer_due_on = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[validate_plausible_date],
        help_text=(
            "An answer date set by a meeting's chair; only for kinds answered "
            "without a formal decision."
        ),
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="A note for the first timeline entry.",
    )

    def service_kwargs(self) -> dict:
        """The keyword arguments of ``case_create``."""
        values = dict(self.validated_data)
        values["parties"] = [PartyInput(**party) for party in values.get("parties", [])]
        return values


class CorrectableFieldsSerializer(serializers.ModelSerializer):
    """The typed fields of ``CORRECTABLE_FIELDS``, all optional."""

    channel = EnumField(Channel.choices, enum_name="Channel", required=False)
    field = serializers.PrimaryKeyRelatedField(
        queryset=Field.objects.filter(is_active=True), required=False
    )
    decision_date = serializers.DateField(
        required=False, allow_null=True, validators=[validate_plausible_date]
    )

    class Meta:
        model = Case
        fields = sorted(CORRECTABLE_FIELDS)
        extra_kwargs = {name: {"required": False} for name in CORRECTABLE_FIELDS}


def correction_value(value):
    """A corrected value as ``case_transition("correct")`` takes it: ids for
    relations, plain values otherwise."""
    return value.pk if isinstance(value, models.Model) else value


class CaseUpdateSerializer(CorrectableFieldsSerializer):
    """PATCH: corrected values, one ``correct`` event each, and the reason."""

    reason = serializers.CharField(help_text="Why the values are corrected.")

    class Meta(CorrectableFieldsSerializer.Meta):
        fields = [*sorted(CORRECTABLE_FIELDS), "reason"]

    def validate(self, attrs):
        # A field that cannot be corrected is refused rather than silently
        # ignored, so no client believes it changed a status or a deadline.
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [_("This field cannot be corrected.")] for name in unknown}
            )
        return attrs

    def corrections(self) -> dict:
        """The corrected values, keyed by field name."""
        return {
            name: correction_value(value)
            for name, value in self.validated_data.items()
            if name != "reason"
        }
