"""The reception desk in a real browser: a letter logged from the keyboard,
with an ID-card scan, a duplicate warning and the printed receipt."""

import re

import pytest
from django.conf import settings

from feedback.models import Case, Field
from feedback.tracking import pin_matches
from tests.factories import make_case, petitioner

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

SCAN = (
    "040190012345|186012345|Trần Thị Bích Ngọc|15031990|Nữ|"
    "Xóm 3, xã Xuân Thành, tỉnh Nghệ An|20042021"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_reception_logs_a_letter_and_prints_the_receipt(page, log_in, commune):
    earlier = make_case(
        actor=commune.reception,
        unit=commune.hamlet_a,
        title="Đường liên xóm xuống cấp",
        parties=[petitioner(national_id="040190012345")],
    ).case
    log_in("reception")
    page.goto(f"{page.base_url}/tiep-cong-dan/")
    with page.expect_navigation():
        page.click("text=Tiếp nhận đơn")

    # The cursor waits in the scan field; the scanner types and presses Enter.
    scan = page.locator("#id_p-0-scan")
    assert scan.evaluate("element => element === document.activeElement")
    page.keyboard.type(SCAN)
    page.keyboard.press("Enter")
    assert page.input_value("#id_p-0-full_name") == "Trần Thị Bích Ngọc"
    assert page.input_value("#id_p-0-national_id") == "040190012345"
    assert page.input_value("#id_p-0-scan") == ""
    # ... and hands over to the phone number.
    page.keyboard.type("0912 345 678")

    page.select_option("#id_kind", "feedback")
    page.select_option("#id_field", str(Field.objects.get(code="land").pk))
    page.fill("#id_title", "Đường liên xóm xuống cấp nặng")
    page.fill("#id_content", "Đoạn đường qua xóm 3 sụt lún, xe máy không đi được.")
    page.select_option("#id_location_unit", str(commune.hamlet_a.pk))
    with page.expect_navigation():
        page.click("text=Lưu và in giấy biên nhận")

    # The earlier letter of the same person is shown before anything is saved.
    warning = page.locator(".duplicates")
    assert "Có thể trùng hoặc lặp lại" in warning.inner_text()
    assert earlier.display_code in warning.inner_text()
    assert Case.objects.count() == 1
    page.check(f"input[name=link][value='repeat:{earlier.pk}']")
    with page.expect_navigation():
        page.click("text=Lưu theo lựa chọn này")

    case = Case.objects.exclude(pk=earlier.pk).get()
    assert case.previous_case == earlier
    assert case.parties.get().phone == "0912345678"
    receipt = page.locator("article.receipt").inner_text()
    assert case.display_code in receipt
    pin = re.search(r"Mã bí mật: (\d{6})", receipt).group(1)
    # the PIN printed is the one issued
    assert pin_matches(case.code, pin, case.pin_hash, key=settings.TRACKING_PIN_KEY)
    assert page.locator(".qr svg").count() == 1

    # A reprint no longer shows the PIN.
    page.reload()
    assert pin not in page.locator("article.receipt").inner_text()


def test_a_bad_scan_is_explained_without_losing_the_form(page, log_in, commune):
    log_in("reception")
    page.goto(f"{page.base_url}/tiep-cong-dan/tiep-nhan-don/")
    page.fill("#id_title", "Tiêu đề đã gõ")
    page.focus("#id_p-0-scan")
    page.keyboard.type("040190012345|Trần Thị Bích Ngọc")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # not a card: the server explains
    assert "không phải mã QR" in page.locator(".scan-error").inner_text()
    assert page.input_value("#id_title") == "Tiêu đề đã gõ"
