"""Writes of the reception desk: register rows, case intake, archiving.

Every service is atomic.  Cases are created only through
``feedback.services.cases.case_create`` and change state only through
``case_transition``; this module adds the register, the link between a visit
and its cases, the scanned letters, and the duplicate link.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import permissions, validators
from feedback.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from feedback.models import Attachment, Case, CaseKind, Field, Status, Unit
from feedback.services.cases import (
    CreatedCase,
    PartyInput,
    case_create,
    case_transition,
)
from petitions import permissions as desk_permissions
from petitions.models import (
    MASS_VISIT_SIZE,
    ReceptionVisit,
    VisitCase,
    VisitKind,
    VisitOutcome,
    VisitPerson,
)
from petitions.uploads import MAX_FILES, CheckedFile

# Legal grounds a desk may cite to archive a letter on receipt.
ARCHIVE_GROUNDS = ("tc-25-anonymous", "unclear")
DUPLICATE_GROUND = "duplicate"
LINK_REPEAT = "repeat"
LINK_DUPLICATE = "duplicate"


# --------------------------------------------------------------------------
# The register
# --------------------------------------------------------------------------


def representatives_allowed(visitor_count: int) -> tuple[int, int]:
    """How many people may be named for a visit of ``visitor_count`` people.

    Fewer than five: one to all of them (each is a visitor). A mass visit
    names its representatives (Luật Tiếp công dân, Art. 29): five to ten
    people choose one or two, more than ten up to five.
    """
    if visitor_count < MASS_VISIT_SIZE:
        return 1, max(visitor_count, 1)
    if visitor_count <= 10:
        return 1, 2
    return 1, 5


@dataclass
class PersonInput:
    full_name: str
    national_id: str = ""
    phone: str = ""
    address: str = ""


def _validate_persons(persons: list[PersonInput], visitor_count: int) -> dict:
    errors: dict[str, str] = {}
    low, high = representatives_allowed(visitor_count)
    if visitor_count >= MASS_VISIT_SIZE and not low <= len(persons) <= high:
        errors["persons"] = _(
            "A group of %(count)s people is a mass visit: record %(low)s to "
            "%(high)s representatives (Law on Citizen Reception, Art. 29)."
        ) % {"count": visitor_count, "low": low, "high": high}
    elif visitor_count < MASS_VISIT_SIZE and not low <= len(persons) <= high:
        errors["persons"] = _(
            "Record between 1 and %(high)s visitors for %(count)s people."
        ) % {"count": visitor_count, "high": high}
    for index, person in enumerate(persons):
        if not person.full_name.strip():
            errors[f"persons.{index}.full_name"] = _("Enter the full name.")
        if person.national_id:
            try:
                validators.validate_national_id(person.national_id)
            except ValidationError as error:
                errors[f"persons.{index}.national_id"] = error.messages[0]
        if person.phone:
            try:
                validators.validate_phone(person.phone)
            except ValidationError as error:
                errors[f"persons.{index}.phone"] = error.messages[0]
    return errors


def _next_number(unit: Unit, year: int) -> int:
    # The desk's unit row serialises numbering between concurrent clerks.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    latest = ReceptionVisit.objects.filter(unit=unit, year=year).aggregate(
        Max("number")
    )["number__max"]
    return (latest or 0) + 1


@transaction.atomic
def visit_create(
    *,
    actor,
    unit: Unit,
    visited_at: dt.datetime,
    receiving_officer: str,
    visitor_count: int,
    persons: list[PersonInput],
    kind: str,
    content: str,
    outcome: str,
    previously_handled_by: str = "",
    within_competence: bool = True,
    guidance: str = "",
    handled_by_body: str = "",
    transfer_document_number: str = "",
    follow_up: str = "",
    notes: str = "",
) -> ReceptionVisit:
    """Write one row of the reception register with its visitors or, for a
    mass visit, its representatives."""
    if not any(desk.pk == unit.pk for desk in desk_permissions.desk_units(actor)):
        raise PermissionDeniedError(
            _("You do not staff the reception desk of this unit.")
        )
    errors: dict[str, str] = {}
    if visitor_count < 1:
        errors["visitor_count"] = _("The number of people must be at least 1.")
    if kind not in VisitKind.values:
        errors["kind"] = _("Choose the type of the matter.")
    if outcome not in VisitOutcome.values:
        errors["outcome"] = _("Choose what came of the visit.")
    if not content.strip():
        errors["content"] = _("Enter a summary of the content.")
    if not receiving_officer.strip():
        errors["receiving_officer"] = _("Enter who received the citizens.")
    if visited_at > timezone.now() + dt.timedelta(minutes=5):
        errors["visited_at"] = _("The visit cannot be in the future.")
    if outcome == VisitOutcome.GUIDED and not guidance.strip():
        errors["guidance"] = _("Write down the guidance given.")
    if outcome == VisitOutcome.ANSWERED and not guidance.strip():
        errors["guidance"] = _("Write down the answer given.")
    if visitor_count >= 1:
        errors.update(_validate_persons(persons, visitor_count))
    if errors:
        raise InvalidInputError(fields=errors)

    year = timezone.localtime(visited_at).year
    visit = ReceptionVisit.objects.create(
        unit=unit,
        year=year,
        number=_next_number(unit, year),
        visited_at=visited_at,
        receiving_officer=receiving_officer.strip(),
        visitor_count=visitor_count,
        is_mass=visitor_count >= MASS_VISIT_SIZE,
        kind=kind,
        content=content.strip(),
        previously_handled_by=previously_handled_by.strip(),
        within_competence=within_competence,
        outcome=outcome,
        guidance=guidance.strip(),
        handled_by_body=handled_by_body.strip(),
        transfer_document_number=transfer_document_number.strip(),
        follow_up=follow_up.strip(),
        notes=notes.strip(),
        recorded_by=actor,
    )
    VisitPerson.objects.bulk_create(
        VisitPerson(
            visit=visit,
            position=index,
            is_representative=visit.is_mass,
            full_name=" ".join(person.full_name.split()),
            national_id=person.national_id.strip(),
            phone=validators.normalize_phone(person.phone) if person.phone else "",
            address=person.address.strip(),
        )
        for index, person in enumerate(persons)
    )
    return visit


@transaction.atomic
def visit_record_follow_up(
    *,
    actor,
    visit_id: int,
    handled_by_body: str,
    transfer_document_number: str,
    follow_up: str,
    notes: str,
) -> ReceptionVisit:
    """Fill the register's later columns (who took the matter up, the
    transfer document, the result); history keeps the earlier values."""
    visit = (
        ReceptionVisit.objects.select_for_update()
        .select_related("unit")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None or not desk_permissions.can_view_visit(actor, visit):
        raise NotFoundError(_("Visit not found."))
    if not desk_permissions.can_update_visit(actor, visit):
        raise PermissionDeniedError()
    visit.handled_by_body = handled_by_body.strip()
    visit.transfer_document_number = transfer_document_number.strip()
    visit.follow_up = follow_up.strip()
    visit.notes = notes.strip()
    visit.save(
        update_fields=[
            "handled_by_body",
            "transfer_document_number",
            "follow_up",
            "notes",
            "updated_at",
        ]
    )
    return visit


# --------------------------------------------------------------------------
# Case intake
# --------------------------------------------------------------------------


def _root_of_duplicates(case: Case) -> Case:
    """A duplicate of a duplicate points at the original."""
    seen = set()
    while case.duplicate_of_id is not None and case.pk not in seen:
        seen.add(case.pk)
        case = case.duplicate_of
    return case


def _linked_case(actor, case_id: int | None) -> Case:
    case = (
        Case.objects.select_related("responsible_unit", "duplicate_of")
        .filter(pk=case_id)
        .first()
        if case_id
        else None
    )
    if case is None or not permissions.can_view_case(actor, case):
        raise InvalidInputError(
            fields={"link": _("Choose a case from the list of likely duplicates.")}
        )
    return case


def _save_attachments(
    *, case: Case, actor, files: list[CheckedFile], saved: list[str]
) -> None:
    confidential = case.kind == CaseKind.DENUNCIATION
    for checked in files:
        attachment = Attachment(
            case=case,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            is_confidential=confidential,
            uploaded_by=actor,
        )
        checked.file.seek(0)
        attachment.file.save(
            f"{uuid.uuid4().hex}.{checked.extension}", checked.file, save=False
        )
        saved.append(attachment.file.name)
        attachment.save()


def case_intake(
    *,
    actor,
    kind: str,
    channel: str,
    field: Field,
    title: str,
    content: str,
    responsible_unit: Unit,
    received_at: dt.datetime | None = None,
    location_unit: Unit | None = None,
    parties: list[PartyInput] | None = None,
    petitioner_count: int = 1,
    is_anonymous: bool = False,
    is_hot_spot: bool = False,
    is_second_time: bool = False,
    visit: ReceptionVisit | None = None,
    files: list[CheckedFile] | None = None,
    link: str = "",
    link_case_id: int | None = None,
    archive_ground: str = "",
    archive_reason: str = "",
) -> CreatedCase:
    """Log a case at the desk, in one transaction: the case (code and PIN from
    ``case_create``), its scanned letters, its visit, and — when staff say so —
    its link to an earlier case as a repeat (``previous_case``) or as a
    duplicate (``duplicate_of`` set and archived on the "duplicate" ground),
    or its archiving as anonymous or unclear with a reason.

    Files written before a failure are removed again, so a refused intake
    leaves nothing behind.
    """
    saved: list[str] = []
    try:
        return _case_intake(
            actor=actor,
            kind=kind,
            channel=channel,
            field=field,
            title=title,
            content=content,
            responsible_unit=responsible_unit,
            received_at=received_at,
            location_unit=location_unit,
            parties=parties or [],
            petitioner_count=petitioner_count,
            is_anonymous=is_anonymous,
            is_hot_spot=is_hot_spot,
            is_second_time=is_second_time,
            visit=visit,
            files=files or [],
            link=link,
            link_case_id=link_case_id,
            archive_ground=archive_ground,
            archive_reason=archive_reason,
            saved=saved,
        )
    except Exception:
        for name in saved:
            default_storage.delete(name)
        raise


@transaction.atomic
def _case_intake(
    *,
    actor,
    visit,
    files,
    link,
    link_case_id,
    archive_ground,
    archive_reason,
    saved,
    **case_fields,
) -> CreatedCase:
    errors: dict[str, str] = {}
    if len(files) > MAX_FILES:
        errors["attachments"] = _("Attach at most %(count)s files.") % {
            "count": MAX_FILES
        }
    if link not in ("", LINK_REPEAT, LINK_DUPLICATE):
        errors["link"] = _("Choose a case from the list of likely duplicates.")
    if archive_ground and archive_ground not in ARCHIVE_GROUNDS:
        errors["archive_ground"] = _("Choose a legal ground from the list.")
    if archive_ground and not archive_reason.strip():
        errors["archive_reason"] = _("Give the reason for archiving the letter.")
    if archive_ground == "tc-25-anonymous" and not (
        case_fields["kind"] == CaseKind.DENUNCIATION and case_fields["is_anonymous"]
    ):
        errors["archive_ground"] = _(
            "This ground is for anonymous denunciations: mark the letter as a "
            "denunciation and as anonymous."
        )
    if archive_ground and link == LINK_DUPLICATE:
        errors["archive_ground"] = _(
            "A duplicate is archived as a duplicate; do not choose another ground."
        )
    if visit is not None and not desk_permissions.can_update_visit(actor, visit):
        errors["visit"] = _("You cannot log cases for this visit.")
    if errors:
        raise InvalidInputError(fields=errors)

    linked = _linked_case(actor, link_case_id) if link else None
    previous_case = linked if link == LINK_REPEAT else None
    created = case_create(actor=actor, previous_case=previous_case, **case_fields)
    case = created.case
    if visit is not None:
        VisitCase.objects.create(visit=visit, case=case)
    _save_attachments(case=case, actor=actor, files=files, saved=saved)
    if link == LINK_DUPLICATE:
        original = _root_of_duplicates(linked)
        case_mark_duplicate(actor=actor, case_id=case.pk, original=original)
    elif archive_ground:
        case_transition(
            case_id=case.pk,
            action="archive",
            actor=actor,
            data={"legal_ground": archive_ground, "reason": archive_reason},
        )
    created.case = Case.objects.select_related(
        "responsible_unit", "field", "duplicate_of"
    ).get(pk=case.pk)
    return created


@transaction.atomic
def case_mark_duplicate(*, actor, case_id: int, original: Case) -> Case:
    """Record that a just-received case repeats ``original`` word for word
    and archive it on the "duplicate" ground.

    ``duplicate_of`` is not a workflow field, so it is set here on the locked
    row (only while the case is still as received) before the archive
    transition writes the event.
    """
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("responsible_unit")
        .filter(pk=case_id)
        .first()
    )
    if case is None or not permissions.can_view_case(actor, case):
        raise NotFoundError(_("Case not found."))
    if original.pk == case.pk or not permissions.can_view_case(actor, original):
        raise InvalidInputError(
            fields={"link": _("Choose a case from the list of likely duplicates.")}
        )
    if case.duplicate_of_id is not None or case.status != Status.RECEIVED:
        raise InvalidInputError(
            fields={"link": _("Only a case just received can be marked a duplicate.")}
        )
    case.duplicate_of = original
    case.save(update_fields=["duplicate_of", "updated_at"])
    return case_transition(
        case_id=case.pk,
        action="archive",
        actor=actor,
        data={
            "legal_ground": DUPLICATE_GROUND,
            "reason": _("Duplicate of case %(code)s.")
            % {"code": original.display_code},
        },
    )


def case_archive_at_desk(*, actor, case_id: int, legal_ground: str, reason: str):
    """Archive a letter the desk logged, as anonymous or unclear, with a
    reason (the workflow lets reception archive what it logged)."""
    if legal_ground not in ARCHIVE_GROUNDS:
        raise InvalidInputError(
            fields={"legal_ground": _("Choose a legal ground from the list.")}
        )
    return case_transition(
        case_id=case_id,
        action="archive",
        actor=actor,
        data={"legal_ground": legal_ground, "reason": reason},
    )
