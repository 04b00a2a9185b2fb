"""Logging a case at the desk: the form, its checks, scans, people, files,
duplicates and archiving."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from feedback.models import Attachment, Case, Field
from petitions.models import ReceptionVisit
from tests.factories import make_case, petitioner, staff
from tests.petitions.conftest import HTML_BYTES, PDF_BYTES, PNG_BYTES, SCAN, upload

pytestmark = pytest.mark.django_db
URL = "/tiep-cong-dan/tiep-nhan-don/"


def intake_form(commune, **changes):
    data = {
        "p-TOTAL_FORMS": "1",
        "p-INITIAL_FORMS": "0",
        "p-0-scan": "",
        "p-0-full_name": "Hoàng Văn Nam",
        "p-0-national_id": "001085012345",
        "p-0-phone": "0912000111",
        "p-0-address": "Xóm A, xã Xuân Thành",
        "p-0-role": "petitioner",
        "petitioner_count": "1",
        "kind": "feedback",
        "channel": "in_person",
        "field": str(Field.objects.get(code="environment").pk),
        "received_on": timezone.localdate().strftime("%d/%m/%Y"),
        "title": "Bãi rác tự phát gây ô nhiễm",
        "content": "Bãi rác cạnh kênh tưới gây mùi hôi, đề nghị xã xử lý.",
        "location_unit": str(commune.hamlet_a.pk),
        "responsible_unit": str(commune.hamlet_a.pk),
        "archive_ground": "",
        "archive_reason": "",
        "person_query": "",
        "action": "save",
    }
    data.update(changes)
    return data


def input_tag(page, name):
    """The ``<input>`` tag of the field called ``name``."""
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


def test_the_form_opens_with_the_cursor_on_the_scan_field(desk_client, commune):
    page = desk_client.get(URL).content.decode()
    assert "autofocus" in input_tag(page, "p-0-scan")
    assert "Quét mã QR trên thẻ căn cước" in page
    # the desk's own unit is the default responsible unit
    assert f'<option value="{commune.committee.pk}" selected>' in page


def test_a_case_is_logged_and_the_receipt_follows(desk_client, commune):
    response = desk_client.post(URL, intake_form(commune))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tiep-cong-dan/vu-viec/{case.pk}/bien-nhan/"
    assert case.created_by == commune.reception
    assert case.responsible_unit == commune.hamlet_a
    assert case.location_unit == commune.hamlet_a
    party = case.parties.get()
    assert (party.full_name, party.national_id, party.phone) == (
        "Hoàng Văn Nam",
        "001085012345",
        "0912000111",
    )
    assert desk_client.session["reception_receipt_pin"]["case_id"] == case.pk


def test_several_petitioners_and_a_representative(desk_client, commune):
    data = intake_form(
        commune,
        **{
            "p-TOTAL_FORMS": "2",
            "p-1-full_name": "Hoàng Thị Lan",
            "p-1-role": "representative",
            "petitioner_count": "6",
        },
    )
    desk_client.post(URL, data)
    case = Case.objects.get()
    assert sorted(case.parties.values_list("role", flat=True)) == [
        "petitioner",
        "representative",
    ]
    assert case.is_mass and case.petitioner_count == 6


@pytest.mark.parametrize(
    ("changes", "field_name", "fragment"),
    [
        ({"title": ""}, "title", "bắt buộc"),
        ({"content": " "}, "content", "bắt buộc"),
        ({"kind": "voter_petition"}, "kind", "hợp lệ"),
        ({"field": ""}, "field", "bắt buộc"),
        ({"p-0-national_id": "12345"}, "p-0-national_id", "12 chữ số"),
        ({"p-0-phone": "0123"}, "p-0-phone", "10 chữ số"),
        ({"received_on": "31/02/2025"}, "received_on", "ngày hợp lệ"),
        ({"received_on": "01/01/2099"}, "received_on", "tương lai"),
        ({"location_unit": "999999"}, "location_unit", "hợp lệ"),
        ({"petitioner_count": "0"}, "petitioner_count", "1"),
    ],
)
def test_each_error_is_shown_next_to_its_field_and_input_is_kept(
    desk_client, commune, changes, field_name, fragment
):
    response = desk_client.post(URL, intake_form(commune, **changes))
    page = response.content.decode()
    assert response.status_code == 200
    assert not Case.objects.exists()
    error_start = page.index(f'id="id_{field_name}_error"')
    assert fragment in page[error_start : error_start + 300]
    # what was typed elsewhere is still there
    for kept in ("Hoàng Văn Nam", "Xóm A, xã Xuân Thành"):
        assert kept in page
    if field_name != "title":
        assert 'value="Bãi rác tự phát gây ô nhiễm"' in page


def test_a_unit_outside_the_desks_commune_is_refused(desk_client, commune):
    other_commune = commune.province
    response = desk_client.post(
        URL, intake_form(commune, responsible_unit=str(other_commune.pk))
    )
    assert 'id="id_responsible_unit_error"' in response.content.decode()
    assert not Case.objects.exists()


def test_a_letter_without_petitioner_must_be_marked_anonymous(desk_client, commune):
    blank = {f"p-0-{name}": "" for name in ("full_name", "national_id", "phone")}
    response = desk_client.post(
        URL, intake_form(commune, **{**blank, "p-0-address": ""})
    )
    page = response.content.decode()
    assert "đánh dấu đơn nặc danh" in page
    assert 'value="Bãi rác tự phát gây ô nhiễm"' in page
    assert not Case.objects.exists()
    response = desk_client.post(
        URL, intake_form(commune, is_anonymous="on", **{**blank, "p-0-address": ""})
    )
    assert response.status_code == 302
    assert Case.objects.get().is_anonymous


def test_an_anonymous_denunciation_can_be_archived_on_receipt(desk_client, commune):
    blank = {f"p-0-{n}": "" for n in ("full_name", "national_id", "phone", "address")}
    data = intake_form(
        commune,
        kind="denunciation",
        is_anonymous="on",
        archive_ground="tc-25-anonymous",
        archive_reason="Đơn không ký tên, không có địa chỉ.",
        **blank,
    )
    response = desk_client.post(URL, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.status == "archived"
    assert case.legal_ground.code == "tc-25-anonymous"
    assert case.events.last().text == "Đơn không ký tên, không có địa chỉ."


def test_archiving_needs_a_reason_and_the_right_ground(desk_client, commune):
    response = desk_client.post(
        URL, intake_form(commune, archive_ground="tc-25-anonymous", archive_reason="")
    )
    page = response.content.decode()
    assert not Case.objects.exists()
    assert 'id="id_archive_reason_error"' in page
    assert 'id="id_archive_ground_error"' in page
    assert "<details open>" in page


def test_enter_in_the_scan_field_fills_the_person(desk_client, commune):
    data = intake_form(
        commune,
        action="auto",
        **{"p-0-scan": SCAN, "p-0-full_name": "", "p-0-national_id": ""},
    )
    response = desk_client.post(URL, data)
    page = response.content.decode()
    assert not Case.objects.exists()
    assert 'value="Trần Thị Bích Ngọc"' in page
    assert 'value="040190012345"' in page
    assert 'value="Xóm 3, xã Xuân Thành, tỉnh Nghệ An"' in page
    # the cursor moves on to the phone number, the scan field is empty again
    assert "autofocus" in input_tag(page, "p-0-phone")
    assert "value=" not in input_tag(page, "p-0-scan")


def test_a_malformed_scan_says_why_and_keeps_the_form(desk_client, commune):
    response = desk_client.post(
        URL, intake_form(commune, action="scan", **{"p-0-scan": "ABC|123"})
    )
    page = response.content.decode()
    assert "không phải mã QR" in page
    assert 'value="Bãi rác tự phát gây ô nhiễm"' in page
    assert not Case.objects.exists()


def test_people_on_file_are_found_and_copied(desk_client, commune):
    make_case(
        actor=commune.reception,
        unit=commune.office,
        parties=[petitioner(full_name="Đỗ Minh Khoa", phone="0977000222")],
    )
    found = desk_client.post(
        URL, intake_form(commune, action="search", person_query="0977 000 222")
    ).content.decode()
    assert "Đỗ Minh Khoa" in found
    party_id = Case.objects.get().parties.get().pk
    picked = desk_client.post(
        URL,
        intake_form(
            commune,
            action=f"pick-{party_id}",
            **{"p-TOTAL_FORMS": "2", "p-1-full_name": ""},
        ),
    ).content.decode()
    assert 'value="Đỗ Minh Khoa"' in picked
    assert 'value="0977000222"' in picked
    assert 'value="Hoàng Văn Nam"' in picked


def test_people_of_cases_one_cannot_see_are_not_found(client, commune):
    make_case(
        actor=commune.reception,
        unit=commune.office,
        parties=[petitioner(full_name="Đỗ Minh Khoa")],
    )
    other_desk = staff(commune.committee, "reception")
    client.force_login(other_desk)
    found = client.post(
        URL, intake_form(commune, action="search", person_query="Minh Khoa")
    ).content.decode()
    assert "Đỗ Minh Khoa" not in found
    party_id = Case.objects.get().parties.get().pk
    picked = client.post(
        URL, intake_form(commune, action=f"pick-{party_id}")
    ).content.decode()
    assert "Đỗ Minh Khoa" not in picked


def test_scans_are_stored_outside_the_web_root(desk_client, commune, media_root):
    data = intake_form(commune, attachments=[upload("don.pdf", PDF_BYTES)])
    response = desk_client.post(URL, data)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "don.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF_BYTES)
    assert attachment.uploaded_by == commune.reception
    assert not attachment.is_confidential
    assert attachment.file.path.startswith(str(media_root))
    assert attachment.file.name.endswith(".pdf")
    assert "don" not in attachment.file.name


def test_a_denunciations_scans_are_confidential(desk_client, commune):
    data = intake_form(
        commune,
        kind="denunciation",
        attachments=[upload("to-cao.jpg", b"\xff\xd8\xff" + b"1" * 20)],
    )
    desk_client.post(URL, data)
    assert Attachment.objects.get().is_confidential


@pytest.mark.parametrize(
    ("name", "content"),
    [("don.pdf", PNG_BYTES), ("don.pdf", HTML_BYTES), ("ghi-chu.txt", b"hello")],
)
def test_a_wrong_file_refuses_the_case_and_keeps_the_rest(
    desk_client, commune, name, content
):
    data = intake_form(
        commune,
        attachments=[upload(name, content), upload("trang-1.png", PNG_BYTES)],
    )
    response = desk_client.post(URL, data)
    page = response.content.decode()
    assert not Case.objects.exists()
    assert name in page[page.index('id="id_attachments_error"') :][:400]
    # the good file waits, ticked, for the next submission
    assert "trang-1.png" in page
    token = page.split('name="staged" value="')[1].split('"')[0]
    data = intake_form(commune, staged=[token], staged_offered=[token])
    assert desk_client.post(URL, data).status_code == 302
    assert Attachment.objects.get().original_name == "trang-1.png"


def test_files_over_ten_megabytes_are_refused(desk_client, commune):
    too_big = upload("don.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024))
    response = desk_client.post(URL, intake_form(commune, attachments=[too_big]))
    assert "10 MB" in response.content.decode()
    assert not Case.objects.exists()


def test_a_dropped_staged_file_is_not_attached(desk_client, commune, media_root):
    page = desk_client.post(
        URL,
        intake_form(commune, title="", attachments=[upload("a.png", PNG_BYTES)]),
    ).content.decode()
    token = page.split('name="staged" value="')[1].split('"')[0]
    desk_client.post(URL, intake_form(commune, staged_offered=[token]))
    assert Case.objects.exists()
    assert not Attachment.objects.exists()
    assert not list((media_root / "reception-staging").rglob("*.png"))


def test_another_session_cannot_use_staged_files(client, desk_client, commune):
    page = desk_client.post(
        URL,
        intake_form(commune, title="", attachments=[upload("a.png", PNG_BYTES)]),
    ).content.decode()
    token = page.split('name="staged" value="')[1].split('"')[0]
    other = staff(commune.committee, "reception")
    client.force_login(other)
    client.post(URL, intake_form(commune, staged=[token], staged_offered=[token]))
    assert not Attachment.objects.exists()


# --------------------------------------------------------------------------
# Duplicates and repeats
# --------------------------------------------------------------------------


@pytest.fixture
def earlier(commune):
    return make_case(
        actor=commune.reception,
        unit=commune.hamlet_a,
        title="Rác thải đổ trộm cạnh kênh",
        parties=[petitioner(full_name="Hoàng Văn Nam", national_id="001085012345")],
    ).case


def test_a_likely_duplicate_is_shown_before_saving(desk_client, commune, earlier):
    response = desk_client.post(URL, intake_form(commune))
    page = response.content.decode()
    assert Case.objects.count() == 1
    assert "Có thể trùng hoặc lặp lại" in page
    assert earlier.display_code in page
    assert "trùng số CCCD" in page
    assert f'name="seen" value="{earlier.pk}"' in page


def test_not_related_logs_a_new_case(desk_client, commune, earlier):
    data = intake_form(commune, seen=[str(earlier.pk)], link="")
    assert desk_client.post(URL, data).status_code == 302
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert new.previous_case is None and new.duplicate_of is None
    assert new.status == "received"


def test_a_repeat_is_linked_and_marked_prolonged(desk_client, commune, earlier):
    data = intake_form(commune, seen=[str(earlier.pk)], link=f"repeat:{earlier.pk}")
    desk_client.post(URL, data)
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert new.previous_case == earlier
    assert new.is_prolonged


def test_a_duplicate_is_linked_and_archived(desk_client, commune, earlier):
    data = intake_form(commune, seen=[str(earlier.pk)], link=f"duplicate:{earlier.pk}")
    response = desk_client.post(URL, data)
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert new.duplicate_of == earlier
    assert new.status == "archived"
    assert new.legal_ground.code == "duplicate"
    receipt = desk_client.get(response["Location"]).content.decode()
    assert earlier.display_code in receipt


def test_a_link_to_a_case_one_cannot_see_is_refused(desk_client, commune):
    hidden = make_case(actor=staff(commune.committee, "reception"), unit=commune.office)
    data = intake_form(
        commune, seen=[str(hidden.case.pk)], link=f"duplicate:{hidden.case.pk}"
    )
    page = desk_client.post(URL, data).content.decode()
    assert Case.objects.count() == 1
    assert "danh sách" in page


def test_new_candidates_are_shown_again(desk_client, commune, earlier):
    data = intake_form(commune, seen=["999999"])
    page = desk_client.post(URL, data).content.decode()
    assert "Có thể trùng hoặc lặp lại" in page
    assert Case.objects.count() == 1


# --------------------------------------------------------------------------
# From a visit, archiving later, who may use the desk
# --------------------------------------------------------------------------


def test_a_case_from_a_visit_is_linked_to_it(desk_client, commune):
    from tests.petitions.test_visits import log_visit

    visit = log_visit(commune, outcome="case_created", guidance="")
    data = intake_form(commune, visit=str(visit.pk))
    desk_client.post(URL, data)
    second = intake_form(commune, visit=str(visit.pk), title="Việc thứ hai khác hẳn")
    second["seen"] = [str(Case.objects.get().pk)]
    desk_client.post(URL, second)
    assert ReceptionVisit.objects.get().cases.count() == 2


def test_the_desk_archives_a_letter_it_logged(desk_client, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    url = f"/tiep-cong-dan/vu-viec/{case.pk}/luu-don/"
    page = desk_client.get(url).content.decode()
    assert "tc-25-anonymous" not in page  # only for denunciations
    response = desk_client.post(url, {"legal_ground": "unclear", "reason": ""})
    assert 'id="id_reason_error"' in response.content.decode()
    response = desk_client.post(
        url, {"legal_ground": "unclear", "reason": "Không rõ nội dung đề nghị."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "archived"
    assert case.legal_ground.code == "unclear"


def test_the_desk_cannot_archive_another_clerks_case(client, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    client.force_login(staff(commune.committee, "reception"))
    assert client.get(f"/tiep-cong-dan/vu-viec/{case.pk}/luu-don/").status_code == 404


@pytest.mark.parametrize(
    "username", ["officer_a", "leader_a", "officer", "leader", "supervisor"]
)
def test_only_reception_staff_use_the_desk(client, commune, username):
    client.force_login(getattr(commune, username))
    for url in ("/tiep-cong-dan/", URL, "/tiep-cong-dan/luot-tiep/moi/"):
        assert client.get(url).status_code == 403


def test_strangers_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_a_letter_received_earlier_keeps_its_date(desk_client, commune):
    earlier_day = timezone.localdate() - dt.timedelta(days=3)
    desk_client.post(
        URL,
        intake_form(
            commune, channel="letter", received_on=earlier_day.strftime("%d/%m/%Y")
        ),
    )
    case = Case.objects.get()
    assert timezone.localtime(case.received_at).date() == earlier_day
    assert case.channel == "letter"
