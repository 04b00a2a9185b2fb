"""Who may use the desk, read the register and see a visitor's identity."""

import pytest

from petitions import permissions
from tests.factories import staff
from tests.petitions.test_visits import log_visit, person

pytestmark = pytest.mark.django_db


def test_the_desk_is_for_reception_staff_only(commune):
    assert permissions.can_use_desk(commune.reception)
    for name in ("officer", "leader", "supervisor", "admin", "officer_a", "leader_a"):
        assert not permissions.can_use_desk(getattr(commune, name)), name


@pytest.mark.parametrize(
    ("username", "reads"),
    [
        ("reception", True),
        ("supervisor", True),  # the commune's standing committee, above the desk
        ("admin", True),
        ("leader", False),  # leads the office, not the desk's unit
        ("officer", False),
        ("officer_a", False),
        ("leader_a", False),
    ],
)
def test_who_reads_the_desks_register(commune, username, reads):
    visit = log_visit(commune)
    user = getattr(commune, username)
    assert permissions.can_view_visit(user, visit) is reads
    assert (visit in permissions.visits_visible_to(user)) is reads


def test_the_leader_of_the_desks_unit_reads_it(commune):
    visit = log_visit(commune)
    chairman = staff(commune.committee, "leader")
    assert permissions.can_view_visit(chairman, visit)
    assert permissions.can_see_visit_identity(chairman, visit)
    assert not permissions.can_update_visit(chairman, visit)


def test_a_denouncers_identity_in_the_register(commune):
    visit = log_visit(commune, kind="denunciation", persons=[person()])
    colleague = staff(commune.committee, "reception")
    assert permissions.can_see_visit_identity(commune.reception, visit)
    assert permissions.can_see_visit_identity(commune.supervisor, visit)
    assert not permissions.can_see_visit_identity(colleague, visit)
    assert permissions.can_view_visit(colleague, visit)
    assert not permissions.can_see_visit_identity(commune.officer, visit)


def test_any_clerk_of_the_desk_updates_the_follow_up(commune):
    visit = log_visit(commune)
    colleague = staff(commune.committee, "reception")
    assert permissions.can_update_visit(colleague, visit)
    assert not permissions.can_update_visit(commune.supervisor, visit)


def test_the_desk_logs_for_every_unit_of_its_commune(commune):
    units = permissions.responsible_unit_choices(commune.reception)
    assert set(units) == {
        commune.root,
        commune.committee,
        commune.office,
        commune.hamlet_a,
        commune.hamlet_b,
    }
    assert set(permissions.hamlet_choices(commune.reception)) == {
        commune.hamlet_a,
        commune.hamlet_b,
    }


def test_the_register_page_for_readers(client, commune):
    log_visit(commune, persons=[person("Công Dân Một")])
    for user, status in (
        (commune.supervisor, 200),
        (commune.leader, 200),
        (commune.officer, 403),
    ):
        client.force_login(user)
        response = client.get("/tiep-cong-dan/so-tiep-cong-dan/")
        assert response.status_code == status
    client.force_login(commune.leader)
    assert (
        "Công Dân Một"
        not in client.get("/tiep-cong-dan/so-tiep-cong-dan/").content.decode()
    )


def test_the_admin_shows_the_register_read_only(client, commune):
    from django.contrib.auth import get_user_model

    visit = log_visit(commune, kind="denunciation", persons=[person("Người Kín")])
    root = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(root)
    listing = client.get("/admin/petitions/receptionvisit/")
    assert listing.status_code == 200
    assert "Người Kín" not in listing.content.decode()
    page = client.get(f"/admin/petitions/receptionvisit/{visit.pk}/change/")
    assert page.status_code == 200
    assert client.get("/admin/petitions/receptionvisit/add/").status_code == 403


@pytest.mark.parametrize(
    ("username", "shown"),
    [("reception", True), ("officer", False), ("supervisor", False)],
)
def test_only_reception_staff_see_the_desk_in_the_menu(
    client, commune, username, shown
):
    client.force_login(getattr(commune, username))
    page = client.get("/viec-cua-toi/")
    assert page.status_code == 200
    assert ('href="/tiep-cong-dan/"' in page.content.decode()) is shown
