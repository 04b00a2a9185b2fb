"""The meeting pages: planning, recording, follow-up, report back, publish;
who sees and changes what; query counts of the list."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialogues.models import ItemOutcome, Meeting, MeetingStatus
from dialogues.services import (
    ItemConversion,
    item_answer,
    items_add,
    items_convert,
)
from feedback.models import Case
from feedback.services.cases import case_transition
from tests.dialogues.conftest import at, clock, hold, item_input, plan

pytestmark = [pytest.mark.django_db]

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def page(client, url, **params):
    response = client.get(url, params)
    return response, response.content.decode()


def field_errors(body, name):
    """The error list rendered in the block of field ``name``."""
    match = re.search(
        rf'id="id_{name}".*?(<ul class="errorlist".*?</ul>)', body, re.DOTALL
    )
    return match.group(1) if match else ""


# --------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------


def test_staff_pages_need_a_log_in(client, org):
    response = client.get("/doi-thoai/")
    assert response.status_code == 302
    assert response.url.startswith("/dang-nhap/")


def test_the_list_shows_what_the_user_may_see(client, org, held):
    other = plan(org, organiser_unit=org.council, actor=org.council_leader, hamlets=[])
    client.force_login(org.committee_leader)
    _response, body = page(client, "/doi-thoai/")
    assert held.topic in body
    assert f"/doi-thoai/{other.pk}/" not in body
    assert "Lập kế hoạch tiếp xúc, đối thoại" in body
    # A hamlet sees the meetings held for it; reception staff plan none.
    client.force_login(org.leader_a)
    _response, body = page(client, "/doi-thoai/")
    assert f"/doi-thoai/{held.pk}/" in body
    client.force_login(org.reception)
    _response, body = page(client, "/doi-thoai/")
    assert "Lập kế hoạch tiếp xúc, đối thoại" not in body
    client.force_login(org.outsider)
    _response, body = page(client, "/doi-thoai/")
    assert "Không có buổi nào phù hợp." in body


def test_the_list_filters(client, org, held):
    planned = plan(org, kind="dialogue", topic="Đối thoại về đất đai")
    client.force_login(org.committee_leader)
    _response, body = page(client, "/doi-thoai/", kind="dialogue")
    assert planned.topic in body and held.topic not in body
    _response, body = page(client, "/doi-thoai/", status="held")
    assert held.topic in body and planned.topic not in body
    _response, body = page(client, "/doi-thoai/", q="đất đai")
    assert planned.topic in body and held.topic not in body


def test_the_list_shows_the_follow_up(client, org, held):
    items = {item.number: item for item in held.items.all()}
    item_answer(item_id=items[1].pk, actor=org.committee_leader, answer="Đã trả lời.")
    items_convert(
        meeting_id=held.pk,
        actor=org.committee_leader,
        conversions=[ItemConversion(item_id=items[2].pk, responsible_unit=org.office)],
    )
    client.force_login(org.committee_leader)
    _response, body = page(client, "/doi-thoai/")
    row = body[body.index(held.topic) :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r'<td data-label="[^"]*" class="num">(.*?)</td>', row, re.DOTALL)
    # attendance, items, answered, in progress, overdue, not handled
    assert [re.sub(r"<.*?>", "", cell).strip() for cell in cells[1:]] == [
        "3",
        "1",
        "1",
        "0",
        "1",
    ]


def make_meetings(org, count):
    for number in range(count):
        meeting = plan(
            org,
            topic=f"Buổi {number}",
            starts_at=timezone.now() - dt.timedelta(days=number + 1),
            hamlets=[org.hamlet_a, org.hamlet_b],
        )
        if number % 2:
            hold(org, meeting)


def test_list_query_count_does_not_grow(client, org, django_assert_num_queries):
    """Three meetings or twelve, on pages of 10 or 50: the same queries
    (session, user, memberships, "may plan?", count, page, hamlets, and
    whatever the page shell adds)."""
    make_meetings(org, 3)
    client.force_login(org.committee_leader)
    with CaptureQueriesContext(connection) as small:
        client.get("/doi-thoai/", {"page_size": 10})
    assert len(small) <= 9
    make_meetings(org, 9)
    for size in (10, 50):
        with django_assert_num_queries(len(small)):
            response = client.get("/doi-thoai/", {"page_size": size})
        assert response.content.decode().count('class="badge') >= min(size, 12)


# --------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------


def test_plan_a_meeting_through_the_form(client, org):
    client.force_login(org.committee_leader)
    _response, body = page(client, "/doi-thoai/moi/")
    for name in ("kind", "topic", "organiser_unit", "starts_on", "place"):
        assert f'for="id_{name}"' in body
    response = client.post(
        "/doi-thoai/moi/",
        {
            "kind": "voter_contact",
            "topic": "Tiếp xúc cử tri sau kỳ họp thứ 9",
            "organiser_unit": org.committee.pk,
            "starts_on": "2030-07-20",
            "starts_time": "14:00",
            "ends_time": "17:00",
            "place": "Nhà văn hóa xóm B",
            "chair": org.committee_leader.pk,
            "hamlets": [org.hamlet_b.pk],
            "participating_units": [org.council.pk],
            "deputies": "Hồ Sỹ Nam\nTrần Thị Vân",
            "council_session": "Kỳ họp thứ 9",
            "session_timing": "after",
            "expected_attendance": "90",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == f"/doi-thoai/{meeting.pk}/"
    assert timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y %H:%M") == (
        "20/07/2030 14:00"
    )
    assert list(meeting.hamlets.all()) == [org.hamlet_b]


def test_a_bad_plan_keeps_what_was_typed(client, org):
    client.force_login(org.committee_leader)
    response = client.post(
        "/doi-thoai/moi/",
        {
            "kind": "dialogue",
            "topic": "Đối thoại về môi trường",
            "organiser_unit": org.committee.pk,
            "starts_on": "31/02/2030",
            "starts_time": "08:00",
            "ends_time": "07:00",
            "place": "",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert Meeting.objects.count() == 0
    assert 'value="Đối thoại về môi trường"' in body
    assert "Trường này là bắt buộc." in field_errors(body, "place")
    assert field_errors(body, "starts_on")
    assert "Chọn người chủ trì hoặc nhập họ tên." in field_errors(body, "chair_name")


def test_the_service_refusal_is_shown_next_to_the_field(client, org):
    client.force_login(org.committee_leader)
    response = client.post(
        "/doi-thoai/moi/",
        {
            "kind": "dialogue",
            "topic": "Đối thoại",
            "organiser_unit": org.committee.pk,
            "starts_on": "2030-03-03",
            "starts_time": "08:00",
            "ends_time": "07:00",
            "place": "Hội trường",
            "chair_name": "Phan Hoàng Thụ",
        },
    )
    body = response.content.decode()
    assert "Giờ kết thúc phải sau giờ bắt đầu." in field_errors(body, "ends_time")


def test_planning_a_dialogue_too_late_warns(client, org):
    client.force_login(org.committee_leader)
    with clock(at(2026, 8, 3, 9)):
        response = client.post(
            "/doi-thoai/moi/",
            {
                "kind": "dialogue",
                "topic": "Đối thoại về giải phóng mặt bằng",
                "organiser_unit": org.committee.pk,
                "starts_on": "2026-08-06",
                "starts_time": "08:00",
                "place": "Hội trường UBND xã",
                "chair": org.committee_leader.pk,
            },
            follow=True,
        )
    body = response.content.decode()
    assert "phải được thông báo trước ít nhất 5 ngày" in body
    assert "01/08/2026" in body


def test_those_who_cannot_plan_are_told(client, org):
    client.force_login(org.reception)
    assert client.get("/doi-thoai/moi/").status_code == 403


# --------------------------------------------------------------------------
# One meeting
# --------------------------------------------------------------------------


def test_outsiders_get_a_404(client, org, held):
    for user in (org.outsider, org.officer, org.leader_b):
        client.force_login(user)
        assert client.get(f"/doi-thoai/{held.pk}/").status_code == 404
        assert client.get(f"/doi-thoai/{held.pk}/bao-cao/").status_code == 404


def test_a_hamlet_reads_but_does_not_change(client, org, held):
    client.force_login(org.leader_a)
    _response, body = page(client, f"/doi-thoai/{held.pk}/")
    assert held.topic in body
    assert "Bạn được xem buổi này" in body
    assert "Chuyển thành vụ việc" not in body
    assert client.get(f"/doi-thoai/{held.pk}/sua/").status_code == 403
    response = client.post(
        f"/doi-thoai/{held.pk}/y-kien/xu-ly/", {"action": "convert_selected"}
    )
    assert response.status_code == 403


def test_the_organiser_sees_the_items_to_handle(client, org, held):
    client.force_login(org.committee_officer)
    _response, body = page(client, f"/doi-thoai/{held.pk}/")
    assert body.count("Chuyển thành vụ việc") == 3
    assert "Ghi nhận ý kiến, kiến nghị" in body
    # Only leaders report back and publish.
    assert "Xác nhận đã báo cáo kết quả" not in body
    client.force_login(org.committee_leader)
    _response, body = page(client, f"/doi-thoai/{held.pk}/")
    assert "Xác nhận đã báo cáo kết quả" in body
    assert "Công khai kết quả trả lời" in body


def test_supervisors_above_edit(client, org, held):
    client.force_login(org.supervisor)
    _response, body = page(client, f"/doi-thoai/{held.pk}/")
    assert "Chuyển thành vụ việc" in body


def test_announce_and_refusal_messages(client, org):
    client.force_login(org.committee_leader)
    with clock(at(2026, 8, 3, 9)):
        meeting = plan(org, kind="dialogue", starts_at=at(2026, 8, 6, 8))
        response = client.post(
            f"/doi-thoai/{meeting.pk}/thao-tac/announce/", follow=True
        )
    body = response.content.decode()
    assert "phải thông báo chậm nhất ngày 01/08/2026" in body
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_hold_with_the_scan_of_the_minutes(client, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = plan(org)
    client.force_login(org.committee_officer)
    _response, body = page(client, f"/doi-thoai/{meeting.pk}/thao-tac/hold/")
    assert 'value="80"' in body  # the expected attendance, as a start
    response = client.post(
        f"/doi-thoai/{meeting.pk}/thao-tac/hold/",
        {
            "actual_attendance": "77",
            "minutes": "Biên bản tiếp xúc cử tri.",
            "minutes_file": SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf"),
            "version": meeting.version,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.actual_attendance) == (MeetingStatus.HELD, 77)
    download = client.get(f"/doi-thoai/{meeting.pk}/bien-ban/tep/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    client.force_login(org.outsider)
    assert client.get(f"/doi-thoai/{meeting.pk}/bien-ban/tep/").status_code == 404


def test_hold_form_errors_keep_the_minutes(client, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = plan(org)
    client.force_login(org.committee_officer)
    response = client.post(
        f"/doi-thoai/{meeting.pk}/thao-tac/hold/",
        {
            "actual_attendance": "",
            "minutes": "Biên bản dở dang.",
            "minutes_file": SimpleUploadedFile("x.pdf", b"GIF89a", "application/pdf"),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Biên bản dở dang." in body
    assert "Trường này là bắt buộc." in field_errors(body, "actual_attendance")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    response = client.post(
        f"/doi-thoai/{meeting.pk}/thao-tac/hold/",
        {
            "actual_attendance": "5",
            "minutes": "Biên bản.",
            "minutes_file": SimpleUploadedFile("x.pdf", b"GIF89a", "application/pdf"),
        },
    )
    body = response.content.decode()
    assert "PDF, JPEG hoặc PNG" in field_errors(body, "minutes_file")


def test_cancel_needs_a_reason_on_the_page(client, org):
    meeting = plan(org, starts_at=at(2030, 1, 10, 8))
    client.force_login(org.committee_leader)
    response = client.post(f"/doi-thoai/{meeting.pk}/thao-tac/cancel/", {"reason": ""})
    assert response.status_code == 400
    response = client.post(
        f"/doi-thoai/{meeting.pk}/thao-tac/cancel/", {"reason": "Mưa bão."}
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


# --------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------


def formset_data(*entries, total=3):
    data = {
        "items-TOTAL_FORMS": str(total),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
    }
    for index in range(total):
        data[f"items-{index}-raised_by"] = "person"
    for index, entry in enumerate(entries):
        for key, value in entry.items():
            data[f"items-{index}-{key}"] = value
    return data


def test_record_several_items_at_once(client, org, held, land):
    client.force_login(org.committee_officer)
    response = client.post(
        f"/doi-thoai/{held.pk}/y-kien/them/",
        formset_data(
            {
                "raiser_name": "Lê Văn Quý",
                "field": land.pk,
                "title": "Sạt lở bờ kênh",
                "content": "Bờ kênh xóm A sạt lở.",
            },
            {
                "raised_by": "hamlet_voters",
                "raiser_hamlet": org.hamlet_a.pk,
                "field": land.pk,
                "title": "Thiếu đèn đường",
                "content": "Đề nghị lắp đèn đường.",
                "is_hot_spot": "on",
            },
        ),
    )
    assert response.status_code == 302
    assert held.items.count() == 5
    assert held.items.get(number=5).is_hot_spot


def test_a_bad_item_keeps_them_all(client, org, held, land):
    client.force_login(org.committee_officer)
    response = client.post(
        f"/doi-thoai/{held.pk}/y-kien/them/",
        formset_data(
            {"raiser_name": "Lê Văn Quý", "field": land.pk, "title": "Sạt lở bờ kênh"},
            {"raised_by": "hamlet_voters", "field": land.pk, "title": "Thiếu đèn"},
        ),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert held.items.count() == 3
    assert 'value="Sạt lở bờ kênh"' in body
    assert "Chọn thôn, xóm có cử tri nêu ý kiến." in body


def process(client, meeting, action, **fields):
    data = {"action": action}
    for item in meeting.items.filter(outcome=ItemOutcome.PENDING):
        data[f"item-{item.pk}-is_hot_spot"] = ""
    for key, value in fields.items():
        data[key] = value
    return client.post(f"/doi-thoai/{meeting.pk}/y-kien/xu-ly/", data)


def test_convert_one_item_needs_a_unit(client, org, held):
    item = held.items.get(number=1)
    client.force_login(org.committee_leader)
    response = process(client, held, f"convert:{item.pk}")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Chọn đơn vị chủ trì trả lời." in body
    assert Case.objects.count() == 0


def test_convert_one_item_with_one_click(client, org, held):
    item = held.items.get(number=1)
    client.force_login(org.committee_leader)
    response = process(
        client,
        held,
        f"convert:{item.pk}",
        **{f"item-{item.pk}-responsible_unit": org.office.pk},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.CASE
    assert held.items.filter(outcome=ItemOutcome.PENDING).count() == 2


def test_convert_selected_items_all_or_nothing(client, org, held):
    first, second, third = held.items.order_by("number")
    client.force_login(org.committee_leader)
    past = timezone.localdate() - dt.timedelta(days=30)
    response = process(
        client,
        held,
        "convert_selected",
        **{
            f"item-{first.pk}-selected": "on",
            f"item-{first.pk}-responsible_unit": org.office.pk,
            f"item-{second.pk}-selected": "on",
            f"item-{second.pk}-responsible_unit": org.office.pk,
            f"item-{second.pk}-answer_due_on": past.isoformat(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Hạn trả lời không thể trước ngày tổ chức" in body
    assert Case.objects.count() == 0
    due = timezone.localdate() + dt.timedelta(days=20)
    response = process(
        client,
        held,
        "convert_selected",
        **{
            f"item-{first.pk}-selected": "on",
            f"item-{first.pk}-responsible_unit": org.office.pk,
            f"item-{second.pk}-selected": "on",
            f"item-{second.pk}-responsible_unit": org.office.pk,
            f"item-{second.pk}-answer_due_on": due.isoformat(),
            f"item-{third.pk}-responsible_unit": org.office.pk,
        },
    )
    assert response.status_code == 302
    assert Case.objects.count() == 2
    assert Case.objects.get(pk=held.items.get(number=2).case_id).stage_due_on == due
    third.refresh_from_db()
    assert third.outcome == ItemOutcome.PENDING


def test_answer_on_the_spot_on_the_page(client, org, held):
    item = held.items.get(number=3)
    client.force_login(org.committee_leader)
    response = process(client, held, f"answer:{item.pk}")
    assert response.status_code == 400
    assert "Nhập nội dung đã trả lời tại buổi làm việc." in response.content.decode()
    response = process(
        client,
        held,
        f"answer:{item.pk}",
        **{f"item-{item.pk}-answer": "Sẽ cấp giấy trong tháng."},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.outcome, item.answer) == (
        ItemOutcome.ANSWERED,
        "Sẽ cấp giấy trong tháng.",
    )


def test_merge_on_the_page(client, org, held):
    first, second, third = held.items.order_by("number")
    client.force_login(org.committee_leader)
    response = client.post(
        f"/doi-thoai/{held.pk}/y-kien/gop/",
        {"primary": first.pk, "items": [second.pk, third.pk]},
    )
    assert response.status_code == 302
    assert held.items.filter(outcome=ItemOutcome.MERGED).count() == 2
    response = client.post(f"/doi-thoai/{held.pk}/y-kien/{third.pk}/tach/")
    third.refresh_from_db()
    assert third.outcome == ItemOutcome.PENDING


def test_flag_a_hot_spot_on_the_page(client, org, held):
    item = held.items.get(number=2)
    client.force_login(org.committee_leader)
    _response, body = page(client, f"/doi-thoai/{held.pk}/y-kien/{item.pk}/diem-nong/")
    assert 'name="is_hot_spot"' in body
    client.post(
        f"/doi-thoai/{held.pk}/y-kien/{item.pk}/diem-nong/",
        {"is_hot_spot": "on", "reason": "Nhiều hộ bức xúc."},
    )
    item.refresh_from_db()
    assert item.is_hot_spot


# --------------------------------------------------------------------------
# Report back and publish
# --------------------------------------------------------------------------


@pytest.fixture
def answered(org, held):
    """Item 1 answered on the spot, 2 a resolved case, 3 an open case."""
    items = {item.number: item for item in held.items.all()}
    item_answer(
        item_id=items[1].pk,
        actor=org.committee_leader,
        answer="Đường sẽ được sửa trong quý III.",
        answered_by="Chủ tịch UBND xã",
    )
    converted = items_convert(
        meeting_id=held.pk,
        actor=org.committee_leader,
        conversions=[
            ItemConversion(item_id=items[2].pk, responsible_unit=org.office),
            ItemConversion(item_id=items[3].pk, responsible_unit=org.office),
        ],
    )
    case = converted[0].case
    case_transition(case_id=case.pk, action="accept", actor=org.leader)
    case_transition(
        case_id=case.pk,
        action="resolve",
        actor=org.leader,
        data={"public_answer": "Đã mở rộng tuyến ống nước sạch."},
    )
    return held, converted


def test_the_report_back_printout(client, org, answered):
    meeting, converted = answered
    client.force_login(org.committee_leader)
    _response, body = page(client, f"/doi-thoai/{meeting.pk}/bao-cao/")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body
    assert "Độc lập – Tự do – Hạnh phúc" in body
    assert "ỦY BAN NHÂN DÂN" not in body  # the fixture's units are named plainly
    assert "UBND XÃ" in body and "THÔNG BÁO" in body
    assert "Nguyễn Văn Bình (Xóm A)" in body
    assert "Đường sẽ được sửa trong quý III." in body
    assert "Chủ tịch UBND xã đã trả lời tại buổi làm việc" in body
    assert "Cử tri xóm B" in body
    assert "Đã mở rộng tuyến ống nước sạch." in body
    due = converted[1].case.stage_due_on.strftime("%d/%m/%Y")
    assert f"Địa chính đang giải quyết; hạn trả lời chậm nhất ngày {due}." in body
    assert "TM. UBND XÃ" in body
    # The print layout comes from a stylesheet (no inline style under the CSP).
    assert "css/dialogues-report-back.css" in body
    stylesheet = finders.find("css/dialogues-report-back.css")
    assert "@media print" in Path(stylesheet).read_text(encoding="utf-8")


def test_publish_and_the_public_page(client, org, answered):
    meeting, _converted = answered
    client.force_login(org.supervisor)
    response = client.post(f"/doi-thoai/{meeting.pk}/cong-khai/", follow=True)
    body = response.content.decode()
    assert "Đã công khai: 1 ý kiến trả lời tại chỗ và 1 vụ việc đã có kết quả." in body
    client.logout()
    _response, body = page(client, "/doi-thoai/ket-qua/")
    assert meeting.topic in body
    _response, body = page(client, f"/doi-thoai/ket-qua/{meeting.pk}/")
    assert "Đường sẽ được sửa trong quý III." in body
    assert "Đã mở rộng tuyến ống nước sạch." in body
    assert "Đang giải quyết; hạn trả lời chậm nhất ngày" in body
    # No names on the public page.
    assert "Nguyễn Văn Bình" not in body and "Trần Thị Hoa" not in body
    assert "Cử tri xóm B" in body and "Một cử tri" in body


def test_unpublished_results_are_not_public(client, org, answered):
    meeting, _converted = answered
    assert client.get(f"/doi-thoai/ket-qua/{meeting.pk}/").status_code == 404


def test_report_back_after_every_item_is_handled(client, org, answered):
    meeting, _converted = answered
    client.force_login(org.committee_leader)
    response = client.post(f"/doi-thoai/{meeting.pk}/thao-tac/report/", follow=True)
    assert "Đã thực hiện: xác nhận đã báo cáo kết quả." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.REPORTED


def test_reporting_with_pending_items_is_refused_with_a_message(client, org, held):
    client.force_login(org.committee_leader)
    response = client.post(f"/doi-thoai/{held.pk}/thao-tac/report/", follow=True)
    assert "Còn 3 ý kiến chưa được trả lời tại chỗ" in response.content.decode()


# --------------------------------------------------------------------------
# Hot spots
# --------------------------------------------------------------------------


def test_hot_spots_page(client, org, held):
    item = held.items.get(number=1)
    items_convert(
        meeting_id=held.pk,
        actor=org.committee_leader,
        conversions=[
            ItemConversion(
                item_id=item.pk, responsible_unit=org.office, is_hot_spot=True
            )
        ],
    )
    client.force_login(org.supervisor)
    _response, body = page(client, "/doi-thoai/diem-nong/")
    assert item.title in body and held.topic in body
    client.force_login(org.committee_officer)
    assert client.get("/doi-thoai/diem-nong/").status_code == 403


def test_public_pages_in_english(client, org):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    _response, body = page(client, "/doi-thoai/ket-qua/")
    assert "Results of dialogues and voter meetings" in body


def test_the_official_header_names_the_commune(org):
    from dialogues.selectors import official_header

    org.root.name = "Xã Xuân Thành"
    org.root.save()
    assert official_header(org.committee) == {
        "above": "XÃ XUÂN THÀNH",
        "body": "UBND XÃ",
        "place": "Xuân Thành",
    }


def test_the_pages_are_well_formed_with_labelled_controls(client, org, answered, land):
    from tests.dialogues.html import assert_valid_page

    meeting, _converted = answered
    client.force_login(org.supervisor)
    hot = meeting.items.get(number=3)
    for url in (
        "/doi-thoai/",
        "/doi-thoai/moi/",
        f"/doi-thoai/{meeting.pk}/",
        f"/doi-thoai/{meeting.pk}/sua/",
        f"/doi-thoai/{meeting.pk}/bien-ban/",
        f"/doi-thoai/{meeting.pk}/y-kien/them/",
        f"/doi-thoai/{meeting.pk}/y-kien/gop/",
        f"/doi-thoai/{meeting.pk}/y-kien/{hot.pk}/diem-nong/",
        f"/doi-thoai/{meeting.pk}/bao-cao/",
        "/doi-thoai/lich/2026/",
        "/doi-thoai/diem-nong/",
        "/doi-thoai/ket-qua/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_valid_page(response.content.decode())
    pending = hold(org, plan(org))
    items_add(
        meeting_id=pending.pk,
        actor=org.committee_leader,
        items=[item_input(land), item_input(land, title="Ý kiến thứ hai")],
    )
    response = client.get(f"/doi-thoai/{pending.pk}/")
    assert response.content.decode().count("<article") == 2
    assert_valid_page(response.content.decode())
    planned = plan(org, starts_at=at(2030, 1, 10, 8))
    for action in ("hold", "cancel"):
        response = client.get(f"/doi-thoai/{planned.pk}/thao-tac/{action}/")
        assert_valid_page(response.content.decode())
