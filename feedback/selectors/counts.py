"""Counts and pages of case lists, cached until the cases change.

Counting the open cases a commune supervisor may see (the staff list's
``count``, the deadline buckets of "My work") reads tens of thousands of index
entries at a million cases, and the same figures are asked for again by every
page view.  They are cached under a key made of the exact SQL and parameters of
the counted query (so the reader's units, the filters and ``today`` are part
of it) and of the *generation* of the cases: a number in the cache that every
save or delete of a case, a co-operating unit, a party or a unit bumps
(``feedback.models`` connects the signals) when its transaction commits;
until then that transaction's own reads bypass the cache.  A write that
bypasses the signals (raw SQL, a queryset ``update()``) is seen after
``COUNT_CACHE_SECONDS`` at the latest; ``0`` turns the cache off (the test
settings do, so that query counts stay exact),
and so does a cache that each process keeps to itself (``LocMemCache``):
counts are cached only on a shared cache such as Redis.

A list's page is kept the same way (``cached_page``): what one viewer was
shown for one address, under the generation of the cases, the viewer's units
and roles, the day (deadlines count from it) and the language.  A staff member
re-opening their queue, or a client polling the same filter, is answered
without reading the cases again; any change to a case shows at once.  Names
kept on other rows (a field's, an assignee's) show after
``COUNT_CACHE_SECONDS`` at the latest.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import QuerySet
from django.test.signals import setting_changed
from django.utils import timezone
from django.utils.translation import get_language

from feedback import permissions
from feedback.prepared import deferred_for

GENERATION_KEY = "feedback:cases:generation"
KEY_PREFIX = "feedback:count:"
PAGE_PREFIX = "feedback:page:"


# ``count_cache_seconds`` as the settings stand (asked for some twenty times
# a write), until they change.
_seconds: list[int] = []


def count_cache_seconds() -> int:
    """How long a count may be kept; 0 (off) unless the cache is shared by
    every process (Redis, Memcached, the database)."""
    if not _seconds:
        # A generation bumped in one process would not void what another
        # process kept in a cache of its own.
        backend = settings.CACHES.get("default", {}).get("BACKEND", "")
        if backend in settings.PROCESS_LOCAL_CACHES:
            _seconds.append(0)
        else:
            _seconds.append(int(getattr(settings, "COUNT_CACHE_SECONDS", 0) or 0))
    return _seconds[0]


def _settings_changed(setting, **kwargs) -> None:
    if setting in ("CACHES", "COUNT_CACHE_SECONDS", "PROCESS_LOCAL_CACHES"):
        _seconds.clear()


setting_changed.connect(_settings_changed, dispatch_uid="count-cache-settings")


def generation(key: str) -> int:
    """The current generation under ``key`` in the shared cache: a number
    that moves whenever what it stands for changes (started from the clock,
    so that a cleared cache never brings back an old generation)."""
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns(), None)
        value = cache.get(key)
    return value


def bump_generation(key: str) -> None:
    """Move the generation under ``key``: what was kept under the old one is
    void."""
    try:
        cache.incr(key)
    except ValueError:  # no generation yet, or evicted
        cache.set(key, time.time_ns(), None)


class _PendingBump:
    """The commit hook of ``bump_generation_on_change``: bumps ``key``."""

    __slots__ = ("key",)

    def __init__(self, key: str):
        self.key = key

    def __call__(self) -> None:
        bump_generation(self.key)


def bump_pending(key: str, using: str | None = None) -> bool:
    """Whether the open transaction has changed what the generation under
    ``key`` stands for (its bump waits for the commit).  Its own reads must
    then neither use nor fill what is kept under the generation: they see
    rows that nobody else sees yet."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return False
    return any(
        isinstance(hook, _PendingBump) and hook.key == key
        for _savepoints, hook, _robust in connection.run_on_commit
    )


def bump_generation_on_change(key: str, using: str | None = None) -> None:
    """Bump the generation under ``key`` when the transaction commits (at
    once outside a transaction), once however many rows it changed.

    Other processes cannot see the change before the commit, so what they
    keep meanwhile under the old generation is right until the bump voids
    it; the transaction's own reads skip the cache (``bump_pending``).  A
    rolled-back transaction bumps nothing, as it changed nothing."""
    deferred = deferred_for(using or DEFAULT_DB_ALIAS)
    if deferred is not None:
        # The rows are written when the block ends: bump after that.
        deferred.on_written(lambda: bump_generation_on_change(key, using))
        return
    if bump_pending(key, using):
        return
    transaction.on_commit(_PendingBump(key), using=using)


def cases_generation() -> int:
    """The current generation of the cases."""
    return generation(GENERATION_KEY)


def bump_cases_generation() -> None:
    """Void every cached count (cases, their units or parties changed)."""
    bump_generation(GENERATION_KEY)


def _key(queryset: QuerySet, name: str) -> str:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    text = f"{queryset.db}|{name}|{sql}|{params!r}|{cases_generation()}"
    return KEY_PREFIX + hashlib.sha256(text.encode()).hexdigest()


def cached_figures(queryset: QuerySet, name: str, compute: Callable[[], object]):
    """``compute()``'s answer for the rows of ``queryset``, cached until the
    cases change (see the module's note); ``name`` tells apart figures of the
    same rows."""
    seconds = count_cache_seconds()
    if seconds <= 0 or bump_pending(GENERATION_KEY, queryset.db):
        return compute()
    key = _key(queryset, name)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def viewer_key(user) -> tuple:
    """What a viewer's lists depend on besides the cases: who they are and
    the units and roles they hold (a membership granted or withdrawn makes
    a new key)."""
    return (
        user.pk,
        permissions.is_root(user),
        tuple(
            (m.unit_id, m.role, m.unit.path) for m in permissions.memberships_of(user)
        ),
    )


def cached_page(name: str, *, user, address: str, compute: Callable[[], object]):
    """``compute()``'s answer for ``user`` at ``address`` (the page's full
    address, its query included), kept until the cases change (see the
    module's note).  Nothing is kept when ``compute`` raises: bad input is
    refused each time."""
    seconds = count_cache_seconds()
    if seconds <= 0 or bump_pending(GENERATION_KEY):
        return compute()
    text = repr(
        (
            name,
            viewer_key(user),
            address,
            timezone.localdate().isoformat(),
            get_language(),
            cases_generation(),
        )
    )
    key = PAGE_PREFIX + hashlib.sha256(text.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
