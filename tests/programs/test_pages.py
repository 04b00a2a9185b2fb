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


# --------------------------------------------------------------------------
# Creating and editing programs, tasks and inspections through the pages
# --------------------------------------------------------------------------


def test_committee_creates_and_edits_its_program(org, client):
    client.force_login(org.bcd)
    listing = client.get(reverse("programs") + f"?year={YEAR}").content.decode()
    assert reverse("program-create") in listing
    url = reverse("program-create")
    response = client.post(url, {"unit": org.steering.pk, "year": YEAR, "title": ""})
    assert response.status_code == 200
    assert "bắt buộc" in response.content.decode()
    from programs.models import WorkProgram

    assert not WorkProgram.objects.exists()
    response = client.post(
        url,
        {
            "unit": org.steering.pk,
            "year": YEAR,
            "title": "Chương trình công tác năm 2024",
            "legal_bases": "Chỉ thị 33\nKế hoạch 12",
            "focus_areas": "Dân chủ cơ sở",
            "required_units": [org.hamlet_a.pk, org.hamlet_b.pk],
            "units_due_on": "2024-03-15",
        },
    )
    program = WorkProgram.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("program-detail", args=[program.pk])
    assert program.legal_bases == ["Chỉ thị 33", "Kế hoạch 12"]
    assert set(program.required_units.all()) == {org.hamlet_a, org.hamlet_b}
    edit = reverse("program-edit", args=[program.pk])
    detail = client.get(response["Location"]).content.decode()
    assert edit in detail
    form = client.get(edit).content.decode()
    assert "Chỉ thị 33\nKế hoạch 12" in form
    response = client.post(
        edit,
        {
            "title": "Chương trình (sửa)",
            "legal_bases": "Chỉ thị 33",
            "required_units": [org.hamlet_a.pk],
            "units_due_on": "2024-03-20",
        },
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.title == "Chương trình (sửa)"
    assert program.legal_bases == ["Chỉ thị 33"]
    assert list(program.required_units.all()) == [org.hamlet_a]
    assert program.units_due_on == dt.date(YEAR, 3, 20)


def test_edit_pages_answer_404_to_outsiders_and_403_to_other_units(
    org, program, client
):
    task = services.task_create(
        actor=org.bcd, program=program, title="A", kind="direct", quarters=[1]
    )
    urls = [
        reverse("program-edit", args=[program.pk]),
        reverse("program-task-create", args=[program.pk]),
        reverse("program-task-edit", args=[task.pk]),
    ]
    client.force_login(org.outsider)
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(org.officer_a)
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, {"title": "X"}).status_code == 403
    program.refresh_from_db()
    assert program.title.startswith("Chương trình")
    assert ProgramTask.objects.get().title == "A"
    assert (
        reverse("program-edit", args=[program.pk])
        not in client.get(reverse("program-detail", args=[program.pk])).content.decode()
    )


def test_a_hamlet_submits_its_program_and_the_committee_sees_it(org, program, client):
    client.force_login(org.officer_a)
    detail = reverse("program-detail", args=[program.pk])
    page = client.get(detail).content.decode()
    link = f"{reverse('program-create')}?parent={program.pk}&amp;unit={org.hamlet_a.pk}"
    assert link in page
    assert f"unit={org.hamlet_b.pk}" not in page  # not B's to submit
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{program.pk}" selected>' in form
    response = client.post(
        reverse("program-create"),
        {
            "unit": org.hamlet_a.pk,
            "year": YEAR,
            "parent_program": program.pk,
            "title": "Chương trình công tác dân vận xóm A",
        },
    )
    assert response.status_code == 302
    client.force_login(org.bcd)
    body = client.get(detail).content.decode()
    assert "Chương trình công tác dân vận xóm A" in body
    assert "Đã gửi" in body
    response = client.post(
        reverse("program-create"),
        {
            "unit": org.hamlet_a.pk,
            "year": YEAR,
            "parent_program": program.pk,
            "title": "Lần hai",
        },
    )
    assert response.status_code == 200  # one program per unit and year
    assert "đã có chương trình" in response.content.decode()


def test_tasks_are_added_and_edited_through_the_pages(org, program, client):
    client.force_login(org.bcd)
    detail = client.get(reverse("program-detail", args=[program.pk])).content
    add = reverse("program-task-create", args=[program.pk])
    assert add in detail.decode()
    response = client.post(add, {"title": "Hội nghị", "kind": "meeting"})
    assert response.status_code == 200
    assert "Chọn quý thực hiện hoặc hạn hoàn thành" in response.content.decode()
    assert not ProgramTask.objects.exists()
    response = client.post(
        add,
        {
            "title": "Hội nghị sơ kết",
            "kind": "meeting",
            "quarters": ["2"],
            "lead_unit": org.steering.pk,
            "cooperating_units": [org.hamlet_a.pk],
            "position": "3",
        },
    )
    assert response.status_code == 302
    task = ProgramTask.objects.get()
    assert task.due_on == dt.date(YEAR, 6, 30)
    assert list(task.cooperating_units.all()) == [org.hamlet_a]
    edit = reverse("program-task-edit", args=[task.pk])
    assert (
        edit
        in client.get(reverse("program-detail", args=[program.pk])).content.decode()
    )
    values = {
        "title": "Hội nghị sơ kết 6 tháng",
        "kind": "meeting",
        "quarters": ["2"],
        "due_on": "2024-07-10",
        "lead_unit": org.steering.pk,
        "status": "done",
        "position": "3",
    }
    response = client.post(edit, {**values, "due_on": "2025-01-10"})
    assert response.status_code == 200
    assert "trong năm của chương trình" in response.content.decode()
    task.refresh_from_db()
    assert task.title == "Hội nghị sơ kết" and task.status == TaskStatus.PLANNED
    response = client.post(edit, values)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Hội nghị sơ kết 6 tháng"
    assert task.due_on == dt.date(YEAR, 7, 10)  # a date given wins
    assert task.status == TaskStatus.DONE
    assert task.done_on is not None
    assert list(task.cooperating_units.all()) == []
    form = client.get(edit).content.decode()
    assert 'value="2024-07-10"' in form


def test_an_inspection_is_planned_held_and_concluded_through_the_pages(
    org, program, client
):
    from programs.models import FollowUpAction, Inspection, InspectionStatus

    client.force_login(org.officer_a)
    plan = reverse("program-inspection-plan", args=[program.pk])
    assert (
        plan
        not in client.get(reverse("program-detail", args=[program.pk])).content.decode()
    )
    assert client.get(plan).status_code == 403
    client.force_login(org.bcd)
    assert (
        plan
        in client.get(reverse("program-detail", args=[program.pk])).content.decode()
    )
    response = client.post(plan, {"unit": org.hamlet_b.pk, "planned_on": "2024-10-01"})
    assert response.status_code == 200
    assert not Inspection.objects.exists()
    response = client.post(
        plan,
        {
            "unit": org.hamlet_b.pk,
            "planned_on": "2024-10-01",
            "team": "Tổ kiểm tra BCĐ",
            "scope": "Thực hiện quy chế dân chủ",
        },
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.program == program
    record = reverse("program-inspection-record", args=[inspection.pk])
    conclude = reverse("program-inspection-conclude", args=[inspection.pk])
    page = client.get(reverse("program-detail", args=[program.pk])).content.decode()
    assert record in page and conclude not in page
    client.force_login(org.leader_b)  # the inspected unit does not record
    assert (
        client.post(record, {"held_on": "2024-10-01", "findings": "X"}).status_code
        == 403
    )
    client.force_login(org.bcd)
    response = client.post(record, {"held_on": "2024-10-01", "findings": "Tốt"})
    assert response.status_code == 302
    management = {
        "follow_ups-TOTAL_FORMS": "3",
        "follow_ups-INITIAL_FORMS": "0",
        "follow_ups-MIN_NUM_FORMS": "0",
        "follow_ups-MAX_NUM_FORMS": "30",
    }
    response = client.post(
        conclude,
        {
            **management,
            "number": "01/TB-BCĐ",
            "date": "2024-10-20",
            "text": "Khắc phục hạn chế",
            "follow_ups-0-title": "Bổ sung hồ sơ",
            "follow_ups-0-due_on": "2024-10-01",  # before the conclusion
        },
    )
    assert response.status_code == 200
    assert "hạn sau ngày kết luận" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.HELD
    assert not FollowUpAction.objects.exists()
    response = client.post(
        conclude,
        {
            **management,
            "number": "01/TB-BCĐ",
            "date": "2024-10-20",
            "text": "Khắc phục hạn chế",
            "follow_ups-0-title": "Bổ sung hồ sơ",
            "follow_ups-0-due_on": "2024-11-15",
            "follow_ups-2-title": "Báo cáo kết quả",
            "follow_ups-2-due_on": "2024-12-01",
        },
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CONCLUDED
    assert [f.title for f in inspection.follow_ups.all()] == [
        "Bổ sung hồ sơ",
        "Báo cáo kết quả",
    ]
    body = client.get(reverse("program-detail", args=[program.pk])).content.decode()
    assert "01/TB-BCĐ" in body and record not in body
    closed = client.post(conclude, {**management, "number": "2", "text": "X"})
    assert closed.status_code == 409
    assert "Chỉ ban hành kết luận sau khi" in closed.content.decode()
    assert inspection.follow_ups.count() == 2


def test_programs_templates_have_no_inline_styles_or_scripts():
    """The site moves to a CSP without unsafe-inline: programs pages link
    static/css/programs.css and carry no inline style, script or handler."""
    import re
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "templates" / "programs"
    for template in folder.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<style|<script|style=|\son[a-z]+=", text), template
    assert "css/programs.css" in (folder / "_style.html").read_text()
    assert (Path(settings.BASE_DIR) / "static" / "css" / "programs.css").exists()
