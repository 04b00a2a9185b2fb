"""Scanned letters: the type comes from the content, the name must agree,
the size is limited."""

import pytest

from feedback.errors import InvalidInputError
from petitions.uploads import check_upload, sniff
from tests.petitions.conftest import (
    HTML_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    upload,
)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("don.pdf", PDF_BYTES, "application/pdf"),
        ("trang1.PNG", PNG_BYTES, "image/png"),
        ("trang2.jpeg", JPEG_BYTES, "image/jpeg"),
        ("trang3.jpg", JPEG_BYTES, "image/jpeg"),
    ],
)
def test_pdf_jpeg_and_png_scans_are_accepted(name, content, content_type):
    checked = check_upload(upload(name, content, "text/plain"))
    assert checked.content_type == content_type
    assert checked.original_name == name
    assert checked.size == len(content)


def test_sniffing_reads_the_content_not_the_name():
    assert sniff(PNG_BYTES).content_type == "image/png"
    assert sniff(HTML_BYTES) is None


def test_a_pdf_name_with_png_content_is_refused():
    with pytest.raises(InvalidInputError) as error:
        check_upload(upload("don.pdf", PNG_BYTES, "application/pdf"))
    assert "PNG" in str(error.value.fields["attachments"])


def test_an_html_page_renamed_pdf_is_refused():
    with pytest.raises(InvalidInputError) as error:
        check_upload(upload("don.pdf", HTML_BYTES, "application/pdf"))
    assert "don.pdf" in str(error.value.fields["attachments"])


def test_an_empty_file_is_refused():
    with pytest.raises(InvalidInputError):
        check_upload(upload("don.pdf", b"", "application/pdf"))


def test_a_file_over_the_limit_is_refused(settings):
    settings.PETITIONS_MAX_ATTACHMENT_BYTES = 1024
    with pytest.raises(InvalidInputError) as error:
        check_upload(upload("don.pdf", PDF_BYTES + b"0" * 1024, "application/pdf"))
    assert "don.pdf" in str(error.value.fields["attachments"])


def test_a_path_in_the_name_is_dropped():
    checked = check_upload(upload("../../etc/don.pdf", PDF_BYTES))
    assert checked.original_name == "don.pdf"
