"""Who sees which cases: the one selector behind every list."""

import pytest

from feedback import permissions
from feedback.errors import NotFoundError
from feedback.models import Unit, UnitKind
from feedback.selectors.cases import case_get, case_list
from tests.factories import UnitFactory, make_case, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(commune):
    return {
        "office": make_case(actor=commune.reception, unit=commune.office).case,
        "hamlet_a": make_case(actor=commune.reception, unit=commune.hamlet_a).case,
        "hamlet_b": make_case(actor=commune.reception, unit=commune.hamlet_b).case,
    }


def visible(user):
    return set(permissions.cases_visible_to(user).values_list("pk", flat=True))


def test_hamlet_staff_never_see_another_hamlets_cases(commune, cases):
    for user in (commune.officer_a, commune.leader_a):
        assert visible(user) == {cases["hamlet_a"].pk}
    for user in (commune.officer_b, commune.leader_b):
        assert visible(user) == {cases["hamlet_b"].pk}
    with pytest.raises(NotFoundError):
        case_get(user=commune.officer_a, case_id=cases["hamlet_b"].pk)


def test_supervisor_sees_the_whole_subtree(commune, cases):
    assert visible(commune.supervisor) == {c.pk for c in cases.values()}


def test_supervisor_of_a_branch_sees_only_that_branch(commune, cases):
    branch_supervisor = staff(commune.committee, "supervisor")
    assert visible(branch_supervisor) == {cases["office"].pk}


def test_reception_sees_what_it_logged(commune, cases):
    other_desk = staff(commune.committee, "reception")
    assert visible(commune.reception) == {c.pk for c in cases.values()}
    assert visible(other_desk) == set()


def test_assignee_sees_the_case_assigned_to_them(commune, cases):
    from feedback.services.cases import case_transition

    second_officer = staff(commune.office, "officer")
    case_transition(
        case_id=cases["office"].pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": second_officer.pk},
    )
    assert cases["office"].pk in visible(second_officer)


def test_anonymous_and_unassigned_users_see_nothing(commune, cases):
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import UserFactory

    assert visible(AnonymousUser()) == set()
    assert visible(UserFactory()) == set()


def test_inactive_unit_memberships_grant_nothing(commune, cases):
    Unit.objects.filter(pk=commune.hamlet_a.pk).update(is_active=False)
    user = type(commune.officer_a).objects.get(pk=commune.officer_a.pk)
    assert visible(user) == set()


def test_case_list_query_count_does_not_grow(commune, cases, django_assert_num_queries):
    for _ in range(5):
        make_case(actor=commune.reception, unit=commune.office)
    user = type(commune.supervisor).objects.get(pk=commune.supervisor.pk)
    # One query for the memberships, one for the page.
    with django_assert_num_queries(2):
        rows = list(case_list(user=user)[:2])
        [(r.field.name, r.responsible_unit.name) for r in rows]
    user = type(commune.supervisor).objects.get(pk=commune.supervisor.pk)
    with django_assert_num_queries(2):
        rows = list(case_list(user=user)[:8])
        [(r.field.name, r.responsible_unit.name) for r in rows]


def test_subtree_is_one_query(commune, django_assert_num_queries):
    deep = commune.office
    for depth in range(6):
        deep = UnitFactory(parent=deep, kind=UnitKind.OFFICE, name=f"Tổ {depth}")
    with django_assert_num_queries(1):
        names = list(commune.root.subtree().values_list("name", flat=True))
    assert "Tổ 5" in names
    assert len(names) == 5 + 6


def test_moving_a_unit_moves_its_subtree(commune):
    child = UnitFactory(parent=commune.office, name="Tổ 1")
    grandchild = UnitFactory(parent=child, name="Tổ 1.1")
    commune.office.parent = commune.hamlet_a
    commune.office.save()
    grandchild.refresh_from_db()
    assert grandchild.path.startswith(commune.hamlet_a.path)
    assert grandchild.depth == commune.hamlet_a.depth + 3
    assert set(commune.hamlet_a.subtree()) == {
        commune.hamlet_a,
        commune.office,
        child,
        grandchild,
    }
    assert commune.office not in set(commune.committee.subtree())


def test_a_unit_cannot_move_below_itself(commune):
    child = UnitFactory(parent=commune.office)
    commune.office.parent = child
    with pytest.raises(ValueError):
        commune.office.save()


def test_identity_gate_for_denunciations(commune):
    created = make_case(
        actor=commune.reception, unit=commune.office, kind="denunciation"
    ).case
    assert permissions.can_see_identity(commune.reception, created)
    assert permissions.can_see_identity(commune.leader, created)
    assert permissions.can_see_identity(commune.supervisor, created)
    assert not permissions.can_see_identity(commune.officer, created)
    assert not permissions.can_see_identity(commune.officer_a, created)
    feedback = make_case(actor=commune.reception, unit=commune.office).case
    assert permissions.can_see_identity(commune.officer, feedback)
    assert not permissions.can_see_identity(commune.officer_a, feedback)
