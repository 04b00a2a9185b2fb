"""The receipt handed to the citizen: what it says, and the PIN once."""

from pathlib import Path

import pytest
import segno
from django.contrib.staticfiles import finders

from feedback.models import Attachment, Case
from tests.factories import make_case, staff
from tests.petitions.test_intake import URL, intake_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(desk_client, commune):
    from tests.petitions.conftest import PDF_BYTES, upload

    response = desk_client.post(
        URL,
        intake_form(
            commune,
            attachments=[upload("a.pdf", PDF_BYTES), upload("b.pdf", PDF_BYTES)],
        ),
    )
    return response["Location"], Case.objects.get()


def test_the_receipt_shows_what_was_received(desk_client, commune, logged):
    url, case = logged
    page = desk_client.get(url).content.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
    assert "Độc lập - Tự do - Hạnh phúc" in page
    assert commune.root.name in page  # the commune's header
    assert case.display_code in page
    assert "Phản ánh, kiến nghị" in page
    assert "Bãi rác tự phát gây ô nhiễm" in page
    assert "2 tài liệu" in page
    assert commune.hamlet_a.name in page
    assert case.final_due_on.strftime("%d/%m/%Y") in page
    assert "http://testserver/tra-cuu/" in page
    assert "Hoàng Văn Nam" in page
    # Printed on A5: the page rule is in the receipt's stylesheet.
    assert "css/receipt.css" in page
    stylesheet = finders.find("css/receipt.css")
    assert "size: A5" in Path(stylesheet).read_text(encoding="utf-8")
    assert Attachment.objects.filter(case=case).count() == 2


def test_the_pin_is_shown_once_and_never_again(desk_client, logged):
    url, case = logged
    pin = desk_client.session["reception_receipt_pin"]["pin"]
    first = desk_client.get(url)
    assert pin in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    again = desk_client.get(url).content.decode()
    assert pin not in again
    assert "không hiển thị lại" in again
    assert case.display_code in again
    assert "reception_receipt_pin" not in desk_client.session


def test_the_qr_code_opens_the_tracking_page_without_the_pin(desk_client, logged):
    url, case = logged
    pin = desk_client.session["reception_receipt_pin"]["pin"]
    page = desk_client.get(url).content.decode()
    expected = segno.make(
        f"http://testserver/tra-cuu/?code={case.code}", error="m"
    ).svg_inline(scale=3, title="Tra cứu hồ sơ trực tuyến")
    assert "<svg" in page
    assert expected in page
    with_pin = segno.make(
        f"http://testserver/tra-cuu/?code={case.code}&pin={pin}", error="m"
    ).svg_inline(scale=3, title="Tra cứu hồ sơ trực tuyến")
    assert with_pin not in page


def test_another_case_does_not_take_the_pending_pin(desk_client, commune, logged):
    url, case = logged
    other = make_case(actor=commune.reception, unit=commune.office).case
    pin = desk_client.session["reception_receipt_pin"]["pin"]
    page = desk_client.get(f"/tiep-cong-dan/vu-viec/{other.pk}/bien-nhan/")
    assert pin not in page.content.decode()
    assert pin in desk_client.get(url).content.decode()


def test_a_hidden_case_has_no_receipt(client, commune, logged):
    url, case = logged
    client.force_login(staff(commune.committee, "reception"))
    assert client.get(url).status_code == 404
    client.force_login(commune.officer_b)
    assert client.get(url).status_code == 404


def test_the_responsible_leader_may_reprint_without_pin(client, commune, logged):
    url, case = logged
    client.force_login(commune.leader_a)
    page = client.get(url).content.decode()
    assert case.display_code in page
    assert "không hiển thị lại" in page


def test_showing_a_denouncer_leaves_an_audit_trail(desk_client, commune):
    from feedback.models import IdentityAccess

    desk_client.post(URL, intake_form(commune, kind="denunciation"))
    case = Case.objects.get()
    desk_client.get(f"/tiep-cong-dan/vu-viec/{case.pk}/bien-nhan/")
    access = IdentityAccess.objects.get()
    assert (access.case, access.user, access.context) == (
        case,
        commune.reception,
        "reception_receipt",
    )
    # the same person's next letter shows the denunciation as a likely repeat
    desk_client.post(URL, intake_form(commune, kind="denunciation"))
    assert IdentityAccess.objects.filter(context="reception_duplicates").count() == 1
