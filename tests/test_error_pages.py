"""Error pages speak Vietnamese and never leak details."""

import pytest

pytestmark = pytest.mark.django_db


def test_missing_page_is_a_friendly_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_forbidden_page_is_a_friendly_403(client, commune):
    client.force_login(commune.officer_a)
    response = client.get("/tiep-cong-dan/")
    assert response.status_code == 403
    assert "Không được phép" in response.content.decode()
