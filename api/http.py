"""HTTP preconditions: a case's ``ETag`` and the client's ``If-Match``."""

from __future__ import annotations

from collections.abc import Callable

from api.errors import PreconditionFailed


def case_etag(version: int) -> str:
    """The strong entity tag of a case at ``version``."""
    return f'"{version}"'


def if_match_versions(request) -> list[int] | None:
    """The versions ``If-Match`` accepts: ``None`` when the header is absent or
    ``*``; a header that names no version of ours can never match (412)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    versions = []
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag.isascii() and tag.isdigit() and len(tag) < 10:
            versions.append(int(tag))
    if not versions:
        raise PreconditionFailed()
    return versions


def expected_version(request, *, current: Callable[[], int]) -> int | None:
    """The one version to hand a service as ``expected_version``.

    With several entity tags (rare), ``current()`` reads the case's version
    and it is expected when listed; otherwise the one tag given is.
    """
    versions = if_match_versions(request)
    if versions is None:
        return None
    if len(versions) == 1:
        return versions[0]
    version = current()
    return version if version in versions else versions[0]
