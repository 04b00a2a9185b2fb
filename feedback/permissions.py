"""Who may see and do what: small functions, one condition per line.

``cases_visible_to`` scopes every list of cases (pages, API, exports, admin);
``can_see_identity`` is the single gate for a denouncer's identity.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

from feedback.models import Case, CaseCollaborator, CaseKind, Membership, Role, Unit
from feedback.prepared import PreparedQuery
from feedback.workflow import COLLABORATOR

SUBTREE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
UNIT_ROLES = frozenset({Role.OFFICER, Role.LEADER})


# Every staff request reads them: compiled once per connection, and held by
# the process like the reference rows (``feedback.selectors.reference``:
# memberships and units move the reference generation).
_MEMBERSHIPS = PreparedQuery(
    lambda user_id: Membership.objects.filter(
        user_id=user_id, unit__is_active=True
    ).select_related("unit"),
    user_id=-0x5EED,
)
_held_memberships = None


def memberships_of(user) -> list[Membership]:
    """The user's memberships in active units, cached on the user object."""
    global _held_memberships
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_langnghe_memberships", None)
    if cached is None:
        if _held_memberships is None:
            # Imported here: the reference rows' module reads permissions.
            from feedback.selectors.reference import HeldQuery

            _held_memberships = HeldQuery(_MEMBERSHIPS)
        cached = _held_memberships.rows(user_id=user.pk)
        user._langnghe_memberships = cached
    return cached


def is_root(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def has_role(user, *roles: str) -> bool:
    return is_root(user) or any(m.role in roles for m in memberships_of(user))


def units_visible_to(user) -> QuerySet[Unit]:
    """Units whose cases the user may see: subtrees for supervisors and admins,
    the unit itself for officers and leaders."""
    if is_root(user):
        return Unit.objects.all()
    condition = Q(pk__in=[])
    for membership in memberships_of(user):
        if membership.role in SUBTREE_ROLES:
            condition |= Q(path__startswith=membership.unit.path)
        elif membership.role in UNIT_ROLES:
            condition |= Q(pk=membership.unit_id)
    return Unit.objects.filter(condition)


def case_visibility_condition(user, prefix: str = "") -> Q:
    """The ``Q`` behind ``cases_visible_to``, usable on related querysets."""
    if is_root(user):
        return Q()
    condition = Q(**{f"{prefix}assignee_id": user.pk})
    for membership in memberships_of(user):
        if membership.role in SUBTREE_ROLES:
            # The subtree's units as a subquery rather than a join on the
            # unit's path: the planner then keeps to the case indexes (a
            # join made it read every matching case before the LIMIT).
            subtree = Unit.objects.filter(path__startswith=membership.unit.path)
            condition |= Q(**{f"{prefix}responsible_unit_id__in": subtree.values("pk")})
        elif membership.role in UNIT_ROLES:
            condition |= Q(**{f"{prefix}responsible_unit_id": membership.unit_id})
        elif membership.role == Role.RECEPTION:
            condition |= Q(**{f"{prefix}created_by_id": user.pk})
    collaborating_units = [
        m.unit_id for m in memberships_of(user) if m.role in UNIT_ROLES
    ]
    if collaborating_units:
        condition |= Q(
            **{
                f"{prefix}pk__in": CaseCollaborator.objects.filter(
                    unit_id__in=collaborating_units
                ).values("case_id")
            }
        )
    return condition


def cases_visible_to(user) -> QuerySet[Case]:
    """Every case the user may see. Nothing else decides what a list shows."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(case_visibility_condition(user))


def case_roles(user, case: Case) -> frozenset[str]:
    """The roles the user holds with respect to this case's responsible unit."""
    return roles_for(
        user,
        unit_id=case.responsible_unit_id,
        unit_path=lambda: case.responsible_unit.path,
        assignee_id=case.assignee_id,
    )


def roles_for(
    user, *, unit_id: int, unit_path: str | Callable[[], str], assignee_id
) -> frozenset[str]:
    """``case_roles`` from the columns it reads, for rows read as values;
    ``unit_path`` may be a callable, asked only for a subtree membership."""
    if is_root(user):
        return frozenset({Role.ADMIN})
    roles = set()
    for membership in memberships_of(user):
        if membership.role in SUBTREE_ROLES:
            if callable(unit_path):
                unit_path = unit_path()
            if unit_path.startswith(membership.unit.path):
                roles.add(membership.role)
        elif membership.role in UNIT_ROLES and membership.unit_id == unit_id:
            roles.add(membership.role)
    if assignee_id is not None and assignee_id == user.pk:
        roles.add(Role.OFFICER)
    return frozenset(roles)


def is_case_creator(user, case: Case) -> bool:
    return _is_creator(user, case.created_by_id)


def _is_creator(user, created_by_id) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and created_by_id is not None
        and created_by_id == user.pk
        and has_role(user, Role.RECEPTION)
    )


def collaborating_unit_ids(case: Case) -> set[int]:
    """Units asked to co-operate on the case (prefetched when available)."""
    cache = getattr(case, "_prefetched_objects_cache", {})
    if "collaborators" in cache:
        return {c.unit_id for c in cache["collaborators"]}
    return set(
        CaseCollaborator.objects.filter(case=case).values_list("unit_id", flat=True)
    )


def is_collaborator(user, case: Case) -> bool:
    return _collaborates(user, lambda: collaborating_unit_ids(case))


def _collaborates(user, unit_ids: Callable[[], set[int]]) -> bool:
    """Whether one of the user's units co-operates; ``unit_ids`` is asked
    only when the user has a unit that could."""
    own = {m.unit_id for m in memberships_of(user) if m.role in UNIT_ROLES}
    return bool(own and own & unit_ids())


def case_roles_with_collaboration(user, case: Case) -> frozenset[str]:
    """``case_roles`` plus ``collaborator`` for staff of co-operating units."""
    roles = case_roles(user, case)
    if is_collaborator(user, case):
        roles = roles | {COLLABORATOR}
    return roles


def can_view_case(user, case: Case) -> bool:
    return _can_view(user, **_columns(case))


def can_see_identity(user, case: Case) -> bool:
    """Whether the user may see who petitioned.

    For a denunciation (Luật Tố cáo Arts 8, 47) only the reception officer who
    received it, the assigned officer, and the leaders and supervisors of the
    competent unit may; for every other kind, whoever may view the case.
    """
    return _identity_visible(user, kind=case.kind, **_columns(case))


def can_see_identity_in_row(
    user,
    *,
    kind: str,
    unit_id: int,
    unit_path: str,
    assignee_id,
    created_by_id,
    collaborating_unit_ids: Callable[[], set[int]],
) -> bool:
    """``can_see_identity`` for a case read as plain values (a list's rows);
    ``collaborating_unit_ids`` answers the units co-operating on it, asked
    only when the answer depends on them."""
    return _identity_visible(
        user,
        kind=kind,
        unit_id=unit_id,
        unit_path=unit_path,
        assignee_id=assignee_id,
        created_by_id=created_by_id,
        collaborators=collaborating_unit_ids,
    )


def _columns(case: Case) -> dict:
    return {
        "unit_id": case.responsible_unit_id,
        "unit_path": lambda: case.responsible_unit.path,
        "assignee_id": case.assignee_id,
        "created_by_id": case.created_by_id,
        "collaborators": lambda: collaborating_unit_ids(case),
    }


def _can_view(
    user, *, unit_id, unit_path, assignee_id, created_by_id, collaborators
) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if roles_for(user, unit_id=unit_id, unit_path=unit_path, assignee_id=assignee_id):
        return True
    if _is_creator(user, created_by_id):
        return True
    return _collaborates(user, collaborators)


def _identity_visible(
    user, *, kind, unit_id, unit_path, assignee_id, created_by_id, collaborators
) -> bool:
    if kind != CaseKind.DENUNCIATION:
        return _can_view(
            user,
            unit_id=unit_id,
            unit_path=unit_path,
            assignee_id=assignee_id,
            created_by_id=created_by_id,
            collaborators=collaborators,
        )
    if not getattr(user, "is_authenticated", False):
        return False
    if _is_creator(user, created_by_id):
        return True
    if assignee_id is not None and assignee_id == user.pk:
        return True
    roles = roles_for(
        user, unit_id=unit_id, unit_path=unit_path, assignee_id=assignee_id
    )
    return bool(roles & {Role.LEADER, Role.SUPERVISOR, Role.ADMIN})


def can_create_case_for(user, unit: Unit) -> bool:
    """Staff log cases for units of their own commune: their units' parents'
    subtrees (so a reception desk at the People's Committee serves every
    office and hamlet of the commune)."""
    if is_root(user):
        return True
    for membership in memberships_of(user):
        if membership.role not in {
            Role.RECEPTION,
            Role.OFFICER,
            Role.LEADER,
            Role.SUPERVISOR,
            Role.ADMIN,
        }:
            continue
        scope = membership.unit.path
        if membership.unit.parent_id is not None and membership.role in {
            Role.RECEPTION,
            Role.SUPERVISOR,
            Role.ADMIN,
        }:
            scope = scope[: scope.rstrip("/").rfind("/") + 1]
        if unit.path.startswith(scope):
            return True
    return False


def identity_condition(user, prefix: str = "") -> Q:
    """The denunciations on which ``user`` may see the denouncer, as a ``Q``:
    the query twin of ``can_see_identity`` for cases the user can already see
    (the receptionist who logged it, its assignee, leaders of the responsible
    unit, supervisors and administrators of a unit above it)."""
    if is_root(user):
        # Always true, and unlike an empty ``Q()`` still true once negated.
        return Q(**{f"{prefix}pk__isnull": False})
    condition = Q(**{f"{prefix}assignee_id": user.pk})
    if has_role(user, Role.RECEPTION):
        condition |= Q(**{f"{prefix}created_by_id": user.pk})
    for membership in memberships_of(user):
        if membership.role == Role.LEADER:
            condition |= Q(**{f"{prefix}responsible_unit_id": membership.unit_id})
        elif membership.role in SUBTREE_ROLES:
            condition |= Q(
                **{f"{prefix}responsible_unit__path__startswith": membership.unit.path}
            )
    return condition


def identity_searchable_condition(user, prefix: str = "") -> Q:
    """Cases whose petitioners' names ``user`` may search: every kind but a
    denunciation, and the denunciations of ``identity_condition``."""
    return ~Q(**{f"{prefix}kind": CaseKind.DENUNCIATION}) | identity_condition(
        user, prefix
    )
