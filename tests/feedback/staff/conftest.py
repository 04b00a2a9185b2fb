"""Helpers for the staff pages' tests: cases in given states, quick clones
for list sizes, and posting an action form as the browser would."""

import pytest

from feedback import tracking
from feedback.models import Case, Party
from feedback.services.cases import case_transition
from tests.factories import make_case, petitioner

DENOUNCER = "Trần Thị Bích Ngọc"
DENOUNCER_ID = "040190012345"
DENOUNCER_PHONE = "0912345678"


@pytest.fixture
def denunciation(commune):
    """A denunciation logged by reception for the office, naming a denounced
    official."""
    return make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        title="Tố cáo cán bộ địa chính",
        parties=[
            petitioner(),
            petitioner(
                role="denounced",
                full_name="Lê Văn Quyền",
                national_id="",
                phone="",
                address="",
            ),
        ],
    ).case


def accepted(case, leader):
    return case_transition(case_id=case.pk, action="accept", actor=leader)


def clone_cases(case: Case, count: int) -> list[Case]:
    """``count`` copies of ``case`` (with its parties) in two queries, for
    tests that need long lists."""
    copies = []
    for _index in range(count):
        copy = Case.objects.get(pk=case.pk)
        copy.pk = None
        copy.code = tracking.generate_code()
        copies.append(copy)
    Case.objects.bulk_create(copies)
    parties = list(Party.objects.filter(case=case))
    Party.objects.bulk_create(
        Party(
            case=copy,
            role=party.role,
            full_name=party.full_name,
            national_id=party.national_id,
            phone=party.phone,
            address=party.address,
        )
        for copy in copies
        for party in parties
    )
    return copies


def post_action(client, case, action, *, version=None, **fields):
    """Post the ``action`` form of the case page with ``fields``."""
    case.refresh_from_db()
    data = {f"{action}-version": case.version if version is None else version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(f"/ho-so/{case.pk}/thao-tac/{action}/", data)
