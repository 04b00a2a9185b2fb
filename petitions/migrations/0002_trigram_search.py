"""Trigram search for likely duplicates and people, on PostgreSQL only.

Installs pg_trgm and adds GIN trigram indexes on case titles (the ``%``
similarity operator of the duplicate check) and on party names (the
case-insensitive ``LIKE`` of the people search, which Django writes as
``UPPER(full_name::text)``).  Indexes are built CONCURRENTLY so that a large
database keeps taking writes, hence a non-atomic migration.  On any other
database (SQLite in development) nothing happens: the desk falls back to a
word-overlap score over a bounded candidate set.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    (
        "petitions_case_title_trgm",
        "feedback_case USING gin (title gin_trgm_ops)",
    ),
    (
        "petitions_party_name_trgm",
        "feedback_party USING gin ((UPPER(full_name::text)) gin_trgm_ops)",
    ),
]


class PostgresTrigramExtension(TrigramExtension):
    """``CREATE EXTENSION pg_trgm`` that does nothing elsewhere, both ways."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, target in INDEXES:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _target in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("feedback", "0001_initial"),
        ("petitions", "0001_reception_register"),
    ]

    operations = [
        PostgresTrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
