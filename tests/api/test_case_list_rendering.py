"""The cases' written-out renderings (``CaseSummarySerializer`` in lists,
``CaseSerializer`` for one case) say exactly what DRF's generic
field-by-field rendering says, for every reader: masked and unmasked
parties, missing assignee and hamlet, overdue or not, answered or not."""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from api.serializers.cases import CaseSerializer, CaseSummarySerializer
from feedback.models import Party
from feedback.selectors.cases import case_list
from feedback.services.cases import case_transition
from tests.api.test_public import resolve
from tests.factories import make_case, petitioner

pytestmark = pytest.mark.django_db


class GenericSummarySerializer(CaseSummarySerializer):
    """The same fields, rendered by DRF one field at a time."""


class GenericCaseSerializer(CaseSerializer):
    """The same fields, rendered by DRF one field at a time."""


@pytest.fixture
def cases(commune):
    accused = petitioner(role="denounced", full_name="Lê Văn Cán", national_id="")
    denunciation = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        title="Tố cáo cán bộ",
        parties=[petitioner(email="ngoc@example.vn"), accused],
    ).case
    overdue = make_case(
        actor=commune.reception,
        unit=commune.hamlet_a,
        location_unit=commune.hamlet_a,
        location_text="Ngõ 4",
        received_at=timezone.now() - dt.timedelta(days=120),
    ).case
    case_transition(case_id=overdue.pk, action="accept", actor=commune.leader_a)
    anonymous = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="feedback",
        is_anonymous=True,
        parties=[],
    ).case
    case_transition(case_id=anonymous.pk, action="accept", actor=commune.leader)
    case_transition(
        case_id=anonymous.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    answered = make_case(
        actor=commune.reception, unit=commune.office, kind="complaint"
    ).case
    resolve(answered, commune.leader)
    return [denunciation, overdue, anonymous, answered]


def rows_for(user):
    return list(
        case_list(user=user)
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.order_by("role", "id")),
            "collaborators",
        )
        .order_by("pk")
    )


@pytest.mark.parametrize(
    "username", ["supervisor", "officer", "leader", "reception", "officer_a"]
)
def test_written_out_rendering_equals_the_generic_one(commune, cases, username):
    user = getattr(commune, username)
    rows = rows_for(user)
    assert rows, "every reader sees at least one case"
    context = {"request": SimpleNamespace(user=user)}

    for fast_class, generic_class in (
        (CaseSummarySerializer, GenericSummarySerializer),
        (CaseSerializer, GenericCaseSerializer),
    ):
        fast = fast_class(rows, many=True, context=context).data
        generic = generic_class(rows, many=True, context=context).data
        # As the renderer would write them.
        assert json.dumps(fast, default=str) == json.dumps(generic, default=str)


def test_a_denouncer_stays_masked_in_the_written_out_rendering(commune, cases):
    context = {"request": SimpleNamespace(user=commune.officer)}
    denunciation = next(
        row for row in rows_for(commune.supervisor) if row.kind == "denunciation"
    )
    [shown] = CaseSummarySerializer([denunciation], many=True, context=context).data
    names = {party["role"]: party["full_name"] for party in shown["parties"]}
    # The office's officer is not assigned: the denouncer is hidden, the
    # denounced person is not protected.
    assert names["petitioner"] == gettext("(confidential)")
    assert "Trần Thị Bích Ngọc" not in json.dumps(shown, ensure_ascii=False)
    assert names["denounced"] == "Lê Văn Cán"
