"""``manage.py run_deadline_sweep``."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from feedback.models import Notification, OutboxMessage, Reminder

from .conftest import on

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("run_deadline_sweep", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_lists_what_it_would_send_and_writes_nothing(commune, dated_case):
    soon = dated_case(commune.office, on(13), assignee=commune.officer)
    late = dated_case(commune.hamlet_a, on(10))

    output = run("--date", "2025-03-12", "--dry-run")

    assert (
        f"{soon.display_code}\treminder\tanswer\t2025-03-13\tofficer,leader" in output
    )
    assert (
        f"{late.display_code}\tescalation\tanswer\t2025-03-10\tleader_a,supervisor"
        in output
    )
    assert "would send 1 reminders and 1 escalations" in output
    assert not Reminder.objects.exists() and not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_real_run_sends_and_a_second_sends_nothing(commune, dated_case):
    dated_case(commune.office, on(13))

    first = run("--date", "2025-03-12", "--chunk-size", "1")
    second = run("--date", "2025-03-12")

    assert "sent 1 reminders and 0 escalations" in first
    assert "sent 0 reminders and 0 escalations" in second and "1 already sent" in second
    assert Reminder.objects.count() == 1


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--date", "12/03/2025")
