"""Token log-in (with the second factor where required), authentication of
every endpoint, throttling and lock-out of failures, the token list,
expiry and revocation."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from api.models import ApiToken
from api.services import api_token_create, api_token_hash
from api.throttles import LoginFailureThrottle
from tests.two_factor import current_code, enrolled_device

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"


def obtain(client, username, password="secret-pass-1", **extra):
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json"
    )


def test_right_credentials_give_a_new_token(commune, anonymous):
    """An officer (two-factor log-in optional, not set up) needs only the
    password; each log-in issues a new token, stored only as a hash."""
    response = obtain(anonymous, "officer")
    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert token.owner == commune.officer
    assert token.key_hash == api_token_hash(body["token"])
    assert body["token"] not in token.key_hash
    again = obtain(anonymous, "officer")
    assert again.json()["token"] != body["token"]
    assert ApiToken.objects.filter(owner=commune.officer).count() == 2


def test_a_new_token_expires_after_the_configured_days(commune, anonymous, settings):
    settings.API_TOKEN_TTL_DAYS = 7
    before = timezone.now()
    body = obtain(anonymous, "officer").json()
    token = ApiToken.objects.get(pk=body["id"])
    assert before + dt.timedelta(days=7) <= token.expires_at
    assert token.expires_at <= timezone.now() + dt.timedelta(days=7)


def test_the_token_authenticates_api_requests(commune, anonymous):
    token = obtain(anonymous, "officer").json()["token"]
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anonymous.get("/api/v1/cases/").status_code == 200


@pytest.mark.parametrize(
    "username", ["leader", "supervisor", "unitadmin", "reception", "root"]
)
def test_required_roles_without_an_authenticator_get_no_token(
    commune, anonymous, username, django_user_model
):
    if username == "root":
        django_user_model.objects.create_superuser("root", password="secret-pass-1")
    response = obtain(anonymous, username)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "otp_enrolment_required"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("username", ["leader", "supervisor", "unitadmin", "reception"])
def test_required_roles_must_send_the_code(commune, anonymous, username):
    device = enrolled_device(
        getattr(commune, "admin" if username == "unitadmin" else username)
    )
    response = obtain(anonymous, username)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "otp_required"
    wrong = obtain(anonymous, username, otp="abcdef")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_otp"
    assert not ApiToken.objects.exists()
    right = obtain(anonymous, username, otp=current_code(device))
    assert right.status_code == 200
    assert ApiToken.objects.count() == 1


def test_the_assignee_of_a_denunciation_must_use_two_factors(
    commune, anonymous, denunciation
):
    """Whoever may see a denouncer's identity: here an officer assigned to
    a denunciation."""
    assert obtain(anonymous, "officer").status_code == 200
    type(denunciation).objects.filter(pk=denunciation.pk).update(
        assignee=commune.officer
    )
    response = obtain(anonymous, "officer")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "otp_enrolment_required"


def test_an_optional_user_with_an_authenticator_must_send_the_code(commune, anonymous):
    device = enrolled_device(commune.officer)
    assert obtain(anonymous, "officer").json()["error"]["code"] == "otp_required"
    assert obtain(anonymous, "officer", otp=current_code(device)).status_code == 200


def test_a_recovery_code_works_once_for_the_api(commune, anonymous):
    from feedback.accounts import recovery_codes_regenerate

    enrolled_device(commune.leader)
    code = recovery_codes_regenerate(user=commune.leader)[0]
    assert obtain(anonymous, "leader", otp=code).status_code == 200
    again = obtain(anonymous, "leader", otp=code)
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "invalid_otp"


def test_wrong_credentials_are_a_401_in_the_error_shape(commune, anonymous):
    response = obtain(anonymous, "leader", password="wrong")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")
    error = response.json()["error"]
    assert error["code"] == "invalid_credentials"
    assert error["fields"] == {}


def test_inactive_users_cannot_log_in(commune, anonymous):
    commune.officer.is_active = False
    commune.officer.save()
    assert obtain(anonymous, "officer").status_code == 401


def test_missing_fields_are_a_400_per_field(anonymous):
    response = anonymous.post(TOKEN_URL, {"username": ""}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"username", "password"}


def test_failed_log_ins_are_throttled_then_refused(commune, anonymous):
    """Per address, whatever the user names (each name stays under the
    lock-out limit)."""
    limit = LoginFailureThrottle().num_requests
    for attempt in range(limit):
        response = obtain(anonymous, f"nobody{attempt}", password="nope")
        assert response.status_code == 401
    response = obtain(anonymous, "officer")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"


def test_successful_log_ins_do_not_count(commune, anonymous):
    limit = LoginFailureThrottle().num_requests
    for _attempt in range(limit + 2):
        assert obtain(anonymous, "officer").status_code == 200


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


# --------------------------------------------------------------------------
# Lock-out
# --------------------------------------------------------------------------


def test_the_user_is_locked_out_after_the_failure_limit(commune, anonymous, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert obtain(anonymous, "officer", password="nope").status_code == 401
    locked = obtain(anonymous, "officer", password="nope")
    assert locked.status_code == 429
    error = locked.json()["error"]
    assert error["code"] == "account_locked"
    assert "15" in error["message"]
    assert int(locked.headers["Retry-After"]) == 15 * 60
    # Even the right password is refused while locked.
    response = obtain(anonymous, "officer")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "account_locked"
    assert not ApiToken.objects.exists()
    # Another user from the same address is not affected.
    assert obtain(anonymous, "officer_a").status_code == 200


def test_the_lock_ends_after_the_cool_off(commune, anonymous, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        obtain(anonymous, "officer", password="nope")
    assert obtain(anonymous, "officer").status_code == 429
    # The failures age past the cool-off.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert obtain(anonymous, "officer").status_code == 200


def test_wrong_codes_count_towards_the_lock_out(commune, anonymous, settings):
    device = enrolled_device(commune.leader)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert obtain(anonymous, "leader", otp="abcdef").status_code == 401
    assert obtain(anonymous, "leader", otp="abcdef").status_code == 429
    response = obtain(anonymous, "leader", otp=current_code(device))
    assert response.status_code == 429


# --------------------------------------------------------------------------
# The token list, creation, expiry, revocation
# --------------------------------------------------------------------------


def test_the_token_list_shows_the_owners_tokens_without_keys(
    commune, anonymous, client_for
):
    _first, first_key = api_token_create(owner=commune.officer, name="Excel")
    _other, other_key = api_token_create(owner=commune.officer_a, name="Khác")
    client = client_for(commune.officer)
    response = client.get(TOKENS_URL)
    assert response.status_code == 200
    body = response.json()
    names = [row["name"] for row in body["results"]]
    assert "Excel" in names
    assert "Khác" not in names
    text = response.content.decode()
    assert first_key not in text
    assert other_key not in text
    assert "key" not in body["results"][0]
    assert "key_hash" not in text


def test_the_owner_creates_a_token_and_sees_its_key_once(commune, client_for):
    client = client_for(commune.officer)
    response = client.post(TOKENS_URL, {"name": "Báo cáo", "days": 3}, format="json")
    assert response.status_code == 201
    key = response.json()["token"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.key_hash == api_token_hash(key)
    assert token.expires_at - token.created_at < dt.timedelta(days=3, minutes=1)
    listed = client.get(TOKENS_URL).content.decode()
    assert key not in listed


def test_a_token_needs_a_name(commune, client_for):
    response = client_for(commune.officer).post(TOKENS_URL, {}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


def test_an_expired_token_is_refused(commune, anonymous):
    token, key = api_token_create(owner=commune.officer, name="cũ")
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anonymous.get("/api/v1/cases/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = anonymous.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


def test_the_owner_revokes_a_token(commune, client_for, anonymous):
    token, key = api_token_create(owner=commune.officer, name="điện thoại")
    owner = client_for(commune.officer)
    assert owner.delete(f"{TOKENS_URL}{token.pk}/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == commune.officer
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = anonymous.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"


def test_another_users_token_is_not_found(commune, client_for):
    token, _key = api_token_create(owner=commune.officer_a, name="của người khác")
    response = client_for(commune.officer).delete(f"{TOKENS_URL}{token.pk}/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_administrator_lists_and_revokes_any_token(
    commune, client_for, anonymous, django_user_model
):
    root = django_user_model.objects.create_superuser("root", password="x-pass-1")
    token, key = api_token_create(owner=commune.officer_a, name="nghi vấn")
    admin = client_for(root)
    everyone = admin.get(TOKENS_URL, {"owner": "all"}).json()["results"]
    assert {"officer_a", "root"} <= {row["owner"] for row in everyone}
    assert admin.delete(f"{TOKENS_URL}{token.pk}/").status_code == 204
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anonymous.get("/api/v1/cases/").status_code == 401


def test_only_administrators_list_everyones_tokens(commune, client_for):
    response = client_for(commune.officer).get(TOKENS_URL, {"owner": "all"})
    assert response.status_code == 403


def test_use_is_recorded_at_most_once_a_minute(
    commune, anonymous, django_capture_on_commit_callbacks
):
    token, key = api_token_create(owner=commune.officer, name="dùng")
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        anonymous.get("/api/v1/units/")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        anonymous.get("/api/v1/units/")
    assert callbacks == []


def test_a_password_only_session_of_a_required_role_cannot_use_the_api(commune, client):
    """Logged in with the password but not the code: the session-authenticated
    API refuses, in the error shape."""
    response = client.post(
        "/dang-nhap/", {"username": "leader", "password": "secret-pass-1"}
    )
    assert response.status_code == 302
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "otp_required"
