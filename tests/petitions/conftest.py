"""Fixtures of the reception desk tests."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64
HTML_BYTES = b"<!doctype html><html><script>alert(1)</script></html>"

# A well-formed QR text of a citizen ID card.
SCAN = (
    "040190012345|186012345|Trần Thị Bích Ngọc|15031990|Nữ|"
    "Xóm 3, xã Xuân Thành, tỉnh Nghệ An|20042021"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and staged files go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def desk_client(client, commune):
    client.force_login(commune.reception)
    return client


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def big_file(size):
    return io.BytesIO(b"%PDF-" + b"0" * (size - 5))
