"""The strict Content-Security-Policy in a real browser: the main pages load
without a single violation, and what used to be inline still works — the
reception desk's ID-card scan, the moved stylesheets, the dashboard's chart,
the Swagger UI of the API."""

import pytest
from django.core.files.base import ContentFile

from feedback.models import Attachment
from tests.factories import UserFactory, make_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

SCAN = (
    "040190012345|186012345|Trần Thị Bích Ngọc|15031990|Nữ|"
    "Xóm 3, xã Xuân Thành, tỉnh Nghệ An|20042021"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def is_violation(text: str) -> bool:
    return "Content Security Policy" in text or text.startswith("Refused to")


@pytest.fixture
def violations(page):
    """What Chromium reports on the console as blocked by the policy, and
    uncaught exceptions of the page's scripts."""
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if message.type == "error" and is_violation(message.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def visit(page, path):
    response = page.goto(f"{page.base_url}{path}")
    page.wait_for_load_state("load")
    assert response.status == 200, path
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    return response


def test_public_pages_load_without_violation(page, violations, commune):
    for path in ("/gui-y-kien/", "/tra-cuu/", "/cong-khai/", "/thong-ke/"):
        visit(page, path)
    assert violations == []
    # An inline script added now is refused, and the refusal is seen.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.appendChild(script);
          document.body.setAttribute("style", "color: red");
        }"""
    )
    assert page.evaluate("() => window.ran") is None
    page.wait_for_timeout(200)
    assert violations and all(is_violation(text) for text in violations)


def test_the_desk_scan_still_fills_the_form(page, log_in, violations, commune):
    log_in("reception")
    visit(page, "/tiep-cong-dan/tiep-nhan-don/")
    scan = page.locator("#id_p-0-scan")
    assert scan.evaluate("element => element === document.activeElement")
    page.keyboard.type(SCAN)
    page.keyboard.press("Enter")
    assert page.input_value("#id_p-0-full_name") == "Trần Thị Bích Ngọc"
    assert page.input_value("#id_p-0-national_id") == "040190012345"
    assert violations == []


def test_staff_pages_are_styled_from_files(page, log_in, violations, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    attachment = Attachment(
        case=case, original_name="đơn.pdf", content_type="application/pdf", size=9
    )
    attachment.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    log_in("leader")
    visit(page, f"/ho-so/{case.pk}/")
    # The case page's layout now comes from static/css/staff-case.css.
    layout = page.locator(".case-layout")
    assert layout.evaluate("e => getComputedStyle(e).display") == "grid"
    link = page.locator(f"a[href='/ho-so/{case.pk}/tep/{attachment.pk}/']")
    assert link.inner_text() == "đơn.pdf"
    visit(page, "/viec-cua-toi/")
    assert page.locator("form").count() > 0
    # The queue's filters still narrow the list.
    page.select_option("select[name=kind]", "feedback")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").first.click()
    assert "kind=feedback" in page.url
    assert case.display_code in page.content()
    visit(page, "/doi-thoai/")
    assert page.locator(".subnav").evaluate("e => getComputedStyle(e).display") == (
        "flex"
    )
    assert violations == []


def test_the_dashboard_chart_renders(page, log_in, violations, commune):
    make_case(actor=commune.reception, unit=commune.office)
    log_in("supervisor")
    visit(page, "/bao-cao/")
    chart = page.locator("svg.trend")
    assert chart.count() == 1
    assert chart.bounding_box()["height"] > 50
    axis = page.locator("svg.trend text.axis").first
    assert axis.evaluate("e => getComputedStyle(e).fill") == "rgb(91, 91, 91)"
    grid = page.locator("svg.trend line.grid").first
    assert grid.evaluate("e => getComputedStyle(e).stroke") == "rgb(214, 214, 214)"
    assert violations == []


def test_admin_and_api_docs_work_under_the_policy(page, log_in, violations):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    log_in("root")
    visit(page, "/admin/")
    visit(page, "/admin/feedback/case/")
    visit(page, "/api/docs/")
    page.locator("#swagger-ui .info").wait_for()
    assert "Lắng Nghe" in page.locator("#swagger-ui .info").inner_text()
    assert violations == []
