"""Validators for Vietnamese phone numbers and citizen ID numbers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Province codes that open a 12-digit personal identification number
# (Thông tư 59/2021/TT-BCA, Phụ lục I).
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 "
    "030 031 033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 "
    "056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 "
    "086 087 089 091 092 093 094 095 096".split()
)

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")


def normalize_phone(value: str) -> str:
    """Strip separators and turn +84/84 into the national 0 prefix."""
    digits = _PHONE_SEPARATORS.sub("", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def validate_phone(value: str) -> None:
    number = normalize_phone(value)
    if not (_MOBILE.match(number) or _LANDLINE.match(number)):
        raise ValidationError(
            _(
                "Invalid phone number: a mobile number has 10 digits starting"
                " with 03, 05, 07, 08 or 09; a landline has 11 digits "
                "starting with 02."
            ),
            code="invalid_phone",
        )


def validate_national_id(value: str) -> None:
    if not re.fullmatch(r"\d{12}", value or ""):
        raise ValidationError(
            _("The personal ID number must have exactly 12 digits."),
            code="invalid_national_id",
        )
    if value[:3] not in PROVINCE_CODES:
        raise ValidationError(
            _(
                "Invalid personal ID number: the first three digits "
                "%(prefix)s are not a province code."
            ),
            code="invalid_national_id_province",
            params={"prefix": value[:3]},
        )
