"""The weekly digest: each unit's numbers to its leaders, once a week."""

import datetime as dt

import pytest
from django.utils import timezone

from feedback.models import Case, Notification, OutboxMessage
from feedback.services.sweep import unit_digests, weekly_digest
from feedback.tasks import weekly_digest as weekly_digest_task

from .conftest import on

pytestmark = pytest.mark.django_db

MONDAY = on(17)


def at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def week(commune, dated_case):
    """The land office: two overdue, one due soon, one on track; one resolved
    last week, one the week before and one this week.  Hamlet A: one open."""
    for due in (on(10), on(14), on(18), on(24)):
        dated_case(commune.office, due)
    for resolved_on in (on(16, 3), on(9, 3), MONDAY):
        case = dated_case(commune.office, None)
        Case.objects.filter(pk=case.pk).update(
            status="resolved", public_answer="Đã trả lời.", resolved_at=at(resolved_on)
        )
    Case.objects.filter(pk=case.pk).update(resolved_at=at(MONDAY, hour=0))
    dated_case(commune.hamlet_a, on(28))
    return commune


def test_the_numbers_come_from_one_aggregate_query(week, django_assert_num_queries):
    # The reminder leads, the calendar's exceptions, then the counts.
    with django_assert_num_queries(3):
        digests = {d.unit_id: d for d in unit_digests(today=MONDAY)}

    office = digests[week.office.pk]
    assert (office.open, office.due_soon, office.overdue) == (4, 1, 2)
    assert office.resolved_last_week == 1
    hamlet = digests[week.hamlet_a.pk]
    assert (hamlet.open, hamlet.due_soon, hamlet.overdue) == (1, 0, 0)
    assert week.hamlet_b.pk not in digests


def test_each_units_leaders_get_it_once_a_week(week):
    week.leader.email = "leader@xuanthanh.gov.vn"
    week.leader.save()

    first = weekly_digest(today=MONDAY, now=at(MONDAY, hour=7))
    tuesday = weekly_digest(today=on(18), now=at(on(18), hour=7))

    assert (first.units, first.notifications, first.emails) == (2, 2, 1)
    assert (tuesday.notifications, tuesday.emails) == (0, 0)
    office = Notification.objects.get(recipient=week.leader, kind="digest")
    assert office.title == "Tổng hợp tuần 12/2025: Địa chính"
    assert office.body == (
        "Đang xử lý: 4; sắp đến hạn: 1; quá hạn: 2; đã giải quyết tuần trước: 1."
    )
    assert office.url.endswith(f"={week.office.pk}")
    assert Notification.objects.filter(recipient=week.leader_a, kind="digest").count()
    assert not Notification.objects.filter(recipient=week.leader_b).exists()
    email = OutboxMessage.objects.get()
    assert email.recipient == "leader@xuanthanh.gov.vn"
    assert email.dedupe_key == f"digest:{week.office.pk}:2025-W12:{week.leader.pk}"
    assert "Quá hạn: 2" in email.body


def test_next_week_brings_a_new_digest(week):
    weekly_digest(today=MONDAY, now=at(MONDAY, hour=7))

    next_week = weekly_digest_task.delay(today="2025-03-24").get()

    assert next_week["week"] == "2025-W13" and next_week["notifications"] == 2
    assert Notification.objects.filter(recipient=week.leader).count() == 2
