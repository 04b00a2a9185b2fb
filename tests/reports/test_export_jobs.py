"""Exports from the pages: small ones come back at once, large ones run as a
Celery task (eager in tests) whose page reloads itself until the file is
ready."""

import io

import pytest
from openpyxl import load_workbook

from reports.models import ExportJob, ExportStatus
from reports.services import export_job_create, export_job_run

pytestmark = [pytest.mark.django_db]

SUMMARY = {"target": "summary", "unit": "C", "period": "2024-Q1"}


def test_a_small_export_is_a_download(client, commune, q1_cases):
    client.force_login(commune.supervisor)
    response = client.post("/bao-cao/xuat/", {**SUMMARY, "format": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "Tổng hợp" in load_workbook(io.BytesIO(response.content)).sheetnames
    csv = client.post("/bao-cao/xuat/", {**SUMMARY, "format": "csv"})
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert not ExportJob.objects.exists()


def test_a_large_export_runs_in_the_worker_with_a_progress_page(
    client, commune, q1_cases, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_ASYNC_CASES = 3
    client.force_login(commune.supervisor)
    response = client.post("/bao-cao/xuat/", {**SUMMARY, "format": "docx"})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bao-cao/xuat/{job.pk}/"
    waiting = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert "<progress" in waiting
    # The worker's turn (the task was queued for after the commit).
    with django_capture_on_commit_callbacks(execute=True):
        export_job_create(
            actor=commune.supervisor,
            unit=commune.root,
            target="summary",
            file_format="xlsx",
            params={"period": "2024-Q1", "window": "calendar"},
        )
    done = ExportJob.objects.order_by("-id").first()
    assert done.status == ExportStatus.DONE and done.progress == 100
    page = client.get(f"/bao-cao/xuat/{done.pk}/").content.decode()
    assert "http-equiv" not in page
    assert f"/bao-cao/xuat/{done.pk}/tai-ve/" in page
    download = client.get(f"/bao-cao/xuat/{done.pk}/tai-ve/")
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook["Tổng hợp"]["A1"].value.startswith("Xã")


def test_a_large_case_list_runs_in_the_worker(
    client, commune, q1_cases, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_ASYNC_ROWS = 2
    client.force_login(commune.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/bao-cao/xuat/",
            {**SUMMARY, "target": "cases", "figure": "received", "format": "csv"},
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    content = b"".join(client.get(f"/bao-cao/xuat/{job.pk}/tai-ve/").streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    assert q1_cases.c5.display_code.encode() in content
    assert q1_cases.c1.display_code.encode() not in content  # carried over


def test_someone_elses_export_is_not_found(client, commune, q1_cases):
    job = ExportJob.objects.create(
        requested_by=commune.supervisor,
        unit=commune.root,
        target="summary",
        file_format="xlsx",
        params={"period": "2024-Q1"},
    )
    client.force_login(commune.leader)
    assert client.get(f"/bao-cao/xuat/{job.pk}/").status_code == 404
    assert client.get(f"/bao-cao/xuat/{job.pk}/tai-ve/").status_code == 404


def test_a_failing_export_says_so_and_a_finished_one_is_not_redone(commune):
    job = ExportJob.objects.create(
        requested_by=commune.supervisor,
        unit=commune.root,
        target="summary",
        file_format="xlsx",
        params={"period": "2024-Q9"},
    )
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error
    assert export_job_run(job_id=job.pk).status == ExportStatus.FAILED


def test_an_export_of_another_hamlet_is_not_found(client, commune):
    client.force_login(commune.officer_a)
    response = client.post(
        "/bao-cao/xuat/", {**SUMMARY, "unit": "HB", "format": "xlsx"}
    )
    assert response.status_code == 404


def test_a_bad_export_request_is_refused(client, commune):
    client.force_login(commune.supervisor)
    response = client.post("/bao-cao/xuat/", {**SUMMARY, "format": "pdf"})
    assert response.status_code == 400
