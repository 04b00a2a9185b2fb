"""Reading the QR code of a citizen ID card (pure function)."""

import datetime as dt

import pytest

from petitions.cccd import CccdScanError, parse_cccd_qr
from tests.petitions.conftest import SCAN

TODAY = dt.date(2025, 6, 1)


def test_a_valid_scan_gives_every_field():
    data = parse_cccd_qr(SCAN, today=TODAY)
    assert data.national_id == "040190012345"
    assert data.old_id == "186012345"
    assert data.full_name == "Trần Thị Bích Ngọc"
    assert data.birth_date == dt.date(1990, 3, 15)
    assert data.sex == "Nữ"
    assert data.address == "Xóm 3, xã Xuân Thành, tỉnh Nghệ An"
    assert data.issue_date == dt.date(2021, 4, 20)


def test_the_scanners_enter_and_an_empty_old_number_are_accepted():
    text = SCAN.replace("|186012345|", "||") + "\r\n"
    data = parse_cccd_qr(text, today=TODAY)
    assert data.old_id == ""
    assert data.national_id == "040190012345"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "trống"),
        ("040190012345|Trần Thị Bích Ngọc|15031990", "7 trường"),
        (SCAN + "|extra", "7 trường"),
        (SCAN.replace("040190012345", "04019001234"), "12 chữ số"),
        (SCAN.replace("040190012345", "999190012345"), "mã tỉnh"),
        (SCAN.replace("186012345", "18601"), "9 chữ số"),
        (SCAN.replace("15031990", "1503199"), "ddmmyyyy"),
        (SCAN.replace("15031990", "31021990"), "không phải ngày có thật"),
        (SCAN.replace("20042021", "20042099"), "tương lai"),
        (SCAN.replace("20042021", "20041980"), "trước ngày sinh"),
        (SCAN.replace("|Nữ|", "|X|"), "Nam"),
        (SCAN.replace("Trần Thị Bích Ngọc", ""), "họ và tên"),
    ],
)
def test_a_malformed_scan_is_refused_with_a_vietnamese_reason(text, fragment):
    with pytest.raises(CccdScanError) as error:
        parse_cccd_qr(text, today=TODAY)
    assert fragment in error.value.message
