"""The meeting endpoints: the same services behind the API's conventions
(error shape, pagination, ETag/If-Match, 404 for what is hidden)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from dialogues.models import ItemOutcome, Meeting, MeetingStatus
from feedback.models import Case
from feedback.permissions import memberships_of
from tests.dialogues.conftest import at, clock, hold, plan

pytestmark = [pytest.mark.django_db]

BASE = "/api/v1/meetings/"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_anonymous_requests_are_refused(api):
    response = api.get(BASE)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_list_with_follow_up(api, org, held):
    plan(org, organiser_unit=org.council, actor=org.council_leader, hamlets=[])
    response = as_user(api, org.committee_leader).get(BASE)
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 1
    (meeting,) = body["results"]
    assert meeting["id"] == held.pk
    assert meeting["status"] == "held"
    assert meeting["followup"]["total"] == 3
    assert meeting["followup"]["pending"] == 3
    assert meeting["hamlets"][0]["id"] == org.hamlet_a.pk
    assert meeting["allowed_actions"] == ["report"]


def test_list_filters(api, org, held):
    plan(org, kind="dialogue")
    as_user(api, org.committee_leader)
    assert api.get(BASE, {"kind": "dialogue"}).json()["count"] == 1
    assert api.get(BASE, {"status": "held"}).json()["results"][0]["id"] == held.pk
    response = api.get(BASE, {"kind": "party"})
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


@pytest.mark.parametrize("count", [2, 8])
def test_list_query_count_does_not_grow(api, org, count, django_assert_num_queries):
    for number in range(count):
        meeting = plan(org, topic=f"Buổi {number}", hamlets=[org.hamlet_a])
        if number % 2:
            hold(org, meeting)
    user = org.committee_leader
    memberships_of(user)
    as_user(api, user)
    # count, page, hamlets, participating units
    with django_assert_num_queries(4):
        response = api.get(BASE, {"page_size": 50})
    assert response.json()["count"] == count


def test_create(api, org):
    response = as_user(api, org.committee_officer).post(
        BASE,
        {
            "kind": "voter_contact",
            "organiser_unit": org.committee.pk,
            "topic": "Tiếp xúc cử tri trước kỳ họp thứ 10",
            "starts_at": "2030-06-20T14:00:00+07:00",
            "ends_at": "2030-06-20T17:00:00+07:00",
            "place": "Nhà văn hóa xóm A",
            "chair_name": "Hồ Sỹ Nam",
            "hamlets": [org.hamlet_a.pk],
            "deputies": ["Hồ Sỹ Nam", "Trần Thị Vân"],
            "session_timing": "before",
            "council_session": "Kỳ họp thứ 10",
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 201, body
    meeting = Meeting.objects.get()
    assert response["Location"].endswith(f"{BASE}{meeting.pk}/")
    assert response["ETag"] == '"1"'
    assert body["deputies"] == ["Hồ Sỹ Nam", "Trần Thị Vân"]
    assert body["chair_name"] == "Hồ Sỹ Nam"
    assert body["followup"]["total"] == 0


def test_create_errors_in_the_one_shape(api, org):
    response = as_user(api, org.committee_leader).post(
        BASE,
        {
            "kind": "dialogue",
            "organiser_unit": org.committee.pk,
            "topic": "Đối thoại",
            "starts_at": "2030-06-20T14:00:00+07:00",
            "ends_at": "2030-06-20T13:00:00+07:00",
            "place": "Hội trường",
        },
        format="json",
    )
    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"chair_name", "ends_at"}


def test_create_for_a_unit_one_does_not_organise(api, org):
    response = as_user(api, org.officer).post(
        BASE,
        {
            "kind": "dialogue",
            "organiser_unit": org.committee.pk,
            "topic": "Đối thoại",
            "starts_at": "2030-06-20T14:00:00+07:00",
            "place": "Hội trường",
            "chair_name": "Phan Hoàng Thụ",
        },
        format="json",
    )
    assert response.status_code == 403


def test_a_hidden_meeting_is_not_found(api, org, held):
    response = as_user(api, org.outsider).get(f"{BASE}{held.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_patch_with_if_match(api, org):
    meeting = plan(org, starts_at=at(2030, 5, 5, 8))
    as_user(api, org.committee_leader)
    response = api.patch(
        f"{BASE}{meeting.pk}/",
        {"place": "Hội trường"},
        format="json",
        HTTP_IF_MATCH='"7"',
    )
    assert response.status_code == 412
    response = api.patch(
        f"{BASE}{meeting.pk}/",
        {"place": "Hội trường", "deputies": ["Lê Văn Quý"]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert response.json()["place"] == "Hội trường"


def test_transitions(api, org):
    as_user(api, org.committee_leader)
    with clock(at(2026, 8, 3, 9)):
        meeting = plan(org, kind="dialogue", starts_at=at(2026, 8, 6, 8))
        url = f"{BASE}{meeting.pk}/transition/"
        response = api.post(url, {"action": "announce"}, format="json")
        assert response.status_code == 400
        assert "01/08/2026" in response.json()["error"]["fields"]["__all__"][0]
        response = api.post(url, {"action": "report"}, format="json")
        assert response.status_code == 409
        assert response.json()["error"]["allowed_actions"] == [
            "announce",
            "hold",
            "cancel",
        ]
        response = api.post(
            url, {"action": "cancel", "reason": "Trùng lịch."}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["status"] == MeetingStatus.CANCELLED


def test_hold_through_the_api(api, org):
    meeting = plan(org)
    response = as_user(api, org.committee_officer).post(
        f"{BASE}{meeting.pk}/transition/",
        {"action": "hold", "actual_attendance": 66, "minutes": "Biên bản."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["actual_attendance"] == 66


def test_items_create_list_and_errors(api, org, held, land):
    as_user(api, org.committee_officer)
    url = f"{BASE}{held.pk}/items/"
    response = api.post(
        url,
        {
            "items": [
                {
                    "raised_by": "person",
                    "raiser_name": "Lê Văn Quý",
                    "field": land.pk,
                    "title": "Sạt lở bờ kênh",
                    "content": "Đề nghị kè bờ kênh.",
                },
                {
                    "raised_by": "hamlet_voters",
                    "field": land.pk,
                    "title": "Thiếu đèn đường",
                    "content": "Đề nghị lắp đèn.",
                },
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"items.1.raiser_hamlet"}
    assert held.items.count() == 3
    response = api.post(
        url,
        {
            "items": [
                {
                    "raised_by": "person",
                    "raiser_name": "Lê Văn Quý",
                    "field": land.pk,
                    "title": "Sạt lở bờ kênh",
                    "content": "Đề nghị kè bờ kênh.",
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 201
    assert [item["number"] for item in response.json()] == [4]
    listing = api.get(url).json()
    assert [item["number"] for item in listing["results"]] == [1, 2, 3, 4]


def test_convert_items(api, org, held):
    first, second, _third = held.items.order_by("number")
    due = timezone.localdate() + dt.timedelta(days=14)
    response = as_user(api, org.committee_leader).post(
        f"{BASE}{held.pk}/items/convert/",
        {
            "items": [
                {"id": first.pk, "responsible_unit": org.office.pk},
                {
                    "id": second.pk,
                    "responsible_unit": org.office.pk,
                    "answer_due_on": due.isoformat(),
                    "is_hot_spot": True,
                },
            ]
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 200, body
    assert [item["outcome"] for item in body] == ["case", "case"]
    assert body[1]["case"]["stage_due_on"] == due.isoformat()
    case = Case.objects.get(pk=body[0]["case"]["id"])
    assert (case.kind, case.channel) == ("voter_petition", "voter_meeting")
    assert Case.objects.get(pk=body[1]["case"]["id"]).is_hot_spot


def test_convert_is_all_or_nothing(api, org, held):
    first, second, _third = held.items.order_by("number")
    response = as_user(api, org.committee_leader).post(
        f"{BASE}{held.pk}/items/convert/",
        {
            "items": [
                {"id": first.pk, "responsible_unit": org.office.pk},
                {"id": second.pk, "responsible_unit": org.other_committee.pk},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["items.1.responsible_unit"]
    assert Case.objects.count() == 0


def test_answer_merge_and_hot_spot(api, org, held):
    first, second, third = held.items.order_by("number")
    as_user(api, org.committee_leader)
    response = api.post(
        f"{BASE}{held.pk}/items/{first.pk}/answer/",
        {"answer": "Đã có kế hoạch sửa đường."},
        format="json",
    )
    assert response.json()["outcome"] == ItemOutcome.ANSWERED
    response = api.post(
        f"{BASE}{held.pk}/items/merge/",
        {"primary": first.pk, "items": [third.pk]},
        format="json",
    )
    assert response.status_code == 200
    assert third.__class__.objects.get(pk=third.pk).merged_into_id == first.pk
    response = api.post(
        f"{BASE}{held.pk}/items/{second.pk}/hot-spot/",
        {"is_hot_spot": True, "reason": "Bức xúc."},
        format="json",
    )
    assert response.json()["is_hot_spot"] is True


def test_an_item_of_another_meeting_is_not_found(api, org, held):
    other = hold(org, plan(org))
    item = held.items.first()
    response = as_user(api, org.committee_leader).post(
        f"{BASE}{other.pk}/items/{item.pk}/answer/",
        {"answer": "x"},
        format="json",
    )
    assert response.status_code == 404


def test_publish(api, org, held):
    item = held.items.first()
    as_user(api, org.committee_leader)
    api.post(
        f"{BASE}{held.pk}/items/{item.pk}/answer/",
        {"answer": "Đã trả lời."},
        format="json",
    )
    response = api.post(f"{BASE}{held.pk}/publish/")
    body = response.json()
    assert response.status_code == 200
    assert body["answered_items"] == 1
    assert body["meeting"]["results_published_at"] is not None
    response = as_user(api, org.committee_officer).post(f"{BASE}{held.pk}/publish/")
    assert response.status_code == 403


def test_the_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
    )
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/meetings/{id}/items/convert/" in schema
    assert "MeetingAction" in schema
