"""The tamper-evident audit trail: every case event and history row is a link
of its case's hash chain, ``verify_audit`` recomputes the chains and names the
first broken link, and showing a denouncer's identity is itself audited."""

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from feedback import audit
from feedback.management.commands import seed_demo
from feedback.models import (
    Attachment,
    AuditChain,
    AuditHead,
    Case,
    CaseEvent,
    CitizenNotice,
    EventKind,
    IdentityAccess,
    Party,
)
from feedback.services.cases import case_transition
from feedback.services.identity import identity_access_record, identity_reveal_record
from feedback.signals import demo_seeded
from tests.dialogues.conftest import held, land, org  # noqa: F401 (fixtures)
from tests.factories import make_case, petitioner

pytestmark = pytest.mark.django_db

HistoricalCase = Case.history.model
HistoricalParty = Party.history.model
DENOUNCER = "Trần Thị Bích Ngọc"
DENOUNCER_ID = "040190012345"


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def verify_command(*args):
    """``(exit ok, stdout, stderr)`` of ``verify_audit``."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as error:
        err.write(str(error))
        return False, out.getvalue(), err.getvalue()
    return True, out.getvalue(), err.getvalue()


def worked_case(commune, **overrides):
    """A complaint taken through several transitions: events and history rows
    of the case, its parties and its answer."""
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="complaint",
        parties=[petitioner(), petitioner(full_name="Lê Văn Bình", national_id="")],
        **overrides,
    ).case
    case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    case_transition(
        case_id=case.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    case_transition(
        case_id=case.pk,
        action="note",
        actor=commune.officer,
        data={"text": "Đã xác minh tại hiện trường."},
    )
    # Writers outside the services are chained by the models themselves.
    party = Party.objects.filter(case=case).first()
    party.address = "Xóm 4, xã Xuân Thành"
    party.save()
    Attachment.objects.create(
        case=case,
        file="cases/x/a.pdf",
        original_name="don.pdf",
        content_type="application/pdf",
        size=10,
    )
    return Case.objects.get(pk=case.pk)


def chain_rows(case, chain):
    """``(table, pk, seq, prev_hash, row_hash)`` of the case's chain, in order."""
    rows = []
    for audited in audit.audited_models():
        if audited.chain != chain:
            continue
        model = audited.model
        rows.extend(
            (audited.table, *values)
            for values in model._default_manager.filter(
                **{audited.case_attr: case.pk}
            ).values_list(model._meta.pk.attname, "audit_seq", "prev_hash", "row_hash")
        )
    return sorted(rows, key=lambda row: row[2])


# --------------------------------------------------------------------------
# Building the chains
# --------------------------------------------------------------------------


def test_workflow_transitions_build_both_chains(commune):
    case = worked_case(commune)
    for chain in (AuditChain.EVENTS, AuditChain.HISTORY):
        rows = chain_rows(case, chain)
        assert len(rows) >= 3, chain
        assert [row[2] for row in rows] == list(range(1, len(rows) + 1))
        assert rows[0][3] == audit.GENESIS
        for previous, row in zip(rows, rows[1:], strict=False):
            assert row[3] == previous[4]
        assert all(len(row[4]) == 64 for row in rows)
        head = AuditHead.objects.get(case=case, chain=chain)
        assert (head.seq, head.row_hash) == (rows[-1][2], rows[-1][4])
    history_tables = {row[0] for row in chain_rows(case, AuditChain.HISTORY)}
    assert history_tables == {
        "feedback.HistoricalCase",
        "feedback.HistoricalParty",
        "feedback.HistoricalAttachment",
    }
    assert audit.verify() == []


def test_each_case_has_its_own_chains(commune):
    first = worked_case(commune)
    second = make_case(actor=commune.reception, unit=commune.office).case
    assert chain_rows(second, AuditChain.EVENTS)[0][2] == 1
    assert chain_rows(second, AuditChain.EVENTS)[0][3] == audit.GENESIS
    assert AuditHead.objects.filter(case__in=[first, second]).count() == 4


def test_the_hash_covers_the_content_in_a_canonical_form():
    names = ("b", "a", "when")
    import datetime as dt
    from decimal import Decimal

    moment = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    text = audit.canonical("x.Y", names, [Decimal("1.50"), "ư", moment])
    assert (
        text
        == (
            '{"fields":{"a":"ư","b":"1.50","when":"2025-03-01T01:00:00+00:00"},'
            '"table":"x.Y"}'
        ).encode()
    )
    one = audit.link_hash(audit.GENESIS, "x.Y", ("a",), ["1"])
    assert one != audit.link_hash(audit.GENESIS, "x.Y", ("a",), ["2"])
    assert one != audit.link_hash("1" * 64, "x.Y", ("a",), ["1"])
    assert one != audit.link_hash(audit.GENESIS, "x.Z", ("a",), ["1"])


def test_bulk_created_events_are_sealed_too(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case, kind=EventKind.NOTE, text=f"n{i}", created_at=case.received_at
        )
        for i in range(3)
    )
    assert [row[2] for row in chain_rows(case, AuditChain.EVENTS)] == [1, 2, 3, 4]
    assert audit.verify() == []


def test_the_migration_backfills_rows_written_before_it(commune):
    """Rows stored before the chain existed are sealed in order by the data
    migration, and then verify."""
    case = worked_case(commune)
    other = make_case(actor=commune.reception, unit=commune.hamlet_a).case
    for model in (CaseEvent, HistoricalCase, HistoricalParty):
        sql(
            f"UPDATE {table(model)} SET audit_seq = NULL, prev_hash = '', "  # noqa: S608
            "row_hash = ''"
        )
    AuditHead.objects.all().delete()
    assert len(audit.verify()) == 4  # both chains of both cases are unsealed
    migration = importlib.import_module("feedback.migrations.0009_audit_chain")
    migration.CASES_PER_BATCH = 1  # several batches
    try:
        migration.backfill(apps, None)
    finally:
        migration.CASES_PER_BATCH = 1000
    assert audit.verify() == []
    events = chain_rows(case, AuditChain.EVENTS)
    ordered = list(
        CaseEvent.objects.filter(case=case)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )
    assert [row[1] for row in events] == ordered
    assert chain_rows(other, AuditChain.HISTORY)[0][0] == "feedback.HistoricalCase"


# --------------------------------------------------------------------------
# verify_audit on clean data
# --------------------------------------------------------------------------


def test_verify_audit_passes_on_a_clean_database(commune):
    worked_case(commune)
    make_case(actor=commune.reception, unit=commune.hamlet_a)
    ok, out, err = verify_command()
    assert ok, err
    assert "2 case(s)" in out
    assert err == ""


def seed(*args):
    receivers = demo_seeded.receivers
    demo_seeded.receivers = []
    demo_seeded.sender_receivers_cache.clear()
    try:
        call_command("seed_demo", *args, stdout=StringIO())
    finally:
        demo_seeded.receivers = receivers
        demo_seeded.sender_receivers_cache.clear()


def test_seed_demo_chains_verify_both_through_services_and_in_bulk(db):
    seed("--cases", "12", "--seed", "3")
    services_events = CaseEvent.objects.count()
    seed("--cases", str(seed_demo.BULK_THRESHOLD + 1), "--seed", "4")
    assert Case.objects.count() == seed_demo.BULK_THRESHOLD + 13
    assert CaseEvent.objects.count() > services_events + seed_demo.BULK_THRESHOLD
    assert not CaseEvent.objects.filter(row_hash="").exists()
    ok, out, err = verify_command()
    assert ok, err
    assert f"{seed_demo.BULK_THRESHOLD + 13:,} case(s)" in out
    # And the bulk rows really are checked: one edit is caught.
    bulk_event = CaseEvent.objects.order_by("-pk").first()
    sql(
        f"UPDATE {table(CaseEvent)} SET text = 'sửa' WHERE id = %s",  # noqa: S608
        [bulk_event.pk],
    )
    ok, _out, err = verify_command()
    assert not ok
    assert f"feedback.CaseEvent id={bulk_event.pk}" in err


# --------------------------------------------------------------------------
# Tampering behind the application's back
# --------------------------------------------------------------------------


@pytest.fixture
def two_cases(commune):
    return worked_case(commune), worked_case(commune, title="Một vụ việc khác")


def assert_caught(case, other, *, table_label, row_id, problem):
    breaks = audit.verify()
    assert [(b.case_code, b.table, b.row_id) for b in breaks] == [
        (case.code, table_label, row_id)
    ]
    assert breaks[0].problem == problem
    ok, _out, err = verify_command()
    assert not ok
    assert case.code in err
    assert (f"{table_label} id={row_id}" if row_id else table_label) in err
    assert "1 broken audit chain" in err
    ok, _out, err = verify_command("--case", case.display_code)
    assert not ok
    assert case.code in err
    ok, out, _err = verify_command("--case", other.code)
    assert ok
    assert "1 case(s)" in out


def test_a_changed_event_is_caught(two_cases):
    case, other = two_cases
    event = CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).get()
    sql(
        f"UPDATE {table(CaseEvent)} SET text = %s WHERE id = %s",  # noqa: S608
        ["Chưa xác minh.", event.pk],
    )
    assert_caught(
        case,
        other,
        table_label="feedback.CaseEvent",
        row_id=event.pk,
        problem="content changed",
    )
    found = audit.verify()[0]
    assert found.stored == event.row_hash
    assert found.expected != event.row_hash


def test_a_changed_history_row_is_caught(two_cases):
    case, other = two_cases
    row = HistoricalCase.objects.filter(id=case.pk).order_by("audit_seq")[1]
    sql(
        f"UPDATE {table(HistoricalCase)} SET title = %s "  # noqa: S608
        "WHERE history_id = %s",
        ["Tiêu đề đã sửa", row.history_id],
    )
    assert_caught(
        case,
        other,
        table_label="feedback.HistoricalCase",
        row_id=row.history_id,
        problem="content changed",
    )


def test_a_changed_party_identity_in_history_is_caught(two_cases):
    case, other = two_cases
    row = HistoricalParty.objects.filter(case_id=case.pk).order_by("audit_seq")[0]
    sql(
        f"UPDATE {table(HistoricalParty)} SET national_id = '' "  # noqa: S608
        "WHERE history_id = %s",
        [row.history_id],
    )
    assert_caught(
        case,
        other,
        table_label="feedback.HistoricalParty",
        row_id=row.history_id,
        problem="content changed",
    )


def test_a_deleted_event_is_caught(two_cases):
    case, other = two_cases
    events = list(CaseEvent.objects.filter(case=case).order_by("audit_seq"))
    # The petitioner's waiting notice refers to the event: it goes first.
    sql(f"DELETE FROM {table(CitizenNotice)} WHERE event_id = %s", [events[1].pk])  # noqa: S608
    sql(f"DELETE FROM {table(CaseEvent)} WHERE id = %s", [events[1].pk])  # noqa: S608
    assert_caught(
        case,
        other,
        table_label="feedback.CaseEvent",
        row_id=events[2].pk,
        problem="row missing before this one",
    )


def test_a_deleted_last_row_is_caught_by_the_head(two_cases):
    case, other = two_cases
    last = CaseEvent.objects.filter(case=case).order_by("-audit_seq").first()
    sql(f"DELETE FROM {table(CaseEvent)} WHERE id = %s", [last.pk])  # noqa: S608
    assert_caught(
        case,
        other,
        table_label="feedback.AuditHead",
        row_id=None,
        problem="rows missing at the end of the chain",
    )


def test_reordered_events_are_caught(two_cases):
    """Swapping two events' places (their sequence numbers) breaks the chain
    at the first of them."""
    case, other = two_cases
    first, second = CaseEvent.objects.filter(case=case).order_by("audit_seq")[1:3]
    quoted = table(CaseEvent)
    sql(f"UPDATE {quoted} SET audit_seq = 999 WHERE id = %s", [first.pk])  # noqa: S608
    sql(
        f"UPDATE {quoted} SET audit_seq = %s WHERE id = %s",  # noqa: S608
        [first.audit_seq, second.pk],
    )
    sql(
        f"UPDATE {quoted} SET audit_seq = %s WHERE id = %s",  # noqa: S608
        [second.audit_seq, first.pk],
    )
    assert_caught(
        case,
        other,
        table_label="feedback.CaseEvent",
        row_id=second.pk,
        problem="previous hash differs",
    )


def test_a_row_inserted_behind_the_back_is_caught(two_cases):
    case, other = two_cases
    event = CaseEvent.objects.filter(case=case).order_by("audit_seq").first()
    sql(
        f"INSERT INTO {table(CaseEvent)} (case_id, kind, action, from_status, "  # noqa: S608
        "to_status, is_public, text, data, created_at, prev_hash, row_hash) "
        "SELECT case_id, kind, action, from_status, to_status, is_public, "
        "'thêm', data, created_at, '', '' FROM "
        f"{table(CaseEvent)} WHERE id = %s",
        [event.pk],
    )
    inserted = CaseEvent.objects.filter(case=case, text="thêm").get()
    assert_caught(
        case,
        other,
        table_label="feedback.CaseEvent",
        row_id=inserted.pk,
        problem="row not sealed",
    )


def test_an_unknown_case_code_is_an_error(commune):
    ok, _out, err = verify_command("--case", "2222-2222-2222")
    assert not ok
    assert "No case has the tracking code" in err


# --------------------------------------------------------------------------
# Showing a denouncer's identity is audited
# --------------------------------------------------------------------------


@pytest.fixture
def denunciation(commune):
    return make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        parties=[
            petitioner(),
            petitioner(role="denounced", full_name="Lê Văn Quyền", national_id=""),
        ],
    ).case


def identity_events(case):
    return CaseEvent.objects.filter(case=case, kind=EventKind.IDENTITY_VIEWED)


def test_the_case_page_showing_the_identity_writes_a_chained_event(
    client, commune, denunciation
):
    client.force_login(commune.leader)
    response = client.get(reverse("case-detail", args=[denunciation.pk]))
    assert DENOUNCER.encode() in response.content
    event = identity_events(denunciation).get()
    assert event.author == commune.leader
    assert event.is_public is False
    assert event.data == {"context": "case_page"}
    assert event.row_hash and event.audit_seq == (
        CaseEvent.objects.filter(case=denunciation).count()
    )
    stored = str(CaseEvent.objects.filter(pk=event.pk).values().get())
    for secret in (DENOUNCER, DENOUNCER_ID):
        assert secret not in stored
    assert IdentityAccess.objects.filter(case=denunciation).count() == 1
    assert audit.verify() == []


def test_a_masked_page_writes_no_identity_event(client, commune, denunciation):
    client.force_login(commune.officer)
    response = client.get(reverse("case-detail", args=[denunciation.pk]))
    assert response.status_code == 200
    assert DENOUNCER.encode() not in response.content
    assert not identity_events(denunciation).exists()


def test_identity_access_record_chains_the_event(commune, denunciation):
    identity_access_record(user=commune.leader, case=denunciation, context="export")
    identity_access_record(user=commune.supervisor, case=denunciation, context="x")
    events = list(identity_events(denunciation).order_by("audit_seq"))
    assert [(e.author, e.data["context"]) for e in events] == [
        (commune.leader, "export"),
        (commune.supervisor, "x"),
    ]
    assert events[1].prev_hash == events[0].row_hash
    assert audit.verify() == []


def test_identity_reveal_record_only_for_an_entitled_viewer(commune, denunciation):
    assert not identity_reveal_record(
        user=commune.officer, case=denunciation, context="api_case"
    )
    assert identity_reveal_record(
        user=commune.leader, case=denunciation, context="api_case"
    )
    feedback_case = make_case(actor=commune.reception, unit=commune.office).case
    assert not identity_reveal_record(
        user=commune.leader, case=feedback_case, context="api_case"
    )
    assert identity_events(denunciation).get().author == commune.leader


@pytest.mark.parametrize("path", ["", "history/"])
def test_the_api_showing_the_identity_writes_a_chained_event(
    commune, denunciation, path
):
    from rest_framework.test import APIClient

    if path:
        # Parties are created in bulk, without history: give one a version
        # for the history to show.
        party = Party.objects.filter(case=denunciation, role="petitioner").get()
        party.address = "Xóm 5"
        party.save()
        client = APIClient()
        client.force_authenticate(commune.leader)
        assert client.get(f"/api/v1/cases/{denunciation.pk}/").status_code == 200
        assert identity_events(denunciation).get().data["context"] == "api_case"
    before = identity_events(denunciation).count()
    client = APIClient()
    client.force_authenticate(commune.officer)
    response = client.get(f"/api/v1/cases/{denunciation.pk}/{path}")
    assert response.status_code == 200
    assert DENOUNCER not in response.content.decode()
    assert identity_events(denunciation).count() == before
    client.force_authenticate(commune.leader)
    response = client.get(f"/api/v1/cases/{denunciation.pk}/{path}")
    assert response.status_code == 200
    assert DENOUNCER in response.content.decode()
    event = identity_events(denunciation).order_by("-audit_seq").first()
    assert identity_events(denunciation).count() == before + 1
    assert event.author == commune.leader
    assert event.data == {"context": "api_history" if path else "api_case"}
    assert audit.verify() == []


# --------------------------------------------------------------------------
# A meeting item that became a case joins that case's history chain
# --------------------------------------------------------------------------


def test_versions_of_an_item_turned_into_a_case_are_chained(org, held):  # noqa: F811
    from dialogues.models import MeetingItem
    from dialogues.services import ItemConversion, items_convert

    item = MeetingItem.objects.filter(meeting=held).order_by("number").first()
    (converted,) = items_convert(
        meeting_id=held.pk,
        actor=org.committee_leader,
        conversions=[ItemConversion(item_id=item.pk, responsible_unit=org.office)],
    )
    case = Case.objects.get(pk=converted.case_id)
    rows = chain_rows(case, AuditChain.HISTORY)
    assert "dialogues.HistoricalMeetingItem" in {row[0] for row in rows}
    assert [row[2] for row in rows] == list(range(1, len(rows) + 1))
    # Versions from before it had a case belong to the meeting only.
    history = MeetingItem.history.model
    assert history.objects.filter(id=item.pk, case_id=None, row_hash="").exists()
    assert audit.verify() == []
    version = history.objects.filter(id=item.pk, case_id=case.pk).get()
    sql(
        f"UPDATE {table(history)} SET title = 'khác' WHERE history_id = %s",  # noqa: S608
        [version.history_id],
    )
    (found,) = audit.verify()
    assert (found.case_code, found.table, found.row_id) == (
        case.code,
        "dialogues.HistoricalMeetingItem",
        version.history_id,
    )


# --------------------------------------------------------------------------
# Appending is race-free
# --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_take_the_same_place(commune, denunciation):
    """Writers that hold no case lock (identity views) still queue on the
    chain's head: every event gets its own place and the chain verifies.
    (On SQLite the database admits one writer at a time, so one thread.)"""
    import threading

    from django.db import connections

    workers = 4 if connection.vendor == "postgresql" else 1
    per_worker = 5
    barrier = threading.Barrier(workers)
    errors = []

    def work(user):
        try:
            barrier.wait()
            for _ in range(per_worker):
                identity_access_record(user=user, case=denunciation, context="t")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    users = [commune.leader, commune.supervisor, commune.reception, commune.admin]
    threads = [
        threading.Thread(target=work, args=(users[index],)) for index in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = chain_rows(denunciation, AuditChain.EVENTS)
    assert [row[2] for row in rows] == list(range(1, len(rows) + 1))
    assert identity_events(denunciation).count() == workers * per_worker
    assert audit.verify() == []


# --------------------------------------------------------------------------
# Anchors: a chain rebuilt from scratch is caught too
# --------------------------------------------------------------------------


def test_an_anchor_catches_a_chain_rebuilt_after_an_edit(two_cases, tmp_path):
    case, other = two_cases
    anchor = tmp_path / "anchor.txt"
    ok, out, err = verify_command("--save-anchor", str(anchor))
    assert ok, err
    assert "Anchor saved" in out
    assert anchor.read_text().startswith(audit.ANCHOR_HEADER)
    # Someone edits an event and then re-seals every chain consistently.
    event = CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).get()
    sql(
        f"UPDATE {table(CaseEvent)} SET text = 'khác' WHERE id = %s",  # noqa: S608
        [event.pk],
    )
    audit.backfill(apps, chain="events", tables=audit.EVENT_TABLES)
    assert audit.verify() == []  # the chain alone no longer tells
    ok, _out, err = verify_command("--anchor", str(anchor))
    assert not ok
    assert case.code in err
    assert "chain rewritten since the anchor" in err
    ok, _out, err = verify_command("--anchor", str(anchor), "--case", other.code)
    assert ok, err


def test_an_anchor_catches_rows_cut_off_with_the_head_moved_back(two_cases, tmp_path):
    case, _other = two_cases
    anchor = tmp_path / "anchor.txt"
    assert verify_command("--save-anchor", str(anchor))[0]
    last = CaseEvent.objects.filter(case=case).order_by("-audit_seq").first()
    sql(f"DELETE FROM {table(CaseEvent)} WHERE id = %s", [last.pk])  # noqa: S608
    previous = CaseEvent.objects.filter(case=case).order_by("-audit_seq").first()
    AuditHead.objects.filter(case=case, chain="events").update(
        seq=previous.audit_seq, row_hash=previous.row_hash
    )
    assert audit.verify() == []
    (found,) = audit.verify(anchor=str(anchor))
    assert (found.case_code, found.problem) == (
        case.code,
        "rows missing since the anchor",
    )


def test_a_broken_chain_saves_no_anchor(two_cases, tmp_path):
    case, _other = two_cases
    sql(
        f"UPDATE {table(CaseEvent)} SET text = 'x' WHERE case_id = %s",  # noqa: S608
        [case.pk],
    )
    anchor = tmp_path / "anchor.txt"
    ok, _out, _err = verify_command("--save-anchor", str(anchor))
    assert not ok
    assert not anchor.exists()
    assert list(tmp_path.iterdir()) == []
