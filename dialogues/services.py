"""Writes to meetings and their items: every change a page, the API, the admin
or the demo makes goes through one of these functions.

Each is atomic and locks the meeting row first, then its items, then (through
the case services) the cases, always in that order.  Each records a
``MeetingEvent`` and stamps simple-history with the acting user.  A refusal
raises a ``feedback.errors.DomainError`` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from dialogues import files, workflow
from dialogues import permissions as meeting_permissions
from dialogues import rules as meeting_rules
from dialogues.models import (
    HAPPENED_STATUSES,
    UPCOMING_STATUSES,
    ItemOutcome,
    Meeting,
    MeetingEvent,
    MeetingItem,
    MeetingKind,
    MeetingRule,
    MeetingStatus,
    RaisedBy,
    SessionTiming,
)
from dialogues.selectors import meeting_warnings
from feedback import validators
from feedback.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from feedback.models import Case, Field, PartyRole, Status, Unit, UnitKind
from feedback.services.cases import (
    PartyInput,
    case_allowed_actions,
    case_create,
    case_transition,
)

FIRST_MOMENT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LAST_MOMENT = dt.datetime(2099, 12, 31, tzinfo=dt.UTC)
MAX_ATTENDANCE = 100_000
MAX_ITEMS_AT_ONCE = 100

# Planning fields that may change only before the meeting takes place.
UPCOMING_ONLY_FIELDS = frozenset({"kind", "organiser_unit"})
PLANNING_FIELDS = frozenset(
    {
        "kind",
        "topic",
        "organiser_unit",
        "chair",
        "chair_name",
        "chair_position",
        "participating_units",
        "deputies",
        "hamlets",
        "starts_at",
        "ends_at",
        "place",
        "council_session",
        "session_timing",
        "expected_attendance",
    }
)


@dataclass
class MeetingResult:
    """A meeting just written, and what the rules warn about it."""

    meeting: Meeting
    warnings: list[str] = field(default_factory=list)


@dataclass
class ItemInput:
    raised_by: str
    field: Any
    title: str
    content: str
    raiser_name: str = ""
    raiser_address: str = ""
    raiser_phone: str = ""
    raiser_hamlet: Any = None
    is_hot_spot: bool = False


@dataclass
class ItemConversion:
    item_id: int
    responsible_unit: Any
    answer_due_on: dt.date | None = None
    is_hot_spot: bool | None = None


@dataclass
class PublishResult:
    meeting: Meeting
    answered_items: int
    published_cases: int
    waiting_cases: int
    not_allowed_cases: int


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _date(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _rules() -> list[MeetingRule]:
    return list(MeetingRule.objects.all())


def _lock_meeting(meeting_id, actor) -> Meeting:
    """The meeting row, locked; a meeting the actor may not see is "not
    found", one they may see but not edit is refused."""
    try:
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("organiser_unit")
            .get(pk=meeting_id)
        )
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Meeting not found.")) from None
    if not meeting_permissions.can_view_meeting(actor, meeting):
        raise NotFoundError(_("Meeting not found."))
    if not meeting_permissions.can_edit_meeting(actor, meeting):
        raise PermissionDeniedError(
            _("Only the organising unit and its supervisors change this meeting.")
        )
    return meeting


def _check_version(meeting: Meeting, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != meeting.version:
        raise ConflictError(
            _(
                "Someone else has just updated this meeting. Please reload the "
                "page and try again."
            )
        )


def _save_meeting(meeting: Meeting, actor) -> None:
    meeting.version += 1
    meeting._history_user = actor if getattr(actor, "pk", None) else None
    meeting.save()


def _save_item(item: MeetingItem, actor) -> None:
    item._history_user = actor if getattr(actor, "pk", None) else None
    item.save()


def _event(
    meeting, actor, action, *, text="", data=None, from_status="", to_status=""
) -> MeetingEvent:
    return MeetingEvent.objects.create(
        meeting=meeting,
        action=action,
        from_status=from_status,
        to_status=to_status,
        text=text,
        data=data or {},
        author=actor if getattr(actor, "pk", None) else None,
        created_at=timezone.now(),
    )


def _refuse_closed(meeting: Meeting, actor) -> None:
    raise InvalidTransitionError(
        _("A reported or cancelled meeting can no longer be changed."),
        allowed=workflow.allowed_transitions(
            meeting.status, meeting_permissions.meeting_roles(actor, meeting)
        ),
    )


def _resolve_unit(value, *, field_name: str, errors: dict, kind=None):
    if value in (None, ""):
        return None
    unit = value if isinstance(value, Unit) else Unit.objects.filter(pk=value).first()
    if unit is None or not unit.is_active:
        errors[field_name] = _("Choose an active unit.")
        return None
    if kind is not None and unit.kind != kind:
        errors[field_name] = _("Choose a hamlet.")
        return None
    return unit


def _resolve_units(values, *, field_name: str, errors: dict, kind=None) -> list:
    units = []
    for value in values or ():
        unit = _resolve_unit(value, field_name=field_name, errors=errors, kind=kind)
        if unit is not None and unit not in units:
            units.append(unit)
    return units


def _check_moment(value, field_name: str, errors: dict) -> None:
    if value is None:
        return
    if timezone.is_naive(value):
        errors[field_name] = _("Enter the date and time.")
    elif not FIRST_MOMENT <= value <= LAST_MOMENT:
        errors[field_name] = _("Enter a date between 2000 and 2099.")


def _validate_planning(values: dict, *, errors: dict) -> dict:
    """Clean the planning values in place; put messages in ``errors``."""
    cleaned = dict(values)
    if "kind" in values and values["kind"] not in MeetingKind.values:
        errors["kind"] = _("Choose the kind of meeting.")
    for name, message in (
        ("topic", _("Enter the topic.")),
        ("place", _("Enter where the meeting takes place.")),
    ):
        if name in values:
            cleaned[name] = str(values[name] or "").strip()
            if not cleaned[name]:
                errors[name] = message
            elif len(cleaned[name]) > 255:
                errors[name] = _("At most 255 characters.")
    for name, limit in (
        ("chair_name", 120),
        ("chair_position", 160),
        ("council_session", 255),
    ):
        if name in values:
            cleaned[name] = str(values[name] or "").strip()
            if len(cleaned[name]) > limit:
                errors[name] = _("At most %(limit)s characters.") % {"limit": limit}
    if "deputies" in values:
        cleaned["deputies"] = "\n".join(
            line.strip()
            for line in str(values["deputies"] or "").splitlines()
            if line.strip()
        )
    if "chair" in values and values["chair"] not in (None, ""):
        user_model = get_user_model()
        chair = values["chair"]
        if not isinstance(chair, user_model):
            chair = user_model.objects.filter(pk=chair).first()
        if chair is None or not chair.is_active:
            errors["chair"] = _("Choose an active user.")
        cleaned["chair"] = chair
    elif "chair" in values:
        cleaned["chair"] = None
    if "organiser_unit" in values:
        cleaned["organiser_unit"] = _resolve_unit(
            values["organiser_unit"], field_name="organiser_unit", errors=errors
        )
        if cleaned["organiser_unit"] is None and "organiser_unit" not in errors:
            errors["organiser_unit"] = _("Choose the organising unit.")
    if "participating_units" in values:
        cleaned["participating_units"] = _resolve_units(
            values["participating_units"],
            field_name="participating_units",
            errors=errors,
        )
    if "hamlets" in values:
        cleaned["hamlets"] = _resolve_units(
            values["hamlets"],
            field_name="hamlets",
            errors=errors,
            kind=UnitKind.HAMLET,
        )
    for name in ("starts_at", "ends_at"):
        if name in values:
            _check_moment(values[name], name, errors)
    if "starts_at" in values and values["starts_at"] is None:
        errors["starts_at"] = _("Enter the date and time.")
    if "session_timing" in values:
        cleaned["session_timing"] = values["session_timing"] or ""
        if cleaned["session_timing"] not in ("", *SessionTiming.values):
            errors["session_timing"] = _("Choose before or after the session.")
    if "expected_attendance" in values:
        value = values["expected_attendance"]
        if value in ("",):
            value = None
        if value is not None and (
            not isinstance(value, int) or not 0 <= value <= MAX_ATTENDANCE
        ):
            errors["expected_attendance"] = _("Enter a number of people.")
        cleaned["expected_attendance"] = value
    return cleaned


def _validate_whole(meeting: Meeting, errors: dict) -> None:
    """Rules that involve several planning fields, checked on the result."""
    if meeting.chair_id is None and not meeting.chair_name:
        errors.setdefault("chair_name", _("Choose the chair or type their name."))
    if (
        meeting.ends_at is not None
        and meeting.starts_at is not None
        and "starts_at" not in errors
        and "ends_at" not in errors
        and meeting.ends_at <= meeting.starts_at
    ):
        errors["ends_at"] = _("The end must come after the start.")
    if (
        meeting.kind in MeetingKind.values
        and meeting.kind != MeetingKind.VOTER_CONTACT
        and (meeting.session_timing or meeting.council_session)
    ):
        errors.setdefault(
            "council_session",
            _("Only voter contact meetings are tied to a council session."),
        )


# --------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor,
    kind: str,
    organiser_unit: Unit,
    topic: str,
    starts_at: dt.datetime,
    place: str,
    chair=None,
    chair_name: str = "",
    chair_position: str = "",
    participating_units=(),
    deputies: str = "",
    hamlets=(),
    ends_at: dt.datetime | None = None,
    council_session: str = "",
    session_timing: str = "",
    expected_attendance: int | None = None,
    today: dt.date | None = None,
) -> MeetingResult:
    """Plan a meeting for a unit the actor organises meetings for.

    Returns the meeting (status ``planned``) with the warnings of the rules,
    e.g. the last day on which a dialogue may be announced.
    """
    errors: dict[str, Any] = {}
    values = _validate_planning(
        {
            "kind": kind,
            "organiser_unit": organiser_unit,
            "topic": topic,
            "starts_at": starts_at,
            "place": place,
            "chair": chair,
            "chair_name": chair_name,
            "chair_position": chair_position,
            "participating_units": participating_units,
            "deputies": deputies,
            "hamlets": hamlets,
            "ends_at": ends_at,
            "council_session": council_session,
            "session_timing": session_timing,
            "expected_attendance": expected_attendance,
        },
        errors=errors,
    )
    unit = values["organiser_unit"]
    if unit is not None and not meeting_permissions.can_organise_for(actor, unit):
        raise PermissionDeniedError(
            _("You cannot plan meetings for this unit."),
            fields={"organiser_unit": _("You cannot plan meetings for this unit.")},
        )
    participants = values.pop("participating_units")
    hamlet_units = values.pop("hamlets")
    meeting = Meeting(created_by=actor if getattr(actor, "pk", None) else None)
    for name, value in values.items():
        setattr(meeting, name, value)
    _validate_whole(meeting, errors)
    if errors:
        raise InvalidInputError(fields=errors)
    meeting._history_user = meeting.created_by
    meeting.save()
    meeting.participating_units.set(participants)
    meeting.hamlets.set(hamlet_units)
    _event(meeting, actor, "create", to_status=meeting.status)
    today = today or timezone.localdate()
    return MeetingResult(
        meeting=meeting,
        warnings=meeting_warnings(meeting, today=today, rules=_rules()),
    )


@transaction.atomic
def meeting_update(
    *,
    meeting_id: int,
    actor,
    changes: dict,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> MeetingResult:
    """Change the plan of a meeting (topic, date, place, chair, units…).

    Kind and organising unit change only before the meeting is held; a held
    meeting keeps its date in the past; an announced meeting may not be
    moved so close that its announcement no longer gives the required
    notice.  Reported and cancelled meetings are closed.
    """
    unknown = set(changes) - PLANNING_FIELDS
    if unknown:
        raise InvalidInputError(
            fields={name: _("This field cannot be changed.") for name in unknown}
        )
    meeting = _lock_meeting(meeting_id, actor)
    _check_version(meeting, expected_version)
    if meeting.status not in (*UPCOMING_STATUSES, MeetingStatus.HELD):
        _refuse_closed(meeting, actor)
    errors: dict[str, Any] = {}
    if meeting.has_happened:
        for name in UPCOMING_ONLY_FIELDS & set(changes):
            errors[name] = _("This can no longer change once the meeting is held.")
    values = _validate_planning(changes, errors=errors)
    unit = values.get("organiser_unit")
    if (
        unit is not None
        and unit.pk != meeting.organiser_unit_id
        and not meeting_permissions.can_organise_for(actor, unit)
    ):
        raise PermissionDeniedError(
            _("You cannot plan meetings for this unit."),
            fields={"organiser_unit": _("You cannot plan meetings for this unit.")},
        )
    participants = values.pop("participating_units", None)
    hamlet_units = values.pop("hamlets", None)
    values = {name: value for name, value in values.items() if name not in errors}
    before = {name: getattr(meeting, name) for name in values}
    for name, value in values.items():
        setattr(meeting, name, value)
    _validate_whole(meeting, errors)
    now = timezone.now()
    rules = _rules()
    if "starts_at" in values and "starts_at" not in errors and meeting.starts_at:
        if meeting.has_happened and meeting.starts_at > now:
            errors["starts_at"] = _("A meeting already held cannot be in the future.")
        if meeting.status == MeetingStatus.ANNOUNCED and meeting.announced_at:
            breach = meeting_rules.notice_breach(
                rules,
                meeting_kind=meeting.kind,
                organiser_kind=meeting.organiser_unit.kind,
                starts_on=_local_date(meeting.starts_at),
                announced_on=_local_date(meeting.announced_at),
            )
            if breach is not None and breach.rule.severity == meeting_rules.ENFORCE:
                errors["starts_at"] = _(
                    "It was announced on %(announced)s: with %(days)s days of "
                    "notice (%(basis)s) it cannot take place before %(earliest)s."
                ) % {
                    "announced": _date(_local_date(meeting.announced_at)),
                    "days": breach.rule.notice_days,
                    "basis": breach.rule.legal_basis,
                    "earliest": _date(
                        _local_date(meeting.announced_at)
                        + dt.timedelta(days=breach.rule.notice_days)
                    ),
                }
    if errors:
        raise InvalidInputError(fields=errors)
    changed = {
        name: str(before[name]) for name in values if before[name] != values[name]
    }
    _save_meeting(meeting, actor)
    if participants is not None:
        meeting.participating_units.set(participants)
        changed["participating_units"] = ""
    if hamlet_units is not None:
        meeting.hamlets.set(hamlet_units)
        changed["hamlets"] = ""
    _event(meeting, actor, "update", data={"fields": sorted(changed)})
    return MeetingResult(
        meeting=meeting,
        warnings=meeting_warnings(
            meeting, today=today or timezone.localdate(), rules=rules
        ),
    )


def _clean_attendance(value, errors: dict, field_name="actual_attendance"):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field_name] = _("Enter a number of people.")
        return None
    if isinstance(value, bool) or not 0 <= number <= MAX_ATTENDANCE:
        errors[field_name] = _("Enter a number of people.")
        return None
    return number


def _attach_minutes_file(meeting: Meeting, upload) -> dict:
    checked = files.check_minutes_file(upload)
    name = f"{secrets.token_hex(12)}{checked.extension}"
    meeting.minutes_file.save(name, upload, save=False)
    meeting.minutes_file_name = (getattr(upload, "name", "") or name)[-255:]
    meeting.minutes_content_type = checked.content_type
    meeting.minutes_size = checked.size
    return {"file": meeting.minutes_file_name, "size": checked.size}


def _pending_numbers(meeting: Meeting) -> list[int]:
    return list(
        MeetingItem.objects.filter(meeting=meeting, outcome=ItemOutcome.PENDING)
        .order_by("number")
        .values_list("number", flat=True)
    )


def meeting_allowed_transitions(*, actor, meeting: Meeting) -> list[str]:
    return workflow.allowed_transitions(
        meeting.status, meeting_permissions.meeting_roles(actor, meeting)
    )


@transaction.atomic
def meeting_transition(
    *,
    meeting_id: int,
    action: str,
    actor,
    data: dict | None = None,
    minutes_file=None,
    expected_version: int | None = None,
) -> Meeting:
    """Move a meeting along the table in ``dialogues.workflow``, or refuse and
    change nothing.

    ``hold`` takes ``actual_attendance``, ``minutes`` and optionally the
    scanned signed minutes (``minutes_file``); ``cancel`` takes ``reason``.
    """
    data = dict(data or {})
    spec = workflow.TRANSITIONS.get(action)
    if spec is None:
        raise InvalidInputError(
            _("No such action: %(action)s.") % {"action": action},
            code="unknown_action",
        )
    meeting = _lock_meeting(meeting_id, actor)
    _check_version(meeting, expected_version)
    roles = meeting_permissions.meeting_roles(actor, meeting)
    if not roles & spec.roles:
        raise PermissionDeniedError(
            _("Only the leaders of the organising unit may do this.")
        )
    if meeting.status not in spec.sources:
        raise InvalidTransitionError(
            _("The meeting's current status does not allow this action."),
            allowed=workflow.allowed_transitions(meeting.status, roles),
        )
    errors: dict[str, Any] = {}
    if action == "hold":
        data["actual_attendance"] = _clean_attendance(
            data.get("actual_attendance"), errors
        )
        data["minutes"] = str(data.get("minutes") or "").strip()
    now = timezone.now()
    context = {
        "now": now,
        "today": _local_date(now),
        "starts_on": _local_date(meeting.starts_at),
        "rules": _rules(),
        "pending_items": _pending_numbers(meeting) if action == "report" else [],
    }
    for key, message in spec.check(meeting, data, context).items():
        errors.setdefault(key, message)
    if errors:
        raise InvalidInputError(fields=errors)
    event_data: dict[str, Any] = {}
    if action == "announce":
        meeting.announced_at = now
    elif action == "hold":
        meeting.actual_attendance = data["actual_attendance"]
        meeting.minutes = data["minutes"]
        event_data["actual_attendance"] = meeting.actual_attendance
        if minutes_file is not None:
            event_data.update(_attach_minutes_file(meeting, minutes_file))
    elif action == "cancel":
        meeting.cancel_reason = str(data["reason"]).strip()
    from_status = meeting.status
    meeting.status = spec.target
    _save_meeting(meeting, actor)
    _event(
        meeting,
        actor,
        action,
        from_status=from_status,
        to_status=meeting.status,
        text=meeting.cancel_reason if action == "cancel" else "",
        data=event_data,
    )
    return meeting


@transaction.atomic
def meeting_record(
    *,
    meeting_id: int,
    actor,
    actual_attendance,
    minutes: str,
    minutes_file=None,
    expected_version: int | None = None,
) -> Meeting:
    """Correct the record of a held meeting: attendance, minutes, and the
    scan of the signed minutes (a new scan replaces the old one; the old
    version stays in the history)."""
    meeting = _lock_meeting(meeting_id, actor)
    _check_version(meeting, expected_version)
    if meeting.status != MeetingStatus.HELD:
        raise InvalidTransitionError(
            _("The record can be changed only while the meeting is held."),
            allowed=meeting_allowed_transitions(actor=actor, meeting=meeting),
        )
    errors: dict[str, Any] = {}
    attendance = _clean_attendance(actual_attendance, errors)
    if attendance is None and "actual_attendance" not in errors:
        errors["actual_attendance"] = _("Enter how many people attended.")
    minutes = str(minutes or "").strip()
    if not minutes:
        errors["minutes"] = _("Enter the minutes of the meeting.")
    if errors:
        raise InvalidInputError(fields=errors)
    meeting.actual_attendance = attendance
    meeting.minutes = minutes
    data: dict[str, Any] = {"actual_attendance": attendance}
    if minutes_file is not None:
        data.update(_attach_minutes_file(meeting, minutes_file))
    _save_meeting(meeting, actor)
    _event(meeting, actor, "record", data=data)
    return meeting


# --------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------


def _require_item_status(meeting: Meeting, actor) -> None:
    if meeting.status not in workflow.ITEM_STATUSES:
        raise InvalidTransitionError(
            _(
                "Items are recorded, answered and turned into cases while the "
                "meeting is held (recorded and not yet reported back)."
            ),
            allowed=meeting_allowed_transitions(actor=actor, meeting=meeting),
        )


def _validate_item(entry: ItemInput, prefix: str, errors: dict) -> dict:
    values: dict[str, Any] = {}
    if entry.raised_by not in RaisedBy.values:
        errors[f"{prefix}raised_by"] = _("Say who raised it.")
    field_value = entry.field
    if field_value in (None, ""):
        errors[f"{prefix}field"] = _("Choose the field.")
    else:
        if not isinstance(field_value, Field):
            field_value = Field.objects.filter(pk=field_value, is_active=True).first()
        if field_value is None:
            errors[f"{prefix}field"] = _("Choose the field.")
    values["field"] = field_value
    for name, limit, message in (
        ("title", 255, _("Enter a short summary.")),
        ("content", None, _("Enter what was raised.")),
    ):
        text = str(getattr(entry, name) or "").strip()
        if not text:
            errors[f"{prefix}{name}"] = message
        elif limit and len(text) > limit:
            errors[f"{prefix}{name}"] = _("At most %(limit)s characters.") % {
                "limit": limit
            }
        values[name] = text
    values["raiser_name"] = str(entry.raiser_name or "").strip()[:120]
    values["raiser_address"] = str(entry.raiser_address or "").strip()[:255]
    phone = str(entry.raiser_phone or "").strip()
    if phone:
        try:
            validators.validate_phone(phone)
        except ValidationError as error:
            errors[f"{prefix}raiser_phone"] = error.messages[0]
        phone = validators.normalize_phone(phone)
    values["raiser_phone"] = phone
    inner: dict[str, Any] = {}
    values["raiser_hamlet"] = _resolve_unit(
        entry.raiser_hamlet,
        field_name="raiser_hamlet",
        errors=inner,
        kind=UnitKind.HAMLET,
    )
    for key, message in inner.items():
        errors[f"{prefix}{key}"] = message
    if entry.raised_by == RaisedBy.PERSON and not values["raiser_name"]:
        errors[f"{prefix}raiser_name"] = _("Enter the name of who raised it.")
    if (
        entry.raised_by == RaisedBy.HAMLET_VOTERS
        and values["raiser_hamlet"] is None
        and f"{prefix}raiser_hamlet" not in errors
    ):
        errors[f"{prefix}raiser_hamlet"] = _(
            "Choose the hamlet whose voters raised it."
        )
    values["raised_by"] = entry.raised_by
    values["is_hot_spot"] = bool(entry.is_hot_spot)
    return values


@transaction.atomic
def items_add(*, meeting_id: int, actor, items: list[ItemInput]) -> list[MeetingItem]:
    """Record the opinions and petitions raised at a held meeting, all or
    nothing; errors are keyed ``items.<index>.<field>``."""
    meeting = _lock_meeting(meeting_id, actor)
    _require_item_status(meeting, actor)
    if not items:
        raise InvalidInputError(fields={"items": _("Enter at least one item.")})
    if len(items) > MAX_ITEMS_AT_ONCE:
        raise InvalidInputError(
            fields={
                "items": _("At most %(count)s items at once.")
                % {"count": MAX_ITEMS_AT_ONCE}
            }
        )
    errors: dict[str, Any] = {}
    cleaned = [
        _validate_item(entry, f"items.{index}.", errors)
        for index, entry in enumerate(items)
    ]
    if errors:
        raise InvalidInputError(fields=errors)
    number = (
        MeetingItem.objects.filter(meeting=meeting).aggregate(top=Max("number"))["top"]
        or 0
    )
    created = []
    for values in cleaned:
        number += 1
        item = MeetingItem(meeting=meeting, number=number, **values)
        _save_item(item, actor)
        created.append(item)
    _event(
        meeting, actor, "add_items", data={"numbers": [item.number for item in created]}
    )
    return created


def _lock_items(meeting: Meeting, item_ids) -> dict[int, MeetingItem]:
    ids = []
    for value in item_ids:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise InvalidInputError(fields={"items": _("Unknown item.")}) from None
    items = (
        MeetingItem.objects.select_for_update(of=("self",))
        .filter(meeting=meeting, pk__in=ids)
        .select_related("raiser_hamlet", "case", "field")
        .order_by("pk")
    )
    return {item.pk: item for item in items}


def _lock_item(item_id, actor) -> tuple[Meeting, MeetingItem]:
    """The item's meeting, then the item, both locked (in that order)."""
    meeting_id = None
    if str(item_id).isdigit():
        meeting_id = (
            MeetingItem.objects.filter(pk=item_id)
            .values_list("meeting_id", flat=True)
            .first()
        )
    if meeting_id is None:
        raise NotFoundError(_("Item not found."))
    meeting = _lock_meeting(meeting_id, actor)
    return meeting, _lock_items(meeting, [item_id])[int(item_id)]


@transaction.atomic
def item_answer(
    *, item_id: int, actor, answer: str, answered_by: str = ""
) -> MeetingItem:
    """Record the answer given on the spot to an item (or correct it while
    the meeting is held); merged items share it."""
    meeting, item = _lock_item(item_id, actor)
    _require_item_status(meeting, actor)
    if item.outcome not in (ItemOutcome.PENDING, ItemOutcome.ANSWERED):
        raise InvalidInputError(
            _("Only an item not yet turned into a case or merged can be answered."),
            code="item_handled",
        )
    errors = {}
    answer = str(answer or "").strip()
    answered_by = str(answered_by or "").strip()
    if not answer:
        errors["answer"] = _("Enter the answer given at the meeting.")
    if len(answered_by) > 160:
        errors["answered_by"] = _("At most %(limit)s characters.") % {"limit": 160}
    if errors:
        raise InvalidInputError(fields=errors)
    item.outcome = ItemOutcome.ANSWERED
    item.answer = answer
    item.answered_by = answered_by or meeting.chair_display
    item.handled_at = timezone.now()
    item.handled_by = actor if getattr(actor, "pk", None) else None
    _save_item(item, actor)
    _event(meeting, actor, "answer", data={"number": item.number})
    return item


def _voters_name(hamlet: Unit) -> str:
    # Stored in the case, so in the deployment's language, not the request's.
    with translation.override(settings.LANGUAGE_CODE):
        name = hamlet.name[:1].lower() + hamlet.name[1:]
        return _("Voters of %(hamlet)s") % {"hamlet": name}


def _party_of(item: MeetingItem) -> PartyInput:
    if item.raised_by == RaisedBy.HAMLET_VOTERS:
        return PartyInput(
            role=PartyRole.PETITIONER,
            full_name=_voters_name(item.raiser_hamlet),
            address=item.raiser_hamlet.name,
        )
    return PartyInput(
        role=PartyRole.PETITIONER,
        full_name=item.raiser_name,
        phone=item.raiser_phone,
        address=item.raiser_address
        or (item.raiser_hamlet.name if item.raiser_hamlet_id else ""),
    )


def _case_note(meeting: Meeting) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Raised at the %(kind)s of %(date)s at %(place)s: %(topic)s.") % {
            "kind": str(meeting.get_kind_display()).lower(),
            "date": _date(_local_date(meeting.starts_at)),
            "place": meeting.place,
            "topic": meeting.topic,
        }


def _location_of(meeting: Meeting, item: MeetingItem, hamlets: list[Unit]):
    if item.raiser_hamlet_id:
        return item.raiser_hamlet
    return hamlets[0] if len(hamlets) == 1 else None


def _prefixed(errors: dict, prefix: str) -> dict:
    """A service's field errors under an item's prefix; errors about the
    whole request become errors about the item."""
    return {
        f"{prefix}item" if key == "__all__" else f"{prefix}{key}": value
        for key, value in errors.items()
    }


@transaction.atomic
def items_convert(
    *, meeting_id: int, actor, conversions: list[ItemConversion]
) -> list[MeetingItem]:
    """Turn items into tracked cases, all or nothing.

    Each case is a ``voter_petition`` (voter contact) or a ``dialogue_issue``
    (dialogue, reception day), received at the meeting's time, due on the
    chair's date or else the policy's, with the raiser (or "Voters of hamlet
    X") as petitioner and every item merged into it counted as one more.
    Errors are keyed ``items.<index>.<field>``.
    """
    meeting = _lock_meeting(meeting_id, actor)
    _require_item_status(meeting, actor)
    if not conversions:
        raise InvalidInputError(
            fields={"items": _("Select at least one item to turn into a case.")}
        )
    locked = _lock_items(meeting, [entry.item_id for entry in conversions])
    hamlets = list(meeting.hamlets.all())
    merged_children: dict[int, list[MeetingItem]] = {}
    for child in (
        MeetingItem.objects.select_for_update(of=("self",))
        .filter(merged_into_id__in=list(locked))
        .order_by("number")
    ):
        merged_children.setdefault(child.merged_into_id, []).append(child)
    meeting_day = _local_date(meeting.starts_at)
    errors: dict[str, Any] = {}
    seen = set()
    converted = []
    now = timezone.now()
    for index, entry in enumerate(conversions):
        prefix = f"items.{index}."
        item = locked.get(int(entry.item_id)) if str(entry.item_id).isdigit() else None
        if item is None or item.pk in seen:
            errors[f"{prefix}item"] = _("Unknown item.")
            continue
        seen.add(item.pk)
        if item.outcome != ItemOutcome.PENDING:
            errors[f"{prefix}item"] = _(
                "Item no. %(number)s is already answered, turned into a case or merged."
            ) % {"number": item.number}
            continue
        inner: dict[str, Any] = {}
        unit = _resolve_unit(
            entry.responsible_unit, field_name="responsible_unit", errors=inner
        )
        if unit is None and not inner:
            inner["responsible_unit"] = _("Choose the unit responsible for the answer.")
        due_on = entry.answer_due_on
        if due_on is not None and not meeting_day <= due_on <= dt.date(2099, 12, 31):
            inner["answer_due_on"] = _(
                "The answer cannot be due before the meeting (%(date)s)."
            ) % {"date": _date(meeting_day)}
        if inner:
            errors.update(_prefixed(inner, prefix))
            continue
        children = merged_children.get(item.pk, [])
        hot_spot = item.is_hot_spot if entry.is_hot_spot is None else entry.is_hot_spot
        parties = [_party_of(item)] + [
            _party_of(child) for child in children if child.raised_by == RaisedBy.PERSON
        ]
        try:
            created = case_create(
                actor=actor,
                kind=workflow.CASE_KIND[meeting.kind],
                channel=workflow.CASE_CHANNEL[meeting.kind],
                field=item.field,
                title=item.title,
                content=item.content,
                responsible_unit=unit,
                received_at=meeting.starts_at,
                location_unit=_location_of(meeting, item, hamlets),
                parties=parties,
                is_hot_spot=hot_spot,
                petitioner_count=1 + len(children),
                answer_due_on=due_on,
                note=_case_note(meeting),
            )
        except PermissionDeniedError:
            errors[f"{prefix}responsible_unit"] = _(
                "You cannot log cases for this unit."
            )
            continue
        except DomainError as error:
            if error.fields:
                errors.update(_prefixed(error.fields, prefix))
            else:
                errors[f"{prefix}item"] = str(error.message)
            continue
        item.outcome = ItemOutcome.CASE
        item.case = created.case
        item.responsible_unit = unit
        item.answer_due_on = due_on
        item.is_hot_spot = hot_spot
        item.handled_at = now
        item.handled_by = actor if getattr(actor, "pk", None) else None
        _save_item(item, actor)
        for child in children:
            child.case = created.case
            _save_item(child, actor)
        converted.append(item)
    if errors:
        raise InvalidInputError(
            _("No item was turned into a case: correct the errors and try again."),
            fields=errors,
        )
    _event(
        meeting,
        actor,
        "convert",
        data={
            "items": [
                {"number": item.number, "case_id": item.case_id} for item in converted
            ]
        },
    )
    return converted


def _correct_case(case: Case, actor, field_name: str, value, reason: str) -> None:
    """Correct a field of the case through the case workflow; a user who may
    not (not a leader of the case's unit or above) is told whose call it is."""
    try:
        case_transition(
            case_id=case.pk,
            action="correct",
            actor=actor,
            data={"field_name": field_name, "value": value, "reason": reason},
        )
    except (NotFoundError, PermissionDeniedError):
        raise PermissionDeniedError(
            _(
                "Only the leaders of %(unit)s, which is resolving case %(code)s, "
                "or their supervisors can change the case."
            )
            % {"unit": case.responsible_unit.name, "code": case.display_code}
        ) from None


@transaction.atomic
def items_merge(
    *, meeting_id: int, actor, primary_id: int, item_ids: list[int]
) -> MeetingItem:
    """Merge identical items raised by several people into ``primary_id``.

    The merged items share the primary's answer or case; when the primary is
    already a case, its number of petitioners is corrected through the case
    workflow (``correct``), which only the case's leaders may do.
    """
    meeting = _lock_meeting(meeting_id, actor)
    _require_item_status(meeting, actor)
    others = [value for value in item_ids if str(value) != str(primary_id)]
    if not others:
        raise InvalidInputError(
            fields={"items": _("Select the items to merge into the chosen one.")}
        )
    locked = _lock_items(meeting, [primary_id, *others])
    primary = locked.get(int(primary_id)) if str(primary_id).isdigit() else None
    if primary is None:
        raise InvalidInputError(fields={"primary": _("Unknown item.")})
    if primary.outcome == ItemOutcome.MERGED:
        raise InvalidInputError(
            fields={"primary": _("This item is itself merged into another one.")}
        )
    errors: dict[str, Any] = {}
    merging = []
    for value in others:
        item = locked.get(int(value)) if str(value).isdigit() else None
        if item is None:
            errors["items"] = _("Unknown item.")
        elif item.outcome != ItemOutcome.PENDING:
            errors["items"] = _(
                "Item no. %(number)s is already handled; only items not yet "
                "handled can be merged into another."
            ) % {"number": item.number}
        elif item not in merging:
            merging.append(item)
    if errors:
        raise InvalidInputError(fields=errors)
    # Items already merged into one being merged now follow it.
    followers = list(
        MeetingItem.objects.select_for_update(of=("self",))
        .filter(merged_into__in=merging)
        .order_by("pk")
    )
    now = timezone.now()
    for item in [*merging, *followers]:
        item.outcome = ItemOutcome.MERGED
        item.merged_into = primary
        item.case = primary.case
        if primary.outcome == ItemOutcome.ANSWERED:
            item.answer = primary.answer
            item.answered_by = primary.answered_by
        item.handled_at = now
        item.handled_by = actor if getattr(actor, "pk", None) else None
        _save_item(item, actor)
    added = len(merging) + len(followers)
    if primary.outcome == ItemOutcome.CASE:
        case = Case.objects.select_related("responsible_unit").get(pk=primary.case_id)
        with translation.override(settings.LANGUAGE_CODE):
            reason = _(
                "%(count)s identical item(s) raised by other people at the "
                "meeting of %(date)s were merged into this one."
            ) % {"count": added, "date": _date(_local_date(meeting.starts_at))}
        _correct_case(
            case, actor, "petitioner_count", case.petitioner_count + added, reason
        )
    _event(
        meeting,
        actor,
        "merge",
        data={
            "into": primary.number,
            "numbers": sorted(item.number for item in [*merging, *followers]),
        },
    )
    return primary


@transaction.atomic
def item_unmerge(*, item_id: int, actor) -> MeetingItem:
    """Undo a merge while the item it was merged into is not yet handled."""
    meeting, item = _lock_item(item_id, actor)
    _require_item_status(meeting, actor)
    if item.outcome != ItemOutcome.MERGED:
        raise InvalidInputError(
            _("This item is not merged into another."), code="not_merged"
        )
    primary = MeetingItem.objects.select_for_update().get(pk=item.merged_into_id)
    if primary.outcome != ItemOutcome.PENDING:
        raise InvalidInputError(
            _(
                "The item it was merged into is already answered or a case; "
                "the merge can no longer be undone."
            ),
            code="merge_final",
        )
    item.outcome = ItemOutcome.PENDING
    item.merged_into = None
    item.case = None
    item.handled_at = None
    item.handled_by = None
    _save_item(item, actor)
    _event(meeting, actor, "unmerge", data={"number": item.number})
    return item


@transaction.atomic
def item_set_hot_spot(
    *, item_id: int, actor, is_hot_spot: bool, reason: str = ""
) -> MeetingItem:
    """Flag an item as a hot spot (điểm nóng) or clear the flag; an item that
    is a case has the case flagged through the case workflow (``correct``)."""
    meeting, item = _lock_item(item_id, actor)
    if meeting.status == MeetingStatus.CANCELLED:
        _refuse_closed(meeting, actor)
    if item.outcome == ItemOutcome.MERGED:
        raise InvalidInputError(
            _("Flag the item it was merged into instead."), code="item_merged"
        )
    is_hot_spot = bool(is_hot_spot)
    if item.is_hot_spot == is_hot_spot:
        return item
    reason = str(reason or "").strip()
    if item.case_id is not None:
        if not reason:
            with translation.override(settings.LANGUAGE_CODE):
                reason = _("Flagged from the meeting of %(date)s.") % {
                    "date": _date(_local_date(meeting.starts_at))
                }
        case = Case.objects.select_related("responsible_unit").get(pk=item.case_id)
        _correct_case(case, actor, "is_hot_spot", is_hot_spot, reason)
    item.is_hot_spot = is_hot_spot
    _save_item(item, actor)
    _event(
        meeting,
        actor,
        "hot_spot",
        text=reason,
        data={"number": item.number, "is_hot_spot": is_hot_spot},
    )
    return item


@transaction.atomic
def meeting_publish_results(*, meeting_id: int, actor) -> PublishResult:
    """Publish what the meeting's items came to.

    The answers given on the spot are published with the meeting itself
    (``results_published_at``: the public results page shows them); each
    case answered since (resolved or closed) is published through the case
    workflow's ``publish`` action, when the actor may take it.  Cases still
    being resolved are published later, by their unit, once answered.
    """
    meeting = _lock_meeting(meeting_id, actor)
    roles = meeting_permissions.meeting_roles(actor, meeting)
    if not roles & workflow.LEADERS:
        raise PermissionDeniedError(
            _("Only the leaders of the organising unit may do this.")
        )
    if meeting.status not in HAPPENED_STATUSES:
        raise InvalidTransitionError(
            _("Only the results of a meeting that was held can be published."),
            allowed=workflow.allowed_transitions(meeting.status, roles),
        )
    primaries = MeetingItem.objects.filter(meeting=meeting).exclude(
        outcome=ItemOutcome.MERGED
    )
    answered = primaries.filter(outcome=ItemOutcome.ANSWERED).count()
    case_ids = sorted(
        set(
            primaries.filter(outcome=ItemOutcome.CASE).values_list("case_id", flat=True)
        )
    )
    published = waiting = not_allowed = 0
    for case in Case.objects.filter(pk__in=case_ids).select_related("responsible_unit"):
        if case.status not in (Status.RESOLVED, Status.CLOSED):
            waiting += 1
            continue
        if case.published_at is not None:
            continue
        if "publish" not in case_allowed_actions(actor=actor, case=case):
            not_allowed += 1
            continue
        case_transition(case_id=case.pk, action="publish", actor=actor)
        published += 1
    now = timezone.now()
    if meeting.results_published_at is None:
        meeting.results_published_at = now
    _save_meeting(meeting, actor)
    _event(
        meeting,
        actor,
        "publish",
        data={
            "answered_items": answered,
            "published_cases": published,
            "waiting_cases": waiting,
            "not_allowed_cases": not_allowed,
        },
    )
    return PublishResult(
        meeting=meeting,
        answered_items=answered,
        published_cases=published,
        waiting_cases=waiting,
        not_allowed_cases=not_allowed,
    )
