"""New cases, their history rows and timeline events are inserted with SQL
built once per connection (``feedback.prepared.insert_row``): the rows hold
what the ORM would have written, and the audit chains still verify."""

import pytest
from django.db import connection
from django.db.models import signals
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback import audit
from feedback.models import AuditHead, Case, CaseEvent, Party
from feedback.prepared import PreparedInsert, insert_new, insert_new_allowed
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def event_fields():
    return [
        field
        for field in CaseEvent._meta.local_concrete_fields
        if field is not CaseEvent._meta.auto_field
    ]


def test_a_new_case_and_its_history_row_hold_the_same_values(commune):
    created = make_case(actor=commune.reception, unit=commune.office).case
    history = created.history.get()
    stored = Case.objects.filter(pk=created.pk).values().get()
    for name, value in stored.items():
        if name != "pin_hash":
            assert getattr(history, name) == value, name
    assert history.history_type == "+"
    event = CaseEvent.objects.get(case=created, kind="created")
    assert event.data == {
        "stage": created.stage,
        "stage_due_on": created.stage_due_on.isoformat(),
    }
    assert audit.verify(created.code) == []


def test_the_statement_is_built_once_per_connection(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    inserter = PreparedInsert()
    fields = event_fields()
    returning = CaseEvent._meta.db_returning_fields

    def note(text):
        event = CaseEvent(
            case=case, kind="note", text=text, created_at=timezone.now(), data={}
        )
        rows = inserter.insert(
            event, fields=fields, returning_fields=returning, using="default"
        )
        return rows[0][0]

    first = note("một")
    with CaptureQueriesContext(connection) as queries:
        second = note("hai")
    assert len(queries) == 1
    assert second > first
    assert list(
        CaseEvent.objects.filter(pk__in=[first, second])
        .order_by("pk")
        .values_list("text", flat=True)
    ) == ["một", "hai"]


def test_a_value_that_is_an_expression_goes_through_the_orm(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    before = timezone.now().replace(microsecond=0)
    event = CaseEvent(case=case, kind="note", text="ghi chú", created_at=Now())
    rows = PreparedInsert().insert(
        event,
        fields=event_fields(),
        returning_fields=CaseEvent._meta.db_returning_fields,
        using="default",
    )
    stored = CaseEvent.objects.get(pk=rows[0][0])
    assert stored.text == "ghi chú"
    assert stored.created_at >= before


def test_a_new_row_holds_what_save_would_have_written(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    values = {
        "case": case,
        "role": "petitioner",
        "full_name": "Phạm Thị Hoa",
        "phone": "0912345678",
        "address": "Xóm 2",
    }
    saved = Party(**values)
    saved.save()
    inserted = Party(**values)

    insert_new(inserted)

    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding
    assert inserted.created_at is not None and inserted.updated_at is not None
    rows = Party.objects.filter(pk__in=[saved.pk, inserted.pk]).values()
    by_id = {row.pop("id"): row for row in rows}
    for row in by_id.values():
        row.pop("created_at"), row.pop("updated_at")
    assert by_id[inserted.pk] == by_id[saved.pk]


def test_a_model_with_save_listeners_is_saved_by_save():
    def listener(sender, **kwargs):
        pass

    assert insert_new_allowed(AuditHead)
    signals.pre_save.connect(listener, sender=AuditHead)
    try:
        assert not insert_new_allowed(AuditHead)
    finally:
        signals.pre_save.disconnect(listener, sender=AuditHead)
    assert insert_new_allowed(AuditHead)


def test_psycopg_keeps_the_conversion_of_the_widest_insert():
    """psycopg converts a statement's placeholders on every execution unless
    it has few enough parameters to be kept: the widest row written on every
    intake (a case's history row) must fit."""
    from psycopg import _queries

    history = Case.history.model._meta
    columns = [f for f in history.local_concrete_fields if f is not history.auto_field]
    assert len(columns) > 50  # over psycopg's own limit
    assert len(columns) <= _queries.MAX_CACHED_STATEMENT_PARAMS
