"""Reads of reports and exports on a PostgreSQL read replica.

With ``DATABASE_REPLICA_URL`` set, the settings add a ``replica`` database
alias and ``ReplicaRouter`` sends reads there, but only inside
``replica_reads()`` (a context variable, so it holds for one request or one
task and never leaks to another thread): the report pages, the report API
and the export jobs enter it. Everything else reads the primary, and every
write goes to the primary. Without the alias the router changes nothing.

A read inside an open transaction on the primary stays on the primary (it
may need to see that transaction's writes), and so do the models in
``PRIMARY_ONLY``, which the report code itself writes (export jobs, submitted
reports) or which must never lag (accounts, sessions, tokens).
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# app_label or app_label.model_name (lower case) always read on the primary.
PRIMARY_ONLY = frozenset(
    {
        "auth",
        "sessions",
        "axes",
        "otp_totp",
        "otp_static",
        "api.apitoken",
        "feedback.usersession",
        "reports.exportjob",
        "reports.submittedreport",
    }
)

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads():
    """Reads inside go to the replica when one is configured."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_view(view):
    """A view (function or method) whose reads go to the replica: the report
    pages and the report API, which only read."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


def _primary_only(model) -> bool:
    meta = model._meta
    return (
        meta.app_label in PRIMARY_ONLY
        or f"{meta.app_label}.{meta.model_name}" in PRIMARY_ONLY
    )


class ReplicaRouter:
    """Reads on the replica inside ``replica_reads()``; writes and the rest
    on the primary."""

    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or not replica_configured():
            return None
        if _primary_only(model) or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: objects from either relate.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema by replication.
        return db != REPLICA
