"""Pages of the reception desk (mounted at ``/tiep-cong-dan/``).

Views parse input, call one service or selector and render.  The intake
page is a small state machine over one form, so that it works without
JavaScript: "scan" reads ID-card QR codes into the person rows, "search" and
"pick" find people already on file, "add" adds a row, and "save" checks for
likely duplicates once before it logs the case.
"""

from __future__ import annotations

import datetime as dt
import functools

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from feedback import permissions
from feedback.errors import DomainError, NotFoundError
from feedback.models import Case, CaseKind, Channel, PartyRole, UnitKind
from feedback.presentation import masked_party_value
from feedback.selectors.cases import case_get
from feedback.services.cases import PartyInput
from feedback.services.identity import identity_access_record
from feedback.templatetags.langnghe import person_name
from petitions import cccd, selectors, services, uploads
from petitions import permissions as desk_permissions
from petitions.forms import (
    PERSON_FIELDS,
    ArchiveForm,
    FollowUpForm,
    IntakeForm,
    PersonFormSet,
    PetitionerFormSet,
    VisitForm,
)
from petitions.models import MASS_VISIT_SIZE, VisitOutcome

PIN_SESSION_KEY = "reception_receipt_pin"
PERSON_PREFIX = "p"
VISITOR_PREFIX = "v"


def desk_required(view):
    """Only reception staff use the desk; others get 403, strangers log in."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not desk_permissions.can_use_desk(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _apply_domain_error(error: DomainError, form, formset=None) -> list[str]:
    """Put a service's field errors next to the fields (errors about the
    people as a whole go to ``formset.domain_errors``); return the rest."""
    rest: list[str] = []
    for key, message in error.fields.items():
        parts = key.split(".")
        if formset is not None and key in ("parties", "persons"):
            formset.domain_errors = [*getattr(formset, "domain_errors", []), message]
        elif (
            formset is not None
            and len(parts) == 3
            and parts[0] in ("parties", "persons")
            and parts[1].isdigit()
        ):
            row = formset.real_rows[int(parts[1])]
            row.add_error(parts[2] if parts[2] in row.fields else None, message)
        elif key in form.fields and form.cleaned_data is not None:
            form.add_error(key, message)
        else:
            rest.append(str(message))
    if not error.fields:
        rest.append(str(error.message))
    return rest


def _rows_as_initial(formset) -> list[dict]:
    """What the person rows hold, to show again without validating."""
    rows = []
    for row in formset.forms:
        rows.append({name: row[name].data or "" for name in row.fields})
    return rows


def _as_initial(form) -> dict:
    """What the main form holds (files aside), to show again unvalidated."""
    initial = {}
    for name, field in form.fields.items():
        value = form[name].data
        if value in (None, "") or isinstance(field, forms.FileField):
            continue
        initial[name] = value
    return initial


def _apply_scans(rows: list[dict], today: dt.date) -> dict[int, str]:
    """Fill rows from their QR scans; return the error of each bad scan."""
    errors = {}
    for index, row in enumerate(rows):
        text = (row.get("scan") or "").strip()
        if not text:
            continue
        try:
            data = cccd.parse_cccd_qr(text, today=today)
        except cccd.CccdScanError as error:
            errors[index] = error.message
            continue
        row.update(
            scan="",
            full_name=data.full_name,
            national_id=data.national_id,
            address=data.address or row.get("address", ""),
        )
    return errors


def _pending_scans(formset) -> bool:
    return any((row.get("scan") or "").strip() for row in _rows_as_initial(formset))


def _read_scans(formset) -> tuple[list[dict], dict[int, str], tuple | None]:
    """The rows with their scans read, the scan errors, and where the cursor
    goes next (the bad scan, else the phone of the last person scanned)."""
    rows = _rows_as_initial(formset) or [{}]
    scanned = [i for i, row in enumerate(rows) if (row.get("scan") or "").strip()]
    scan_errors = _apply_scans(rows, timezone.localdate())
    focus = None
    if scan_errors:
        focus = ("row", min(scan_errors), "scan")
    elif scanned:
        focus = ("row", scanned[-1], "phone")
    return rows, scan_errors, focus


def _first_blank_row(rows: list[dict]) -> int:
    for index, row in enumerate(rows):
        if not any(str(row.get(name) or "").strip() for name in PERSON_FIELDS):
            return index
    rows.append({})
    return len(rows) - 1


def _kept_rows(formset) -> list:
    """The rows someone typed in (validated formset)."""
    kept = [row for row in formset.forms if not row.is_blank()]
    formset.real_rows = kept
    return kept


# --------------------------------------------------------------------------
# The desk
# --------------------------------------------------------------------------


@desk_required
def desk(request):
    today = timezone.localdate()
    return render(
        request,
        "petitions/desk.html",
        {
            "visits": _with_identity(
                request.user, selectors.visits_recent(user=request.user, limit=10)
            ),
            "cases": selectors.cases_logged_by(user=request.user, limit=15),
            "month": today.strftime("%Y-%m"),
        },
    )


# Where the desk showed a denouncer's identity (``IdentityAccess.context``).
CONTEXT_RECEIPT = "reception_receipt"
CONTEXT_DUPLICATES = "reception_duplicates"
CONTEXT_PEOPLE = "reception_people"


def _record_identity_shown(user, cases, context: str) -> None:
    """Leave the audit trail for each denunciation whose petitioners the page
    shows in clear (Luật Tố cáo Arts 8, 47)."""
    seen = set()
    for case in cases:
        if case.pk in seen or case.kind != CaseKind.DENUNCIATION:
            continue
        seen.add(case.pk)
        if permissions.can_see_identity(user, case):
            identity_access_record(user=user, case=case, context=context)


def _with_identity(user, visits):
    """Mark each register row with whether its visitors may be shown."""
    for visit in visits:
        visit.show_identity = desk_permissions.can_see_visit_identity(user, visit)
    return visits


# --------------------------------------------------------------------------
# The register
# --------------------------------------------------------------------------


def _parse_month(text: str | None) -> dt.date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


@login_required
def register(request):
    """The reception register of a month, printable on A4 landscape."""
    if not desk_permissions.can_read_register(request.user):
        raise PermissionDenied
    month = _parse_month(request.GET.get("month"))
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    visits = _with_identity(
        request.user, list(selectors.visit_register(user=request.user, month=month))
    )
    return render(
        request,
        "petitions/register.html",
        {
            "visits": visits,
            "month": month,
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m"),
            "mass_count": sum(1 for visit in visits if visit.is_mass),
            "people_count": sum(visit.visitor_count for visit in visits),
        },
    )


# --------------------------------------------------------------------------
# Visits
# --------------------------------------------------------------------------


@desk_required
@require_http_methods(["GET", "POST"])
def visit_create(request):
    desks = desk_permissions.desk_units(request.user)
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "save")
        form = VisitForm(request.POST, desks=desks)
        formset = PersonFormSet(request.POST, prefix=VISITOR_PREFIX)
        if action == "auto":
            action = "scan" if _pending_scans(formset) else "save"
        if action != "save":
            rows, scan_errors, focus = _read_scans(formset)
            if action == "add":
                rows.append({})
                focus = ("row", len(rows) - 1, "scan")
            return _render_visit_form(
                request,
                VisitForm(initial=_as_initial(form), desks=desks),
                PersonFormSet(initial=rows, prefix=VISITOR_PREFIX),
                scan_errors=scan_errors,
                focus=focus,
            )
        if form.is_valid() and formset.is_valid():
            persons = _kept_rows(formset)
            try:
                visit = services.visit_create(
                    actor=request.user,
                    unit=form.cleaned_data["unit"],
                    visited_at=form.cleaned_data["visited_at"],
                    receiving_officer=form.cleaned_data["receiving_officer"],
                    visitor_count=form.cleaned_data["visitor_count"],
                    persons=[
                        services.PersonInput(
                            **{name: row.cleaned_data[name] for name in PERSON_FIELDS}
                        )
                        for row in persons
                    ],
                    kind=form.cleaned_data["kind"],
                    content=form.cleaned_data["content"],
                    outcome=form.cleaned_data["outcome"],
                    previously_handled_by=form.cleaned_data["previously_handled_by"],
                    within_competence=form.cleaned_data["within_competence"],
                    guidance=form.cleaned_data["guidance"],
                    handled_by_body=form.cleaned_data["handled_by_body"],
                    transfer_document_number=form.cleaned_data[
                        "transfer_document_number"
                    ],
                    notes=form.cleaned_data["notes"],
                )
            except DomainError as error:
                errors = _apply_domain_error(error, form, formset)
            else:
                messages.success(
                    request,
                    _("Visit no. %(number)s recorded in the register.")
                    % {"number": visit.number},
                )
                if visit.outcome == VisitOutcome.CASE_CREATED:
                    return redirect(
                        f"{reverse('reception-case-create')}?"
                        f"{urlencode({'visit': visit.pk})}"
                    )
                return redirect("reception-visit", visit_id=visit.pk)
        return _render_visit_form(request, form, formset, errors=errors)
    form = VisitForm(
        desks=desks,
        initial={
            "unit": desks[0].pk,
            "visited_at": timezone.localtime().replace(second=0, microsecond=0),
            "receiving_officer": person_name(request.user),
        },
    )
    formset = PersonFormSet(initial=[{}], prefix=VISITOR_PREFIX)
    return _render_visit_form(request, form, formset)


def _rows_with_scan_errors(formset, scan_errors) -> list[tuple]:
    scan_errors = scan_errors or {}
    return [(row, scan_errors.get(index)) for index, row in enumerate(formset.forms)]


def _render_visit_form(
    request, form, formset, *, errors=(), scan_errors=None, focus=None
):
    count = str(form["visitor_count"].value() or "1")
    _place_focus(form, formset, focus, VISIT_FIELD_ORDER)
    return render(
        request,
        "petitions/visit_form.html",
        {
            "form": form,
            "formset": formset,
            "rows": _rows_with_scan_errors(formset, scan_errors),
            "errors": errors,
            "mass": count.isdigit() and int(count) >= MASS_VISIT_SIZE,
            "single_desk": len(form.fields["unit"].queryset) == 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_detail(request, visit_id):
    try:
        visit = selectors.visit_get(user=request.user, visit_id=visit_id)
    except NotFoundError:
        raise Http404 from None
    may_update = desk_permissions.can_update_visit(request.user, visit)
    errors: list[str] = []
    if request.method == "POST":
        if not may_update:
            raise PermissionDenied
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.visit_record_follow_up(
                    actor=request.user, visit_id=visit.pk, **form.cleaned_data
                )
            except DomainError as error:
                errors = _apply_domain_error(error, form)
            else:
                messages.success(request, _("The register row is updated."))
                return redirect("reception-visit", visit_id=visit.pk)
    else:
        form = FollowUpForm(
            initial={
                "handled_by_body": visit.handled_by_body,
                "transfer_document_number": visit.transfer_document_number,
                "follow_up": visit.follow_up,
                "notes": visit.notes,
            }
        )
    return render(
        request,
        "petitions/visit_detail.html",
        {
            "visit": visit,
            "form": form,
            "errors": errors,
            "may_update": may_update,
            "show_identity": desk_permissions.can_see_visit_identity(
                request.user, visit
            ),
        },
    )


# --------------------------------------------------------------------------
# Case intake
# --------------------------------------------------------------------------


class IntakeContext:
    """What the intake page needs besides the submitted data."""

    def __init__(self, request):
        self.user = request.user
        self.units = desk_permissions.responsible_unit_choices(request.user)
        self.hamlets = desk_permissions.hamlet_choices(request.user)
        self.visit = None
        visit_id = request.POST.get("visit") or request.GET.get("visit")
        if visit_id:
            try:
                self.visit = selectors.visit_get(user=request.user, visit_id=visit_id)
            except NotFoundError:
                raise Http404 from None
            if not desk_permissions.can_update_visit(request.user, self.visit):
                raise PermissionDenied

    def form(self, *args, **kwargs):
        return IntakeForm(*args, units=self.units, hamlets=self.hamlets, **kwargs)

    def initial(self) -> tuple[dict, list[dict]]:
        desks = desk_permissions.desk_units(self.user)
        desk_ids = {unit.pk for unit in desks}
        default_unit = next(
            (unit for unit in self.units if unit.pk in desk_ids), None
        ) or (self.units[0] if self.units else None)
        initial = {
            "channel": Channel.IN_PERSON,
            "received_on": timezone.localdate(),
            "petitioner_count": 1,
            "responsible_unit": default_unit.pk if default_unit else None,
        }
        rows: list[dict] = [{}]
        visit = self.visit
        if visit is not None:
            if visit.kind in CaseKind.values:
                initial["kind"] = visit.kind
            initial["content"] = visit.content
            initial["petitioner_count"] = visit.visitor_count
            initial["received_on"] = timezone.localtime(visit.visited_at).date()
            if desk_permissions.can_see_visit_identity(self.user, visit):
                rows = [
                    {
                        "full_name": person.full_name,
                        "national_id": person.national_id,
                        "phone": person.phone,
                        "address": person.address,
                        "role": PartyRole.PETITIONER,
                    }
                    for person in visit.persons.all()
                ] or [{}]
        return initial, rows


def _received_at(received_on: dt.date, visit) -> dt.datetime:
    """Today's letters are received now; an earlier date at the visit's time
    or at the start of the working day."""
    now = timezone.localtime()
    if received_on == now.date():
        return now
    if visit is not None and timezone.localtime(visit.visited_at).date() == (
        received_on
    ):
        return visit.visited_at
    return dt.datetime.combine(
        received_on, dt.time(7, 30), tzinfo=timezone.get_current_timezone()
    )


# The pages' fields in the order they show them, to put the cursor on the
# first one that needs attention; ROWS stands for the person rows.
ROWS = "__rows__"
INTAKE_FIELD_ORDER = (
    ROWS,
    "petitioner_count",
    "is_anonymous",
    "kind",
    "channel",
    "field",
    "received_on",
    "title",
    "content",
    "location_unit",
    "responsible_unit",
    "is_hot_spot",
    "is_second_time",
    "attachments",
    "archive_ground",
    "archive_reason",
)
ROW_FIELD_ORDER = ("scan", "full_name", "national_id", "phone", "address", "role")
VISIT_FIELD_ORDER = (
    "unit",
    "visited_at",
    "receiving_officer",
    "visitor_count",
    ROWS,
    "kind",
    "previously_handled_by",
    "content",
    "within_competence",
    "outcome",
    "guidance",
    "handled_by_body",
    "transfer_document_number",
    "notes",
)


@desk_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    context = IntakeContext(request)
    if request.method == "GET":
        initial, rows = context.initial()
        return _render_intake(
            request,
            context,
            context.form(initial=initial),
            PetitionerFormSet(initial=rows, prefix=PERSON_PREFIX),
            staged=[],
        )
    return IntakeSubmission(request, context).handle()


class IntakeSubmission:
    """One POST of the intake form and what it asks for."""

    def __init__(self, request, context: IntakeContext):
        self.request = request
        self.context = context
        self.post = request.POST
        self.action = self.post.get("action") or "auto"
        self.pick_id = ""
        self.query = (self.post.get("person_query") or "").strip()
        self.form = context.form(self.post, request.FILES)
        self.formset = PetitionerFormSet(self.post, prefix=PERSON_PREFIX)
        offered = self.post.getlist("staged_offered")
        kept = set(self.post.getlist("staged"))
        uploads.discard(request, [token for token in offered if token not in kept])
        self.staged = uploads.staged_files(request, [t for t in offered if t in kept])
        self.upload_errors: list[str] = []
        self.new_files: list[uploads.CheckedFile] = []
        for upload in request.FILES.getlist("attachments"):
            try:
                self.new_files.append(uploads.check_upload(upload))
            except DomainError as error:
                self.upload_errors.extend(str(m) for m in error.fields.values())

    def handle(self):
        action = self.action
        if action == "auto":
            action = self._implicit_action()
        if action.startswith("pick-"):
            action, self.pick_id = "pick", action.removeprefix("pick-")
        if action in ("scan", "search", "pick", "add"):
            return self._rework(action)
        return self._save()

    def _implicit_action(self) -> str:
        """Enter in a field: read a pending scan, run a new search, or save."""
        if _pending_scans(self.formset):
            return "scan"
        if self.query and self.query != self.post.get("searched_query", ""):
            return "search"
        return "save"

    def _stage_new_files(self):
        for checked in self.new_files:
            self.staged.append(uploads.stage(self.request, checked))
        self.new_files = []

    def _rework(self, action):
        """Show the form again with the rows changed; nothing is validated."""
        self._stage_new_files()
        rows, scan_errors, focus = _read_scans(self.formset)
        results = None
        notice = ""
        query = self.query
        if action == "search":
            results = selectors.party_search(user=self.request.user, query=query)
            _record_identity_shown(
                self.request.user, [person.case for person in results], CONTEXT_PEOPLE
            )
            if not results:
                focus = ("row", _first_blank_row(rows), "full_name")
        elif action == "pick":
            try:
                party = selectors.party_for_pick(
                    user=self.request.user, party_id=self.pick_id
                )
            except NotFoundError:
                notice = _("That person is no longer available.")
            else:
                _record_identity_shown(self.request.user, [party.case], CONTEXT_PEOPLE)
                index = _first_blank_row(rows)
                rows[index].update(
                    {name: getattr(party, name) for name in PERSON_FIELDS},
                    role=PartyRole.PETITIONER,
                )
                query = ""
                focus = ("form", "kind")
        elif action == "add":
            rows.append({})
            focus = ("row", len(rows) - 1, "scan")
        return _render_intake(
            self.request,
            self.context,
            self.context.form(initial=_as_initial(self.form)),
            PetitionerFormSet(initial=rows, prefix=PERSON_PREFIX),
            staged=self.staged,
            scan_errors=scan_errors,
            search_results=results,
            person_query=query,
            notice=notice,
            upload_errors=self.upload_errors,
            focus=focus,
        )

    def _save(self):
        form, formset = self.form, self.formset
        valid = form.is_valid() & formset.is_valid()
        if valid and self.upload_errors:
            for message in self.upload_errors:
                form.add_error("attachments", message)
            valid = False
        if not valid:
            return self._again()
        rows = _kept_rows(formset)
        data = form.cleaned_data
        seen = {int(pk) for pk in self.post.getlist("seen") if pk.isdigit()}
        candidates = selectors.duplicate_candidates(
            user=self.request.user,
            national_ids=[row.cleaned_data["national_id"] for row in rows],
            phones=[row.cleaned_data["phone"] for row in rows],
            title=data["title"],
            content=data["content"],
            field_id=data["field"].pk,
            location_unit_id=(
                data["location_unit"].pk if data["location_unit"] else None
            ),
        )
        if {candidate.case.pk for candidate in candidates} - seen:
            _record_identity_shown(
                self.request.user,
                [candidate.case for candidate in candidates],
                CONTEXT_DUPLICATES,
            )
            return self._again(duplicates=candidates)
        link, link_case_id = data["link"]
        files = [uploads.open_staged(self.request, staged) for staged in self.staged]
        try:
            created = services.case_intake(
                actor=self.request.user,
                kind=data["kind"],
                channel=data["channel"],
                field=data["field"],
                title=data["title"],
                content=data["content"],
                responsible_unit=data["responsible_unit"],
                received_at=_received_at(data["received_on"], self.context.visit),
                location_unit=data["location_unit"],
                parties=[
                    PartyInput(
                        role=row.cleaned_data["role"],
                        **{name: row.cleaned_data[name] for name in PERSON_FIELDS},
                    )
                    for row in rows
                ],
                petitioner_count=data["petitioner_count"],
                is_anonymous=data["is_anonymous"],
                is_hot_spot=data["is_hot_spot"],
                is_second_time=data["is_second_time"],
                visit=self.context.visit,
                files=files + self.new_files,
                link=link,
                link_case_id=link_case_id,
                archive_ground=data["archive_ground"],
                archive_reason=data["archive_reason"],
            )
        except DomainError as error:
            errors = _apply_domain_error(error, form, formset)
            return self._again(errors=errors, duplicates=candidates or None)
        finally:
            for checked in files:
                checked.file.close()
        uploads.discard(self.request, [staged.token for staged in self.staged])
        self.request.session[PIN_SESSION_KEY] = {
            "case_id": created.case.pk,
            "pin": created.pin,
        }
        messages.success(
            self.request,
            _("Case %(code)s logged.") % {"code": created.case.display_code},
        )
        return redirect("reception-receipt", case_id=created.case.pk)

    def _again(self, *, errors=(), duplicates=None):
        self._stage_new_files()
        return _render_intake(
            self.request,
            self.context,
            self.form,
            self.formset,
            staged=self.staged,
            errors=errors,
            duplicates=duplicates,
            person_query=self.query,
        )


def _place_focus(form, formset, focus, order) -> None:
    """Put the cursor where work continues: the given field, else the first
    field with an error (``order`` lists the page's fields, ``ROWS`` standing
    for the person rows), else the first person's scan field."""
    if focus is None:
        for name in order:
            if name == ROWS:
                for index, row in enumerate(formset.forms):
                    for row_name in ROW_FIELD_ORDER:
                        if row_name in row.fields and row[row_name].errors:
                            focus = ("row", index, row_name)
                            break
                    if focus:
                        break
            elif form[name].errors:
                focus = ("form", name)
            if focus:
                break
    if focus is None and formset.forms:
        focus = ("row", 0, "scan")
    if focus is None:
        return
    if focus[0] == "row":
        if focus[1] < len(formset.forms):
            field = formset.forms[focus[1]].fields.get(focus[2])
            if field is not None:
                field.widget.attrs["autofocus"] = True
    else:
        form.fields[focus[1]].widget.attrs["autofocus"] = True


def _render_intake(
    request,
    context: IntakeContext,
    form,
    formset,
    *,
    staged,
    errors=(),
    duplicates=None,
    scan_errors=None,
    search_results=None,
    person_query="",
    notice="",
    upload_errors=(),
    focus=None,
):
    if not duplicates and not search_results:
        _place_focus(form, formset, focus, INTAKE_FIELD_ORDER)
    link_value = form["link"].value() or ""
    return render(
        request,
        "petitions/intake.html",
        {
            "form": form,
            "formset": formset,
            "rows": _rows_with_scan_errors(formset, scan_errors),
            "visit": context.visit,
            "staged": staged,
            "errors": errors,
            "duplicates": duplicates,
            "link_value": link_value if isinstance(link_value, str) else "",
            "search_results": search_results,
            "person_query": person_query,
            "searched_query": person_query if search_results is not None else "",
            "notice": notice,
            "upload_errors": upload_errors,
        },
    )


# --------------------------------------------------------------------------
# Receipt and archiving
# --------------------------------------------------------------------------


def _track_url(request, code: str) -> tuple[str, str]:
    """The public tracking page, and the address the QR code opens."""
    try:
        path = reverse("public-track")
    except NoReverseMatch:
        path = "/tra-cuu/"
    page = request.build_absolute_uri(path)
    return page, f"{page}?{urlencode({'code': code})}"


def _header_unit(case: Case):
    """The commune the receipt speaks for: the nearest commune above the desk
    (or the responsible unit), else the top of the tree."""
    unit = case.dispatch_unit or case.responsible_unit
    ancestors = list(unit.ancestors())
    communes = [a for a in ancestors if a.kind == UnitKind.COMMUNE]
    if communes:
        return communes[-1]
    return ancestors[0] if ancestors else unit


@login_required
@never_cache
def receipt(request, case_id):
    """The receipt handed to the citizen. The PIN shows once, right after the
    case was logged, and never again (a reprint says it was handed over)."""
    try:
        case = case_get(user=request.user, case_id=case_id)
    except NotFoundError:
        raise Http404 from None
    pending = request.session.get(PIN_SESSION_KEY) or {}
    pin = None
    if pending.get("case_id") == case.pk:
        pin = pending.get("pin")
        del request.session[PIN_SESSION_KEY]
    page_url, qr_url = _track_url(request, case.code)
    qr_svg = segno.make(qr_url, error="m").svg_inline(
        scale=3, title=_("Check the case online")
    )
    parties = [
        party for party in case.parties.all() if party.role != PartyRole.DENOUNCED
    ]
    if parties:
        _record_identity_shown(request.user, [case], CONTEXT_RECEIPT)
    petitioners = [
        {
            "full_name": masked_party_value(request.user, party, "full_name"),
            "address": masked_party_value(request.user, party, "address"),
        }
        for party in parties
    ]
    return render(
        request,
        "petitions/receipt.html",
        {
            "case": case,
            "pin": pin,
            "petitioners": petitioners,
            "attachment_count": case.attachments.count(),
            "header_unit": _header_unit(case),
            "desk_unit": case.dispatch_unit or case.responsible_unit,
            "track_page": page_url,
            "qr_svg": mark_safe(qr_svg),  # noqa: S308 - generated by segno
            "printed_on": timezone.localdate(),
            "received_by": person_name(case.created_by) if case.created_by else "",
            "visit": case.reception_visits.first(),
        },
    )


@desk_required
@require_http_methods(["GET", "POST"])
def case_archive(request, case_id):
    """Archive a letter the desk logged, as anonymous or unclear."""
    try:
        case = case_get(user=request.user, case_id=case_id)
    except NotFoundError:
        raise Http404 from None
    if not permissions.is_case_creator(request.user, case):
        raise PermissionDenied
    form = ArchiveForm(request.POST or None, case_kind=case.kind)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.case_archive_at_desk(
                actor=request.user,
                case_id=case.pk,
                legal_ground=form.cleaned_data["legal_ground"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            errors = _apply_domain_error(error, form)
        else:
            messages.success(
                request,
                _("Case %(code)s archived.") % {"code": case.display_code},
            )
            return redirect("reception-desk")
    return render(
        request,
        "petitions/archive.html",
        {"case": case, "form": form, "errors": errors},
    )
