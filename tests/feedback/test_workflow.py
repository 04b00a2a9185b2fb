"""The workflow table: every action per role and per state, and refusals
that change nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from feedback import workflow
from feedback.errors import (
    ConflictError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from feedback.models import Case, CaseEvent, Status
from feedback.services.cases import case_allowed_actions, case_transition
from tests.factories import make_case

pytestmark = pytest.mark.django_db

RESOLVE_DATA = {
    "public_answer": "Đã kiểm tra, kết luận nội dung tố cáo.",
    "outcome": "partly_upheld",
    "decision_number": "12/KL-UBND",
    "decision_date": "2024-03-01",
}


def action_data(action, commune):
    return {
        "accept": {},
        "return": {"reason": "Không thuộc thẩm quyền", "legal_ground": "Điều 11"},
        "forward": {"reason": "Thuộc thẩm quyền huyện", "to_body": "Thanh tra tỉnh"},
        "archive": {"reason": "Trùng đơn"},
        "withdraw": {"reason": "Công dân rút đơn"},
        "resolve": RESOLVE_DATA,
        "close": {},
        "assign": {"assignee": commune.officer.pk},
        "extend": {"reason": "Vụ việc phức tạp"},
        "transfer": {"to_unit": commune.hamlet_a.pk, "reason": "Thuộc địa bàn xóm"},
        "note": {"text": "Đã làm việc với các bên", "is_public": True},
        "correct": {"field_name": "title", "value": "Tiêu đề mới", "reason": "Gõ sai"},
    }[action]


# How to bring a fresh case into each state, as the office's leader.
PATHS = {
    Status.RECEIVED: [],
    Status.ACCEPTED: ["accept"],
    Status.RESOLVED: ["accept", "resolve"],
    Status.CLOSED: ["accept", "resolve", "close"],
    Status.RETURNED: ["return"],
    Status.TRANSFERRED: ["forward"],
    Status.ARCHIVED: ["archive"],
    Status.WITHDRAWN: ["withdraw"],
}


def case_in(state, commune):
    case = make_case(
        actor=commune.reception, unit=commune.office, kind="denunciation"
    ).case
    for step in PATHS[state]:
        case_transition(
            case_id=case.pk,
            action=step,
            actor=commune.leader,
            data=action_data(step, commune),
        )
    return Case.objects.get(pk=case.pk)


EXPECTED_ROLES = {
    "reception": {"archive"},
    "officer": {"return", "archive", "withdraw", "close", "note"},
    "leader": set(workflow.ACTIONS),
    "supervisor": set(workflow.ACTIONS),
    "admin": set(workflow.ACTIONS),
}


def a_source_state(action):
    for state in PATHS:
        if state in workflow.ACTIONS[action].sources:
            return state
    raise AssertionError(action)


def snapshot(case_id):
    case = Case.objects.get(pk=case_id)
    return (
        case.status,
        case.version,
        case.responsible_unit_id,
        case.assignee_id,
        case.final_due_on,
        CaseEvent.objects.filter(case_id=case_id).count(),
    )


@pytest.mark.parametrize("action", sorted(workflow.ACTIONS))
@pytest.mark.parametrize("role", sorted(EXPECTED_ROLES))
def test_each_role_may_take_exactly_its_actions(commune, action, role):
    case = case_in(a_source_state(action), commune)
    actor = {
        "reception": commune.reception,
        "officer": commune.officer,
        "leader": commune.leader,
        "supervisor": commune.supervisor,
        "admin": commune.admin,
    }[role]
    before = snapshot(case.pk)
    if action in EXPECTED_ROLES[role]:
        updated = case_transition(
            case_id=case.pk,
            action=action,
            actor=actor,
            data=action_data(action, commune),
        )
        target = workflow.ACTIONS[action].target
        assert updated.status == (target or before[0])
        assert updated.version == before[1] + 1
        event = CaseEvent.objects.filter(case=case).latest("id")
        assert event.action == action
        assert event.author == actor
    else:
        with pytest.raises(PermissionDeniedError):
            case_transition(
                case_id=case.pk,
                action=action,
                actor=actor,
                data=action_data(action, commune),
            )
        assert snapshot(case.pk) == before


@pytest.mark.parametrize("action", sorted(workflow.ACTIONS))
@pytest.mark.parametrize("outsider", ["officer_a", "leader_b"])
def test_users_of_other_units_cannot_act_or_learn_the_case_exists(
    commune, action, outsider
):
    case = case_in(a_source_state(action), commune)
    before = snapshot(case.pk)
    with pytest.raises(NotFoundError):
        case_transition(
            case_id=case.pk,
            action=action,
            actor=getattr(commune, outsider),
            data=action_data(action, commune),
        )
    with pytest.raises(NotFoundError):
        case_transition(
            case_id=10**9,
            action=action,
            actor=getattr(commune, outsider),
            data=action_data(action, commune),
        )
    assert snapshot(case.pk) == before


@pytest.mark.parametrize("state", list(PATHS))
@pytest.mark.parametrize("action", sorted(workflow.ACTIONS))
def test_each_state_allows_exactly_its_actions(commune, state, action):
    case = case_in(state, commune)
    before = snapshot(case.pk)
    spec = workflow.ACTIONS[action]
    if state in spec.sources:
        updated = case_transition(
            case_id=case.pk,
            action=action,
            actor=commune.leader,
            data=action_data(action, commune),
        )
        assert updated.status == (spec.target or state)
    else:
        with pytest.raises(InvalidTransitionError) as error:
            case_transition(
                case_id=case.pk,
                action=action,
                actor=commune.leader,
                data=action_data(action, commune),
            )
        assert action not in error.value.allowed
        assert set(error.value.allowed) == {
            name for name, s in workflow.ACTIONS.items() if state in s.sources
        }
        assert snapshot(case.pk) == before


def test_resolving_a_complaint_needs_outcome_and_decision(commune):
    case = make_case(actor=commune.reception, unit=commune.office, kind="complaint")
    case_transition(case_id=case.case.pk, action="accept", actor=commune.leader)
    before = snapshot(case.case.pk)
    with pytest.raises(InvalidInputError) as error:
        case_transition(
            case_id=case.case.pk,
            action="resolve",
            actor=commune.leader,
            data={"public_answer": "Trả lời"},
        )
    assert set(error.value.fields) == {"outcome", "decision_number", "decision_date"}
    assert snapshot(case.case.pk) == before


def test_resolving_needs_an_answer(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    with pytest.raises(InvalidInputError) as error:
        case_transition(
            case_id=case.pk, action="resolve", actor=commune.leader, data={}
        )
    assert "public_answer" in error.value.fields


def test_feedback_resolves_with_an_answer_only(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    resolved = case_transition(
        case_id=case.pk,
        action="resolve",
        actor=commune.leader,
        data={"public_answer": "Xã đã sửa đường."},
    )
    assert resolved.status == Status.RESOLVED
    assert resolved.public_answer == "Xã đã sửa đường."
    assert resolved.stage_due_on is None


def test_anonymous_denunciation_cannot_be_accepted(commune):
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        is_anonymous=True,
        parties=[],
    ).case
    with pytest.raises(InvalidInputError):
        case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    archived = case_transition(
        case_id=case.pk,
        action="archive",
        actor=commune.reception,
        data={"reason": "Đơn nặc danh"},
    )
    assert archived.status == Status.ARCHIVED


def test_accepting_a_complaint_sets_the_resolution_deadline(commune):
    received = timezone.make_aware(dt.datetime(2024, 1, 20, 9))
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="complaint",
        received_at=received,
    ).case
    assert case.stage == "accept"
    assert case.stage_due_on == dt.date(2024, 2, 2)  # 10 working days
    accepted = case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    assert accepted.stage == "resolve"
    today = timezone.localdate()
    assert accepted.stage_due_on >= today + dt.timedelta(days=30)


def test_extension_lengthens_the_period_itself(commune):
    case = make_case(
        actor=commune.reception, unit=commune.office, kind="denunciation"
    ).case
    accepted = case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    first_due = accepted.final_due_on
    extended = case_transition(
        case_id=case.pk, action="extend", actor=commune.leader, data={"reason": "x"}
    )
    assert extended.final_due_on > first_due
    assert extended.extensions == 1
    case_transition(
        case_id=case.pk, action="extend", actor=commune.leader, data={"reason": "y"}
    )
    before = snapshot(case.pk)
    with pytest.raises(InvalidInputError):
        case_transition(
            case_id=case.pk, action="extend", actor=commune.leader, data={"reason": "z"}
        )
    assert snapshot(case.pk) == before


def test_transfer_moves_the_case_and_its_visibility(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    case_transition(
        case_id=case.pk,
        action="transfer",
        actor=commune.leader,
        data={"to_unit": commune.hamlet_a.pk, "reason": "Thuộc địa bàn"},
    )
    case.refresh_from_db()
    assert case.responsible_unit == commune.hamlet_a
    assert case.transferred_from == commune.office
    with pytest.raises(NotFoundError):
        case_transition(
            case_id=case.pk, action="note", actor=commune.officer, data={"text": "x"}
        )
    case_transition(
        case_id=case.pk, action="note", actor=commune.officer_a, data={"text": "ok"}
    )


def test_assignee_must_belong_to_the_unit(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    before = snapshot(case.pk)
    with pytest.raises(InvalidInputError):
        case_transition(
            case_id=case.pk,
            action="assign",
            actor=commune.leader,
            data={"assignee": commune.officer_a.pk},
        )
    assert snapshot(case.pk) == before


def test_stale_version_is_a_conflict_and_changes_nothing(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    case_transition(
        case_id=case.pk, action="note", actor=commune.officer, data={"text": "a"}
    )
    before = snapshot(case.pk)
    with pytest.raises(ConflictError):
        case_transition(
            case_id=case.pk,
            action="accept",
            actor=commune.leader,
            expected_version=case.version,
        )
    assert snapshot(case.pk) == before


def test_correction_keeps_the_old_value_in_history(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    old_title = case.title
    case_transition(
        case_id=case.pk,
        action="correct",
        actor=commune.leader,
        data={"field_name": "title", "value": "Tiêu đề đúng", "reason": "Gõ nhầm"},
    )
    case.refresh_from_db()
    assert case.title == "Tiêu đề đúng"
    assert old_title in case.history.values_list("title", flat=True)
    event = case.events.latest("id")
    assert event.data["old"] == old_title
    assert event.text == "Gõ nhầm"


def test_status_cannot_be_corrected(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    with pytest.raises(InvalidInputError):
        case_transition(
            case_id=case.pk,
            action="correct",
            actor=commune.leader,
            data={"field_name": "status", "value": "closed", "reason": "x"},
        )


def test_allowed_actions_reflect_role_and_state(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    assert case_allowed_actions(actor=commune.reception, case=case) == ["archive"]
    assert "accept" in case_allowed_actions(actor=commune.leader, case=case)
    assert "accept" not in case_allowed_actions(actor=commune.officer, case=case)
