"""Staff pages: the units' work queue ("My work") and the case page with the
workflow actions the user may take.

Views stay thin: the selectors in ``feedback.selectors.queue`` read (always
scoped by ``permissions.cases_visible_to``), ``case_transition`` writes, and
party details reach the templates only through
``presentation.masked_party_value``.  A case the user may not view is a 404,
never a 403.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import permissions, workflow
from feedback.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
)
from feedback.files import attachment_is_confidential
from feedback.models import (
    OPEN_STATUSES,
    AnswerStatus,
    BodyClass,
    Case,
    CaseKind,
    Outcome,
    PartyRole,
    Status,
)
from feedback.presentation import (
    masked_party_value,
    masked_values,
    person_name_of,
)
from feedback.selectors import queue
from feedback.selectors.cases import CaseRows, list_rows, local_today, page_ids
from feedback.selectors.counts import cached_page
from feedback.services.cases import case_allowed_actions, case_transition
from feedback.services.identity import CONTEXT_CASE_PAGE, identity_access_record
from feedback.staff_forms import ACTION_FORMS, PAGE_SIZES, QueueFilterForm
from feedback.tracking import format_code

PARTY_FIELDS = ("full_name", "national_id", "phone", "email", "address")
# Who the queue names as the petitioner of a case, first come first.
PETITIONER_ROLES = (PartyRole.PETITIONER, PartyRole.REPRESENTATIVE)


# --------------------------------------------------------------------------
# The work queue
# --------------------------------------------------------------------------


def due_badge(days: int | None) -> tuple[str, str] | None:
    """The badge of a stage deadline ``days`` working days away (negative:
    late): its style and its words; ``None`` for no open deadline."""
    if days is None:
        return None
    if days < 0:
        return "late", _("%(count)s working days overdue") % {"count": -days}
    if days == 0:
        return "soon", _("Due today")
    label = _("%(count)s working days left") % {"count": days}
    return ("soon" if days <= 3 else "ok"), label


def _queue_rows(user, page: CaseRows, *, today, calendar) -> list[dict]:
    """The page's rows as the queue shows them, from plain values: a table of
    twenty rows reads a few hundred values, and a template finds a dict's
    keys at the first try where it probes a model's attributes.  Labels are
    plain strings in the current language, quick to keep in the cache."""
    kinds = dict(CaseKind.choices)
    statuses = dict(Status.choices)
    rows = []
    for row in page.rows:
        petitioner, masked = _petitioner_label(user, row, page)
        days = queue.days_left_until(
            row["stage_due_on"],
            is_open=row["status"] in OPEN_STATUSES,
            today=today,
            calendar=calendar,
        )
        rows.append(
            {
                "id": row["id"],
                "code": format_code(row["code"]),
                "title": row["title"],
                "kind": row["kind"],
                "kind_label": str(kinds.get(row["kind"], row["kind"])),
                "field": row["field__name"],
                "is_mass": row["is_mass"],
                "is_prolonged": row["is_prolonged"],
                "is_hot_spot": row["is_hot_spot"],
                "is_complex": row["is_complex"],
                "status_label": str(statuses.get(row["status"], row["status"])),
                "is_overdue": bool(row["is_overdue"]),
                "petitioner": petitioner,
                "petitioner_masked": masked,
                "hamlet": row["location_unit__name"] or "",
                "unit": row["responsible_unit__name"],
                "assignee": None
                if row["assignee_id"] is None
                else person_name_of(
                    row["assignee__first_name"],
                    row["assignee__last_name"],
                    row["assignee__username"],
                ),
                "received_at": row["received_at"],
                "stage_due_on": row["stage_due_on"],
                "days_left": days,
                "due": due_badge(days),
            }
        )
    return rows


def _petitioner_label(user, row: dict, page: CaseRows) -> tuple[str, bool]:
    """The first petitioner's name as the list shows it.  A denouncer is never
    named in lists, even to those entitled: the case page shows (and logs)
    the identity."""
    if row["is_anonymous"]:
        return _("Anonymous"), True
    petitioners = [p for p in row["parties"] if p["role"] in PETITIONER_ROLES]
    if not petitioners:
        return "", False
    if row["kind"] == CaseKind.DENUNCIATION:
        return _("(confidential)"), True
    [name] = masked_values(
        {"full_name": petitioners[0]["full_name"]},
        role=petitioners[0]["role"],
        identity_visible=permissions.can_see_identity_in_row(
            user,
            kind=row["kind"],
            unit_id=row["responsible_unit_id"],
            unit_path=row["responsible_unit__path"],
            assignee_id=row["assignee_id"],
            created_by_id=row["created_by_id"],
            collaborating_unit_ids=lambda: page.collaborating_unit_ids(row["id"]),
        ),
    ).values()
    others = len(petitioners) - 1
    if others > 0:
        name = _("%(name)s and %(count)s more") % {"name": name, "count": others}
    return name, False


def _use_cached_choices(form, user) -> None:
    """The selects render from cached lists rather than by querying each
    time (a value sent is still checked against the field's queryset)."""
    for name, options in queue.queue_choice_lists(user).items():
        if name in form.fields:
            field = form.fields[name]
            field.choices = [("", field.empty_label), *options]


class _CountedRows:
    """What ``Paginator`` needs of a list whose size is known and whose page
    is already read: its count, and no rows of its own."""

    def __init__(self, count: int):
        self._count = count

    def count(self) -> int:
        return self._count

    def __getitem__(self, index):
        return []


def _queue_content(request) -> dict:
    """My work's content for the request's filters, rendered, with the
    figures the page's context gives: the deadline buckets, and where the
    page is in the list."""
    user = request.user
    today = local_today()
    calendar = queue.queue_calendar(today)
    form = QueueFilterForm(request.GET or None, user=user)
    _use_cached_choices(form, user)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    per_page = form.page_size()
    cases = queue.queue_cases(
        user=user, filters=filters, today=today, calendar=calendar
    )
    # The page's ids in a subquery of the query that reads its rows as plain
    # values (``list_rows``).
    page = Paginator(page_ids(cases), per_page).get_page(request.GET.get("page"))
    rows = _queue_rows(
        user, list_rows(cases, page.object_list), today=today, calendar=calendar
    )
    page.object_list = rows
    counts = queue.queue_bucket_counts(
        user=user, filters=filters, today=today, calendar=calendar
    )
    content = render_to_string(
        "feedback/staff/_queue_content.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": counts,
            "bucket": filters.bucket,
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "overdue_units": queue.overdue_by_unit(user=user, today=today),
            "show_unit": queue.is_subtree_viewer(user)
            or len(permissions.memberships_of(user)) > 1,
            "today": today,
            "filters_cache_seconds": queue.CHOICES_CACHE_SECONDS,
            # The form's labels are in the page's language.
            "filters_cache_key": (
                f"{queue.queue_choices_key(user)}|{get_language()}|"
                f"{request.GET.urlencode()}"
            ),
        },
        request=request,
    )
    return {
        "content": content,
        "counts": counts,
        "count": page.paginator.count,
        "number": page.number,
        "per_page": per_page,
    }


@login_required
def work_queue(request):
    """The "My work" page: the cases the user may see, most urgent first,
    with filters, search, deadline buckets and (for supervisors) overdue
    counts per unit.  Re-opened with the same filters, it is answered from
    the cache until the cases change (``cached_page``): staff come back to
    it all day."""
    snapshot = cached_page(
        # A new shape of what is kept gets a new name: a deploy never reads
        # what the previous code kept.
        "work-queue/4",
        user=request.user,
        address=request.get_full_path(),
        compute=lambda: _queue_content(request),
    )
    page = Paginator(_CountedRows(snapshot["count"]), snapshot["per_page"]).page(
        snapshot["number"]
    )
    return render(
        request,
        "feedback/staff/queue.html",
        {"content": snapshot["content"], "counts": snapshot["counts"], "page": page},
    )


# --------------------------------------------------------------------------
# The case page
# --------------------------------------------------------------------------


def _case_or_404(user, pk: int) -> Case:
    try:
        return queue.case_page_get(user=user, case_id=pk)
    except NotFoundError:
        raise Http404(_("Case not found.")) from None


@dataclass
class PartyRow:
    role: str
    values: dict
    masked: bool


def _party_rows(user, case: Case) -> tuple[list[PartyRow], bool]:
    """Parties as ``user`` may see them, and whether a denouncer's identity
    is shown."""
    rows = []
    reveals = False
    identity = permissions.can_see_identity(user, case)
    for party in case.parties.all():
        values = {name: masked_party_value(user, party, name) for name in PARTY_FIELDS}
        rows.append(
            PartyRow(
                role=party.get_role_display(),
                values=values,
                masked=party.is_protected and not identity,
            )
        )
        reveals = reveals or (identity and party.reveals_denouncer)
    return rows, reveals


@dataclass
class AttachmentRow:
    name: str
    masked: bool
    attachment: object


def _attachment_rows(user, case: Case) -> list[AttachmentRow]:
    identity = permissions.can_see_identity(user, case)
    rows = []
    for attachment in case.attachments.all():
        # The download's rule (``feedback.files``) for a user who sees the case.
        hidden = attachment_is_confidential(attachment, case) and not identity
        rows.append(
            AttachmentRow(
                name=_("(confidential attachment)")
                if hidden
                else attachment.original_name,
                masked=hidden,
                attachment=attachment,
            )
        )
    return rows


def _date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _event_rows(events, grounds: dict[str, str]) -> list[dict]:
    labels = {
        "stage_due_on": _("Due date"),
        "from_due_on": _("Previous final due date"),
        "to_due_on": _("New final due date"),
        "assignee": _("Assigned to"),
        "from_unit": _("From unit"),
        "to_unit": _("To unit"),
        "unit": _("Co-operating unit"),
        "due_on": _("Sub-deadline"),
        "number": _("Answer version"),
        "outcome": _("Outcome"),
        "decision_number": _("Decision number"),
        "legal_ground": _("Legal ground"),
        "to_body": _("Receiving body"),
        "to_body_class": _("Class of the receiving body"),
        "field": _("Corrected field"),
        "old": _("Old value"),
        "new": _("New value"),
    }
    outcomes = dict(Outcome.choices)
    body_classes = dict(BodyClass.choices)
    rows = []
    for event in events:
        details = []
        for key, label in labels.items():
            value = event.data.get(key)
            if value in (None, "", []):
                continue
            if key in ("stage_due_on", "from_due_on", "to_due_on", "due_on"):
                value = _date(value)
            elif key == "outcome":
                value = outcomes.get(value, value)
            elif key == "to_body_class":
                value = body_classes.get(value, value)
            elif key == "legal_ground":
                value = grounds.get(value, value)
            elif key == "field":
                with contextlib.suppress(FieldDoesNotExist):
                    value = Case._meta.get_field(value).verbose_name
            details.append((label, value))
        action = workflow.ACTIONS.get(event.action)
        rows.append(
            {
                "event": event,
                "title": action.label if action else event.get_kind_display(),
                "status_change": (
                    event.from_status
                    and event.to_status
                    and event.from_status != event.to_status
                ),
                "details": details,
            }
        )
    return rows


def _action_forms(request, case: Case, *, bound=None) -> tuple[list, str]:
    """The forms of the actions the user may take now, the ``bound`` one (sent
    back with errors) in place of its blank twin; and a note on extensions
    when the law allows no more."""
    user = request.user
    forms = []
    extension_note = ""
    answers = list(case.answers.all())
    has_pending = bool(answers) and answers[-1].status == AnswerStatus.DRAFT
    for name in case_allowed_actions(actor=user, case=case):
        form_class = ACTION_FORMS.get(name)
        if form_class is None:
            continue
        if name == "publish" and (
            case.kind == CaseKind.DENUNCIATION or case.published_at is not None
        ):
            continue
        if name == "return_answer" and not has_pending:
            continue
        if name == "return_to_dispatcher" and (
            case.dispatch_unit_id is None
            or case.dispatch_unit_id == case.responsible_unit_id
        ):
            continue
        form = (
            bound
            if bound is not None and bound.action == name
            else form_class(case=case, user=user)
        )
        if name == "extend":
            form.new_due_on = queue.extension_preview(case)
            if form.new_due_on is None:
                extension_note = _("The law allows no further extension.")
                continue
        forms.append(form)
    return forms, extension_note


def _render_case(request, case: Case, *, bound=None):
    user = request.user
    today = local_today()
    calendar = queue.queue_calendar(today)
    days_left = queue.days_left(case, today=today, calendar=calendar)
    parties, reveals_identity = _party_rows(user, case)
    if reveals_identity:
        identity_access_record(user=user, case=case, context=CONTEXT_CASE_PAGE)
    action_forms, extension_note = _action_forms(request, case, bound=bound)
    if bound is not None and bound not in action_forms and bound.errors:
        # The action is no longer offered (the case moved on): say why.
        for error in bound.non_field_errors():
            messages.error(request, error)
    events = queue.case_events(case=case)
    grounds = queue.legal_ground_articles(e.data.get("legal_ground") for e in events)
    return render(
        request,
        "feedback/staff/case_detail.html",
        {
            "case": case,
            "today": today,
            "stage_label": workflow.STAGE_LABELS.get(case.stage, case.stage),
            "days_left": days_left,
            "due": due_badge(days_left),
            "parties": parties,
            "identity_shown": reveals_identity,
            "attachments": _attachment_rows(user, case),
            "collaborators": list(case.collaborators.all()),
            "answers": list(case.answers.all()),
            "events": _event_rows(events, grounds),
            "history": queue.case_history(case=case),
            "action_forms": action_forms,
            "open_action": bound.action if bound is not None else "",
            "extension_note": extension_note,
            "flags": [
                label
                for flag, label in (
                    ("is_mass", _("Mass petition")),
                    ("is_prolonged", _("Prolonged")),
                    ("is_hot_spot", _("Hot spot")),
                    ("is_complex", _("Complex")),
                    ("is_anonymous", _("Anonymous")),
                    ("is_second_time", _("Second-time complaint")),
                    ("is_mixed", _("Mixed content")),
                )
                if getattr(case, flag)
            ],
        },
    )


@login_required
def case_detail(request, pk: int):
    """Everything about one case on one screen, with the allowed actions."""
    return _render_case(request, _case_or_404(request.user, pk))


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    """Apply one workflow action from its form, then redirect (PRG); a form
    with errors or a stale version comes back with the user's input."""
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    user = request.user
    case = _case_or_404(user, pk)
    form = form_class(request.POST, case=case, user=user)
    if not form.is_valid():
        return _render_case(request, case, bound=form)
    try:
        case_transition(
            case_id=case.pk,
            action=action,
            actor=user,
            data=form.service_data(),
            expected_version=form.cleaned_data["version"],
        )
    except NotFoundError:
        raise Http404 from None
    except ConflictError as error:
        try:
            case = _case_or_404(user, pk)
        except Http404:
            # Moved out of the user's reach in the meantime.
            messages.error(request, str(error.message))
            return redirect("work-queue")
        form = form_class(request.POST, case=case, user=user)
        form.refresh_version(case.version)
        form.is_valid()
        form.add_error(None, str(error.message))
        return _render_case(request, case, bound=form)
    except InvalidInputError as error:
        # Next to the field of the same name, else above the form.
        for name, message in error.fields.items():
            form.add_error(name if name in form.fields else None, str(message))
        if not error.fields:
            form.add_error(None, str(error.message))
        return _render_case(request, case, bound=form)
    except DomainError as error:
        # Not allowed, or no longer allowed in the case's current state.
        messages.error(request, str(error.message))
        return redirect("case-detail", pk=case.pk)
    messages.success(
        request,
        _("Done: %(action)s.") % {"action": workflow.ACTIONS[action].label},
    )
    refreshed = Case.objects.select_related("responsible_unit").get(pk=case.pk)
    if not permissions.can_view_case(user, refreshed):
        # Transferred away or returned to the dispatcher: no longer ours.
        return redirect("work-queue")
    return redirect("case-detail", pk=case.pk)
