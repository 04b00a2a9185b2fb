"""The demo register written for ``seed_demo``."""

import io
import random

import pytest
from django.utils import timezone

from petitions.demo import seed_demo_visits
from petitions.models import ReceptionVisit
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_the_demo_register_follows_the_desks_letters(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    values = {
        "root_unit": commune.root,
        "users": {"reception": commune.reception},
        "rng": random.Random(7),
        "today": timezone.localdate(),
        "stdout": io.StringIO(),
    }
    written = seed_demo_visits(**values)
    visits = list(ReceptionVisit.objects.order_by("year", "number"))
    assert written == len(visits) > 10
    assert case.reception_visits.get().outcome == "case_created"
    assert any(visit.is_mass for visit in visits)
    moments = [visit.visited_at for visit in visits]
    assert moments == sorted(moments)  # numbers run with the dates (one year)
    assert seed_demo_visits(**values) == 0  # a second run adds nothing


def test_a_large_register_follows_only_the_latest_letters(commune, monkeypatch):
    monkeypatch.setattr("petitions.demo.LETTER_VISITS_MAX", 2)
    letters = [
        make_case(actor=commune.reception, unit=commune.office).case for _ in range(3)
    ]
    seed_demo_visits(
        root_unit=commune.root,
        users={"reception": commune.reception},
        rng=random.Random(7),
        today=timezone.localdate(),
        stdout=io.StringIO(),
    )
    linked = ReceptionVisit.objects.filter(cases__isnull=False)
    assert linked.count() == 2
    latest = sorted(letters, key=lambda case: (case.received_at, case.pk))[-2:]
    assert set(linked.values_list("cases", flat=True)) == {c.pk for c in latest}
