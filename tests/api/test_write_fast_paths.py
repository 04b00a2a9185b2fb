"""The busiest writes of the API take short cuts that must not show: the
rows a new case names are looked up with SQL compiled once (with the very
answers and messages of DRF's ``PrimaryKeyRelatedField``), input serializers
build their fields from the declared arguments rather than deep copies, the
receipt of a letter is written out rather than serialized, and an intake and
a letter cost a fixed number of queries."""

import copy
import datetime as dt
import json

import pytest
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from api.serializers.cases import (
    ACTIVE_FIELDS,
    HAMLETS,
    UNITS,
    CaseCreateSerializer,
    PartyInputSerializer,
    PreparedPrimaryKeyField,
)
from api.serializers.public import (
    PublicReceiptSerializer,
    PublicSubmissionSerializer,
    receipt_data,
)
from feedback.models import Case, CaseKind, Field, Status, Unit, UnitKind
from feedback.prepared import deferred_inserts_supported, forget_drawn_ids
from feedback.selectors.public import STATUS_WORDS
from tests.api.test_cases import create_body
from tests.api.test_public import SUBMIT, letter  # noqa: F401
from tests.api.test_public import desk as desk  # noqa: F401

pytestmark = pytest.mark.django_db

VALUES = [1, "1", 1.0, 1.7, True, False, "x", "", [], {}, -5, 2**63, 2**70, "1e3"]


@pytest.mark.parametrize(
    ("lookup", "queryset"),
    [
        (UNITS, lambda: Unit.objects.all()),
        (HAMLETS, lambda: Unit.objects.filter(kind=UnitKind.HAMLET)),
        (ACTIVE_FIELDS, lambda: Field.objects.filter(is_active=True)),
    ],
)
def test_prepared_look_ups_answer_as_the_related_field(commune, lookup, queryset):
    pks = [unit.pk for unit in Unit.objects.all()] + [Field.objects.first().pk]
    for value in [*VALUES, *pks, *(str(pk) for pk in pks)]:
        prepared = PreparedPrimaryKeyField(lookup)
        generic = serializers.PrimaryKeyRelatedField(queryset=queryset())
        outcomes = []
        for field in (prepared, generic):
            try:
                outcomes.append(("ok", field.to_internal_value(value)))
            except serializers.ValidationError as error:
                outcomes.append(("refused", error.detail))
        assert outcomes[0] == outcomes[1], value


def test_the_create_serializer_refuses_as_before(commune):
    request = APIRequestFactory().post("/")
    request.user = commune.reception
    body = create_body(commune, field="x", responsible_unit=10**9, location_unit=True)
    serializer = CaseCreateSerializer(data=body, context={"request": request})
    assert not serializer.is_valid()
    assert serializer.errors["field"][0].code == "incorrect_type"
    assert serializer.errors["responsible_unit"][0].code == "does_not_exist"
    assert serializer.errors["location_unit"][0].code == "incorrect_type"


@pytest.fixture
def keys_drawn_afresh():
    """The first write draws a batch of keys, whatever earlier tests left
    on the connection: the second then has its keys."""
    forget_drawn_ids("default")


def test_an_intake_is_a_fixed_number_of_queries(
    commune, client_for, django_assert_num_queries, keys_drawn_afresh
):
    client = client_for(commune.reception)
    body = create_body(commune)
    assert client.post("/api/v1/cases/", body, format="json")
    # Token; field, unit and hamlet, the deadline policy and the calendar
    # (held between requests on a shared cache only); memberships; then the
    # writes (no savepoint: a taken code inserts nothing). On PostgreSQL one
    # statement for the case, its history row, the party, the created event,
    # the petitioner's notice and the two audit chain heads (their keys were
    # drawn with the first request's, sixteen at a time); elsewhere each of
    # those rows by itself.
    writes = 1 if deferred_inserts_supported("default") else 7
    with django_assert_num_queries(7 + writes):
        response = client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201
    assert Case.objects.count() == 2


def test_a_letter_is_a_fixed_number_of_queries(
    anonymous,
    letter,  # noqa: F811
    django_assert_num_queries,
    keys_drawn_afresh,
):
    assert anonymous.post(SUBMIT, letter, format="json").status_code == 201
    # The address's recent letters, the desk, the hamlet, the field (these
    # three held between requests on a shared cache only); a savepoint
    # within the test's transaction; the deadline policy and the calendar
    # (held likewise); the case's rows with the submission's (as for an
    # intake: one statement on PostgreSQL, eight elsewhere); its release.
    # Outside a transaction the letter opens none (``test_services``).
    writes = 1 if deferred_inserts_supported("default") else 8
    with django_assert_num_queries(8 + writes):
        response = anonymous.post(SUBMIT, letter, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("replay", [False, True])
def test_the_receipt_is_the_serializers(language, replay):
    body = {
        "code": "7K3F-9QM2-XT4A",
        "pin": None if replay else "012345",
        "status": None if replay else Status.RECEIVED,
        "status_label": None if replay else STATUS_WORDS[Status.RECEIVED][0],
        "received_at": timezone.now(),
        "answer_due_on": None if replay else dt.date(2026, 12, 14),
        "responsible_unit": None if replay else "UBND xã",
        "kind": CaseKind.COMPLAINT,
        "kind_label": CaseKind.COMPLAINT.label,
        "field": 3,
        "hamlet": 17,
        "receipt_emailed": not replay,
        "track_url": "https://example.vn/tra-cuu/?code=7K3F9QM2XT4A",
    }
    with translation.override(language):
        expected = PublicReceiptSerializer(body).data
        built = receipt_data(body)
    assert built == expected
    assert list(built) == list(expected)
    assert json.dumps(built) == json.dumps(expected)


@pytest.mark.parametrize(
    "serializer_class",
    [CaseCreateSerializer, PartyInputSerializer, PublicSubmissionSerializer],
)
def test_fresh_fields_are_the_deep_copied_ones(serializer_class):
    first, second = serializer_class(), serializer_class()
    generic = {
        name: copy.deepcopy(field)
        for name, field in serializer_class._declared_fields.items()
    }
    assert repr(first.fields) == repr(second.fields)
    for name, field in first.fields.items():
        assert repr(field) == repr(generic[name])
        assert field is not second.fields[name]
        assert field is not serializer_class._declared_fields[name]
        assert field.parent is first and second.fields[name].parent is second
