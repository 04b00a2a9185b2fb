"""The reception register: visits, mass-visit rules, the monthly print."""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.errors import InvalidInputError, PermissionDeniedError
from petitions.models import ReceptionVisit
from petitions.services import PersonInput, representatives_allowed, visit_create
from tests.factories import make_case, staff

pytestmark = pytest.mark.django_db


def person(name="Trần Văn Bình", **extra):
    return PersonInput(full_name=name, **extra)


def log_visit(commune, *, actor=None, persons=None, visitor_count=1, **extra):
    values = {
        "actor": actor or commune.reception,
        "unit": commune.committee,
        "visited_at": timezone.now() - dt.timedelta(hours=1),
        "receiving_officer": "Lê Văn Tiếp - Chủ tịch UBND xã",
        "visitor_count": visitor_count,
        "persons": persons if persons is not None else [person()],
        "kind": "complaint",
        "content": "Khiếu nại việc thu hồi đất làm đường liên xóm.",
        "outcome": "guided",
        "guidance": "Hướng dẫn gửi đơn đến UBND xã.",
    }
    values.update(extra)
    return visit_create(**values)


@pytest.mark.parametrize(
    ("count", "allowed"),
    [(1, (1, 1)), (4, (1, 4)), (5, (1, 2)), (10, (1, 2)), (11, (1, 5)), (300, (1, 5))],
)
def test_how_many_people_a_visit_names(count, allowed):
    assert representatives_allowed(count) == allowed


def test_a_visit_is_numbered_per_desk_and_year(commune):
    first = log_visit(commune)
    second = log_visit(commune)
    assert (first.number, second.number) == (1, 2)
    assert first.year == timezone.localdate().year
    assert first.persons.get().full_name == "Trần Văn Bình"
    assert not first.is_mass


def test_a_group_of_five_is_a_mass_visit_with_representatives(commune):
    visit = log_visit(
        commune, visitor_count=7, persons=[person("A Một"), person("B Hai")]
    )
    assert visit.is_mass
    assert all(p.is_representative for p in visit.persons.all())


@pytest.mark.parametrize(
    ("count", "named"),
    [(6, 3), (12, 6), (5, 0), (3, 4)],
)
def test_the_law_on_representatives_is_enforced(commune, count, named):
    persons = [person(f"Người {i}") for i in range(named)]
    with pytest.raises(InvalidInputError) as error:
        log_visit(commune, visitor_count=count, persons=persons)
    assert "persons" in error.value.fields


def test_more_than_ten_people_may_name_five(commune):
    visit = log_visit(
        commune, visitor_count=40, persons=[person(f"Đại diện {i}") for i in range(5)]
    )
    assert visit.persons.count() == 5


def test_every_missing_item_is_reported_at_once(commune):
    with pytest.raises(InvalidInputError) as error:
        log_visit(
            commune,
            content=" ",
            outcome="guided",
            guidance="",
            receiving_officer="",
            persons=[person(" ", national_id="123", phone="12")],
        )
    assert {
        "content",
        "guidance",
        "receiving_officer",
        "persons.0.full_name",
        "persons.0.national_id",
        "persons.0.phone",
    } <= set(error.value.fields)


def test_only_the_desks_reception_staff_record_visits(commune):
    with pytest.raises(PermissionDeniedError):
        log_visit(commune, actor=commune.officer)
    other_desk = staff(commune.office, "reception")
    with pytest.raises(PermissionDeniedError):
        log_visit(commune, actor=other_desk)


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------

VISIT_FORM = {
    "unit": "",
    "visited_at": "",
    "receiving_officer": "Lê Văn Tiếp",
    "visitor_count": "1",
    "kind": "feedback",
    "content": "Phản ánh đèn đường hỏng ở xóm A.",
    "within_competence": "yes",
    "outcome": "answered",
    "guidance": "Đã báo điện lực, sửa trong tuần.",
    "v-TOTAL_FORMS": "1",
    "v-INITIAL_FORMS": "0",
    "v-0-scan": "",
    "v-0-full_name": "Phạm Thị Hoa",
    "v-0-national_id": "",
    "v-0-phone": "0987654321",
    "v-0-address": "Xóm A",
    "action": "save",
}


def visit_form(commune, **changes):
    data = dict(VISIT_FORM)
    data["unit"] = str(commune.committee.pk)
    data["visited_at"] = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    data.update(changes)
    return data


def test_the_visit_page_records_a_visit(desk_client, commune):
    response = desk_client.post("/tiep-cong-dan/luot-tiep/moi/", visit_form(commune))
    visit = ReceptionVisit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tiep-cong-dan/luot-tiep/{visit.pk}/"
    assert visit.persons.get().phone == "0987654321"
    page = desk_client.get(response["Location"]).content.decode()
    assert "Phạm Thị Hoa" in page


def test_a_visit_that_produced_a_letter_opens_the_case_form(desk_client, commune):
    response = desk_client.post(
        "/tiep-cong-dan/luot-tiep/moi/",
        visit_form(commune, outcome="case_created", guidance=""),
    )
    visit = ReceptionVisit.objects.get()
    assert response["Location"] == f"/tiep-cong-dan/tiep-nhan-don/?visit={visit.pk}"
    page = desk_client.get(response["Location"]).content.decode()
    assert 'value="Phạm Thị Hoa"' in page
    assert "Phản ánh đèn đường hỏng ở xóm A." in page


def test_a_refused_visit_keeps_what_was_typed(desk_client, commune):
    response = desk_client.post(
        "/tiep-cong-dan/luot-tiep/moi/",
        visit_form(commune, **{"v-0-phone": "123"}),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert not ReceptionVisit.objects.exists()
    assert 'value="Phạm Thị Hoa"' in page
    assert 'value="123"' in page
    assert "Đã báo điện lực" in page
    assert "10 chữ số" in page  # the phone rule, next to the field
    assert 'id="id_v-0-phone_error"' in page


def test_a_mass_visit_without_representatives_is_explained(desk_client, commune):
    response = desk_client.post(
        "/tiep-cong-dan/luot-tiep/moi/",
        visit_form(
            commune,
            visitor_count="8",
            **{f"v-0-{name}": "" for name in ("full_name", "phone", "address")},
        ),
    )
    page = response.content.decode()
    assert not ReceptionVisit.objects.exists()
    assert "Điều 29" in page
    assert 'value="8"' in page


def test_the_visit_page_reads_an_id_card_scan(desk_client, commune):
    from tests.petitions.conftest import SCAN

    response = desk_client.post(
        "/tiep-cong-dan/luot-tiep/moi/",
        visit_form(commune, action="auto", **{"v-0-scan": SCAN, "v-0-full_name": ""}),
    )
    page = response.content.decode()
    assert not ReceptionVisit.objects.exists()
    assert 'value="Trần Thị Bích Ngọc"' in page
    assert 'value="040190012345"' in page


def test_the_follow_up_columns_are_kept_up_to_date(desk_client, commune):
    visit = log_visit(commune)
    response = desk_client.post(
        f"/tiep-cong-dan/luot-tiep/{visit.pk}/",
        {
            "handled_by_body": "UBND xã",
            "transfer_document_number": "12/CV-UBND",
            "follow_up": "Đã trả lời bằng văn bản ngày 10/6.",
            "notes": "",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.transfer_document_number == "12/CV-UBND"
    assert visit.history.count() == 2


def test_the_monthly_register_prints_the_form_columns(desk_client, commune):
    march = timezone.make_aware(dt.datetime(2025, 3, 14, 9, 30))
    log_visit(
        commune,
        visited_at=march,
        visitor_count=12,
        persons=[
            person("Đại diện Một", national_id="040190012345", address="Xóm B"),
            person("Đại diện Hai"),
        ],
        previously_handled_by="UBND xã năm 2024",
        within_competence=False,
    )
    log_visit(commune, visited_at=march.replace(month=4))
    page = desk_client.get("/tiep-cong-dan/so-tiep-cong-dan/?month=2025-03")
    body = page.content.decode()
    assert page.status_code == 200
    assert "SỔ TIẾP CÔNG DÂN" in body
    assert "Tháng 03 năm 2025" in body
    assert "14/03/2025" in body
    assert "Đại diện Một, Xóm B" in body
    assert "040190012345" in body
    assert "UBND xã năm 2024" in body
    assert "Khiếu nại việc thu hồi đất" in body
    assert "css/register.css" in body
    stylesheet = finders.find("css/register.css")
    assert "size: A4 landscape" in Path(stylesheet).read_text(encoding="utf-8")
    assert body.count("<tr>") == 2  # the header and one visit: April is elsewhere


def test_denouncers_are_masked_in_the_register_for_other_clerks(client, commune):
    log_visit(commune, kind="denunciation", persons=[person("Người Tố Cáo")])
    colleague = staff(commune.committee, "reception", username="colleague")
    month = timezone.localdate().strftime("%Y-%m")
    client.force_login(colleague)
    body = client.get(f"/tiep-cong-dan/so-tiep-cong-dan/?month={month}").content
    assert "Người Tố Cáo" not in body.decode()
    client.force_login(commune.reception)
    body = client.get(f"/tiep-cong-dan/so-tiep-cong-dan/?month={month}").content
    assert "Người Tố Cáo" in body.decode()
    client.force_login(commune.supervisor)
    body = client.get(f"/tiep-cong-dan/so-tiep-cong-dan/?month={month}").content
    assert "Người Tố Cáo" in body.decode()


def test_hamlet_officers_cannot_read_the_register(client, commune):
    log_visit(commune)
    client.force_login(commune.officer_a)
    month = timezone.localdate().strftime("%Y-%m")
    assert (
        client.get(f"/tiep-cong-dan/so-tiep-cong-dan/?month={month}").status_code == 403
    )
    visit = ReceptionVisit.objects.get()
    assert client.get(f"/tiep-cong-dan/luot-tiep/{visit.pk}/").status_code == 404


def _fill_month(commune, count, month):
    for index in range(count):
        visit = log_visit(
            commune,
            visited_at=month + dt.timedelta(hours=index),
            persons=[person(f"Người {index}"), person(f"Người khác {index}")],
            visitor_count=2,
        )
        case = make_case(actor=commune.reception, unit=commune.office).case
        visit.case_links.create(case=case)


def test_the_register_takes_the_same_queries_at_any_size(
    client, commune, django_assert_num_queries
):
    month = timezone.make_aware(dt.datetime(2025, 3, 3, 8, 0))
    url = "/tiep-cong-dan/so-tiep-cong-dan/?month=2025-03"
    client.force_login(commune.reception)
    _fill_month(commune, 2, month)
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    # the register's own reads: visits, their people, their visible cases
    own = [q["sql"] for q in small.captured_queries if "petitions_" in q["sql"]]
    assert len(own) == 3
    _fill_month(commune, 7, month + dt.timedelta(days=1))
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Người khác") == 9


def test_the_desk_lists_recent_visits_in_constant_queries(client, commune):
    month = timezone.now() - dt.timedelta(days=1)
    counts = []
    for size in (2, 8):
        _fill_month(commune, size, month)
        client.force_login(commune.reception)
        with CaptureQueriesContext(connection) as queries:
            client.get("/tiep-cong-dan/")
        counts.append(len(queries))
    assert counts[0] == counts[1]
