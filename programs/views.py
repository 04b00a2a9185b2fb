"""Pages of the work program: thin views over ``programs.selectors`` and
``programs.services``. Hidden records answer 404, refused changes 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from feedback.errors import DomainError, NotFoundError, PermissionDeniedError
from feedback.files import file_response, file_view
from feedback.models import Unit
from programs import permissions, selectors, services
from programs.forms import (
    BrightSpotActionForm,
    BrightSpotForm,
    FollowUpFormSet,
    InspectionConcludeForm,
    InspectionPlanForm,
    InspectionRecordForm,
    ProgramForm,
    TaskForm,
    TaskProgressForm,
    YearForm,
    apply_domain_error,
    follow_up_rows,
)
from programs.models import InspectionStatus, ProgramTask, TaskEvidence, WorkProgram


def _posted(request, files=False):
    """The request's data when it is a POST (an empty POST still binds)."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST


def _forbidden(request):
    return render(request, "programs/forbidden.html", status=403)


def _save(request, form, write, message, *, valid=True):
    """Run ``write`` for a posted, valid form and redirect to where it says.

    A refusal answers the 403 page; any other domain error lands on the form
    (and ``None`` tells the view to show the form again)."""
    if request.method != "POST" or not valid or not form.is_valid():
        return None
    try:
        target = write()
    except PermissionDeniedError:
        return _forbidden(request)
    except DomainError as error:
        apply_domain_error(form, error)
        return None
    messages.success(request, message)
    return redirect(target)


def _task_anchor(task) -> str:
    return reverse("program-detail", args=[task.program_id]) + f"#task-{task.pk}"


@login_required
def program_list(request):
    """The programs of the year the user may read, with task progress; the
    committee's first."""
    today = timezone.localdate()
    form = YearForm(request.GET or None, initial={"year": today.year})
    year = form.cleaned_data["year"] if form.is_valid() else today.year
    programs = list(selectors.program_list(user=request.user, year=year))
    return render(
        request,
        "programs/program_list.html",
        {
            "form": form,
            "year": year,
            "programs": programs,
            "spot_counts": selectors.bright_spot_counts(user=request.user, year=year),
            "can_register": permissions.editable_units(request.user).exists(),
        },
    )


@login_required
def program_detail(request, pk):
    """One program by quarter, its units' programs, bright spots,
    inspections and reports received or missing."""
    try:
        program = selectors.program_get(user=request.user, program_id=pk)
    except NotFoundError:
        raise Http404 from None
    today = timezone.localdate()
    context = selectors.program_overview(
        user=request.user, program=program, today=today
    )
    context["today"] = today
    user = request.user
    # Units asked to submit whose program the user may submit now.
    context["can_submit"] = [
        row["unit"]
        for row in context["unit_programs"]
        if row["program"] is None and permissions.can_edit(user, row["unit"])
    ]
    for inspection in context["inspections"]:
        inspection.can_review = permissions.can_review(user, inspection.unit)
    # The task's lead unit records progress too (as ``task_progress`` allows).
    for _quarter, tasks in context["quarters"]:
        for task in tasks:
            task.can_progress = context["can_edit"] or bool(
                task.lead_unit and permissions.can_edit(user, task.lead_unit)
            )
    for _unit, spots in context["bright_spots"]:
        for spot in spots:
            spot.actions = [
                (name, services.BRIGHT_SPOT_TRANSITIONS[name].label)
                for name in services.bright_spot_actions(request.user, spot)
            ]
    return render(request, "programs/program_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_progress(request, pk):
    """Record progress on a task (status, note, evidence)."""
    task = (
        ProgramTask.objects.select_related("program__unit", "lead_unit")
        .filter(pk=pk)
        .first()
    )
    if task is None or not permissions.can_read(request.user, task.program.unit):
        raise Http404
    units = [task.program.unit] + ([task.lead_unit] if task.lead_unit else [])
    if not any(permissions.can_edit(request.user, unit) for unit in units):
        return _forbidden(request)
    form = TaskProgressForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        initial={"status": task.status},
    )

    def write():
        services.task_progress(
            actor=request.user,
            task_id=task.pk,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            evidence=form.cleaned_data["evidence"],
            today=timezone.localdate(),
        )
        return _task_anchor(task)

    if done := _save(request, form, write, _("Progress recorded.")):
        return done
    notes = task.notes.select_related("author").order_by("created_at")
    return render(
        request,
        "programs/task_progress.html",
        {"task": task, "form": form, "notes": notes, "evidence": task.evidence.all()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def bright_spot_register(request):
    """A unit registers a "Dân vận khéo" bright spot."""
    units = permissions.editable_units(request.user).order_by("path")
    if not units.exists():
        return _forbidden(request)
    today = timezone.localdate()
    form = BrightSpotForm(
        _posted(request),
        units=units,
        initial={"year": today.year},
    )

    def write():
        data = form.cleaned_data
        services.bright_spot_register(actor=request.user, **data)
        return reverse("programs") + f"?year={data['year']}"

    if done := _save(request, form, write, _("The bright spot was registered.")):
        return done
    return render(request, "programs/bright_spot_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def bright_spot_action(request, pk, action):
    """Approve, return, report on or evaluate a bright spot."""
    try:
        spot = selectors.bright_spot_get(user=request.user, spot_id=pk)
    except NotFoundError:
        raise Http404 from None
    transition = services.BRIGHT_SPOT_TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    if action not in services.bright_spot_actions(request.user, spot):
        return _forbidden(request)
    form = BrightSpotActionForm(_posted(request), needs=transition.needs)

    def write():
        services.bright_spot_transition(
            actor=request.user,
            spot_id=spot.pk,
            action=action,
            comment=form.cleaned_data.get("comment", ""),
            text=form.cleaned_data.get("text", ""),
            rating=form.cleaned_data.get("rating", ""),
        )
        return reverse("programs") + f"?year={spot.year}"

    if done := _save(request, form, write, _("The bright spot was updated.")):
        return done
    return render(
        request,
        "programs/bright_spot_action.html",
        {"spot": spot, "form": form, "transition": transition, "action": action},
    )


@login_required
@require_POST
def follow_up_complete(request, pk):
    """Mark an inspection's follow-up action done."""
    try:
        action = services.follow_up_complete(
            actor=request.user, follow_up_id=pk, today=timezone.localdate()
        )
    except NotFoundError:
        raise Http404 from None
    except PermissionDeniedError:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("programs")
    messages.success(request, _("The follow-up action is done."))
    program_id = action.inspection.program_id
    if program_id:
        return redirect("program-detail", program_id)
    return redirect("programs")


@file_view
def evidence_file(request, pk):
    """An evidence file of a task, as a download, to those who may read its
    program; anyone else (anonymous users too) gets a 404."""
    evidence = (
        TaskEvidence.objects.select_related("task__program__unit").filter(pk=pk).first()
    )
    if evidence is None or not permissions.can_read(
        request.user, evidence.task.program.unit
    ):
        raise Http404
    return file_response(
        evidence.file,
        filename=evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.content_type,
    )


# --------------------------------------------------------------------------
# Programs and tasks
# --------------------------------------------------------------------------


def _program_form(request, *, data, initial, program=None):
    user = request.user
    parents = (
        selectors.programs_visible_to(user)
        .filter(parent_program__isnull=True)
        .order_by("-year", "unit__path")
    )
    if program is not None:
        parents = parents.filter(year=program.year).exclude(pk=program.pk)
    return ProgramForm(
        data,
        initial=initial,
        units=permissions.editable_units(user).order_by("path"),
        parents=parents,
        reviewed=Unit.objects.filter(permissions.review_condition(user)).order_by(
            "path"
        ),
        creating=program is None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request):
    """Create a work program: the committee's for a year, or a unit's own
    (which is how the unit submits it to the committee)."""
    user = request.user
    if not permissions.editable_units(user).exists():
        return _forbidden(request)
    initial = {"year": timezone.localdate().year}
    parent = None
    if request.GET.get("parent", "").isdigit():
        parent = (
            selectors.programs_visible_to(user).filter(pk=request.GET["parent"]).first()
        )
    if parent is not None:
        initial.update(parent_program=parent.pk, year=parent.year)
    if request.GET.get("unit", "").isdigit():
        initial["unit"] = int(request.GET["unit"])
    form = _program_form(request, data=_posted(request), initial=initial)

    def write():
        program = services.program_create(
            actor=user,
            unit=form.cleaned_data["unit"],
            year=form.cleaned_data["year"],
            **form.service_values(),
        )
        return reverse("program-detail", args=[program.pk])

    if done := _save(request, form, write, _("The work program was saved.")):
        return done
    return render(
        request, "programs/program_form.html", {"form": form, "program": None}
    )


def _program_initial(program: WorkProgram) -> dict:
    return {
        "parent_program": program.parent_program_id,
        "title": program.title,
        "number": program.number,
        "issued_on": program.issued_on,
        "signer_name": program.signer_name,
        "legal_bases": program.legal_bases,
        "focus_areas": program.focus_areas,
        "required_units": list(program.required_units.all()),
        "units_due_on": program.units_due_on,
        "half_year_report_due_on": program.half_year_report_due_on,
        "annual_report_due_on": program.annual_report_due_on,
    }


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request, pk):
    """Change a program's title, number, legal bases, focus areas, the units
    asked to submit and the due dates."""
    try:
        program = selectors.program_get(user=request.user, program_id=pk)
    except NotFoundError:
        raise Http404 from None
    if not permissions.can_edit(request.user, program.unit):
        return _forbidden(request)
    form = _program_form(
        request,
        data=_posted(request),
        initial=_program_initial(program),
        program=program,
    )

    def write():
        services.program_update(
            actor=request.user, program_id=program.pk, changes=form.service_values()
        )
        return reverse("program-detail", args=[program.pk])

    if done := _save(request, form, write, _("The work program was saved.")):
        return done
    return render(
        request, "programs/program_form.html", {"form": form, "program": program}
    )


def _task_units(user):
    return permissions.readable_units(user).order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request, pk):
    """Add a task to a program."""
    try:
        program = selectors.program_get(user=request.user, program_id=pk)
    except NotFoundError:
        raise Http404 from None
    if not permissions.can_edit(request.user, program.unit):
        return _forbidden(request)
    form = TaskForm(
        _posted(request),
        units=_task_units(request.user),
        initial={"lead_unit": program.unit_id, "position": 0},
    )

    def write():
        return _task_anchor(
            services.task_create(
                actor=request.user, program=program, **form.service_values()
            )
        )

    if done := _save(request, form, write, _("The task was added.")):
        return done
    return render(
        request,
        "programs/task_form.html",
        {"form": form, "program": program, "task": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    """Change a task: its text, quarters or due date, units, kind, status."""
    task = (
        ProgramTask.objects.select_related("program__unit")
        .prefetch_related("cooperating_units")
        .filter(pk=pk)
        .first()
    )
    if task is None or not permissions.can_read(request.user, task.program.unit):
        raise Http404
    if not permissions.can_edit(request.user, task.program.unit):
        return _forbidden(request)
    explicit_due = not task.quarters or task.due_on != services.task_due_on(
        task.program.year, task.quarters, None
    )
    form = TaskForm(
        _posted(request),
        units=_task_units(request.user),
        editing=True,
        initial={
            "title": task.title,
            "kind": task.kind,
            "quarters": task.quarters,
            "due_on": task.due_on if explicit_due else None,
            "lead_unit": task.lead_unit_id,
            "cooperating_units": list(task.cooperating_units.all()),
            "status": task.status,
            "position": task.position,
        },
    )

    def write():
        services.task_update(
            actor=request.user,
            task_id=task.pk,
            changes=form.service_values(),
            today=timezone.localdate(),
        )
        return _task_anchor(task)

    if done := _save(request, form, write, _("The task was saved.")):
        return done
    return render(
        request,
        "programs/task_form.html",
        {"form": form, "program": task.program, "task": task},
    )


# --------------------------------------------------------------------------
# Inspections
# --------------------------------------------------------------------------


def _after_inspection(inspection) -> str:
    if inspection.program_id:
        return reverse("program-detail", args=[inspection.program_id])
    return reverse("programs")


@login_required
@require_http_methods(["GET", "POST"])
def inspection_plan(request, pk):
    """Plan an inspection of a unit under the program."""
    try:
        program = selectors.program_get(user=request.user, program_id=pk)
    except NotFoundError:
        raise Http404 from None
    units = (
        Unit.objects.filter(permissions.review_condition(request.user))
        .exclude(pk=program.unit_id)
        .order_by("path")
    )
    if not units.exists():
        return _forbidden(request)
    form = InspectionPlanForm(_posted(request), units=units)

    def write():
        services.inspection_plan(
            actor=request.user, program=program, **form.cleaned_data
        )
        return reverse("program-detail", args=[program.pk])

    if done := _save(request, form, write, _("The inspection was planned.")):
        return done
    return render(
        request,
        "programs/inspection_form.html",
        {
            "form": form,
            "program": program,
            "inspection": None,
            "heading": _("Plan an inspection"),
            "submit": _("Plan"),
        },
    )


def _reviewed_inspection(request, pk):
    """The inspection (404 if hidden) and whether the user reviews it."""
    try:
        inspection = selectors.inspection_get(user=request.user, inspection_id=pk)
    except NotFoundError:
        raise Http404 from None
    return inspection, permissions.can_review(request.user, inspection.unit)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_record(request, pk):
    """Record that an inspection was held and what it found."""
    inspection, reviews = _reviewed_inspection(request, pk)
    if not reviews:
        return _forbidden(request)
    form = InspectionRecordForm(
        _posted(request),
        initial={
            "held_on": inspection.held_on or inspection.planned_on,
            "findings": inspection.findings,
        },
    )

    def write():
        services.inspection_record(
            actor=request.user, inspection_id=inspection.pk, **form.cleaned_data
        )
        return _after_inspection(inspection)

    if done := _save(request, form, write, _("The findings were recorded.")):
        return done
    return render(
        request,
        "programs/inspection_form.html",
        {
            "form": form,
            "program": inspection.program,
            "inspection": inspection,
            "heading": _("Record the findings"),
            "submit": _("Save"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_conclude(request, pk):
    """Issue the written conclusion and the follow-up actions it requires."""
    inspection, reviews = _reviewed_inspection(request, pk)
    if not reviews:
        return _forbidden(request)
    data = _posted(request)
    form = InspectionConcludeForm(data, initial={"date": timezone.localdate()})
    formset = FollowUpFormSet(data, prefix="follow_ups")
    closed = inspection.status != InspectionStatus.HELD

    def write():
        services.inspection_conclude(
            actor=request.user,
            inspection_id=inspection.pk,
            follow_ups=follow_up_rows(formset),
            **form.cleaned_data,
        )
        return _after_inspection(inspection)

    message = _("The conclusion was issued.")
    valid = not closed and formset.is_valid()
    if done := _save(request, form, write, message, valid=valid):
        return done
    return render(
        request,
        "programs/inspection_conclude.html",
        {
            "form": form,
            "formset": formset,
            "inspection": inspection,
            "closed": closed,
        },
        status=409 if closed and request.method == "POST" else 200,
    )
