"""Submitting a report freezes it: its figures and file never change, later
corrections show as differences, and nothing updates or deletes it."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from feedback.errors import InvalidInputError, PermissionDeniedError
from feedback.models import Case
from reports.models import ReportKind, SubmittedReport
from reports.periods import parse_period
from reports.services import submitted_report_create
from tests.reports.conftest import act, at

pytestmark = [pytest.mark.django_db]

Q1 = parse_period("2024-Q1")
TODAY = dt.date(2024, 4, 10)


def submit(commune, actor=None, kind=ReportKind.STATISTICS, period=Q1, unit=None):
    return submitted_report_create(
        actor=actor or commune.supervisor,
        unit=unit or commune.root,
        kind=kind,
        period=period,
        today=TODAY,
        note="Báo cáo quý I",
    )


def test_a_submitted_report_keeps_its_numbers_after_a_correction(
    client, commune, q1_cases
):
    report = submit(commune)
    assert report.figures["total"]["figures"]["resolved"] == 2
    assert report.file.name.endswith(".xlsx")
    # A case still open is found to have been answered in March.
    act(q1_cases.c4.pk, "accept", at(dt.date(2024, 3, 21)), commune.supervisor)
    act(q1_cases.c4.pk, "resolve", at(dt.date(2024, 3, 25)), commune.supervisor)
    report.refresh_from_db()
    assert report.figures["total"]["figures"]["resolved"] == 2
    client.force_login(commune.supervisor)
    response = client.get(reverse("report-submitted-detail", args=[report.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Số chỉ tiêu khác với báo cáo đã gửi" in body
    # Resolved 2 → 3 (+1), open at the end 3 → 2 (−1), in the total and rows.
    assert '<td class="num">2</td><td class="num">3</td>' in body
    assert "+1" in body and "-1" in body
    file_response = client.get(reverse("report-submitted-file", args=[report.pk]))
    assert file_response.status_code == 200
    assert b"".join(file_response.streaming_content)[:2] == b"PK"


def test_an_untouched_report_shows_no_difference(client, commune, q1_cases):
    report = submit(commune, kind=ReportKind.DVCQ)
    assert report.file.name.endswith(".docx")
    client.force_login(commune.supervisor)
    body = client.get(
        reverse("report-submitted-detail", args=[report.pk])
    ).content.decode()
    assert "Không có số liệu nào thay đổi" in body


def test_a_submitted_report_cannot_be_changed_or_deleted(commune, q1_cases):
    report = submit(commune)
    report.note = "sửa"
    with pytest.raises(TypeError):
        report.save()
    with pytest.raises(TypeError):
        report.delete()
    with pytest.raises(TypeError):
        SubmittedReport.objects.filter(pk=report.pk).update(note="sửa")
    with pytest.raises(TypeError):
        SubmittedReport.objects.filter(pk=report.pk).delete()
    assert SubmittedReport.objects.get(pk=report.pk).note == "Báo cáo quý I"


def test_the_admin_shows_submitted_reports_read_only(client, commune, q1_cases):
    report = submit(commune)
    root = get_user_model().objects.create_superuser(
        "root", "root@example.com", "secret-pass-1"
    )
    client.force_login(root)
    url = reverse("admin:reports_submittedreport_change", args=[report.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"note": "sửa"}).status_code == 403
    delete = reverse("admin:reports_submittedreport_delete", args=[report.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    add = reverse("admin:reports_submittedreport_add")
    assert client.get(add).status_code == 403
    assert SubmittedReport.objects.get(pk=report.pk).note == "Báo cáo quý I"


def test_a_report_is_submitted_once_per_period(commune, q1_cases):
    submit(commune)
    with pytest.raises(InvalidInputError) as error:
        submit(commune)
    assert error.value.code == "already_submitted"
    # The other kind of report for the same period is a different report.
    submit(commune, kind=ReportKind.DVCQ)


def test_a_running_period_cannot_be_submitted(commune):
    with pytest.raises(InvalidInputError) as error:
        submit(commune, period=parse_period("2024-Q2"))
    assert "period" in error.value.fields


def test_who_may_submit(commune, q1_cases):
    """Whoever sees the whole subtree: not a hamlet's officer, nor the office
    leader for the commune; the hamlet's leader for the hamlet."""
    with pytest.raises(PermissionDeniedError):
        submit(commune, actor=commune.officer_a, unit=commune.hamlet_a)
    with pytest.raises(PermissionDeniedError):
        submit(commune, actor=commune.leader, unit=commune.root)
    report = submit(commune, actor=commune.leader_a, unit=commune.hamlet_a)
    assert report.figures["total"]["figures"]["in_hand"] == 3


def test_submitting_from_the_report_page(client, commune, q1_cases, settings):
    client.force_login(commune.supervisor)
    page = client.get(
        "/bao-cao/thong-ke/", {"unit": "C", "period": "2024-Q1"}
    ).content.decode()
    assert "Gửi báo cáo lên cấp trên" in page
    response = client.post(
        "/bao-cao/gui/",
        {
            "unit": "C",
            "period": "2024-Q1",
            "window": "calendar",
            "kind": "dvcq",
            "note": "",
        },
        follow=True,
    )
    report = SubmittedReport.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "report-submitted-detail", args=[report.pk]
    )
    assert "chốt số liệu" in response.content.decode()
    again = client.post(
        "/bao-cao/gui/",
        {"unit": "C", "period": "2024-Q1", "window": "calendar", "kind": "dvcq"},
        follow=True,
    )
    assert "đã được gửi ngày" in again.content.decode()
    assert SubmittedReport.objects.count() == 1
    listing = client.get("/bao-cao/da-gui/").content.decode()
    assert reverse("report-submitted-detail", args=[report.pk]) in listing


def test_a_hamlet_officer_cannot_read_another_hamlets_submitted_report(
    client, commune, q1_cases
):
    report = submit(commune, actor=commune.leader_b, unit=commune.hamlet_b)
    client.force_login(commune.officer_a)
    url = reverse("report-submitted-detail", args=[report.pk])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("report-submitted-file", args=[report.pk])).status_code
        == 404
    )
    assert url not in client.get("/bao-cao/da-gui/").content.decode()


def test_a_moved_case_shows_as_a_difference(client, commune, q1_cases):
    report = submit(commune, actor=commune.leader_a, unit=commune.hamlet_a)
    Case.objects.filter(pk=q1_cases.c6.pk).update(responsible_unit=commune.hamlet_b)
    client.force_login(commune.leader_a)
    body = client.get(
        reverse("report-submitted-detail", args=[report.pk])
    ).content.decode()
    assert "Kỳ trước chuyển sang" in body
    assert "-1" in body
