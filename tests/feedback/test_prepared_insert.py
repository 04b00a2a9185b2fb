"""New cases, their history rows and timeline events are inserted with SQL
built once per connection (``feedback.prepared.insert_row``): the rows hold
what the ORM would have written, and the audit chains still verify."""

import datetime as dt

import pytest
from django.db import connection, connections, transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    IntegerField,
    signals,
)
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback import audit
from feedback.models import AuditHead, Case, CaseEvent, Party
from feedback.prepared import (
    DeferredInserts,
    PreparedInsert,
    _written_as_is,
    deferred_inserts,
    deferred_inserts_supported,
    draw_ids,
    insert_new,
    insert_new_allowed,
)
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


def test_psycopg_keeps_the_conversion_of_the_widest_insert(commune, monkeypatch):
    """psycopg converts a statement's placeholders on every execution unless
    it has few enough parameters to be kept: the widest statement of every
    intake must fit (on PostgreSQL, the one that writes a new case's rows;
    elsewhere, a case's history row)."""
    from psycopg import _queries

    history = Case.history.model._meta
    columns = [f for f in history.local_concrete_fields if f is not history.auto_field]
    assert len(columns) > 50  # over psycopg's own limit
    written = []
    write = DeferredInserts.write

    def counted(self):
        written.append(sum(len(row.params) for row in self.rows))
        return write(self)

    monkeypatch.setattr(DeferredInserts, "write", counted)
    make_case(actor=commune.reception, unit=commune.office, kind="complaint")
    if deferred_inserts_supported("default"):
        assert len(written) == 1
        widest = written[0]
    else:  # row by row
        assert written == []
        widest = len(columns)
    assert widest <= _queries.MAX_CACHED_STATEMENT_PARAMS


# --------------------------------------------------------------------------
# Rows written by one statement (``deferred_inserts``, PostgreSQL)
# --------------------------------------------------------------------------


def new_party(case, name):
    return Party(case=case, role="petitioner", full_name=name)


def test_deferred_rows_are_written_by_one_statement_when_the_block_ends(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    before = Party.objects.filter(case=case).count()
    if not deferred_inserts_supported("default"):
        # SQLite has no data-modifying CTE: the writer refuses, writing nothing.
        with pytest.raises(RuntimeError), deferred_inserts("default"):
            insert_new(new_party(case, "Lê Văn Một"))
        assert Party.objects.filter(case=case).count() == before
        return
    parties = [new_party(case, "Lê Văn Một"), new_party(case, "Lê Văn Hai")]
    with (
        CaptureQueriesContext(connection) as queries,
        deferred_inserts("default") as deferred,
    ):
        for party in parties:
            insert_new(party)
        # Nothing is written before the block ends.
        assert len(queries) == 0
        assert parties[0].pk is None
    assert len(queries) == 1
    assert deferred.written is True
    stored = Party.objects.filter(case=case).order_by("pk")
    assert [p.full_name for p in stored][before:] == ["Lê Văn Một", "Lê Văn Hai"]
    # The keys the database drew are set on the objects.
    assert [p.pk for p in parties] == [p.pk for p in stored][before:]


def test_a_conflict_of_the_first_row_writes_none_of_the_rows(commune):
    taken = make_case(actor=commune.reception, unit=commune.office).case
    if not deferred_inserts_supported("default"):
        with pytest.raises(RuntimeError), deferred_inserts("default"):
            pass
        return
    parties = Party.objects.count()
    events = CaseEvent.objects.count()
    copy = Case.objects.get(pk=taken.pk)
    (copy.pk,) = draw_ids("default", Case)
    copy._state.adding = True
    with transaction.atomic():
        with deferred_inserts("default") as deferred, audit.new_case_chains(copy):
            copy.insert_unless_code_taken()  # the code is taken's
            insert_new(new_party(copy, "Không ghi"))
        assert deferred.written is False
        # The transaction goes on: nothing failed, nothing was written.
        assert Case.objects.filter(pk=copy.pk).count() == 0
        assert Party.objects.count() == parties
        assert CaseEvent.objects.count() == events
        assert not Case.history.filter(id=copy.pk).exists()
        assert not AuditHead.objects.filter(case_id=copy.pk).exists()


def test_a_block_that_raises_writes_nothing(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    before = Party.objects.count()
    with pytest.raises((ZeroDivisionError, RuntimeError)), deferred_inserts("default"):
        insert_new(new_party(case, "Không ghi"))
        1 / 0  # noqa: B018
    assert Party.objects.count() == before


def test_ids_are_drawn_from_the_tables_sequences(commune):
    if not deferred_inserts_supported("default"):
        with pytest.raises(RuntimeError):
            draw_ids("default", Case)
        return
    case = make_case(actor=commune.reception, unit=commune.office).case
    case_id, event_id = draw_ids("default", Case, CaseEvent)
    assert case_id > case.pk
    assert event_id > CaseEvent.objects.order_by("-pk").first().pk
    # Drawn once: the next draw is another key.  (Keys of the case alone
    # are held apart from those drawn with an event, and a batch of them an
    # earlier test left on the connection may be older.)
    assert draw_ids("default", Case)[0] not in {case.pk, case_id}
    assert draw_ids("default", Case, CaseEvent)[0] > case_id


@pytest.mark.django_db(transaction=True)
def test_keys_are_drawn_sixteen_at_a_time_and_never_handed_out_twice(commune):
    if not deferred_inserts_supported("default"):
        with pytest.raises(RuntimeError):
            draw_ids("default", Case, CaseEvent)
        return
    from feedback import prepared

    count = prepared.KEYS_DRAWN_AT_ONCE + 1
    connection.close()  # none drawn yet on the connection
    with CaptureQueriesContext(connection) as queries:
        keys = [draw_ids("default", Case, CaseEvent) for _ in range(count)]
    # Two round trips for seventeen pairs, each key once, in order.
    assert len(queries) == 2
    assert len({case_id for case_id, _event_id in keys}) == count
    assert keys == sorted(keys)
    assert [event_id for _case_id, event_id in keys] == sorted(
        event_id for _case_id, event_id in keys
    )
    # A new connection draws its own: none drawn by the old one.
    last = keys[-1]
    connection.close()
    fresh = draw_ids("default", Case, CaseEvent)
    assert fresh[0] >= last[0] + prepared.KEYS_DRAWN_AT_ONCE


def test_cases_drawn_ahead_are_listed_in_the_order_they_were_logged(commune):
    """Keys drawn ahead per connection no longer follow the order of
    logging across processes: the desk's list orders by the time logged."""
    from petitions.selectors import cases_logged_by

    first = make_case(actor=commune.reception, unit=commune.office).case
    second = make_case(actor=commune.reception, unit=commune.office).case
    # As if another process had logged the first, with its lower key, later.
    Case.objects.filter(pk=first.pk).update(
        created_at=second.created_at + dt.timedelta(minutes=1)
    )
    logged = cases_logged_by(user=commune.reception)
    assert [case.pk for case in logged] == [first.pk, second.pk]


def test_values_sent_as_they_are_are_those_the_fields_would_send(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    for obj in (case, case.history.get(), case.parties.get()):
        fields = [f for f in type(obj)._meta.local_concrete_fields if not f.primary_key]
        *_, as_is = PreparedInsert().statement(obj, fields, [], connections["default"])
        kept = 0
        for field, types in zip(fields, as_is, strict=True):
            value = field.pre_save(obj, False)
            if type(value) in types:
                kept += 1
                assert field.get_db_prep_save(value, connection) is value, field
        assert kept >= 5, type(obj)  # text and flags of every model here


def test_a_field_converting_its_own_values_is_asked_every_time():
    class Upper(CharField):
        def get_prep_value(self, value):
            return super().get_prep_value(value).upper()

    assert _written_as_is(CharField(max_length=3)) == {str, type(None)}
    assert _written_as_is(BooleanField()) == {bool, type(None)}
    assert _written_as_is(Upper(max_length=3)) == frozenset()
    assert _written_as_is(IntegerField()) == frozenset()  # psycopg sizes numbers
    assert _written_as_is(DateTimeField()) == frozenset()
