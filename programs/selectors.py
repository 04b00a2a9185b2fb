"""Reads of the work program, scoped by ``programs.permissions``; "overdue"
is computed here from ``due_on`` and ``today``, never stored."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.apps import apps
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from feedback.errors import NotFoundError
from feedback.models import Unit
from programs import permissions
from programs.models import (
    BrightSpot,
    BrightSpotStatus,
    FollowUpAction,
    FollowUpStatus,
    Inspection,
    InspectionStatus,
    ProgramTask,
    TaskStatus,
    WorkProgram,
)


def _overdue(today: dt.date) -> Case:
    return Case(
        When(~Q(status=TaskStatus.DONE) & Q(due_on__lt=today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def programs_visible_to(user) -> QuerySet[WorkProgram]:
    """Programs of the units the user may read."""
    if not getattr(user, "is_authenticated", False):
        return WorkProgram.objects.none()
    return WorkProgram.objects.filter(
        permissions.read_condition(user, prefix="unit__")
    ).select_related("unit", "parent_program")


def program_list(*, user, year: int | None = None) -> QuerySet[WorkProgram]:
    programs = programs_visible_to(user).annotate(
        task_count=Count("tasks", distinct=True),
        done_count=Count(
            "tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True
        ),
    )
    if year is not None:
        programs = programs.filter(year=year)
    return programs.order_by("-year", "unit__path")


def program_get(*, user, program_id: int) -> WorkProgram:
    """The program if the user may read it; ``NotFoundError`` otherwise."""
    program = programs_visible_to(user).filter(pk=program_id).first()
    if program is None:
        raise NotFoundError()
    return program


def program_tasks(*, program: WorkProgram, today: dt.date) -> QuerySet[ProgramTask]:
    """The program's tasks with ``overdue`` computed, units prefetched."""
    return (
        ProgramTask.objects.filter(program=program)
        .select_related("lead_unit")
        .prefetch_related(
            Prefetch("cooperating_units", queryset=Unit.objects.order_by("path"))
        )
        .annotate(overdue=_overdue(today), note_count=Count("notes"))
        .order_by("due_on", "position", "id")
    )


def tasks_by_quarter(tasks) -> list[tuple[int, list[ProgramTask]]]:
    """Tasks grouped under each of their quarters (a task dated without a
    quarter sits in the quarter of its due date)."""
    groups: dict[int, list[ProgramTask]] = {q: [] for q in (1, 2, 3, 4)}
    for task in tasks:
        for quarter in task.quarters or [(task.due_on.month - 1) // 3 + 1]:
            groups[quarter].append(task)
    return list(groups.items())


def late_program_units(today: dt.date) -> list[tuple[WorkProgram, Unit]]:
    """(committee program, unit) for each unit asked to submit its own
    program whose due date has passed without one."""
    programs = (
        WorkProgram.objects.filter(units_due_on__lt=today)
        .prefetch_related(
            Prefetch("required_units", queryset=Unit.objects.order_by("path")),
            Prefetch("unit_programs", queryset=WorkProgram.objects.only("unit_id")),
        )
        .order_by("pk")
    )
    late = []
    for program in programs:
        submitted = {child.unit_id for child in program.unit_programs.all()}
        late.extend(
            (program, unit)
            for unit in program.required_units.all()
            if unit.pk not in submitted
        )
    return late


def unit_program_status(*, program: WorkProgram, today: dt.date) -> list[dict]:
    """For each unit asked to submit: its program (if any), whether it came
    after the due date, and whether it is late now."""
    children = {child.unit_id: child for child in program.unit_programs.all()}
    due = program.units_due_on
    rows = []
    for unit in program.required_units.all():
        child = children.get(unit.pk)
        submitted_on = child.created_at.date() if child else None
        rows.append(
            {
                "unit": unit,
                "program": child,
                "submitted_on": submitted_on,
                "late": bool(due and child is None and due < today),
                "submitted_late": bool(due and submitted_on and submitted_on > due),
            }
        )
    return rows


def _submitted_report_model():
    """``reports.SubmittedReport``, or ``None`` when reports is not installed:
    reports imports programs, so programs never imports reports."""
    try:
        return apps.get_model("reports", "SubmittedReport")
    except LookupError:
        return None


def report_receipts(*, program: WorkProgram, today: dt.date) -> list[dict]:
    """For the 6-month and annual reports the program asks of its units:
    who sent theirs (a ``SubmittedReport`` of the period) and who is missing."""
    periods = []
    year = program.year
    if program.half_year_report_due_on:
        periods.append(
            (
                "half_year",
                dt.date(year, 1, 1),
                dt.date(year, 6, 30),
                program.half_year_report_due_on,
            )
        )
    if program.annual_report_due_on:
        periods.append(
            (
                "annual",
                dt.date(year, 1, 1),
                dt.date(year, 12, 31),
                program.annual_report_due_on,
            )
        )
    units = list(program.required_units.all())
    model = _submitted_report_model()
    received = set()
    if model is not None and periods and units:
        received = set(
            model.objects.filter(
                unit__in=units,
                period_start=dt.date(year, 1, 1),
                period_end__in=[end for _, _, end, _ in periods],
            ).values_list("unit_id", "period_end")
        )
    return [
        {
            "period": name,
            "start": start,
            "end": end,
            "due_on": due_on,
            "received": [u for u in units if (u.pk, end) in received],
            "missing": [u for u in units if (u.pk, end) not in received],
            "is_due": due_on < today,
        }
        for name, start, end, due_on in periods
    ]


def bright_spot_list(
    *, user, year: int | None = None, unit: Unit | None = None
) -> QuerySet[BrightSpot]:
    spots = BrightSpot.objects.filter(
        permissions.read_condition(user, prefix="unit__")
    ).select_related("unit")
    if year is not None:
        spots = spots.filter(year=year)
    if unit is not None:
        spots = spots.filter(unit=unit)
    return spots.order_by("unit__path", "id")


def bright_spot_get(*, user, spot_id: int) -> BrightSpot:
    spot = bright_spot_list(user=user).filter(pk=spot_id).first()
    if spot is None:
        raise NotFoundError()
    return spot


def bright_spot_counts(*, user, year: int) -> list[dict]:
    """Per unit: bright spots registered, approved (or beyond), evaluated."""
    rows = (
        bright_spot_list(user=user, year=year)
        .values("unit_id", "unit__name")
        .annotate(
            registered=Count("id"),
            approved=Count(
                "id",
                filter=Q(
                    status__in=[
                        BrightSpotStatus.APPROVED,
                        BrightSpotStatus.REPORTED,
                        BrightSpotStatus.EVALUATED,
                    ]
                ),
            ),
            evaluated=Count("id", filter=Q(status=BrightSpotStatus.EVALUATED)),
        )
        .order_by("unit__path")
    )
    return list(rows)


def inspection_list(*, user, year: int | None = None) -> QuerySet[Inspection]:
    inspections = (
        Inspection.objects.filter(permissions.read_condition(user, prefix="unit__"))
        .select_related("unit")
        .prefetch_related(
            Prefetch("follow_ups", queryset=FollowUpAction.objects.order_by("due_on"))
        )
    )
    if year is not None:
        inspections = inspections.filter(planned_on__year=year)
    return inspections.order_by("-planned_on", "id")


def inspection_get(*, user, inspection_id: int) -> Inspection:
    inspection = inspection_list(user=user).filter(pk=inspection_id).first()
    if inspection is None:
        raise NotFoundError()
    return inspection


def program_overview(*, user, program: WorkProgram, today: dt.date) -> dict:
    """Everything the program page shows, in a fixed number of queries."""
    program = (
        WorkProgram.objects.filter(pk=program.pk)
        .select_related("unit", "parent_program__unit")
        .prefetch_related(
            Prefetch("required_units", queryset=Unit.objects.order_by("path")),
            Prefetch(
                "unit_programs",
                queryset=WorkProgram.objects.select_related("unit"),
            ),
        )
        .get()
    )
    tasks = list(program_tasks(program=program, today=today))
    subtree = Q(unit__path__startswith=program.unit.path)
    if program.unit.parent_id:
        # A committee's program covers its whole commune.
        subtree = Q(unit__path__startswith=permissions._commune_path(program.unit))
    spots = list(bright_spot_list(user=user, year=program.year).filter(subtree))
    spots_by_unit: dict[Unit, list[BrightSpot]] = defaultdict(list)
    for spot in spots:
        spots_by_unit[spot.unit].append(spot)
    return {
        "program": program,
        "quarters": tasks_by_quarter(tasks),
        "task_total": len(tasks),
        "task_done": sum(t.status == TaskStatus.DONE for t in tasks),
        "task_overdue": sum(t.overdue for t in tasks),
        "unit_programs": unit_program_status(program=program, today=today),
        "bright_spots": sorted(spots_by_unit.items(), key=lambda item: item[0].path),
        "inspections": list(
            inspection_list(user=user, year=program.year).filter(subtree)
        ),
        "reports": report_receipts(program=program, today=today),
        "can_edit": permissions.can_edit(user, program.unit),
        "can_review": permissions.can_review(user, program.unit),
    }


def report_section(unit: Unit, start: dt.date, end: dt.date) -> dict:
    """Figures for section II.7 of the DVCQ report of ``unit`` (and its
    subtree; for a commune, its steering committee's program) over
    ``start``–``end``: tasks by quarter (total/done/overdue as of ``end``),
    bright spots (registered/approved/evaluated with titles), inspections
    (held, conclusions, follow-ups done/open)."""
    scope = Q(unit__path__startswith=unit.path)
    tasks = (
        ProgramTask.objects.filter(
            Q(program__unit__path__startswith=unit.path)
            | Q(program__unit__parent=unit),
            due_on__gte=start,
            due_on__lte=end,
        )
        .annotate(overdue=_overdue(end))
        .only("quarters", "due_on", "status")
    )
    by_quarter = {q: {"total": 0, "done": 0, "overdue": 0} for q in (1, 2, 3, 4)}
    for task in tasks:
        for quarter in task.quarters or [(task.due_on.month - 1) // 3 + 1]:
            row = by_quarter[quarter]
            row["total"] += 1
            row["done"] += task.status == TaskStatus.DONE
            row["overdue"] += task.overdue
    spots = list(
        BrightSpot.objects.filter(scope, year__gte=start.year, year__lte=end.year)
        .select_related("unit")
        .order_by("unit__path", "id")
    )
    approved_states = {
        BrightSpotStatus.APPROVED,
        BrightSpotStatus.REPORTED,
        BrightSpotStatus.EVALUATED,
    }
    inspections = list(
        Inspection.objects.filter(scope)
        .filter(
            Q(held_on__gte=start, held_on__lte=end)
            | Q(conclusion_date__gte=start, conclusion_date__lte=end)
        )
        .select_related("unit")
        .prefetch_related("follow_ups")
    )
    follow_ups = [f for i in inspections for f in i.follow_ups.all()]
    return {
        "tasks": {
            "by_quarter": by_quarter,
            "total": sum(row["total"] for row in by_quarter.values()),
            "done": sum(row["done"] for row in by_quarter.values()),
            "overdue": sum(row["overdue"] for row in by_quarter.values()),
        },
        "bright_spots": {
            "registered": [s.title for s in spots],
            "approved": [s.title for s in spots if s.status in approved_states],
            "evaluated": [
                {"title": s.title, "unit": s.unit.name, "rating": s.rating}
                for s in spots
                if s.status == BrightSpotStatus.EVALUATED
            ],
        },
        "inspections": {
            "held": sum(1 for i in inspections if i.held_on),
            "conclusions": [
                {
                    "unit": i.unit.name,
                    "number": i.conclusion_number,
                    "date": i.conclusion_date,
                }
                for i in inspections
                if i.status == InspectionStatus.CONCLUDED
            ],
            "follow_ups_done": sum(f.status == FollowUpStatus.DONE for f in follow_ups),
            "follow_ups_open": sum(f.status == FollowUpStatus.OPEN for f in follow_ups),
        },
    }
