"""The duties to receive and to talk, as pure functions over rule rows."""

import datetime as dt
from types import SimpleNamespace

from dialogues import rules

D = dt.date


def rule(**values):
    defaults = {
        "rule_type": "frequency",
        "meeting_kind": "periodic_reception",
        "organiser_kind": "peoples_committee",
        "period": "week",
        "minimum": 1,
        "notice_days": None,
        "severity": "warn",
        "valid_from": None,
        "valid_to": None,
    }
    defaults.update(values)
    row = SimpleNamespace(**defaults)
    row.is_valid_on = lambda day: (
        (row.valid_from is None or row.valid_from <= day)
        and (row.valid_to is None or day <= row.valid_to)
    )
    return row


WEEKLY = rule(valid_to=D(2026, 6, 30))
MONTHLY = rule(period="month", minimum=2, valid_from=D(2026, 7, 1))
YEARLY_DIALOGUE = rule(meeting_kind="dialogue", period="year", minimum=1)
NOTICE = rule(
    rule_type="notice",
    meeting_kind="dialogue",
    organiser_kind="",
    period="",
    minimum=None,
    notice_days=5,
    severity="enforce",
    valid_from=D(2026, 7, 1),
)
ALL = [WEEKLY, MONTHLY, YEARLY_DIALOGUE, NOTICE]


def test_a_month_owns_the_weeks_whose_monday_it_holds():
    assert rules.mondays_of_month(2026, 3) == [
        D(2026, 3, 2),
        D(2026, 3, 9),
        D(2026, 3, 16),
        D(2026, 3, 23),
        D(2026, 3, 30),
    ]
    assert len(rules.mondays_of_month(2026, 2)) == 4


def test_weekly_rule_counts_weeks_with_a_reception_day():
    """March 2026 has five weeks; receptions in two of them, twice in one:
    2 of 5 weeks are covered (the extra day does not make up for a week)."""
    held = {D(2026, 3, 5), D(2026, 3, 12), D(2026, 3, 13)}
    requirement = rules.month_requirement(
        ALL,
        meeting_kind="periodic_reception",
        year=2026,
        month=3,
        held_days=held,
        planned_days=set(),
        organiser_kind="peoples_committee",
    )
    assert (requirement.met, requirement.required) == (2, 5)
    assert requirement.shortfall == 3
    assert requirement.rules == (WEEKLY,)


def test_planned_days_count_towards_coverage_not_towards_met():
    requirement = rules.month_requirement(
        ALL,
        meeting_kind="periodic_reception",
        year=2026,
        month=2,
        held_days={D(2026, 2, 5)},
        planned_days={D(2026, 2, 12), D(2026, 2, 26)},
    )
    assert (requirement.met, requirement.covered, requirement.required) == (1, 3, 4)


def test_from_july_2026_two_days_a_month():
    requirement = rules.month_requirement(
        ALL,
        meeting_kind="periodic_reception",
        year=2026,
        month=7,
        held_days={D(2026, 7, 9), D(2026, 7, 9), D(2026, 7, 23), D(2026, 7, 30)},
        planned_days=set(),
    )
    assert requirement.rules == (MONTHLY,)
    assert (requirement.met, requirement.required) == (2, 2)
    assert requirement.shortfall == 0


def test_june_2026_still_follows_the_weekly_rule():
    requirement = rules.month_requirement(
        ALL,
        meeting_kind="periodic_reception",
        year=2026,
        month=6,
        held_days=set(),
        planned_days=set(),
    )
    assert requirement.rules == (WEEKLY,)
    assert requirement.required == 5  # Mondays 1, 8, 15, 22 and 29 June


def test_rules_of_another_kind_of_organiser_do_not_apply():
    assert (
        rules.month_requirement(
            ALL,
            meeting_kind="periodic_reception",
            year=2026,
            month=3,
            held_days=set(),
            planned_days=set(),
            organiser_kind="peoples_council",
        )
        is None
    )


def test_no_monthly_requirement_for_voter_contact():
    assert (
        rules.month_requirement(
            ALL,
            meeting_kind="voter_contact",
            year=2026,
            month=3,
            held_days=set(),
            planned_days=set(),
        )
        is None
    )


def test_one_dialogue_conference_a_year():
    requirement = rules.year_requirement(
        ALL,
        meeting_kind="dialogue",
        year=2025,
        held_days=set(),
        planned_days={D(2025, 12, 5)},
    )
    assert (requirement.met, requirement.covered, requirement.required) == (0, 1, 1)
    assert requirement.shortfall == 1 and requirement.planned_shortfall == 0


def test_notice_rule_applies_from_july_2026():
    """Announced 3 days ahead: refused from 01/07/2026, fine before."""
    breach = rules.notice_breach(
        ALL,
        meeting_kind="dialogue",
        organiser_kind="peoples_committee",
        starts_on=D(2026, 8, 6),
        announced_on=D(2026, 8, 3),
    )
    assert breach.rule is NOTICE
    assert breach.latest_on == D(2026, 8, 1)
    assert (
        rules.notice_breach(
            ALL,
            meeting_kind="dialogue",
            organiser_kind="peoples_committee",
            starts_on=D(2026, 6, 5),
            announced_on=D(2026, 6, 3),
        )
        is None
    )


def test_five_full_days_of_notice_are_enough():
    assert (
        rules.notice_breach(
            ALL,
            meeting_kind="dialogue",
            organiser_kind="peoples_committee",
            starts_on=D(2026, 8, 10),
            announced_on=D(2026, 8, 5),
        )
        is None
    )


def test_other_kinds_need_no_notice():
    assert (
        rules.notice_breach(
            ALL,
            meeting_kind="voter_contact",
            organiser_kind="peoples_council",
            starts_on=D(2026, 8, 4),
            announced_on=D(2026, 8, 3),
        )
        is None
    )
