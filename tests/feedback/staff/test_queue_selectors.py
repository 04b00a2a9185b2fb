"""The work queue's reads: urgency order, deadline buckets, filters, search
and the confidentiality of denouncers' names, with a fixed ``today``."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from feedback import permissions
from feedback.models import Case, CaseCollaborator, Field
from feedback.selectors import queue
from feedback.services.cases import case_transition
from tests.factories import make_case, petitioner, staff

from .conftest import DENOUNCER

pytestmark = pytest.mark.django_db

# A Monday with no holiday around it.
TODAY = dt.date(2026, 11, 16)


@pytest.fixture
def calendar():
    return queue.queue_calendar(TODAY)


def due(case, day):
    Case.objects.filter(pk=case.pk).update(stage_due_on=day)
    return case


def listed(user, calendar, **filters):
    return list(
        queue.queue_cases(
            user=user,
            filters=queue.QueueFilters(**filters),
            today=TODAY,
            calendar=calendar,
        )
    )


@pytest.fixture
def office_cases(commune):
    """Office cases due at various distances from TODAY."""

    def new(title, day):
        case = make_case(actor=commune.reception, unit=commune.office, title=title)
        return due(case.case, day)

    return {
        "late_long": new("late long", dt.date(2026, 11, 2)),
        "late": new("late", dt.date(2026, 11, 13)),
        "today": new("today", TODAY),
        "three_left": new("three left", dt.date(2026, 11, 19)),
        "four_left": new("four left", dt.date(2026, 11, 20)),
        "far": new("far", dt.date(2026, 12, 20)),
    }


def test_queue_puts_overdue_first_then_by_days_left(commune, office_cases, calendar):
    titles = [c.title for c in listed(commune.officer, calendar)]
    assert titles == ["late long", "late", "today", "three left", "four left", "far"]


def test_closed_cases_are_hidden_by_default_and_listed_last_on_request(
    commune, office_cases, calendar
):
    withdrawn = office_cases["late_long"]
    case_transition(
        case_id=withdrawn.pk,
        action="withdraw",
        actor=commune.officer,
        data={"reason": "Công dân rút đơn"},
    )
    assert withdrawn.pk not in [c.pk for c in listed(commune.officer, calendar)]
    everything = listed(commune.officer, calendar, state=queue.STATE_ALL)
    assert everything[-1].pk == withdrawn.pk
    only_withdrawn = listed(commune.officer, calendar, state="withdrawn")
    assert [c.pk for c in only_withdrawn] == [withdrawn.pk]


def test_buckets_count_overdue_soon_and_on_track(
    commune, office_cases, calendar, django_assert_num_queries
):
    permissions.memberships_of(commune.officer)
    with django_assert_num_queries(1):
        counts = queue.queue_bucket_counts(
            user=commune.officer,
            filters=queue.QueueFilters(),
            today=TODAY,
            calendar=calendar,
        )
    assert counts == {"overdue": 2, "soon": 2, "on_track": 2}


def test_bucket_filter_lists_the_cases_counted(commune, office_cases, calendar):
    soon = listed(commune.officer, calendar, bucket=queue.SOON)
    assert [c.title for c in soon] == ["today", "three left"]
    assert [c.title for c in listed(commune.officer, calendar, bucket="overdue")] == [
        "late long",
        "late",
    ]


def test_soon_window_skips_weekends_and_holidays(calendar):
    assert queue.soon_limit(TODAY, calendar) == dt.date(2026, 11, 19)
    # From Thursday: Friday, Monday, then Wednesday (24/11, Vietnamese
    # Culture Day, is a holiday from 2026).
    thursday = dt.date(2026, 11, 19)
    assert queue.soon_limit(thursday, calendar) == dt.date(2026, 11, 25)


def test_days_left_are_working_days(commune, office_cases, calendar):
    cases = {c.title: c for c in listed(commune.officer, calendar)}
    left = {
        title: queue.days_left(case, today=TODAY, calendar=calendar)
        for title, case in cases.items()
    }
    assert left["late"] == -1  # Friday, seen on Monday
    assert left["late_long".replace("_", " ")] == -10
    assert left["today"] == 0
    assert left["three left"] == 3
    assert left["four left"] == 4


def test_other_units_cases_are_not_in_the_queue(commune, office_cases, calendar):
    make_case(actor=commune.reception, unit=commune.hamlet_a, title="hamlet")
    assert "hamlet" not in [c.title for c in listed(commune.officer, calendar)]
    assert [c.title for c in listed(commune.officer_a, calendar)] == ["hamlet"]


def test_filters_by_kind_field_hamlet_and_flags(commune, calendar):
    env = Field.objects.get(code="environment")
    complaint = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="complaint",
        field=env,
        location_unit=commune.hamlet_b,
        is_hot_spot=True,
    ).case
    plain = make_case(actor=commune.reception, unit=commune.office).case
    mass = make_case(
        actor=commune.reception, unit=commune.office, petitioner_count=7
    ).case

    def pks(**filters):
        return {c.pk for c in listed(commune.officer, calendar, **filters)}

    assert pks(kind="complaint") == {complaint.pk}
    assert pks(field_id=env.pk) == {complaint.pk}
    assert pks(hamlet_id=commune.hamlet_b.pk) == {complaint.pk}
    assert pks(flags=["is_hot_spot"]) == {complaint.pk}
    assert pks(flags=["is_mass"]) == {mass.pk}
    assert pks(flags=["is_mass", "is_hot_spot"]) == set()
    assert pks() == {complaint.pk, plain.pk, mass.pk}


def test_filter_by_received_period(commune, calendar):
    def received(day):
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        return make_case(
            actor=commune.reception, unit=commune.office, received_at=moment
        ).case

    early = received(dt.date(2026, 10, 1))
    middle = received(dt.date(2026, 10, 15))
    received(dt.date(2026, 11, 2))
    pks = {
        c.pk
        for c in listed(
            commune.officer,
            calendar,
            received_from=dt.date(2026, 10, 1),
            received_to=dt.date(2026, 10, 31),
        )
    }
    assert pks == {early.pk, middle.pk}


def test_filter_by_assignee(commune, calendar):
    mine = make_case(actor=commune.reception, unit=commune.office).case
    other = make_case(actor=commune.reception, unit=commune.office).case
    case_transition(
        case_id=mine.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    assert [c.pk for c in listed(commune.officer, calendar, assigned="me")] == [mine.pk]
    assert [c.pk for c in listed(commune.officer, calendar, assigned="none")] == [
        other.pk
    ]


def test_supervisor_filters_by_unit_subtree(commune, calendar):
    office = make_case(actor=commune.reception, unit=commune.office).case
    hamlet = make_case(actor=commune.reception, unit=commune.hamlet_a).case
    assert {c.pk for c in listed(commune.supervisor, calendar)} == {
        office.pk,
        hamlet.pk,
    }
    by_committee = listed(commune.supervisor, calendar, unit=commune.committee)
    assert [c.pk for c in by_committee] == [office.pk]


def test_search_by_formatted_code_title_and_name(commune, calendar):
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        title="Cống thoát nước bị tắc",
        parties=[petitioner(full_name="Phạm Minh Đức")],
    ).case
    make_case(actor=commune.reception, unit=commune.office)

    def found(text):
        return [c.pk for c in listed(commune.officer, calendar, q=text)]

    assert found(case.display_code) == [case.pk]
    assert found(case.display_code.lower()) == [case.pk]
    assert found(case.code[:6]) == [case.pk]
    assert found("thoát nước") == [case.pk]
    assert found("Minh Đức") == [case.pk]
    assert found("không có") == []


def test_unentitled_officer_cannot_find_a_denunciation_by_the_denouncers_name(
    commune, denunciation, calendar
):
    feedback = make_case(actor=commune.reception, unit=commune.office).case
    officer_finds = [c.pk for c in listed(commune.officer, calendar, q=DENOUNCER)]
    # The same person's feedback is found; their denunciation is not.
    assert officer_finds == [feedback.pk]
    assert [c.pk for c in listed(commune.officer, calendar, q="Bích Ngọc")] == [
        feedback.pk
    ]
    # The denounced person is not protected.
    assert [c.pk for c in listed(commune.officer, calendar, q="Lê Văn Quyền")] == [
        denunciation.pk
    ]
    leader_finds = {c.pk for c in listed(commune.leader, calendar, q=DENOUNCER)}
    assert leader_finds == {feedback.pk, denunciation.pk}


def test_superuser_finds_the_denunciation_by_name(commune, denunciation, calendar):
    root = get_user_model().objects.create_superuser("root", "r@x.vn", "pw-123456")
    assert [c.pk for c in listed(root, calendar, q=DENOUNCER)] == [denunciation.pk]


def test_assignee_finds_the_denunciation_by_name(commune, denunciation, calendar):
    case_transition(
        case_id=denunciation.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    commune.officer.refresh_from_db()
    assert [c.pk for c in listed(commune.officer, calendar, q=DENOUNCER)] == [
        denunciation.pk
    ]


def test_identity_condition_agrees_with_can_see_identity(commune):
    """The SQL twin of the confidentiality gate, for every role and case."""
    branch_supervisor = staff(commune.committee, "supervisor")
    root = get_user_model().objects.create_superuser("root", "r@x.vn", "pw-123456")
    office = make_case(
        actor=commune.reception, unit=commune.office, kind="denunciation"
    ).case
    assigned = make_case(
        actor=commune.reception, unit=commune.office, kind="denunciation"
    ).case
    case_transition(
        case_id=assigned.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    hamlet = make_case(
        actor=commune.leader_a, unit=commune.hamlet_a, kind="denunciation"
    ).case
    CaseCollaborator.objects.create(case=hamlet, unit=commune.office)
    users = [
        commune.reception,
        commune.officer,
        commune.leader,
        commune.supervisor,
        commune.admin,
        commune.officer_a,
        commune.leader_a,
        commune.officer_b,
        commune.leader_b,
        branch_supervisor,
        root,
    ]
    for case in (office, assigned, hamlet):
        case = Case.objects.select_related("responsible_unit").get(pk=case.pk)
        for user in users:
            user = get_user_model().objects.get(pk=user.pk)
            in_sql = Case.objects.filter(
                permissions.identity_condition(user), pk=case.pk
            ).exists()
            assert in_sql == permissions.can_see_identity(user, case), (
                user.username,
                case.pk,
            )


def test_supervisor_sees_overdue_counts_per_unit_in_one_query(
    commune, calendar, django_assert_num_queries
):
    for unit, count in ((commune.office, 2), (commune.hamlet_a, 1)):
        for _ in range(count):
            due(
                make_case(actor=commune.reception, unit=unit).case,
                dt.date(2026, 11, 10),
            )
    due(make_case(actor=commune.reception, unit=commune.hamlet_b).case, TODAY)
    supervisor = get_user_model().objects.get(pk=commune.supervisor.pk)
    permissions.memberships_of(supervisor)
    with django_assert_num_queries(1):
        rows = queue.overdue_by_unit(user=supervisor, today=TODAY)
    assert [(r["responsible_unit__name"], r["overdue"]) for r in rows] == [
        ("Địa chính", 2),
        ("Xóm A", 1),
    ]
    assert queue.overdue_by_unit(user=commune.officer, today=TODAY) == []


def test_related_units_are_the_communes_working_units(commune, denunciation):
    names = [u.name for u in queue.related_units(denunciation)]
    assert names == ["UBND xã", "Xóm A", "Xóm B"]
