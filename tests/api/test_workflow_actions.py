"""One endpoint per workflow action: who may, in which state, with what body."""

import pytest
from django.urls import resolve

from api.serializers.actions import (
    ACTION_SERIALIZERS,
    CaseGenericActionSerializer,
    action_input_serializer,
)
from feedback import workflow
from feedback.models import Case, CaseEvent, Status
from feedback.services.cases import case_transition
from tests.api.helpers import action_body, action_url
from tests.factories import make_case

pytestmark = pytest.mark.django_db

# How to bring a fresh case into a state, as the office's leader.
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
# Who may take each action, and someone who may see the case but not take it.
ALLOWED = {"contribute": "officer_a"}
# Officers, leaders and reception may all archive; a co-operating unit's
# officer sees the case but may not.
REFUSED = {
    "contribute": "leader",
    "archive": "officer_a",
    **dict.fromkeys(
        ("return", "withdraw", "close", "note", "draft_answer", "return_to_dispatcher"),
        "reception",
    ),
}


def a_source_state(action):
    return next(state for state in PATHS if state in workflow.ACTIONS[action].sources)


def case_for(action, commune, state=None, collaborate=False):
    """A case in a state where ``action`` may be taken, prepared for it;
    with ``collaborate``, hamlet A co-operates on it."""
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind=KIND_FOR.get(action, "denunciation"),
    ).case
    for step in PATHS[state or a_source_state(action)]:
        case_transition(
            case_id=case.pk,
            action=step,
            actor=commune.leader,
            data=action_body(step, commune),
        )
    if action == "return_answer":
        case_transition(
            case_id=case.pk,
            action="draft_answer",
            actor=commune.officer,
            data=action_body("draft_answer", commune),
        )
    if action == "contribute" or collaborate:
        case_transition(
            case_id=case.pk,
            action="add_collaborator",
            actor=commune.leader,
            data=action_body("add_collaborator", commune),
        )
    return Case.objects.get(pk=case.pk)


def test_every_action_of_the_table_has_an_endpoint():
    for name in workflow.ACTIONS:
        match = resolve(action_url(Case(pk=1), name))
        assert match.func.view_class.action_name == name


def test_serializers_name_only_actions_of_the_table():
    assert set(ACTION_SERIALIZERS) <= set(workflow.ACTIONS)


def test_an_action_added_later_gets_the_generic_body():
    serializer = action_input_serializer("escalate_to_province")
    assert issubclass(serializer, CaseGenericActionSerializer)
    assert serializer.__name__ == "CaseEscalateToProvinceSerializer"


@pytest.mark.parametrize("action", sorted(workflow.ACTIONS))
def test_an_allowed_role_takes_the_action(commune, client_for, action):
    case = case_for(action, commune)
    actor = getattr(commune, ALLOWED.get(action, "leader"))
    response = client_for(actor).post(
        action_url(case, action), action_body(action, commune), format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    target = workflow.ACTIONS[action].target
    assert body["status"] == (target or case.status)
    assert body["version"] == case.version + 1
    assert response.headers["ETag"] == f'"{case.version + 1}"'
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.author) == (action, actor)


@pytest.mark.parametrize("action", sorted(workflow.ACTIONS))
def test_a_role_that_may_not_is_a_403_and_nothing_changes(commune, client_for, action):
    refused = REFUSED.get(action, "officer")
    case = case_for(action, commune, collaborate=refused == "officer_a")
    actor = getattr(commune, refused)
    response = client_for(actor).post(
        action_url(case, action), action_body(action, commune), format="json"
    )
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "permission_denied"
    assert Case.objects.get(pk=case.pk).version == case.version


@pytest.mark.parametrize("action", ["accept", "note", "correct", "transfer"])
def test_an_invisible_case_is_a_404(commune, client_for, action):
    case = case_for(action, commune)
    response = client_for(commune.officer_a).post(
        action_url(case, action), action_body(action, commune), format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("accept", Status.ACCEPTED),
        ("resolve", Status.RECEIVED),
        ("close", Status.ACCEPTED),
        ("extend", Status.RECEIVED),
        ("note", Status.ARCHIVED),
    ],
)
def test_a_state_that_does_not_allow_it_is_a_409(commune, client_for, action, state):
    case = case_for(action, commune, state=state)
    response = client_for(commune.leader).post(
        action_url(case, action), action_body(action, commune), format="json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_transition"
    expected = Case.objects.get(pk=case.pk)
    assert action not in error["allowed_actions"]
    assert "correct" in error["allowed_actions"]
    assert expected.version == case.version


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("return", {"legal_ground": "not-competent"}, "reason"),
        ("return", {"reason": "X", "legal_ground": "no such ground"}, "legal_ground"),
        ("return", {"reason": "X", "legal_ground": "duplicate"}, "legal_ground"),
        ("forward", {"reason": "X", "to_body": "Y"}, "to_body_class"),
        ("assign", {"assignee": "me"}, "assignee"),
        ("assign", {"assignee": 999999}, "assignee"),
        ("transfer", {"to_unit": 999999, "reason": "X"}, "to_unit"),
        ("note", {"text": ""}, "text"),
        ("correct", {"field_name": "status", "value": "closed", "reason": "X"}, None),
        (
            "correct",
            {"field_name": "petitioner_count", "value": 0, "reason": "X"},
            None,
        ),
        ("correct", {"field_name": "field", "value": "land", "reason": "X"}, "value"),
        ("correct", {"field_name": "decision_date", "value": [1], "reason": "X"}, None),
        ("add_collaborator", {"unit": 1, "due_on": "0001-01-01"}, "due_on"),
    ],
)
def test_invalid_bodies_are_400s_per_field(commune, client_for, action, body, field):
    case = case_for(action, commune)
    response = client_for(commune.leader).post(
        action_url(case, action), body, format="json"
    )
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert field in fields if field else fields
    assert Case.objects.get(pk=case.pk).version == case.version


def test_resolving_a_denunciation_needs_the_decision(commune, client_for):
    case = case_for("resolve", commune)
    response = client_for(commune.leader).post(
        action_url(case, "resolve"), {"public_answer": "Đã giải quyết"}, format="json"
    )
    assert response.status_code == 400
    assert {"outcome", "decision_number", "decision_date"} <= set(
        response.json()["error"]["fields"]
    )


def test_resolve_approves_the_pending_draft(commune, client_for):
    case = case_for("resolve", commune)
    officer, leader = client_for(commune.officer), client_for(commune.leader)
    drafted = officer.post(
        action_url(case, "draft_answer"),
        action_body("draft_answer", commune),
        format="json",
    )
    assert drafted.status_code == 200
    response = leader.post(action_url(case, "resolve"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["public_answer"] == "Dự thảo trả lời"
    assert response.json()["outcome"] == "partly_upheld"


def test_a_transfer_answers_the_case_even_when_it_leaves_ones_sight(
    commune, client_for
):
    case = case_for("transfer", commune)
    leader = client_for(commune.leader)
    response = leader.post(
        action_url(case, "transfer"), action_body("transfer", commune), format="json"
    )
    assert response.status_code == 200
    assert response.json()["responsible_unit"]["id"] == commune.hamlet_a.pk
    assert response.json()["allowed_actions"] == []
    assert leader.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    new_unit = client_for(commune.leader_a).get(f"/api/v1/cases/{case.pk}/")
    assert new_unit.status_code == 200
    assert "(" in response.json()["parties"][0]["full_name"]


def test_the_collaborating_unit_sees_the_case_and_contributes(commune, client_for):
    case = case_for("contribute", commune)
    client = client_for(commune.officer_a)
    detail = client.get(f"/api/v1/cases/{case.pk}/")
    assert detail.status_code == 200
    assert detail.json()["allowed_actions"] == ["contribute"]
    listed = client.get("/api/v1/cases/").json()["results"]
    assert [row["id"] for row in listed] == [case.pk]
