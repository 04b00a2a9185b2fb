"""The units' work queue and the case page in a real browser: an officer
finds a case by its code, records progress and drafts the answer; the leader
approves it; staff of another hamlet cannot open the case."""

import pytest
from playwright.sync_api import expect

from feedback.services.cases import case_transition
from tests.factories import make_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def log_out(page):
    page.click("text=Đăng xuất")
    page.wait_for_load_state()


def test_officer_drafts_leader_approves_other_hamlet_gets_404(page, log_in, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    case_transition(case_id=case.pk, action="accept", actor=commune.leader)

    # The officer finds the case in "My work" by its printed code.
    log_in("officer")
    page.click("nav >> text=Việc của tôi")
    page.fill("#id_q", case.display_code)
    page.click("form[role=search] button[type=submit]")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)  # waits for the results page
    assert "Còn" in rows.first.inner_text()  # working days left
    rows.first.locator("a.code").click()
    page.wait_for_load_state()
    assert case.display_code in page.locator("h1").inner_text()

    # A progress note.
    page.click("#action-note summary")
    page.fill("#id_note-text", "Đã khảo sát hiện trường cùng trưởng xóm.")
    page.click("#action-note button[type=submit]")
    page.wait_for_load_state()
    assert "Đã thực hiện: Ghi nhận tiến độ." in page.locator(".messages").inner_text()
    assert "Đã khảo sát hiện trường" in page.locator(".timeline").inner_text()

    # A required field left empty comes back with a Vietnamese message.
    page.click("#action-draft_answer summary")
    page.click("#action-draft_answer button[type=submit]")
    page.wait_for_load_state()
    assert (
        "Trường này là bắt buộc." in page.locator("#action-draft_answer").inner_text()
    )

    # The draft answer.
    page.fill(
        "#id_draft_answer-public_answer",
        "Xã sẽ sửa đoạn đường trong tháng tới bằng ngân sách xã.",
    )
    page.click("#action-draft_answer button[type=submit]")
    page.wait_for_load_state()
    assert "Dự thảo" in page.locator("#answers-h + article").inner_text()
    log_out(page)

    # The leader approves the pending draft as it stands.
    log_in("leader")
    page.goto(f"{page.base_url}/ho-so/{case.pk}/")
    page.click("#action-resolve summary")
    assert "ngân sách xã" in page.input_value("#id_resolve-public_answer")
    page.click("#action-resolve button[type=submit]")
    page.wait_for_load_state()
    assert "Đã giải quyết" in page.locator("h1 + p").inner_text()
    assert "Đã phê duyệt" in page.locator("#answers-h + article").inner_text()
    log_out(page)

    # Staff of another hamlet get a plain 404.
    log_in("officer_a")
    response = page.goto(f"{page.base_url}/ho-so/{case.pk}/")
    assert response.status == 404
    assert case.title not in page.content()
