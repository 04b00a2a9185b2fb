"""Items raised at a meeting: recorded, answered on the spot, turned into
cases (with the right kind, channel, deadline, unit and petitioner), merged,
flagged as hot spots and published."""

import datetime as dt

import pytest
from django.utils import timezone

from dialogues.models import ItemOutcome, MeetingItem
from dialogues.services import (
    ItemConversion,
    item_answer,
    item_set_hot_spot,
    item_unmerge,
    items_add,
    items_convert,
    items_merge,
    meeting_publish_results,
    meeting_transition,
)
from feedback.errors import (
    InvalidInputError,
    InvalidTransitionError,
    PermissionDeniedError,
)
from feedback.models import Case, CaseEvent
from feedback.services.cases import case_transition
from tests.dialogues.conftest import at, clock, hold, item_input, plan

pytestmark = pytest.mark.django_db


def numbered(meeting):
    return {item.number: item for item in meeting.items.all()}


def convert(org, meeting, *entries, actor=None):
    return items_convert(
        meeting_id=meeting.pk,
        actor=actor or org.committee_leader,
        conversions=[ItemConversion(**entry) for entry in entries],
    )


# --------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------


def test_items_are_numbered_in_order(org, held, land):
    items = numbered(held)
    assert [items[n].title for n in (1, 2, 3)] == [
        "Đường liên xóm xuống cấp",
        "Thiếu nước sinh hoạt mùa khô",
        "Cấp giấy chứng nhận quyền sử dụng đất chậm",
    ]
    assert all(item.outcome == ItemOutcome.PENDING for item in items.values())
    items_add(meeting_id=held.pk, actor=org.committee_officer, items=[item_input(land)])
    assert max(numbered(held)) == 4


def test_recording_items_is_all_or_nothing(org, held, land):
    with pytest.raises(InvalidInputError) as caught:
        items_add(
            meeting_id=held.pk,
            actor=org.committee_leader,
            items=[
                item_input(land),
                item_input(land, raiser_name="", raiser_phone="12345", title=""),
                item_input(land, raised_by="hamlet_voters", raiser_hamlet=None),
            ],
        )
    assert set(caught.value.fields) == {
        "items.1.raiser_name",
        "items.1.raiser_phone",
        "items.1.title",
        "items.2.raiser_hamlet",
    }
    assert held.items.count() == 3


def test_items_are_recorded_only_while_the_meeting_is_held(org, land):
    meeting = plan(org)
    with pytest.raises(InvalidTransitionError) as caught:
        items_add(
            meeting_id=meeting.pk, actor=org.committee_leader, items=[item_input(land)]
        )
    assert caught.value.allowed == ["announce", "hold", "cancel"]


def test_readers_cannot_record_items(org, held, land):
    with pytest.raises(PermissionDeniedError):
        items_add(meeting_id=held.pk, actor=org.leader_a, items=[item_input(land)])


# --------------------------------------------------------------------------
# Answered on the spot
# --------------------------------------------------------------------------


def test_answer_on_the_spot(org, held):
    item = numbered(held)[1]
    item = item_answer(
        item_id=item.pk, actor=org.committee_officer, answer="  Đã có kế hoạch.  "
    )
    assert item.outcome == ItemOutcome.ANSWERED
    assert item.answer == "Đã có kế hoạch."
    # Nobody said who answered: the chair did.
    assert item.answered_by == "Phan Hoàng Thụ"
    assert item.handled_by == org.committee_officer


def test_an_empty_answer_is_refused(org, held):
    item = numbered(held)[1]
    with pytest.raises(InvalidInputError) as caught:
        item_answer(item_id=item.pk, actor=org.committee_leader, answer=" ")
    assert "answer" in caught.value.fields
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.PENDING


# --------------------------------------------------------------------------
# Turned into cases
# --------------------------------------------------------------------------


def test_a_voter_contact_item_becomes_a_voter_petition(org, land):
    with clock(at(2026, 8, 3, 17)):
        meeting = hold(org, plan(org, starts_at=at(2026, 8, 3, 14)))
        items_add(
            meeting_id=meeting.pk,
            actor=org.committee_leader,
            items=[
                item_input(
                    land, raiser_phone="0912 345 678", raiser_hamlet=org.hamlet_b
                )
            ],
        )
        (item,) = convert(
            org,
            meeting,
            {"item_id": numbered(meeting)[1].pk, "responsible_unit": org.office},
        )
    case = item.case
    assert (case.kind, case.channel) == ("voter_petition", "voter_meeting")
    assert case.received_at == at(2026, 8, 3, 14)
    # The policy: 60 calendar days from the meeting.
    assert case.stage_due_on == dt.date(2026, 10, 2)
    assert case.responsible_unit == org.office
    assert case.location_unit == org.hamlet_b
    assert (case.title, case.content) == (item.title, item.content)
    (party,) = case.parties.all()
    assert (party.role, party.full_name, party.phone, party.address) == (
        "petitioner",
        "Nguyễn Văn Bình",
        "0912345678",
        "Xóm A",
    )
    # The link back: from the item to the case, and the case's first event
    # names the meeting.
    assert MeetingItem.objects.get(case=case) == item
    created = CaseEvent.objects.get(case=case, action="create")
    assert "03/08/2026" in created.text and meeting.place in created.text
    assert item.outcome == ItemOutcome.CASE
    assert item.handled_by == org.committee_leader


def test_a_dialogue_item_becomes_a_dialogue_issue_due_in_30_days(org, land):
    with clock(at(2026, 8, 3, 17)):
        meeting = plan(org, kind="periodic_reception", starts_at=at(2026, 8, 3, 8))
        meeting = hold(org, meeting)
        items_add(
            meeting_id=meeting.pk, actor=org.committee_leader, items=[item_input(land)]
        )
        (item,) = convert(
            org,
            meeting,
            {"item_id": numbered(meeting)[1].pk, "responsible_unit": org.office},
        )
    assert (item.case.kind, item.case.channel) == ("dialogue_issue", "in_person")
    # 30 days is 02/09/2026, National Day: the next working day.
    assert item.case.stage_due_on == dt.date(2026, 9, 3)


def test_the_chairs_date_replaces_the_policy(org, held):
    chair_date = timezone.localdate() + dt.timedelta(days=15)
    item = numbered(held)[1]
    (item,) = convert(
        org,
        held,
        {
            "item_id": item.pk,
            "responsible_unit": org.office,
            "answer_due_on": chair_date,
        },
    )
    assert item.case.stage_due_on == chair_date
    assert item.case.final_due_on == chair_date
    assert item.answer_due_on == chair_date


def test_voters_of_a_hamlet_are_the_petitioner(org, held):
    item = numbered(held)[2]
    (item,) = convert(org, held, {"item_id": item.pk, "responsible_unit": org.office})
    (party,) = item.case.parties.all()
    assert party.full_name == "Cử tri xóm B"
    assert item.case.location_unit == org.hamlet_b
    assert item.case.is_anonymous is False


def test_converting_several_items_is_all_or_nothing(org, held):
    items = numbered(held)
    before = Case.objects.count()
    with pytest.raises(InvalidInputError) as caught:
        convert(
            org,
            held,
            {"item_id": items[1].pk, "responsible_unit": org.office},
            {"item_id": items[2].pk, "responsible_unit": None},
            {
                "item_id": items[3].pk,
                "responsible_unit": org.office,
                "answer_due_on": dt.date(2020, 1, 1),
            },
        )
    assert set(caught.value.fields) == {
        "items.1.responsible_unit",
        "items.2.answer_due_on",
    }
    assert Case.objects.count() == before
    assert {item.outcome for item in held.items.all()} == {ItemOutcome.PENDING}


def test_a_unit_the_actor_cannot_log_cases_for_is_refused(org, held):
    item = numbered(held)[1]
    with pytest.raises(InvalidInputError) as caught:
        convert(
            org, held, {"item_id": item.pk, "responsible_unit": org.other_committee}
        )
    assert "items.0.responsible_unit" in caught.value.fields
    assert Case.objects.count() == 0


def test_an_item_is_converted_once(org, held):
    item = numbered(held)[1]
    convert(org, held, {"item_id": item.pk, "responsible_unit": org.office})
    with pytest.raises(InvalidInputError) as caught:
        convert(org, held, {"item_id": item.pk, "responsible_unit": org.office})
    assert "items.0.item" in caught.value.fields
    assert Case.objects.count() == 1


def test_items_of_another_meeting_are_unknown(org, held, land):
    other = hold(org, plan(org))
    items_add(meeting_id=other.pk, actor=org.committee_leader, items=[item_input(land)])
    foreign = other.items.get()
    with pytest.raises(InvalidInputError) as caught:
        convert(org, held, {"item_id": foreign.pk, "responsible_unit": org.office})
    assert "items.0.item" in caught.value.fields


def test_a_hot_spot_item_becomes_a_hot_spot_case(org, held):
    item = numbered(held)[3]
    (item,) = convert(
        org,
        held,
        {"item_id": item.pk, "responsible_unit": org.office, "is_hot_spot": True},
    )
    assert item.is_hot_spot and item.case.is_hot_spot


# --------------------------------------------------------------------------
# Merging identical items
# --------------------------------------------------------------------------


def test_merged_items_count_as_petitioners_of_one_case(org, held):
    items = numbered(held)
    items_merge(
        meeting_id=held.pk,
        actor=org.committee_leader,
        primary_id=items[1].pk,
        item_ids=[items[2].pk, items[3].pk],
    )
    (primary,) = convert(
        org, held, {"item_id": items[1].pk, "responsible_unit": org.office}
    )
    case = primary.case
    assert case.petitioner_count == 3
    # People are petitioners; the voters of a hamlet are counted, not named.
    assert sorted(case.parties.values_list("full_name", flat=True)) == [
        "Nguyễn Văn Bình",
        "Trần Thị Hoa",
    ]
    merged = [MeetingItem.objects.get(pk=items[n].pk) for n in (2, 3)]
    assert {(item.outcome, item.merged_into_id, item.case_id) for item in merged} == {
        (ItemOutcome.MERGED, primary.pk, case.pk)
    }


def test_merging_into_a_case_corrects_its_count(org, held):
    items = numbered(held)
    (primary,) = convert(
        org, held, {"item_id": items[1].pk, "responsible_unit": org.office}
    )
    items_merge(
        meeting_id=held.pk,
        actor=org.supervisor,
        primary_id=items[1].pk,
        item_ids=[items[3].pk],
    )
    case = Case.objects.get(pk=primary.case_id)
    assert case.petitioner_count == 2
    correction = CaseEvent.objects.get(case=case, action="correct")
    assert correction.data["field"] == "petitioner_count"
    assert correction.author == org.supervisor


def test_merging_into_a_case_needs_its_leaders(org, held):
    """Correcting a case's count is the call of the leaders of the unit
    resolving it: the committee's own staff cannot, and nothing is merged."""
    items = numbered(held)
    (primary,) = convert(
        org, held, {"item_id": items[1].pk, "responsible_unit": org.office}
    )
    for actor in (org.committee_officer, org.committee_leader):
        with pytest.raises(PermissionDeniedError) as caught:
            items_merge(
                meeting_id=held.pk,
                actor=actor,
                primary_id=items[1].pk,
                item_ids=[items[3].pk],
            )
        assert org.office.name in str(caught.value.message)
    assert MeetingItem.objects.get(pk=items[3].pk).outcome == ItemOutcome.PENDING
    assert Case.objects.get(pk=primary.case_id).petitioner_count == 1


def test_merged_items_share_the_answer_given_on_the_spot(org, held):
    items = numbered(held)
    item_answer(item_id=items[1].pk, actor=org.committee_leader, answer="Đã trả lời.")
    items_merge(
        meeting_id=held.pk,
        actor=org.committee_leader,
        primary_id=items[1].pk,
        item_ids=[items[2].pk],
    )
    assert MeetingItem.objects.get(pk=items[2].pk).answer == "Đã trả lời."


def test_only_pending_items_are_merged(org, held):
    items = numbered(held)
    item_answer(item_id=items[2].pk, actor=org.committee_leader, answer="Đã trả lời.")
    with pytest.raises(InvalidInputError):
        items_merge(
            meeting_id=held.pk,
            actor=org.committee_leader,
            primary_id=items[1].pk,
            item_ids=[items[2].pk],
        )


def test_a_merge_is_undone_while_the_primary_is_pending(org, held):
    items = numbered(held)
    items_merge(
        meeting_id=held.pk,
        actor=org.committee_leader,
        primary_id=items[1].pk,
        item_ids=[items[2].pk],
    )
    item = item_unmerge(item_id=items[2].pk, actor=org.committee_leader)
    assert (item.outcome, item.merged_into_id) == (ItemOutcome.PENDING, None)
    items_merge(
        meeting_id=held.pk,
        actor=org.committee_leader,
        primary_id=items[1].pk,
        item_ids=[items[2].pk],
    )
    convert(org, held, {"item_id": items[1].pk, "responsible_unit": org.office})
    with pytest.raises(InvalidInputError):
        item_unmerge(item_id=items[2].pk, actor=org.committee_leader)


def test_merged_items_do_not_block_reporting(org, held):
    items = numbered(held)
    items_merge(
        meeting_id=held.pk,
        actor=org.committee_leader,
        primary_id=items[1].pk,
        item_ids=[items[2].pk, items[3].pk],
    )
    item_answer(item_id=items[1].pk, actor=org.committee_leader, answer="Đã trả lời.")
    meeting = meeting_transition(
        meeting_id=held.pk, action="report", actor=org.committee_leader
    )
    assert meeting.status == "reported"


# --------------------------------------------------------------------------
# Hot spots
# --------------------------------------------------------------------------


def test_flagging_an_item_that_is_a_case_flags_the_case(org, held):
    item = numbered(held)[1]
    convert(org, held, {"item_id": item.pk, "responsible_unit": org.office})
    item = item_set_hot_spot(
        item_id=item.pk,
        actor=org.supervisor,
        is_hot_spot=True,
        reason="Nhiều hộ bức xúc.",
    )
    case = Case.objects.get(pk=item.case_id)
    assert item.is_hot_spot and case.is_hot_spot
    event = CaseEvent.objects.get(case=case, action="correct")
    assert (event.text, event.data["field"]) == ("Nhiều hộ bức xúc.", "is_hot_spot")


def test_flagging_a_pending_item(org, held):
    item = item_set_hot_spot(
        item_id=numbered(held)[2].pk, actor=org.committee_officer, is_hot_spot=True
    )
    assert item.is_hot_spot
    assert held.events.last().action == "hot_spot"


# --------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------


def test_publishing_the_results(org, held):
    items = numbered(held)
    item_answer(item_id=items[1].pk, actor=org.committee_leader, answer="Đã trả lời.")
    converted = convert(
        org,
        held,
        {"item_id": items[2].pk, "responsible_unit": org.office},
        {"item_id": items[3].pk, "responsible_unit": org.office},
    )
    answered_case = converted[0].case
    for action, data in (("accept", {}), ("resolve", {"public_answer": "Đã lắp ống."})):
        case_transition(
            case_id=answered_case.pk, action=action, actor=org.leader, data=data
        )
    # The committee's chairman is not a leader of the office: the office's
    # leaders publish its answers.
    result = meeting_publish_results(meeting_id=held.pk, actor=org.committee_leader)
    assert (result.answered_items, result.published_cases) == (1, 0)
    assert (result.waiting_cases, result.not_allowed_cases) == (1, 1)
    assert result.meeting.results_published_at is not None
    result = meeting_publish_results(meeting_id=held.pk, actor=org.supervisor)
    assert (result.published_cases, result.waiting_cases) == (1, 1)
    assert Case.objects.get(pk=answered_case.pk).published_at is not None
    assert CaseEvent.objects.filter(case=answered_case, action="publish").count() == 1


def test_officers_do_not_publish(org, held):
    with pytest.raises(PermissionDeniedError):
        meeting_publish_results(meeting_id=held.pk, actor=org.committee_officer)


def test_an_unheld_meeting_has_no_results(org):
    meeting = plan(org)
    with pytest.raises(InvalidTransitionError):
        meeting_publish_results(meeting_id=meeting.pk, actor=org.committee_leader)
