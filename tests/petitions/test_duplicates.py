"""Finding likely duplicates and repeats among the cases a user may see."""

import datetime as dt

import pytest
from django.utils import timezone

from feedback.models import Field
from petitions.selectors import duplicate_candidates, party_search
from tests.factories import make_case, petitioner, staff

pytestmark = pytest.mark.django_db


def find(user, **values):
    query = {
        "national_ids": [],
        "phones": [],
        "title": "Một việc hoàn toàn khác",
        "content": "Không liên quan gì.",
        "field_id": Field.objects.get(code="land").pk,
        "location_unit_id": None,
    }
    query.update(values)
    return duplicate_candidates(user=user, **query)


@pytest.fixture
def earlier(commune):
    return make_case(
        actor=commune.reception,
        unit=commune.office,
        title="Tranh chấp ranh giới đất với nhà hàng xóm",
        content="Nhà ông Hải lấn sang đất nhà tôi khoảng 2 mét ở thửa 125.",
        parties=[petitioner(national_id="040190012345", phone="0912345678")],
    ).case


def test_a_same_id_number_is_found(commune, earlier):
    found = find(commune.reception, national_ids=["040190012345"])
    assert [c.case for c in found] == [earlier]
    assert found[0].reasons == ["national_id"]
    assert found[0].petitioners == ["Trần Thị Bích Ngọc"]


def test_a_same_phone_number_is_found_in_any_writing(commune, earlier):
    found = find(commune.reception, phones=["+84 912 345 678"])
    assert [c.case for c in found] == [earlier]
    assert found[0].reason_labels == ["trùng số điện thoại"]


def test_a_similar_title_is_found(commune, earlier):
    found = find(commune.reception, title="Tranh chấp ranh giới đất hàng xóm")
    assert [c.case for c in found] == [earlier]
    assert found[0].reasons == ["similar"]


def test_a_restated_content_is_found(commune, earlier):
    found = find(
        commune.reception,
        title="Đề nghị giải quyết",
        content="Tôi đề nghị xã xem xét: nhà ông Hải lấn sang đất nhà tôi 2 mét, "
        "thửa 125, đã nhiều lần hòa giải không được.",
    )
    assert [c.case for c in found] == [earlier]


def test_unrelated_letters_are_not_found(commune, earlier):
    assert find(commune.reception, title="Đèn đường xóm B không sáng") == []


def test_cases_older_than_24_months_are_ignored(commune):
    make_case(
        actor=commune.reception,
        unit=commune.office,
        received_at=timezone.now() - dt.timedelta(days=800),
        parties=[petitioner(national_id="040190012345")],
    )
    assert find(commune.reception, national_ids=["040190012345"]) == []


def test_only_cases_the_user_may_see_are_found(commune, earlier):
    other_desk = staff(commune.committee, "reception")
    assert find(other_desk, national_ids=["040190012345"]) == []
    assert find(commune.officer_a, title=earlier.title) == []
    assert [c.case for c in find(commune.supervisor, title=earlier.title)] == [earlier]


def test_a_denouncer_is_never_revealed_by_a_match(commune):
    denunciation = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        title="Tố cáo cán bộ địa chính nhận tiền",
        parties=[petitioner(national_id="040190012345", phone="0912345678")],
    ).case
    # the office's officer sees the case but not who denounced
    by_number = find(
        commune.officer, national_ids=["040190012345"], phones=["0912345678"]
    )
    assert by_number == []
    by_title = find(commune.officer, title="Tố cáo cán bộ địa chính nhận tiền")
    assert [c.case for c in by_title] == [denunciation]
    assert by_title[0].petitioners == ["(được bảo mật)"]
    # the leader may see them
    assert find(commune.leader, national_ids=["040190012345"])[0].petitioners == [
        "Trần Thị Bích Ngọc"
    ]


def test_people_search_by_name_phone_and_id(commune, earlier):
    for query in ("Bích Ngọc", "0912.345.678", "040190012345"):
        found = party_search(user=commune.reception, query=query)
        assert [p.full_name for p in found] == ["Trần Thị Bích Ngọc"], query
    assert party_search(user=commune.reception, query="0912") == []
    assert party_search(user=commune.reception, query="N") == []


def test_people_search_shows_each_person_once(commune, earlier):
    make_case(actor=commune.reception, unit=commune.office, parties=[petitioner()])
    assert len(party_search(user=commune.reception, query="Bích Ngọc")) == 1


def test_people_search_never_finds_a_hidden_denouncer(commune):
    make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        parties=[petitioner(full_name="Người Tố Cáo Kín")],
    )
    assert party_search(user=commune.officer, query="Tố Cáo Kín") == []
    assert len(party_search(user=commune.leader, query="Tố Cáo Kín")) == 1
