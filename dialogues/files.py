"""Checks of an uploaded scan of the signed minutes.

The type is decided by the file's first bytes, never by its name or by the
content type the browser claims: a PDF, a JPEG or a PNG, and nothing larger
than ``DIALOGUES_MINUTES_MAX_BYTES`` (10 MB unless the settings say
otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from feedback import filetypes
from feedback.errors import InvalidInputError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int


def max_bytes() -> int:
    return int(getattr(settings, "DIALOGUES_MINUTES_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type and extension (with its dot) the first bytes
    reveal, if the file is one the project accepts."""
    found = filetypes.sniff(head)
    return (found[0], f".{found[1]}") if found else None


def check_minutes_file(upload, *, field: str = "minutes_file") -> CheckedFile:
    """Accept a PDF, JPEG or PNG within the size limit, or raise
    ``InvalidInputError`` with a message for ``field``."""
    limit = max_bytes()
    size = upload.size
    if size is None or size == 0:
        raise InvalidInputError(fields={field: _("The file is empty.")})
    if size > limit:
        raise InvalidInputError(
            fields={
                field: _("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        raise InvalidInputError(
            fields={field: _("Upload the scan as a PDF, JPEG or PNG file.")}
        )
    content_type, extension = found
    return CheckedFile(content_type=content_type, extension=extension, size=size)
