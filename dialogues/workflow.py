"""A meeting's life as one table: actions, from → to, who may, and guards.

    planned ──announce──▶ announced ──hold──▶ held ──report──▶ reported
       │  └──────────────hold───────────────▲
       └──cancel──▶ cancelled ◀──cancel── announced

Only ``dialogues.services.meeting_transition`` reads this table to change a
meeting's status.  Guards receive the locked meeting, the action's data and a
context (``today``, ``now``, the rules in force, the items' state) and return
``{field: message}``; an empty dict lets the action through.

Roles are relative to the meeting (``dialogues.permissions.meeting_roles``):
``officer``/``leader`` of the organising unit, ``supervisor``/``admin`` of it
or of a unit above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from dialogues import rules as meeting_rules
from dialogues.models import ItemOutcome, MeetingKind, MeetingStatus
from feedback.models import Role

LEADERS = frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN})
EDITORS = LEADERS | {Role.OFFICER}

Guard = Callable[[object, dict, dict], dict]


def _date(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _not_yet_started(meeting, data, context) -> dict:
    if meeting.starts_at <= context["now"]:
        return {
            "__all__": _(
                "This meeting has already started: it can no longer be announced."
            )
        }
    return {}


def _notice_respected(meeting, data, context) -> dict:
    breach = meeting_rules.notice_breach(
        context["rules"],
        meeting_kind=meeting.kind,
        organiser_kind=meeting.organiser_unit.kind,
        starts_on=context["starts_on"],
        announced_on=context["today"],
    )
    if breach is None or breach.rule.severity != meeting_rules.ENFORCE:
        return {}
    return {
        "__all__": _(
            "A %(kind)s must be announced at least %(days)s days ahead "
            "(%(basis)s): this one takes place on %(date)s, so it had to be "
            "announced by %(latest)s. Move it to a later date first."
        )
        % {
            "kind": meeting.get_kind_display().lower(),
            "days": breach.rule.notice_days,
            "basis": breach.rule.legal_basis,
            "date": _date(context["starts_on"]),
            "latest": _date(breach.latest_on),
        }
    }


def _announced_if_notice_required(meeting, data, context) -> dict:
    """A meeting under an enforced notice rule is held only once announced."""
    if meeting.status != MeetingStatus.PLANNED:
        return {}
    enforced = [
        rule
        for rule in meeting_rules.applicable(
            context["rules"],
            rule_type=meeting_rules.NOTICE,
            meeting_kind=meeting.kind,
            day=context["starts_on"],
            organiser_kind=meeting.organiser_unit.kind,
        )
        if rule.severity == meeting_rules.ENFORCE
    ]
    if not enforced:
        return {}
    rule = enforced[0]
    return {
        "__all__": _(
            "A %(kind)s must be announced at least %(days)s days ahead "
            "(%(basis)s); this one was never announced."
        )
        % {
            "kind": meeting.get_kind_display().lower(),
            "days": rule.notice_days,
            "basis": rule.legal_basis,
        }
    }


def _has_started(meeting, data, context) -> dict:
    if meeting.starts_at > context["now"]:
        return {
            "__all__": _("This meeting has not taken place yet: record it once it has.")
        }
    return {}


def _minutes_recorded(meeting, data, context) -> dict:
    errors = {}
    if data.get("actual_attendance") in (None, ""):
        errors["actual_attendance"] = _("Enter how many people attended.")
    if not str(data.get("minutes") or "").strip():
        errors["minutes"] = _("Enter the minutes of the meeting.")
    return errors


def _every_item_resolved(meeting, data, context) -> dict:
    pending = context["pending_items"]
    if pending:
        return {
            "__all__": _(
                "%(count)s item(s) raised at the meeting are neither answered on "
                "the spot nor turned into a case (no. %(numbers)s). Handle them "
                "before reporting back."
            )
            % {"count": len(pending), "numbers": ", ".join(map(str, pending))}
        }
    return {}


def _reason_given(meeting, data, context) -> dict:
    if not str(data.get("reason") or "").strip():
        return {"reason": _("Say why the meeting is cancelled.")}
    return {}


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    guards: tuple[Guard, ...] = field(default=())

    def check(self, meeting, data, context) -> dict:
        errors: dict = {}
        for guard in self.guards:
            for key, message in guard(meeting, data, context).items():
                errors.setdefault(key, message)
        return errors


TRANSITIONS: dict[str, Transition] = {
    transition.name: transition
    for transition in (
        Transition(
            "announce",
            _("Announce"),
            sources=frozenset({MeetingStatus.PLANNED}),
            target=MeetingStatus.ANNOUNCED,
            roles=EDITORS,
            guards=(_not_yet_started, _notice_respected),
        ),
        Transition(
            "hold",
            _("Record as held"),
            sources=frozenset({MeetingStatus.PLANNED, MeetingStatus.ANNOUNCED}),
            target=MeetingStatus.HELD,
            roles=EDITORS,
            guards=(_has_started, _announced_if_notice_required, _minutes_recorded),
        ),
        Transition(
            "report",
            _("Mark as reported back"),
            sources=frozenset({MeetingStatus.HELD}),
            target=MeetingStatus.REPORTED,
            roles=LEADERS,
            guards=(_every_item_resolved,),
        ),
        Transition(
            "cancel",
            _("Cancel"),
            sources=frozenset({MeetingStatus.PLANNED, MeetingStatus.ANNOUNCED}),
            target=MeetingStatus.CANCELLED,
            roles=LEADERS,
            guards=(_reason_given,),
        ),
    )
}

# What each kind of meeting produces when an item becomes a case.
CASE_KIND = {
    MeetingKind.VOTER_CONTACT: "voter_petition",
    MeetingKind.DIALOGUE: "dialogue_issue",
    MeetingKind.PERIODIC_RECEPTION: "dialogue_issue",
}
CASE_CHANNEL = {
    MeetingKind.VOTER_CONTACT: "voter_meeting",
    MeetingKind.DIALOGUE: "dialogue",
    # The chairman's reception day takes place at the reception office.
    MeetingKind.PERIODIC_RECEPTION: "in_person",
}

# Items are raised, answered and converted while the meeting is being
# recorded; a reported meeting is closed.
ITEM_STATUSES = frozenset({MeetingStatus.HELD})
RESOLVED_ITEM_OUTCOMES = frozenset(
    {ItemOutcome.ANSWERED, ItemOutcome.CASE, ItemOutcome.MERGED}
)


def allowed_transitions(status: str, roles: frozenset[str]) -> list[str]:
    """Names of the transitions ``roles`` may take from ``status``."""
    return [
        transition.name
        for transition in TRANSITIONS.values()
        if status in transition.sources and roles & transition.roles
    ]
