"""Fixtures of the citizen portal tests: the desk that receives online
letters, a valid form post, and cases at each step of their life."""

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from feedback.models import Case, Field
from feedback.public_forms import issue_stamp
from feedback.services.cases import case_transition
from tests.factories import make_case, petitioner

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Look-up failures are counted in the cache; no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(commune):
    """The commune People's Committee receives online letters."""
    commune.committee.receives_public_submissions = True
    commune.committee.save()
    return commune.committee


def old_stamp(seconds=60):
    """A form stamp issued ``seconds`` ago, as if a person had filled it in."""
    return issue_stamp(issued_at=time.time() - seconds)


@pytest.fixture
def letter(commune, desk):
    """The fields of a valid online letter (feedback about hamlet A)."""
    return {
        "kind": "feedback",
        "field": str(Field.objects.get(code="infrastructure").pk),
        "hamlet": str(commune.hamlet_a.pk),
        "title": "Đèn đường thôn A hỏng",
        "content": "Ba cột đèn trên trục đường chính thôn A không sáng từ tuần trước.",
        "full_name": "Lê Thị Hồng Nhung",
        "phone": "0987 654 321",
        "email": "",
        "national_id": "",
        "address": "",
        "consent": "on",
        "contact_url": "",
        "stamp": old_stamp(),
    }


def resolve(case, leader, answer="Đã sửa xong ba cột đèn ngày 10/3.", **extra):
    """Accept and resolve ``case`` as its unit's leader."""
    case_transition(case_id=case.pk, action="accept", actor=leader)
    return case_transition(
        case_id=case.pk,
        action="resolve",
        actor=leader,
        data={"public_answer": answer, **extra},
    )


@pytest.fixture
def answered(commune):
    """A feedback case of the office, answered, with its PIN."""
    created = make_case(actor=commune.reception, unit=commune.office)
    resolve(created.case, commune.leader)
    created.case.refresh_from_db()
    return created


def days_ago(days, hour=9):
    moment = timezone.localtime() - dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


__all__ = ["PDF", "PNG", "Case", "petitioner"]
