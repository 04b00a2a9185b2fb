"""A denouncer's identity never leaves the API for whoever may not see it.

The checks read the raw bytes of each response: the name, the ID number,
the phone number and the address must be absent for users who are not
entitled (``permissions.can_see_identity``) and present for those who are.
"""

import json

import pytest

from feedback import permissions
from feedback.models import Case
from feedback.permissions import identity_searchable_condition
from feedback.services.cases import case_transition
from tests.factories import make_case, petitioner

pytestmark = pytest.mark.django_db

NAME = "Hoàng Minh Tuấn"
NATIONAL_ID = "001099012345"
PHONE = "0987654321"
ADDRESS = "Số 7 ngõ Trúc Lâm"
SECRETS = (NAME, NATIONAL_ID, PHONE, ADDRESS)


@pytest.fixture
def secret_case(commune):
    """A denunciation for the land office whose petitioner's identity is
    protected; a party edit gives it a party history record too."""
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        title="Tố cáo sai phạm đất đai",
        parties=[
            petitioner(
                full_name=NAME, national_id=NATIONAL_ID, phone=PHONE, address=ADDRESS
            )
        ],
    ).case
    party = case.parties.get()
    party.email = "tuan@example.vn"
    party.save()
    case_transition(
        case_id=case.pk,
        action="note",
        actor=commune.leader,
        data={"text": "Đã xác minh"},
    )
    return case


def readable(response):
    """Both the raw bytes and the decoded JSON, so escaping cannot hide a leak."""
    assert response.status_code == 200, response.content
    return response.content.decode() + json.dumps(response.json(), ensure_ascii=False)


def urls(case):
    return [
        "/api/v1/cases/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/events/",
        f"/api/v1/cases/{case.pk}/history/",
    ]


@pytest.mark.parametrize("role", ["officer", "officer_a"])
def test_unentitled_users_never_receive_the_identity(
    commune, client_for, secret_case, role
):
    if role == "officer_a":
        # A co-operating unit's officer sees the case, never the denouncer.
        case_transition(
            case_id=secret_case.pk,
            action="add_collaborator",
            actor=commune.leader,
            data={"unit": commune.hamlet_a.pk},
        )
    client = client_for(getattr(commune, role))
    for url in urls(secret_case):
        text = readable(client.get(url))
        for secret in SECRETS:
            assert secret not in text, (url, secret)
    detail = client.get(f"/api/v1/cases/{secret_case.pk}/").json()
    assert detail["parties"][0]["full_name"] == "(được bảo mật)"


@pytest.mark.parametrize("role", ["leader", "supervisor", "admin", "reception"])
def test_entitled_users_receive_it(commune, client_for, secret_case, role):
    client = client_for(getattr(commune, role))
    for url in urls(secret_case):
        if url.endswith("events/"):
            continue  # the timeline never names parties
        text = readable(client.get(url))
        assert NAME in text and NATIONAL_ID in text, url


def test_the_assignee_is_entitled(commune, client_for, secret_case):
    case_transition(
        case_id=secret_case.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    text = readable(client_for(commune.officer).get(f"/api/v1/cases/{secret_case.pk}/"))
    assert NAME in text and NATIONAL_ID in text


def test_action_answers_are_masked_too(commune, client_for, secret_case):
    response = client_for(commune.officer).post(
        f"/api/v1/cases/{secret_case.pk}/notes/", {"text": "Đã gọi"}, format="json"
    )
    text = readable(response)
    for secret in SECRETS:
        assert secret not in text


def test_searching_a_denouncers_name_finds_nothing_for_the_unentitled(
    commune, client_for, secret_case
):
    other = make_case(
        actor=commune.reception,
        unit=commune.office,
        parties=[petitioner(full_name=NAME)],
    ).case
    url = f"/api/v1/cases/?search={NAME}"
    found = client_for(commune.officer).get(url).json()["results"]
    assert [row["id"] for row in found] == [other.pk]
    found = client_for(commune.leader).get(url).json()["results"]
    assert {row["id"] for row in found} == {other.pk, secret_case.pk}
    # The title still matches for everyone who sees the case.
    found = client_for(commune.officer).get("/api/v1/cases/?search=sai phạm")
    assert [row["id"] for row in found.json()["results"]] == [secret_case.pk]


def test_the_search_condition_agrees_with_the_identity_gate(commune, django_user_model):
    """``identity_searchable_condition`` is the query twin of
    ``can_see_identity``: for every user and every case they see, they agree."""
    cases = [
        make_case(actor=commune.reception, unit=commune.office, kind="denunciation"),
        make_case(actor=commune.officer, unit=commune.office, kind="denunciation"),
        make_case(actor=commune.reception, unit=commune.hamlet_a, kind="denunciation"),
        make_case(actor=commune.reception, unit=commune.hamlet_b, kind="denunciation"),
        make_case(actor=commune.reception, unit=commune.office, kind="complaint"),
        make_case(actor=commune.reception, unit=commune.hamlet_a),
    ]
    assigned = cases[1].case
    case_transition(
        case_id=assigned.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    case_transition(
        case_id=cases[2].case.pk,
        action="add_collaborator",
        actor=commune.leader_a,
        data={"unit": commune.office.pk},
    )
    root = django_user_model.objects.create_superuser("root", "r@x.vn", "pw-123456")
    users = [
        getattr(commune, name)
        for name in (
            "reception",
            "officer",
            "leader",
            "supervisor",
            "admin",
            "officer_a",
            "leader_a",
            "officer_b",
            "leader_b",
        )
    ] + [root]
    for user in users:
        visible = permissions.cases_visible_to(user)
        searchable = set(
            visible.filter(identity_searchable_condition(user)).values_list(
                "pk", flat=True
            )
        )
        entitled = {
            case.pk
            for case in visible.select_related("responsible_unit")
            if permissions.can_see_identity(user, case)
        }
        assert searchable == entitled, user.username
    assert Case.objects.count() == len(cases)


def test_answers_are_not_cached(commune, client_for, secret_case):
    response = client_for(commune.leader).get(f"/api/v1/cases/{secret_case.pk}/")
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert "Authorization" in response.headers["Vary"]
