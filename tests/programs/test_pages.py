"""The work program pages: who sees what, forms, and query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from programs import services
from programs.models import BrightSpot, BrightSpotStatus, ProgramTask, TaskStatus

pytestmark = pytest.mark.django_db
YEAR = 2024


def _tasks(org, program, count):
    for index in range(count):
        task = services.task_create(
            actor=org.bcd,
            program=program,
            title=f"Nhiệm vụ {index}",
            kind="direct",
            quarters=[index % 4 + 1],
            lead_unit=org.steering,
            cooperating_units=[org.hamlet_a, org.hamlet_b],
        )
        services.task_progress(
            actor=org.bcd,
            task_id=task.pk,
            status=TaskStatus.IN_PROGRESS,
            note="Đang làm",
            today=dt.date(YEAR, 1, 2),
        )
    for index in range(count):
        spot = services.bright_spot_register(
            actor=org.officer_a,
            unit=org.hamlet_a,
            year=YEAR,
            title=f"Điểm sáng {index}",
            field="CCHC",
            goal="G",
            period="2024",
            expected_result="R",
        )
        inspection = services.inspection_plan(
            actor=org.bcd,
            unit=org.hamlet_b,
            planned_on=dt.date(YEAR, 10, 1 + index),
            team="Tổ",
            scope="Phạm vi",
            program=program,
        )
        services.inspection_record(
            actor=org.bcd,
            inspection_id=inspection.pk,
            held_on=dt.date(YEAR, 10, 1 + index),
            findings="F",
        )
        services.inspection_conclude(
            actor=org.bcd,
            inspection_id=inspection.pk,
            number=f"{index}/TB",
            date=dt.date(YEAR, 10, 20),
            text="KL",
            follow_ups=[("Việc", dt.date(YEAR, 11, 1))],
        )
    assert spot


@pytest.mark.parametrize("count", [2, 6])
def test_program_page_query_count_does_not_grow(
    org, program, client, django_assert_num_queries, count
):
    _tasks(org, program, count)
    client.force_login(org.bcd)
    url = reverse("program-detail", args=[program.pk])
    client.get(url)  # warm the session and content types
    with django_assert_num_queries(QUERIES_DETAIL):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="badge late"') >= count


QUERIES_DETAIL = 14


@pytest.mark.parametrize("count", [2, 6])
def test_program_list_query_count_does_not_grow(
    org, program, client, django_assert_num_queries, count
):
    _tasks(org, program, count)
    for unit in (org.hamlet_a, org.hamlet_b):
        services.program_create(
            actor=org.bcd, unit=unit, year=YEAR, title="CT", parent_program=program
        )
    client.force_login(org.bcd)
    url = reverse("programs") + f"?year={YEAR}"
    client.get(url)
    with django_assert_num_queries(QUERIES_LIST):
        response = client.get(url)
    assert response.status_code == 200


QUERIES_LIST = 7


def test_program_page_shows_quarters_units_and_reports_in_vietnamese(
    org, program, client
):
    _tasks(org, program, 1)
    services.program_create(
        actor=org.officer_a,
        unit=org.hamlet_a,
        year=YEAR,
        title="CT xóm A",
        parent_program=program,
    )
    client.force_login(org.leader_b)
    body = client.get(reverse("program-detail", args=[program.pk])).content.decode()
    assert "Quý 1" in body
    assert "CT xóm A" in body
    assert "Chậm" in body or "Trễ" in body  # hamlet B is late
    assert "Ghi nhận tiến độ" not in body  # read-only for a hamlet


def test_outsider_gets_404_and_hamlet_cannot_record_committee_task(
    org, program, client
):
    task = services.task_create(
        actor=org.bcd, program=program, title="A", kind="direct", quarters=[1]
    )
    client.force_login(org.outsider)
    assert client.get(reverse("program-detail", args=[program.pk])).status_code == 404
    assert (
        client.get(reverse("program-task-progress", args=[task.pk])).status_code == 404
    )
    client.force_login(org.officer_a)
    url = reverse("program-task-progress", args=[task.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "done", "note": "x"}).status_code == 403


def test_task_progress_form_keeps_input_and_rejects_bad_file(org, program, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = services.task_create(
        actor=org.bcd, program=program, title="A", kind="direct", quarters=[1]
    )
    client.force_login(org.bcd)
    url = reverse("program-task-progress", args=[task.pk])
    response = client.post(
        url,
        {
            "status": "done",
            "note": "Đã tổ chức",
            "evidence": SimpleUploadedFile("x.pdf", b"GIF89a....."),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đã tổ chức" in body
    assert "PDF, JPEG" in body
    response = client.post(url, {"status": "done", "note": ""})
    assert response.status_code == 200
    assert ProgramTask.objects.get(pk=task.pk).status == TaskStatus.PLANNED
    response = client.post(url, {"status": "done", "note": "Xong"})
    assert response.status_code == 302
    assert ProgramTask.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_bright_spot_register_and_approve_through_pages(org, client):
    client.force_login(org.officer_a)
    url = reverse("bright-spot-register")
    form = client.get(url).content.decode()
    assert "Xóm A" in form and "Xóm B" not in form
    response = client.post(
        url, {"unit": org.hamlet_a.pk, "year": YEAR, "title": "Xóm sạch"}
    )
    assert response.status_code == 200
    assert "Xóm sạch" in response.content.decode()
    response = client.post(
        url,
        {
            "unit": org.hamlet_a.pk,
            "year": YEAR,
            "title": "Xóm sạch",
            "field": "Môi trường",
            "goal": "Sạch",
            "period": "2024",
            "expected_result": "Sạch hơn",
        },
    )
    assert response.status_code == 302
    spot = BrightSpot.objects.get()
    approve = reverse("bright-spot-action", args=[spot.pk, "approve"])
    assert client.post(approve).status_code == 403
    client.force_login(org.bcd)
    refuse = reverse("bright-spot-action", args=[spot.pk, "return"])
    response = client.post(refuse, {"comment": ""})
    assert response.status_code == 200
    assert client.post(approve).status_code == 302
    spot.refresh_from_db()
    assert spot.status == BrightSpotStatus.APPROVED
    client.force_login(org.outsider)
    assert client.get(approve).status_code == 404


def test_follow_up_done_by_inspected_unit(org, program, client):
    _tasks(org, program, 1)
    action = program.inspections.get().follow_ups.get()
    client.force_login(org.officer_a)  # hamlet A does not see B's inspection
    url = reverse("follow-up-complete", args=[action.pk])
    assert client.post(url).status_code == 404
    client.force_login(org.officer_b)
    assert client.post(url).status_code == 302
