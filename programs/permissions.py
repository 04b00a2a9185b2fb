"""Who may see and change programs, bright spots and inspections.

A unit's officers and leaders edit their own unit's records; members of a
steering committee and supervisors or administrators of an ancestor unit see
and edit everything in their subtree (for a committee: the subtree of the
commune it belongs to). Staff of a commune read its committee's program.
Everyone else sees nothing (pages answer 404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from feedback.models import Unit, UnitKind
from feedback.permissions import (
    SUBTREE_ROLES,
    UNIT_ROLES,
    is_root,
    memberships_of,
)


def _commune_path(unit: Unit) -> str:
    """The subtree a steering committee oversees: its parent's."""
    return unit.path[: unit.path.rstrip("/").rfind("/") + 1] or "/"


def is_committee_member(user) -> bool:
    return any(m.unit.kind == UnitKind.STEERING_COMMITTEE for m in memberships_of(user))


def review_condition(user, prefix: str = "") -> Q:
    """Units whose records the user reviews (approves, evaluates, inspects):
    the committee's commune subtree, a supervisor's or admin's subtree."""
    if is_root(user):
        return Q(**{f"{prefix}pk__isnull": False})
    condition = Q(**{f"{prefix}pk__in": []})
    for membership in memberships_of(user):
        if membership.unit.kind == UnitKind.STEERING_COMMITTEE:
            scope = _commune_path(membership.unit)
            condition |= Q(**{f"{prefix}path__startswith": scope})
        elif membership.role in SUBTREE_ROLES:
            condition |= Q(**{f"{prefix}path__startswith": membership.unit.path})
    return condition


def edit_condition(user, prefix: str = "") -> Q:
    """Units whose records the user may change: reviewed units plus the
    user's own units."""
    condition = review_condition(user, prefix)
    for membership in memberships_of(user):
        if membership.role in UNIT_ROLES:
            condition |= Q(**{f"{prefix}pk": membership.unit_id})
    return condition


def read_condition(user, prefix: str = "") -> Q:
    """Units whose records the user may read: editable units plus the
    steering committees of the communes the user works in."""
    condition = edit_condition(user, prefix)
    for membership in memberships_of(user):
        ancestors = [
            "/" + "/".join(parts) + "/"
            for parts in _prefixes(membership.unit.path.strip("/").split("/"))
        ]
        condition |= Q(
            **{
                f"{prefix}kind": UnitKind.STEERING_COMMITTEE,
                f"{prefix}parent__path__in": ancestors,
            }
        )
    return condition


def _prefixes(parts):
    return [parts[:end] for end in range(1, len(parts) + 1)]


def editable_units(user) -> QuerySet[Unit]:
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return Unit.objects.filter(edit_condition(user))


def readable_units(user) -> QuerySet[Unit]:
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return Unit.objects.filter(read_condition(user))


def _within(unit: Unit, path: str) -> bool:
    return unit.path.startswith(path)


def can_review(user, unit: Unit) -> bool:
    """Whether the user approves, evaluates and inspects ``unit``'s work."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_root(user):
        return True
    for membership in memberships_of(user):
        if membership.unit.kind == UnitKind.STEERING_COMMITTEE and _within(
            unit, _commune_path(membership.unit)
        ):
            return True
        if membership.role in SUBTREE_ROLES and _within(unit, membership.unit.path):
            return True
    return False


def can_edit(user, unit: Unit) -> bool:
    """Whether the user changes ``unit``'s program, tasks and bright spots."""
    if can_review(user, unit):
        return True
    return any(
        m.role in UNIT_ROLES and m.unit_id == unit.pk for m in memberships_of(user)
    )


def can_read(user, unit: Unit) -> bool:
    if can_edit(user, unit):
        return True
    return readable_units(user).filter(pk=unit.pk).exists()
