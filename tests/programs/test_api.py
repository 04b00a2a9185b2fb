"""Read endpoints of the work program, scoped like the pages."""

import datetime as dt

import pytest

from programs import services

pytestmark = pytest.mark.django_db
YEAR = 2024


def test_programs_tasks_spots_inspections(org, program, client):
    services.task_create(
        actor=org.bcd, program=program, title="A", kind="direct", quarters=[1]
    )
    services.bright_spot_register(
        actor=org.officer_a,
        unit=org.hamlet_a,
        year=YEAR,
        title="Xóm sạch",
        field="MT",
        goal="G",
        period="2024",
        expected_result="R",
    )
    services.inspection_plan(
        actor=org.bcd,
        unit=org.hamlet_b,
        planned_on=dt.date(YEAR, 10, 1),
        team="Tổ",
        scope="P",
    )
    client.force_login(org.bcd)
    listing = client.get("/api/v1/programs/", {"year": YEAR}).json()
    assert [row["id"] for row in listing["results"]] == [program.pk]
    assert listing["results"][0]["task_count"] == 1
    assert client.get(f"/api/v1/programs/{program.pk}/").json()["year"] == YEAR
    tasks = client.get(f"/api/v1/programs/{program.pk}/tasks/").json()
    assert tasks[0]["quarters"] == [1]
    assert tasks[0]["overdue"] is True  # 31/03/2024 has passed
    spots = client.get("/api/v1/bright-spots/").json()
    assert spots["results"][0]["title"] == "Xóm sạch"
    inspections = client.get("/api/v1/inspections/", {"year": YEAR}).json()
    assert inspections["results"][0]["unit"]["id"] == org.hamlet_b.pk
    assert client.get("/api/v1/programs/", {"year": "x"}).status_code == 400


def test_outsider_sees_nothing(org, program, client):
    client.force_login(org.outsider)
    assert client.get("/api/v1/programs/").json()["results"] == []
    assert client.get(f"/api/v1/programs/{program.pk}/").status_code == 404
    assert client.get(f"/api/v1/programs/{program.pk}/tasks/").status_code == 404
    client.logout()
    assert client.get("/api/v1/programs/").status_code == 401


def test_hamlet_reads_the_committee_program(org, program, client):
    client.force_login(org.officer_a)
    assert client.get(f"/api/v1/programs/{program.pk}/").status_code == 200
