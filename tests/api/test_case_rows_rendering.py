"""The case list reads its page as plain values (``list_rows``) and renders
them itself (``api.serializers.case_rows``).  What it answers must be what
``CaseSummarySerializer`` says of the same cases read as models, for every
reader: masked and unmasked parties, a co-operating unit's officer, missing
assignee and hamlet, overdue or not."""

import json
from types import SimpleNamespace

import pytest
from django.db.models import Prefetch
from django.utils.translation import gettext

from api.serializers.cases import CaseSummarySerializer
from feedback.models import Party
from feedback.selectors.cases import case_list
from feedback.services.cases import case_transition
from tests.api.test_case_list_rendering import cases  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

READERS = ["supervisor", "officer", "leader", "reception", "officer_a", "leader_a"]


def rendered_as_models(user, ids):
    rows = {
        case.pk: case
        for case in case_list(user=user).prefetch_related(
            Prefetch("parties", queryset=Party.objects.order_by("role", "id")),
            "collaborators",
        )
    }
    context = {"request": SimpleNamespace(user=user)}
    return CaseSummarySerializer(
        [rows[pk] for pk in ids], many=True, context=context
    ).data


def shared_with_hamlet_a(commune, case):
    """``case`` accepted by the office and shared with hamlet A, whose
    officer then sees it through the co-operation."""
    case_transition(case_id=case.pk, action="accept", actor=commune.leader)
    case_transition(
        case_id=case.pk,
        action="add_collaborator",
        actor=commune.leader,
        data={"unit": commune.hamlet_a.pk},
    )
    return case


@pytest.mark.parametrize("username", READERS)
def test_the_list_says_what_the_summary_serializer_says(
    commune,
    cases,  # noqa: F811
    client_for,
    username,
):
    # The office's denunciation is shared with hamlet A: its officer sees
    # the case through the co-operation, but not who denounced.
    shared_with_hamlet_a(commune, cases[0])
    user = getattr(commune, username)
    body = client_for(user).get("/api/v1/cases/?page_size=100").json()
    assert body["count"] == len(body["results"]) > 0
    ids = [row["id"] for row in body["results"]]
    expected = rendered_as_models(user, ids)
    assert json.dumps(body["results"], default=str) == json.dumps(expected, default=str)


def test_a_co_operating_officer_sees_the_case_but_not_the_denouncer(
    commune,
    cases,  # noqa: F811
    client_for,
):
    denunciation = shared_with_hamlet_a(commune, cases[0])
    body = client_for(commune.officer_a).get("/api/v1/cases/").json()
    [row] = [r for r in body["results"] if r["id"] == denunciation.pk]
    parties = {party["role"]: party for party in row["parties"]}
    assert "Trần Thị Bích Ngọc" not in json.dumps(row, ensure_ascii=False)
    assert parties["petitioner"]["full_name"] == gettext("(confidential)")
    assert parties["petitioner"]["phone"] == gettext("(confidential)")
    assert parties["denounced"]["full_name"] == "Lê Văn Cán"
