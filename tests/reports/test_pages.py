"""The report pages: dashboard, statistics, drill-down lists; who sees what."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.models import CaseKind
from reports.models import ExportJob
from reports.periods import parse_period
from reports.services import submitted_report_create
from tests.factories import UnitFactory, make_case, petitioner
from tests.reports.conftest import at

pytestmark = [pytest.mark.django_db]


def log_in(client, user):
    client.force_login(user)
    return client


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))


def links_in(html: str) -> list[str]:
    parser = LinkCollector()
    parser.feed(html)
    return parser.links


def test_the_dashboard_is_named_dashboard_and_shows_the_quarter(client, commune):
    make_case(actor=commune.reception, unit=commune.hamlet_a)
    response = log_in(client, commune.supervisor).get(reverse("dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("dashboard") == "/bao-cao/"
    assert "Tổng quan" in body
    assert "<svg" in body and "</svg>" in body
    assert "https://" not in body.split("<main", 1)[1]
    assert "<script" not in body
    # Every figure links to its cases.
    drill = [link for link in links_in(body) if link.startswith("/bao-cao/ho-so/")]
    assert any("figure=received" in link for link in drill)
    assert any("figure=open_overdue" in link for link in drill)


def test_the_dashboard_lists_overdue_cases(client, commune):
    overdue = make_case(
        actor=commune.reception,
        unit=commune.office,
        received_at=at(timezone.localdate() - dt.timedelta(days=40)),
        title="Cống thoát nước bị tắc",
    ).case
    body = log_in(client, commune.supervisor).get("/bao-cao/").content.decode()
    assert overdue.display_code in body
    assert "Cống thoát nước bị tắc" in body


def test_the_statistics_page_links_every_number(client, commune, q1_cases):
    response = log_in(client, commune.supervisor).get(
        "/bao-cao/thong-ke/", {"unit": "C", "period": "2024-Q1"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "quý I năm 2024" in body
    numbers = re.findall(r'<td class="num"><a href="([^"]+)">(\d+)</a>', body)
    assert len(numbers) > 100
    for href, _value in numbers:
        assert href.startswith("/bao-cao/ho-so/?") or href.startswith(
            "/bao-cao/hoat-dong/?"
        )


def test_a_drill_down_shows_the_cases_behind_a_figure(client, commune, q1_cases):
    response = log_in(client, commune.supervisor).get(
        "/bao-cao/ho-so/",
        {"unit": "C", "period": "2024-Q1", "figure": "open_end"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    for case in (q1_cases.c4, q1_cases.c6, q1_cases.c10):
        assert case.display_code in body
    assert q1_cases.c1.display_code not in body
    assert "Số vụ việc: 3." in body


def test_a_drill_down_keeps_the_row_filters(client, commune, q1_cases):
    body = (
        log_in(client, commune.supervisor)
        .get(
            "/bao-cao/ho-so/",
            {"unit": "HA", "period": "2024-Q1", "figure": "received"},
        )
        .content.decode()
    )
    assert q1_cases.c5.display_code in body
    assert q1_cases.c2.display_code not in body
    body = (
        log_in(client, commune.supervisor)
        .get(
            "/bao-cao/ho-so/",
            {
                "unit": "C",
                "period": "2024-Q1",
                "figure": "received",
                "kind": "complaint",
            },
        )
        .content.decode()
    )
    assert q1_cases.c2.display_code in body
    assert q1_cases.c3.display_code not in body


def test_a_denouncers_name_is_masked_in_the_drill_down(client, commune):
    make_case(
        actor=commune.reception,
        unit=commune.hamlet_a,
        kind=CaseKind.DENUNCIATION,
        parties=[petitioner(full_name="Lê Văn Tố Giác")],
    )
    make_case(
        actor=commune.reception,
        unit=commune.hamlet_a,
        parties=[petitioner(full_name="Phạm Thị Phản Ánh")],
    )
    today = timezone.localdate()
    params = {"unit": "HA", "period": f"{today.year}", "figure": "received"}
    officer = log_in(client, commune.officer_a).get("/bao-cao/ho-so/", params)
    body = officer.content.decode()
    assert "Lê Văn Tố Giác" not in body
    assert "Phạm Thị Phản Ánh" in body
    leader = log_in(client, commune.leader_a).get("/bao-cao/ho-so/", params)
    assert "Lê Văn Tố Giác" in leader.content.decode()


def test_a_hamlet_officer_cannot_read_another_hamlets_figures(
    client, commune, q1_cases
):
    client = log_in(client, commune.officer_a)
    params = {"unit": "HB", "period": "2024-Q1", "figure": "received"}
    for url in ("/bao-cao/thong-ke/", "/bao-cao/ho-so/", "/bao-cao/"):
        response = client.get(url, params)
        assert response.status_code == 404, url
        assert q1_cases.c10.display_code not in response.content.decode()
    own = client.get("/bao-cao/thong-ke/", {"period": "2024-Q1"}).content.decode()
    select = own.split('id="id_unit"', 1)[1].split("</select>")[0]
    assert "Xóm A" in select and "Xóm B" not in select
    assert "Xóm B" not in own


def test_the_hamlet_officers_own_figures(client, commune, q1_cases):
    response = log_in(client, commune.officer_a).get(
        "/bao-cao/ho-so/", {"unit": "HA", "period": "2024-Q1", "figure": "in_hand"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    for case in (q1_cases.c5, q1_cases.c6, q1_cases.c7):
        assert case.display_code in body


def test_staff_without_a_unit_to_read_get_an_explanation(client, commune):
    response = log_in(client, commune.reception).get("/bao-cao/")
    assert response.status_code == 200
    assert "không có đơn vị" in response.content.decode().lower()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/bao-cao/")
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]


def test_a_wrong_period_is_refused_in_vietnamese(client, commune):
    response = log_in(client, commune.supervisor).get(
        "/bao-cao/ho-so/", {"unit": "C", "period": "2024-Q9", "figure": "received"}
    )
    assert response.status_code == 400
    assert "Kỳ báo cáo không hợp lệ" in response.content.decode()


def test_a_date_range_on_the_statistics_page(client, commune, q1_cases):
    response = log_in(client, commune.supervisor).get(
        "/bao-cao/thong-ke/",
        {
            "unit": "C",
            "period": "range",
            "date_from": "2024-01-01",
            "date_to": "2024-01-31",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "từ 01/01/2024 đến 31/01/2024" in body
    bad = log_in(client, commune.supervisor).get(
        "/bao-cao/thong-ke/",
        {
            "unit": "C",
            "period": "range",
            "date_from": "2024-02-01",
            "date_to": "2024-01-01",
        },
    )
    assert "Ngày kết thúc trước ngày bắt đầu" in bad.content.decode()
    assert 'value="2024-02-01"' in bad.content.decode()


def _cases_for_pages(commune, count):
    for index in range(count):
        make_case(
            actor=commune.reception,
            unit=commune.hamlet_a if index % 2 else commune.office,
            received_at=dt.datetime(2024, 2, 1 + index % 20, 3, tzinfo=dt.UTC),
        )


def queries_for(client, url, params) -> tuple[int, str]:
    """How many queries a page takes (after a first, warming request)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_the_drill_down_takes_the_same_queries_whatever_the_page_size(client, commune):
    """Session, user, memberships, the unit, its settings, the count, the page,
    its petitioners and collaborations (plus what the page shell reads)."""
    _cases_for_pages(commune, 60)
    client = log_in(client, commune.supervisor)
    params = {"unit": "C", "period": "2024-Q1", "figure": "received"}
    small, body = queries_for(client, "/bao-cao/ho-so/", {**params, "page_size": 25})
    assert body.count('class="code"') == 25
    large, body = queries_for(client, "/bao-cao/ho-so/", {**params, "page_size": 50})
    assert body.count('class="code"') == 50
    assert small == large <= 12


def test_the_dashboard_takes_the_same_queries_for_more_units(client, commune):
    """Session, user, memberships, units, two grouped counts, the fields, the
    unit's children, the trend and the overdue list (plus the page shell)."""
    from tests.reports.test_statistics import _hamlets_with_cases

    client = log_in(client, commune.supervisor)
    _hamlets_with_cases(commune, 2)
    few, _body = queries_for(client, "/bao-cao/", {})
    for index in range(10):
        hamlet = UnitFactory(
            name=f"Xóm mới {index}", kind="hamlet", parent=commune.root
        )
        make_case(actor=commune.reception, unit=hamlet)
    many, body = queries_for(client, "/bao-cao/", {})
    assert few == many <= 12
    assert "Xóm mới 9" in body


def test_the_pages_are_well_formed_with_labelled_controls(client, commune, q1_cases):
    from tests.reports.html import assert_valid_page

    client = log_in(client, commune.supervisor)
    base = {"unit": "C", "period": "2024-Q1"}
    for url, params in (
        ("/bao-cao/", {}),
        ("/bao-cao/thong-ke/", base),
        ("/bao-cao/thong-ke/", {**base, "period": "range"}),
        ("/bao-cao/ho-so/", {**base, "figure": "received"}),
        ("/bao-cao/hoat-dong/", {**base, "figure": "visits"}),
        ("/bao-cao/hoat-dong/", {**base, "figure": "items"}),
        ("/bao-cao/da-gui/", {}),
    ):
        response = client.get(url, params)
        assert response.status_code == 200, url
        assert_valid_page(response.content.decode())
    report = submitted_report_create(
        actor=commune.supervisor,
        unit=commune.root,
        kind="statistics",
        period=parse_period("2024-Q1"),
        today=dt.date(2024, 5, 1),
    )
    job = ExportJob.objects.create(
        requested_by=commune.supervisor,
        unit=commune.root,
        target="summary",
        file_format="xlsx",
        params=base,
    )
    for url in (f"/bao-cao/da-gui/{report.pk}/", f"/bao-cao/xuat/{job.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_valid_page(response.content.decode())


def test_deeper_units_are_reached_from_the_unit_rows(client, commune, q1_cases):
    """A province supervisor's selector stops two levels down; the office,
    deeper, opens from its row and joins the selector."""
    from tests.factories import staff

    province_supervisor = staff(commune.province, "supervisor", username="tinh")
    client = log_in(client, province_supervisor)
    page = client.get("/bao-cao/thong-ke/", {"period": "2024-Q1"}).content.decode()
    select = page.split('id="id_unit"', 1)[1].split("</select>")[0]
    assert 'value="UB"' in select and 'value="DC"' not in select
    office = client.get("/bao-cao/thong-ke/", {"unit": "DC", "period": "2024-Q1"})
    body = office.content.decode()
    assert office.status_code == 200
    assert 'value="DC" selected' in body
    assert "Địa chính" in body
