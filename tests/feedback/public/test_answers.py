"""Published answers: only what units chose to publish, never a
denunciation, without personal data; filters, order and query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import Case, Field
from feedback.selectors.public import published_answer_page
from feedback.services.cases import case_transition
from tests.factories import make_case
from tests.feedback.public.conftest import resolve

pytestmark = pytest.mark.django_db

URL = "/cong-khai/"


def published(commune, title, *, unit=None, leader=None, kind="feedback", **extra):
    unit = unit or commune.office
    leader = leader or commune.leader
    case = make_case(
        actor=commune.reception, unit=unit, kind=kind, title=title, **extra
    ).case
    decision = (
        {
            "outcome": "upheld",
            "decision_number": "12/QĐ-UBND",
            "decision_date": "2025-03-01",
        }
        if kind in ("complaint", "denunciation")
        else {}
    )
    resolve(case, leader, answer=f"Trả lời: {title}", **decision)
    if kind == "denunciation":
        # The workflow refuses to publish it; the selector must hold even if
        # the column were set some other way.
        Case.objects.filter(pk=case.pk).update(published_at=timezone.now())
    else:
        case_transition(case_id=case.pk, action="publish", actor=leader)
    return Case.objects.get(pk=case.pk)


def test_only_published_answers_and_never_a_denunciation(client, commune):
    published(commune, "Sửa cống thoát nước")
    published(commune, "Khiếu nại về thu hồi đất", kind="complaint")
    published(commune, "Tố cáo cán bộ xã", kind="denunciation")
    unpublished = make_case(actor=commune.reception, unit=commune.office).case
    resolve(unpublished, commune.leader, answer="Trả lời chưa công khai")
    body = client.get(URL).content.decode()
    assert "Sửa cống thoát nước" in body
    assert "Khiếu nại về thu hồi đất" in body
    assert "Tố cáo cán bộ xã" not in body
    assert "Trả lời chưa công khai" not in body
    assert published_answer_page().count == 2


def test_names_and_contact_details_are_blotted_out(client, commune):
    published(
        commune,
        "Kiến nghị của bà Trần Thị Bích Ngọc",
        content="Liên hệ 0912 345 678 hoặc ngoc@example.vn.",
    )
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(
        public_answer="Đã trả lời bà Trần Thị Bích Ngọc (ĐT 0912.345.678, "
        "CCCD 040190012345, ngoc@example.vn) ngày 05/3/2025."
    )
    body = client.get(URL).content.decode()
    for secret in [
        "Trần Thị Bích Ngọc",
        "0912.345.678",
        "040190012345",
        "ngoc@example",
    ]:
        assert secret not in body, secret
    assert "[đã ẩn]" in body
    assert "ngày 05/3/2025" in body  # dates are not phone numbers


def test_filters_by_field_hamlet_period_and_words(client, commune):
    land = Field.objects.get(code="land")
    env = Field.objects.get(code="environment")
    a = published(commune, "Đường xóm A", location_unit=commune.hamlet_a, field=land)
    b = published(commune, "Rác thải xóm B", location_unit=commune.hamlet_b, field=env)
    last_year = timezone.now() - dt.timedelta(days=400)
    Case.objects.filter(pk=a.pk).update(resolved_at=last_year)

    def titles(**params):
        body = client.get(URL, params).content.decode()
        return [t for t in ("Đường xóm A", "Rác thải xóm B") if t in body]

    assert titles(field="environment") == ["Rác thải xóm B"]
    assert titles(hamlet=commune.hamlet_a.pk) == ["Đường xóm A"]
    assert titles(period=str(timezone.localdate().year)) == ["Rác thải xóm B"]
    assert titles(q="rác") == ["Rác thải xóm B"]
    assert titles(hamlet="not-a-number") == ["Đường xóm A", "Rác thải xóm B"]
    assert b.published_at is not None


def test_newest_first_and_paginated(client, commune):
    for number in range(3):
        published(commune, f"Việc số {number}")
    with override_settings(PUBLIC_ANSWERS_PAGE_SIZE=2):
        first = client.get(URL).content.decode()
        second = client.get(URL, {"page": 2}).content.decode()
    assert first.index("Việc số 2") < first.index("Việc số 1")
    assert "Việc số 0" not in first
    assert "Việc số 0" in second
    assert "Trang 2/2" in second


@pytest.mark.parametrize("page_size", [2, 6])
def test_the_query_count_does_not_grow_with_the_page(client, desk, commune, page_size):
    for number in range(6):
        published(commune, f"Việc số {number}")
    with (
        override_settings(PUBLIC_ANSWERS_PAGE_SIZE=page_size),
        CaptureQueriesContext(connection) as queries,
    ):
        body = client.get(URL).content.decode()
    assert body.count('<article class="card">') == page_size
    # desk, commune, hamlets, fields (filters); count, page, parties.
    assert len(queries) == 7
