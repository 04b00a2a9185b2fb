"""Pages of meetings: plan, record, follow up, report back, publish.

Thin views: parse the form, call one service or selector, render.  Staff
pages need a log-in and show only what ``meetings_visible_to`` allows (a
hidden meeting is a 404); the published results are public.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dialogues import permissions as meeting_permissions
from dialogues import selectors, services, workflow
from dialogues.forms import (
    CalendarUnitForm,
    CancelForm,
    HotSpotForm,
    ItemFormSet,
    ItemProcessForm,
    MeetingFilterForm,
    MeetingForm,
    MergeForm,
    MinutesForm,
    apply_domain_error,
    apply_meeting_error,
    commune_units,
    responsible_unit_choices,
)
from dialogues.models import ItemOutcome, RaisedBy
from feedback import files
from feedback.errors import DomainError, NotFoundError
from feedback.models import UnitKind

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("page_size", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _meeting_or_404(request, pk):
    try:
        return selectors.meeting_get(user=request.user, meeting_id=pk)
    except NotFoundError:
        raise Http404 from None


def _detail(meeting, anchor=""):
    url = reverse("meeting-detail", args=[meeting.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _forbidden(request):
    return render(request, "dialogues/forbidden.html", status=403)


def _domain_refusal(request, meeting, error):
    """A refusal that belongs to no form: a message on the meeting's page."""
    if isinstance(error, NotFoundError):
        raise Http404 from None
    messages.error(request, str(error.message))
    for message in (error.fields or {}).values():
        if str(message) != str(error.message):
            messages.error(request, str(message))
    return _detail(meeting)


# --------------------------------------------------------------------------
# List and planning
# --------------------------------------------------------------------------


@login_required
def meeting_list(request):
    """Meetings the user sees, newest first, with their follow-up counts."""
    form = MeetingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    meetings = selectors.meeting_list(
        user=request.user,
        kind=filters.get("kind") or None,
        status=filters.get("status") or None,
        year=filters.get("year"),
        query=(filters.get("q") or "").strip() or None,
    )
    page = Paginator(meetings, _page_size(request)).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dialogues/meeting_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_plan": meeting_permissions.organiser_units_for(request.user).exists(),
            "today": selectors.local_today(),
            "this_year": selectors.local_today().year,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    if not meeting_permissions.organiser_units_for(request.user).exists():
        return _forbidden(request)
    initial = {"kind": request.GET.get("kind", "")}
    form = MeetingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.meeting_create(
                actor=request.user, **form.service_kwargs()
            )
        except DomainError as error:
            apply_meeting_error(form, error)
        else:
            messages.success(request, _("The meeting is planned."))
            for warning in result.warnings:
                messages.warning(request, warning)
            return _detail(result.meeting)
    return render(
        request, "dialogues/meeting_form.html", {"form": form, "meeting": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _meeting_or_404(request, pk)
    if not meeting_permissions.can_edit_meeting(request.user, meeting):
        return _forbidden(request)
    form = MeetingForm(
        request.POST or None,
        user=request.user,
        initial=MeetingForm.initial_from(meeting),
    )
    if meeting.has_happened:
        for name in services.UPCOMING_ONLY_FIELDS:
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        changes = form.service_kwargs()
        if meeting.has_happened:
            for name in services.UPCOMING_ONLY_FIELDS:
                changes.pop(name, None)
        try:
            result = services.meeting_update(
                meeting_id=meeting.pk,
                actor=request.user,
                changes=changes,
                expected_version=_version(request),
            )
        except DomainError as error:
            apply_meeting_error(form, error)
        else:
            messages.success(request, _("The meeting is updated."))
            for warning in result.warnings:
                messages.warning(request, warning)
            return _detail(meeting)
    return render(
        request, "dialogues/meeting_form.html", {"form": form, "meeting": meeting}
    )


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# --------------------------------------------------------------------------
# One meeting
# --------------------------------------------------------------------------


def _process_forms(request, items, units, data=None):
    """One ``ItemProcessForm`` per pending item, prefixed by its id."""
    return [
        (
            item,
            ItemProcessForm(
                data,
                prefix=f"item-{item.pk}",
                units=units,
                initial={
                    "is_hot_spot": item.is_hot_spot,
                    "responsible_unit": item.responsible_unit_id,
                },
            ),
        )
        for item in items
        if item.outcome == ItemOutcome.PENDING
    ]


def _detail_context(request, meeting, *, process_forms=None):
    user = request.user
    items = selectors.meeting_items(meeting=meeting)
    can_edit = meeting_permissions.can_edit_meeting(user, meeting)
    allowed = services.meeting_allowed_transitions(actor=user, meeting=meeting)
    recording = can_edit and meeting.status in workflow.ITEM_STATUSES
    if recording and process_forms is None:
        process_forms = _process_forms(request, items, responsible_unit_choices(user))
    roles = meeting_permissions.meeting_roles(user, meeting)
    return {
        "meeting": meeting,
        "items": items,
        "primary_items": [i for i in items if i.outcome != ItemOutcome.MERGED],
        "pending_items": [i for i in items if i.outcome == ItemOutcome.PENDING],
        "handled_items": [i for i in items if i.outcome != ItemOutcome.PENDING],
        "process_forms": process_forms or [],
        "can_edit": can_edit,
        "can_lead": bool(roles & workflow.LEADERS),
        "recording": recording,
        "allowed": allowed,
        "warnings": selectors.meeting_warnings(meeting, today=selectors.local_today()),
        "events": selectors.meeting_events(meeting=meeting),
        "hamlets": list(meeting.hamlets.all()),
        "participants": list(meeting.participating_units.order_by("path")),
        "raised_by_person": RaisedBy.PERSON,
    }


@login_required
def meeting_detail(request, pk):
    meeting = _meeting_or_404(request, pk)
    return render(
        request, "dialogues/meeting_detail.html", _detail_context(request, meeting)
    )


def _chosen_forms(forms, action, target):
    """The (item, form) pairs the pressed button acts on."""
    chosen = []
    for item, form in forms:
        if action in ("convert", "answer") and target == str(item.pk):
            chosen.append((item, form))
        elif action == "convert_selected" and form.cleaned_data["selected"]:
            chosen.append((item, form))
    return chosen


def _answer_on_the_spot(request, meeting, item, form):
    if not form.require("answer"):
        return None
    try:
        services.item_answer(
            item_id=item.pk,
            actor=request.user,
            answer=form.cleaned_data["answer"],
            answered_by=form.cleaned_data["answered_by"],
        )
    except DomainError as error:
        apply_domain_error(form, error)
        return None
    messages.success(
        request,
        _("Item no. %(number)s is answered on the spot.") % {"number": item.number},
    )
    return _detail(meeting, "items")


def _convert(request, meeting, chosen):
    complete = [form.require("responsible_unit") for _item, form in chosen]
    if not all(complete):
        return None
    conversions = [
        services.ItemConversion(
            item_id=item.pk,
            responsible_unit=form.cleaned_data["responsible_unit"],
            answer_due_on=form.cleaned_data["answer_due_on"],
            is_hot_spot=form.cleaned_data["is_hot_spot"],
        )
        for item, form in chosen
    ]
    try:
        converted = services.items_convert(
            meeting_id=meeting.pk, actor=request.user, conversions=conversions
        )
    except DomainError as error:
        if not error.fields:
            return _domain_refusal(request, meeting, error)
        messages.error(request, str(error.message))
        for index, (_item, form) in enumerate(chosen):
            prefix = f"items.{index}."
            for key, message in error.fields.items():
                if key.startswith(prefix):
                    name = key[len(prefix) :]
                    form.add_error(name if name in form.fields else None, message)
        return None
    messages.success(
        request,
        _("%(count)s item(s) turned into cases: %(codes)s.")
        % {
            "count": len(converted),
            "codes": ", ".join(item.case.display_code for item in converted),
        },
    )
    return _detail(meeting, "items")


@login_required
@require_POST
def meeting_items_process(request, pk):
    """Turn the selected items (or one) into cases, or record an answer
    given on the spot; one transaction, all or nothing."""
    meeting = _meeting_or_404(request, pk)
    if not meeting_permissions.can_edit_meeting(request.user, meeting):
        return _forbidden(request)
    items = selectors.meeting_items(meeting=meeting)
    forms = _process_forms(
        request, items, responsible_unit_choices(request.user), request.POST
    )
    action, _sep, target = request.POST.get("action", "").partition(":")
    response = None
    if all(form.is_valid() for _item, form in forms):
        chosen = _chosen_forms(forms, action, target)
        if not chosen:
            messages.error(request, _("Select at least one item to turn into a case."))
        elif action == "answer":
            response = _answer_on_the_spot(request, meeting, *chosen[0])
        else:
            response = _convert(request, meeting, chosen)
    if response is not None:
        return response
    context = _detail_context(request, meeting, process_forms=forms)
    return render(request, "dialogues/meeting_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_transition(request, pk, action):
    """Announce, record as held, report back or cancel; actions with data
    (hold, cancel) show their form first."""
    meeting = _meeting_or_404(request, pk)
    spec = workflow.TRANSITIONS.get(action)
    if spec is None:
        raise Http404
    if not meeting_permissions.can_edit_meeting(request.user, meeting):
        return _forbidden(request)
    form_class = {"hold": MinutesForm, "cancel": CancelForm}.get(action)
    form = None
    if form_class is not None:
        initial = {}
        if action == "hold":
            initial = {"actual_attendance": meeting.expected_attendance}
        form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and (form is None or form.is_valid()):
        data = dict(form.cleaned_data) if form is not None else {}
        upload = data.pop("minutes_file", None)
        try:
            services.meeting_transition(
                meeting_id=meeting.pk,
                action=action,
                actor=request.user,
                data=data,
                minutes_file=upload or None,
                expected_version=_version(request),
            )
        except DomainError as error:
            if form is None:
                return _domain_refusal(request, meeting, error)
            apply_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Done: %(action)s.") % {"action": str(spec.label).lower()},
            )
            return _detail(meeting)
    if form is None:
        # Announcing and reporting are confirmed on the meeting's page.
        return _detail(meeting)
    return render(
        request,
        "dialogues/meeting_transition.html",
        {"meeting": meeting, "form": form, "action": action, "spec": spec},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request, pk):
    """Correct the record (attendance, minutes, scan) of a held meeting."""
    meeting = _meeting_or_404(request, pk)
    if not meeting_permissions.can_edit_meeting(request.user, meeting):
        return _forbidden(request)
    form = MinutesForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "actual_attendance": meeting.actual_attendance,
            "minutes": meeting.minutes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(
                meeting_id=meeting.pk,
                actor=request.user,
                actual_attendance=form.cleaned_data["actual_attendance"],
                minutes=form.cleaned_data["minutes"],
                minutes_file=form.cleaned_data.get("minutes_file") or None,
                expected_version=_version(request),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The minutes are saved."))
            return _detail(meeting)
    return render(
        request,
        "dialogues/meeting_transition.html",
        {"meeting": meeting, "form": form, "action": "record", "spec": None},
        status=400 if request.method == "POST" else 200,
    )


@files.file_view
def meeting_minutes_file(request, pk):
    """The scan of the signed minutes, as a download, to those who see the
    meeting; anyone else (anonymous users too) gets a 404."""
    meeting = _meeting_or_404(request, pk)
    if not meeting.minutes_file:
        raise Http404
    return files.file_response(
        meeting.minutes_file,
        filename=meeting.minutes_file_name or meeting.minutes_file.name,
        content_type=meeting.minutes_content_type,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_items_add(request, pk):
    """Record several items at once (a formset), all or nothing."""
    meeting = _meeting_or_404(request, pk)
    if not meeting_permissions.can_edit_meeting(request.user, meeting):
        return _forbidden(request)
    hamlets = commune_units(request.user).filter(kind=UnitKind.HAMLET)
    formset = ItemFormSet(request.POST or None, hamlets=hamlets, prefix="items")
    if request.method == "POST" and formset.is_valid():
        entries = [
            (index, form)
            for index, form in enumerate(formset.forms)
            if form.has_changed()
        ]
        try:
            services.items_add(
                meeting_id=meeting.pk,
                actor=request.user,
                items=[
                    services.ItemInput(
                        raised_by=form.cleaned_data["raised_by"],
                        raiser_name=form.cleaned_data["raiser_name"],
                        raiser_address=form.cleaned_data["raiser_address"],
                        raiser_phone=form.cleaned_data["raiser_phone"],
                        raiser_hamlet=form.cleaned_data["raiser_hamlet"],
                        field=form.cleaned_data["field"],
                        title=form.cleaned_data["title"],
                        content=form.cleaned_data["content"],
                        is_hot_spot=form.cleaned_data["is_hot_spot"],
                    )
                    for _index, form in entries
                ],
            )
        except DomainError as error:
            if not error.fields:
                return _domain_refusal(request, meeting, error)
            messages.error(request, str(error.message))
            for position, (_index, form) in enumerate(entries):
                prefix = f"items.{position}."
                for key, message in error.fields.items():
                    if key.startswith(prefix):
                        name = key[len(prefix) :]
                        form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(
                request,
                _("%(count)s item(s) recorded.") % {"count": len(entries)},
            )
            return _detail(meeting, "items")
    return render(
        request,
        "dialogues/items_add.html",
        {"meeting": meeting, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_items_merge(request, pk):
    meeting = _meeting_or_404(request, pk)
    if not meeting_permissions.can_edit_meeting(request.user, meeting):
        return _forbidden(request)
    items = selectors.meeting_items(meeting=meeting)
    primaries = [item for item in items if item.outcome != ItemOutcome.MERGED]
    pending = [item for item in items if item.outcome == ItemOutcome.PENDING]
    form = MergeForm(request.POST or None, primaries=primaries, pending=pending)
    if request.method == "POST" and form.is_valid():
        try:
            primary = services.items_merge(
                meeting_id=meeting.pk,
                actor=request.user,
                primary_id=form.cleaned_data["primary"],
                item_ids=form.cleaned_data["items"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(
                request,
                _("The items are merged into item no. %(number)s.")
                % {"number": primary.number},
            )
            return _detail(meeting, "items")
    return render(
        request,
        "dialogues/items_merge.html",
        {"meeting": meeting, "form": form, "items": items},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def item_unmerge(request, pk, item_pk):
    meeting = _meeting_or_404(request, pk)
    try:
        item = services.item_unmerge(item_id=item_pk, actor=request.user)
    except DomainError as error:
        return _domain_refusal(request, meeting, error)
    messages.success(
        request, _("Item no. %(number)s is separate again.") % {"number": item.number}
    )
    return _detail(meeting, "items")


@login_required
@require_http_methods(["GET", "POST"])
def item_hot_spot(request, pk, item_pk):
    meeting = _meeting_or_404(request, pk)
    if not meeting_permissions.can_edit_meeting(request.user, meeting):
        return _forbidden(request)
    item = next(
        (i for i in selectors.meeting_items(meeting=meeting) if i.pk == item_pk), None
    )
    if item is None:
        raise Http404
    form = HotSpotForm(
        request.POST or None, initial={"is_hot_spot": not item.is_hot_spot}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.item_set_hot_spot(
                item_id=item.pk,
                actor=request.user,
                is_hot_spot=form.cleaned_data["is_hot_spot"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The hot spot flag is saved."))
            return _detail(meeting, "items")
    return render(
        request,
        "dialogues/item_hot_spot.html",
        {"meeting": meeting, "item": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def meeting_publish(request, pk):
    meeting = _meeting_or_404(request, pk)
    try:
        result = services.meeting_publish_results(
            meeting_id=meeting.pk, actor=request.user
        )
    except DomainError as error:
        return _domain_refusal(request, meeting, error)
    messages.success(
        request,
        _(
            "Published: %(answered)s answer(s) given on the spot and %(cases)s "
            "answered case(s)."
        )
        % {"answered": result.answered_items, "cases": result.published_cases},
    )
    if result.waiting_cases:
        messages.info(
            request,
            _(
                "%(count)s case(s) are still being resolved; their answers are "
                "published once given."
            )
            % {"count": result.waiting_cases},
        )
    if result.not_allowed_cases:
        messages.warning(
            request,
            _("%(count)s answered case(s) belong to units whose leaders publish them.")
            % {"count": result.not_allowed_cases},
        )
    return _detail(meeting)


@login_required
def meeting_report_back(request, pk):
    """The results announcement read to voters at the next meeting: every
    item with its answer, printable with the official header."""
    meeting = _meeting_or_404(request, pk)
    items = selectors.meeting_items(meeting=meeting)
    return render(
        request,
        "dialogues/report_back.html",
        {
            "meeting": meeting,
            "items": sorted(
                (item for item in items if item.outcome != ItemOutcome.MERGED),
                key=lambda item: (item.field.position, item.field.name, item.number),
            ),
            "header": selectors.official_header(meeting.organiser_unit),
            "today": selectors.local_today(),
        },
    )


# --------------------------------------------------------------------------
# Calendar and hot spots
# --------------------------------------------------------------------------


@login_required
def calendar_current(request):
    return redirect("meetings-calendar", year=selectors.local_today().year)


@login_required
def meeting_calendar(request, year):
    if not 2000 <= year <= 2099:
        raise Http404
    form = CalendarUnitForm(request.GET or None, user=request.user)
    unit = None
    if form.is_valid():
        unit = form.cleaned_data.get("unit")
    unit = unit or selectors.default_calendar_unit(user=request.user)
    calendar = None
    if unit is not None:
        calendar = selectors.calendar_year(user=request.user, year=year, unit=unit)
        form = CalendarUnitForm(initial={"unit": unit.pk}, user=request.user)
    return render(
        request,
        "dialogues/calendar.html",
        {
            "form": form,
            "calendar": calendar,
            "year": year,
            "unit": unit,
            "today": selectors.local_today(),
        },
    )


@login_required
def hot_spots(request):
    """Open hot spots (điểm nóng) with their history, for supervisors and
    leaders."""
    if not meeting_permissions.can_see_hot_spots(request.user):
        return _forbidden(request)
    today = selectors.local_today()
    cases = Paginator(
        selectors.hot_spot_cases(user=request.user, today=today), _page_size(request)
    ).get_page(request.GET.get("page"))
    origins = selectors.origin_items(case.pk for case in cases)
    for case in cases:
        case.origin_item = origins.get(case.pk)
    return render(
        request,
        "dialogues/hot_spots.html",
        {
            "cases": cases,
            "items": list(selectors.hot_spot_items(user=request.user)[:100]),
            "today": today,
        },
    )


# --------------------------------------------------------------------------
# Public results
# --------------------------------------------------------------------------


def public_results(request):
    page = Paginator(selectors.published_meetings(), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "dialogues/public_results.html", {"page": page})


def public_result_detail(request, pk):
    try:
        meeting = selectors.published_meeting_get(meeting_id=pk)
    except NotFoundError:
        raise Http404 from None
    items = [
        item
        for item in selectors.meeting_items(meeting=meeting)
        if item.outcome != ItemOutcome.MERGED
    ]
    return render(
        request,
        "dialogues/public_result_detail.html",
        {"meeting": meeting, "items": items, "today": selectors.local_today()},
    )
