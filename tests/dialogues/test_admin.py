"""The admin shows meetings and items read-only, scoped, and never deletes a
meeting that took place; the rules are data administrators edit."""

import pytest

from dialogues.admin import MeetingAdmin, MeetingItemAdmin
from dialogues.models import Meeting, MeetingItem, MeetingRule
from tests.dialogues.conftest import plan
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True)


def test_admin_pages_load(client, root, org, held):
    client.force_login(root)
    item = held.items.first()
    for url in (
        "/admin/dialogues/meeting/",
        f"/admin/dialogues/meeting/{held.pk}/change/",
        f"/admin/dialogues/meeting/{held.pk}/history/",
        "/admin/dialogues/meetingitem/",
        f"/admin/dialogues/meetingitem/{item.pk}/change/",
        "/admin/dialogues/meetingrule/",
    ):
        assert client.get(url).status_code == 200, url
    body = client.get("/admin/dialogues/meetingrule/").content.decode()
    assert "Luật Thực hiện dân chủ ở cơ sở" in body or "tiếp công dân" in body


def test_held_meetings_and_items_are_never_deleted(rf, root, org, held):
    from django.contrib.admin.sites import site

    request = rf.get("/admin/")
    request.user = root
    meeting_admin = MeetingAdmin(Meeting, site)
    assert not meeting_admin.has_delete_permission(request, held)
    assert not meeting_admin.has_change_permission(request, held)
    assert "delete_selected" not in meeting_admin.get_actions(request)
    item_admin = MeetingItemAdmin(MeetingItem, site)
    assert not item_admin.has_delete_permission(request, held.items.first())
    planned = plan(org)
    assert meeting_admin.has_delete_permission(request, planned)


def test_a_plan_entered_by_mistake_is_deleted_with_its_log(client, root, org):
    planned = plan(org)
    client.force_login(root)
    response = client.post(
        f"/admin/dialogues/meeting/{planned.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=planned.pk).exists()


def test_the_admin_is_scoped(rf, org, held):
    from django.contrib.admin.sites import site

    request = rf.get("/admin/")
    request.user = org.outsider
    assert list(MeetingAdmin(Meeting, site).get_queryset(request)) == []
    request.user = org.committee_leader
    assert list(MeetingAdmin(Meeting, site).get_queryset(request)) == [held]


def test_the_rules_are_seeded():
    codes = set(MeetingRule.objects.values_list("code", flat=True))
    assert codes == {
        "reception-weekly",
        "reception-monthly-2026",
        "dialogue-yearly",
        "dialogue-notice-2026",
    }
