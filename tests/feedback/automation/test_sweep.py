"""The deadline sweep: who is told what, once, in chunks of any size."""

import math

import pytest
from django.utils import timezone

from feedback.models import Case, Notification, OutboxMessage, Reminder, UnitKind
from feedback.services.sweep import deadline_sweep
from feedback.tasks import deadline_sweep as deadline_sweep_task
from tests.factories import UnitFactory, staff

from .conftest import TODAY, on

pytestmark = pytest.mark.django_db


def sweep(**options):
    return deadline_sweep(today=options.pop("today", TODAY), **options)


def sent(case):
    return set(Reminder.objects.filter(case=case).values_list("kind", "due_on"))


def told(case, kind):
    return set(
        Notification.objects.filter(case=case, kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


def test_due_within_the_lead_is_reminded_and_overdue_is_escalated(commune, dated_case):
    due_today = dated_case(commune.office, TODAY)
    third_day = dated_case(commune.office, on(17))
    fourth_day = dated_case(commune.office, on(18))
    late = dated_case(commune.office, on(11))

    result = sweep()

    assert sent(due_today) == {("reminder", TODAY)}
    assert sent(third_day) == {("reminder", on(17))}
    assert sent(fourth_day) == set()
    assert sent(late) == {("escalation", on(11))}
    assert (result.reminders, result.escalations) == (2, 1)
    reminder = Reminder.objects.get(case=third_day)
    assert reminder.stage == third_day.stage == "answer"


def test_cases_no_longer_open_are_left_alone(commune, dated_case):
    archived = dated_case(commune.office, on(3), status="archived")
    transferred = dated_case(commune.office, on(13), status="transferred")
    accepted = dated_case(commune.office, on(3), status="accepted")

    sweep()

    assert sent(archived) == sent(transferred) == set()
    assert sent(accepted) == {("escalation", on(3))}


def test_each_unit_has_its_own_reminder_lead(commune, dated_case):
    commune.hamlet_a.reminder_days = 5
    commune.hamlet_a.save()
    commune.hamlet_b.reminder_days = 0
    commune.hamlet_b.save()
    fifth_day_a = dated_case(commune.hamlet_a, on(19))
    fifth_day_office = dated_case(commune.office, on(19))
    today_b = dated_case(commune.hamlet_b, TODAY)
    tomorrow_b = dated_case(commune.hamlet_b, on(13))

    sweep()

    assert sent(fifth_day_a) == {("reminder", on(19))}
    assert sent(fifth_day_office) == set()
    assert sent(today_b) == {("reminder", TODAY)}
    assert sent(tomorrow_b) == set()


def test_a_reminder_goes_to_the_assignee_or_else_the_officers_and_the_leaders(
    commune, dated_case
):
    staff(commune.office, "officer", username="officer2")
    gone = staff(commune.office, "officer", username="gone", is_active=False)
    assigned = dated_case(commune.office, on(13), assignee=commune.officer)
    unassigned = dated_case(commune.office, on(13))
    assigned_to_gone = dated_case(commune.office, on(13), assignee=gone)

    sweep()

    assert told(assigned, "reminder") == {"officer", "leader"}
    assert told(unassigned, "reminder") == {"officer", "officer2", "leader"}
    assert told(assigned_to_gone, "reminder") == {"officer", "officer2", "leader"}


def test_an_escalation_reaches_the_leaders_and_every_supervisor_above(
    commune, dated_case
):
    staff(commune.province, "supervisor", username="governor")
    staff(commune.hamlet_b, "supervisor", username="sideways")
    staff(commune.office, "leader", username="retired", is_active=False)
    assigned = dated_case(commune.office, on(10), assignee=commune.officer)
    unassigned = dated_case(commune.hamlet_a, on(10))

    sweep()

    assert told(assigned, "escalation") == {
        "officer",
        "leader",
        "supervisor",
        "governor",
    }
    # The administrator (role admin) and a sibling unit's supervisor are not
    # above the unit; hamlet officers hear of it through their leader.
    assert told(unassigned, "escalation") == {"leader_a", "supervisor", "governor"}


def test_someone_who_holds_two_roles_is_told_once(commune, dated_case):
    staff_member = commune.leader
    from feedback.models import Membership

    Membership.objects.create(user=staff_member, unit=commune.root, role="supervisor")
    late = dated_case(commune.office, on(10))

    sweep()

    assert Notification.objects.filter(case=late, recipient=staff_member).count() == 1


def test_staff_with_an_address_also_get_an_email_without_the_title(
    staff_emails, dated_case
):
    commune = staff_emails
    late = dated_case(
        commune.office, on(10), title="Tố cáo ông Lê Văn Tám lấn chiếm đất công"
    )

    sweep()

    reminder = Reminder.objects.get(case=late)
    emails = OutboxMessage.objects.filter(case=late)
    assert {(m.recipient, m.dedupe_key) for m in emails} == {
        ("leader@xuanthanh.gov.vn", f"reminder:{reminder.pk}:{commune.leader.pk}"),
        (
            "supervisor@xuanthanh.gov.vn",
            f"reminder:{reminder.pk}:{commune.supervisor.pk}",
        ),
    }
    email = emails.first()
    assert email.channel == "email" and email.status == "pending"
    assert email.subject == f"Quá hạn: {late.display_code}"
    assert late.display_code in email.body and "10/03/2025" in email.body
    assert "Lê Văn Tám" not in email.subject + email.body
    notification = Notification.objects.filter(case=late).first()
    assert notification.title == f"Quá hạn: {late.display_code}"
    assert "Lê Văn Tám" in notification.body
    assert "10/03/2025" in notification.body and "Địa chính" in notification.body


def test_a_reminder_says_how_many_working_days_are_left(commune, dated_case):
    soon = dated_case(commune.office, on(17))

    sweep()

    notification = Notification.objects.filter(case=soon).first()
    assert notification.title == f"Sắp đến hạn: {soon.display_code}"
    assert "17/03/2025" in notification.body
    assert "còn 3 ngày làm việc" in notification.body


def test_a_second_run_sends_nothing_twice(staff_emails, dated_case):
    commune = staff_emails
    dated_case(commune.office, on(13))
    dated_case(commune.office, on(10))
    sweep()
    counts = (
        Reminder.objects.count(),
        Notification.objects.count(),
        OutboxMessage.objects.count(),
    )

    again = sweep()

    assert (again.reminders, again.escalations, again.already_sent) == (0, 0, 2)
    assert counts == (
        Reminder.objects.count(),
        Notification.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_a_new_due_date_or_a_new_lateness_is_told_again(commune, dated_case):
    case = dated_case(commune.office, on(13))
    sweep()
    Case.objects.filter(pk=case.pk).update(stage_due_on=on(14))

    sweep()
    sweep(today=on(17))

    assert sent(case) == {
        ("reminder", on(13)),
        ("reminder", on(14)),
        ("escalation", on(14)),
    }


def test_a_dry_run_writes_nothing_and_lists_what_it_would_send(commune, dated_case):
    soon = dated_case(commune.office, on(13), assignee=commune.officer)
    late = dated_case(commune.hamlet_a, on(10))

    dry = sweep(dry_run=True)

    assert not Reminder.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert [
        (p.case_code, p.kind, p.stage, p.due_on, set(p.recipients)) for p in dry.planned
    ] == [
        (soon.display_code, "reminder", "answer", on(13), {"officer", "leader"}),
        (late.display_code, "escalation", "answer", on(10), {"leader_a", "supervisor"}),
    ]
    real = sweep()
    assert (real.reminders, real.escalations, real.notifications) == (
        dry.reminders,
        dry.escalations,
        dry.notifications,
    )
    assert real.planned == []


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 2000])
def test_chunks_of_any_size_send_the_same(commune, dated_case, chunk_size):
    cases = [
        dated_case(commune.office, on(13)),
        dated_case(commune.office, on(28)),
        dated_case(commune.hamlet_a, on(10)),
        dated_case(commune.office, on(11)),
        dated_case(commune.hamlet_b, on(14)),
    ]
    Reminder.objects.create(
        case=cases[3],
        kind="escalation",
        stage="answer",
        due_on=on(11),
        sent_at=timezone.now(),
    )

    result = sweep(chunk_size=chunk_size)

    candidates = 4  # every case but the one due on the 28th
    assert result.chunks == math.ceil(candidates / chunk_size)
    assert (result.reminders, result.escalations, result.already_sent) == (2, 1, 1)
    assert [len(sent(case)) for case in cases] == [1, 0, 1, 1, 1]
    assert Notification.objects.filter(case=cases[3]).count() == 0
    assert Notification.objects.count() == result.notifications == 2 + 2 + 2


def test_a_case_nobody_can_be_told_about_is_tried_again_later(commune, dated_case):
    lonely = UnitFactory(code="LONE", name="Tổ công tác", kind=UnitKind.OFFICE)
    case = dated_case(commune.office, on(10))
    Case.objects.filter(pk=case.pk).update(responsible_unit=lonely)

    first = sweep()
    staff(lonely, "leader", username="new_leader")
    second = sweep()

    assert (first.unaddressed, first.escalations) == (1, 0)
    assert (second.unaddressed, second.escalations) == (0, 1)
    assert told(case, "escalation") == {"new_leader"}


def test_the_daily_task_skips_days_off_and_returns_its_counts(commune, dated_case):
    dated_case(commune.office, on(13))

    sunday = deadline_sweep_task.delay(today="2025-03-16").get()
    weekday = deadline_sweep_task.delay(today="2025-03-12", chunk_size=10).get()

    assert sunday == {"today": "2025-03-16", "skipped": "day off"}
    assert weekday["reminders"] == 1 and weekday["chunks"] == 1
    assert Reminder.objects.count() == 1


def test_emails_link_to_the_case_on_the_public_address(
    staff_emails, dated_case, settings
):
    settings.SITE_URL = "https://langnghe.xuanthanh.gov.vn/"
    case = dated_case(staff_emails.office, on(13))

    sweep()

    email = OutboxMessage.objects.filter(case=case).first()
    assert f"https://langnghe.xuanthanh.gov.vn/ho-so/{case.pk}/" in email.body
