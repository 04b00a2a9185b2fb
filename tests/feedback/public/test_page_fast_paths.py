"""The portal's pages take short cuts that must not show: the site header a
visitor sees is rendered once per language and page, the look-up form is
skipped for a plain code and PIN, and dates and links of the tracking page
are prepared by the view.  Each gives the very page the templates give."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from feedback import public_views
from feedback.public_forms import TrackForm
from feedback.services.cases import case_transition

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
RATING_TOKEN = re.compile(r'name="token" value="[^"]+"')
FORM_STAMP = re.compile(r'name="stamp" value="[^"]+"')


def normalised(response) -> str:
    """The page with the values that differ on every request blotted out (the
    CSRF token is masked anew each time; the rating token and the letter
    form's stamp are timestamped)."""
    body = response.content.decode()
    body = CSRF.sub('name="csrfmiddlewaretoken" value="…"', body)
    body = FORM_STAMP.sub('name="stamp" value="…"', body)
    return RATING_TOKEN.sub('name="token" value="…"', body)


def without_ready_made_header(monkeypatch):
    """The template renders the header itself, as for any other page."""
    monkeypatch.setattr(public_views, "_visitor_header", lambda request, token: "")


@pytest.fixture
def late_answered(commune, answered):
    """``answered`` with a public note, so the timeline has several rows."""
    case_transition(
        case_id=answered.case.pk,
        action="note",
        actor=commune.leader,
        data={"text": "Đã liên hệ với người gửi.", "is_public": True},
    )
    return answered


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    "path",
    [
        "/tra-cuu/",
        "/tra-cuu/?code=<b>7K3F\"'&amp;",
        "/gui-y-kien/",
        "/cong-khai/",
        "/thong-ke/",
        "/quyen-rieng-tu/",
    ],
)
def test_the_visitors_header_is_the_one_the_template_renders(
    monkeypatch, desk, path, language
):
    client = Client()
    client.cookies["django_language"] = language
    ready_made = client.get(path)
    assert ready_made.status_code == 200, path
    without_ready_made_header(monkeypatch)
    rendered = client.get(path)
    assert normalised(ready_made) == normalised(rendered)
    assert ready_made.content.count(b'class="site-header"') == 1


def test_a_look_up_renders_the_page_the_templates_render(
    monkeypatch, client, late_answered
):
    body = {"code": late_answered.case.display_code, "pin": late_answered.pin}
    ready_made = client.post("/tra-cuu/", body)
    assert ready_made.status_code == 200
    assert b'name="pin"' not in ready_made.content
    without_ready_made_header(monkeypatch)
    rendered = client.post("/tra-cuu/", body)
    assert normalised(ready_made) == normalised(rendered)
    # The dates as the ``date:"d/m/Y"`` filter wrote them, and the links.
    case = late_answered.case
    page = ready_made.content.decode()
    received = timezone.localtime(case.received_at).date()
    assert f"<dd>{received:%d/%m/%Y}</dd>" in page
    # Each entry on the local day it happened (not the day the case was
    # received: late in the evening the two differ).
    days = [
        timezone.localtime(moment).date()
        for moment in case.events.filter(is_public=True)
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)
    ]
    assert len(days) == 4
    assert re.findall(r'<li><time datetime="([^"]+)">([^<]+)</time>', page) == [
        (day.isoformat(), f"{day:%d/%m/%Y}") for day in days
    ]
    assert 'action="/tra-cuu/danh-gia/"' in page
    assert '<a href="/tra-cuu/">' in page


def test_staff_on_a_portal_page_see_their_own_header(client, commune):
    client.force_login(commune.officer)
    page = client.get("/tra-cuu/").content.decode()
    assert 'href="/dang-nhap/"' not in page
    assert "/dang-xuat/" in page or 'action="/dang-xuat/"' in page


def test_the_header_of_a_visitor_holds_this_requests_address(client):
    first = client.get("/tra-cuu/?code=7K3F").content.decode()
    second = client.get("/tra-cuu/?code=9QM2&x=1").content.decode()
    assert 'name="next" value="/tra-cuu/?code=7K3F"' in first
    assert 'name="next" value="/tra-cuu/?code=9QM2&amp;x=1"' in second
    assert "<script>" not in client.get('/tra-cuu/?code=a"><script>').content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"code": "", "pin": ""},
        {"code": "7K3F-9QM2-XT4A", "pin": "123456"},
        {"code": " 7k3f 9qm2 xt4a ", "pin": " 123456 "},
        {"code": "7K3F-9QM2-XT4B", "pin": "123456"},
        {"code": "7K3F-9QM2-XT4A", "pin": "12345"},
        {"code": "7K3F-9QM2-XT4A", "pin": "1234567"},
        {"code": "7K3F-9QM2-XT4A", "pin": "12a456"},
        {"code": "7K3F-9QM2-XT4A", "pin": "١٢٣٤٥٦"},
        {"code": "7K3F--9QM2--XT4A--------", "pin": "123456"},
        {"code": "7K3F\x009QM2XT4A", "pin": "123456"},
        {"code": "7K3F9QM2XT4A", "pin": "123456\x00"},
        {"pin": "123456"},
        {"code": "7K3F9QM2XT4A"},
    ],
)
def test_the_plain_values_are_what_the_form_cleans(data):
    form = TrackForm(data)
    expected = (
        (form.cleaned_data["code"], form.cleaned_data["pin"])
        if form.is_valid()
        else None
    )
    assert TrackForm.plain_values(data) == expected


def test_a_refused_plain_look_up_shows_the_form_with_its_message(client, answered):
    wrong = "000000" if answered.pin != "000000" else "111111"
    response = client.post("/tra-cuu/", {"code": answered.case.code, "pin": wrong})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="pin"' in body
    assert answered.case.display_code in body or answered.case.code in body
