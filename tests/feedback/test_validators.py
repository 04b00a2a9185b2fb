"""Vietnamese phone numbers and citizen ID numbers."""

import pytest
from django.core.exceptions import ValidationError

from feedback.validators import normalize_phone, validate_national_id, validate_phone


@pytest.mark.parametrize(
    "number",
    ["0912345678", "0386 123 456", "+84912345678", "84 912 345 678", "02383123456"],
)
def test_valid_phone_numbers(number):
    validate_phone(number)


@pytest.mark.parametrize(
    "number", ["", "091234567", "01234567890", "0612345678", "abc", "+1 555 0100"]
)
def test_invalid_phone_numbers_get_a_clear_message(number):
    with pytest.raises(ValidationError) as error:
        validate_phone(number)
    assert "Số điện thoại không hợp lệ" in error.value.messages[0]


def test_phone_numbers_are_normalised():
    assert normalize_phone("+84 912.345.678") == "0912345678"


def test_valid_national_id():
    validate_national_id("040190012345")


@pytest.mark.parametrize("value", ["", "04019001234", "0401900123456", "04019001234a"])
def test_national_id_must_be_12_digits(value):
    with pytest.raises(ValidationError) as error:
        validate_national_id(value)
    assert "12 chữ số" in error.value.messages[0]


def test_national_id_must_start_with_a_province_code():
    with pytest.raises(ValidationError) as error:
        validate_national_id("099190012345")
    assert "099" in error.value.messages[0]
