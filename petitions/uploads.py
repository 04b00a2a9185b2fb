"""Scanned letters handed in at the desk: type checks and staging.

A file's type is decided by its first bytes, never by its name or by what
the browser claims; the name must then agree with the content (a PNG called
``letter.pdf`` is refused, as is an HTML page renamed ``.pdf``).

A form that is shown again (a field to correct, duplicates to look at) cannot
keep a file input's content, so accepted files are *staged*: kept under
``MEDIA_ROOT/reception-staging/<user id>/`` — outside any web root — with
their description in the session, and handed to the case when it is saved.
Staged files older than a day are removed whenever the same user stages
another file.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import filetypes
from feedback.errors import InvalidInputError

# An upper bound per file that a deployment may change in its settings.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
SESSION_KEY = "reception_staged_files"
STAGING_DIR = "reception-staging"
STAGING_LIFETIME = dt.timedelta(days=1)


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    extensions: frozenset[str]
    label: str


# The names a file of each accepted type (``feedback.filetypes``, the one
# table of signatures) may carry, and how the desk's messages call it.
NAMES = {
    "application/pdf": (frozenset({"pdf"}), "PDF"),
    "image/png": (frozenset({"png"}), "PNG"),
    "image/jpeg": (frozenset({"jpg", "jpeg", "jpe"}), "JPEG"),
}


def max_bytes() -> int:
    return int(getattr(settings, "PETITIONS_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> FileType | None:
    """The accepted type whose signature opens ``head``, if any."""
    found = filetypes.sniff(head)
    if found is None:
        return None
    content_type, extension = found
    extensions, label = NAMES.get(content_type, (frozenset({extension}), extension))
    return FileType(content_type, extension, extensions | {extension}, label)


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: its description and an open file to read it."""

    original_name: str
    content_type: str
    extension: str
    size: int
    file: File


def _clean_name(name: str) -> str:
    # Only the last path component, without control characters.
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or "scan"


def check_upload(upload) -> CheckedFile:
    """Accept a PDF, JPEG or PNG under the size limit whose name agrees with
    its content; refuse anything else with a message that names the file."""
    name = _clean_name(getattr(upload, "name", ""))
    size = upload.size
    if size == 0:
        raise InvalidInputError(
            fields={"attachments": _("The file %(name)s is empty.") % {"name": name}}
        )
    limit = max_bytes()
    if size > limit:
        raise InvalidInputError(
            fields={
                "attachments": _(
                    "The file %(name)s is too large (%(size)s MB); the limit is "
                    "%(limit)s MB."
                )
                % {
                    "name": name,
                    "size": f"{size / 1024 / 1024:.1f}",
                    "limit": limit // (1024 * 1024),
                }
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    file_type = sniff(head)
    if file_type is None:
        raise InvalidInputError(
            fields={
                "attachments": _(
                    "The file %(name)s is not a PDF, JPEG or PNG scan; only "
                    "these are accepted."
                )
                % {"name": name}
            }
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in file_type.extensions:
        raise InvalidInputError(
            fields={
                "attachments": _(
                    "The file %(name)s contains a %(type)s image or document but "
                    "its name says otherwise; rename it and try again."
                )
                % {"name": name, "type": file_type.label}
            }
        )
    return CheckedFile(
        original_name=name,
        content_type=file_type.content_type,
        extension=file_type.extension,
        size=size,
        file=upload,
    )


# --------------------------------------------------------------------------
# Staging between two submissions of the intake form
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class StagedFile:
    token: str
    original_name: str
    content_type: str
    extension: str
    size: int


def _user_dir(user) -> str:
    return f"{STAGING_DIR}/{int(user.pk)}"


def _remove_stale(user) -> None:
    directory = _user_dir(user)
    if not default_storage.exists(directory):
        return
    cutoff = timezone.now() - STAGING_LIFETIME
    for name in default_storage.listdir(directory)[1]:
        path = f"{directory}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except OSError:  # pragma: no cover - removed concurrently
            continue


def stage(request, checked: CheckedFile) -> StagedFile:
    """Keep an accepted upload for the next submission of the form."""
    _remove_stale(request.user)
    token = uuid.uuid4().hex
    stored = default_storage.save(
        f"{_user_dir(request.user)}/{token}.{checked.extension}", checked.file
    )
    staged = StagedFile(
        token=token,
        original_name=checked.original_name,
        content_type=checked.content_type,
        extension=checked.extension,
        size=checked.size,
    )
    entries = request.session.get(SESSION_KEY, {})
    entries[token] = {
        "path": stored,
        "original_name": staged.original_name,
        "content_type": staged.content_type,
        "extension": staged.extension,
        "size": staged.size,
    }
    request.session[SESSION_KEY] = entries
    return staged


def staged_files(request, tokens) -> list[StagedFile]:
    """The staged files among ``tokens`` that this session staged."""
    entries = request.session.get(SESSION_KEY, {})
    result = []
    for token in dict.fromkeys(tokens):
        entry = entries.get(token)
        if entry is None or not default_storage.exists(entry["path"]):
            continue
        result.append(
            StagedFile(
                token=token,
                original_name=entry["original_name"],
                content_type=entry["content_type"],
                extension=entry["extension"],
                size=entry["size"],
            )
        )
    return result


def open_staged(request, staged: StagedFile) -> CheckedFile:
    entry = request.session[SESSION_KEY][staged.token]
    return CheckedFile(
        original_name=staged.original_name,
        content_type=staged.content_type,
        extension=staged.extension,
        size=staged.size,
        file=File(default_storage.open(entry["path"], "rb"), name=entry["path"]),
    )


def discard(request, tokens) -> None:
    """Remove staged files (after the case took them, or when dropped)."""
    entries = request.session.get(SESSION_KEY, {})
    for token in list(tokens):
        entry = entries.pop(token, None)
        if entry is not None:
            default_storage.delete(entry["path"])
    request.session[SESSION_KEY] = entries
