"""Checks of an uploaded evidence file: a PDF, JPEG or PNG decided by its
first bytes (never by its name or claimed type), at most
``PROGRAMS_EVIDENCE_MAX_BYTES`` (10 MB unless the settings say otherwise)."""

from __future__ import annotations

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from feedback import filetypes
from feedback.errors import InvalidInputError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type and extension (with its dot) the first bytes
    reveal, if the file is one the project accepts."""
    found = filetypes.sniff(head)
    return (found[0], f".{found[1]}") if found else None


def check_evidence_file(upload, *, field: str = "evidence") -> tuple[str, str]:
    """Accept a PDF, JPEG or PNG within the limit and return its content
    type and extension, or raise ``InvalidInputError`` for ``field``."""
    limit = int(getattr(settings, "PROGRAMS_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))
    if not upload.size:
        raise InvalidInputError(fields={field: _("The file is empty.")})
    if upload.size > limit:
        raise InvalidInputError(
            fields={
                field: _("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        raise InvalidInputError(
            fields={field: _("Only PDF, JPEG or PNG files are accepted.")}
        )
    return found
