"""The "My work" page through HTTP: scoping, filters, search, masking and a
query count that does not grow with the page size."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from feedback.models import Case, CaseCollaborator
from feedback.selectors.cases import local_today
from feedback.services.cases import case_transition
from tests.factories import make_case

from .conftest import DENOUNCER, DENOUNCER_ID, clone_cases

pytestmark = pytest.mark.django_db

URL = "/viec-cua-toi/"


def test_url_name_is_work_queue():
    assert reverse("work-queue") == URL


def test_log_in_required(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]


def test_officer_sees_the_units_cases_with_days_left(client, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    other = make_case(actor=commune.reception, unit=commune.hamlet_a).case
    client.force_login(commune.officer)
    body = client.get(URL).content.decode()
    assert case.display_code in body
    assert other.display_code not in body
    assert "ngày làm việc" in body  # working days left, in Vietnamese


def test_overdue_cases_are_counted_and_marked(client, commune):
    late = make_case(actor=commune.reception, unit=commune.office).case
    Case.objects.filter(pk=late.pk).update(
        stage_due_on=local_today() - dt.timedelta(days=20)
    )
    make_case(actor=commune.reception, unit=commune.office)
    client.force_login(commune.officer)
    response = client.get(URL)
    assert response.context["counts"]["overdue"] == 1
    assert response.context["rows"][0]["id"] == late.pk
    assert "Quá hạn" in response.content.decode()
    overdue_only = client.get(URL, {"bucket": "overdue"})
    assert [r["id"] for r in overdue_only.context["rows"]] == [late.pk]


def test_search_by_formatted_code(client, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    make_case(actor=commune.reception, unit=commune.office)
    client.force_login(commune.officer)
    response = client.get(URL, {"q": case.display_code.lower()})
    assert [r["id"] for r in response.context["rows"]] == [case.pk]


def test_lists_never_name_a_denouncer(client, commune, denunciation):
    feedback = make_case(actor=commune.reception, unit=commune.office).case
    for user in (commune.officer, commune.leader, commune.reception):
        client.force_login(user)
        response = client.get(URL)
        raw = response.content
        assert denunciation.display_code.encode() in raw
        # The feedback's petitioner is the same person: only in that row.
        rows = {r["id"]: r for r in response.context["rows"]}
        assert rows[feedback.pk]["petitioner"] == DENOUNCER
        assert rows[denunciation.pk]["petitioner_masked"]
        assert raw.count(DENOUNCER.encode()) == 1
        assert DENOUNCER_ID.encode() not in raw


def test_unentitled_search_by_denouncers_name_finds_nothing(
    client, commune, denunciation
):
    client.force_login(commune.officer)
    response = client.get(URL, {"q": DENOUNCER})
    assert response.context["rows"] == []
    assert denunciation.display_code.encode() not in response.content
    client.force_login(commune.leader)
    response = client.get(URL, {"q": DENOUNCER})
    assert [r["id"] for r in response.context["rows"]] == [denunciation.pk]


def test_invalid_filters_are_reported_in_vietnamese_and_kept(client, commune):
    make_case(actor=commune.reception, unit=commune.office, kind="complaint")
    make_case(actor=commune.reception, unit=commune.office)
    client.force_login(commune.officer)
    response = client.get(
        URL,
        {
            "kind": "complaint",
            "received_from": "31/02/2026",
            "received_to": "abc",
            "per_page": "7",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nhập một ngày hợp lệ." in body
    assert 'value="abc"' in body
    # The valid filter still applies, the invalid page size falls back.
    assert {r["kind"] for r in response.context["rows"]} == {"complaint"}
    assert response.context["per_page"] == 20


def test_period_end_before_start_is_refused(client, commune):
    client.force_login(commune.officer)
    response = client.get(
        URL, {"received_from": "2026-10-10", "received_to": "2026-10-01"}
    )
    assert "Cuối kỳ trước đầu kỳ" in response.content.decode()


def test_pagination_keeps_the_filters(client, commune):
    case = make_case(actor=commune.reception, unit=commune.office, kind="complaint")
    clone_cases(case.case, 24)
    client.force_login(commune.officer)
    response = client.get(URL, {"kind": "complaint"})
    assert len(response.context["rows"]) == 20
    body = response.content.decode()
    next_link = re.search(r'href="(\?[^"]*page=2[^"]*)"', body).group(1)
    assert "kind=complaint" in next_link
    second = client.get(URL + next_link.replace("&amp;", "&"))
    assert len(second.context["rows"]) == 5
    assert len(client.get(URL, {"per_page": 50}).context["rows"]) == 25


def test_supervisor_sees_overdue_badges_per_unit_and_filters_by_unit(client, commune):
    late = make_case(actor=commune.reception, unit=commune.hamlet_a).case
    Case.objects.filter(pk=late.pk).update(
        stage_due_on=local_today() - dt.timedelta(days=10)
    )
    make_case(actor=commune.reception, unit=commune.office)
    client.force_login(commune.supervisor)
    response = client.get(URL)
    assert [
        (row["responsible_unit__name"], row["overdue"])
        for row in response.context["overdue_units"]
    ] == [("Xóm A", 1)]
    assert 'name="unit"' in response.content.decode()
    only_a = client.get(URL, {"unit": commune.hamlet_a.pk})
    assert [r["id"] for r in only_a.context["rows"]] == [late.pk]
    # Officers have neither the badges nor the unit filter.
    client.force_login(commune.officer)
    response = client.get(URL)
    assert response.context["overdue_units"] == []
    assert 'name="unit"' not in response.content.decode()


def test_supervisor_cannot_filter_on_a_unit_outside_the_subtree(client, commune):
    from tests.factories import staff

    branch = staff(commune.committee, "supervisor")
    make_case(actor=commune.reception, unit=commune.hamlet_a)
    client.force_login(branch)
    response = client.get(URL, {"unit": commune.hamlet_a.pk})
    assert response.context["form"].errors["unit"]
    assert response.context["rows"] == []


@pytest.fixture
def long_queue(commune, denunciation):
    """120 cases for the office: feedback and denunciations with parties, some
    assigned, located and co-operated on."""
    feedback = make_case(
        actor=commune.reception, unit=commune.office, location_unit=commune.hamlet_a
    ).case
    case_transition(
        case_id=feedback.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    copies = clone_cases(feedback, 60) + clone_cases(denunciation, 58)
    CaseCollaborator.objects.bulk_create(
        CaseCollaborator(case=copy, unit=commune.hamlet_b) for copy in copies[::3]
    )
    return copies


@pytest.mark.parametrize("username", ["officer", "leader", "supervisor"])
def test_queries_do_not_grow_with_the_page_size(
    client, commune, long_queue, django_assert_num_queries, username
):
    user = getattr(commune, username)
    client.force_login(user)
    # The filter selects' options are cached per user: the first visit
    # fills the cache, later ones read it.
    client.get(URL)
    # One of them is the notification bell's unread count; the page's rows
    # are read with its ids in a subquery, then their parties.
    expected = {"officer": 9, "leader": 9, "supervisor": 10}[username]
    for size in (20, 100):
        with django_assert_num_queries(expected):
            response = client.get(URL, {"per_page": size, "q": ""})
        assert len(response.context["rows"]) == size
