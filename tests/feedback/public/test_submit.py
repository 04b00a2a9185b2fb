"""Sending a letter online: the receipt, idempotency, spam and abuse
protection, validation and attachments."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from feedback import tracking
from feedback.models import (
    Attachment,
    Case,
    CaseEvent,
    Party,
    PublicSubmission,
)
from feedback.public_forms import issue_stamp
from tests.feedback.public.conftest import PDF, PNG, old_stamp

pytestmark = pytest.mark.django_db

URL = "/gui-y-kien/"


def receipt_pin(body: str) -> str:
    marker = 'Mã bí mật</dt><dd class="code code-big">'
    start = body.index(marker) + len(marker)
    return body[start : start + 6]


def test_the_form_is_vietnamese_has_csrf_and_a_fresh_stamp(client, desk):
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in body
    assert "csrfmiddlewaretoken" in body
    assert 'name="stamp"' in body
    assert "Gửi phản ánh, kiến nghị, khiếu nại, tố cáo" in body
    assert "no-store" in response["Cache-Control"]


def test_a_letter_becomes_an_online_case_at_the_desk_with_a_receipt(
    client, commune, letter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, letter)
    body = response.content.decode()
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.channel == "online"
    assert case.kind == "feedback"
    assert case.responsible_unit == commune.committee
    assert case.location_unit == commune.hamlet_a
    assert case.created_by is None
    party = Party.objects.get(case=case)
    assert (party.full_name, party.phone) == ("Lê Thị Hồng Nhung", "0987654321")
    assert PublicSubmission.objects.get().case == case
    assert case.display_code in body
    pin = receipt_pin(body)
    assert tracking.pin_matches(
        case.code, pin, case.pin_hash, key=settings.TRACKING_PIN_KEY
    )
    # The QR code and the links carry the code, never the PIN.
    assert "<svg" in body
    assert f"/tra-cuu/?code={case.code}" in body
    assert f"code={case.code}&amp;pin" not in body
    assert "no-store" in response["Cache-Control"]
    assert mail.outbox == []  # no e-mail address was given
    assert CaseEvent.objects.filter(case=case, kind="created").count() == 1


def test_the_code_and_pin_are_e_mailed_after_commit(
    client, letter, django_capture_on_commit_callbacks
):
    letter["email"] = "nhung.le@example.vn"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(URL, letter)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    case = Case.objects.get()
    [message] = mail.outbox
    assert message.to == ["nhung.le@example.vn"]
    assert case.display_code in message.subject
    pin = receipt_pin(response.content.decode())
    assert pin in message.body
    assert f"http://testserver/tra-cuu/?code={case.code}" in message.body
    # Nothing of the letter itself travels by e-mail.
    assert "Đèn đường" not in message.body + message.subject
    assert "n***@example.vn" in response.content.decode()


def test_the_same_form_sent_twice_makes_one_case_and_shows_the_pin_once(client, letter):
    first = client.post(URL, letter).content.decode()
    second = client.post(URL, letter).content.decode()
    case = Case.objects.get()
    assert PublicSubmission.objects.count() == 1
    pin = receipt_pin(first)
    assert case.display_code in second
    assert "Mã bí mật</dt>" not in second
    assert pin not in second
    assert "đã được gửi" in second


def test_two_forms_make_two_cases(client, letter):
    client.post(URL, letter)
    client.post(URL, {**letter, "stamp": old_stamp()})
    assert Case.objects.count() == 2


def test_a_filled_honeypot_is_refused_and_nothing_is_written(client, letter):
    response = client.post(URL, {**letter, "contact_url": "http://spam.example"})
    assert response.status_code == 200
    assert "phải để trống" in response.content.decode()
    assert Case.objects.count() == 0
    assert PublicSubmission.objects.count() == 0


def test_a_form_sent_faster_than_a_person_types_is_refused(client, letter):
    response = client.post(URL, {**letter, "stamp": issue_stamp()})
    body = response.content.decode()
    assert "quá nhanh" in body
    assert Case.objects.count() == 0
    # What the citizen typed is kept.
    assert "Đèn đường thôn A hỏng" in body


def test_a_forged_or_expired_stamp_is_refused_and_renewed(client, letter):
    response = client.post(URL, {**letter, "stamp": "forged"})
    body = response.content.decode()
    assert "hết hạn" in body
    assert Case.objects.count() == 0
    assert 'value="forged"' not in body
    with override_settings(PUBLIC_FORM_MAX_AGE=30):
        client.post(URL, {**letter, "stamp": old_stamp(seconds=60)})
    assert Case.objects.count() == 0


@override_settings(PUBLIC_SUBMIT_RATE="2/hour")
def test_letters_per_address_are_limited(letter):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _round in range(2):
        assert client.post(URL, {**letter, "stamp": old_stamp()}).status_code == 200
    refused = client.post(URL, {**letter, "stamp": old_stamp()})
    assert refused.status_code == 429
    assert "quá nhiều" in refused.content.decode()
    assert Case.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.post(URL, {**letter, "stamp": old_stamp()}).status_code == 200
    assert Case.objects.count() == 3


def test_errors_are_shown_next_to_the_fields_in_vietnamese(client, letter):
    response = client.post(
        URL,
        {**letter, "kind": "complaint", "phone": "12345", "title": "", "consent": ""},
    )
    body = response.content.decode()
    assert Case.objects.count() == 0
    assert "Số điện thoại không hợp lệ" in body
    assert "Cần nhập tiêu đề" in body
    assert "địa chỉ của người gửi" in body  # required for a complaint
    assert "đồng ý" in body
    assert "Lê Thị Hồng Nhung" in body  # kept


def test_a_hamlet_outside_the_commune_is_refused(client, letter, commune):
    response = client.post(URL, {**letter, "hamlet": str(commune.office.pk)})
    assert Case.objects.count() == 0
    assert "thôn, xóm" in response.content.decode()


def test_without_a_receiving_unit_the_page_says_so_and_nothing_is_written(
    client, commune, letter
):
    commune.committee.receives_public_submissions = False
    commune.committee.save()
    page = client.get(URL).content.decode()
    assert "Chưa thể gửi đơn trực tuyến" in page
    assert 'name="title"' not in page
    response = client.post(URL, letter)
    assert "Chưa thể gửi đơn trực tuyến" in response.content.decode()
    assert Case.objects.count() == 0


def test_csrf_is_enforced(letter):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, letter).status_code == 403
    assert Case.objects.count() == 0


def test_pdf_and_png_attachments_are_stored_by_their_real_type(client, letter):
    files = [
        SimpleUploadedFile("don.pdf", PDF, content_type="application/octet-stream"),
        SimpleUploadedFile("anh.PNG", PNG, content_type="image/png"),
    ]
    client.post(URL, {**letter, "attachments": files})
    case = Case.objects.get()
    stored = {a.original_name: a for a in Attachment.objects.filter(case=case)}
    assert stored["don.pdf"].content_type == "application/pdf"
    assert stored["anh.PNG"].content_type == "image/png"
    path = Path(stored["don.pdf"].file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.read_bytes() == PDF
    assert path.name != "don.pdf"  # random names on disk
    assert not stored["don.pdf"].is_confidential


def test_a_file_that_only_pretends_to_be_a_pdf_is_refused(client, letter):
    fake = SimpleUploadedFile("don.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = client.post(URL, {**letter, "attachments": [fake]})
    body = response.content.decode()
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert "không phải tệp PDF, JPEG hoặc PNG" in body
    assert "chọn lại" in body  # the browser does not keep chosen files


@override_settings(
    PUBLIC_ATTACHMENT_MAX_BYTES=1024 * 1024, PUBLIC_ATTACHMENT_MAX_FILES=1
)
def test_attachments_are_limited_in_size_and_number(client, letter):
    big = SimpleUploadedFile("to.pdf", PDF + b"0" * (1024 * 1024), "application/pdf")
    response = client.post(URL, {**letter, "attachments": [big]})
    assert "lớn hơn 1 MB" in response.content.decode()
    two = [SimpleUploadedFile(f"{n}.pdf", PDF, "application/pdf") for n in "ab"]
    response = client.post(URL, {**letter, "attachments": two})
    assert "Chỉ đính kèm tối đa 1 tệp" in response.content.decode()
    assert Case.objects.count() == 0


def test_a_denunciation_keeps_its_files_confidential(client, letter):
    files = [SimpleUploadedFile("chung-cu.pdf", PDF, "application/pdf")]
    client.post(
        URL,
        {
            **letter,
            "kind": "denunciation",
            "address": "Thôn A, xã Xuân Thành",
            "attachments": files,
        },
    )
    case = Case.objects.get()
    assert case.kind == "denunciation"
    assert Attachment.objects.get(case=case).is_confidential
