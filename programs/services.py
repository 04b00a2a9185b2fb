"""Every write of the work program: programs, tasks and their progress,
bright spots (through ``BRIGHT_SPOT_TRANSITIONS``), inspections and their
follow-up actions, reminders to late units. Each is atomic, locks the row it
changes first and refuses with a ``feedback.errors.DomainError``."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback.errors import (
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from feedback.models import Membership, Notification, Role, Unit
from programs import permissions
from programs.files import check_evidence_file
from programs.models import (
    BrightSpot,
    BrightSpotStatus,
    FollowUpAction,
    FollowUpStatus,
    Inspection,
    InspectionStatus,
    ProgramTask,
    Rating,
    ReminderLog,
    TaskEvidence,
    TaskKind,
    TaskNote,
    TaskStatus,
    WorkProgram,
    quarter_end,
)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDeniedError()


PROGRAM_FIELDS = frozenset(
    {
        "title",
        "parent_program",
        "number",
        "issued_on",
        "signer_name",
        "legal_bases",
        "focus_areas",
        "units_due_on",
        "required_units",
        "half_year_report_due_on",
        "annual_report_due_on",
    }
)
_PROGRAM_LIMITS = {"title": 255, "number": 60, "signer_name": 120}


def _clean_lines(values) -> list[str]:
    """A list of documents or areas: text lines, trimmed, blanks dropped."""
    if isinstance(values, str):
        values = values.splitlines()
    return [str(text).strip() for text in values or () if str(text).strip()]


def _clean_program_values(
    actor, values: dict, *, errors: dict, unit: Unit, year: int, program=None
) -> dict:
    """Check a program's values (all, or those changed); put messages in
    ``errors`` and return the cleaned values."""
    cleaned = dict(values)
    for name, limit in _PROGRAM_LIMITS.items():
        if name in values:
            cleaned[name] = str(values[name] or "").strip()
            if len(cleaned[name]) > limit:
                errors[name] = _("At most %(limit)s characters.") % {"limit": limit}
    if "title" in values and not cleaned["title"]:
        errors["title"] = _("Enter the program's title.")
    for name in ("legal_bases", "focus_areas"):
        if name in values:
            cleaned[name] = _clean_lines(values[name])
    parent = values.get("parent_program")
    if parent is not None:
        if parent.year != year:
            errors["parent_program"] = _("The committee's program is of another year.")
        elif (
            parent.parent_program_id is not None
            or parent.unit_id == unit.pk
            or not permissions.can_read(actor, parent.unit)
        ):
            errors["parent_program"] = _("Choose the steering committee's program.")
        elif program is not None and program.unit_programs.exists():
            errors["parent_program"] = _(
                "Units implement this program; it cannot implement another."
            )
    if values.get("required_units"):
        required = list(values["required_units"])
        if any(
            u.pk == unit.pk or not permissions.can_review(actor, u) for u in required
        ):
            errors["required_units"] = _(
                "Only units the program's unit oversees can be asked to submit."
            )
        cleaned["required_units"] = required
    for name in ("units_due_on", "half_year_report_due_on", "annual_report_due_on"):
        day = values.get(name)
        if day is not None and not year - 1 <= day.year <= year + 1:
            errors[name] = _("The date must be close to the program's year.")
    return cleaned


@transaction.atomic
def program_create(
    *,
    actor,
    unit: Unit,
    year: int,
    title: str,
    parent_program: WorkProgram | None = None,
    number: str = "",
    issued_on: dt.date | None = None,
    signer_name: str = "",
    legal_bases: list[str] = (),
    focus_areas: list[str] = (),
    units_due_on: dt.date | None = None,
    required_units=(),
    half_year_report_due_on: dt.date | None = None,
    annual_report_due_on: dt.date | None = None,
) -> WorkProgram:
    """Create ``unit``'s program for ``year``; one per unit and year. A
    unit's own program names the committee's as ``parent_program``: creating
    it is how the unit submits its program."""
    _require(permissions.can_edit(actor, unit))
    if not 2000 <= year <= 2099:
        raise InvalidInputError(fields={"year": _("Enter a year from 2000 to 2099.")})
    errors = {}
    if WorkProgram.objects.filter(unit=unit, year=year).exists():
        errors["year"] = _("This unit already has a program for that year.")
    values = _clean_program_values(
        actor,
        {
            "title": title,
            "parent_program": parent_program,
            "number": number,
            "issued_on": issued_on,
            "signer_name": signer_name,
            "legal_bases": legal_bases,
            "focus_areas": focus_areas,
            "units_due_on": units_due_on,
            "required_units": required_units,
            "half_year_report_due_on": half_year_report_due_on,
            "annual_report_due_on": annual_report_due_on,
        },
        errors=errors,
        unit=unit,
        year=year,
    )
    if errors:
        raise InvalidInputError(fields=errors)
    required = values.pop("required_units")
    program = WorkProgram.objects.create(
        unit=unit, year=year, created_by=actor, **values
    )
    if required:
        program.required_units.set(required)
    return program


@transaction.atomic
def program_update(*, actor, program_id: int, changes: dict) -> WorkProgram:
    """Change the program's values given in ``changes`` (any of
    ``PROGRAM_FIELDS``); its unit and year never change."""
    unknown = set(changes) - PROGRAM_FIELDS
    if unknown:
        raise InvalidInputError(
            fields={name: _("This field cannot be changed.") for name in unknown}
        )
    program = (
        WorkProgram.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=program_id)
        .first()
    )
    if program is None or not permissions.can_read(actor, program.unit):
        raise NotFoundError()
    _require(permissions.can_edit(actor, program.unit))
    errors = {}
    values = _clean_program_values(
        actor,
        changes,
        errors=errors,
        unit=program.unit,
        year=program.year,
        program=program,
    )
    if errors:
        raise InvalidInputError(fields=errors)
    required = values.pop("required_units", None)
    for name, value in values.items():
        setattr(program, name, value)
    program.save(update_fields=[*values, "updated_at"])
    if required is not None:
        program.required_units.set(required)
    return program


def task_due_on(year: int, quarters, due_on: dt.date | None) -> dt.date:
    """A task is due on its date, else at the end of its last quarter."""
    if due_on is not None:
        return due_on
    return quarter_end(year, max(quarters))


def _clean_quarters(quarters) -> list[int]:
    try:
        cleaned = sorted({int(q) for q in quarters})
    except (TypeError, ValueError):
        cleaned = [0]
    if any(q not in (1, 2, 3, 4) for q in cleaned):
        raise InvalidInputError(fields={"quarters": _("Quarters are 1 to 4.")})
    return cleaned


TASK_FIELDS = frozenset(
    {
        "title",
        "kind",
        "quarters",
        "due_on",
        "lead_unit",
        "cooperating_units",
        "status",
        "position",
    }
)


def _check_task_units(actor, values: dict, errors: dict) -> None:
    """Lead and co-operating units must be units the actor may read (its
    own, its subtree, its committee): never another commune's."""
    units = list(values.get("cooperating_units") or ())
    if values.get("lead_unit") is not None:
        units.append(values["lead_unit"])
    if not units:
        return
    readable = set(
        permissions.readable_units(actor)
        .filter(pk__in=[unit.pk for unit in units])
        .values_list("pk", flat=True)
    )
    if values.get("lead_unit") is not None and values["lead_unit"].pk not in readable:
        errors["lead_unit"] = _("Choose a unit of your commune.")
    if any(unit.pk not in readable for unit in values.get("cooperating_units") or ()):
        errors["cooperating_units"] = _("Choose units of your commune.")


@transaction.atomic
def task_create(
    *,
    actor,
    program: WorkProgram,
    title: str,
    kind: str,
    quarters=(),
    due_on: dt.date | None = None,
    lead_unit: Unit | None = None,
    cooperating_units=(),
    position: int = 0,
) -> ProgramTask:
    """Add a task for the given quarters or due date (at least one)."""
    _require(permissions.can_edit(actor, program.unit))
    quarters = _clean_quarters(quarters)
    errors = {}
    if not title.strip():
        errors["title"] = _("Enter the task.")
    if kind not in TaskKind.values:
        errors["kind"] = _("Choose a kind of task.")
    if not quarters and due_on is None:
        errors["quarters"] = _("Choose the quarters or a due date.")
    if due_on is not None and due_on.year != program.year:
        errors["due_on"] = _("The due date must fall in the program's year.")
    _check_task_units(
        actor,
        {"lead_unit": lead_unit, "cooperating_units": cooperating_units},
        errors,
    )
    if errors:
        raise InvalidInputError(fields=errors)
    task = ProgramTask.objects.create(
        program=program,
        title=title.strip(),
        kind=kind,
        quarters=quarters,
        due_on=task_due_on(program.year, quarters, due_on),
        lead_unit=lead_unit,
        position=position,
    )
    if cooperating_units:
        task.cooperating_units.set(cooperating_units)
    return task


@transaction.atomic
def task_update(*, actor, task_id: int, changes: dict, today: dt.date) -> ProgramTask:
    """Change the task's values given in ``changes`` (any of
    ``TASK_FIELDS``). A ``due_on`` given is the due date (``None``: the end
    of the last quarter); ``quarters`` given without ``due_on`` move the due
    date to the end of the last quarter. A change of status is kept as a
    progress note, as ``task_progress`` keeps it."""
    unknown = set(changes) - TASK_FIELDS
    if unknown:
        raise InvalidInputError(
            fields={name: _("This field cannot be changed.") for name in unknown}
        )
    task = (
        ProgramTask.objects.select_for_update(of=("self",))
        .select_related("program__unit")
        .filter(pk=task_id)
        .first()
    )
    if task is None or not permissions.can_read(actor, task.program.unit):
        raise NotFoundError()
    _require(permissions.can_edit(actor, task.program.unit))
    year = task.program.year
    errors = {}
    values = dict(changes)
    if "title" in values:
        values["title"] = str(values["title"] or "").strip()
        if not values["title"]:
            errors["title"] = _("Enter the task.")
    if "kind" in values and values["kind"] not in TaskKind.values:
        errors["kind"] = _("Choose a kind of task.")
    if "status" in values and values["status"] not in TaskStatus.values:
        errors["status"] = _("Choose a status.")
    if "position" in values:
        try:
            values["position"] = int(values["position"])
        except (TypeError, ValueError):
            values["position"] = -1
        if not 0 <= values["position"] <= 32767:
            errors["position"] = _("Enter a position from 0 to 32767.")
    quarters = task.quarters
    if "quarters" in values:
        quarters = _clean_quarters(values["quarters"] or ())
        values["quarters"] = quarters
    if "due_on" in values or "quarters" in values:
        due_on = values.get("due_on")
        if not quarters and due_on is None:
            errors["quarters"] = _("Choose the quarters or a due date.")
        elif due_on is not None and due_on.year != year:
            errors["due_on"] = _("The due date must fall in the program's year.")
        else:
            values["due_on"] = task_due_on(year, quarters, due_on)
    _check_task_units(actor, values, errors)
    if errors:
        raise InvalidInputError(fields=errors)
    cooperating = values.pop("cooperating_units", None)
    status_changed = "status" in values and values["status"] != task.status
    if status_changed:
        values["done_on"] = today if values["status"] == TaskStatus.DONE else None
    for name, value in values.items():
        setattr(task, name, value)
    task.save(update_fields=[*values, "updated_at"])
    if cooperating is not None:
        task.cooperating_units.set(cooperating)
    if status_changed:
        TaskNote.objects.create(
            task=task,
            text=_("Status changed when the task was edited."),
            status_after=task.status,
            author=actor,
            created_at=timezone.now(),
        )
    return task


@transaction.atomic
def task_progress(
    *, actor, task_id: int, status: str, note: str, today: dt.date, evidence=None
) -> ProgramTask:
    """Record progress on a task: its new status, a note (kept forever) and
    optionally an evidence file (PDF, JPEG or PNG)."""
    task = (
        ProgramTask.objects.select_for_update(of=("self",))
        .select_related("program__unit", "lead_unit")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFoundError()
    units = [task.program.unit] + ([task.lead_unit] if task.lead_unit else [])
    _require(any(permissions.can_edit(actor, unit) for unit in units))
    errors = {}
    if status not in TaskStatus.values:
        errors["status"] = _("Choose a status.")
    if not note.strip():
        errors["note"] = _("Describe what was done.")
    checked = None
    if evidence is not None:
        try:
            checked = check_evidence_file(evidence)
        except InvalidInputError as error:
            errors.update(error.fields)
    if errors:
        raise InvalidInputError(fields=errors)
    now = timezone.now()
    task.status = status
    task.done_on = today if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "done_on", "updated_at"])
    TaskNote.objects.create(
        task=task, text=note.strip(), status_after=status, author=actor, created_at=now
    )
    if checked is not None:
        content_type, extension = checked
        record = TaskEvidence(
            task=task,
            content_type=content_type,
            size=evidence.size,
            uploaded_by=actor,
            created_at=now,
        )
        record.file.save(f"{uuid.uuid4().hex}{extension}", evidence, save=False)
        record.save()
    return task


# --------------------------------------------------------------------------
# Bright spots
# --------------------------------------------------------------------------

UNIT = "unit"
REVIEWER = "reviewer"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    by: str
    label: str
    needs: str = ""  # the input the guard requires


S = BrightSpotStatus
BRIGHT_SPOT_TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(
        frozenset({S.REGISTERED}), S.APPROVED, REVIEWER, gettext_lazy("Approve")
    ),
    "return": Transition(
        frozenset({S.REGISTERED}),
        S.RETURNED,
        REVIEWER,
        gettext_lazy("Return with comments"),
        needs="comment",
    ),
    "resubmit": Transition(
        frozenset({S.RETURNED}), S.REGISTERED, UNIT, gettext_lazy("Resubmit")
    ),
    "report_progress": Transition(
        frozenset({S.APPROVED}),
        S.APPROVED,
        UNIT,
        gettext_lazy("Report progress"),
        needs="text",
    ),
    "report_result": Transition(
        frozenset({S.APPROVED}),
        S.REPORTED,
        UNIT,
        gettext_lazy("Report the result"),
        needs="text",
    ),
    "evaluate": Transition(
        frozenset({S.REPORTED}),
        S.EVALUATED,
        REVIEWER,
        gettext_lazy("Evaluate"),
        needs="rating",
    ),
}


def bright_spot_actions(user, spot: BrightSpot) -> list[str]:
    """The actions ``user`` may take on ``spot`` now."""
    allowed = []
    for name, transition in BRIGHT_SPOT_TRANSITIONS.items():
        if spot.status not in transition.sources:
            continue
        if transition.by == REVIEWER and permissions.can_review(user, spot.unit):
            allowed.append(name)
        elif transition.by == UNIT and permissions.can_edit(user, spot.unit):
            allowed.append(name)
    return allowed


@transaction.atomic
def bright_spot_register(
    *,
    actor,
    unit: Unit,
    year: int,
    title: str,
    field: str,
    goal: str,
    period: str,
    expected_result: str,
) -> BrightSpot:
    """A unit registers a bright spot; the committee then approves or
    returns it."""
    _require(permissions.can_edit(actor, unit))
    values = {
        "title": title.strip(),
        "field": field.strip(),
        "goal": goal.strip(),
        "period": period.strip(),
        "expected_result": expected_result.strip(),
    }
    errors = {name: _("This field is required.") for name, v in values.items() if not v}
    if not 2000 <= year <= 2099:
        errors["year"] = _("Enter a year from 2000 to 2099.")
    if errors:
        raise InvalidInputError(fields=errors)
    return BrightSpot.objects.create(
        unit=unit, year=year, registered_by=actor, **values
    )


@transaction.atomic
def bright_spot_transition(
    *,
    actor,
    spot_id: int,
    action: str,
    comment: str = "",
    text: str = "",
    rating: str = "",
) -> BrightSpot:
    """Apply ``action`` from ``BRIGHT_SPOT_TRANSITIONS`` with its guard."""
    spot = (
        BrightSpot.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=spot_id)
        .first()
    )
    if spot is None or not permissions.can_read(actor, spot.unit):
        raise NotFoundError()
    transition = BRIGHT_SPOT_TRANSITIONS.get(action)
    if transition is None or spot.status not in transition.sources:
        raise InvalidTransitionError(
            _("The bright spot's status does not allow this action."),
            allowed=bright_spot_actions(actor, spot),
        )
    allowed_by = (
        permissions.can_review if transition.by == REVIEWER else permissions.can_edit
    )
    _require(allowed_by(actor, spot.unit))
    if transition.needs == "comment" and not comment.strip():
        raise InvalidInputError(fields={"comment": _("Say what must be changed.")})
    if transition.needs == "text" and not text.strip():
        raise InvalidInputError(fields={"text": _("Describe the progress or result.")})
    if transition.needs == "rating" and rating not in Rating.values:
        raise InvalidInputError(fields={"rating": _("Choose a rating.")})
    fields = ["status", "updated_at"]
    if action == "return":
        spot.review_comment = comment.strip()
        fields.append("review_comment")
    elif action == "report_progress":
        stamp = timezone.localdate().strftime("%d/%m/%Y")
        spot.progress = "\n".join(
            part for part in (spot.progress, f"{stamp}: {text.strip()}") if part
        )
        fields.append("progress")
    elif action == "report_result":
        spot.result = text.strip()
        fields.append("result")
    elif action == "evaluate":
        spot.rating = rating
        spot.evaluation_comment = comment.strip()
        fields += ["rating", "evaluation_comment"]
    spot.status = transition.target
    spot.save(update_fields=fields)
    return spot


# --------------------------------------------------------------------------
# Inspections
# --------------------------------------------------------------------------


@transaction.atomic
def inspection_plan(
    *,
    actor,
    unit: Unit,
    planned_on: dt.date,
    team: str,
    scope: str,
    program: WorkProgram | None = None,
) -> Inspection:
    """Plan an inspection of ``unit`` (by the committee or a supervisor)."""
    _require(permissions.can_review(actor, unit))
    errors = {}
    if not team.strip():
        errors["team"] = _("Name the inspection team.")
    if not scope.strip():
        errors["scope"] = _("Describe what will be inspected.")
    if errors:
        raise InvalidInputError(fields=errors)
    return Inspection.objects.create(
        program=program,
        unit=unit,
        planned_on=planned_on,
        team=team.strip(),
        scope=scope.strip(),
    )


def _locked_inspection(actor, inspection_id) -> Inspection:
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None or not permissions.can_read(actor, inspection.unit):
        raise NotFoundError()
    _require(permissions.can_review(actor, inspection.unit))
    return inspection


@transaction.atomic
def inspection_record(
    *, actor, inspection_id: int, held_on: dt.date, findings: str
) -> Inspection:
    """Record that the inspection was held and what it found."""
    inspection = _locked_inspection(actor, inspection_id)
    if inspection.status == InspectionStatus.CONCLUDED:
        raise InvalidTransitionError(
            _("The conclusion has been issued; the findings can no longer change.")
        )
    if not findings.strip():
        raise InvalidInputError(fields={"findings": _("Record the findings.")})
    inspection.status = InspectionStatus.HELD
    inspection.held_on = held_on
    inspection.findings = findings.strip()
    inspection.save(update_fields=["status", "held_on", "findings", "updated_at"])
    return inspection


@transaction.atomic
def inspection_conclude(
    *,
    actor,
    inspection_id: int,
    number: str,
    date: dt.date,
    text: str,
    follow_ups: list[tuple[str, dt.date]] = (),
) -> Inspection:
    """Issue the written conclusion (thông báo kết luận) of a held inspection
    and create the follow-up actions it requires."""
    inspection = _locked_inspection(actor, inspection_id)
    if inspection.status != InspectionStatus.HELD:
        raise InvalidTransitionError(
            _("Only an inspection that was held can be concluded.")
        )
    errors = {}
    if not number.strip():
        errors["number"] = _("Enter the conclusion's number.")
    if not text.strip():
        errors["text"] = _("Enter the conclusion.")
    if inspection.held_on and date < inspection.held_on:
        errors["date"] = _("The conclusion cannot predate the inspection.")
    for title, due_on in follow_ups:
        if not title.strip() or due_on < date:
            errors["follow_ups"] = _(
                "Each follow-up action needs a text and a due date after the "
                "conclusion."
            )
    if errors:
        raise InvalidInputError(fields=errors)
    inspection.status = InspectionStatus.CONCLUDED
    inspection.conclusion_number = number.strip()
    inspection.conclusion_date = date
    inspection.conclusion_text = text.strip()
    inspection.save(
        update_fields=[
            "status",
            "conclusion_number",
            "conclusion_date",
            "conclusion_text",
            "updated_at",
        ]
    )
    FollowUpAction.objects.bulk_create(
        FollowUpAction(inspection=inspection, title=title.strip(), due_on=due_on)
        for title, due_on in follow_ups
    )
    return inspection


@transaction.atomic
def follow_up_complete(*, actor, follow_up_id: int, today: dt.date) -> FollowUpAction:
    """The inspected unit (or its reviewers) marks a follow-up action done."""
    action = (
        FollowUpAction.objects.select_for_update(of=("self",))
        .select_related("inspection__unit")
        .filter(pk=follow_up_id)
        .first()
    )
    if action is None or not permissions.can_read(actor, action.inspection.unit):
        raise NotFoundError()
    _require(permissions.can_edit(actor, action.inspection.unit))
    if action.status == FollowUpStatus.DONE:
        raise InvalidTransitionError(_("This action is already done."))
    action.status = FollowUpStatus.DONE
    action.done_on = today
    action.save(update_fields=["status", "done_on", "updated_at"])
    return action


# --------------------------------------------------------------------------
# Reminders
# --------------------------------------------------------------------------


def late_programs_remind(*, today: dt.date) -> int:
    """Notify the leaders of each unit late with its own program, at most
    once per unit, program and week; returns the notifications created."""
    from programs.selectors import late_program_units

    week = today - dt.timedelta(days=today.weekday())
    created = 0
    for program, unit in late_program_units(today):
        with transaction.atomic():
            _log, fresh = ReminderLog.objects.get_or_create(
                program=program,
                unit=unit,
                week=week,
                defaults={"created_at": timezone.now()},
            )
            if not fresh:
                continue
            leaders = Membership.objects.filter(
                unit=unit, role=Role.LEADER, user__is_active=True
            ).values_list("user_id", flat=True)
            now = timezone.now()
            rows = [
                Notification(
                    recipient_id=user_id,
                    kind="program_late",
                    title=_("%(unit)s has not submitted its %(year)s work program")
                    % {"unit": unit.name, "year": program.year},
                    body=_("It was due on %(date)s.")
                    % {"date": program.units_due_on.strftime("%d/%m/%Y")},
                    url=reverse("program-detail", args=[program.pk]),
                    created_at=now,
                )
                for user_id in leaders
            ]
            Notification.objects.bulk_create(rows)
            created += len(rows)
    return created
