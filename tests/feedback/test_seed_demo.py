"""``manage.py seed_demo``: a realistic commune, its demo staff and cases.

The module seeds once (a service-made run) and every test reads it; tests that
run the command again do so inside their own transaction.
"""

import datetime as dt
import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from feedback import deadlines, tracking, validators, workflow
from feedback.models import (
    OPEN_STATUSES,
    Answer,
    AnswerStatus,
    Case,
    CaseEvent,
    CaseKind,
    Channel,
    CitizenNotice,
    EventKind,
    Membership,
    Party,
    PartyRole,
    Status,
    Unit,
    UnitKind,
)
from feedback.selectors.deadlines import compute_due_date, working_calendar
from feedback.services.cases import FIRST_STAGE
from feedback.signals import demo_seeded

pytestmark = pytest.mark.django_db

SERVICE_CASES = 150
PASSWORD = "langnghe-demo"


def seed(*args):
    """Run the command with only the core's demo: the apps built on it test
    their own ``demo_seeded`` receivers."""
    out = StringIO()
    receivers = demo_seeded.receivers
    demo_seeded.receivers = []
    demo_seeded.sender_receivers_cache.clear()
    try:
        call_command("seed_demo", *args, stdout=out)
    finally:
        demo_seeded.receivers = receivers
        demo_seeded.sender_receivers_cache.clear()
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed("--cases", str(SERVICE_CASES), "--seed", "2024")
        yield output
        transaction.set_rollback(True)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Unit,
            get_user_model(),
            Membership,
            Case,
            Party,
            CaseEvent,
            Answer,
        )
    }


def test_the_commune_tree_has_every_kind_of_unit(demo):
    commune = Unit.objects.get(code="NA-XT")
    assert commune.kind == UnitKind.COMMUNE
    assert commune.name == "Xã Xuân Thành"
    assert commune.parent.code == "NA"
    assert commune.parent.kind == UnitKind.PROVINCE
    kinds = Counter(commune.subtree().values_list("kind", flat=True))
    assert set(kinds) == {
        UnitKind.COMMUNE,
        UnitKind.STEERING_COMMITTEE,
        UnitKind.PEOPLES_COMMITTEE,
        UnitKind.PEOPLES_COUNCIL,
        UnitKind.FRONT,
        UnitKind.MASS_ORG,
        UnitKind.OFFICE,
        UnitKind.HAMLET,
    }
    assert kinds[UnitKind.MASS_ORG] == 4
    assert 8 <= kinds[UnitKind.HAMLET] <= 12
    hamlets = commune.subtree().filter(kind=UnitKind.HAMLET)
    assert all(hamlet.parent_id == commune.pk for hamlet in hamlets)
    assert 1 <= hamlets.filter(is_remote_area=True).count() <= 2
    committee = Unit.objects.get(code="XT-UBND")
    offices = Unit.objects.filter(kind=UnitKind.OFFICE)
    assert offices.count() == 6
    assert {office.parent_id for office in offices} == {committee.pk}
    assert offices.get(code="XT-DC").name == "Địa chính – Xây dựng"
    for unit in Unit.objects.exclude(parent=None).select_related("parent"):
        assert unit.path == f"{unit.parent.path}{unit.pk}/"


def test_demo_users_log_in_with_their_roles(demo):
    roles = {
        "reception": ("XT-UBND", "reception"),
        "officer": ("XT-DC", "officer"),
        "leader": ("XT-DC", "leader"),
        "supervisor": ("NA-XT", "supervisor"),
        "admin": ("NA-XT", "admin"),
    }
    for username, (unit_code, role) in roles.items():
        user = authenticate(username=username, password=PASSWORD)
        assert user is not None, username
        assert user.is_staff
        assert user.first_name and user.last_name
        assert user.memberships.filter(unit__code=unit_code, role=role).exists()
        assert user.is_superuser == (username == "admin")
        assert user.has_perm("feedback.view_case")
        assert user.has_perm("feedback.view_unit")
    for username in ("officer.x01", "leader.vhxh", "chutich"):
        assert authenticate(username=username, password=PASSWORD) is not None
    for username in ("reception", "officer", "leader", "supervisor", "admin"):
        assert username in demo


def test_every_responsible_unit_has_a_leader(demo):
    unit_ids = set(Case.objects.values_list("responsible_unit", flat=True))
    led = set(
        Membership.objects.filter(unit_id__in=unit_ids, role="leader").values_list(
            "unit_id", flat=True
        )
    )
    assert unit_ids == led


def test_cases_cover_every_kind_status_and_channel(demo):
    cases = Case.objects.all()
    assert cases.count() == SERVICE_CASES
    assert set(cases.values_list("kind", flat=True)) == set(CaseKind.values)
    assert set(cases.values_list("status", flat=True)) == set(Status.values)
    assert set(cases.values_list("channel", flat=True)) == set(Channel.values)


def test_every_flag_appears_with_what_it_implies(demo):
    cases = Case.objects.all()
    assert cases.filter(is_complex=True).exists()
    assert cases.filter(is_hot_spot=True).exists()
    mass = cases.filter(is_mass=True)
    assert mass.exists()
    for case in mass:
        assert case.petitioner_count >= 5
        assert case.parties.filter(role=PartyRole.REPRESENTATIVE).exists()
    prolonged = cases.filter(is_prolonged=True)
    assert prolonged.exists()
    assert not prolonged.filter(previous_case=None).exists()
    anonymous = cases.filter(is_anonymous=True)
    assert anonymous.exists()
    for case in anonymous:
        assert case.kind == CaseKind.DENUNCIATION
        assert case.status == Status.ARCHIVED
        assert not case.parties.filter(role=PartyRole.PETITIONER).exists()
    second = cases.filter(is_second_time=True).select_related("previous_case")
    assert second.exists()
    for case in second:
        first = case.previous_case
        assert case.kind == first.kind == CaseKind.COMPLAINT
        assert not first.is_second_time
        assert first.status in (Status.RESOLVED, Status.CLOSED)
        assert first.resolved_at < case.received_at
    for case in cases.filter(kind=CaseKind.DENUNCIATION):
        assert case.parties.filter(role=PartyRole.DENOUNCED).exists()


def test_people_have_valid_ids_phones_and_local_addresses(demo):
    people = Party.objects.exclude(role=PartyRole.DENOUNCED)
    assert people.count() >= SERVICE_CASES - 10
    for person in people:
        assert len(person.full_name.split()) >= 3
        validators.validate_national_id(person.national_id)
        assert re.fullmatch(r"040[0-3]\d{8}", person.national_id)
        assert re.fullmatch(r"0[35789]\d{8}", person.phone)
        assert "xã Xuân Thành" in person.address


def test_timelines_lie_in_the_last_two_years_and_in_order(demo):
    now = timezone.now()
    earliest = now - dt.timedelta(days=731)
    for case in Case.objects.prefetch_related("events"):
        assert earliest <= case.received_at <= now
        assert case.created_at == case.received_at
        moments = [case.received_at, case.accepted_at, case.resolved_at]
        moments.append(case.closed_at)
        present = [moment for moment in moments if moment is not None]
        assert present == sorted(present)
        events = list(case.events.all())
        assert events[0].kind == EventKind.CREATED
        assert events[0].created_at == case.received_at
        assert all(case.received_at <= event.created_at <= now for event in events)
        if case.resolved_at is not None:
            assert case.public_answer
            assert case.answers.filter(status=AnswerStatus.APPROVED).exists()


def test_some_open_cases_are_overdue_and_some_due_soon(demo):
    today = timezone.localdate()
    calendar = working_calendar(first_year=today.year - 1, last_year=today.year + 1)
    soon = deadlines.add_working_days(today, 3, calendar)
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    assert open_cases.filter(stage_due_on__lt=today).exists()
    assert open_cases.filter(stage_due_on__gte=today, stage_due_on__lte=soon).exists()


def test_replaying_demo_history_schedules_no_notification(
    demo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seed("--cases", "5", "--seed", "3")
    assert callbacks == []
    assert Case.objects.count() == SERVICE_CASES + 5
    # Nobody is told about a demo case's made-up past.
    assert not CitizenNotice.objects.exists()


def test_running_again_duplicates_nothing(demo):
    before = counts()
    output = seed()
    assert counts() == before
    assert "none added" in output


def test_the_same_seed_gives_the_same_cases(demo):
    def last_pk():
        return Case.objects.order_by("-pk").values_list("pk", flat=True).first()

    def added(after, up_to=None):
        cases = Case.objects.filter(pk__gt=after)
        if up_to is not None:
            cases = cases.filter(pk__lte=up_to)
        return list(
            cases.order_by("received_at", "pk").values_list(
                "kind", "channel", "status", "title", "received_at"
            )
        )

    start = last_pk()
    seed("--cases", "20", "--seed", "9")
    middle = last_pk()
    seed("--cases", "20", "--seed", "9")
    first, second = added(start, middle), added(middle)
    assert len(first) == len(second) == 20
    assert first == second


def test_bulk_mode_adds_exactly_n_cases_as_the_services_would(demo):
    before = counts()
    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first()
    output = seed("--cases", "3000", "--seed", "5")
    assert "bulk" in output
    new = Case.objects.filter(pk__gt=last)
    assert new.count() == 3000
    after = counts()
    assert after["Unit"] == before["Unit"]
    assert after["User"] == before["User"]
    assert all(
        tracking.is_valid_code(code) for code in new.values_list("code", flat=True)
    )
    petitioned = new.filter(parties__role=PartyRole.PETITIONER).distinct()
    assert petitioned.count() == 3000
    created = CaseEvent.objects.filter(case__in=new, kind=EventKind.CREATED)
    assert created.count() == 3000
    answered = new.exclude(resolved_at=None).count()
    assert Answer.objects.filter(case__in=new).count() == answered
    assert set(new.values_list("status", flat=True)) == set(Status.values)
    # Due dates are the selector's, for the dates and flags of each case.
    sample = new.select_related("responsible_unit", "location_unit").order_by("pk")
    for case in sample[:300]:
        remote = case.responsible_unit.is_remote_area or bool(
            case.location_unit and case.location_unit.is_remote_area
        )
        flags = {"complex": case.is_complex, "remote": remote}
        if case.status == Status.RECEIVED:
            stage = FIRST_STAGE[case.kind]
            start = timezone.localtime(case.received_at).date()
            second = case.is_second_time and stage != "accept"
        elif case.status == Status.ACCEPTED and case.kind in workflow.DECIDED_KINDS:
            stage = "resolve"
            start = timezone.localtime(case.accepted_at).date()
            second = case.is_second_time
            flags["extensions"] = case.extensions
        else:
            continue
        expected = compute_due_date(
            kind=case.kind, stage=stage, start=start, second=second, **flags
        )
        assert case.stage_due_on == expected.due_on, case.pk
