"""``seed_demo`` in bulk into a database without cases leaves the schema the
migrations made. On PostgreSQL the load drops the tables' plain indexes and
foreign keys and must bring back exactly those; on SQLite it keeps them.

On PostgreSQL the batches come from two streams built in child processes:
the cases they make must be the ones this process would make, and keep the
invariants of cases made one batch after the other."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from feedback import audit
from feedback.management.commands import seed_demo
from feedback.models import Answer, AuditHead, Case, CaseEvent, Party
from feedback.signals import demo_seeded

pytestmark = pytest.mark.django_db

TABLES = [model._meta.db_table for model in (Case, Party, Answer, CaseEvent, AuditHead)]
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="bulk streams load PostgreSQL"
)


def schema() -> list[tuple]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            placeholders = ", ".join("%s" for _ in TABLES)
            cursor.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master "  # noqa: S608
                f"WHERE tbl_name IN ({placeholders}) ORDER BY 1, 2",
                TABLES,
            )
            return cursor.fetchall()
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename = ANY (%s) ORDER BY 1, 2",
            [TABLES],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, condeferrable, "
            "condeferred, convalidated, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY (%s::regclass[]) ORDER BY 1, 2",
            [TABLES],
        )
        return indexes + cursor.fetchall()


def seed(*args: str) -> str:
    """Run the command with the other apps' demo data left out."""
    receivers = demo_seeded.receivers
    demo_seeded.receivers = []
    demo_seeded.sender_receivers_cache.clear()
    try:
        out = StringIO()
        call_command("seed_demo", *args, stdout=out)
    finally:
        demo_seeded.receivers = receivers
        demo_seeded.sender_receivers_cache.clear()
    return out.getvalue()


def test_a_bulk_load_into_an_empty_database_restores_every_index(db):
    before = schema()
    out = seed("--cases", str(seed_demo.BULK_THRESHOLD + 1))
    assert schema() == before
    assert Case.objects.count() == seed_demo.BULK_THRESHOLD + 1
    if connection.vendor == "postgresql":
        assert "indexes and foreign keys rebuilt" in out
        # The ids were taken from the sequences, which moved past them.
        for model in (Case, Answer):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id'))",
                    [model._meta.db_table],
                )
                assert cursor.fetchone()[0] > model.objects.latest("pk").pk
    assert AuditHead.objects.count() == 2 * (seed_demo.BULK_THRESHOLD + 1)
    assert audit.verify() == []


def test_bulk_cases_keep_their_invariants_across_batches(db, monkeypatch):
    # Several small batches: on PostgreSQL both streams build some.
    monkeypatch.setattr(seed_demo, "BULK_BATCH", 700)
    seed("--cases", str(seed_demo.BULK_THRESHOLD + 1), "--seed", "5")
    cases = list(Case.objects.all())
    assert len({case.code for case in cases}) == len(cases)
    decisions = [
        (case.decision_date.year, case.decision_number)
        for case in cases
        if case.decision_number
    ]
    assert decisions
    assert len(set(decisions)) == len(decisions)
    answered = {case.pk for case in cases if case.resolved_at is not None}
    assert set(Answer.objects.values_list("case_id", flat=True)) == answered
    by_id = {case.pk: case for case in cases}
    for case in cases:
        if case.previous_case_id is not None:
            assert by_id[case.previous_case_id].received_at < case.received_at
    assert audit.verify() == []


def _maker() -> seed_demo.CaseMaker:
    command = seed_demo.Command()
    units = command._build_units()
    users = command._build_users(units)
    return seed_demo.CaseMaker(
        rng=seed_demo.DrawingRandom(5),
        units=units,
        users=users,
        fields=command._fields(),
        now=timezone.now(),
        stdout=StringIO(),
    )


def _without_codes(batches: list) -> list:
    """The ``COPY`` data of batches, without the tracking codes and PIN hashes
    (drawn at random, not from the seed): the first columns of the cases."""
    case_copy = seed_demo.BatchRows(pin_key="").writers[Case].copy_sql
    kept = []
    for copies in batches:
        for sql, data in copies:
            lines = data.decode().splitlines()
            if sql == case_copy:
                lines = [line.split("\t", 2)[2] for line in lines]
            kept.append((sql, lines))
    return kept


@postgresql_only
def test_a_stream_builds_the_same_batches_in_a_child_process(db):
    maker = _maker()
    bounds = [(0, 300), (600, 300)]
    here = maker.stream(1, 42)._built_batches(bounds, 1, 1)
    child = seed_demo.StreamProcess(maker.stream(1, 42)._built_batches(bounds, 1, 1))
    try:
        there = [next(child) for _ in bounds]
    finally:
        child.close()
    assert _without_codes(there) == _without_codes(list(here))
