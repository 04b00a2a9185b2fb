"""Read endpoints of the work program, scoped like the pages."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from programs import selectors, services
from programs.models import (
    BrightSpot,
    FollowUpAction,
    Inspection,
    ProgramTask,
    TaskEvidence,
    TaskNote,
    WorkProgram,
)
from tests.factories import UnitFactory

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


# --------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_program_create_and_a_unit_submits_its_own(org, client_for):
    committee = client_for(org.bcd)
    response = committee.post(
        "/api/v1/programs/",
        {
            "unit": org.steering.pk,
            "year": YEAR,
            "title": "Chương trình 2024",
            "legal_bases": ["Chỉ thị 33", " "],
            "required_units": [org.hamlet_a.pk, org.hamlet_b.pk],
            "units_due_on": "2024-03-15",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    program = response.json()
    assert response["Location"].endswith(f"/api/v1/programs/{program['id']}/")
    assert program["legal_bases"] == ["Chỉ thị 33"]
    assert program["task_count"] == 0
    hamlet = client_for(org.officer_a)
    response = hamlet.post(
        "/api/v1/programs/",
        {
            "unit": org.hamlet_a.pk,
            "year": YEAR,
            "title": "CT xóm A",
            "parent_program": program["id"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["parent_program"] == program["id"]
    late = {
        row["unit"].pk: row["late"]
        for row in selectors.unit_program_status(
            program=WorkProgram.objects.get(pk=program["id"]), today=dt.date(YEAR, 4, 1)
        )
    }
    assert late == {org.hamlet_a.pk: False, org.hamlet_b.pk: True}


def test_program_create_errors_in_one_shape_and_nothing_written(
    org,
    program,
    client_for,
):
    hamlet = client_for(org.officer_a)
    count = WorkProgram.objects.count()
    error = _error(
        hamlet.post("/api/v1/programs/", {"year": 1999}, format="json"),
        400,
        "invalid",
    )
    assert {"unit", "year", "title"} <= set(error["fields"])
    # B is neither A's nor visible to A: the id reads as missing.
    error = _error(
        hamlet.post(
            "/api/v1/programs/",
            {"unit": org.hamlet_b.pk, "year": YEAR, "title": "X"},
            format="json",
        ),
        400,
        "invalid",
    )
    assert list(error["fields"]) == ["unit"]
    # The committee is visible to A but not A's to change.
    _error(
        hamlet.post(
            "/api/v1/programs/",
            {"unit": org.steering.pk, "year": YEAR + 1, "title": "X"},
            format="json",
        ),
        403,
        "permission_denied",
    )
    error = _error(
        client_for(org.bcd).post(
            "/api/v1/programs/",
            {"unit": org.steering.pk, "year": YEAR, "title": "Lần hai"},
            format="json",
        ),
        400,
        "invalid",
    )
    assert list(error["fields"]) == ["year"]
    outsider = client_for(org.outsider)
    error = _error(
        outsider.post(
            "/api/v1/programs/",
            {
                "unit": org.other.pk,
                "year": YEAR,
                "title": "X",
                "parent_program": program.pk,
            },
            format="json",
        ),
        400,
        "invalid",
    )
    assert list(error["fields"]) == ["parent_program"]  # hidden reads as missing
    assert WorkProgram.objects.count() == count


def test_program_create_is_idempotent(org, client_for):
    committee = client_for(org.bcd, HTTP_IDEMPOTENCY_KEY="ct-2024-1")
    body = {"unit": org.steering.pk, "year": YEAR, "title": "CT 2024"}
    first = committee.post("/api/v1/programs/", body, format="json")
    again = committee.post("/api/v1/programs/", body, format="json")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert WorkProgram.objects.count() == 1
    _error(
        committee.post("/api/v1/programs/", {**body, "title": "Khác"}, format="json"),
        422,
        "idempotency_key_reused",
    )


def test_program_patch_permissions(org, program, client_for):
    url = f"/api/v1/programs/{program.pk}/"
    response = client_for(org.bcd).patch(
        url, {"number": "05/CTr", "focus_areas": ["Dân chủ"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["number"] == "05/CTr"
    assert response.json()["focus_areas"] == ["Dân chủ"]
    assert response.json()["title"] == program.title
    _error(
        client_for(org.officer_a).patch(url, {"title": "X"}, format="json"),
        403,
        "permission_denied",
    )
    _error(
        client_for(org.outsider).patch(url, {"title": "X"}, format="json"),
        404,
        "not_found",
    )
    error = _error(
        client_for(org.bcd).patch(url, {"title": ""}, format="json"), 400, "invalid"
    )
    assert list(error["fields"]) == ["title"]
    program.refresh_from_db()
    assert program.title.startswith("Chương trình") and program.number == "05/CTr"


def test_tasks_create_update_and_progress(org, program, client_for):
    committee = client_for(org.bcd)
    tasks_url = f"/api/v1/programs/{program.pk}/tasks/"
    error = _error(
        committee.post(
            tasks_url, {"title": "X", "kind": "direct", "quarters": [5]}, format="json"
        ),
        400,
        "invalid",
    )
    assert list(error["fields"]) == ["quarters.0"]
    error = _error(
        committee.post(tasks_url, {"title": "X", "kind": "direct"}, format="json"),
        400,
        "invalid",
    )
    assert list(error["fields"]) == ["quarters"]
    assert not ProgramTask.objects.exists()
    response = committee.post(
        tasks_url,
        {
            "title": "Hội nghị sơ kết",
            "kind": "meeting",
            "quarters": [2],
            "lead_unit": org.hamlet_a.pk,
            "cooperating_units": [org.hamlet_b.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    task = response.json()
    assert task["due_on"] == "2024-06-30"
    assert task["lead_unit"]["id"] == org.hamlet_a.pk
    assert response["Location"].endswith(f"/api/v1/programs/tasks/{task['id']}/")
    url = f"/api/v1/programs/tasks/{task['id']}/"
    response = committee.patch(
        url, {"due_on": "2024-05-20", "status": "in_progress"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["due_on"] == "2024-05-20"
    assert response.json()["status"] == "in_progress"
    assert TaskNote.objects.filter(task_id=task["id"]).count() == 1
    hamlet_a = client_for(org.officer_a)
    _error(hamlet_a.patch(url, {"title": "X"}, format="json"), 403, "permission_denied")
    _error(
        client_for(org.outsider).patch(url, {"title": "X"}, format="json"),
        404,
        "not_found",
    )
    assert ProgramTask.objects.get().title == "Hội nghị sơ kết"
    # The lead unit records progress, with evidence sent as multipart.
    response = hamlet_a.post(
        f"{url}progress/",
        {
            "status": "done",
            "note": "Đã tổ chức",
            "evidence": SimpleUploadedFile("bb.pdf", b"%PDF-1.4\n%x\n"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    assert TaskEvidence.objects.count() == 1
    _error(
        client_for(org.officer_b).post(
            f"{url}progress/", {"status": "done", "note": "x"}, format="json"
        ),
        403,
        "permission_denied",
    )
    error = _error(
        hamlet_a.post(f"{url}progress/", {"status": "done", "note": ""}, format="json"),
        400,
        "invalid",
    )
    assert "note" in error["fields"]


def test_bright_spot_register_and_transitions(org, client_for):
    hamlet = client_for(org.officer_a)
    body = {
        "unit": org.hamlet_a.pk,
        "year": YEAR,
        "title": "Xóm sạch",
        "field": "Môi trường",
        "goal": "Sạch",
        "period": "2024",
        "expected_result": "Sạch hơn",
    }
    response = hamlet.post("/api/v1/bright-spots/", body, format="json")
    assert response.status_code == 201, response.content
    spot = response.json()
    assert spot["status"] == "registered"
    url = f"/api/v1/bright-spots/{spot['id']}/transition/"
    _error(
        hamlet.post(url, {"action": "approve"}, format="json"),
        403,
        "permission_denied",
    )
    committee = client_for(org.bcd)
    error = _error(
        committee.post(url, {"action": "return"}, format="json"), 400, "invalid"
    )
    assert "comment" in error["fields"]
    response = committee.post(url, {"action": "approve"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    error = _error(
        committee.post(url, {"action": "approve"}, format="json"),
        409,
        "invalid_transition",
    )
    # The committee edits its units' records too: it may report for them.
    assert set(error["allowed_actions"]) == {"report_progress", "report_result"}
    response = hamlet.post(
        url, {"action": "report_result", "text": "Đạt"}, format="json"
    )
    assert response.json()["status"] == "reported"
    _error(
        committee.post(url, {"action": "evaluate", "rating": "super"}, format="json"),
        400,
        "invalid",
    )
    response = committee.post(
        url, {"action": "evaluate", "rating": "good"}, format="json"
    )
    assert response.json()["rating"] == "good"
    _error(
        client_for(org.outsider).post(url, {"action": "approve"}, format="json"),
        404,
        "not_found",
    )
    assert BrightSpot.objects.get().status == "evaluated"


def test_inspection_plan_record_conclude_and_follow_up(
    org,
    program,
    client_for,
):
    plan = {
        "program": program.pk,
        "unit": org.hamlet_b.pk,
        "planned_on": "2024-10-01",
        "team": "Tổ kiểm tra",
        "scope": "Quy chế dân chủ",
    }
    _error(
        client_for(org.leader_b).post("/api/v1/inspections/", plan, format="json"),
        403,
        "permission_denied",
    )
    committee = client_for(org.bcd)
    response = committee.post("/api/v1/inspections/", plan, format="json")
    assert response.status_code == 201, response.content
    inspection = response.json()
    base = f"/api/v1/inspections/{inspection['id']}/"
    conclusion = {
        "number": "01/TB",
        "date": "2024-10-20",
        "text": "Khắc phục",
        "follow_ups": [{"title": "Bổ sung hồ sơ", "due_on": "2024-11-15"}],
    }
    _error(
        committee.post(f"{base}conclude/", conclusion, format="json"),
        409,
        "invalid_transition",
    )
    response = committee.post(
        f"{base}record/", {"held_on": "2024-10-01", "findings": "Tốt"}, format="json"
    )
    assert response.json()["status"] == "held"
    error = _error(
        committee.post(
            f"{base}conclude/",
            {**conclusion, "follow_ups": [{"title": "X", "due_on": "2024-10-01"}]},
            format="json",
        ),
        400,
        "invalid",
    )
    assert "follow_ups" in error["fields"]
    assert not FollowUpAction.objects.exists()
    response = committee.post(f"{base}conclude/", conclusion, format="json")
    assert response.status_code == 200, response.content
    follow_up = response.json()["follow_ups"][0]
    assert response.json()["status"] == "concluded"
    done_url = f"/api/v1/inspections/follow-ups/{follow_up['id']}/complete/"
    _error(client_for(org.officer_a).post(done_url), 404, "not_found")
    response = client_for(org.officer_b).post(done_url)
    assert response.status_code == 200 and response.json()["status"] == "done"
    _error(client_for(org.officer_b).post(done_url), 409, "invalid_transition")
    assert Inspection.objects.get().status == "concluded"


PAGE_SIZES = (1, 20, 100)


def _many(org, program, count):
    for index in range(count):
        services.task_create(
            actor=org.bcd,
            program=program,
            title=f"NV {index}",
            kind="direct",
            quarters=[index % 4 + 1],
            lead_unit=org.steering,
            cooperating_units=[org.hamlet_a, org.hamlet_b],
        )
        services.bright_spot_register(
            actor=org.officer_a,
            unit=org.hamlet_a,
            year=YEAR,
            title=f"ĐS {index}",
            field="F",
            goal="G",
            period="P",
            expected_result="R",
        )
        inspection = services.inspection_plan(
            actor=org.bcd,
            unit=org.hamlet_b,
            planned_on=dt.date(YEAR, 10, 1),
            team="T",
            scope="S",
            program=program,
        )
        services.inspection_record(
            actor=org.bcd,
            inspection_id=inspection.pk,
            held_on=dt.date(YEAR, 10, 1),
            findings="F",
        )
        services.inspection_conclude(
            actor=org.bcd,
            inspection_id=inspection.pk,
            number=str(index),
            date=dt.date(YEAR, 10, 2),
            text="K",
            follow_ups=[("A", dt.date(YEAR, 11, 1)), ("B", dt.date(YEAR, 12, 1))],
        )
    for index in range(count):
        unit = UnitFactory(code=f"X{index}", name=f"Xóm {index}", parent=org.root)
        services.program_create(
            actor=org.bcd, unit=unit, year=YEAR, title="CT", parent_program=program
        )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # token, memberships, count, page
        ("/api/v1/programs/", 4),
        ("/api/v1/bright-spots/", 4),
        # token, memberships, count, page, follow-ups
        ("/api/v1/inspections/", 5),
    ],
)
def test_list_endpoints_are_constant(
    org,
    program,
    client_for,
    django_assert_num_queries,
    url,
    expected,
):
    _many(org, program, 25)
    client = client_for(org.bcd)
    for size in PAGE_SIZES:
        with django_assert_num_queries(expected):
            response = client.get(f"{url}?page_size={size}")
        assert len(response.json()["results"]) == min(size, response.json()["count"])
    assert response.json()["count"] > 20


@pytest.mark.parametrize("count", [2, 12])
def test_task_list_is_constant(
    org,
    program,
    client_for,
    django_assert_num_queries,
    count,
):
    """token, memberships, program, tasks, co-operating units."""
    _many(org, program, count)
    client = client_for(org.bcd)
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/programs/{program.pk}/tasks/")
    assert len(response.json()) == count
