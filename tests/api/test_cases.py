"""Cases through HTTP: scoped lists, filters, logging, reading, correcting."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from feedback import tracking
from feedback.models import Case, CaseEvent, Field, Status
from feedback.selectors.cases import local_today
from feedback.services.cases import case_transition
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return {case["id"] for case in response.json()["results"]}


@pytest.fixture
def spread(commune):
    """Cases in the office and in each hamlet, logged by reception."""
    office = make_case(actor=commune.reception, unit=commune.office).case
    hamlet_a = make_case(
        actor=commune.reception, unit=commune.hamlet_a, title="Đèn đường xóm A"
    ).case
    hamlet_b = make_case(
        actor=commune.reception, unit=commune.hamlet_b, kind="complaint"
    ).case
    return office, hamlet_a, hamlet_b


def create_body(commune, **overrides):
    body = {
        "kind": "feedback",
        "channel": "letter",
        "field": Field.objects.get(code="land").pk,
        "title": "Đèn đường hỏng",
        "content": "Ba bóng đèn trên trục chính không sáng.",
        "responsible_unit": commune.hamlet_a.pk,
        "location_unit": commune.hamlet_a.pk,
        "parties": [
            {
                "role": "petitioner",
                "full_name": "Lê Văn Tám",
                "national_id": "040190099999",
                "phone": "+84 912 345 678",
            }
        ],
    }
    body.update(overrides)
    return body


# --------------------------------------------------------------------------
# Lists and scoping
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("officer", {"office"}),
        ("leader", {"office"}),
        ("officer_a", {"hamlet_a"}),
        ("leader_b", {"hamlet_b"}),
        ("supervisor", {"office", "hamlet_a", "hamlet_b"}),
        ("admin", {"office", "hamlet_a", "hamlet_b"}),
        ("reception", {"office", "hamlet_a", "hamlet_b"}),
    ],
)
def test_each_role_lists_exactly_its_cases(commune, client_for, spread, role, expected):
    by_name = dict(zip(("office", "hamlet_a", "hamlet_b"), spread, strict=True))
    response = client_for(getattr(commune, role)).get("/api/v1/cases/")
    assert ids(response) == {by_name[name].pk for name in expected}
    assert response.json()["count"] == len(expected)


def test_a_case_one_cannot_see_is_a_404_like_a_missing_one(commune, client_for, spread):
    office, hamlet_a, _hamlet_b = spread
    client = client_for(commune.officer_a)
    hidden = client.get(f"/api/v1/cases/{office.pk}/")
    missing = client.get("/api/v1/cases/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    for suffix in ("events/", "history/"):
        assert client.get(f"/api/v1/cases/{office.pk}/{suffix}").status_code == 404
    assert client.get(f"/api/v1/cases/{hamlet_a.pk}/").status_code == 200


def test_pagination_counts_and_caps_the_page_size(commune, client_for):
    for _index in range(3):
        make_case(actor=commune.reception, unit=commune.office)
    client = client_for(commune.leader)
    body = client.get("/api/v1/cases/?page_size=2").json()
    assert (body["count"], body["page"], body["page_size"]) == (3, 1, 2)
    assert len(body["results"]) == 2 and body["next"] and body["previous"] is None
    second = client.get("/api/v1/cases/?page_size=2&page=2").json()
    assert len(second["results"]) == 1
    assert client.get("/api/v1/cases/?page_size=1000").json()["page_size"] == 100
    assert client.get("/api/v1/cases/?page=9").status_code == 404


# --------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------


def test_kind_status_channel_and_field_filters(commune, client_for, spread):
    office, hamlet_a, hamlet_b = spread
    case_transition(
        case_id=office.pk,
        action="accept",
        actor=commune.leader,
        data={"legal_ground": "competent"},
    )
    client = client_for(commune.supervisor)
    assert ids(client.get("/api/v1/cases/?kind=complaint")) == {hamlet_b.pk}
    assert ids(client.get("/api/v1/cases/?kind=complaint&kind=feedback")) == {
        office.pk,
        hamlet_a.pk,
        hamlet_b.pk,
    }
    assert ids(client.get("/api/v1/cases/?status=accepted")) == {office.pk}
    assert ids(client.get("/api/v1/cases/?channel=letter")) == set()
    land = Field.objects.get(code="land").pk
    assert len(ids(client.get(f"/api/v1/cases/?field={land}"))) == 3
    response = client.get("/api/v1/cases/?status=lost")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_unit_filter_with_and_without_the_subtree(commune, client_for, spread):
    office, hamlet_a, hamlet_b = spread
    client = client_for(commune.supervisor)
    assert ids(client.get(f"/api/v1/cases/?unit={commune.office.pk}")) == {office.pk}
    assert ids(client.get(f"/api/v1/cases/?unit={commune.root.pk}")) == set()
    subtree = client.get(f"/api/v1/cases/?unit={commune.root.pk}&include_subtree=true")
    assert ids(subtree) == {office.pk, hamlet_a.pk, hamlet_b.pk}
    committee = f"/api/v1/cases/?unit={commune.committee.pk}&include_subtree=true"
    assert ids(client.get(committee)) == {office.pk}


def test_filters_never_widen_the_scope(commune, client_for, spread):
    client = client_for(commune.officer_a)
    url = f"/api/v1/cases/?unit={commune.root.pk}&include_subtree=true"
    assert ids(client.get(url)) == {spread[1].pk}


def test_assignee_and_flag_filters(commune, client_for, spread):
    office, hamlet_a, _hamlet_b = spread
    case_transition(
        case_id=office.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    Case.objects.filter(pk=hamlet_a.pk).update(is_hot_spot=True, is_mass=True)
    client = client_for(commune.supervisor)
    assert ids(client.get(f"/api/v1/cases/?assignee={commune.officer.pk}")) == {
        office.pk
    }
    assert ids(client.get("/api/v1/cases/?is_hot_spot=true&is_mass=true")) == {
        hamlet_a.pk
    }
    assert hamlet_a.pk not in ids(client.get("/api/v1/cases/?is_hot_spot=false"))
    assert ids(client.get("/api/v1/cases/?is_complex=true&is_prolonged=true")) == set()


def test_received_date_range_uses_local_days(commune, client_for):
    local = timezone.get_current_timezone()
    # 23:30 on 1 March in Hà Nội is still 1 March locally (16:30 UTC).
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=local)
    early = dt.datetime(2026, 3, 2, 0, 30, tzinfo=local)
    first = make_case(actor=commune.reception, unit=commune.office, received_at=late)
    second = make_case(actor=commune.reception, unit=commune.office, received_at=early)
    client = client_for(commune.leader)
    day_one = "/api/v1/cases/?received_from=2026-03-01&received_to=2026-03-01"
    assert ids(client.get(day_one)) == {first.case.pk}
    assert ids(client.get("/api/v1/cases/?received_from=2026-03-02")) >= {
        second.case.pk
    }
    assert ids(client.get("/api/v1/cases/?received_to=2026-02-28")) == set()
    assert ids(client.get("/api/v1/cases/?received_to=1000-01-01")) == set()
    assert len(ids(client.get("/api/v1/cases/?received_from=0001-01-01"))) == 2
    assert len(ids(client.get("/api/v1/cases/?received_to=9999-12-31"))) == 2


def test_due_range_overdue_and_due_within(commune, client_for, spread):
    office, hamlet_a, hamlet_b = spread
    today = local_today()
    Case.objects.filter(pk=office.pk).update(stage_due_on=today - dt.timedelta(days=1))
    Case.objects.filter(pk=hamlet_a.pk).update(stage_due_on=today)
    Case.objects.filter(pk=hamlet_b.pk).update(
        stage_due_on=today + dt.timedelta(days=60)
    )
    client = client_for(commune.supervisor)
    assert ids(client.get("/api/v1/cases/?overdue=true")) == {office.pk}
    assert ids(client.get("/api/v1/cases/?overdue=false")) == {
        hamlet_a.pk,
        hamlet_b.pk,
    }
    assert ids(client.get("/api/v1/cases/?due_within=0")) == {hamlet_a.pk}
    assert ids(client.get("/api/v1/cases/?due_within=60")) == {
        hamlet_a.pk,
        hamlet_b.pk,
    }
    due = f"/api/v1/cases/?due_from={today.isoformat()}&due_to={today.isoformat()}"
    assert ids(client.get(due)) == {hamlet_a.pk}
    assert client.get("/api/v1/cases/?due_within=61").status_code == 400
    assert client.get("/api/v1/cases/?due_within=-1").status_code == 400


def test_a_closed_case_is_never_overdue(commune, client_for, feedback_case):
    case_transition(
        case_id=feedback_case.pk,
        action="withdraw",
        actor=commune.leader,
        data={"reason": "Rút đơn"},
    )
    Case.objects.filter(pk=feedback_case.pk).update(
        stage_due_on=local_today() - dt.timedelta(days=3)
    )
    client = client_for(commune.leader)
    assert ids(client.get("/api/v1/cases/?overdue=true")) == set()


def test_overdue_combines_with_the_status_filter(
    commune, client_for, spread, feedback_case
):
    """With open statuses only the filter drops its own status condition;
    with a closed status among them the closed case is still never overdue,
    and "not overdue" keeps the cases without a stage deadline."""
    office, hamlet_a, hamlet_b = spread
    case_transition(
        case_id=feedback_case.pk,
        action="withdraw",
        actor=commune.leader,
        data={"reason": "Rút đơn"},
    )
    late = local_today() - dt.timedelta(days=2)
    Case.objects.filter(pk__in=[office.pk, feedback_case.pk]).update(stage_due_on=late)
    Case.objects.filter(pk=hamlet_a.pk).update(stage_due_on=None)
    statuses = {
        status: set(Case.objects.filter(status=status).values_list("pk", flat=True))
        for status in ("received", "accepted")
    }
    client = client_for(commune.supervisor)
    url = "/api/v1/cases/?status=received&status=accepted"
    assert ids(client.get(f"{url}&overdue=true")) == {office.pk}
    assert ids(client.get(f"{url}&overdue=false")) == (
        statuses["received"] | statuses["accepted"]
    ) - {office.pk}
    assert hamlet_a.pk in ids(client.get(f"{url}&overdue=false"))
    mixed = "/api/v1/cases/?status=received&status=accepted&status=withdrawn"
    assert ids(client.get(f"{mixed}&overdue=true")) == {office.pk}
    assert feedback_case.pk in ids(client.get(f"{mixed}&overdue=false"))


def test_ordering(commune, client_for, spread):
    office, hamlet_a, hamlet_b = spread
    today = local_today()
    Case.objects.filter(pk=office.pk).update(stage_due_on=today)
    Case.objects.filter(pk=hamlet_a.pk).update(stage_due_on=None)
    Case.objects.filter(pk=hamlet_b.pk).update(
        stage_due_on=today + dt.timedelta(days=2)
    )
    client = client_for(commune.supervisor)

    def order(query):
        response = client.get(f"/api/v1/cases/?ordering={query}")
        return [case["id"] for case in response.json()["results"]]

    # Empty dates sort last both ways.
    assert order("stage_due_on") == [office.pk, hamlet_b.pk, hamlet_a.pk]
    assert order("-stage_due_on") == [hamlet_b.pk, office.pk, hamlet_a.pk]
    assert order("received_at") == [office.pk, hamlet_a.pk, hamlet_b.pk]
    assert order("-received_at") == [hamlet_b.pk, hamlet_a.pk, office.pk]
    assert len(order("status,-final_due_on")) == 3
    assert client.get("/api/v1/cases/?ordering=title").status_code == 400


def test_search_by_code_title_and_petitioner(commune, client_for, spread):
    office, hamlet_a, hamlet_b = spread
    client = client_for(commune.supervisor)
    formatted = tracking.format_code(hamlet_b.code)
    assert ids(client.get(f"/api/v1/cases/?search={formatted}")) == {hamlet_b.pk}
    assert ids(client.get(f"/api/v1/cases/?search={hamlet_b.code[:6]}")) == {
        hamlet_b.pk
    }
    assert ids(client.get("/api/v1/cases/?search=xóm A")) == {hamlet_a.pk}
    assert ids(client.get("/api/v1/cases/?search=Bích Ngọc")) == {
        office.pk,
        hamlet_a.pk,
        hamlet_b.pk,
    }
    assert len(ids(client.get("/api/v1/cases/?search=%20"))) == 3


# --------------------------------------------------------------------------
# Logging a case
# --------------------------------------------------------------------------


def test_reception_logs_a_case_and_gets_the_pin_once(commune, client_for):
    response = client_for(commune.reception).post(
        "/api/v1/cases/", create_body(commune), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["code"] == tracking.format_code(case.code)
    assert len(body["pin"]) == 6 and body["pin"].isdigit()
    assert tracking.pin_matches(
        case.code, body["pin"], case.pin_hash, key=settings.TRACKING_PIN_KEY
    )
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case.pk}/")
    assert body["status"] == "received"
    assert body["created_by"] == commune.reception.pk
    assert body["parties"][0]["phone"] == "0912345678"
    assert body["location_unit"]["id"] == commune.hamlet_a.pk
    assert "pin_hash" not in response.content.decode()
    detail = client_for(commune.reception).get(f"/api/v1/cases/{case.pk}/")
    assert "pin" not in detail.json()


def test_an_officer_logs_a_case_for_their_own_office(commune, client_for):
    body = create_body(commune, responsible_unit=commune.office.pk)
    response = client_for(commune.officer).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201
    assert "note" in response.json()["allowed_actions"]


def test_logging_for_a_unit_outside_ones_commune_is_a_403(commune, client_for):
    body = create_body(commune, responsible_unit=commune.province.pk)
    response = client_for(commune.officer_a).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"field": 999999}, "field"),
        ({"title": ""}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"location_unit": 1}, "location_unit"),
        ({"petitioner_count": 0}, "petitioner_count"),
        ({"received_at": "2999-01-01T00:00:00Z"}, "received_at"),
        ({"received_at": "1999-12-31T00:00:00Z"}, "received_at"),
        ({"previous_case": 999999}, "previous_case"),
        ({"parties": []}, "parties"),
        ({"is_second_time": True}, "is_second_time"),
        (
            {"parties": [{"role": "petitioner", "full_name": "A", "phone": "12"}]},
            "parties.0.phone",
        ),
        (
            {"parties": [{"role": "judge", "full_name": "A"}]},
            "parties.0.role",
        ),
        (
            {"parties": [{"role": "petitioner", "full_name": "A", "email": "x"}]},
            "parties.0.email",
        ),
    ],
)
def test_invalid_cases_are_refused_per_field(commune, client_for, overrides, field):
    response = client_for(commune.reception).post(
        "/api/v1/cases/", create_body(commune, **overrides), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Case.objects.exists()


def test_a_previous_case_must_be_visible(commune, client_for, spread):
    office, hamlet_a, _hamlet_b = spread
    client = client_for(commune.officer_a)
    refused = client.post(
        "/api/v1/cases/",
        create_body(commune, previous_case=office.pk),
        format="json",
    )
    assert refused.status_code == 400
    accepted = client.post(
        "/api/v1/cases/",
        create_body(commune, previous_case=hamlet_a.pk),
        format="json",
    )
    assert accepted.status_code == 201
    assert accepted.json()["previous_case"] == hamlet_a.pk
    assert accepted.json()["is_prolonged"] is True


def test_an_anonymous_letter_needs_no_petitioner(commune, client_for):
    response = client_for(commune.reception).post(
        "/api/v1/cases/",
        create_body(commune, parties=[], is_anonymous=True),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["parties"] == []


# --------------------------------------------------------------------------
# Reading one case
# --------------------------------------------------------------------------


def test_detail_has_the_allowed_actions_and_an_etag(commune, client_for, spread):
    office = spread[0]
    leader = client_for(commune.leader).get(f"/api/v1/cases/{office.pk}/")
    assert leader.headers["ETag"] == f'"{office.version}"'
    body = leader.json()
    assert "accept" in body["allowed_actions"] and "correct" in body["allowed_actions"]
    assert body["content"] == office.content
    officer = client_for(commune.officer).get(f"/api/v1/cases/{office.pk}/").json()
    assert "accept" not in officer["allowed_actions"]
    assert "note" in officer["allowed_actions"]


def test_timeline_lists_events_oldest_first(commune, client_for, feedback_case):
    case_transition(
        case_id=feedback_case.pk,
        action="note",
        actor=commune.officer,
        data={"text": "Đã xác minh"},
    )
    response = client_for(commune.officer).get(
        f"/api/v1/cases/{feedback_case.pk}/events/"
    )
    events = response.json()["results"]
    assert [event["action"] for event in events] == ["create", "note"]
    assert events[1]["text"] == "Đã xác minh"
    assert events[1]["author"]["username"] == "officer"
    assert events[0]["from_status"] == ""
    assert events[0]["to_status"] == "received"


def test_history_lists_case_and_party_versions_without_the_pin_hash(
    commune, client_for, feedback_case
):
    # Parties are bulk-created without history; an edit (admin) writes one.
    party = feedback_case.parties.get()
    party.address = "Xóm 4, xã Xuân Thành"
    party.save()
    client = client_for(commune.leader)
    client.post(
        f"/api/v1/cases/{feedback_case.pk}/correct/",
        {"field_name": "title", "value": "Tiêu đề đúng", "reason": "Gõ sai"},
        format="json",
    )
    response = client.get(f"/api/v1/cases/{feedback_case.pk}/history/")
    assert response.status_code == 200
    records = response.json()["results"]
    case_records = [record for record in records if record["model"] == "case"]
    assert [record["type"] for record in case_records] == ["~", "+"]
    assert case_records[0]["values"]["title"] == "Tiêu đề đúng"
    assert case_records[1]["values"]["title"] == feedback_case.title
    assert case_records[0]["user"]["username"] == "leader"
    (party_record,) = [record for record in records if record["model"] == "party"]
    assert party_record["object_id"] == party.pk
    assert party_record["values"]["address"] == "Xóm 4, xã Xuân Thành"
    assert "pin_hash" not in response.content.decode()


# --------------------------------------------------------------------------
# Correcting (PATCH)
# --------------------------------------------------------------------------


def test_patch_corrects_each_changed_field_with_its_own_event(
    commune, client_for, feedback_case
):
    response = client_for(commune.leader).patch(
        f"/api/v1/cases/{feedback_case.pk}/",
        {
            "title": "Đường liên xóm 3 xuống cấp",
            "is_hot_spot": True,
            "content": feedback_case.content,
            "location_unit": commune.hamlet_b.pk,
            "reason": "Ghi sai khi tiếp nhận",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Đường liên xóm 3 xuống cấp"
    assert body["is_hot_spot"] is True
    assert body["location_unit"]["id"] == commune.hamlet_b.pk
    assert body["version"] == feedback_case.version + 3
    assert response.headers["ETag"] == f'"{body["version"]}"'
    corrections = CaseEvent.objects.filter(case=feedback_case, action="correct")
    assert sorted(event.data["field"] for event in corrections) == [
        "is_hot_spot",
        "location_unit",
        "title",
    ]
    assert {event.text for event in corrections} == {"Ghi sai khi tiếp nhận"}


def test_patch_is_all_or_nothing(commune, client_for, feedback_case):
    before = Case.objects.get(pk=feedback_case.pk)
    response = client_for(commune.leader).patch(
        f"/api/v1/cases/{feedback_case.pk}/",
        {"title": "Tiêu đề mới", "location_unit": commune.office.pk, "reason": "X"},
        format="json",
    )
    assert response.status_code == 400
    assert "location_unit" in response.json()["error"]["fields"]
    after = Case.objects.get(pk=feedback_case.pk)
    assert (after.title, after.version) == (before.title, before.version)
    assert not CaseEvent.objects.filter(case=feedback_case, action="correct").exists()


def test_patch_corrects_dates_and_text_together(commune, client_for, feedback_case):
    client = client_for(commune.leader)
    response = client.patch(
        f"/api/v1/cases/{feedback_case.pk}/",
        {"decision_date": "2024-01-01", "title": "Mới", "reason": "Sửa"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["decision_date"] == "2024-01-01"


def test_patch_needs_a_reason_and_a_leader(commune, client_for, feedback_case):
    url = f"/api/v1/cases/{feedback_case.pk}/"
    missing = client_for(commune.leader).patch(url, {"title": "X"}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()["error"]["fields"]
    body = {"title": "X", "reason": "Sửa"}
    assert client_for(commune.officer).patch(url, body, format="json").status_code == (
        403
    )
    assert client_for(commune.officer_a).patch(
        url, body, format="json"
    ).status_code == (404)
    unchanged = {"title": feedback_case.title, "reason": "Không đổi"}
    assert client_for(commune.officer).patch(
        url, unchanged, format="json"
    ).status_code == (403)


def test_patch_with_nothing_changed_changes_nothing(commune, client_for, feedback_case):
    response = client_for(commune.leader).patch(
        f"/api/v1/cases/{feedback_case.pk}/",
        {"title": feedback_case.title, "reason": "Kiểm tra"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["version"] == feedback_case.version
    assert not CaseEvent.objects.filter(case=feedback_case, action="correct").exists()


def test_fields_outside_correctable_ones_are_refused(
    commune, client_for, feedback_case
):
    response = client_for(commune.leader).patch(
        f"/api/v1/cases/{feedback_case.pk}/",
        {"title": "Mới", "status": "closed", "version": 99, "reason": "Thử"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "status": ["Không thể đính chính trường này."],
        "version": ["Không thể đính chính trường này."],
    }
    case = Case.objects.get(pk=feedback_case.pk)
    assert case.status == Status.RECEIVED and case.version == feedback_case.version


def test_put_is_not_offered(commune, client_for, feedback_case):
    response = client_for(commune.leader).put(
        f"/api/v1/cases/{feedback_case.pk}/", {}, format="json"
    )
    assert response.status_code == 405


def test_a_chair_set_answer_date_and_a_duplicate(commune, client_for, spread):
    office = spread[0]
    client = client_for(commune.reception)
    response = client.post(
        "/api/v1/cases/",
        create_body(commune, answer_due_on="2099-01-05", duplicate_of=office.pk),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["stage_due_on"] == "2099-01-05"
    assert response.json()["duplicate_of"] == office.pk
    refused = client.post(
        "/api/v1/cases/",
        create_body(commune, kind="complaint", answer_due_on="2099-01-05"),
        format="json",
    )
    assert refused.status_code == 400
    assert "answer_due_on" in refused.json()["error"]["fields"]
