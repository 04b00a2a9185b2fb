"""Tasks and quarters, late units' programs and reminders, bright spots,
inspections and their follow-ups."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback.errors import (
    InvalidInputError,
    InvalidTransitionError,
    PermissionDeniedError,
)
from feedback.models import Notification
from programs import selectors, services
from programs.models import (
    BrightSpotStatus,
    FollowUpStatus,
    InspectionStatus,
    TaskEvidence,
    TaskKind,
    TaskNote,
    TaskStatus,
    quarter_end,
)

pytestmark = pytest.mark.django_db
YEAR = 2024
PDF = b"%PDF-1.4\n%test\n"


def test_quarter_end_is_the_quarters_last_day():
    """Quarters end on 31/3, 30/6, 30/9 and 31/12."""
    assert [quarter_end(YEAR, q) for q in (1, 2, 3, 4)] == [
        dt.date(YEAR, 3, 31),
        dt.date(YEAR, 6, 30),
        dt.date(YEAR, 9, 30),
        dt.date(YEAR, 12, 31),
    ]


def test_task_due_at_end_of_its_last_quarter_or_on_its_date(org, program):
    """A task over quarters 2 and 3 is due 30/9; a dated one on its date."""
    spread = services.task_create(
        actor=org.bcd, program=program, title="A", kind="check", quarters=[3, 2]
    )
    dated = services.task_create(
        actor=org.bcd,
        program=program,
        title="B",
        kind="report",
        due_on=dt.date(YEAR, 5, 10),
    )
    assert spread.quarters == [2, 3]
    assert spread.due_on == dt.date(YEAR, 9, 30)
    assert dated.due_on == dt.date(YEAR, 5, 10)
    groups = dict(selectors.tasks_by_quarter([spread, dated]))
    assert groups[2] == [spread, dated]
    assert groups[3] == [spread]


@pytest.mark.parametrize(
    ("quarters", "due_on", "field"),
    [
        ([], None, "quarters"),
        ([5], None, "quarters"),
        ([], dt.date(2025, 1, 1), "due_on"),
    ],
)
def test_task_needs_valid_quarters_or_date(org, program, quarters, due_on, field):
    with pytest.raises(InvalidInputError) as error:
        services.task_create(
            actor=org.bcd,
            program=program,
            title="X",
            kind="direct",
            quarters=quarters,
            due_on=due_on,
        )
    assert field in error.value.fields


def test_overdue_is_computed_from_due_date_and_today(org, program):
    """Not done and past the quarter's end is overdue; done never is."""
    task = services.task_create(
        actor=org.bcd, program=program, title="A", kind="direct", quarters=[1]
    )

    def overdue(today):
        return selectors.program_tasks(program=program, today=today).get().overdue

    assert not overdue(dt.date(YEAR, 3, 31))
    assert overdue(dt.date(YEAR, 4, 1))
    services.task_progress(
        actor=org.bcd,
        task_id=task.pk,
        status=TaskStatus.DONE,
        note="Xong",
        today=dt.date(YEAR, 4, 2),
    )
    assert not overdue(dt.date(YEAR, 4, 3))
    task.refresh_from_db()
    assert task.done_on == dt.date(YEAR, 4, 2)


def test_progress_notes_append_and_evidence_checked_by_bytes(org, program, settings):
    settings.MEDIA_ROOT = settings.MEDIA_ROOT / "programs-test"
    task = services.task_create(
        actor=org.bcd, program=program, title="A", kind="direct", quarters=[1]
    )
    fake = SimpleUploadedFile("scan.pdf", b"MZ not a pdf", "application/pdf")
    with pytest.raises(InvalidInputError) as error:
        services.task_progress(
            actor=org.bcd,
            task_id=task.pk,
            status=TaskStatus.IN_PROGRESS,
            note="Bắt đầu",
            evidence=fake,
            today=dt.date(YEAR, 2, 1),
        )
    assert "evidence" in error.value.fields
    for text in ("Bắt đầu", "Tiếp tục"):
        services.task_progress(
            actor=org.bcd,
            task_id=task.pk,
            status=TaskStatus.IN_PROGRESS,
            note=text,
            evidence=SimpleUploadedFile("a.bin", PDF),
            today=dt.date(YEAR, 2, 1),
        )
    assert list(TaskNote.objects.values_list("text", flat=True)) == [
        "Bắt đầu",
        "Tiếp tục",
    ]
    evidence = TaskEvidence.objects.first()
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.endswith(".pdf")


def test_units_edit_own_only(org, program):
    """A hamlet's officer cannot add tasks to the committee's program."""
    with pytest.raises(PermissionDeniedError):
        services.task_create(
            actor=org.officer_a,
            program=program,
            title="A",
            kind=TaskKind.DIRECT,
            quarters=[1],
        )


def test_late_program_units_and_weekly_deduped_reminders(org, program):
    """Hamlet B is late once hamlet A submitted; its leader is reminded once
    a week."""
    services.program_create(
        actor=org.officer_a,
        unit=org.hamlet_a,
        year=YEAR,
        title="CT xóm A",
        parent_program=program,
    )
    assert selectors.late_program_units(dt.date(YEAR, 3, 15)) == []
    late = selectors.late_program_units(dt.date(YEAR, 3, 16))
    assert [(p.pk, u.pk) for p, u in late] == [(program.pk, org.hamlet_b.pk)]

    assert services.late_programs_remind(today=dt.date(YEAR, 3, 18)) == 1
    assert services.late_programs_remind(today=dt.date(YEAR, 3, 20)) == 0
    assert services.late_programs_remind(today=dt.date(YEAR, 3, 25)) == 1
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        org.leader_b.pk
    }


def test_remind_late_programs_task_runs_the_service(org, program):
    """The Celery task reminds both hamlets' leaders (neither submitted)."""
    from programs.tasks import remind_late_programs

    assert remind_late_programs.delay().get() == 2


def _spot(org, unit=None):
    return services.bright_spot_register(
        actor=org.officer_a,
        unit=unit or org.hamlet_a,
        year=YEAR,
        title="Xóm sạch",
        field="Môi trường",
        goal="Sạch",
        period="Cả năm",
        expected_result="Sạch hơn",
    )


def test_bright_spot_lifecycle(org):
    """Register → return → resubmit → approve → progress → result →
    evaluate; the unit cannot approve its own."""
    spot = _spot(org)
    with pytest.raises(PermissionDeniedError):
        services.bright_spot_transition(
            actor=org.officer_a, spot_id=spot.pk, action="approve"
        )
    with pytest.raises(InvalidInputError):
        services.bright_spot_transition(actor=org.bcd, spot_id=spot.pk, action="return")
    steps = [
        (org.bcd, "return", {"comment": "Nêu rõ chỉ tiêu"}, S.RETURNED),
        (org.officer_a, "resubmit", {}, S.REGISTERED),
        (org.bcd, "approve", {}, S.APPROVED),
        (org.officer_a, "report_progress", {"text": "Đã làm 50%"}, S.APPROVED),
        (org.officer_a, "report_result", {"text": "Hoàn thành"}, S.REPORTED),
        (org.bcd, "evaluate", {"rating": "excellent"}, S.EVALUATED),
    ]
    for actor, action, values, expected in steps:
        spot = services.bright_spot_transition(
            actor=actor, spot_id=spot.pk, action=action, **values
        )
        assert spot.status == expected
    assert spot.rating == "excellent"
    assert "Đã làm 50%" in spot.progress
    with pytest.raises(InvalidTransitionError):
        services.bright_spot_transition(
            actor=org.bcd, spot_id=spot.pk, action="approve"
        )
    counts = selectors.bright_spot_counts(user=org.bcd, year=YEAR)
    assert counts[0]["registered"] == 1
    assert counts[0]["evaluated"] == 1


S = BrightSpotStatus


def test_inspection_conclusion_creates_follow_ups(org, program):
    inspection = services.inspection_plan(
        actor=org.bcd,
        unit=org.hamlet_b,
        planned_on=dt.date(YEAR, 11, 20),
        team="Tổ kiểm tra",
        scope="Chương trình năm",
        program=program,
    )
    with pytest.raises(InvalidTransitionError):
        services.inspection_conclude(
            actor=org.bcd,
            inspection_id=inspection.pk,
            number="01/TB",
            date=dt.date(YEAR, 11, 25),
            text="Kết luận",
        )
    services.inspection_record(
        actor=org.bcd,
        inspection_id=inspection.pk,
        held_on=dt.date(YEAR, 11, 20),
        findings="Chưa có chương trình",
    )
    inspection = services.inspection_conclude(
        actor=org.bcd,
        inspection_id=inspection.pk,
        number="01/TB",
        date=dt.date(YEAR, 11, 25),
        text="Yêu cầu xây dựng chương trình",
        follow_ups=[
            ("Gửi chương trình", dt.date(YEAR, 12, 5)),
            ("Báo cáo khắc phục", dt.date(YEAR, 12, 20)),
        ],
    )
    assert inspection.status == InspectionStatus.CONCLUDED
    first, second = inspection.follow_ups.order_by("due_on")
    assert first.is_overdue(dt.date(YEAR, 12, 6))
    with pytest.raises(PermissionDeniedError):
        services.inspection_plan(
            actor=org.officer_b,
            unit=org.hamlet_b,
            planned_on=dt.date(YEAR, 12, 1),
            team="x",
            scope="y",
        )
    done = services.follow_up_complete(
        actor=org.officer_b, follow_up_id=first.pk, today=dt.date(YEAR, 12, 1)
    )
    assert done.status == FollowUpStatus.DONE
    section = selectors.report_section(
        org.root, dt.date(YEAR, 7, 1), dt.date(YEAR, 12, 31)
    )
    assert section["inspections"]["held"] == 1
    assert section["inspections"]["follow_ups_done"] == 1
    assert section["inspections"]["follow_ups_open"] == 1
    assert section["inspections"]["conclusions"][0]["number"] == "01/TB"


def test_report_section_counts_tasks_by_quarter_and_spots(org, program):
    for quarter in (3, 4):
        services.task_create(
            actor=org.bcd,
            program=program,
            title=f"Q{quarter}",
            kind="direct",
            quarters=[quarter],
        )
    task = program.tasks.get(title="Q3")
    services.task_progress(
        actor=org.bcd,
        task_id=task.pk,
        status=TaskStatus.DONE,
        note="Xong",
        today=dt.date(YEAR, 9, 1),
    )
    spot = _spot(org)
    services.bright_spot_transition(actor=org.bcd, spot_id=spot.pk, action="approve")
    section = selectors.report_section(
        org.root, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    )
    assert section["tasks"]["by_quarter"][3] == {"total": 1, "done": 1, "overdue": 0}
    assert section["tasks"]["total"] == 2
    assert section["bright_spots"]["approved"] == ["Xóm sạch"]


def test_the_annual_report_draft_states_the_program_figures(org, program):
    """Section II.7 of the DVCQ report is written from the program."""
    from types import SimpleNamespace

    from reports.documents import program_paragraphs

    services.task_create(
        actor=org.bcd, program=program, title="Q4", kind="direct", quarters=[4]
    )
    spot = _spot(org)
    services.bright_spot_transition(actor=org.bcd, spot_id=spot.pk, action="approve")
    summary = SimpleNamespace(
        unit=org.root,
        period=SimpleNamespace(start=dt.date(YEAR, 1, 1), end=dt.date(YEAR, 12, 31)),
    )
    section = selectors.report_section(
        org.root, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    )
    text = " ".join(program_paragraphs(summary))
    assert f"Trong {section['tasks']['total']} nhiệm vụ" in text
    assert "được phê duyệt 1: Xóm sạch" in text
