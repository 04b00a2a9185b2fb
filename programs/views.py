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
from programs import permissions, selectors, services
from programs.forms import (
    BrightSpotActionForm,
    BrightSpotForm,
    TaskProgressForm,
    YearForm,
    apply_domain_error,
)
from programs.models import ProgramTask


def _posted(request, files=False):
    """The request's data when it is a POST (an empty POST still binds)."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST


def _forbidden(request):
    return render(request, "programs/forbidden.html", status=403)


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
    if request.method == "POST" and form.is_valid():
        try:
            services.task_progress(
                actor=request.user,
                task_id=task.pk,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data["evidence"],
                today=timezone.localdate(),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect(
                reverse("program-detail", args=[task.program_id]) + f"#task-{task.pk}"
            )
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.bright_spot_register(
                actor=request.user,
                unit=data["unit"],
                year=data["year"],
                title=data["title"],
                field=data["field"],
                goal=data["goal"],
                period=data["period"],
                expected_result=data["expected_result"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The bright spot was registered."))
            return redirect(reverse("programs") + f"?year={data['year']}")
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
    if request.method == "POST" and form.is_valid():
        try:
            services.bright_spot_transition(
                actor=request.user,
                spot_id=spot.pk,
                action=action,
                comment=form.cleaned_data.get("comment", ""),
                text=form.cleaned_data.get("text", ""),
                rating=form.cleaned_data.get("rating", ""),
            )
        except PermissionDeniedError:
            return _forbidden(request)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The bright spot was updated."))
            return redirect(reverse("programs") + f"?year={spot.year}")
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
