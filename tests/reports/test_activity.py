"""Figures from the reception register and from meetings, and the lists
behind them (without any visitor's or raiser's name)."""

import datetime as dt
import io

import pytest
from django.apps import apps
from openpyxl import load_workbook

from dialogues.models import Meeting, MeetingItem
from feedback.models import Field
from petitions.models import ReceptionVisit, VisitCase, VisitPerson
from reports.files import render_summary
from reports.periods import parse_period
from reports.sources import model_or_none
from reports.statistics import report_summary
from tests.factories import make_case
from tests.reports.conftest import act, at

pytestmark = [pytest.mark.django_db]

Q1 = parse_period("2024-Q1")
D = dt.date


def visit(commune, number, when, count, kind, outcome):
    return ReceptionVisit.objects.create(
        unit=commune.committee,
        year=when.year,
        number=number,
        visited_at=when,
        receiving_officer="Trần Văn Tiếp",
        visitor_count=count,
        is_mass=count >= 5,
        kind=kind,
        content="Đề nghị giải quyết tranh chấp đất",
        outcome=outcome,
    )


@pytest.fixture
def activity(commune):
    sup = commune.supervisor
    mass = visit(commune, 1, at(D(2024, 2, 5)), 6, "complaint", "case_created")
    VisitPerson.objects.create(visit=mass, full_name="Hoàng Văn Đại Diện")
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="complaint",
        received_at=at(D(2024, 2, 5), 10),
    ).case
    VisitCase.objects.create(visit=mass, case=case)
    visit(commune, 2, at(D(2024, 3, 1)), 1, "feedback", "guided")
    visit(commune, 3, at(D(2024, 4, 2)), 1, "feedback", "guided")  # next quarter
    meeting = Meeting.objects.create(
        kind="voter_contact",
        topic="Tiếp xúc cử tri trước kỳ họp thứ 9",
        organiser_unit=commune.committee,
        chair_name="Phan Hoàng Thụ",
        starts_at=at(D(2024, 2, 20), 8),
        place="Hội trường xóm A",
        status="held",
        actual_attendance=80,
        minutes="Biên bản tiếp xúc cử tri",
    )
    Meeting.objects.create(
        kind="dialogue",
        topic="Đối thoại về giải phóng mặt bằng",
        organiser_unit=commune.committee,
        chair_name="Phan Hoàng Thụ",
        starts_at=at(D(2024, 3, 10), 8),
        place="UBND xã",
        status="planned",
    )
    land = Field.objects.get(code="land")
    item_case = make_case(
        actor=commune.reception,
        unit=commune.hamlet_a,
        kind="voter_petition",
        channel="voter_meeting",
        received_at=at(D(2024, 2, 20), 11),
    ).case
    act(item_case.pk, "accept", at(D(2024, 2, 25)), sup)
    act(item_case.pk, "resolve", at(D(2024, 3, 15)), sup)
    common = {"meeting": meeting, "field": land, "content": "Nội dung"}
    MeetingItem.objects.create(
        number=1,
        raised_by="person",
        raiser_name="Ông Nguyễn Văn Cử Tri",
        title="Đường xóm A hư hỏng",
        outcome="answered",
        answer="Xã đã đưa vào kế hoạch",
        **common,
    )
    MeetingItem.objects.create(
        number=2,
        raised_by="person",
        raiser_name="Bà Lê Thị B",
        title="Cấp giấy chứng nhận đất",
        outcome="case",
        case=item_case,
        **common,
    )
    MeetingItem.objects.create(
        number=3,
        raised_by="person",
        raiser_name="Ông C",
        title="Điện chiếu sáng",
        **common,
    )
    return case


def test_the_models_are_found_when_their_apps_define_them():
    assert model_or_none("petitions", "ReceptionVisit") is ReceptionVisit
    assert model_or_none("petitions", "NoSuchModel") is None
    assert model_or_none("no_such_app", "Visit") is None


def test_reception_and_meeting_figures(commune, activity):
    summary = report_summary(
        user=None, unit=commune.root, period=Q1, today=D(2024, 6, 1)
    )
    reception = summary.extra["reception"]
    assert reception["visits"] == 2
    assert reception["visitors"] == 7
    assert reception["mass_visits"] == 1
    assert reception["mass_visitors"] == 6
    assert reception["kind_complaint"] == 1
    assert reception["outcome_guided"] == 1
    assert reception["cases_logged"] == 1
    meetings = {row["key"]: row["figures"] for row in summary.extra["meetings"]["rows"]}
    assert meetings["voter_contact"] == {
        "held": 1,
        "attendance": 80,
        "items": 3,
        "answered_on_spot": 1,
        "to_cases": 1,
        "cases_answered": 1,
        "merged": 0,
        "pending": 1,
    }
    assert meetings["dialogue"]["held"] == 0  # planned, not held
    assert summary.extra["meetings"]["total"]["items"] == 3


def test_the_scope_of_the_reader_applies(commune, activity):
    """A hamlet officer reads no register row of the commune's desk."""
    summary = report_summary(
        user=commune.officer_a, unit=commune.root, period=Q1, today=D(2024, 6, 1)
    )
    assert summary.extra["reception"]["visits"] == 0


def test_the_lists_behind_the_figures(client, commune, activity):
    client.force_login(commune.supervisor)
    base = {"unit": "C", "period": "2024-Q1"}
    visits = client.get("/bao-cao/hoat-dong/", {**base, "figure": "visits"})
    body = visits.content.decode()
    assert visits.status_code == 200
    assert "<td>1/2024</td>" in body and "<td>2/2024</td>" in body
    assert "<td>3/2024</td>" not in body
    assert "Hoàng Văn Đại Diện" not in body
    mass = client.get(
        "/bao-cao/hoat-dong/", {**base, "figure": "mass_visits"}
    ).content.decode()
    assert "<td>1/2024</td>" in mass and "<td>2/2024</td>" not in mass
    items = client.get(
        "/bao-cao/hoat-dong/",
        {**base, "figure": "items", "meeting_kind": "voter_contact"},
    ).content.decode()
    assert "Đường xóm A hư hỏng" in items and "Điện chiếu sáng" in items
    assert "Nguyễn Văn Cử Tri" not in items
    answered = client.get(
        "/bao-cao/hoat-dong/", {**base, "figure": "cases_answered"}
    ).content.decode()
    assert "Cấp giấy chứng nhận đất" in answered and "Điện chiếu sáng" not in answered
    meetings = client.get(
        "/bao-cao/hoat-dong/", {**base, "figure": "held"}
    ).content.decode()
    assert "Tiếp xúc cử tri trước kỳ họp thứ 9" in meetings
    assert "Đối thoại về giải phóng mặt bằng" not in meetings
    cases = client.get(
        "/bao-cao/ho-so/", {**base, "figure": "from_visits"}
    ).content.decode()
    assert activity.display_code in cases
    page = client.get("/bao-cao/thong-ke/", base).content.decode()
    assert "/bao-cao/hoat-dong/?" in page
    assert "figure=from_visits" in page
    assert (
        client.get("/bao-cao/hoat-dong/", {**base, "figure": "nonsense"}).status_code
        == 400
    )


def test_without_the_register_and_meetings_the_case_figures_remain(
    client, commune, monkeypatch
):
    """A deployment without ``petitions`` and ``dialogues`` (or a code base
    from before their models) still gets every case figure; the pages say
    the others are not available, and the files leave their tables out."""
    installed = apps.is_installed
    monkeypatch.setattr(
        apps,
        "is_installed",
        lambda name: name not in ("petitions", "dialogues") and installed(name),
    )
    summary = report_summary(
        user=None, unit=commune.root, period=Q1, today=D(2024, 6, 1)
    )
    assert summary.extra == {"reception": None, "meetings": None}
    client.force_login(commune.supervisor)
    page = client.get(
        "/bao-cao/thong-ke/", {"unit": "C", "period": "2024-Q1"}
    ).content.decode()
    assert "Hệ thống chưa có sổ tiếp công dân." in page
    assert "Hệ thống chưa có dữ liệu tiếp xúc, đối thoại." in page
    content = render_summary(summary, "xlsx", issued_on=D(2024, 6, 1)).content
    assert "Tiếp công dân" not in load_workbook(io.BytesIO(content)).sheetnames
    docx = render_summary(summary, "docx", issued_on=D(2024, 6, 1)).content
    assert len(docx) > 1000
