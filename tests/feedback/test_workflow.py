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
        "accept": {"legal_ground": "competent"},
        "return": {"reason": "Không thuộc thẩm quyền", "legal_ground": "not-competent"},
        "forward": {
            "reason": "Thuộc thẩm quyền tỉnh",
            "to_body": "Thanh tra tỉnh",
            "to_body_class": "higher_admin",
            "legal_ground": "not-competent-forward",
        },
        "archive": {"reason": "Trùng đơn", "legal_ground": "duplicate"},
        "draft_answer": {"public_answer": "Dự thảo trả lời", **RESOLVE_DATA},
        "return_answer": {"text": "Bổ sung căn cứ pháp lý"},
        "correct_answer": {
            "public_answer": "Trả lời đã đính chính",
            "reason": "Sai số",
        },
        "publish": {},
        "return_to_dispatcher": {"reason": "Không thuộc lĩnh vực của phòng"},
        "add_collaborator": {"unit": commune.hamlet_a.pk, "text": "Xác minh tại xóm"},
        "contribute": {"text": "Đã xác minh, có biên bản"},
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


# Denunciations exercise the most rules; publishing needs another kind.
KIND_FOR = {"publish": "complaint"}


def prepare(action, case, commune):
    """What must exist before the action makes sense."""
    if action == "return_answer":
        case_transition(
            case_id=case.pk,
            action="draft_answer",
            actor=commune.officer,
            data=action_data("draft_answer", commune),
        )
    if action == "contribute":
        case_transition(
            case_id=case.pk,
            action="add_collaborator",
            actor=commune.leader,
            data=action_data("add_collaborator", commune),
        )


def case_in(state, commune, action=None):
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind=KIND_FOR.get(action, "denunciation"),
    ).case
    for step in PATHS[state]:
        case_transition(
            case_id=case.pk,
            action=step,
            actor=commune.leader,
            data=action_data(step, commune),
        )
    if action and state in workflow.ACTIONS[action].sources:
        prepare(action, case, commune)
    return Case.objects.get(pk=case.pk)


LEADER_ACTIONS = set(workflow.ACTIONS) - {"contribute"}
EXPECTED_ROLES = {
    "reception": {"archive", "transfer"},
    "officer": {
        "return",
        "archive",
        "withdraw",
        "close",
        "note",
        "draft_answer",
        "return_to_dispatcher",
    },
    "leader": LEADER_ACTIONS,
    "supervisor": LEADER_ACTIONS,
    "admin": LEADER_ACTIONS,
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
    case = case_in(a_source_state(action), commune, action)
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
    case = case_in(state, commune, action)
    before = snapshot(case.pk)
    spec = workflow.ACTIONS[action]
    actor = commune.officer_a if action == "contribute" else commune.leader
    if state in spec.sources:
        updated = case_transition(
            case_id=case.pk,
            action=action,
            actor=actor,
            data=action_data(action, commune),
        )
        assert updated.status == (spec.target or state)
    else:
        if action == "contribute":
            # Only co-operating units contribute; none was asked here.
            with pytest.raises((InvalidTransitionError, NotFoundError)):
                case_transition(
                    case_id=case.pk,
                    action=action,
                    actor=actor,
                    data=action_data(action, commune),
                )
            assert snapshot(case.pk) == before
            return
        with pytest.raises(InvalidTransitionError) as error:
            case_transition(
                case_id=case.pk,
                action=action,
                actor=actor,
                data=action_data(action, commune),
            )
        assert action not in error.value.allowed
        assert set(error.value.allowed) == {
            name
            for name, s in workflow.ACTIONS.items()
            if state in s.sources and name != "contribute"
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
        data={"reason": "Đơn nặc danh", "legal_ground": "tc-25-anonymous"},
    )
    assert archived.handling_outcome == "filed"
    assert archived.legal_ground.code == "tc-25-anonymous"
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
    assert case_allowed_actions(actor=commune.reception, case=case) == [
        "archive",
        "transfer",
    ]
    assert "accept" in case_allowed_actions(actor=commune.leader, case=case)
    assert "accept" not in case_allowed_actions(actor=commune.officer, case=case)


def test_officer_drafts_leader_sends_back_then_approves(commune):
    case = make_case(
        actor=commune.reception, unit=commune.office, kind="complaint"
    ).case
    case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    case_transition(
        case_id=case.pk,
        action="draft_answer",
        actor=commune.officer,
        data={**RESOLVE_DATA, "public_answer": "Bản nháp 1"},
    )
    case_transition(
        case_id=case.pk,
        action="return_answer",
        actor=commune.leader,
        data={"text": "Cần nêu rõ căn cứ"},
    )
    case_transition(
        case_id=case.pk,
        action="draft_answer",
        actor=commune.officer,
        data={**RESOLVE_DATA, "public_answer": "Bản nháp 2 có căn cứ"},
    )
    # The officer cannot approve their own draft.
    with pytest.raises(PermissionDeniedError):
        case_transition(case_id=case.pk, action="resolve", actor=commune.officer)
    resolved = case_transition(case_id=case.pk, action="resolve", actor=commune.leader)
    assert resolved.status == Status.RESOLVED
    assert resolved.public_answer == "Bản nháp 2 có căn cứ"
    assert resolved.decision_number == RESOLVE_DATA["decision_number"]
    answers = list(resolved.answers.order_by("number"))
    assert [(a.number, a.status) for a in answers] == [
        (1, "returned"),
        (2, "approved"),
    ]
    assert answers[0].review_comment == "Cần nêu rõ căn cứ"
    assert answers[1].reviewed_by == commune.leader


def test_approved_answer_is_corrected_by_a_new_version(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    case_transition(
        case_id=case.pk,
        action="resolve",
        actor=commune.leader,
        data={"public_answer": "Trả lời lần đầu"},
    )
    case_transition(
        case_id=case.pk,
        action="correct_answer",
        actor=commune.leader,
        data={"public_answer": "Trả lời đã sửa", "reason": "Sai địa danh"},
    )
    case.refresh_from_db()
    assert case.public_answer == "Trả lời đã sửa"
    first, second = case.answers.order_by("number")
    assert first.text == "Trả lời lần đầu" and first.status == "approved"
    assert second.correction_reason == "Sai địa danh"


def test_denunciations_are_never_published(commune):
    case = make_case(
        actor=commune.reception, unit=commune.office, kind="denunciation"
    ).case
    case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    case_transition(
        case_id=case.pk, action="resolve", actor=commune.leader, data=RESOLVE_DATA
    )
    with pytest.raises(InvalidInputError):
        case_transition(case_id=case.pk, action="publish", actor=commune.leader)
    case.refresh_from_db()
    assert case.published_at is None


def test_co_operating_unit_sees_and_contributes(commune):
    from feedback import permissions

    case = make_case(actor=commune.reception, unit=commune.office).case
    assert case.pk not in permissions.cases_visible_to(commune.officer_a).values_list(
        "pk", flat=True
    )
    case_transition(
        case_id=case.pk,
        action="add_collaborator",
        actor=commune.leader,
        data={"unit": commune.hamlet_a.pk, "due_on": "2030-01-10"},
    )
    assert case.pk in permissions.cases_visible_to(commune.officer_a).values_list(
        "pk", flat=True
    )
    assert case.pk not in permissions.cases_visible_to(commune.officer_b).values_list(
        "pk", flat=True
    )
    with pytest.raises(PermissionDeniedError):
        case_transition(
            case_id=case.pk, action="accept", actor=commune.leader_a, data={}
        )
    case_transition(
        case_id=case.pk,
        action="contribute",
        actor=commune.officer_a,
        data={"text": "Đã xác minh"},
    )
    collaborator = case.collaborators.get()
    assert collaborator.status == "done"
    assert collaborator.contribution == "Đã xác minh"
    assert str(collaborator.due_on) == "2030-01-10"


def test_unit_returns_a_misdirected_case_to_the_dispatcher(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    assert case.dispatch_unit == commune.committee
    case_transition(
        case_id=case.pk,
        action="return_to_dispatcher",
        actor=commune.officer,
        data={"reason": "Thuộc lĩnh vực văn hóa"},
    )
    case.refresh_from_db()
    assert case.responsible_unit == commune.committee
    assert case.transferred_from == commune.office
    # Reception re-routes what it logged.
    case_transition(
        case_id=case.pk,
        action="transfer",
        actor=commune.reception,
        data={"to_unit": commune.hamlet_b.pk, "reason": "Đúng địa bàn"},
    )
    case.refresh_from_db()
    assert case.responsible_unit == commune.hamlet_b


def test_legal_ground_must_fit_the_action_and_kind(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    before = snapshot(case.pk)
    for ground in ("tc-25-anonymous", "competent", "no-such-ground"):
        with pytest.raises(InvalidInputError) as error:
            case_transition(
                case_id=case.pk,
                action="archive",
                actor=commune.officer,
                data={"reason": "x", "legal_ground": ground},
            )
        assert "legal_ground" in error.value.fields
    assert snapshot(case.pk) == before


def test_forwarding_records_the_national_database_outcome(commune):
    case = make_case(
        actor=commune.reception, unit=commune.office, kind="complaint"
    ).case
    forwarded = case_transition(
        case_id=case.pk,
        action="forward",
        actor=commune.leader,
        data={
            "reason": "Thuộc thẩm quyền tỉnh",
            "to_body": "UBND tỉnh",
            "to_body_class": "higher_admin",
            "legal_ground": "forward-complaint",
        },
    )
    assert forwarded.status == Status.TRANSFERRED
    assert forwarded.handling_outcome == "transferred"
    assert forwarded.transferred_to_class == "higher_admin"
