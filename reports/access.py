"""Who may read and submit a unit's reports, on top of ``feedback.permissions``.

* A unit's report is read by whoever sees that unit's cases:
  ``units_visible_to`` (supervisors and administrators for their subtree,
  officers and leaders for their own unit). The figures are then counted
  over the cases the reader may see (``reports.statistics.case_scope``).
* A report is submitted upward — and frozen — by whoever sees the unit's
  whole subtree: a supervisor or administrator of the unit or of a unit
  above it, or the leader of a unit that has no sub-units.
* Whoever may not read a unit's report cannot tell it from a missing unit.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from feedback import permissions
from feedback.errors import NotFoundError
from feedback.models import Role, Unit

SUBMIT_UNIT_ROLES = frozenset({Role.LEADER})
# The unit selector offers the reader's own levels and this many below; deeper
# units are reached through the rows of the "by unit" tables.
CHOICE_LEVELS = 2


def report_units_for(user) -> QuerySet[Unit]:
    """Units whose reports the user may read, in tree order."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return permissions.units_visible_to(user).order_by("path")


def report_unit_get(*, user, code: str | None) -> Unit:
    """The unit named by ``code`` if the user may read its reports; without
    a code, the highest unit the user may read."""
    units = report_units_for(user)
    unit = units.filter(code=code).first() if code else units.first()
    if unit is None:
        raise NotFoundError(_("Unit not found."))
    return unit


def report_unit_choices(user) -> list[Unit]:
    """The units the selector offers: those the user may read down to
    ``CHOICE_LEVELS`` below the user's highest unit, in tree order."""
    if permissions.is_root(user):
        top = 0
    else:
        top = min((m.unit.depth for m in permissions.memberships_of(user)), default=0)
    return list(report_units_for(user).filter(depth__lte=top + CHOICE_LEVELS))


def pick_unit(*, user, choices: list[Unit], code: str | None) -> Unit:
    """The unit named by ``code`` — one of ``choices`` or any other unit the
    user may read — or the first choice; anything else is not found."""
    if not code:
        if choices:
            return choices[0]
        raise NotFoundError(_("Unit not found."))
    for unit in choices:
        if unit.code == code:
            return unit
    return report_unit_get(user=user, code=code)


def can_submit_report(user, unit: Unit) -> bool:
    """Whoever sees the unit's whole subtree: a supervisor or administrator
    of it or of a unit above it, or the leader of a unit without sub-units.
    A submitted report counts the whole subtree, so its submitter has seen
    every case it counts."""
    if not getattr(user, "is_authenticated", False):
        return False
    if permissions.is_root(user):
        return True
    for membership in permissions.memberships_of(user):
        if membership.role in permissions.SUBTREE_ROLES and unit.path.startswith(
            membership.unit.path
        ):
            return True
    is_leader = any(
        m.role in SUBMIT_UNIT_ROLES and m.unit_id == unit.pk
        for m in permissions.memberships_of(user)
    )
    return is_leader and not unit.children.exists()
