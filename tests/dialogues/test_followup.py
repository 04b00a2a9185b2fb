"""Follow-up counts, the yearly calendar against the rules, and hot spots."""

import datetime as dt

import pytest
from django.utils import timezone

from dialogues import selectors
from dialogues.services import (
    ItemConversion,
    item_answer,
    items_add,
    items_convert,
    items_merge,
    meeting_transition,
)
from feedback.permissions import memberships_of
from feedback.services.cases import case_transition
from tests.dialogues.conftest import at, clock, hold, item_input, plan

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def followed(org, held, land):
    """Seven items: answered on the spot, resolved, open, withdrawn, open
    with the chair's near date, pending, and one merged into the pending."""
    items_add(
        meeting_id=held.pk,
        actor=org.committee_leader,
        items=[item_input(land, title=f"Ý kiến {n}") for n in (4, 5, 6, 7)],
    )
    items = {item.number: item for item in held.items.all()}
    item_answer(item_id=items[1].pk, actor=org.committee_leader, answer="Đã trả lời.")
    soon = timezone.localdate() + dt.timedelta(days=2)
    converted = items_convert(
        meeting_id=held.pk,
        actor=org.committee_leader,
        conversions=[
            ItemConversion(item_id=items[2].pk, responsible_unit=org.office),
            ItemConversion(item_id=items[3].pk, responsible_unit=org.office),
            ItemConversion(item_id=items[4].pk, responsible_unit=org.office),
            ItemConversion(
                item_id=items[5].pk, responsible_unit=org.office, answer_due_on=soon
            ),
        ],
    )
    resolved, _open, withdrawn, _soon = (item.case for item in converted)
    case_transition(case_id=resolved.pk, action="accept", actor=org.leader)
    case_transition(
        case_id=resolved.pk,
        action="resolve",
        actor=org.leader,
        data={"public_answer": "Đã sửa xong đường."},
    )
    case_transition(
        case_id=withdrawn.pk,
        action="withdraw",
        actor=org.leader,
        data={"reason": "Công dân rút đơn."},
    )
    items_merge(
        meeting_id=held.pk,
        actor=org.committee_leader,
        primary_id=items[6].pk,
        item_ids=[items[7].pk],
    )
    return held


def counts(meeting):
    return {
        name: getattr(meeting, f"items_{name}")
        for name in (
            "total",
            "answered",
            "answered_on_spot",
            "in_progress",
            "overdue",
            "pending",
            "ended_elsewhere",
            "merged",
            "cases",
        )
    }


def test_follow_up_counts(org, followed):
    meeting = selectors.meeting_get(user=org.committee_leader, meeting_id=followed.pk)
    assert counts(meeting) == {
        "total": 6,
        "answered": 2,
        "answered_on_spot": 1,
        "in_progress": 2,
        "overdue": 0,
        "pending": 1,
        "ended_elsewhere": 1,
        "merged": 1,
        "cases": 4,
    }


def test_overdue_is_derived_from_the_deadlines(org, followed):
    later = timezone.localdate() + dt.timedelta(days=10)
    meeting = selectors.meeting_get(
        user=org.committee_leader, meeting_id=followed.pk, today=later
    )
    assert (meeting.items_in_progress, meeting.items_overdue) == (1, 1)


def test_follow_up_counts_are_one_query(org, followed, django_assert_num_queries):
    """The meeting with its counts is one query; its hamlets one more."""
    memberships_of(org.supervisor)
    with django_assert_num_queries(2):
        meeting = selectors.meeting_list(user=org.supervisor).get(pk=followed.pk)
    assert meeting.items_total == 6


def test_meeting_items_lists_followers(org, followed):
    items = selectors.meeting_items(meeting=followed)
    primary = next(item for item in items if item.number == 6)
    assert [item.number for item in primary.followers] == [7]


# --------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------


def reception(org, day, *, held=True):
    with clock(at(2026, 2, 20, 9)):
        meeting = plan(
            org,
            kind="periodic_reception",
            starts_at=at(day.year, day.month, day.day, 7, 30),
            hamlets=[],
        )
    if held:
        with clock(at(day.year, day.month, day.day, 12)):
            hold(org, meeting, attendance=4)
    return meeting


def test_calendar_counts_reception_days_against_the_rules(org):
    for day in (5, 12, 13):
        reception(org, dt.date(2026, 3, day))
    reception(org, dt.date(2026, 3, 19), held=False)
    cancelled = reception(org, dt.date(2026, 3, 26), held=False)
    meeting_transition(
        meeting_id=cancelled.pk,
        action="cancel",
        actor=org.committee_leader,
        data={"reason": "Đi họp tỉnh."},
    )
    with clock(at(2026, 3, 20, 9)):
        calendar = selectors.calendar_year(
            user=org.committee_leader, year=2026, unit=org.committee
        )
    march = {cell.kind: cell for cell in calendar.months[2].kinds}
    cell = march["periodic_reception"]
    assert (cell.held, cell.planned, cell.cancelled) == (3, 1, 1)
    requirement = cell.requirement
    assert (requirement.met, requirement.covered, requirement.required) == (2, 3, 5)
    # From July 2026: two days a month.
    july = {cell.kind: cell for cell in calendar.months[6].kinds}
    assert july["periodic_reception"].requirement.required == 2
    # One dialogue conference a year, none yet.
    assert calendar.year_requirements["dialogue"].met == 0
    assert "voter_contact" not in calendar.year_requirements
    assert calendar.totals["periodic_reception"].held == 3


def test_the_calendar_page_shows_the_shortfall(client, org):
    for day in (5, 12):
        reception(org, dt.date(2026, 3, day))
    client.force_login(org.committee_leader)
    body = client.get(
        "/doi-thoai/lich/2026/", {"unit": org.committee.pk}
    ).content.decode()
    assert "2/5 buổi tiếp công dân định kỳ" in body
    assert "Luật Thực hiện dân chủ ở cơ sở" in body


def test_the_calendar_of_a_council_has_no_reception_duty(client, org):
    client.force_login(org.supervisor)
    body = client.get("/doi-thoai/lich/2026/", {"unit": org.council.pk}).content
    assert "buổi tiếp công dân định kỳ" not in body.decode()


# --------------------------------------------------------------------------
# Hot spots
# --------------------------------------------------------------------------


def test_open_hot_spots_with_their_history(org, held):
    items = {item.number: item for item in held.items.all()}
    hot, calm = items_convert(
        meeting_id=held.pk,
        actor=org.committee_leader,
        conversions=[
            ItemConversion(
                item_id=items[1].pk, responsible_unit=org.office, is_hot_spot=True
            ),
            ItemConversion(item_id=items[2].pk, responsible_unit=org.office),
        ],
    )
    case_transition(case_id=hot.case_id, action="accept", actor=org.leader)
    from dialogues.services import item_set_hot_spot

    item_set_hot_spot(item_id=items[3].pk, actor=org.committee_leader, is_hot_spot=True)
    cases = list(selectors.hot_spot_cases(user=org.supervisor))
    assert [case.pk for case in cases] == [hot.case_id]
    assert [event.action for event in cases[0].events.all()] == ["create", "accept"]
    assert selectors.origin_items([hot.case_id])[hot.case_id].pk == hot.pk
    assert [item.pk for item in selectors.hot_spot_items(user=org.supervisor)] == [
        items[3].pk
    ]
    # Scoped: the other commune sees none of them.
    assert list(selectors.hot_spot_cases(user=org.outsider)) == []
    assert list(selectors.hot_spot_items(user=org.outsider)) == []
