"""Browser tests: Playwright driving Debian's Chromium (headless) against the
live test server."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def _sync_orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread; the ORM
    calls the tests make around it are still synchronous. Set for the
    browser tests only and removed afterwards, so the variable never reaches
    a deployment check."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = CHROMIUM if os.path.exists(CHROMIUM) else None
        instance = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1366, "height": 768}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """Log a staff user in through the log-in page (and the code step, for
    staff who must use two-factor log-in)."""

    from django.contrib.auth import get_user_model

    from tests.two_factor import current_code, enrolled_device, needs_second_factor

    def _log_in(username, password="secret-pass-1"):
        user = get_user_model().objects.filter(username=username).first()
        device = None
        if user is not None and needs_second_factor(user):
            device = enrolled_device(user)
        page.goto(f"{page.base_url}/dang-nhap/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        if device is not None and "/tai-khoan/xac-minh/" in page.url:
            # The second step: the code the user's authenticator shows.
            page.fill("#id_token", current_code(device))
            page.click("main button[type=submit]")
            page.wait_for_load_state()

    return _log_in
