"""On a shared cache each process holds the reference rows it read (units,
fields, deadline policies) until one of them changes; a change shows at
once, and a request reads the shared generation once."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.serializers.cases import UNITS
from api.services import api_token_create
from feedback.models import Field, Unit
from feedback.selectors import counts, reference
from feedback.selectors.public import public_desk_unit
from tests.api.test_cases import create_body
from tests.feedback.staff.test_count_cache import shared_cache  # noqa: F401

# Real commits: a change is seen by the others when its transaction commits.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("shared_cache"),
]

CASES = "/api/v1/cases/"


@pytest.fixture
def reception(commune):
    _token, key = api_token_create(owner=commune.reception, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def reference_reads(queries) -> list[str]:
    tables = ('FROM "feedback_unit"', 'FROM "feedback_field"')
    return [
        query["sql"]
        for query in queries
        if query["sql"].startswith("SELECT") and any(t in query["sql"] for t in tables)
    ]


def test_an_intake_reads_its_unit_and_field_once_per_process(reception, commune):
    body = create_body(commune)
    with CaptureQueriesContext(connection) as first:
        assert reception.post(CASES, body, format="json").status_code == 201
    assert len(reference_reads(first)) == 3  # field, unit, hamlet
    with CaptureQueriesContext(connection) as again:
        response = reception.post(CASES, body, format="json")
    assert response.status_code == 201
    assert reference_reads(again) == []


def test_a_request_reads_the_shared_generation_once(reception, commune, monkeypatch):
    reads = []
    real = reference.generation

    def counted(key):
        reads.append(key)
        return real(key)

    monkeypatch.setattr(reference, "generation", counted)
    reception.post(CASES, create_body(commune), format="json")  # holds the rows
    reads.clear()
    later = reference.time.monotonic() + reference.recheck_seconds()
    monkeypatch.setattr(reference.time, "monotonic", lambda: later)
    response = reception.post(CASES, create_body(commune), format="json")
    assert response.status_code == 201
    # the field, the unit, the hamlet and the deadline policies: one read
    assert reads == [reference.REFERENCE_GENERATION_KEY]
    # and the process trusts it for a second
    reads.clear()
    response = reception.post(CASES, create_body(commune), format="json")
    assert response.status_code == 201
    assert reads == []


def test_another_process_change_shows_within_the_recheck_seconds(commune, monkeypatch):
    assert UNITS.get(commune.hamlet_a.pk).name == commune.hamlet_a.name  # held
    # Another process renames the hamlet: its commit bumps the shared
    # generation, which this process read less than a second ago.
    Unit.objects.filter(pk=commune.hamlet_a.pk).update(name="Thôn Mới")
    counts.bump_generation(reference.REFERENCE_GENERATION_KEY)
    assert UNITS.get(commune.hamlet_a.pk).name == commune.hamlet_a.name
    later = reference.time.monotonic() + reference.recheck_seconds()
    monkeypatch.setattr(reference.time, "monotonic", lambda: later)
    assert UNITS.get(commune.hamlet_a.pk).name == "Thôn Mới"


def test_a_deactivated_unit_is_refused_at_once(reception, commune):
    assert reception.post(CASES, create_body(commune), format="json").status_code == 201
    hamlet = Unit.objects.get(pk=commune.hamlet_a.pk)
    hamlet.is_active = False
    hamlet.save()
    response = reception.post(CASES, create_body(commune), format="json")
    assert response.status_code == 400
    assert "responsible_unit" in response.json()["error"]["fields"]


def test_a_deactivated_field_is_refused_at_once(reception, commune):
    assert reception.post(CASES, create_body(commune), format="json").status_code == 201
    field = Field.objects.get(code="land")
    field.is_active = False
    field.save()
    response = reception.post(CASES, create_body(commune), format="json")
    assert response.status_code == 400
    assert "field" in response.json()["error"]["fields"]


def test_held_rows_are_new_objects_at_every_look_up(commune):
    first = UNITS.get(commune.hamlet_a.pk)
    first.name = "Đổi trong một yêu cầu"
    again = UNITS.get(commune.hamlet_a.pk)
    assert again is not first
    assert again.name == commune.hamlet_a.name


def test_the_changing_transaction_reads_its_own_rows(commune):
    assert UNITS.get(commune.hamlet_a.pk).name == commune.hamlet_a.name  # held
    with transaction.atomic():
        hamlet = Unit.objects.get(pk=commune.hamlet_a.pk)
        hamlet.name = "Thôn Mới"
        hamlet.save()
        assert UNITS.get(hamlet.pk).name == "Thôn Mới"
        transaction.set_rollback(True)
    # Rolled back: nothing changed, and nothing of it was held.
    assert UNITS.get(commune.hamlet_a.pk).name == commune.hamlet_a.name


def test_an_update_bypassing_the_signals_shows_after_the_cache_seconds(
    commune, monkeypatch
):
    assert UNITS.get(commune.hamlet_a.pk).name == commune.hamlet_a.name  # held
    Unit.objects.filter(pk=commune.hamlet_a.pk).update(name="Thôn Mới")
    assert UNITS.get(commune.hamlet_a.pk).name == commune.hamlet_a.name
    later = reference.time.monotonic() + 61
    monkeypatch.setattr(reference.time, "monotonic", lambda: later)
    assert UNITS.get(commune.hamlet_a.pk).name == "Thôn Mới"


def test_the_public_desk_moves_at_once(commune):
    Unit.objects.filter(receives_public_submissions=True).update(
        receives_public_submissions=False
    )
    desk = Unit.objects.get(pk=commune.committee.pk)
    desk.receives_public_submissions = True
    desk.save()
    assert public_desk_unit() == desk
    desk.receives_public_submissions = False
    desk.save()
    other = Unit.objects.get(pk=commune.office.pk)
    other.receives_public_submissions = True
    other.save()
    assert public_desk_unit() == other


def test_a_request_that_changed_a_unit_reads_it_anew_after_its_commit(commune):
    reference._request_begins()
    try:
        assert UNITS.get(commune.hamlet_a.pk).name == commune.hamlet_a.name  # held
        with transaction.atomic():
            hamlet = Unit.objects.get(pk=commune.hamlet_a.pk)
            hamlet.name = "Thôn Mới"
            hamlet.save()
        assert UNITS.get(commune.hamlet_a.pk).name == "Thôn Mới"
    finally:
        reference._request_ends()


def test_every_process_moves_the_generation_from_its_start():
    """A process that has read no reference row (the admin's, a worker's)
    must still move the generation when it changes one, or the others would
    hold the old rows, memberships and tokens."""
    code = (
        "import django, json;"
        "django.setup();"
        "from django.db.models.signals import post_save, post_delete;"
        "print(json.dumps(sorted({key[0] for signal in (post_save, post_delete)"
        " for key, *_rest in signal.receivers"
        " if str(key[0]).startswith('reference-')})))"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    connected = set(json.loads(result.stdout))
    for label in (
        "feedback.Unit",
        "feedback.Field",
        "feedback.Membership",
        "api.ApiToken",
        "auth.User",
    ):
        assert {f"reference-True-{label}", f"reference-False-{label}"} <= connected
