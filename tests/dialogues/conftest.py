"""Fixtures of the meetings tests: the commune's People's Committee with its
own staff, a fixed clock, and meetings made through the services."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone

from dialogues.services import ItemInput, meeting_create, meeting_transition
from feedback.models import Field, UnitKind
from tests.factories import UnitFactory, staff

TZ = timezone.get_fixed_timezone(7 * 60)


def at(year, month, day, hour=8, minute=0):
    """An aware moment in Vietnam's time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


@contextmanager
def clock(moment):
    """Run the block as if it were ``moment`` (Django's clock only)."""
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


@pytest.fixture
def org(commune):
    """The commune fixture plus the People's Committee's own leader and
    officer, the People's Council with a leader, and an unrelated commune."""
    commune.committee_leader = staff(
        commune.committee,
        "leader",
        username="chutich",
        first_name="Thụ",
        last_name="Phan Hoàng",
    )
    commune.committee_officer = staff(commune.committee, "officer", username="vanphong")
    commune.council = UnitFactory(
        code="HD", name="HĐND xã", kind=UnitKind.PEOPLES_COUNCIL, parent=commune.root
    )
    commune.council_leader = staff(commune.council, "leader", username="hdnd")
    other = UnitFactory(
        code="C2", name="Xã khác", kind=UnitKind.COMMUNE, parent=commune.province
    )
    commune.other_committee = UnitFactory(
        code="UB2", name="UBND xã khác", kind=UnitKind.PEOPLES_COMMITTEE, parent=other
    )
    commune.outsider = staff(commune.other_committee, "leader", username="outsider")
    return commune


@pytest.fixture
def land(db):
    return Field.objects.get(code="land")


def plan(org, *, actor=None, kind="voter_contact", starts_at=None, **overrides):
    """A planned meeting of the People's Committee, through the service."""
    values = {
        "actor": actor or org.committee_leader,
        "kind": kind,
        "organiser_unit": org.committee,
        "topic": "Tiếp xúc cử tri trước kỳ họp thứ 9 HĐND xã",
        "starts_at": starts_at or timezone.now() - dt.timedelta(hours=3),
        "place": "Nhà văn hóa xóm A",
        "chair": org.committee_leader,
        "hamlets": [org.hamlet_a],
        "expected_attendance": 80,
    }
    values.update(overrides)
    return meeting_create(**values).meeting


def hold(org, meeting, *, actor=None, attendance=75):
    return meeting_transition(
        meeting_id=meeting.pk,
        action="hold",
        actor=actor or org.committee_leader,
        data={"actual_attendance": attendance, "minutes": "Biên bản buổi làm việc."},
    )


def item_input(field, **overrides):
    values = {
        "raised_by": "person",
        "raiser_name": "Nguyễn Văn Bình",
        "raiser_address": "Xóm A",
        "field": field,
        "title": "Đường liên xóm xuống cấp",
        "content": "Đề nghị sửa chữa đoạn đường qua xóm A.",
    }
    values.update(overrides)
    return ItemInput(**values)


@pytest.fixture
def held(org, land):
    """A held voter contact meeting with three pending items."""
    from dialogues.services import items_add

    meeting = hold(org, plan(org))
    items_add(
        meeting_id=meeting.pk,
        actor=org.committee_leader,
        items=[
            item_input(land),
            item_input(
                land,
                raised_by="hamlet_voters",
                raiser_name="",
                raiser_hamlet=org.hamlet_b,
                title="Thiếu nước sinh hoạt mùa khô",
                content="Cử tri xóm B đề nghị mở rộng tuyến ống nước sạch.",
            ),
            item_input(
                land,
                raiser_name="Trần Thị Hoa",
                title="Cấp giấy chứng nhận quyền sử dụng đất chậm",
                content="Hồ sơ nộp từ tháng 3 chưa được cấp giấy.",
            ),
        ],
    )
    meeting.refresh_from_db()
    return meeting
