"""``seed_demo`` in bulk into a database without cases leaves the schema the
migrations made. On PostgreSQL the load drops the tables' plain indexes and
foreign keys and must bring back exactly those; on SQLite it keeps them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from feedback import audit
from feedback.management.commands import seed_demo
from feedback.models import Answer, AuditHead, Case, CaseEvent, Party
from feedback.signals import demo_seeded

pytestmark = pytest.mark.django_db

TABLES = [model._meta.db_table for model in (Case, Party, Answer, CaseEvent, AuditHead)]


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


def test_a_bulk_load_into_an_empty_database_restores_every_index(db):
    before = schema()
    receivers = demo_seeded.receivers
    demo_seeded.receivers = []
    demo_seeded.sender_receivers_cache.clear()
    try:
        out = StringIO()
        call_command(
            "seed_demo", "--cases", str(seed_demo.BULK_THRESHOLD + 1), stdout=out
        )
    finally:
        demo_seeded.receivers = receivers
        demo_seeded.sender_receivers_cache.clear()
    assert schema() == before
    assert Case.objects.count() == seed_demo.BULK_THRESHOLD + 1
    if connection.vendor == "postgresql":
        assert "indexes and foreign keys rebuilt" in out.getvalue()
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
