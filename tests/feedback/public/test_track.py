"""Tracking a case by code and PIN: what is shown, no oracle, throttling."""

import datetime as dt
import re
import time

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from feedback import tracking
from feedback.models import Case, TrackingLookup
from feedback.services.cases import case_transition
from tests.factories import make_case, petitioner

pytestmark = pytest.mark.django_db

URL = "/tra-cuu/"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def look_up(client, code, pin):
    return client.post(URL, {"code": code, "pin": pin})


def unused_code():
    while True:
        code = tracking.generate_code()
        if not Case.objects.filter(code=code).exists():
            return code


def test_the_code_in_the_address_is_filled_in(client, answered):
    case = answered.case
    body = client.get(f"{URL}?code={case.code}").content.decode()
    assert f'value="{case.display_code}"' in body


def test_code_and_pin_open_the_public_view(client, commune, answered):
    case = answered.case
    case_transition(
        case_id=case.pk,
        action="note",
        actor=commune.leader,
        data={"text": "Ghi chú nội bộ: kiểm tra lại dự toán", "is_public": False},
    )
    response = look_up(client, case.display_code.lower(), answered.pin)
    body = response.content.decode()
    assert response.status_code == 200
    assert case.display_code in body
    assert "Đã có kết quả trả lời" in body
    assert "Địa chính" in body  # the unit handling it
    assert "Đất đai" in body
    assert "Đã sửa xong ba cột đèn" in body  # the public answer
    assert "Ghi chú nội bộ" not in body
    assert "Trần Thị Bích Ngọc" not in body
    assert "0912345678" not in body
    assert "no-store" in response["Cache-Control"]
    # Only failures are recorded: a success costs no write.
    assert not TrackingLookup.objects.exists()


def test_an_open_case_past_its_deadline_says_it_is_late(client, commune):
    received = timezone.now() - dt.timedelta(days=40)
    created = make_case(
        actor=commune.reception, unit=commune.office, received_at=received
    )
    body = look_up(client, created.case.code, created.pin).content.decode()
    days = (timezone.localdate() - created.case.final_due_on).days
    assert f"quá hạn {days} ngày" in body
    assert created.case.final_due_on.strftime("%d/%m/%Y") in body


def test_a_denunciation_shows_only_its_status_and_dates(client, commune):
    created = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        title="Tố cáo cán bộ địa chính nhận tiền",
        content="Ông Phạm Văn Quang nhận tiền khi làm sổ đỏ cho hộ tôi.",
        parties=[
            petitioner(
                full_name="Đỗ Minh Khôi",
                national_id="040190098765",
                phone="0911222333",
                address="Xóm 5, xã Xuân Thành",
            )
        ],
    )
    case = created.case
    case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    case_transition(
        case_id=case.pk,
        action="note",
        actor=commune.leader,
        data={"text": "Đã làm việc với người bị tố cáo", "is_public": True},
    )
    response = look_up(client, case.code, created.pin)
    body = response.content
    assert response.status_code == 200
    assert "Đang giải quyết".encode() in body
    assert timezone.localtime(case.received_at).strftime("%d/%m/%Y").encode() in body
    for secret in [
        "Đỗ Minh Khôi",
        "040190098765",
        "0911222333",
        "Xóm 5",
        "Phạm Văn Quang",
        "Tố cáo cán bộ",
        "Địa chính",
        "Đã làm việc",
    ]:
        assert secret.encode() not in body, secret


def test_unknown_code_and_wrong_pin_get_the_same_answer_after_the_same_work(
    client, answered, django_assert_num_queries
):
    case = answered.case
    wrong_pin = "000000" if answered.pin != "000000" else "111111"
    # The case, the look-up record (the failure counters are in the cache).
    with django_assert_num_queries(2):
        wrong = look_up(client, case.code, wrong_pin)
    # The same code, now unknown: it no longer belongs to any case.
    Case.objects.filter(pk=case.pk).update(code=unused_code())
    with django_assert_num_queries(2):
        unknown = look_up(client, case.code, wrong_pin)
    assert wrong.status_code == unknown.status_code == 200
    # Byte for byte the same page, apart from the per-response CSRF mask.
    assert CSRF_INPUT.sub(b"", wrong.content) == CSRF_INPUT.sub(b"", unknown.content)
    assert "không đúng" in wrong.content.decode()
    assert list(
        TrackingLookup.objects.values_list("code", "succeeded").order_by("id")
    ) == [(case.code, False), (case.code, False)]


def test_a_mistyped_code_is_caught_without_touching_the_database(
    client, answered, django_assert_num_queries
):
    code = answered.case.code
    # Swap the first two neighbours that differ (a code may repeat a symbol).
    i = next(i for i in range(len(code) - 1) if code[i] != code[i + 1])
    typo = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    assert typo != code
    with django_assert_num_queries(0):
        response = look_up(client, typo, answered.pin)
    assert "nhập nhầm" in response.content.decode()
    assert TrackingLookup.objects.count() == 0


def test_a_malformed_pin_is_refused_before_the_look_up(client, answered):
    response = look_up(client, answered.case.code, "12ab")
    assert "6 chữ số" in response.content.decode()
    assert TrackingLookup.objects.count() == 0


@override_settings(
    TRACK_FAILURES_PER_CODE=3, TRACK_FAILURES_PER_IP=100, TRACK_FAILURE_WINDOW=1
)
def test_failures_on_one_code_lock_its_look_up(answered, commune):
    case = answered.case
    for number in range(3):
        client = Client(REMOTE_ADDR=f"198.51.100.{number}")
        assert look_up(client, case.code, "999999").status_code == 200
    locked = look_up(Client(REMOTE_ADDR="198.51.100.50"), case.code, answered.pin)
    assert locked.status_code == 429
    assert "tạm khóa" in locked.content.decode()
    assert case.display_code not in locked.content.decode().split("<main")[1][:200]
    # Other codes are not affected, and the lock ends with the window.
    other = make_case(actor=commune.reception, unit=commune.office)
    assert look_up(Client(), other.case.code, other.pin).status_code == 200
    time.sleep(1.1)
    assert look_up(Client(), case.code, answered.pin).status_code == 200


@override_settings(
    TRACK_FAILURES_PER_CODE_PER_DAY=4,
    TRACK_FAILURES_PER_CODE=10,
    TRACK_FAILURE_WINDOW=1,
)
def test_failures_over_a_day_lock_a_code_too(answered):
    for number in range(4):
        client = Client(REMOTE_ADDR=f"192.0.2.{number}")
        assert look_up(client, answered.case.code, "999999").status_code == 200
    # The hourly window has lapsed; the day's count has not.
    time.sleep(1.1)
    client = Client(REMOTE_ADDR="192.0.2.99")
    assert look_up(client, answered.case.code, answered.pin).status_code == 429
    assert TrackingLookup.objects.filter(succeeded=False).count() == 4


@override_settings(TRACK_FAILURES_PER_IP=3, TRACK_FAILURES_PER_CODE=100)
def test_failures_from_one_address_lock_it(answered):
    client = Client(REMOTE_ADDR="198.51.100.9")
    for _round in range(3):
        look_up(client, unused_code(), "123456")
    refused = look_up(client, answered.case.code, answered.pin)
    assert refused.status_code == 429
    assert "tạm khóa" in refused.content.decode()
    elsewhere = look_up(
        Client(REMOTE_ADDR="198.51.100.10"), answered.case.code, answered.pin
    )
    assert elsewhere.status_code == 200


@override_settings(PUBLIC_CLIENT_IP_HEADER="HTTP_X_REAL_IP", TRACK_FAILURES_PER_IP=1)
def test_the_address_comes_from_the_trusted_proxy_header_when_configured(answered):
    client = Client(REMOTE_ADDR="10.0.0.1")
    look_up(client, unused_code(), "123456")
    assert TrackingLookup.objects.get().ip_address == "10.0.0.1"
    proxied = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.99")
    assert look_up(proxied, answered.case.code, answered.pin).status_code == 200
