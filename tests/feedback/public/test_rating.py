"""Rating the answer: once, with a signed token rather than the PIN."""

import re

import pytest
from django.core import signing

from feedback.errors import DomainError
from feedback.models import CaseEvent
from feedback.services.public import (
    public_case_lookup,
    public_rating_submit,
    unsatisfied_rating,
)
from tests.factories import make_case

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="token" value="([^"]+)"')


def token_from_page(client, created):
    body = client.post(
        "/tra-cuu/", {"code": created.case.code, "pin": created.pin}
    ).content.decode()
    assert created.pin not in body.split("<main")[1]  # the PIN is never echoed
    return TOKEN.search(body).group(1)


def test_a_citizen_rates_the_answer_once(client, answered):
    token = token_from_page(client, answered)
    response = client.post(
        "/tra-cuu/danh-gia/",
        {"token": token, "satisfaction": "satisfied", "comment": "Cảm ơn xã."},
    )
    body = response.content.decode()
    assert "đã được ghi nhận" in body
    case = answered.case
    case.refresh_from_db()
    assert (case.satisfaction, case.satisfaction_comment) == ("satisfied", "Cảm ơn xã.")
    assert case.rated_at is not None
    event = CaseEvent.objects.get(case=case, kind="rating")
    assert not event.is_public
    assert event.data["flagged"] is False
    again = client.post(
        "/tra-cuu/danh-gia/", {"token": token, "satisfaction": "not_satisfied"}
    )
    assert "đã được đánh giá" in again.content.decode()
    case.refresh_from_db()
    assert case.satisfaction == "satisfied"
    assert CaseEvent.objects.filter(case=case, kind="rating").count() == 1


def test_an_unsatisfied_rating_is_flagged_to_the_unit_leader(
    answered, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    unsatisfied_rating.connect(receiver)
    try:
        token = public_case_lookup(
            code=answered.case.code, pin=answered.pin, ip_address="192.0.2.5"
        ).rating_token
        with django_capture_on_commit_callbacks(execute=True):
            result = public_rating_submit(
                rating_token=token, satisfaction="not_satisfied", comment="Chưa sửa."
            )
    finally:
        unsatisfied_rating.disconnect(receiver)
    event = CaseEvent.objects.get(kind="rating")
    assert result.flagged
    assert event.data["flagged"] is True
    assert event.data["notify_role"] == "leader"
    assert event.data["unit_id"] == answered.case.responsible_unit_id
    assert received == [
        {
            "signal": unsatisfied_rating,
            "case_id": answered.case.pk,
            "event_id": event.pk,
            "unit_id": answered.case.responsible_unit_id,
        }
    ]


def test_a_forged_token_is_refused(answered):
    forged = signing.dumps({"code": answered.case.code, "pin": "x"}, salt="other")
    with pytest.raises(DomainError) as error:
        public_rating_submit(rating_token=forged, satisfaction="satisfied")
    assert error.value.code == "lookup_expired"


def test_a_rating_needs_a_choice(client, answered):
    token = token_from_page(client, answered)
    response = client.post("/tra-cuu/danh-gia/", {"token": token, "satisfaction": ""})
    assert "mức độ hài lòng" in response.content.decode()
    answered.case.refresh_from_db()
    assert answered.case.rated_at is None


def test_an_open_case_and_a_denunciation_cannot_be_rated(client, commune):
    open_case = make_case(actor=commune.reception, unit=commune.office)
    result = public_case_lookup(
        code=open_case.case.code, pin=open_case.pin, ip_address=None
    )
    assert result.rating_token == ""
    body = client.post(
        "/tra-cuu/", {"code": open_case.case.code, "pin": open_case.pin}
    ).content.decode()
    assert "/tra-cuu/danh-gia/" not in body
    token = signing.dumps(
        {"code": open_case.case.code, "pin": open_case.case.pin_hash[:12]},
        salt="feedback.public.rating",
    )
    with pytest.raises(DomainError) as error:
        public_rating_submit(rating_token=token, satisfaction="satisfied")
    assert error.value.code == "not_rateable"
