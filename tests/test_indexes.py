"""Every index is kept up by every write to its table: none may be one that
another index already serves.  An index on columns that lead another index
of the same table (a foreign key's own index beside a (key, date) index, say)
answers no query the other cannot, and costs each insert and each bulk load
its upkeep."""

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db

OUR_APPS = ("feedback", "petitions", "dialogues", "reports", "programs", "api")


def ordered_indexes(model) -> list[tuple[str, tuple[str, ...], bool]]:
    """The B-tree indexes on the whole table of ``model``: name, columns,
    and whether it is unique (a primary key included).  Partial indexes,
    which hold some rows only, and those of an operator class for ``LIKE``
    (``…_like``, which PostgreSQL gets beside each indexed text column) are
    not among them."""
    partial = {
        item.name
        for item in [*model._meta.indexes, *model._meta.constraints]
        if getattr(item, "condition", None) is not None
    }
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, model._meta.db_table
        )
    return [
        (name, tuple(info["columns"]), info["unique"] or info["primary_key"])
        for name, info in constraints.items()
        if (info["index"] or info["primary_key"])
        and info.get("type") in ("btree", "idx")
        and name not in partial
        and not name.endswith("_like")
    ]


def covered_indexes() -> list[str]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        indexes = ordered_indexes(model)
        for name, columns, unique in indexes:
            if unique:
                continue
            for other, other_columns, _unique in indexes:
                if other != name and other_columns[: len(columns)] == columns:
                    found.append(
                        f"{model._meta.db_table}.{name} {columns}: "
                        f"{other} {other_columns} leads with them"
                    )
    return found


def test_no_index_is_served_by_another():
    assert covered_indexes() == []


def test_the_check_finds_an_index_that_another_serves():
    """A foreign key's own index beside one that leads with its column is
    found (as ``ReceptionVisit.unit``'s was, beside (unit, visited_at))."""
    from petitions.models import ReceptionVisit

    table = ReceptionVisit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX probe_unit_idx ON {table} (unit_id)")
    found = covered_indexes()
    assert len(found) == 1
    assert found[0].startswith(f"{table}.probe_unit_idx ('unit_id',)")


def test_a_tracking_code_is_unique():
    from feedback.models import Case

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, Case._meta.db_table
        )
    assert any(
        info["unique"] and info["columns"] == ["code"] for info in constraints.values()
    )
