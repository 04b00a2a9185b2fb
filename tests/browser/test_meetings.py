"""Recording a voter contact meeting in a real browser: held, three items,
two turned into cases, one answered on the spot, and the follow-up."""

import pytest
from playwright.sync_api import expect

from dialogues.models import ItemOutcome, Meeting
from tests.dialogues.conftest import org, plan  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.integration,
]


def fill_item(page, index, *, title, content, name=None, hamlet=None):
    prefix = f"#id_items-{index}-"
    if hamlet is not None:
        page.check(f"{prefix}raised_by_1")
        page.select_option(f"{prefix}raiser_hamlet", label=hamlet)
    else:
        page.fill(f"{prefix}raiser_name", name)
    page.select_option(f"{prefix}field", label="Đất đai")
    page.fill(f"{prefix}title", title)
    page.fill(f"{prefix}content", content)


def test_record_a_meeting_and_follow_it_up(page, log_in, org):  # noqa: F811
    meeting = plan(org, topic="Tiếp xúc cử tri trước kỳ họp thứ 9 HĐND xã")
    log_in("chutich")
    page.goto(f"{page.base_url}/doi-thoai/")
    page.click(f"text={meeting.topic}")

    # Held: attendance and minutes.
    page.click("text=Ghi nhận đã tổ chức")
    page.fill("#id_actual_attendance", "86")
    page.fill("#id_minutes", "Cử tri xóm A dự đông đủ; 3 ý kiến phát biểu.")
    page.click("main button[type=submit]")
    expect(page.locator(".badge", has_text="Đã tổ chức")).to_have_count(1)

    # Three items at once.
    page.click("text=Ghi nhận ý kiến, kiến nghị")
    fill_item(
        page,
        0,
        name="Nguyễn Văn Bình",
        title="Đường trục xóm xuống cấp",
        content="Đề nghị bê tông hóa đường trục xóm A.",
    )
    fill_item(
        page,
        1,
        hamlet="Xóm A",
        title="Kênh mương bị bồi lấp",
        content="Cử tri xóm A đề nghị nạo vét kênh tưới.",
    )
    fill_item(
        page,
        2,
        name="Trần Thị Hoa",
        title="Hỏi thủ tục cấp đổi sổ đỏ",
        content="Bà Hoa hỏi thủ tục cấp đổi giấy chứng nhận.",
    )
    page.click("text=Lưu các ý kiến")
    expect(page.locator("article.item-card")).to_have_count(3)

    # Two into cases, in one go.
    cards = page.locator("article.item-card")
    for index in (0, 1):
        card = cards.nth(index)
        card.locator("input[name$='-selected']").check()
        card.locator("select[name$='-responsible_unit']").select_option(
            label="Địa chính"
        )
    page.click("text=Chuyển các ý kiến đã chọn thành vụ việc")
    assert (
        page.locator(".messages")
        .inner_text()
        .startswith("Đã chuyển 2 ý kiến thành vụ việc")
    )

    # The third answered on the spot.
    card = page.locator("article.item-card")
    expect(card).to_have_count(1)
    card.locator("summary").click()
    card.locator("textarea[name$='-answer']").fill(
        "Đã hướng dẫn bà Hoa nộp hồ sơ tại Bộ phận một cửa."
    )
    # The counts are laid out by the stylesheet: wait for the new page to load.
    with page.expect_navigation(wait_until="load"):
        card.locator("button", has_text="Ghi nhận trả lời").click()

    counts = page.locator("ul.counts").inner_text()
    assert "3\ný kiến" in counts
    assert "1\nđã trả lời" in counts
    assert "2\nđang giải quyết" in counts
    assert "0\nchưa xử lý" in counts
    outcomes = sorted(
        Meeting.objects.get(pk=meeting.pk).items.values_list("outcome", flat=True)
    )
    assert outcomes == [ItemOutcome.ANSWERED, ItemOutcome.CASE, ItemOutcome.CASE]

    # The report back lists every item with its answer.
    page.click("text=Thông báo kết quả cho cử tri (bản in)")
    body = page.locator("article.document").inner_text()
    assert "Đã hướng dẫn bà Hoa nộp hồ sơ" in body
    assert body.count("Địa chính đang giải quyết") == 2
