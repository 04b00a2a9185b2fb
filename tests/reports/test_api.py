"""The report endpoints: JSON statistics, files, export jobs; scoping and the
API's error shape."""

import io

import pytest
from docx import Document
from openpyxl import load_workbook
from rest_framework.test import APIClient

from api.services import api_token_create
from reports.models import ExportJob

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def api(db):
    def make(user):
        _token, key = api_token_create(owner=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def test_the_summary_as_json(api, commune, q1_cases):
    response = api(commune.supervisor).get(
        "/api/v1/reports/summary/", {"period": "2024-Q1", "unit": "C"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == {
        "code": "2024-Q1",
        "window": "calendar",
        "label": "quý I năm 2024 (từ 01/01/2024 đến 31/03/2024)",
        "start": "2024-01-01",
        "end": "2024-03-31",
    }
    total = data["total"]["figures"]
    assert (total["carried_over"], total["received"], total["open_end"]) == (2, 6, 3)
    assert data["total"]["rates"]["on_time_rate"] == 50.0
    assert [row["key"] for row in data["by_unit"]] == ["UB", "HA", "HB"]
    assert data["reception"]["visits"] == 0
    assert data["meetings"]["total"]["held"] == 0


def test_the_summary_in_english(api, commune, q1_cases):
    response = api(commune.supervisor).get(
        "/api/v1/reports/summary/",
        {"period": "2024-Q1", "unit": "C"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["total"]["label"] == "Total"


def test_another_hamlets_figures_are_not_found(api, commune, q1_cases):
    response = api(commune.officer_a).get(
        "/api/v1/reports/summary/", {"period": "2024-Q1", "unit": "HB"}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    own = api(commune.officer_a).get("/api/v1/reports/summary/", {"period": "2024-Q1"})
    assert own.json()["unit"]["code"] == "HA"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2024-Q5"}, "period"),
        ({"period": "2024-03-01..2024-01-01"}, "period"),
        ({"period": "2024", "window": "weekly"}, "window"),
        ({}, "period"),
    ],
)
def test_bad_queries_answer_400_in_the_error_shape(api, commune, params, field):
    response = api(commune.supervisor).get("/api/v1/reports/summary/", params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_without_credentials_401(commune):
    response = APIClient().get("/api/v1/reports/summary/", {"period": "2024"})
    assert response.status_code == 401


def test_export_xlsx_docx_csv_json(api, commune, q1_cases):
    client = api(commune.supervisor)
    params = {"period": "2024-Q1", "unit": "C"}
    xlsx = client.get("/api/v1/reports/export/", {**params, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="thong-ke_C_2024-Q1.xlsx"' in xlsx["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert "Tổng hợp" in workbook.sheetnames
    csv = client.get("/api/v1/reports/export/", {**params, "format": "csv"})
    assert csv.content.startswith(b"\xef\xbb\xbf")
    docx = client.get("/api/v1/reports/export/", {**params, "format": "docx"})
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "BÁO CÁO" in text
    data = client.get("/api/v1/reports/export/", {**params, "format": "json"})
    assert data.json()["total"]["figures"]["received"] == 6


def test_an_unknown_format_is_refused(api, commune):
    response = api(commune.supervisor).get(
        "/api/v1/reports/export/", {"period": "2024", "format": "pdf"}
    )
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


def test_a_large_export_answers_a_job_to_follow(
    api, commune, q1_cases, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_ASYNC_CASES = 5
    client = api(commune.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            "/api/v1/reports/export/",
            {"period": "2024-Q1", "unit": "C", "format": "xlsx"},
        )
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "pending"  # as answered, before the worker ran
    followed = client.get(job["url"]).json()
    assert followed["status"] == "done"
    assert followed["progress"] == 100
    download = client.get(followed["file_url"])
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert "Tổng hợp" in workbook.sheetnames
    other = api(commune.leader)
    assert other.get(job["url"]).status_code == 404
    assert ExportJob.objects.get().requested_by == commune.supervisor
