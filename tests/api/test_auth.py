"""Token log-in, authentication of every endpoint, throttling of failures."""

import pytest
from rest_framework.authtoken.models import Token

from api.throttles import LoginFailureThrottle

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_right_credentials_give_the_users_token(commune, anonymous):
    response = anonymous.post(
        TOKEN_URL, {"username": "leader", "password": "secret-pass-1"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=commune.leader).key
    again = anonymous.post(
        TOKEN_URL, {"username": "leader", "password": "secret-pass-1"}, format="json"
    )
    assert again.json()["token"] == token


def test_the_token_authenticates_api_requests(commune, anonymous):
    token = anonymous.post(
        TOKEN_URL, {"username": "leader", "password": "secret-pass-1"}, format="json"
    ).json()["token"]
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anonymous.get("/api/v1/cases/").status_code == 200


def test_wrong_credentials_are_a_401_in_the_error_shape(commune, anonymous):
    response = anonymous.post(
        TOKEN_URL, {"username": "leader", "password": "wrong"}, format="json"
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")
    error = response.json()["error"]
    assert error["code"] == "invalid_credentials"
    assert error["fields"] == {}


def test_inactive_users_cannot_log_in(commune, anonymous):
    commune.leader.is_active = False
    commune.leader.save()
    response = anonymous.post(
        TOKEN_URL, {"username": "leader", "password": "secret-pass-1"}, format="json"
    )
    assert response.status_code == 401


def test_missing_fields_are_a_400_per_field(anonymous):
    response = anonymous.post(TOKEN_URL, {"username": ""}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"username", "password"}


def test_failed_log_ins_are_throttled_then_refused(commune, anonymous):
    limit = LoginFailureThrottle().num_requests
    for _attempt in range(limit):
        response = anonymous.post(
            TOKEN_URL, {"username": "leader", "password": "nope"}, format="json"
        )
        assert response.status_code == 401
    response = anonymous.post(
        TOKEN_URL, {"username": "leader", "password": "secret-pass-1"}, format="json"
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"


def test_successful_log_ins_do_not_count(commune, anonymous):
    limit = LoginFailureThrottle().num_requests
    for _attempt in range(limit + 2):
        response = anonymous.post(
            TOKEN_URL,
            {"username": "leader", "password": "secret-pass-1"},
            format="json",
        )
        assert response.status_code == 200


def test_a_bad_request_body_does_not_count_as_a_failure(commune, anonymous):
    limit = LoginFailureThrottle().num_requests
    for _attempt in range(limit + 2):
        assert anonymous.post(TOKEN_URL, {}, format="json").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/",
        "/api/v1/cases/1/",
        "/api/v1/cases/1/events/",
        "/api/v1/cases/1/history/",
        "/api/v1/units/",
        "/api/v1/units/1/",
        "/api/v1/fields/",
        "/api/v1/legal-grounds/",
    ],
)
def test_every_staff_endpoint_needs_authentication(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_actions_need_authentication(anonymous):
    response = anonymous.post("/api/v1/cases/1/accept/", {}, format="json")
    assert response.status_code == 401


def test_a_bad_token_is_a_401(anonymous):
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = anonymous.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_the_admin_session_works_too(commune, client):
    client.force_login(commune.leader)
    assert client.get("/api/v1/cases/").status_code == 200
