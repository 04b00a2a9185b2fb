"""The case workflow as one table: actions, from → to, who may, and guards.

Only ``feedback.services.cases.case_transition`` reads this table to change a
case; pages, the API, admin actions, commands and tasks all go through it.
An action without a target state (assign, extend, transfer, note, correct)
records an event and leaves the status as it is.

Roles are relative to the case (see ``feedback.permissions.case_roles``):
``officer``/``leader`` of the responsible unit, ``supervisor``/``admin`` of it
or of a unit above it, and ``reception`` for the staff member who logged it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from feedback.models import CaseKind, Role, Status

LEADERS = frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN})
# Officers and leaders of a co-operating unit hold this role on the case.
COLLABORATOR = "collaborator"
WORKERS = LEADERS | {Role.OFFICER}
OPEN = frozenset({Status.RECEIVED, Status.ACCEPTED})
ALL_STATES = frozenset(Status.values)

# Kinds whose resolution is a formal decision with an outcome.
DECIDED_KINDS = frozenset({CaseKind.COMPLAINT, CaseKind.DENUNCIATION})

# A case's current stage as the staff read it (the work queue, the case page,
# reminders and notifications).
STAGE_LABELS = {
    "process": _("Processing the letter"),
    "accept": _("Acceptance"),
    "resolve": _("Resolution"),
    "answer": _("Answer"),
    "notify": _("Sending the decision"),
    "publish": _("Publishing the conclusion"),
    "transfer": _("Forwarding"),
}

Guard = Callable[[object, dict], dict]


def _required(*names: str) -> Guard:
    def guard(case, data):
        return {
            name: _("This field is required.")
            for name in names
            if data.get(name) in (None, "", [])
        }

    return guard


def _decision_for_decided_kinds(case, data):
    if case.kind not in DECIDED_KINDS:
        return {}
    errors = {}
    for name in ("outcome", "decision_number", "decision_date"):
        if data.get(name) in (None, ""):
            errors[name] = _(
                "A complaint or denunciation needs an outcome and the number "
                "and date of the decision (conclusion)."
            )
    return errors


def _not_anonymous_denunciation(case, data):
    if case.kind == CaseKind.DENUNCIATION and case.is_anonymous:
        return {
            "__all__": _(
                "An anonymous denunciation is not processed as a denunciation"
                " (Law on Denunciations, Art. 25); archive it."
            )
        }
    return {}


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    roles: frozenset[str]
    target: str | None = None
    guards: tuple[Guard, ...] = field(default=())
    # Reception may take this action on a case it logged itself.
    reception_may: bool = False

    def check(self, case, data) -> dict:
        errors: dict = {}
        for guard in self.guards:
            for key, message in guard(case, data).items():
                errors.setdefault(key, message)
        return errors


def _not_denunciation(case, data):
    if case.kind == CaseKind.DENUNCIATION:
        return {
            "__all__": _(
                "A denunciation's conclusion is published by its own procedure, "
                "never on the public answers page."
            )
        }
    return {}


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "accept",
            _("Accept"),
            sources=frozenset({Status.RECEIVED}),
            target=Status.ACCEPTED,
            roles=LEADERS,
            guards=(_not_anonymous_denunciation,),
        ),
        Action(
            "return",
            _("Return with guidance"),
            sources=frozenset({Status.RECEIVED}),
            target=Status.RETURNED,
            roles=WORKERS,
            guards=(_required("reason", "legal_ground"),),
        ),
        Action(
            "forward",
            _("Forward to the competent body"),
            sources=frozenset({Status.RECEIVED}),
            target=Status.TRANSFERRED,
            roles=LEADERS,
            guards=(_required("reason", "to_body", "to_body_class", "legal_ground"),),
        ),
        Action(
            "archive",
            _("Archive"),
            sources=frozenset({Status.RECEIVED}),
            target=Status.ARCHIVED,
            roles=WORKERS,
            guards=(_required("reason", "legal_ground"),),
            reception_may=True,
        ),
        Action(
            "withdraw",
            _("Withdraw"),
            sources=OPEN,
            target=Status.WITHDRAWN,
            roles=WORKERS,
            guards=(_required("reason"),),
        ),
        Action(
            "draft_answer",
            _("Draft the answer"),
            sources=frozenset({Status.ACCEPTED}),
            roles=WORKERS,
            guards=(_required("public_answer"),),
        ),
        Action(
            "return_answer",
            _("Send the draft back"),
            sources=frozenset({Status.ACCEPTED}),
            roles=LEADERS,
            guards=(_required("text"),),
        ),
        Action(
            "resolve",
            _("Approve the answer and resolve"),
            sources=frozenset({Status.ACCEPTED}),
            target=Status.RESOLVED,
            roles=LEADERS,
            guards=(_required("public_answer"), _decision_for_decided_kinds),
        ),
        Action(
            "correct_answer",
            _("Correct the approved answer"),
            sources=frozenset({Status.RESOLVED, Status.CLOSED}),
            roles=LEADERS,
            guards=(_required("public_answer", "reason"),),
        ),
        Action(
            "publish",
            _("Publish the answer"),
            sources=frozenset({Status.RESOLVED, Status.CLOSED}),
            roles=LEADERS,
            guards=(_not_denunciation,),
        ),
        Action(
            "close",
            _("Close"),
            sources=frozenset({Status.RESOLVED}),
            target=Status.CLOSED,
            roles=WORKERS,
        ),
        Action(
            "assign",
            _("Assign"),
            sources=OPEN,
            roles=LEADERS,
            guards=(_required("assignee"),),
        ),
        Action(
            "extend",
            _("Extend"),
            sources=frozenset({Status.ACCEPTED}),
            roles=LEADERS,
            guards=(_required("reason"),),
        ),
        Action(
            "transfer",
            _("Transfer to another unit"),
            sources=OPEN,
            roles=LEADERS,
            guards=(_required("to_unit", "reason"),),
            reception_may=True,
        ),
        Action(
            "return_to_dispatcher",
            _("Return to the dispatcher"),
            sources=frozenset({Status.RECEIVED}),
            roles=WORKERS,
            guards=(_required("reason"),),
        ),
        Action(
            "add_collaborator",
            _("Ask a unit to co-operate"),
            sources=OPEN,
            roles=LEADERS,
            guards=(_required("unit"),),
        ),
        Action(
            "contribute",
            _("Record the co-operating unit's contribution"),
            sources=OPEN,
            roles=frozenset({COLLABORATOR}),
            guards=(_required("text"),),
        ),
        Action(
            "note",
            _("Record progress"),
            sources=OPEN | {Status.RESOLVED},
            roles=WORKERS,
            guards=(_required("text"),),
        ),
        Action(
            "correct",
            _("Correct"),
            sources=ALL_STATES,
            roles=LEADERS,
            guards=(_required("field_name", "reason"),),
        ),
    )
}


def allowed_actions(status: str, roles: frozenset[str], *, is_creator=False):
    """Names of the actions that ``roles`` may take on a case in ``status``."""
    return [
        action.name
        for action in ACTIONS.values()
        if status in action.sources
        and (roles & action.roles or (is_creator and action.reception_may))
    ]
