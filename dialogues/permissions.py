"""Who may see and change meetings: small functions on top of
``feedback.permissions``.

* The organising unit's officers and leaders, and supervisors and
  administrators of it or of a unit above it, see and edit its meetings
  (which actions each role may take is in ``dialogues.workflow``).
* Staff of a participating unit or of a hamlet the meeting is held for
  (as ``units_visible_to`` scopes them) see it, read-only.
* Everybody else gets a 404: whether a meeting exists is not revealed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from dialogues.models import Meeting
from feedback import permissions
from feedback.models import Role, Unit

EDIT_UNIT_ROLES = frozenset({Role.OFFICER, Role.LEADER})
EDIT_SUBTREE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
HOT_SPOT_ROLES = (Role.SUPERVISOR, Role.ADMIN, Role.LEADER)


def meeting_visibility_condition(user) -> Q:
    """The ``Q`` behind ``meetings_visible_to``; subqueries, never joins, so
    that annotations on the meetings are not multiplied."""
    if permissions.is_root(user):
        return Q()
    units = permissions.units_visible_to(user).values("pk")
    through_participants = Meeting.participating_units.through.objects.filter(
        unit_id__in=units
    ).values("meeting_id")
    through_hamlets = Meeting.hamlets.through.objects.filter(unit_id__in=units).values(
        "meeting_id"
    )
    return (
        Q(organiser_unit_id__in=units)
        | Q(pk__in=through_participants)
        | Q(pk__in=through_hamlets)
    )


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Every meeting the user may see. Nothing else decides what a list shows."""
    if not getattr(user, "is_authenticated", False):
        return Meeting.objects.none()
    return Meeting.objects.filter(meeting_visibility_condition(user))


def roles_for_unit(user, unit: Unit) -> frozenset[str]:
    """The editing roles the user holds over meetings organised by ``unit``."""
    if permissions.is_root(user):
        return frozenset({Role.ADMIN})
    roles = set()
    for membership in permissions.memberships_of(user):
        if membership.role in EDIT_SUBTREE_ROLES and unit.path.startswith(
            membership.unit.path
        ):
            roles.add(membership.role)
        elif membership.role in EDIT_UNIT_ROLES and membership.unit_id == unit.pk:
            roles.add(membership.role)
    return frozenset(roles)


def meeting_roles(user, meeting: Meeting) -> frozenset[str]:
    return roles_for_unit(user, meeting.organiser_unit)


def can_edit_meeting(user, meeting: Meeting) -> bool:
    return bool(meeting_roles(user, meeting))


def can_organise_for(user, unit: Unit) -> bool:
    """Whether the user may plan meetings organised by ``unit``."""
    return bool(unit.is_active and roles_for_unit(user, unit))


def organiser_units_for(user) -> QuerySet[Unit]:
    """Active units the user may plan meetings for."""
    if permissions.is_root(user):
        return Unit.objects.filter(is_active=True)
    condition = Q(pk__in=[])
    for membership in permissions.memberships_of(user):
        if membership.role in EDIT_SUBTREE_ROLES:
            condition |= Q(path__startswith=membership.unit.path)
        elif membership.role in EDIT_UNIT_ROLES:
            condition |= Q(pk=membership.unit_id)
    return Unit.objects.filter(condition, is_active=True)


def can_view_meeting(user, meeting: Meeting) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if can_edit_meeting(user, meeting):
        return True
    return meetings_visible_to(user).filter(pk=meeting.pk).exists()


def can_see_hot_spots(user) -> bool:
    return permissions.has_role(user, *HOT_SPOT_ROLES)
