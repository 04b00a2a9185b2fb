"""The public scorecard on a small fixed set of cases: counts, on-time rate,
exact working-day average, suppression of small numbers."""

import datetime as dt

import pytest
from django.utils import timezone

from feedback.models import Case
from feedback.selectors.public import scorecard
from tests.factories import make_case
from tests.feedback.public.conftest import resolve

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 5, 15)  # Q2 2025: the card shows Q2, Q1, Q4 and Q3


def at(day, hour=9):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def case(commune, unit, leader, received, resolved=None, due=None):
    created = make_case(actor=commune.reception, unit=unit, received_at=at(received))
    if resolved:
        resolve(created.case, leader)
        Case.objects.filter(pk=created.case.pk).update(
            resolved_at=at(resolved, 15), final_due_on=due or resolved
        )
    return created.case


@pytest.fixture
def fixture_cases(commune):
    D = dt.date
    office, leader = commune.office, commune.leader
    # Office, Q1 2025: working days 5, 2, 1, 10 (late), 0, and 8 for a case
    # received in December (New Year's Day off) — average 26 / 6.
    case(commune, office, leader, D(2025, 3, 3), D(2025, 3, 10))
    case(commune, office, leader, D(2025, 3, 3), D(2025, 3, 5))
    case(commune, office, leader, D(2025, 3, 7), D(2025, 3, 10))
    case(commune, office, leader, D(2025, 3, 10), D(2025, 3, 24), due=D(2025, 3, 20))
    case(commune, office, leader, D(2025, 3, 12), D(2025, 3, 12))
    case(commune, office, leader, D(2025, 3, 20))
    case(commune, office, leader, D(2024, 12, 23), D(2025, 1, 3))
    case(commune, office, leader, D(2025, 4, 10))
    # Hamlet A, Q1 2025: two received, one answered.
    hamlet, hamlet_leader = commune.hamlet_a, commune.leader_a
    case(commune, hamlet, hamlet_leader, D(2025, 2, 10), D(2025, 2, 12))
    case(commune, hamlet, hamlet_leader, D(2025, 2, 11))
    # Outside the four quarters: not counted.
    case(commune, office, leader, D(2024, 5, 6), D(2024, 6, 3))


def rows(card, label):
    [quarter] = [q for q in card.quarters if q.label == label]
    return {
        row.unit: (
            row.received.display,
            row.resolved.display,
            row.on_time_rate.display,
            row.average_working_days.display,
        )
        for row in quarter.rows
    }


def test_figures_and_suppression(fixture_cases, django_assert_num_queries):
    with django_assert_num_queries(4):
        card = scorecard(today=TODAY)
    labels = [q.label for q in card.quarters]
    assert labels == ["Quý II/2025", "Quý I/2025", "Quý IV/2024", "Quý III/2024"]
    assert card.quarters[0].is_current
    assert rows(card, "Quý I/2025") == {
        "Địa chính": ("6", "6", "83%", "4,3"),
        "Xóm A": ("<5", "<5", "<5", "<5"),
    }
    assert rows(card, "Quý IV/2024") == {"Địa chính": ("<5", "0", "—", "—")}
    assert rows(card, "Quý II/2025") == {"Địa chính": ("<5", "0", "—", "—")}
    assert rows(card, "Quý III/2024") == {}
    office = card.quarters[1].rows[0]
    assert office.average_working_days.value == pytest.approx(4.3)
    hamlet = card.quarters[1].rows[1]
    # A suppressed figure carries no value a serializer could leak.
    assert hamlet.received.value is None
    assert hamlet.on_time_rate.value is None


def test_the_page_shows_the_figures(client, commune):
    for _number in range(5):
        created = make_case(actor=commune.reception, unit=commune.office)
        resolve(created.case, commune.leader)
    make_case(actor=commune.reception, unit=commune.hamlet_a)
    body = client.get("/thong-ke/").content.decode()
    quarter = scorecard().quarters[0]
    assert quarter.label in body
    assert "100%" in body
    assert '<td class="num">&lt;5</td>' in body
