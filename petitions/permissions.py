"""Who may use the reception desk and read its register.

Built on ``feedback.permissions`` (memberships, the case gates); this module
only adds the register's rules, one condition per line:

- the desk (logging visits and cases, printing receipts) is for staff who
  hold the ``reception`` role in a unit — that unit is their desk;
- the register of a desk is read by its reception staff, the leaders of the
  desk's unit, and supervisors and administrators of a unit above it (the
  chairman signs the register off);
- the identity of a visitor who came to denounce is shown, as for a
  denunciation case (Luật Tố cáo Arts 8, 47), only to the staff member who
  recorded the visit and to those leaders and supervisors.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from feedback import permissions
from feedback.models import Role, Unit, UnitKind
from petitions.models import ReceptionVisit, VisitKind

READER_SUBTREE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def desk_units(user) -> list[Unit]:
    """Units where the user staffs the reception desk."""
    return [
        m.unit for m in permissions.memberships_of(user) if m.role == Role.RECEPTION
    ]


def can_use_desk(user) -> bool:
    return bool(desk_units(user))


def visit_visibility_condition(user) -> Q:
    """The ``Q`` behind ``visits_visible_to``."""
    if permissions.is_root(user):
        return Q()
    condition = Q(pk__in=[])
    for membership in permissions.memberships_of(user):
        if membership.role == Role.RECEPTION:
            condition |= Q(unit_id=membership.unit_id)
        elif membership.role == Role.LEADER:
            condition |= Q(unit_id=membership.unit_id)
        elif membership.role in READER_SUBTREE_ROLES:
            condition |= Q(unit__path__startswith=membership.unit.path)
    return condition


def visits_visible_to(user) -> QuerySet[ReceptionVisit]:
    """Every register row the user may read."""
    if not getattr(user, "is_authenticated", False):
        return ReceptionVisit.objects.none()
    return ReceptionVisit.objects.filter(visit_visibility_condition(user))


def can_read_register(user) -> bool:
    """Whether the register page has anything for the user to read."""
    if not getattr(user, "is_authenticated", False):
        return False
    if permissions.is_root(user):
        return True
    return permissions.has_role(
        user, Role.RECEPTION, Role.LEADER, Role.SUPERVISOR, Role.ADMIN
    )


def _is_reader_above(user, visit: ReceptionVisit) -> bool:
    for membership in permissions.memberships_of(user):
        if membership.role == Role.LEADER and membership.unit_id == visit.unit_id:
            return True
        if membership.role in READER_SUBTREE_ROLES and visit.unit.path.startswith(
            membership.unit.path
        ):
            return True
    return False


def can_view_visit(user, visit: ReceptionVisit) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if permissions.is_root(user):
        return True
    if any(unit.pk == visit.unit_id for unit in desk_units(user)):
        return True
    return _is_reader_above(user, visit)


def can_update_visit(user, visit: ReceptionVisit) -> bool:
    """The desk's reception staff keep the follow-up columns up to date."""
    return any(unit.pk == visit.unit_id for unit in desk_units(user))


def can_see_visit_identity(user, visit: ReceptionVisit) -> bool:
    """Whether the user may see who came. For a denunciation: only whoever
    recorded the visit and the leaders and supervisors above the desk."""
    if not can_view_visit(user, visit):
        return False
    if visit.kind != VisitKind.DENUNCIATION:
        return True
    if permissions.is_root(user):
        return True
    if visit.recorded_by_id is not None and visit.recorded_by_id == user.pk:
        return True
    return _is_reader_above(user, visit)


def _desk_scope_condition(user) -> Q:
    """Units around the user's desks: the subtree of each desk's parent."""
    condition = Q(pk__in=[])
    for unit in desk_units(user):
        scope = unit.path
        if unit.parent_id is not None:
            scope = scope[: scope.rstrip("/").rfind("/") + 1]
        condition |= Q(path__startswith=scope)
    return condition


def responsible_unit_choices(user) -> list[Unit]:
    """Active units the desk may log cases for, as ``can_create_case_for``
    decides (the prefix query only narrows what it is asked about)."""
    candidates = Unit.objects.filter(is_active=True).filter(_desk_scope_condition(user))
    return [unit for unit in candidates if permissions.can_create_case_for(user, unit)]


def hamlet_choices(user) -> QuerySet[Unit]:
    """Active hamlets of the desks' communes."""
    return Unit.objects.filter(is_active=True, kind=UnitKind.HAMLET).filter(
        _desk_scope_condition(user)
    )
