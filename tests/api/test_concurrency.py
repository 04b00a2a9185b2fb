"""ETag and If-Match against lost updates; Idempotency-Key against doubles."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from api import idempotency
from api.models import IdempotencyRecord
from feedback.models import Case, Field
from tests.api.helpers import action_url

pytestmark = pytest.mark.django_db


def detail_url(case):
    return f"/api/v1/cases/{case.pk}/"


# --------------------------------------------------------------------------
# ETag / If-Match
# --------------------------------------------------------------------------


def test_a_stale_if_match_is_a_412_and_changes_nothing(
    commune, client_for, feedback_case
):
    client = client_for(commune.leader)
    etag = client.get(detail_url(feedback_case)).headers["ETag"]
    first = client.post(
        action_url(feedback_case, "note"),
        {"text": "Lần một"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert first.status_code == 200
    assert first.headers["ETag"] != etag
    stale = client.post(
        action_url(feedback_case, "note"),
        {"text": "Lần hai"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    patched = client.patch(
        detail_url(feedback_case),
        {"title": "Mới", "reason": "Sửa"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert patched.status_code == 412
    case = Case.objects.get(pk=feedback_case.pk)
    assert case.version == feedback_case.version + 1
    assert case.title == feedback_case.title


def test_a_current_if_match_passes(commune, client_for, feedback_case):
    client = client_for(commune.leader)
    etag = client.get(detail_url(feedback_case)).headers["ETag"]
    response = client.patch(
        detail_url(feedback_case),
        {"title": "Tiêu đề mới", "is_mass": True, "reason": "Sửa"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{feedback_case.version + 2}"'


@pytest.mark.parametrize("header", ["*", 'W/"{v}"', '"99", "{v}"'])
def test_wildcards_weak_tags_and_lists(commune, client_for, feedback_case, header):
    response = client_for(commune.leader).patch(
        detail_url(feedback_case),
        {"title": "Tiêu đề mới", "reason": "Sửa"},
        format="json",
        HTTP_IF_MATCH=header.format(v=feedback_case.version),
    )
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["garbage", '"abc"', '"1.5"'])
def test_an_if_match_that_names_no_version_is_a_412(
    commune, client_for, feedback_case, header
):
    response = client_for(commune.leader).post(
        action_url(feedback_case, "note"),
        {"text": "X"},
        format="json",
        HTTP_IF_MATCH=header,
    )
    assert response.status_code == 412


def test_a_stale_if_match_on_an_unchanged_patch_is_a_412(
    commune, client_for, feedback_case
):
    response = client_for(commune.leader).patch(
        detail_url(feedback_case),
        {"title": feedback_case.title, "reason": "Không đổi"},
        format="json",
        HTTP_IF_MATCH='"99"',
    )
    assert response.status_code == 412


def test_visibility_is_checked_before_the_version(commune, client_for, feedback_case):
    response = client_for(commune.officer_a).post(
        action_url(feedback_case, "note"),
        {"text": "X"},
        format="json",
        HTTP_IF_MATCH='"99"',
    )
    assert response.status_code == 404


# --------------------------------------------------------------------------
# Idempotency-Key
# --------------------------------------------------------------------------


def body(commune, **overrides):
    values = {
        "kind": "feedback",
        "channel": "letter",
        "field": Field.objects.get(code="land").pk,
        "title": "Cống thoát nước tắc",
        "content": "Nước tràn ra đường khi mưa.",
        "responsible_unit": commune.office.pk,
        "parties": [{"role": "petitioner", "full_name": "Phạm Thị Hoa"}],
    }
    values.update(overrides)
    return values


def post(client, payload, key):
    return client.post(
        "/api/v1/cases/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_a_retried_create_returns_the_first_answer(commune, client_for):
    client = client_for(commune.reception)
    first = post(client, body(commune), "receipt-0001")
    assert first.status_code == 201
    assert first.json()["pin"]
    assert "Idempotent-Replayed" not in first.headers
    again = post(client, body(commune), "receipt-0001")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    replay, original = again.json(), first.json()
    assert replay["pin"] is None
    assert {**replay, "pin": original["pin"]} == original
    assert Case.objects.count() == 1


def test_key_order_and_whitespace_do_not_make_a_different_body(commune, client_for):
    client = client_for(commune.reception)
    payload = body(commune)
    assert post(client, payload, "k-1").status_code == 201
    reordered = dict(reversed(list(payload.items())))
    again = client.post(
        "/api/v1/cases/",
        json.dumps(reordered, indent=4),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert Case.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422(commune, client_for):
    client = client_for(commune.reception)
    assert post(client, body(commune), "k-2").status_code == 201
    response = post(client, body(commune, title="Khác"), "k-2")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_keys_belong_to_their_user(commune, client_for):
    assert post(client_for(commune.reception), body(commune), "k-3").status_code == 201
    other = post(client_for(commune.leader), body(commune), "k-3")
    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other.headers
    assert Case.objects.count() == 2


def test_a_refused_create_is_not_recorded(commune, client_for):
    client = client_for(commune.reception)
    refused = post(client, body(commune, title=""), "k-4")
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert post(client, body(commune), "k-4").status_code == 201


def test_without_a_key_every_post_creates(commune, client_for):
    client = client_for(commune.reception)
    for _attempt in range(2):
        response = client.post("/api/v1/cases/", body(commune), format="json")
        assert response.status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "khóa"])
def test_a_malformed_key_is_a_400(commune, client_for, key):
    response = post(client_for(commune.reception), body(commune), key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Case.objects.exists()


def test_an_expired_key_starts_afresh(commune, client_for):
    client = client_for(commune.reception)
    assert post(client, body(commune), "k-5").status_code == 201
    IdempotencyRecord.objects.update(
        created_at=timezone.now() - idempotency.RECORD_TTL - dt.timedelta(minutes=1)
    )
    again = post(client, body(commune, title="Khác"), "k-5")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert Case.objects.count() == 2


def test_the_pin_is_never_stored(commune, client_for):
    response = post(client_for(commune.reception), body(commune), "k-6")
    record = IdempotencyRecord.objects.get()
    assert record.response_body["pin"] is None
    assert response.json()["pin"] not in str(record.response_body)


def test_a_racing_request_replays_the_winners_answer(commune, client_for, monkeypatch):
    """Two requests with one key: the one that loses the unique insert rolls
    back and replays the winner's committed answer instead of writing."""
    client = client_for(commune.reception)
    assert post(client, body(commune), "k-7").status_code == 201
    real_create = IdempotencyRecord.objects.create
    real_filter = IdempotencyRecord.objects.select_for_update
    calls = {"lookups": 0}

    class Blind:
        """The first lookup misses the row, as a racer would."""

        def filter(self, **kwargs):
            calls["lookups"] += 1
            if calls["lookups"] == 1:
                return IdempotencyRecord.objects.none()
            return real_filter().filter(**kwargs)

    monkeypatch.setattr(IdempotencyRecord.objects, "select_for_update", lambda: Blind())

    def create(**kwargs):
        if calls["lookups"] == 1:
            raise IntegrityError("duplicate key")
        return real_create(**kwargs)

    monkeypatch.setattr(IdempotencyRecord.objects, "create", create)
    again = post(client, body(commune), "k-7")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert calls["lookups"] == 2
    assert Case.objects.count() == 1


def test_purge_drops_expired_records(commune, client_for):
    post(client_for(commune.reception), body(commune), "k-8")
    post(client_for(commune.reception), body(commune, title="Hai"), "k-9")
    IdempotencyRecord.objects.filter(key="k-8").update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    call_command("purge_idempotency_records", stdout=io.StringIO())
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-9"]
