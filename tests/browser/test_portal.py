"""The citizen portal in a real browser: send a letter, keep the receipt,
track the case, and the protections a citizen can run into."""

import re

import pytest
from django.test import override_settings

from feedback import tracking
from feedback.models import Case, Party
from tests.factories import make_case, petitioner

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def desk(commune):
    commune.committee.receives_public_submissions = True
    commune.committee.save()
    return commune.committee


def fill_letter(page, *, kind="feedback", title="Đèn đường thôn A hỏng"):
    page.goto(f"{page.base_url}/gui-y-kien/")
    page.check(f"input[name=kind][value={kind}]")
    page.select_option("#id_field", label="Giao thông, hạ tầng")
    page.select_option("#id_hamlet", label="Xóm A")
    page.fill("#id_title", title)
    page.fill("#id_content", "Ba cột đèn trên trục đường chính không sáng.")
    page.fill("#id_full_name", "Lê Thị Hồng Nhung")
    page.fill("#id_phone", "0987654321")
    page.fill("#id_address", "Xóm A, xã Xuân Thành")
    page.check("#id_consent")


@override_settings(PUBLIC_FORM_MIN_SECONDS=0)
def test_send_a_letter_then_track_it_with_the_receipt(page, desk):
    fill_letter(page)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Đơn của ông/bà đã được tiếp nhận")
    codes = page.locator(".receipt dd.code").all_inner_texts()
    code, pin = codes[0], codes[1]
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert re.fullmatch(r"\d{6}", pin)
    assert page.locator(".receipt svg.qr").count() == 1
    # The receipt's link opens the tracking page with the code filled in.
    page.click("text=Tra cứu ngay")
    assert page.input_value("#id_code") == code
    page.fill("#id_pin", pin)
    page.click("main button[type=submit]")
    page.wait_for_selector(f"h1:has-text('Hồ sơ {code}')")
    assert page.locator(".status").inner_text() == "Đã tiếp nhận, đang xem xét"
    assert "UBND xã" in page.locator(".facts").inner_text()
    assert Case.objects.get().channel == "online"


def test_a_wrong_pin_reads_like_an_unknown_code(page, commune):
    created = make_case(actor=commune.reception, unit=commune.office)
    wrong = "000000" if created.pin != "000000" else "111111"
    messages = []
    for code in (created.case.code, tracking.generate_code()):
        page.goto(f"{page.base_url}/tra-cuu/")
        page.fill("#id_code", code)
        page.fill("#id_pin", wrong)
        page.click("main button[type=submit]")
        messages.append(page.locator("[role=alert]").inner_text())
    assert messages[0] == messages[1]
    assert "không đúng" in messages[0]


def test_a_denunciation_tracked_online_never_shows_a_name(page, commune):
    created = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        title="Tố cáo cán bộ nhận tiền",
        parties=[petitioner(full_name="Đỗ Minh Khôi", phone="0911222333")],
    )
    page.goto(f"{page.base_url}/tra-cuu/?code={created.case.code}")
    page.fill("#id_pin", created.pin)
    page.click("main button[type=submit]")
    page.wait_for_selector(".status")
    text = page.content()
    assert "Đã tiếp nhận, đang xem xét" in text
    for secret in ("Đỗ Minh Khôi", "0911222333", "Tố cáo cán bộ", "Địa chính"):
        assert secret not in text
    assert Party.objects.filter(case=created.case).count() == 1


@override_settings(PUBLIC_FORM_MIN_SECONDS=0, PUBLIC_SUBMIT_RATE="1/hour")
def test_sending_too_many_letters_from_one_connection_is_refused(page, desk):
    fill_letter(page, title="Thư thứ nhất")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Đơn của ông/bà đã được tiếp nhận")
    fill_letter(page, title="Thư thứ hai")
    page.click("main button[type=submit]")
    alert = page.locator("[role=alert]").inner_text()
    assert "quá nhiều đơn" in alert
    assert page.input_value("#id_title") == "Thư thứ hai"
    assert Case.objects.count() == 1
