"""Writes to cases: creation and every workflow action.

Each service is atomic, locks the case row first (then its children), and
records a ``CaseEvent``; what the petitioner is to be told is kept in the same
transaction (``CitizenNotice``), for the outbox's delivery run to write.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import audit, permissions, tracking, validators, workflow
from feedback.errors import (
    ConflictError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from feedback.models import (
    Answer,
    AnswerStatus,
    BodyClass,
    Case,
    CaseCollaborator,
    CaseEvent,
    CaseKind,
    Channel,
    CitizenNotice,
    CollaboratorStatus,
    EventKind,
    Field,
    HandlingOutcome,
    LegalGround,
    Outcome,
    Party,
    PartyRole,
    Role,
    Status,
    Unit,
    UnitKind,
)
from feedback.prepared import (
    deferred_inserts,
    deferred_inserts_supported,
    draw_ids,
    insert_new,
    insert_new_allowed,
)
from feedback.selectors.deadlines import calendar_around, compute_due_date
from feedback.services.notifications import tells_citizen

# Fields a leader may correct after the fact; the old value stays in history.
CORRECTABLE_FIELDS = frozenset(
    {
        "title",
        "content",
        "field",
        "channel",
        "location_text",
        "location_unit",
        "decision_number",
        "decision_date",
        "is_complex",
        "is_mass",
        "is_prolonged",
        "is_hot_spot",
        "petitioner_count",
    }
)

# The first stage each kind enters on receipt.
FIRST_STAGE = {
    CaseKind.COMPLAINT: "accept",
    CaseKind.DENUNCIATION: "accept",
    CaseKind.FEEDBACK: "answer",
    CaseKind.VOTER_PETITION: "answer",
    CaseKind.DIALOGUE_ISSUE: "answer",
}
# The stage that follows a formal decision.
AFTER_DECISION_STAGE = {
    CaseKind.COMPLAINT: "notify",
    CaseKind.DENUNCIATION: "publish",
}


@dataclass
class PartyInput:
    role: str
    full_name: str
    national_id: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass
class CreatedCase:
    case: Case
    pin: str


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _is_remote(case: Case) -> bool:
    return bool(
        case.responsible_unit.is_remote_area
        or (case.location_unit_id and case.location_unit.is_remote_area)
    )


def _resolve_due(case: Case, start: dt.date, extensions: int) -> dt.date:
    return compute_due_date(
        kind=case.kind,
        stage="resolve" if case.kind in workflow.DECIDED_KINDS else "answer",
        start=start,
        second=case.is_second_time,
        remote=_is_remote(case),
        complex=case.is_complex,
        extensions=extensions,
        calendar=calendar_around(start),
    ).due_on


def _initial_deadlines(case: Case) -> None:
    received_on = _local_date(case.received_at)
    stage = FIRST_STAGE[case.kind]
    stage_due = compute_due_date(
        kind=case.kind,
        stage=stage,
        start=received_on,
        second=case.is_second_time and stage != "accept",
        complex=case.is_complex,
        remote=_is_remote(case),
    ).due_on
    case.stage = stage
    case.stage_due_on = stage_due
    # Before acceptance, the final date the receipt promises is counted from
    # the last day on which the case may be accepted.
    case.final_due_on = (
        _resolve_due(case, stage_due, 0)
        if case.kind in workflow.DECIDED_KINDS
        else stage_due
    )


def _validate_parties(parties: list[PartyInput]) -> dict:
    errors: dict[str, Any] = {}
    for index, party in enumerate(parties):
        if party.role not in PartyRole.values:
            errors[f"parties.{index}.role"] = _("Invalid role.")
        if not party.full_name.strip():
            errors[f"parties.{index}.full_name"] = _("Enter the full name.")
        if party.national_id:
            try:
                validators.validate_national_id(party.national_id)
            except ValidationError as error:
                errors[f"parties.{index}.national_id"] = error.messages[0]
        if party.phone:
            try:
                validators.validate_phone(party.phone)
            except ValidationError as error:
                errors[f"parties.{index}.phone"] = error.messages[0]
    return errors


def _dispatch_unit_of(actor) -> Unit | None:
    for membership in permissions.memberships_of(actor):
        if membership.role == Role.RECEPTION:
            return membership.unit
    return None


def _remember_parties(case: Case, parties: list[Party]) -> None:
    """Hold the new case's parties as ``case.parties.all()`` answers them (in
    the model's order: role, then id), so that the receipt renders them
    without reading back what was just written.  Skipped when the backend
    returned no primary keys."""
    if any(party.pk is None for party in parties):
        return
    queryset = case.parties.all()
    queryset._result_cache = sorted(parties, key=lambda party: (party.role, party.pk))
    queryset._prefetch_done = True
    case._prefetched_objects_cache = {"parties": queryset}


# The manager class ``instance.history`` answers, per model: simple-history
# builds a new one at every read of it, and it reads it to record each version.
_history_managers: dict[type, tuple[type, type]] = {}


@contextlib.contextmanager
def _history_manager_of(instance):
    """Let ``instance.history`` answer, for the block, the manager its class's
    descriptor would build, from a class built once per process."""
    model = type(instance)
    known = _history_managers.get(model)
    if known is None:
        descriptor = model.__dict__["history"]
        manager_class = descriptor.manager_class.from_queryset(
            descriptor.queryset_class
        )
        known = _history_managers[model] = (manager_class, descriptor.model)
    manager_class, history_model = known
    # The descriptor only reads (no ``__set__``): the instance's own
    # attribute comes first.  Removed after, as the instance may be pickled.
    instance.__dict__["history"] = manager_class(history_model, instance)
    try:
        yield
    finally:
        instance.__dict__.pop("history", None)


def _insert_case(
    case: Case,
    *,
    using: str,
    pin: str,
    parties: list[PartyInput],
    note: str,
    now: dt.datetime,
    with_rows: Callable[[Case], Iterable[models.Model]] | None = None,
) -> CaseEvent:
    """Insert the new ``case`` with a fresh tracking code, its parties, its
    "created" event and the petitioner's notice of it; answers the event.
    Call inside a transaction, or on PostgreSQL outside one.

    On PostgreSQL the rows are written by one statement (``deferred_inserts``:
    the keys of the case and the event are drawn first, as the audit seals
    cover them).  A tracking code another case has (one in 2**54) writes
    nothing, and another code is drawn."""
    in_one_statement = deferred_inserts_supported(using)
    for _attempt in range(5):
        case.code = tracking.generate_code()
        case.pin_hash = tracking.hash_pin(case.code, pin, key=settings.TRACKING_PIN_KEY)
        event_id = None
        if in_one_statement:
            case.pk, event_id = draw_ids(using, Case, CaseEvent)
        writing = (
            deferred_inserts(using) if in_one_statement else contextlib.nullcontext()
        )
        try:
            with writing as deferred:
                event, created_parties = _insert_case_rows(
                    case,
                    event_id=event_id,
                    parties=parties,
                    note=note,
                    now=now,
                    with_rows=with_rows,
                )
        except Case.CodeTaken:
            # Nothing was written, so the transaction goes on (``save``
            # marked it for rollback when the exception passed); draw again.
            if transaction.get_connection(using).in_atomic_block:
                transaction.set_rollback(False, using=using)
            continue
        if deferred is None or deferred.written:
            break
        # The code was taken: the statement wrote nothing.
        case._state.adding = True
    else:  # pragma: no cover - would take astronomically bad luck
        raise InvalidInputError(_("Could not issue a tracking code; please try again."))
    _remember_parties(case, created_parties)
    return event


def _insert_case_rows(
    case: Case,
    *,
    event_id: int | None,
    parties: list[PartyInput],
    note: str,
    now: dt.datetime,
    with_rows: Callable[[Case], Iterable[models.Model]] | None = None,
) -> tuple[CaseEvent, list[Party]]:
    # The new case's audit chains start here: their heads are written once,
    # when the block ends, rather than read, locked and updated per row.
    with audit.new_case_chains(case):
        with _history_manager_of(case):
            case.insert_unless_code_taken()
        created_parties = [
            Party(
                case=case,
                role=p.role,
                full_name=p.full_name.strip(),
                national_id=p.national_id.strip(),
                phone=validators.normalize_phone(p.phone) if p.phone else "",
                email=p.email.strip(),
                address=p.address.strip(),
            )
            for p in parties
        ]
        # Row by row through a statement built once: a case names one or two
        # people, and ``bulk_create``'s machinery costs more than the inserts.
        # Like ``bulk_create``, no history row (the case's is the record).
        for party in created_parties:
            insert_new(party, using=case._state.db)
        event = CaseEvent(
            pk=event_id,
            case=case,
            kind=EventKind.CREATED,
            action="create",
            to_status=case.status,
            is_public=True,
            text=note,
            author=case.created_by,
            created_at=now,
            data={"stage": case.stage, "stage_due_on": case.stage_due_on.isoformat()},
        )
        # Sealed here, so that saving it needs no savepoint of its own.
        audit.seal(event)
        event.save()
        _keep_citizen_notice(case, event)
        for row in with_rows(case) if with_rows is not None else ():
            if not insert_new_allowed(type(row)):
                name = type(row).__name__
                raise ValueError(f"{name} is not written by insertion only.")
            insert_new(row, using=case._state.db)
    return event, created_parties


def case_create(
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
    location_text: str = "",
    parties: list[PartyInput] | None = None,
    is_complex: bool = False,
    is_anonymous: bool = False,
    is_hot_spot: bool = False,
    is_second_time: bool = False,
    petitioner_count: int = 1,
    previous_case: Case | None = None,
    duplicate_of: Case | None = None,
    answer_due_on: dt.date | None = None,
    submitted_by_public: bool = False,
    note: str = "",
    with_rows: Callable[[Case], Iterable[models.Model]] | None = None,
) -> CreatedCase:
    """Log a new case and return it with its PIN (shown once, on the receipt).

    Staff log cases for units they serve (``actor``); a citizen's online
    submission passes ``actor=None`` and ``submitted_by_public=True``, which
    skips the staff check and is only reachable from the public services.
    ``answer_due_on`` is a date a meeting's chair set for the answer; it
    replaces the policy's date for kinds answered without a formal decision.
    ``with_rows`` builds, from the new case (its key set), rows of models
    written only by insertion (``insert_new_allowed``) that are written with
    it: in its statement on PostgreSQL.
    """
    parties = parties or []
    errors: dict[str, Any] = {}
    if kind not in CaseKind.values:
        errors["kind"] = _("Invalid case kind.")
    if channel not in Channel.values:
        errors["channel"] = _("Invalid channel.")
    if not title.strip():
        errors["title"] = _("Enter a title.")
    if not content.strip():
        errors["content"] = _("Enter the content.")
    if not responsible_unit.is_active:
        errors["responsible_unit"] = _("This unit is no longer active.")
    if location_unit is not None and location_unit.kind != UnitKind.HAMLET:
        errors["location_unit"] = _("The location must be a hamlet.")
    if petitioner_count < 1:
        errors["petitioner_count"] = _("The number of petitioners must be at least 1.")
    if is_second_time and kind != CaseKind.COMPLAINT:
        errors["is_second_time"] = _("Only complaints have a second-time resolution.")
    petitioners = [p for p in parties if p.role == PartyRole.PETITIONER]
    if not is_anonymous and not petitioners:
        errors["parties"] = _(
            "Add at least one petitioner, or mark the letter as anonymous."
        )
    errors.update(_validate_parties(parties))
    if answer_due_on is not None and kind in workflow.DECIDED_KINDS:
        errors["answer_due_on"] = _(
            "Complaints and denunciations follow the legal deadlines."
        )
    if errors:
        raise InvalidInputError(fields=errors)
    if submitted_by_public:
        # The public path lands only online letters, only where the deployment
        # receives them (``Unit.receives_public_submissions``).
        if actor is not None:
            raise PermissionDeniedError()
        if (
            channel != Channel.ONLINE
            or not responsible_unit.receives_public_submissions
        ):
            raise PermissionDeniedError()
    elif not permissions.can_create_case_for(actor, responsible_unit):
        raise PermissionDeniedError(_("You cannot log cases for this unit."))

    now = timezone.now()
    case = Case(
        kind=kind,
        channel=channel,
        field=field,
        title=title.strip(),
        content=content.strip(),
        responsible_unit=responsible_unit,
        received_at=received_at or now,
        location_unit=location_unit,
        location_text=location_text.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
        is_complex=is_complex,
        is_anonymous=is_anonymous,
        is_hot_spot=is_hot_spot,
        is_second_time=is_second_time,
        is_prolonged=previous_case is not None,
        petitioner_count=petitioner_count,
        is_mass=petitioner_count >= 5,
        previous_case=previous_case,
        duplicate_of=duplicate_of,
        dispatch_unit=_dispatch_unit_of(actor) or responsible_unit,
    )
    _initial_deadlines(case)
    if answer_due_on is not None:
        case.stage_due_on = answer_due_on
        case.final_due_on = answer_due_on
    pin = tracking.generate_pin()
    # Everything above only reads, and refuses before anything is written;
    # the writes below succeed together or fail with the caller's
    # transaction, so inside one they need no savepoint of their own.
    # On PostgreSQL the writes are one statement (``_insert_case``), which
    # outside a transaction is one by itself: no BEGIN and COMMIT around it.
    using = router.db_for_write(Case)
    alone = (
        deferred_inserts_supported(using)
        and not transaction.get_connection(using).in_atomic_block
    )
    with contextlib.nullcontext() if alone else transaction.atomic(savepoint=False):
        _insert_case(
            case,
            using=using,
            pin=pin,
            parties=parties,
            note=note,
            now=now,
            with_rows=with_rows,
        )
    return CreatedCase(case=case, pin=pin)


def _lock_case(case_id: int) -> Case:
    try:
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("responsible_unit", "location_unit")
            .get(pk=case_id)
        )
    except Case.DoesNotExist:
        raise NotFoundError(_("Case not found.")) from None


def _parse_date(value, field_name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInputError(
            fields={field_name: _("Invalid date (use YYYY-MM-DD).")}
        ) from None


def _legal_ground(case, data, action):
    code = data.get("legal_ground")
    if not code:
        return None
    ground = (
        LegalGround.objects.filter(code=code, action=action, is_active=True)
        .filter(kind__in=["", case.kind])
        .first()
    )
    if ground is None:
        raise InvalidInputError(
            fields={"legal_ground": _("Choose a legal ground from the list.")}
        )
    return ground


def _effect_accept(case, data, now, actor):
    case.legal_ground = _legal_ground(case, data, "accept")
    case.handling_outcome = HandlingOutcome.ACCEPTED
    case.accepted_at = now
    if case.kind in workflow.DECIDED_KINDS:
        accepted_on = _local_date(now)
        case.stage = "resolve"
        case.stage_due_on = _resolve_due(case, accepted_on, 0)
        case.final_due_on = case.stage_due_on
    return {"stage_due_on": case.stage_due_on.isoformat()}


def _pending_draft(case) -> Answer | None:
    latest = case.answers.select_for_update().order_by("-number").first()
    if latest is not None and latest.status == AnswerStatus.DRAFT:
        return latest
    return None


def _next_answer_number(case) -> int:
    latest = case.answers.order_by("-number").values_list("number", flat=True)
    return (latest.first() or 0) + 1


def _prepare_resolve(case, data):
    """Approving the pending draft: its text and decision fill what the
    leader did not type."""
    draft = _pending_draft(case)
    if draft is None:
        return data
    merged = {
        "public_answer": draft.text,
        "outcome": draft.outcome,
        "decision_number": draft.decision_number,
        "decision_date": draft.decision_date,
    }
    merged.update({key: value for key, value in data.items() if value})
    merged["_draft"] = draft
    return merged


def _effect_draft_answer(case, data, now, actor):
    fields = {
        "text": data["public_answer"].strip(),
        "outcome": data.get("outcome") or "",
        "decision_number": str(data.get("decision_number") or "").strip(),
        "decision_date": (
            _parse_date(data["decision_date"], "decision_date")
            if data.get("decision_date")
            else None
        ),
    }
    if fields["outcome"] and fields["outcome"] not in Outcome.values:
        raise InvalidInputError(fields={"outcome": _("Invalid outcome.")})
    draft = _pending_draft(case)
    if draft is None:
        draft = Answer.objects.create(
            case=case,
            number=_next_answer_number(case),
            status=AnswerStatus.DRAFT,
            author=actor,
            created_at=now,
            **fields,
        )
    else:
        for name, value in fields.items():
            setattr(draft, name, value)
        draft.author = actor
        draft.save()
    return {"answer_id": draft.pk, "number": draft.number}


def _effect_return_answer(case, data, now, actor):
    draft = _pending_draft(case)
    if draft is None:
        raise InvalidInputError(
            fields={"text": _("There is no draft answer waiting for approval.")}
        )
    draft.status = AnswerStatus.RETURNED
    draft.review_comment = data["text"].strip()
    draft.reviewed_by = actor
    draft.reviewed_at = now
    draft.save()
    return {"answer_id": draft.pk, "number": draft.number}


def _effect_resolve(case, data, now, actor):
    case.public_answer = data["public_answer"].strip()
    case.resolved_at = now
    if case.kind in workflow.DECIDED_KINDS:
        if data["outcome"] not in Outcome.values:
            raise InvalidInputError(fields={"outcome": _("Invalid outcome.")})
        case.outcome = data["outcome"]
        case.decision_number = str(data["decision_number"]).strip()
        case.decision_date = _parse_date(data["decision_date"], "decision_date")
        next_stage = AFTER_DECISION_STAGE[case.kind]
        case.stage = next_stage
        case.stage_due_on = compute_due_date(
            kind=case.kind, stage=next_stage, start=case.decision_date
        ).due_on
    else:
        case.stage = ""
        case.stage_due_on = None
    answer = data.get("_draft")
    if answer is None:
        answer = Answer(
            case=case, number=_next_answer_number(case), author=actor, created_at=now
        )
    answer.text = case.public_answer
    answer.outcome = case.outcome
    answer.decision_number = case.decision_number
    answer.decision_date = case.decision_date
    answer.status = AnswerStatus.APPROVED
    answer.reviewed_by = actor
    answer.reviewed_at = now
    answer.save()
    return {
        "answer_id": answer.pk,
        "number": answer.number,
        "outcome": case.outcome,
        "decision_number": case.decision_number,
        "on_time": case.final_due_on is None or _local_date(now) <= case.final_due_on,
    }


def _effect_correct_answer(case, data, now, actor):
    outcome = data.get("outcome") or case.outcome
    if outcome and outcome not in Outcome.values:
        raise InvalidInputError(fields={"outcome": _("Invalid outcome.")})
    answer = Answer.objects.create(
        case=case,
        number=_next_answer_number(case),
        status=AnswerStatus.APPROVED,
        text=data["public_answer"].strip(),
        outcome=outcome,
        decision_number=str(
            data.get("decision_number") or case.decision_number
        ).strip(),
        decision_date=(
            _parse_date(data["decision_date"], "decision_date")
            if data.get("decision_date")
            else case.decision_date
        ),
        correction_reason=data["reason"].strip(),
        author=actor,
        reviewed_by=actor,
        reviewed_at=now,
        created_at=now,
    )
    old_answer = case.public_answer
    case.public_answer = answer.text
    case.outcome = answer.outcome
    case.decision_number = answer.decision_number
    case.decision_date = answer.decision_date
    return {"answer_id": answer.pk, "number": answer.number, "old": old_answer}


def _effect_publish(case, data, now, actor):
    case.published_at = now
    return {}


def _effect_return_to_dispatcher(case, data, now, actor):
    dispatcher = case.dispatch_unit
    if dispatcher is None or dispatcher.pk == case.responsible_unit_id:
        raise InvalidInputError(
            _("This case was dispatched from this unit; transfer it instead."),
            code="no_dispatcher",
        )
    from_unit = case.responsible_unit
    case.transferred_from = from_unit
    case.responsible_unit = dispatcher
    case.assignee = None
    return {"from_unit_id": from_unit.pk, "to_unit_id": dispatcher.pk}


def _effect_add_collaborator(case, data, now, actor):
    unit = data["unit"]
    if not isinstance(unit, Unit):
        unit = Unit.objects.filter(pk=unit, is_active=True).first()
    if unit is None or unit.pk == case.responsible_unit_id:
        raise InvalidInputError(fields={"unit": _("Choose another active unit.")})
    due_on = (
        _parse_date(data["due_on"], "due_on") if data.get("due_on") else None
    ) or case.stage_due_on
    collaborator, created = CaseCollaborator.objects.get_or_create(
        case=case,
        unit=unit,
        defaults={"due_on": due_on, "request_note": str(data.get("text") or "")},
    )
    if not created:
        raise InvalidInputError(
            fields={"unit": _("This unit already co-operates on the case.")}
        )
    return {
        "unit_id": unit.pk,
        "unit": unit.name,
        "due_on": due_on.isoformat() if due_on else None,
    }


def _effect_contribute(case, data, now, actor):
    unit_ids = [
        m.unit_id
        for m in permissions.memberships_of(actor)
        if m.role in permissions.UNIT_ROLES
    ]
    collaborator = (
        CaseCollaborator.objects.select_for_update()
        .filter(case=case, unit_id__in=unit_ids)
        .first()
    )
    if collaborator is None:  # pragma: no cover - guarded by the role check
        raise PermissionDeniedError()
    collaborator.contribution = data["text"].strip()
    collaborator.status = CollaboratorStatus.DONE
    collaborator.save()
    return {"unit_id": collaborator.unit_id}


FINISH_OUTCOMES = {
    "return": HandlingOutcome.RETURNED,
    "forward": HandlingOutcome.TRANSFERRED,
    "archive": HandlingOutcome.FILED,
    "withdraw": HandlingOutcome.WITHDRAWN,
}


def _effect_forward(case, data, now, actor):
    if data["to_body_class"] not in BodyClass.values:
        raise InvalidInputError(
            fields={"to_body_class": _("Choose the class of the receiving body.")}
        )
    case.transferred_to_class = data["to_body_class"]
    return _effect_finish(case, data, now, actor, action="forward")


def _effect_finish(case, data, now, actor, action=None):
    if action in FINISH_OUTCOMES:
        case.handling_outcome = FINISH_OUTCOMES[action]
        case.legal_ground = _legal_ground(case, data, action)
    case.stage = ""
    case.stage_due_on = None
    if case.status == Status.RESOLVED:
        case.closed_at = now
    return {}


def _effect_assign(case, data, now, actor):
    user_model = get_user_model()
    assignee = data["assignee"]
    if not isinstance(assignee, user_model):
        assignee = user_model.objects.filter(pk=assignee, is_active=True).first()
    is_member = (
        assignee is not None
        and assignee.memberships.filter(
            unit_id=case.responsible_unit_id, role__in=[Role.OFFICER, Role.LEADER]
        ).exists()
    )
    if not is_member:
        raise InvalidInputError(
            fields={"assignee": _("The assignee must be an officer of the unit.")}
        )
    case.assignee = assignee
    return {"assignee_id": assignee.pk, "assignee": assignee.get_full_name()}


def _effect_extend(case, data, now, actor):
    accepted_on = _local_date(case.accepted_at or case.received_at)
    new_due = _resolve_due(case, accepted_on, case.extensions + 1)
    case.extensions += 1
    old_due = case.final_due_on
    case.final_due_on = new_due
    if case.stage in ("resolve", "answer"):
        case.stage_due_on = new_due
    return {
        "from_due_on": old_due.isoformat() if old_due else None,
        "to_due_on": new_due.isoformat(),
        "extensions": case.extensions,
    }


def _effect_transfer(case, data, now, actor):
    to_unit = data["to_unit"]
    if not isinstance(to_unit, Unit):
        to_unit = Unit.objects.filter(pk=to_unit).first()
    if to_unit is None or not to_unit.is_active:
        raise InvalidInputError(fields={"to_unit": _("Invalid receiving unit.")})
    if to_unit.pk == case.responsible_unit_id:
        raise InvalidInputError(
            fields={"to_unit": _("The case already belongs to this unit.")}
        )
    from_unit = case.responsible_unit
    case.transferred_from = from_unit
    case.responsible_unit = to_unit
    case.assignee = None
    return {
        "from_unit_id": from_unit.pk,
        "from_unit": from_unit.name,
        "to_unit_id": to_unit.pk,
        "to_unit": to_unit.name,
    }


def _effect_correct(case, data, now, actor):
    name = data["field_name"]
    if name not in CORRECTABLE_FIELDS:
        raise InvalidInputError(
            fields={"field_name": _("This field cannot be corrected.")}
        )
    model_field = Case._meta.get_field(name)
    value = data.get("value")
    if model_field.is_relation:
        value = model_field.related_model.objects.filter(pk=value).first()
        if value is None and not model_field.null:
            raise InvalidInputError(fields={"value": _("Invalid value.")})
    else:
        try:
            value = model_field.clean(value, case)
        except ValidationError as error:
            raise InvalidInputError(fields={"value": error.messages[0]}) from None
    old = getattr(case, model_field.attname)
    setattr(case, name, value)
    return {
        "field": name,
        "old": str(old),
        "new": str(getattr(case, model_field.attname)),
    }


EFFECTS = {
    "accept": _effect_accept,
    "draft_answer": _effect_draft_answer,
    "return_answer": _effect_return_answer,
    "resolve": _effect_resolve,
    "correct_answer": _effect_correct_answer,
    "publish": _effect_publish,
    "return": lambda *args: _effect_finish(*args, action="return"),
    "forward": _effect_forward,
    "archive": lambda *args: _effect_finish(*args, action="archive"),
    "withdraw": lambda *args: _effect_finish(*args, action="withdraw"),
    "close": _effect_finish,
    "return_to_dispatcher": _effect_return_to_dispatcher,
    "add_collaborator": _effect_add_collaborator,
    "contribute": _effect_contribute,
    "assign": _effect_assign,
    "extend": _effect_extend,
    "transfer": _effect_transfer,
    "correct": _effect_correct,
    "note": lambda case, data, now, actor: {},
}

# Prepares an action's data from the case before the guards run.
PREPARE = {"resolve": _prepare_resolve}

EVENT_KINDS = {
    "draft_answer": EventKind.ANSWER,
    "return_answer": EventKind.ANSWER,
    "correct_answer": EventKind.CORRECTION,
    "publish": EventKind.PUBLICATION,
    "return_to_dispatcher": EventKind.TRANSFER,
    "add_collaborator": EventKind.COLLABORATION,
    "contribute": EventKind.COLLABORATION,
    "assign": EventKind.ASSIGNMENT,
    "extend": EventKind.EXTENSION,
    "transfer": EventKind.TRANSFER,
    "note": EventKind.NOTE,
    "correct": EventKind.CORRECTION,
    "resolve": EventKind.ANSWER,
}


def case_allowed_actions(*, actor, case: Case) -> list[str]:
    roles = permissions.case_roles_with_collaboration(actor, case)
    return workflow.allowed_actions(
        case.status, roles, is_creator=permissions.is_case_creator(actor, case)
    )


@transaction.atomic
def case_transition(
    *,
    case_id: int,
    action: str,
    actor,
    data: dict | None = None,
    expected_version: int | None = None,
) -> Case:
    """Apply one workflow action to a case, or refuse and change nothing."""
    data = dict(data or {})
    spec = workflow.ACTIONS.get(action)
    if spec is None:
        raise InvalidInputError(
            _("No such action: %(action)s.") % {"action": action},
            code="unknown_action",
        )
    case = _lock_case(case_id)
    if not permissions.can_view_case(actor, case):
        # Never reveal whether a hidden case exists.
        raise NotFoundError(_("Case not found."))
    if expected_version is not None and expected_version != case.version:
        raise ConflictError()
    roles = permissions.case_roles_with_collaboration(actor, case)
    creator_may = spec.reception_may and permissions.is_case_creator(actor, case)
    if not (roles & spec.roles or creator_may):
        raise PermissionDeniedError()
    if case.status not in spec.sources:
        raise InvalidTransitionError(
            allowed=case_allowed_actions(actor=actor, case=case)
        )
    if action in PREPARE:
        data = PREPARE[action](case, data)
    errors = spec.check(case, data)
    if errors:
        raise InvalidInputError(fields=errors)

    now = timezone.now()
    from_status = case.status
    event_data = EFFECTS[action](case, data, now, actor)
    if spec.target is not None:
        case.status = spec.target
    case.version += 1
    case.save()
    event = CaseEvent.objects.create(
        case=case,
        kind=EVENT_KINDS.get(action, EventKind.STATUS),
        action=action,
        from_status=from_status,
        to_status=case.status,
        is_public=_is_public_event(action, data),
        text=str(data.get("text") or data.get("reason") or "").strip(),
        data={
            **event_data,
            **{
                key: str(data[key])
                for key in ("legal_ground", "to_body", "to_body_class")
                if data.get(key)
            },
        },
        author=actor if getattr(actor, "pk", None) else None,
        created_at=now,
    )
    _keep_citizen_notice(case, event)
    return case


def _keep_citizen_notice(case: Case, event: CaseEvent) -> None:
    """Keep ``event`` for the petitioner's e-mail and SMS, in the event's own
    transaction, when it is one a petitioner is told about (the outbox's
    next delivery run writes the messages: ``citizen_notices_write``)."""
    if tells_citizen(case, event):
        insert_new(
            CitizenNotice(event=event, created_at=event.created_at),
            using=event._state.db,
        )


INTERNAL_ACTIONS = frozenset(
    {
        "assign",
        "transfer",
        "correct",
        "draft_answer",
        "return_answer",
        "return_to_dispatcher",
        "add_collaborator",
        "contribute",
    }
)


def _is_public_event(action: str, data: dict) -> bool:
    if action == "note":
        return bool(data.get("is_public"))
    # Status changes and the approved answer are what a citizen follows;
    # drafts, assignments, transfers and corrections are internal.
    return action not in INTERNAL_ACTIONS
