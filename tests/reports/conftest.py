"""Fixtures of the report tests: cases moved through the workflow at chosen
times (the services stamp "now"; the tests then set the timestamps and the
events' times to the moments they need), and a small hand-checked commune.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from feedback.models import Case, CaseEvent
from feedback.services.cases import case_transition
from tests.factories import make_case

RESOLVE = {
    "public_answer": "Đã kiểm tra và trả lời công dân.",
    "outcome": "upheld",
    "decision_number": "12/QĐ-UBND",
    "decision_date": "2024-02-10",
}
ACTION_DATA = {
    "accept": {},
    "resolve": RESOLVE,
    "return": {"reason": "Không thuộc thẩm quyền", "legal_ground": "not-competent"},
    "forward": {
        "reason": "Thuộc thẩm quyền tỉnh",
        "to_body": "Thanh tra tỉnh",
        "to_body_class": "higher_admin",
        "legal_ground": "not-competent-forward",
    },
    "archive": {"reason": "Trùng đơn", "legal_ground": "duplicate"},
    "withdraw": {"reason": "Công dân rút đơn"},
    "close": {},
}
TIME_FIELDS = {"accept": "accepted_at", "resolve": "resolved_at", "close": "closed_at"}


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A local moment on ``day``."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def act(case_id: int, action: str, when: dt.datetime, actor, **data) -> None:
    """Take ``action`` through the workflow service, then date it ``when``."""
    case_transition(
        case_id=case_id,
        action=action,
        actor=actor,
        data={**ACTION_DATA[action], **data},
    )
    field = TIME_FIELDS.get(action)
    if field:
        Case.objects.filter(pk=case_id).update(**{field: when})
    CaseEvent.objects.filter(case_id=case_id, action=action).update(created_at=when)


def new_case(commune, unit, received: dt.datetime, **overrides) -> Case:
    return make_case(
        actor=commune.reception, unit=unit, received_at=received, **overrides
    ).case


D = dt.date


@pytest.fixture
def q1_cases(commune):
    """Ten cases around the first quarter of 2024 (see the module's tests for
    the figures they give)."""
    sup = commune.supervisor
    office, hamlet_a, hamlet_b = commune.office, commune.hamlet_a, commune.hamlet_b
    cases = SimpleNamespace()
    # Office: carried over and resolved late; a complaint resolved on time;
    # one returned; one still open within its deadline.
    cases.c1 = new_case(commune, office, at(D(2023, 12, 10)))
    act(cases.c1.pk, "accept", at(D(2023, 12, 12)), sup)
    act(cases.c1.pk, "resolve", at(D(2024, 1, 5)), sup)
    cases.c2 = new_case(
        commune, office, at(D(2024, 1, 15)), kind="complaint", is_hot_spot=True
    )
    act(cases.c2.pk, "accept", at(D(2024, 1, 20)), sup)
    Case.objects.filter(pk=cases.c2.pk).update(final_due_on=D(2024, 2, 19))
    act(cases.c2.pk, "resolve", at(D(2024, 2, 10)), sup)
    cases.c3 = new_case(commune, office, at(D(2024, 2, 1)))
    act(cases.c3.pk, "return", at(D(2024, 2, 3)), sup)
    cases.c4 = new_case(commune, office, at(D(2024, 3, 20)), petitioner_count=7)
    # Hamlet A: forwarded; carried over and overdue; withdrawn.
    cases.c5 = new_case(commune, hamlet_a, at(D(2024, 1, 5)), channel="letter")
    act(cases.c5.pk, "forward", at(D(2024, 1, 8)), sup)
    cases.c6 = new_case(commune, hamlet_a, at(D(2023, 11, 1)))
    cases.c7 = new_case(commune, hamlet_a, at(D(2024, 2, 10)))
    act(cases.c7.pk, "withdraw", at(D(2024, 2, 12)), sup)
    # Hamlet B: after the quarter; finished before it; resolved after it.
    cases.c8 = new_case(commune, hamlet_b, at(D(2024, 4, 2)))
    cases.c9 = new_case(commune, hamlet_b, at(D(2023, 12, 1)))
    act(cases.c9.pk, "archive", at(D(2023, 12, 5)), sup)
    cases.c10 = new_case(commune, hamlet_b, at(D(2024, 3, 30)))
    act(cases.c10.pk, "accept", at(D(2024, 3, 31)), sup)
    act(cases.c10.pk, "resolve", at(D(2024, 4, 2)), sup)
    return cases
