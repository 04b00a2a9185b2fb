"""Creating and changing programs and tasks: who may, what is checked, and
that a refusal changes nothing."""

import datetime as dt

import pytest

from feedback.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from programs import selectors, services
from programs.models import ProgramTask, TaskNote, TaskStatus, WorkProgram

pytestmark = pytest.mark.django_db
YEAR = 2024
TODAY = dt.date(YEAR, 4, 2)


def _unit_program(org, program, unit=None, actor=None):
    return services.program_create(
        actor=actor or org.officer_a,
        unit=unit or org.hamlet_a,
        year=YEAR,
        title="CT xóm A",
        parent_program=program,
    )


def _snapshot(model, pk):
    return model.objects.filter(pk=pk).values().get()


def test_a_unit_submits_its_program_and_the_late_list_updates(org, program):
    """Hamlet A's officer creates its own program under the committee's: A
    is no longer late, B still is."""
    late_before = {unit for _p, unit in selectors.late_program_units(TODAY)}
    assert late_before == {org.hamlet_a, org.hamlet_b}
    own = services.program_create(
        actor=org.officer_a,
        unit=org.hamlet_a,
        year=YEAR,
        title="  CT xóm A  ",
        parent_program=program,
        legal_bases=["Kế hoạch 12/KH-UBND", " ", "Chỉ thị 33"],
    )
    assert own.title == "CT xóm A"
    assert own.legal_bases == ["Kế hoạch 12/KH-UBND", "Chỉ thị 33"]
    late_after = {unit for _p, unit in selectors.late_program_units(TODAY)}
    assert late_after == {org.hamlet_b}
    rows = {
        row["unit"]: row
        for row in selectors.unit_program_status(program=program, today=TODAY)
    }
    assert rows[org.hamlet_a]["program"] == own
    assert rows[org.hamlet_b]["late"] is True


BAD_PROGRAMS = {
    "title": lambda org, program, other_year: {"title": " "},
    "parent_program": lambda org, program, other_year: {"parent_program": other_year},
    "required_units": lambda org, program, other_year: {"required_units": [org.other]},
    "units_due_on": lambda org, program, other_year: {
        "units_due_on": dt.date(2030, 1, 1)
    },
}


@pytest.mark.parametrize("field", sorted(BAD_PROGRAMS))
def test_program_create_refuses_bad_input_and_creates_nothing(org, program, field):
    other_year = services.program_create(
        actor=org.bcd, unit=org.steering, year=YEAR + 1, title="CT 2025"
    )
    values = {"title": "CT xóm A", "parent_program": program}
    values.update(BAD_PROGRAMS[field](org, program, other_year))
    count = WorkProgram.objects.count()
    with pytest.raises(InvalidInputError) as refused:
        services.program_create(actor=org.bcd, unit=org.hamlet_a, year=YEAR, **values)
    assert field in refused.value.fields
    assert WorkProgram.objects.count() == count


def test_a_program_cannot_implement_a_units_program(org, program):
    own = _unit_program(org, program)
    with pytest.raises(InvalidInputError) as refused:
        services.program_create(
            actor=org.bcd,
            unit=org.hamlet_b,
            year=YEAR,
            title="CT",
            parent_program=own,
        )
    assert "parent_program" in refused.value.fields


def test_a_unit_cannot_create_or_edit_another_units_program(org, program):
    """Hamlet A may not create B's program, nor change B's or the
    committee's; the committee changes all in its commune; an outsider
    does not even find them."""
    with pytest.raises(PermissionDeniedError):
        _unit_program(org, program, unit=org.hamlet_b, actor=org.officer_a)
    own_b = _unit_program(org, program, unit=org.hamlet_b, actor=org.leader_b)
    before_b = _snapshot(WorkProgram, own_b.pk)
    before_committee = _snapshot(WorkProgram, program.pk)
    with pytest.raises(NotFoundError):
        services.program_update(
            actor=org.officer_a, program_id=own_b.pk, changes={"title": "X"}
        )
    with pytest.raises(PermissionDeniedError):
        services.program_update(
            actor=org.officer_a, program_id=program.pk, changes={"title": "X"}
        )
    with pytest.raises(NotFoundError):
        services.program_update(
            actor=org.outsider, program_id=program.pk, changes={"title": "X"}
        )
    assert _snapshot(WorkProgram, own_b.pk) == before_b
    assert _snapshot(WorkProgram, program.pk) == before_committee
    updated = services.program_update(
        actor=org.bcd,
        program_id=own_b.pk,
        changes={"title": "CT xóm B (sửa)", "focus_areas": "Dân chủ\n\nCCHC"},
    )
    assert updated.title == "CT xóm B (sửa)"
    assert updated.focus_areas == ["Dân chủ", "CCHC"]


def test_program_update_changes_only_what_is_given(org, program):
    services.program_update(
        actor=org.bcd,
        program_id=program.pk,
        changes={
            "number": "05/CTr-BCĐ",
            "required_units": [org.hamlet_a],
            "units_due_on": dt.date(YEAR, 4, 1),
        },
    )
    program.refresh_from_db()
    assert program.number == "05/CTr-BCĐ"
    assert list(program.required_units.all()) == [org.hamlet_a]
    assert program.units_due_on == dt.date(YEAR, 4, 1)
    assert program.title.startswith("Chương trình công tác")
    assert program.legal_bases == ["Chỉ thị số 33/CT-TTg ngày 26/11/2021"]


def test_program_update_refuses_unknown_fields_and_bad_values(org, program):
    before = _snapshot(WorkProgram, program.pk)
    with pytest.raises(InvalidInputError) as refused:
        services.program_update(
            actor=org.bcd, program_id=program.pk, changes={"year": 2030}
        )
    assert "year" in refused.value.fields
    with pytest.raises(InvalidInputError) as refused:
        services.program_update(
            actor=org.bcd,
            program_id=program.pk,
            changes={"number": "x" * 61, "title": "Mới"},
        )
    assert set(refused.value.fields) == {"number"}
    _unit_program(org, program)
    other = services.program_create(
        actor=org.supervisor, unit=org.root, year=YEAR, title="CT xã"
    )
    with pytest.raises(InvalidInputError) as refused:
        services.program_update(
            actor=org.supervisor,
            program_id=program.pk,
            changes={"parent_program": other},
        )
    assert "parent_program" in refused.value.fields
    assert _snapshot(WorkProgram, program.pk) == before


def _task(org, program, **values):
    defaults = {"title": "Hội nghị", "kind": "meeting", "quarters": [1]}
    return services.task_create(
        actor=org.bcd, program=program, **{**defaults, **values}
    )


def test_task_update_moves_due_date_with_quarters_or_date(org, program):
    task = _task(org, program, lead_unit=org.steering)
    task = services.task_update(
        actor=org.bcd,
        task_id=task.pk,
        changes={
            "quarters": [2, 3],
            "cooperating_units": [org.hamlet_a, org.hamlet_b],
            "lead_unit": org.hamlet_a,
            "kind": "check",
        },
        today=TODAY,
    )
    task.refresh_from_db()
    assert task.quarters == [2, 3]
    assert task.due_on == dt.date(YEAR, 9, 30)
    assert task.kind == "check"
    assert task.lead_unit == org.hamlet_a
    assert set(task.cooperating_units.all()) == {org.hamlet_a, org.hamlet_b}
    services.task_update(
        actor=org.bcd,
        task_id=task.pk,
        changes={"due_on": dt.date(YEAR, 8, 15)},
        today=TODAY,
    )
    task.refresh_from_db()
    assert task.due_on == dt.date(YEAR, 8, 15)
    assert task.quarters == [2, 3]


def test_task_status_change_sets_done_date_and_leaves_a_note(org, program):
    task = _task(org, program)
    services.task_update(
        actor=org.bcd, task_id=task.pk, changes={"status": "done"}, today=TODAY
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.done_on == TODAY
    note = TaskNote.objects.get(task=task)
    assert note.status_after == TaskStatus.DONE and note.author == org.bcd
    services.task_update(
        actor=org.bcd, task_id=task.pk, changes={"status": "done"}, today=TODAY
    )
    assert TaskNote.objects.filter(task=task).count() == 1  # no change, no note
    services.task_update(
        actor=org.bcd,
        task_id=task.pk,
        changes={"status": "in_progress"},
        today=TODAY,
    )
    task.refresh_from_db()
    assert task.done_on is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": "party"}, "kind"),
        ({"status": "lost"}, "status"),
        ({"quarters": [], "due_on": None}, "quarters"),
        ({"quarters": [5]}, "quarters"),
        ({"due_on": dt.date(YEAR + 1, 1, 5)}, "due_on"),
        ({"position": -1}, "position"),
        ({"lead_unit": "other"}, "lead_unit"),
        ({"cooperating_units": "other"}, "cooperating_units"),
        ({"program": "x"}, "program"),
    ],
)
def test_task_update_refuses_bad_input_and_changes_nothing(
    org, program, changes, field
):
    task = _task(org, program, cooperating_units=[org.hamlet_a])
    changes = {
        name: (
            (org.other if name == "lead_unit" else [org.other])
            if value == "other"
            else value
        )
        for name, value in changes.items()
    }
    before = _snapshot(ProgramTask, task.pk)
    with pytest.raises(InvalidInputError) as refused:
        services.task_update(
            actor=org.bcd, task_id=task.pk, changes=changes, today=TODAY
        )
    assert field in refused.value.fields
    assert _snapshot(ProgramTask, task.pk) == before
    assert list(task.cooperating_units.all()) == [org.hamlet_a]
    assert not TaskNote.objects.exists()


def test_units_edit_their_own_tasks_the_committee_all(org, program):
    """A hamlet edits tasks of its own program, not the committee's nor
    another hamlet's; the committee edits the hamlet's."""
    committee_task = _task(org, program, lead_unit=org.hamlet_a)
    own_a = _unit_program(org, program)
    own_b = _unit_program(org, program, unit=org.hamlet_b, actor=org.officer_b)
    task_a = services.task_create(
        actor=org.officer_a,
        program=own_a,
        title="Họp xóm",
        kind="meeting",
        quarters=[2],
    )
    task_b = services.task_create(
        actor=org.officer_b,
        program=own_b,
        title="Họp xóm B",
        kind="meeting",
        quarters=[2],
    )
    with pytest.raises(PermissionDeniedError):
        services.task_create(
            actor=org.officer_a, program=own_b, title="X", kind="direct", quarters=[1]
        )
    with pytest.raises(PermissionDeniedError):
        services.task_update(
            actor=org.officer_a,
            task_id=committee_task.pk,
            changes={"title": "X"},
            today=TODAY,
        )
    with pytest.raises(NotFoundError):
        services.task_update(
            actor=org.officer_a, task_id=task_b.pk, changes={"title": "X"}, today=TODAY
        )
    assert ProgramTask.objects.get(pk=task_b.pk).title == "Họp xóm B"
    assert ProgramTask.objects.get(pk=committee_task.pk).title == "Hội nghị"
    services.task_update(
        actor=org.officer_a, task_id=task_a.pk, changes={"title": "Họp"}, today=TODAY
    )
    services.task_update(
        actor=org.bcd, task_id=task_b.pk, changes={"title": "Họp B"}, today=TODAY
    )
    assert ProgramTask.objects.get(pk=task_a.pk).title == "Họp"
    assert ProgramTask.objects.get(pk=task_b.pk).title == "Họp B"


def test_task_create_refuses_units_of_another_commune(org, program):
    with pytest.raises(InvalidInputError) as refused:
        _task(org, program, lead_unit=org.other, cooperating_units=[org.other])
    assert set(refused.value.fields) == {"lead_unit", "cooperating_units"}
    assert not ProgramTask.objects.exists()
