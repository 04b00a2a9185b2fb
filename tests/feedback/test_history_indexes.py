"""The versions of a case are written with every change and read by the
case's id only: their table carries no index that no read uses."""

import pytest
from django.db import connection

from feedback.models import Case

pytestmark = pytest.mark.django_db


def indexed_columns(table: str) -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        tuple(constraint["columns"])
        for constraint in constraints.values()
        if constraint["index"] or constraint["primary_key"]
    }


def test_case_versions_are_indexed_only_for_their_reads():
    table = Case.history.model._meta.db_table
    assert indexed_columns(table) == {
        ("history_id",),  # the row
        ("id",),  # a case's versions: its history page, the audit chain
        ("history_date",),  # the order of those versions
        ("history_user_id",),  # removing an account clears its versions' user
    }
