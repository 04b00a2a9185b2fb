"""Every public page: Vietnamese, light, labelled, no external asset, a
strict Content-Security-Policy; the receipt's QR code."""

import re
from pathlib import Path

import pytest
import segno
from django.contrib.staticfiles import finders
from lxml import html

from feedback.qr import tracking_qr_svg, tracking_url

pytestmark = pytest.mark.django_db

PAGES = ["/gui-y-kien/", "/tra-cuu/", "/cong-khai/", "/thong-ke/", "/quyen-rieng-tu/"]
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def linked_assets(tree):
    hrefs = tree.xpath("//link[@rel='stylesheet']/@href") + tree.xpath("//script/@src")
    return [finders.find(href.removeprefix("/static/")) for href in hrefs]


@pytest.fixture
def pages(client, letter, answered):
    """Each public page, with the receipt and a case view too."""
    responses = {url: client.get(url) for url in PAGES}
    responses["receipt"] = client.post("/gui-y-kien/", letter)
    responses["case"] = client.post(
        "/tra-cuu/", {"code": answered.case.code, "pin": answered.pin}
    )
    return responses


def test_pages_weigh_under_100_kb_with_their_css_and_script(pages):
    for name, response in pages.items():
        tree = html.fromstring(response.content)
        assets = linked_assets(tree)
        assert all(assets), name
        total = len(response.content) + sum(Path(a).stat().st_size for a in assets)
        assert total < 100 * 1024, (name, total)


def test_pages_are_vietnamese_and_load_nothing_from_elsewhere(pages):
    for name, response in pages.items():
        body = response.content.decode()
        assert response.status_code == 200, name
        assert '<html lang="vi">' in body, name
        assert response["Content-Security-Policy"] == CSP, name
        tree = html.fromstring(response.content)
        for url in tree.xpath("//script/@src | //link/@href | //img/@src"):
            assert url.startswith("/static/"), (name, url)
        assert "<script>" not in body and " onclick=" not in body, name


def test_every_input_has_a_label_and_ids_are_unique(pages):
    for name, response in pages.items():
        tree = html.fromstring(response.content)
        ids = tree.xpath("//@id")
        assert len(ids) == len(set(ids)), name
        labelled = set(tree.xpath("//label/@for"))
        for control in tree.xpath("//input | //select | //textarea"):
            if control.get("type") in ("hidden", "submit"):
                continue
            assert control.get("id") in labelled, (name, html.tostring(control))


def test_every_form_that_posts_carries_a_csrf_token(pages):
    for name, response in pages.items():
        tree = html.fromstring(response.content)
        for form in tree.xpath("//form[@method='post']"):
            assert form.xpath(".//input[@name='csrfmiddlewaretoken']"), name


def test_the_qr_code_opens_the_tracking_page_with_the_code_only(rf):
    request = rf.get("/", secure=True)
    url = tracking_url(request, "7k3f-9qm2-xt4a")
    assert url == "https://testserver/tra-cuu/?code=7K3F9QM2XT4A"
    assert tracking_url("https://x.example/", "7K3F9QM2XT4A").startswith(
        "https://x.example/tra-cuu/?code="
    )
    svg = tracking_qr_svg(request, "7K3F9QM2XT4A")
    expected = segno.make(url, error="m").svg_inline(scale=3, border=2)
    path = re.search(r' d="([^"]+)"', expected).group(1)
    assert svg.startswith('<svg role="img"')
    assert path in svg
    assert "<title>" in svg
