"""The admin of the outbox, reminders and notifications."""

import pytest
from django.contrib.auth.models import Permission

from feedback.models import OutboxMessage, Party, Reminder
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def grant(user, *models):
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="feedback",
            codename__in=[f"view_{model}" for model in models],
        )
    )


@pytest.fixture
def denouncer_sms(commune):
    case = make_case(
        actor=commune.reception, unit=commune.office, kind="denunciation"
    ).case
    phone = Party.objects.get(case=case).phone
    message = OutboxMessage.objects.create(
        channel="sms",
        recipient=phone,
        body="Hồ sơ đã được tiếp nhận.",
        case=case,
        dedupe_key="citizen:1:sms",
        status="dead",
        attempts=6,
        last_error="ConnectionError: gateway unreachable",
        created_at=case.received_at,
    )
    return message


def test_a_denouncers_number_is_masked_for_whoever_may_not_see_it(
    client, commune, denouncer_sms
):
    grant(commune.officer, "outboxmessage")
    grant(commune.leader, "outboxmessage")
    phone = denouncer_sms.recipient
    url = f"/admin/feedback/outboxmessage/{denouncer_sms.pk}/change/"

    client.force_login(commune.officer)
    listing = client.get("/admin/feedback/outboxmessage/").content.decode()
    detail = client.get(url).content.decode()
    assert denouncer_sms.case.display_code in listing
    assert phone not in listing and phone not in detail
    assert "***" in listing and "***" in detail

    history = client.get(f"{url.removesuffix('change/')}history/")
    assert history.status_code == 302 and history["Location"] == url

    client.force_login(commune.leader)
    assert phone in client.get("/admin/feedback/outboxmessage/").content.decode()
    assert phone in client.get(url).content.decode()


def test_the_dead_letter_list_cannot_be_deleted_from_and_can_be_retried(
    client, commune, denouncer_sms
):
    grant(commune.leader, "outboxmessage")
    client.force_login(commune.leader)

    dead = client.get("/admin/feedback/outboxmessage/?status__exact=dead")
    deleted = client.post(
        f"/admin/feedback/outboxmessage/{denouncer_sms.pk}/delete/", {"post": "yes"}
    )

    assert denouncer_sms.case.display_code in dead.content.decode()
    assert deleted.status_code in (302, 403)
    assert OutboxMessage.objects.filter(pk=denouncer_sms.pk).exists()
    commune.leader.user_permissions.add(
        Permission.objects.get(codename="change_outboxmessage")
    )
    client.post(
        "/admin/feedback/outboxmessage/",
        {"action": "retry", "_selected_action": [denouncer_sms.pk]},
    )
    denouncer_sms.refresh_from_db()
    assert (denouncer_sms.status, denouncer_sms.attempts) == ("pending", 5)


def test_messages_and_reminders_are_scoped_to_visible_cases(
    client, commune, denouncer_sms
):
    Reminder.objects.create(
        case=denouncer_sms.case,
        kind="reminder",
        stage="accept",
        due_on=denouncer_sms.case.stage_due_on,
        sent_at=denouncer_sms.created_at,
    )
    grant(commune.officer_b, "outboxmessage", "reminder")
    client.force_login(commune.officer_b)

    messages = client.get("/admin/feedback/outboxmessage/").content.decode()
    reminders = client.get("/admin/feedback/reminder/").content.decode()

    assert denouncer_sms.case.display_code not in messages
    assert denouncer_sms.case.display_code not in reminders
    grant(commune.supervisor, "reminder")
    client.force_login(commune.supervisor)
    reminders = client.get("/admin/feedback/reminder/").content.decode()
    assert denouncer_sms.case.display_code in reminders
