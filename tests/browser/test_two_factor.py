"""Two-factor log-in in a real browser: a leader without an authenticator is
taken to enrolment, turns it on with the app's code, keeps the recovery
codes, and later logs in with one of them instead of the phone."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP

from tests.factories import staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def code_for(secret: str) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret) % 8))
    totp = TOTP(key, 30, 0, 6, 0)
    totp.time = time.time()
    return f"{totp.token():06d}"


def submit_password(page, username):
    page.goto(f"{page.base_url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", "secret-pass-1")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_a_leader_enrols_then_logs_in_with_a_recovery_code(page, commune):
    leader = staff(commune.office, "leader", username="new_leader")
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    submit_password(page, leader.username)
    # No staff page before the second factor is set up.
    assert "/tai-khoan/hai-lop/dang-ky/" in page.url
    page.goto(f"{page.base_url}/viec-cua-toi/")
    assert "/viec-cua-toi/" not in page.url
    assert page.locator(".qr-box svg").count() == 1  # drawn without a CDN

    secret = page.inner_text("#otp-secret")
    page.fill("#id_token", "000000" if code_for(secret) != "000000" else "111111")
    page.click("main button[type=submit]")
    # The answer is a new page: wait for it rather than read the old one.
    page.wait_for_load_state()
    page.locator(".errors").first.wait_for(timeout=10_000)
    assert page.locator(".errors").count() >= 1  # a wrong code is refused

    page.fill("#id_token", code_for(secret))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    page.click("text=/continue|tiếp tục/i")
    page.goto(f"{page.base_url}/viec-cua-toi/")
    assert "/viec-cua-toi/" in page.url

    # Log out, then in again with a recovery code instead of the app.
    page.click("text=Đăng xuất")
    page.wait_for_load_state()
    submit_password(page, leader.username)
    assert "/tai-khoan/xac-minh/" in page.url
    page.fill("#id_token", codes[0])
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{page.base_url}/viec-cua-toi/")
    assert "/viec-cua-toi/" in page.url
    assert not [e for e in errors if re.search("Content Security Policy", e)]
