"""Reading the QR code printed on the chip-based citizen ID card (căn cước).

A handheld scanner types the code's text into the focused field, followed by
Enter.  The text holds seven fields separated by ``|``::

    040190012345|186012345|Trần Thị Bích Ngọc|15031990|Nữ|Xóm 3, ...|20042021

personal ID number (12 digits), old ID card number (9 digits, may be empty),
full name, date of birth (ddmmyyyy), sex, permanent address, date of issue
(ddmmyyyy).  ``parse_cccd_qr`` is a pure function: it takes the text and the
current date and returns the fields or raises ``CccdScanError`` with a message
for the person at the desk.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from feedback.validators import validate_national_id

FIELD_COUNT = 7
SEPARATOR = "|"
_DIGITS_9 = re.compile(r"\d{9}")
_DATE = re.compile(r"\d{8}")
SEXES = {"nam": "Nam", "nữ": "Nữ", "nu": "Nữ"}


class CccdScanError(ValueError):
    """The scanned text is not the QR code of a citizen ID card."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CccdData:
    national_id: str
    old_id: str
    full_name: str
    birth_date: dt.date
    sex: str
    address: str
    issue_date: dt.date


def _parse_date(text: str, what: str) -> dt.date:
    if not _DATE.fullmatch(text):
        raise CccdScanError(
            _("The %(what)s in the scan is not a date of the form ddmmyyyy.")
            % {"what": what}
        )
    try:
        return dt.date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise CccdScanError(
            _("The %(what)s in the scan (%(value)s) is not a real date.")
            % {"what": what, "value": text}
        ) from None


def parse_cccd_qr(text: str, *, today: dt.date) -> CccdData:
    """The fields of a citizen ID card's QR text, checked.

    Surrounding whitespace (the scanner's Enter) is ignored; anything else
    that is not seven well-formed fields is refused with a reason.
    """
    raw = (text or "").strip()
    if not raw:
        raise CccdScanError(_("The scan is empty: scan the QR code on the ID card."))
    parts = [part.strip() for part in raw.split(SEPARATOR)]
    if len(parts) != FIELD_COUNT:
        raise CccdScanError(
            _(
                "This is not the QR code of a citizen ID card: it should have "
                "%(expected)s fields separated by “|”, the scan has %(count)s."
            )
            % {"expected": FIELD_COUNT, "count": len(parts)}
        )
    national_id, old_id, full_name, birth, sex, address, issued = parts
    try:
        validate_national_id(national_id)
    except ValidationError as error:
        raise CccdScanError(
            _("The ID number in the scan is invalid: %(reason)s")
            % {"reason": error.messages[0]}
        ) from None
    if old_id and not _DIGITS_9.fullmatch(old_id):
        raise CccdScanError(
            _("The old ID card number in the scan must be empty or have 9 digits.")
        )
    full_name = " ".join(full_name.split())
    if not full_name or any(ch.isdigit() for ch in full_name):
        raise CccdScanError(_("The scan does not contain a valid full name."))
    birth_date = _parse_date(birth, _("date of birth"))
    issue_date = _parse_date(issued, _("date of issue"))
    if birth_date > today:
        raise CccdScanError(_("The date of birth in the scan is in the future."))
    if issue_date > today:
        raise CccdScanError(_("The date of issue in the scan is in the future."))
    if issue_date < birth_date:
        raise CccdScanError(
            _("The date of issue in the scan is before the date of birth.")
        )
    normalized_sex = SEXES.get(sex.lower())
    if normalized_sex is None:
        raise CccdScanError(
            _("The sex in the scan must be “Nam” or “Nữ”, not “%(value)s”.")
            % {"value": sex}
        )
    return CccdData(
        national_id=national_id,
        old_id=old_id,
        full_name=full_name,
        birth_date=birth_date,
        sex=normalized_sex,
        address=" ".join(address.split()),
        issue_date=issue_date,
    )
