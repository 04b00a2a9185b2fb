"""What a petitioner is told when their case moves, and what never."""

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from feedback.models import (
    Case,
    CaseEvent,
    CitizenNotice,
    Notification,
    OutboxMessage,
)
from feedback.services import notifications
from feedback.services.cases import PartyInput, case_transition
from feedback.services.notifications import (
    citizen_notices_write,
    citizen_notify,
    notify_unsatisfied_rating,
)
from feedback.services.public import unsatisfied_rating
from feedback.tasks import notify_unsatisfied_rating as notify_unsatisfied_task
from feedback.tasks import outbox_deliver as outbox_deliver_task
from tests.factories import make_case, petitioner, staff

pytestmark = pytest.mark.django_db

CITIZEN = petitioner(full_name="Trần Thị Bích Ngọc", email="ngoc.tran@example.vn")
DENOUNCED = PartyInput(
    role="denounced",
    full_name="Lê Văn Tám",
    phone="0987654321",
    email="tam.le@example.vn",
    address="Trụ sở UBND xã",
)
SECRET_WORDS = (
    "Trần Thị Bích Ngọc",
    "040190012345",
    "Xóm 3",
    "Lê Văn Tám",
    "tam.le",
    "0987654321",
    "sụt lún",
    "Đường liên xóm",
    "ghi chú nội bộ",
)


def messages_of(case):
    return {m.channel: m for m in OutboxMessage.objects.filter(case=case)}


def assert_nothing_secret(*texts):
    for text in texts:
        for word in SECRET_WORDS:
            assert word not in text


@pytest.fixture
def logged(commune):
    """Log a case, then write its notice as the next delivery run would."""

    def make(**fields):
        created = make_case(actor=commune.reception, unit=commune.office, **fields)
        citizen_notices_write()
        return created

    return make


def act(case, action, actor, **data):
    """Move the case, then write its notice as the next delivery run would."""
    moved = case_transition(case_id=case.pk, action=action, actor=actor, data=data)
    citizen_notices_write()
    return moved


def test_a_logged_case_sends_an_email_and_an_sms_with_code_status_and_date(logged):
    case = logged(parties=[CITIZEN]).case

    sent = messages_of(case)

    assert set(sent) == {"email", "sms"}
    email, sms = sent["email"], sent["sms"]
    assert email.recipient == "ngoc.tran@example.vn"
    assert sms.recipient == "0912345678"
    assert email.dedupe_key == f"citizen:{case_created(case).pk}:email"
    due = case.final_due_on.strftime("%d/%m/%Y")
    assert email.subject == f"Lắng Nghe: hồ sơ {case.display_code}"
    assert f"Hồ sơ {case.display_code} đã được tiếp nhận." in email.body
    assert f"Hạn giải quyết: {due}." in email.body
    assert (
        sms.body
        == f"Hồ sơ {case.display_code} đã được tiếp nhận. Hạn giải quyết: {due}."
    )
    assert_nothing_secret(email.subject, email.body, sms.body)


def case_created(case):
    return CaseEvent.objects.get(case=case, action="create")


def test_the_answer_goes_by_email_and_the_sms_says_where_to_read_it(commune, logged):
    case = logged(parties=[CITIZEN]).case
    act(case, "accept", commune.leader)
    act(
        case,
        "resolve",
        commune.leader,
        public_answer="UBND xã sẽ sửa đoạn đường trong tháng 4/2025.",
    )

    resolved = CaseEvent.objects.get(case=case, action="resolve")
    email = OutboxMessage.objects.get(dedupe_key=f"citizen:{resolved.pk}:email")
    sms = OutboxMessage.objects.get(dedupe_key=f"citizen:{resolved.pk}:sms")
    assert f"Hồ sơ {case.display_code} đã có kết quả giải quyết." in email.body
    assert "UBND xã sẽ sửa đoạn đường trong tháng 4/2025." in email.body
    assert "Hạn giải quyết" not in email.body
    assert "sửa đoạn đường" not in sms.body
    assert "mã tra cứu" in sms.body
    accepted = CaseEvent.objects.get(case=case, action="accept")
    assert "đang được giải quyết" in (
        OutboxMessage.objects.get(dedupe_key=f"citizen:{accepted.pk}:sms").body
    )


def test_a_denouncer_is_told_the_status_and_dates_only(commune, logged):
    case = logged(
        kind="denunciation",
        title="Tố cáo ông Lê Văn Tám lấn chiếm đất công",
        content="Ông Lê Văn Tám, cán bộ địa chính, lấn chiếm đất công.",
        parties=[CITIZEN, DENOUNCED],
    ).case
    act(case, "accept", commune.leader)
    act(
        case,
        "note",
        commune.officer,
        text="ghi chú nội bộ: đã xác minh",
    )
    act(
        case,
        "resolve",
        commune.leader,
        public_answer="Kết luận: ông Lê Văn Tám vi phạm, đã xử lý kỷ luật.",
        outcome="upheld",
        decision_number="12/KL-UBND",
        decision_date="2025-03-10",
    )

    sent = OutboxMessage.objects.filter(case=case)
    assert {m.recipient for m in sent} == {"ngoc.tran@example.vn", "0912345678"}
    assert sent.count() == 6  # logged, accepted, resolved; e-mail and SMS each
    for message in sent:
        assert_nothing_secret(message.subject, message.body)
        assert "Kết luận" not in message.body and "kỷ luật" not in message.body
    resolved = CaseEvent.objects.get(case=case, action="resolve")
    email = sent.get(dedupe_key=f"citizen:{resolved.pk}:email")
    assert f"Hồ sơ {case.display_code} đã có kết quả giải quyết." in email.body


def test_internal_events_notify_no_one(commune, logged):
    case = logged(parties=[CITIZEN]).case
    before = list(OutboxMessage.objects.values_list("pk", flat=True))
    act(
        case,
        "assign",
        commune.leader,
        assignee=commune.officer.pk,
    )
    act(case, "note", commune.officer, text="x")
    act(case, "accept", commune.leader)
    act(
        case,
        "draft_answer",
        commune.officer,
        public_answer="Dự thảo",
    )

    accepted = CaseEvent.objects.get(case=case, action="accept")
    assert set(
        OutboxMessage.objects.filter(case=case)
        .exclude(pk__in=before)
        .values_list("dedupe_key", flat=True)
    ) == {f"citizen:{accepted.pk}:email", f"citizen:{accepted.pk}:sms"}


def test_an_extension_tells_the_new_due_date(commune, logged):
    case = logged(kind="denunciation", parties=[CITIZEN]).case
    act(case, "accept", commune.leader)
    act(
        case,
        "extend",
        commune.leader,
        reason="Vụ việc phức tạp, cần xác minh nhiều nơi",
    )

    extended = CaseEvent.objects.get(case=case, action="extend")
    new_due = Case.objects.get(pk=case.pk).final_due_on.strftime("%d/%m/%Y")
    sms = OutboxMessage.objects.get(dedupe_key=f"citizen:{extended.pk}:sms")
    assert sms.body == (
        f"Thời hạn giải quyết hồ sơ {case.display_code} đã được gia hạn."
        f" Hạn giải quyết: {new_due}."
    )


def test_an_online_letter_is_not_emailed_twice_on_receipt(logged):
    case = logged(channel="online", parties=[CITIZEN]).case

    assert set(messages_of(case)) == {"sms"}


def test_the_email_says_where_to_follow_the_case(logged, settings):
    settings.SITE_URL = "https://langnghe.xuanthanh.gov.vn"
    case = logged(parties=[CITIZEN]).case

    email = messages_of(case)["email"]

    assert "https://langnghe.xuanthanh.gov.vn/tra-cuu/" in email.body
    assert "mã tra cứu và mã bí mật" in email.body


def test_a_retried_task_queues_nothing_twice(logged):
    case = logged(parties=[CITIZEN]).case
    event = case_created(case)

    again = citizen_notify(case_id=case.pk, event_id=event.pk)

    assert again == 0
    assert OutboxMessage.objects.filter(case=case).count() == 2


def test_an_anonymous_letter_or_no_contact_notifies_no_one(commune, logged):
    anonymous = logged(is_anonymous=True, parties=[]).case
    no_contact = logged(parties=[petitioner(phone="")]).case

    assert not OutboxMessage.objects.filter(case=anonymous).exists()
    assert not OutboxMessage.objects.filter(case=no_contact).exists()


def test_a_representative_is_written_to_before_the_petitioners(logged):
    representative = PartyInput(
        role="representative",
        full_name="Nguyễn Văn Hùng",
        phone="0901234567",
        email="hung@example.vn",
    )
    case = logged(parties=[CITIZEN, representative]).case

    assert {m.recipient for m in OutboxMessage.objects.filter(case=case)} == {
        "hung@example.vn",
        "0901234567",
    }


def test_a_notice_waits_in_the_database_for_the_delivery_run(commune, sms_outbox):
    """Kept in the case's own transaction, written and sent by the outbox's
    run every minute: no broker between the commit and the outbox."""
    case = make_case(
        actor=commune.reception, unit=commune.office, parties=[CITIZEN]
    ).case
    created = case_created(case)

    assert list(CitizenNotice.objects.values_list("event_id", flat=True)) == [
        created.pk
    ]
    assert not OutboxMessage.objects.filter(case=case).exists()

    result = outbox_deliver_task.delay().get()

    assert result["notices"] == 2
    assert result["sent"] == 2
    assert not CitizenNotice.objects.exists()
    assert [(sms.phone, sms.text) for sms in sms_outbox] == [
        ("0912345678", messages_of(case)["sms"].body)
    ]


def test_a_rolled_back_case_leaves_no_notice(commune):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_case(actor=commune.reception, unit=commune.office, parties=[CITIZEN])
        raise RuntimeError

    assert not CitizenNotice.objects.exists()


def test_only_events_a_petitioner_is_told_about_keep_a_notice(commune):
    anonymous = make_case(
        actor=commune.reception, unit=commune.office, is_anonymous=True, parties=[]
    ).case
    case = make_case(
        actor=commune.reception, unit=commune.office, parties=[CITIZEN]
    ).case
    CitizenNotice.objects.all().delete()

    case_transition(
        case_id=case.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    case_transition(
        case_id=case.pk, action="note", actor=commune.officer, data={"text": "x"}
    )
    case_transition(case_id=anonymous.pk, action="accept", actor=commune.leader)
    assert not CitizenNotice.objects.exists()

    case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    accepted = CaseEvent.objects.get(case=case, action="accept")
    assert list(CitizenNotice.objects.values_list("event_id", flat=True)) == [
        accepted.pk
    ]


def test_a_notice_that_fails_is_logged_and_holds_up_no_other(
    commune, monkeypatch, caplog
):
    first = make_case(
        actor=commune.reception, unit=commune.office, parties=[CITIZEN]
    ).case
    second = make_case(
        actor=commune.reception, unit=commune.office, parties=[CITIZEN]
    ).case
    failing = case_created(first).pk
    real = notifications._citizen_notify

    def citizen_notify(event, contacts):
        if event.pk == failing:
            raise KeyError("template")
        return real(event, contacts)

    monkeypatch.setattr(notifications, "_citizen_notify", citizen_notify)

    assert citizen_notices_write(batch=1) == 2

    assert not CitizenNotice.objects.exists()
    assert not OutboxMessage.objects.filter(case=first).exists()
    assert set(messages_of(second)) == {"email", "sms"}
    assert f"case {first.pk} event {failing}" in caplog.text
    assert "Trần Thị Bích Ngọc" not in caplog.text


def test_a_lost_connection_keeps_the_notices_for_the_next_run(commune, monkeypatch):
    make_case(actor=commune.reception, unit=commune.office, parties=[CITIZEN])

    def citizen_notify(event, contacts):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(notifications, "_citizen_notify", citizen_notify)

    with pytest.raises(OperationalError):
        citizen_notices_write()

    assert CitizenNotice.objects.count() == 1


def test_a_delivery_run_reads_the_events_and_contacts_once_per_batch(commune):
    """The batch's events, cases and contacts are read together: the reads
    do not grow with the number of notices (the messages' own writes do)."""
    representative = PartyInput(
        role="representative", full_name="Nguyễn Văn Hùng", email="hung@example.vn"
    )
    cases = [
        make_case(actor=commune.reception, unit=commune.office, parties=parties).case
        for parties in ([CITIZEN], [CITIZEN, representative], [petitioner()])
    ]

    with CaptureQueriesContext(connection) as queries:
        # E-mail and SMS to the first two, an SMS to the third (no e-mail).
        assert citizen_notices_write() == 5

    tables = ('"feedback_party"', '"feedback_caseevent"')
    reads = [
        sql
        for sql in (query["sql"] for query in queries.captured_queries)
        if sql.startswith("SELECT")
        and any(table in sql for table in tables)
        and "feedback_citizennotice" not in sql
    ]
    assert len(reads) == 2
    # Each case told at its own contacts, the representative first.
    assert {m.recipient for m in OutboxMessage.objects.filter(case=cases[1])} == {
        "hung@example.vn",
        "0912345678",
    }
    assert {m.recipient for m in OutboxMessage.objects.filter(case=cases[0])} == {
        "ngoc.tran@example.vn",
        "0912345678",
    }


def test_an_unsatisfied_rating_tells_the_leaders_once(commune):
    second_leader = staff(commune.office, "leader", username="leader2")
    case = make_case(actor=commune.reception, unit=commune.office).case
    Case.objects.filter(pk=case.pk).update(
        satisfaction="not_satisfied", satisfaction_comment="Chưa sửa đường."
    )

    first = notify_unsatisfied_rating(case_id=case.pk)
    again = notify_unsatisfied_task.delay(case.pk).get()

    assert (first, again) == (2, 0)
    notes = Notification.objects.filter(case=case, kind="unsatisfied_rating")
    assert {n.recipient for n in notes} == {commune.leader, second_leader}
    note = notes.first()
    assert note.title == f"Người dân chưa hài lòng: {case.display_code}"
    assert "Chưa sửa đường." in note.body


def test_the_portals_rating_flag_reaches_the_leaders(commune, citizen_signals):
    case = make_case(actor=commune.reception, unit=commune.office).case

    unsatisfied_rating.send(
        sender=Case, case_id=case.pk, event_id=None, unit_id=commune.office.pk
    )

    assert Notification.objects.get(case=case).recipient == commune.leader
