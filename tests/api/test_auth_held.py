"""On a shared cache each process holds the tokens it looked up (with their
owners) and its users' memberships, like the reference rows: a revoked token,
a deactivated owner or a withdrawn membership is refused at once by the
process that changed it, and within ``REFERENCE_RECHECK_SECONDS`` by the
others."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import ApiToken
from api.services import api_token_revoke
from feedback.models import Membership
from feedback.selectors import counts, reference
from tests.factories import make_case
from tests.feedback.staff.test_count_cache import (  # noqa: F401
    api_client,
    shared_cache,
)

# Real commits: a change is seen by the others when its transaction commits.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("shared_cache"),
]

UNITS = "/api/v1/units/"
CASES = "/api/v1/cases/"


@pytest.fixture
def officer(commune):
    client = api_client(commune.officer)
    client.token = ApiToken.objects.get(owner=commune.officer)
    return client


def token_reads(queries) -> int:
    return sum('FROM "api_apitoken"' in query["sql"] for query in queries)


def test_a_process_looks_a_token_up_once(officer):
    with CaptureQueriesContext(connection) as first:
        assert officer.get(UNITS).status_code == 200
    assert token_reads(first) == 1
    with CaptureQueriesContext(connection) as again:
        assert officer.get(UNITS).status_code == 200
    assert token_reads(again) == 0


def test_a_revoked_token_is_refused_at_once(officer, commune):
    assert officer.get(UNITS).status_code == 200  # held
    api_token_revoke(token_id=officer.token.pk, actor=commune.officer)
    response = officer.get(UNITS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"


def test_a_deactivated_owner_is_refused_at_once(officer, commune):
    assert officer.get(UNITS).status_code == 200  # held
    commune.officer.is_active = False
    commune.officer.save()
    assert officer.get(UNITS).status_code == 401


def test_a_log_in_leaves_the_held_tokens(officer, commune, client):
    assert officer.get(UNITS).status_code == 200  # held
    before = reference._shared_generation()
    # A log-in writes only the user's last log-in time.
    client.force_login(commune.officer)
    assert counts.generation(reference.REFERENCE_GENERATION_KEY) == before


def test_a_token_revoked_by_another_process_is_refused_within_the_second(
    officer, monkeypatch
):
    assert officer.get(UNITS).status_code == 200  # held
    # Another process revokes it: its commit moves the shared generation.
    ApiToken.objects.filter(pk=officer.token.pk).update(revoked_at="2026-01-01T00:00Z")
    counts.bump_generation(reference.REFERENCE_GENERATION_KEY)
    later = reference.time.monotonic() + reference.recheck_seconds()
    monkeypatch.setattr(reference.time, "monotonic", lambda: later)
    assert officer.get(UNITS).status_code == 401


def test_a_withdrawn_membership_is_refused_at_once(commune):
    make_case(actor=commune.reception, unit=commune.office)
    officer = api_client(commune.officer)
    assert officer.get(CASES).json()["count"] == 1  # memberships held
    Membership.objects.filter(user=commune.officer).delete()
    assert officer.get(CASES).json()["count"] == 0


def test_use_is_written_once_a_minute_by_a_process_holding_the_token(officer):
    def use_writes(queries) -> int:
        return sum(
            query["sql"].startswith('UPDATE "api_apitoken"') for query in queries
        )

    with CaptureQueriesContext(connection) as first:
        officer.get(UNITS)
    assert use_writes(first) == 1
    officer.token.refresh_from_db()
    assert officer.token.last_used_at is not None
    # The held token still has no last-use time: the process remembers its
    # own write.
    with CaptureQueriesContext(connection) as again:
        officer.get(UNITS)
        officer.get(UNITS)
    assert use_writes(again) == 0
