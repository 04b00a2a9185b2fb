"""The demo data: meetings and items in every state, added once."""

import io
import random

import pytest
from django.utils import timezone

from dialogues.demo import seed_demo_meetings
from dialogues.models import ItemOutcome, Meeting, MeetingItem
from feedback.signals import demo_seeded

pytestmark = pytest.mark.django_db


def seed(org, stdout, days=300):
    seed_demo_meetings(
        root_unit=org.root,
        users={"chutich": org.committee_leader, "supervisor": org.supervisor},
        rng=random.Random(7),
        today=timezone.localdate(),
        stdout=stdout,
        history_days=days,
    )


def test_demo_meetings_in_every_state(org):
    stdout = io.StringIO()
    seed(org, stdout)
    statuses = set(Meeting.objects.values_list("status", flat=True))
    assert {"planned", "held", "reported", "cancelled"} <= statuses
    assert set(Meeting.objects.values_list("kind", flat=True)) == {
        "dialogue",
        "voter_contact",
        "periodic_reception",
    }
    outcomes = set(MeetingItem.objects.values_list("outcome", flat=True))
    assert outcomes == set(ItemOutcome.values)
    case_statuses = set(
        MeetingItem.objects.filter(outcome=ItemOutcome.CASE).values_list(
            "case__status", flat=True
        )
    )
    assert {"accepted", "resolved", "closed"} <= case_statuses
    assert MeetingItem.objects.filter(is_hot_spot=True).exists()
    assert Meeting.objects.filter(results_published_at__isnull=False).exists()
    assert "meetings" in stdout.getvalue()


def test_the_demo_is_added_once(org):
    seed(org, io.StringIO(), days=60)
    count = Meeting.objects.count()
    stdout = io.StringIO()
    # Connected to the signal ``seed_demo`` sends.
    demo_seeded.send(
        sender=None,
        root_unit=org.root,
        users={},
        rng=random.Random(1),
        today=timezone.localdate(),
        stdout=stdout,
    )
    assert Meeting.objects.count() == count
    assert "none added" in stdout.getvalue()
