"""The admin: scoped lists, a case page with its timeline, no deletes."""

import pytest
from django.contrib.auth.models import Permission

from feedback.models import Case, CaseEvent, IdentityAccess
from feedback.services.cases import case_transition
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def grant_view(*users):
    perms = Permission.objects.filter(
        content_type__app_label="feedback", codename__startswith="view_"
    )
    for user in users:
        user.user_permissions.add(*perms)


@pytest.fixture
def denunciation(commune):
    return make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        title="Tố cáo cán bộ địa chính",
    ).case


def test_changelist_is_scoped_to_the_users_units(client, commune, denunciation):
    hamlet_case = make_case(
        actor=commune.reception, unit=commune.hamlet_a, title="Đèn đường xóm A hỏng"
    ).case
    grant_view(commune.officer_a, commune.supervisor)
    client.force_login(commune.officer_a)
    page = client.get("/admin/feedback/case/").content.decode()
    assert hamlet_case.title in page
    assert denunciation.title not in page
    assert client.get(
        f"/admin/feedback/case/{denunciation.pk}/change/"
    ).status_code in (
        302,
        403,
        404,
    )
    client.force_login(commune.supervisor)
    page = client.get("/admin/feedback/case/").content.decode()
    assert hamlet_case.title in page and denunciation.title in page


def test_case_page_shows_the_timeline(client, commune, denunciation):
    case_transition(
        case_id=denunciation.pk,
        action="note",
        actor=commune.leader,
        data={"text": "Đã xác minh tại thực địa"},
    )
    grant_view(commune.leader)
    client.force_login(commune.leader)
    response = client.get(f"/admin/feedback/case/{denunciation.pk}/change/")
    assert response.status_code == 200
    assert "Đã xác minh tại thực địa" in response.content.decode()
    history = client.get(f"/admin/feedback/case/{denunciation.pk}/history/")
    assert history.status_code == 200


def test_nothing_can_be_deleted(client, commune, denunciation):
    commune.admin.is_superuser = True
    commune.admin.save()
    client.force_login(commune.admin)
    for url in (
        f"/admin/feedback/case/{denunciation.pk}/delete/",
        f"/admin/feedback/party/{denunciation.parties.first().pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code in (302, 403)
    assert Case.objects.filter(pk=denunciation.pk).exists()
    assert denunciation.parties.exists()


def test_denouncer_identity_is_masked_for_the_unentitled(client, commune, denunciation):
    grant_view(commune.officer, commune.leader)
    party = denunciation.parties.get()
    client.force_login(commune.officer)
    for url in (
        f"/admin/feedback/case/{denunciation.pk}/change/",
        "/admin/feedback/party/",
        f"/admin/feedback/party/{party.pk}/change/",
        f"/admin/feedback/party/{party.pk}/history/",
    ):
        body = client.get(url).content.decode()
        assert party.full_name not in body, url
        assert party.national_id not in body, url
    client.force_login(commune.leader)
    body = client.get(f"/admin/feedback/case/{denunciation.pk}/change/").content
    assert party.full_name in body.decode()


def test_reference_data_pages_load(client, commune):
    commune.admin.is_superuser = True
    commune.admin.save()
    client.force_login(commune.admin)
    for url in (
        "/admin/",
        "/admin/feedback/unit/",
        "/admin/feedback/deadlinepolicy/",
        "/admin/feedback/calendarexception/",
        "/admin/feedback/field/",
        "/admin/feedback/membership/",
        "/admin/feedback/caseevent/",
    ):
        assert client.get(url).status_code == 200, url


def test_showing_a_denouncer_in_the_admin_is_audited(client, commune, denunciation):
    grant_view(commune.leader)
    party = denunciation.parties.get()
    client.force_login(commune.leader)
    # The list names nobody, not even to the entitled.
    listing = client.get("/admin/feedback/party/").content.decode()
    assert party.full_name not in listing
    assert not IdentityAccess.objects.exists()
    for url, context in (
        (f"/admin/feedback/party/{party.pk}/change/", "admin"),
        (f"/admin/feedback/case/{denunciation.pk}/change/", "admin"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert party.full_name in response.content.decode(), url
        access = IdentityAccess.objects.latest("pk")
        assert (access.user, access.context) == (commune.leader, context), url
    assert IdentityAccess.objects.count() == 2
    events = CaseEvent.objects.filter(case=denunciation, kind="identity_viewed")
    assert events.count() == 2
    assert all(party.full_name not in str(e.data) for e in events)


def test_the_unentitled_leave_no_identity_trail(client, commune, denunciation):
    grant_view(commune.officer)
    party = denunciation.parties.get()
    client.force_login(commune.officer)
    client.get(f"/admin/feedback/party/{party.pk}/change/")
    client.get(f"/admin/feedback/case/{denunciation.pk}/change/")
    assert not IdentityAccess.objects.exists()
