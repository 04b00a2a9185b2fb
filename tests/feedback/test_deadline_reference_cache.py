"""On a shared cache, deadline policies and calendar swaps are read once per
process and read again as soon as an administrator changes either; the
answers are those of the database every time."""

import datetime as dt

import pytest

from feedback.errors import InvalidInputError
from feedback.models import CalendarException, DeadlinePolicy
from feedback.selectors.deadlines import compute_due_date, working_calendar
from tests.feedback.staff.test_count_cache import shared_cache  # noqa: F401

pytestmark = pytest.mark.django_db

D = dt.date


EXAMPLE_START = D(2024, 1, 25)


def due(start=EXAMPLE_START):
    return compute_due_date(kind="complaint", stage="resolve", start=start).due_on


@pytest.mark.usefixtures("shared_cache")
def test_policies_are_read_once_until_one_changes(django_assert_num_queries):
    assert due() == D(2024, 2, 26)  # the worked example; fills the reference
    with django_assert_num_queries(0):
        assert due() == D(2024, 2, 26)
        working_calendar(first_year=2024, last_year=2024)

    policies = DeadlinePolicy.objects.filter(
        kind="complaint", stage="resolve", variant="standard"
    )
    for policy in policies:
        policy.days = 40
        policy.save()
    fresh = compute_due_date(kind="complaint", stage="resolve", start=D(2024, 1, 25))
    assert fresh.days == 40
    assert fresh.due_on > D(2024, 2, 26)
    for policy in policies:
        policy.delete()
    with pytest.raises(InvalidInputError) as refused:
        due()
    assert refused.value.code == "no_deadline_policy"


@pytest.mark.usefixtures("shared_cache")
def test_a_new_day_off_moves_the_due_date_at_once():
    before = due(D(2024, 3, 1))
    calendar = working_calendar(first_year=2024, last_year=2024)
    assert calendar.is_working_day(before)
    CalendarException.objects.create(
        date=before, kind=CalendarException.Kind.DAY_OFF, reason="Nghỉ bù"
    )
    assert not working_calendar(first_year=2024, last_year=2024).is_working_day(before)
    assert due(D(2024, 3, 1)) > before


def test_without_a_shared_cache_every_computation_reads_the_database(
    django_assert_num_queries,
):
    due()
    # the policy and the calendar swaps, each time
    with django_assert_num_queries(2):
        due()
