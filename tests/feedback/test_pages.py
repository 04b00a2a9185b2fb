"""The shell every page shares: home, staff log-in, language switch."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_is_vietnamese_by_default(client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in body
    assert "Nghe dân nói, nói dân nghe." in body


def test_english_is_available(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Staff log-in" in body


def test_staff_log_in_and_out(client, commune):
    response = client.post(
        "/dang-nhap/", {"username": "officer", "password": "secret-pass-1"}
    )
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.is_authenticated
    client.post("/dang-xuat/")
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_failed_log_in_says_why_in_vietnamese(client, commune):
    response = client.post("/dang-nhap/", {"username": "officer", "password": "x"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
