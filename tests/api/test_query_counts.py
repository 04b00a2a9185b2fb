"""Every list endpoint costs the same number of queries whatever its page size.

Each request authenticates with a token (one query) and reads the user's
memberships once (one query); the rest is the endpoint's own.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback import tracking
from feedback.models import Case, Party, PartyRole
from feedback.services.cases import case_transition
from tests.factories import make_case

pytestmark = pytest.mark.django_db

PAGE_SIZES = (1, 20, 100)


@pytest.fixture
def many_cases(commune):
    """110 cases of the land office, every third a denunciation, each with a
    petitioner and a denounced person; a few assigned to the officer."""
    template = make_case(actor=commune.reception, unit=commune.office).case
    fields = {
        field.attname: getattr(template, field.attname)
        for field in Case._meta.concrete_fields
        if field.attname not in ("id", "code")
    }
    clones = Case.objects.bulk_create(
        Case(
            **{
                **fields,
                "code": tracking.generate_code(),
                "kind": "denunciation" if index % 3 == 0 else "feedback",
                "assignee_id": commune.officer.pk if index % 7 == 0 else None,
            }
        )
        for index in range(109)
    )
    Party.objects.bulk_create(
        Party(case=case, role=role, full_name=f"Người {case.pk} {role}")
        for case in clones
        for role in (PartyRole.PETITIONER, PartyRole.DENOUNCED)
    )
    case_transition(
        case_id=template.pk,
        action="add_collaborator",
        actor=commune.leader,
        data={"unit": commune.hamlet_a.pk},
    )
    return [template, *clones]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


@pytest.mark.parametrize(
    ("role", "query", "expected"),
    [
        # token, memberships, count, the page's rows (its ids in a
        # subquery), their parties
        ("officer", "", 5),
        ("leader", "", 5),
        ("supervisor", "?ordering=stage_due_on&overdue=false&kind=denunciation", 5),
        # the unit filter reads the unit once.
        ("supervisor", "?search=Người&include_subtree=true&unit={root}", 6),
        # due_within reads the calendar exceptions once.
        ("admin", "?due_within=10", 6),
        # a co-operating unit's officer: the units co-operating on the page's
        # cases decide whether they see who petitioned.
        ("officer_a", "", 6),
    ],
)
def test_case_list_is_constant(
    commune, client_for, many_cases, django_assert_num_queries, role, query, expected
):
    client = client_for(getattr(commune, role))
    url = "/api/v1/cases/" + query.format(root=commune.root.pk)
    full_pages = set()
    for size in PAGE_SIZES:
        separator = "&" if "?" in url else "?"
        with django_assert_num_queries(expected):
            response = client.get(f"{url}{separator}page_size={size}")
        assert response.status_code == 200
        rows = len(response.json()["results"])
        assert rows == min(size, response.json()["count"])
        full_pages.add(rows == size)
    if not query and role != "officer_a":
        assert full_pages == {True}  # the pages really were full


def test_the_officer_really_gets_masked_rows(commune, client_for, many_cases):
    count, body = count_queries(client_for(commune.officer), "/api/v1/cases/")
    masked = [
        row
        for row in body["results"]
        for party in row["parties"]
        if row["kind"] == "denunciation"
        and party["role"] == "petitioner"
        and party["full_name"] == "(được bảo mật)"
    ]
    assert masked and count == 5


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # token, count, page (no memberships needed)
        ("/api/v1/units/", 3),
        ("/api/v1/fields/", 3),
        ("/api/v1/legal-grounds/", 3),
    ],
)
def test_reference_lists_are_constant(
    commune, client_for, django_assert_num_queries, url, expected
):
    client = client_for(commune.officer)
    for size in PAGE_SIZES:
        with django_assert_num_queries(expected):
            client.get(f"{url}?page_size={size}")


def test_events_and_history_are_constant(
    commune, client_for, django_assert_num_queries
):
    case = make_case(actor=commune.reception, unit=commune.office).case
    party = case.parties.get()
    for index in range(25):
        case_transition(
            case_id=case.pk,
            action="note",
            actor=commune.leader,
            data={"text": f"Ghi chú {index}"},
        )
        party.address = f"Địa chỉ {index}"
        party.save()
    client = client_for(commune.leader)
    for size in PAGE_SIZES:
        # token, memberships, case, count, page (events with their authors)
        with django_assert_num_queries(5):
            client.get(f"/api/v1/cases/{case.pk}/events/?page_size={size}")
        # token, memberships, case, case history, party history (26 case
        # versions, 25 party versions: bulk-created parties have none)
        with django_assert_num_queries(5):
            response = client.get(f"/api/v1/cases/{case.pk}/history/?page_size={size}")
        assert len(response.json()["results"]) == min(size, 51)


def test_case_detail_is_a_handful_of_queries(
    commune, client_for, django_assert_num_queries
):
    case = make_case(actor=commune.reception, unit=commune.office).case
    client = client_for(commune.officer)
    # token, memberships, case, parties, co-operating units (allowed actions)
    with django_assert_num_queries(5):
        client.get(f"/api/v1/cases/{case.pk}/")
