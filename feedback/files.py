"""Serving stored files: the one way a file under ``MEDIA_ROOT`` reaches a
browser.

Files (case attachments, signed minutes, programme evidence, reports) are
stored under ``MEDIA_ROOT``, which no web server serves (``MEDIA_URL`` points
nowhere).  A file leaves only through a view that first checks the user may
see the record it belongs to, and then answers with ``file_response`` or
``content_response``:

- ``Content-Disposition: attachment`` with a safe file name (RFC 6266: an
  ASCII ``filename`` and, for Vietnamese names, ``filename*`` in UTF-8);
- ``Content-Type`` from the type recognised on upload, limited to the types
  the project produces — anything else, and never HTML or SVG, is sent as
  ``application/octet-stream``;
- ``X-Content-Type-Options: nosniff`` and ``Cache-Control: private, no-store``.

``file_view`` makes such a view answer 404 — never a log-in redirect that
would confirm the URL exists — to anonymous users and for hidden records.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse

from feedback import filetypes, permissions
from feedback.errors import NotFoundError
from feedback.models import Attachment, CaseKind

FALLBACK_TYPE = "application/octet-stream"
# What a stored file may be labelled as: the uploads ``feedback.filetypes``
# accepts and the report formats the project writes itself.
SERVABLE_TYPES = frozenset(
    {content_type for _signature, content_type, _ext in filetypes.SIGNATURES}
    | {
        "text/csv",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
# Characters never put in a header's file name.
_UNSAFE = set('"\\/;:*?<>|%') | {chr(code) for code in range(32)} | {"\x7f"}


def safe_content_type(stored: str | None) -> str:
    """The ``Content-Type`` to send for a file recorded as ``stored``: itself
    when it is a type the project serves (a ``charset`` parameter is kept for
    CSV), otherwise ``application/octet-stream``."""
    value = (stored or "").strip().lower()
    base = value.split(";", 1)[0].strip()
    if base not in SERVABLE_TYPES:
        return FALLBACK_TYPE
    if base == "text/csv":
        return "text/csv; charset=utf-8"
    return base


def clean_filename(name: str | None, default: str = "file") -> str:
    """The last path component of ``name`` without control or header-breaking
    characters, at most 150 characters (the extension kept)."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = unicodedata.normalize("NFC", base)
    base = "".join("_" if ch in _UNSAFE else ch for ch in base)
    base = " ".join(base.split()).strip(" .")
    if not base:
        return default
    if len(base) > 150:
        stem, dot, extension = base.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            base = f"{stem[: 149 - len(extension)]}.{extension}"
        else:
            base = base[:150]
    return base


def _ascii_fallback(name: str) -> str:
    """``name`` in plain ASCII: Vietnamese letters without their marks
    (``đ`` → ``d``), anything else as ``_``."""
    name = name.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_name = "".join(
        ch if ch.isascii() and ch.isprintable() else "_"
        for ch in decomposed
        if not unicodedata.combining(ch)
    )
    return ascii_name or "file"


def content_disposition(filename: str) -> str:
    """An RFC 6266 ``attachment`` header value for ``filename``."""
    name = clean_filename(filename)
    fallback = _ascii_fallback(name)
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def _protect(response: HttpResponse, *, filename: str, content_type: str):
    response["Content-Type"] = safe_content_type(content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def file_response(field_file, *, filename: str, content_type: str) -> FileResponse:
    """Stream a stored file as a download; a missing file is a 404."""
    if not field_file or not field_file.name:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=safe_content_type(content_type))
    return _protect(response, filename=filename, content_type=content_type)


def content_response(content: bytes, *, filename: str, content_type: str):
    """A file produced in memory (an export), sent as a download."""
    response = HttpResponse(content, content_type=safe_content_type(content_type))
    return _protect(response, filename=filename, content_type=content_type)


def file_view(view):
    """Decorate a view that serves a file: anonymous users get a 404 (no
    redirect to the log-in page), and so does a ``NotFoundError``."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not getattr(request.user, "is_authenticated", False):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotFoundError:
            raise Http404 from None

    return wrapped


# --------------------------------------------------------------------------
# Case attachments
# --------------------------------------------------------------------------


def attachment_is_confidential(attachment: Attachment, case) -> bool:
    """An attachment marked confidential, or any file of a denunciation (it
    may identify the denouncer by handwriting or signature)."""
    return attachment.is_confidential or case.kind == CaseKind.DENUNCIATION


def can_download_attachment(user, attachment: Attachment, case=None) -> bool:
    """Whether ``user`` may open ``attachment``: whoever may view its case,
    and for a confidential one only those entitled to the identity."""
    case = case or attachment.case
    if not permissions.can_view_case(user, case):
        return False
    if attachment_is_confidential(attachment, case):
        return permissions.can_see_identity(user, case)
    return True
