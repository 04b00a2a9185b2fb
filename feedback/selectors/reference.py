"""The organisation's reference rows, held by each process.

Units, fields, deadline policies and calendar swaps are a few hundred rows
changed a few times a month, yet every intake and every online letter reads
several of them (the field, the responsible unit, the hamlet, the desk, the
policies).  On a cache every process shares (the condition of the cached
counts, ``count_cache_seconds``), a process holds what it read and reads it
again once the *reference generation* in the shared cache has moved: saving
or deleting any of those rows bumps it when the transaction commits, and that
transaction reads them afresh until then (``bump_pending``).  A process reads
the generation at most once per request, and trusts what it read for
``REFERENCE_RECHECK_SECONDS`` (1): a change shows at once in the process
that made it, and within that second in the others.  A write that bypasses
the signals (a queryset ``update()``) is seen after ``COUNT_CACHE_SECONDS``
at the latest.  Without a shared cache every look-up reads the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Generic, TypeVar

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import signals
from django.test.signals import setting_changed

from feedback.models import (
    CalendarException,
    DeadlinePolicy,
    Field,
    Membership,
    Unit,
)
from feedback.prepared import PreparedQuery
from feedback.selectors.counts import (
    bump_generation_on_change,
    bump_pending,
    count_cache_seconds,
    generation,
)

REFERENCE_GENERATION_KEY = "feedback:reference:generation"
T = TypeVar("T")
# Memberships too: every staff request reads its user's (with their units).
REFERENCE_MODELS = (Unit, Field, DeadlinePolicy, CalendarException, Membership)

# The generation as the current request first read it ({} until then); None
# outside a request (a task, a command), which reads it at every look-up.
_request_generation: ContextVar[dict | None] = ContextVar(
    "reference_generation", default=None
)
# The generation as this process last read it: (value, monotonic time).
_process_generation: tuple[int, float] | None = None


def recheck_seconds() -> float:
    """How long a process trusts the generation it read."""
    return float(getattr(settings, "REFERENCE_RECHECK_SECONDS", 1))


def _shared_generation() -> int:
    """The generation, read from the shared cache unless this process read
    it less than ``recheck_seconds()`` ago."""
    global _process_generation
    known = _process_generation
    now = time.monotonic()
    if known is not None and now - known[1] < recheck_seconds():
        return known[0]
    value = generation(REFERENCE_GENERATION_KEY)
    _process_generation = (value, now)
    return value


def _forget_generation() -> None:
    """Read the generation afresh at the next look-up (this process bumped
    it)."""
    global _process_generation
    _process_generation = None


def reference_generation() -> int | None:
    """The reference generation that held rows must match, read from the
    shared cache once per request; ``None`` when rows are not to be held:
    no shared cache, or the open transaction changed reference rows."""
    if count_cache_seconds() <= 0 or bump_pending(REFERENCE_GENERATION_KEY):
        return None
    scope = _request_generation.get()
    if scope is None:
        return _shared_generation()
    if "value" not in scope:
        scope["value"] = _shared_generation()
    return scope["value"]


def _request_begins(**kwargs) -> None:
    _request_generation.set({})


def _request_ends(**kwargs) -> None:
    _request_generation.set(None)


def _cache_settings_changed(setting, **kwargs) -> None:
    # Another cache holds another generation (tests switch caches).
    if setting in ("CACHES", "COUNT_CACHE_SECONDS", "REFERENCE_RECHECK_SECONDS"):
        _forget_generation()


setting_changed.connect(_cache_settings_changed, dispatch_uid="reference-settings")
request_started.connect(_request_begins, dispatch_uid="reference-request-begins")
request_finished.connect(_request_ends, dispatch_uid="reference-request-ends")


def _reference_changed(sender, **kwargs) -> None:
    if count_cache_seconds() <= 0:
        return
    # The request that changes them reads the generation again after its
    # commit, rather than the one it read before.
    scope = _request_generation.get()
    if scope is not None:
        scope.pop("value", None)
    using = kwargs.get("using")
    bump_generation_on_change(REFERENCE_GENERATION_KEY, using=using)
    # After the bump (commit hooks run in order): until then this process's
    # other requests may go on with the generation before the change.
    transaction.on_commit(_forget_generation, using=using)


def hold_with_reference_rows(
    model, *, unless: Callable[[dict], bool] | None = None
) -> None:
    """Make a save or delete of ``model`` move the reference generation, so
    that answers about it can be held like the reference rows (``HeldQuery``);
    ``unless`` names the saves that change nothing held (given the signal's
    arguments)."""

    def changed(sender, **kwargs) -> None:
        if unless is None or not unless(kwargs):
            _reference_changed(sender, **kwargs)

    for signal in (signals.post_save, signals.post_delete):
        signal.connect(
            changed,
            sender=model,
            weak=False,
            dispatch_uid=f"reference-{signal is signals.post_save}-{model._meta.label}",
        )


for _model in REFERENCE_MODELS:
    hold_with_reference_rows(_model)


class Held(Generic[T]):
    """One value this process holds for the current reference generation
    (see the module's note), built again once the generation moves or
    ``COUNT_CACHE_SECONDS`` have passed."""

    def __init__(self, build: Callable[[], T]):
        self._build = build
        # (generation, monotonic time it was built, value)
        self._held: tuple[int, float, T] | None = None

    def get(self) -> T | None:
        """The value, or ``None`` when nothing is to be held (no shared
        cache, or the open transaction changed reference rows)."""
        current = reference_generation()
        if current is None:
            return None
        held = self._held
        now = time.monotonic()
        if held is None or held[0] != current or now - held[1] > count_cache_seconds():
            held = self._held = (current, now, self._build())
        return held[2]


class HeldQuery:
    """A ``PreparedQuery`` over reference rows whose answers this process
    holds, by the values asked, for the current reference generation (see
    the module's note).  Every call answers new objects: what one request
    does to them never reaches another.  At most ``limit`` answers are held
    (look-ups of ids that do not exist are answers too)."""

    def __init__(self, query: PreparedQuery, *, limit: int = 4096):
        self.query = query
        self.limit = limit
        self._answers = Held(dict)  # {values: what ``query.fetch`` answered}

    def __deepcopy__(self, memo):
        # Shared like a constant (DRF deep-copies its fields' arguments).
        return self

    @property
    def model(self):
        return self.query.model

    def rows(self, **values) -> list:
        answers = self._answers.get()
        if answers is None:
            return self.query.rows(**values)
        key = tuple(sorted(values.items()))
        answer = answers.get(key)
        if answer is None:
            answer = self.query.fetch(**values)
            if len(answers) < self.limit:
                answers[key] = answer
        return self.query.build(*answer)

    def first(self, **values):
        """The first of ``rows(**values)``, or ``None``."""
        rows = self.rows(**values)
        return rows[0] if rows else None
