"""The work program in a real browser: the committee adds a task to its
2024 program, hamlet A records progress on it and submits its own program,
and the committee sees both."""

import pytest

from programs.models import ProgramTask, TaskStatus, WorkProgram
from tests.programs.conftest import org, program  # noqa: F401 - the fixtures

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.integration,
]


def test_committee_task_unit_progress_and_submission(page, log_in, org, program):  # noqa: F811
    detail = f"{page.base_url}/chuong-trinh/{program.pk}/"

    # The committee adds a task for the second quarter, led by hamlet A.
    log_in("bcd")
    page.goto(f"{page.base_url}/chuong-trinh/?year=2024")
    page.click(f"main a[href='/chuong-trinh/{program.pk}/']")
    page.click(f"a[href='/chuong-trinh/{program.pk}/nhiem-vu/moi/']")
    page.fill("#id_title", "Hội nghị sơ kết công tác dân vận 6 tháng")
    page.select_option("#id_kind", "meeting")
    page.check("#id_quarters_1")  # the second quarter
    page.select_option("#id_lead_unit", label="Xóm A")
    page.check(f"input[name=cooperating_units][value='{org.hamlet_b.pk}']")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{detail}#task-*")
    second_quarter = page.locator("section[aria-labelledby=q2]")
    assert "Hội nghị sơ kết công tác dân vận 6 tháng" in second_quarter.inner_text()
    task = ProgramTask.objects.get()
    assert task.lead_unit == org.hamlet_a
    assert task.due_on.isoformat() == "2024-06-30"

    # Hamlet A, the task's lead unit, records progress and submits its own
    # program from the committee's page.
    page.context.clear_cookies()
    log_in("officer_a")
    page.goto(detail)
    page.click(f"a[href='/chuong-trinh/nhiem-vu/{task.pk}/']")
    page.select_option("#id_status", "done")
    page.fill("#id_note", "Đã tổ chức hội nghị ngày 28/6, 45 đại biểu dự.")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{detail}#task-*")
    assert page.locator(f"#task-{task.pk} .badge").inner_text() == "Hoàn thành"
    page.click(f"a[href*='parent={program.pk}'][href*='unit={org.hamlet_a.pk}']")
    assert page.locator("#id_parent_program").input_value() == str(program.pk)
    page.fill("#id_title", "Chương trình công tác dân vận năm 2024 của xóm A")
    page.fill("#id_legal_bases", "Chương trình của Ban Chỉ đạo xã\nChỉ thị 33")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    own = WorkProgram.objects.get(unit=org.hamlet_a)
    assert page.url.rstrip("/").endswith(f"/chuong-trinh/{own.pk}")
    assert own.parent_program == program

    # The committee sees the task done and hamlet A's program submitted;
    # hamlet B is still late.
    page.context.clear_cookies()
    log_in("bcd")
    page.goto(detail)
    assert page.locator(f"#task-{task.pk} .badge").inner_text() == "Hoàn thành"
    rows = page.locator("#unit-programs tbody tr")
    row_a = rows.filter(has_text="Xóm A")
    assert "Chương trình công tác dân vận năm 2024 của xóm A" in row_a.inner_text()
    assert "Đã gửi" in row_a.inner_text()
    assert rows.filter(has_text="Xóm B").locator(".badge.late").count() == 1
    assert ProgramTask.objects.get().status == TaskStatus.DONE
