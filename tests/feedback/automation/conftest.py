"""Fixtures of the automation tests: a fixed day, dated cases, staff e-mail."""

import datetime as dt

import pytest

import feedback.admin_automation  # noqa: F401 - registers the admin classes
from feedback.models import Case
from feedback.sms import MemorySmsBackend
from feedback.tasks import connect_signals, disconnect_signals, signals_connected
from tests.factories import make_case

# Wednesday 12 March 2025: no holiday within three weeks either side, so
# three working days ahead is Monday the 17th and five is Wednesday the 19th.
TODAY = dt.date(2025, 3, 12)


def on(day: int, month: int = 3) -> dt.date:
    return dt.date(2025, month, day)


@pytest.fixture
def dated_case(commune):
    """A case of ``unit`` whose current stage is due on ``due``."""

    def make(unit, due, *, assignee=None, status=None, **fields):
        case = make_case(actor=commune.reception, unit=unit, **fields).case
        changes = {"stage_due_on": due, "assignee": assignee}
        if status is not None:
            changes["status"] = status
        Case.objects.filter(pk=case.pk).update(**changes)
        case.refresh_from_db()
        return case

    return make


@pytest.fixture
def staff_emails(commune):
    """Leaders, officers and the supervisor have e-mail addresses."""
    for user in (commune.officer, commune.leader, commune.supervisor):
        user.email = f"{user.username}@xuanthanh.gov.vn"
        user.save(update_fields=["email"])
    return commune


@pytest.fixture
def citizen_signals():
    """The receiver of ``unsatisfied_rating``, as
    ``FeedbackConfig.ready`` connects them (left connected afterwards if they
    were connected before)."""
    was_connected = signals_connected()
    connect_signals()
    yield
    if not was_connected:
        disconnect_signals()


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "feedback.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()
