"""The page shell in a real browser."""

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def test_staff_can_log_in_and_see_their_name(page, log_in, commune):
    log_in("officer")
    assert page.locator(".account").inner_text().count("Nguyễn Văn An") == 1
    page.click("text=Đăng xuất")
    assert page.locator("text=Cán bộ đăng nhập").count() >= 1
