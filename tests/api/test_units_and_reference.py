"""Units (the whole tree, read-only), fields and legal grounds."""

import pytest

pytestmark = pytest.mark.django_db


def codes(response):
    return [unit["code"] for unit in response.json()["results"]]


def test_every_member_of_staff_reads_the_whole_tree(commune, client_for):
    for user in (commune.officer_a, commune.reception, commune.supervisor):
        response = client_for(user).get("/api/v1/units/")
        assert response.status_code == 200
        assert codes(response) == ["P", "C", "UB", "DC", "HA", "HB"]
    unit = response.json()["results"][3]
    assert unit == {
        "id": commune.office.pk,
        "code": "DC",
        "name": "Địa chính",
        "kind": "office",
        "parent": commune.committee.pk,
        "depth": 3,
        "path": commune.office.path,
        "is_active": True,
    }


def test_descendants_of_is_the_subtree_without_the_unit(commune, client_for):
    client = client_for(commune.officer)
    response = client.get(f"/api/v1/units/?descendants_of={commune.root.pk}")
    assert codes(response) == ["UB", "DC", "HA", "HB"]
    response = client.get(f"/api/v1/units/?descendants_of={commune.office.pk}")
    assert codes(response) == []


def test_an_unknown_unit_is_a_400(commune, client_for):
    response = client_for(commune.officer).get("/api/v1/units/?descendants_of=9999")
    assert response.status_code == 400
    assert "descendants_of" in response.json()["error"]["fields"]


def test_visible_cases_narrows_to_the_units_whose_cases_one_sees(commune, client_for):
    officer = client_for(commune.officer)
    assert codes(officer.get("/api/v1/units/?visible_cases=true")) == ["DC"]
    supervisor = client_for(commune.supervisor)
    assert codes(supervisor.get("/api/v1/units/?visible_cases=true")) == [
        "C",
        "UB",
        "DC",
        "HA",
        "HB",
    ]
    assert codes(supervisor.get("/api/v1/units/?visible_cases=false")) == ["P"]


def test_kind_and_active_filters(commune, client_for):
    commune.hamlet_b.is_active = False
    commune.hamlet_b.save()
    client = client_for(commune.officer)
    assert codes(client.get("/api/v1/units/?kind=hamlet")) == ["HA", "HB"]
    assert codes(client.get("/api/v1/units/?kind=hamlet&is_active=true")) == ["HA"]


def test_one_unit(commune, client_for):
    client = client_for(commune.officer)
    response = client.get(f"/api/v1/units/{commune.hamlet_a.pk}/")
    assert response.status_code == 200
    assert response.json()["code"] == "HA"
    assert client.get("/api/v1/units/9999/").status_code == 404


def test_fields_list(commune, client_for):
    response = client_for(commune.officer).get("/api/v1/fields/?is_active=true")
    assert response.status_code == 200
    assert "land" in [field["code"] for field in response.json()["results"]]


def test_legal_grounds_by_action_and_kind(commune, client_for):
    client = client_for(commune.officer)
    response = client.get("/api/v1/legal-grounds/?action=return&kind=feedback")
    grounds = response.json()["results"]
    assert {ground["action"] for ground in grounds} == {"return"}
    assert {ground["kind"] for ground in grounds} == {""}
    response = client.get("/api/v1/legal-grounds/?action=return&kind=complaint")
    kinds = {ground["kind"] for ground in response.json()["results"]}
    assert kinds == {"", "complaint"}
