"""Staff accounts: lock-out after repeated failed log-ins, idle session
expiry, the sessions list with log-out everywhere, the API tokens page, and
the administrators' tools."""

import datetime as dt
import time
from importlib import import_module

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import ApiToken
from api.services import api_token_create, api_token_hash
from feedback import accounts
from feedback.models import UserSession
from tests.settings_probe import settings_value

pytestmark = pytest.mark.django_db

LOGIN_URL = "/dang-nhap/"
STAFF_PAGE = "/viec-cua-toi/"
PROFILE_URL = "/tai-khoan/"
TOKENS_PAGE = "/tai-khoan/ma-api/"


def log_in(client, username="officer", password="secret-pass-1"):
    return client.post(LOGIN_URL, {"username": username, "password": password})


# --------------------------------------------------------------------------
# Lock-out
# --------------------------------------------------------------------------


def test_the_log_in_page_locks_after_the_failure_limit(commune, client, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, password="nope")
        assert response.status_code == 200
        assert response.context["form"].errors
    locked = log_in(client, password="nope")
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert "15" in locked.context["message"]
    # The right password is refused too, and no session is opened.
    again = log_in(client)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # The failures are recorded for the administrators (axes' admin).
    attempt = AccessAttempt.objects.get(username="officer")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_the_lock_is_per_user_name_and_address(commune, client, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="nope")
    assert log_in(client, username="officer_a").status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert log_in(elsewhere).status_code == 302


def test_the_lock_ends_after_the_cool_off(commune, client, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="nope")
    assert log_in(client).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(1)
    )
    assert log_in(client).status_code == 302


def test_a_successful_log_in_resets_the_count(commune, client, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, password="nope")
    assert log_in(client).status_code == 302
    client.post("/dang-xuat/")
    assert log_in(client, password="nope").status_code == 200


def test_wrong_codes_at_the_second_step_lock_out(commune, client, settings):
    from tests.two_factor import current_code, enrolled_device

    device = enrolled_device(commune.leader)
    log_in(client, "leader")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/tai-khoan/xac-minh/", {"token": "abcdef"})
        assert response.status_code == 200
    locked = client.post("/tai-khoan/xac-minh/", {"token": "abcdef"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Locked: neither the password nor a right code gets through now.
    assert log_in(client, "leader").status_code == 429
    response = client.post("/tai-khoan/xac-minh/", {"token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_the_administrators_see_lock_outs_in_the_admin(
    commune, client, settings, django_user_model
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="nope")
    root = django_user_model.objects.create_superuser("root", password="x-pass-1")
    admin = Client()
    admin.force_login(root)
    page = admin.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "officer" in page.content.decode()


# --------------------------------------------------------------------------
# Idle sessions
# --------------------------------------------------------------------------


def age_session(client, seconds):
    session = client.session
    session[accounts.SESSION_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_past_the_timeout_is_logged_out(commune, client, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    log_in(client)
    assert client.get(STAFF_PAGE).status_code == 200
    age_session(client, 31 * 60)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not UserSession.objects.exists()


def test_activity_keeps_the_session_alive(commune, client, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    log_in(client)
    age_session(client, 29 * 60)
    assert client.get(STAFF_PAGE).status_code == 200
    # The visit reset the idle clock.
    assert time.time() - client.session[accounts.SESSION_SEEN_KEY] < 60
    assert client.get(STAFF_PAGE).status_code == 200


def test_the_idle_timeout_also_ends_api_sessions(commune, client):
    log_in(client)
    age_session(client, 31 * 60)
    assert client.get("/api/v1/cases/").status_code in (401, 403)


# --------------------------------------------------------------------------
# Sessions and log-out everywhere
# --------------------------------------------------------------------------


def test_each_log_in_is_listed_on_the_profile(commune):
    laptop, phone = Client(HTTP_USER_AGENT="Laptop"), Client(HTTP_USER_AGENT="Phone")
    log_in(laptop)
    log_in(phone)
    page = laptop.get(PROFILE_URL)
    assert page.status_code == 200
    assert {s.user_agent for s in page.context["sessions"]} == {"Laptop", "Phone"}
    assert page.context["current_key"] == laptop.session.session_key


def test_log_out_everywhere_else(commune):
    here, there, elsewhere = Client(), Client(), Client()
    for client in (here, there, elsewhere):
        log_in(client)
    other_user = Client()
    log_in(other_user, "officer_a")
    response = here.post("/tai-khoan/phien/dang-xuat-noi-khac/")
    assert response.status_code == 302
    assert here.get(STAFF_PAGE).status_code == 200
    for client in (there, elsewhere):
        assert client.get(STAFF_PAGE).status_code == 302
    assert other_user.get(STAFF_PAGE).status_code == 200
    assert UserSession.objects.filter(user=commune.officer).count() == 1


def test_end_one_other_session(commune):
    here, there = Client(), Client()
    log_in(here)
    log_in(there)
    target = UserSession.objects.get(session_key=there.session.session_key)
    here.post(f"/tai-khoan/phien/{target.pk}/dang-xuat/")
    assert there.get(STAFF_PAGE).status_code == 302
    assert here.get(STAFF_PAGE).status_code == 200


def test_another_users_session_cannot_be_ended(commune):
    mine, theirs = Client(), Client()
    log_in(mine)
    log_in(theirs, "officer_a")
    target = UserSession.objects.get(user=commune.officer_a)
    mine.post(f"/tai-khoan/phien/{target.pk}/dang-xuat/")
    assert theirs.get(STAFF_PAGE).status_code == 200


def test_log_out_removes_the_session_row(commune, client):
    log_in(client)
    assert UserSession.objects.count() == 1
    client.post("/dang-xuat/")
    assert not UserSession.objects.exists()


def test_an_administrator_logs_a_user_out_everywhere(commune, django_user_model):
    first, second = Client(), Client()
    log_in(first)
    log_in(second)
    root = django_user_model.objects.create_superuser("root", password="x-pass-1")
    admin = Client()
    admin.force_login(root)
    row = UserSession.objects.filter(user=commune.officer).first()
    response = admin.post(
        "/admin/feedback/usersession/",
        {"action": "log_users_out_everywhere", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    assert first.get(STAFF_PAGE).status_code == 302
    assert second.get(STAFF_PAGE).status_code == 302
    assert not Session.objects.filter(
        session_key__in=[first.session.session_key]
    ).exists()


# --------------------------------------------------------------------------
# The API tokens page
# --------------------------------------------------------------------------


def test_the_tokens_page_creates_a_token_and_shows_its_key_once(commune, client):
    log_in(client)
    response = client.post(TOKENS_PAGE, {"name": "Bảng tính", "days": "30"})
    assert response.status_code == 302
    page = client.get(TOKENS_PAGE)
    key = page.context["new_key"]["key"]
    token = ApiToken.objects.get(owner=commune.officer)
    assert token.key_hash == api_token_hash(key)
    assert key in page.content.decode()
    assert key not in client.get(TOKENS_PAGE).content.decode()


def test_the_tokens_page_lists_only_the_owners_tokens(commune, client):
    _mine, my_key = api_token_create(owner=commune.officer, name="của tôi")
    api_token_create(owner=commune.officer_a, name="của người khác")
    log_in(client)
    content = client.get(TOKENS_PAGE).content.decode()
    assert "của tôi" in content
    assert "của người khác" not in content
    assert my_key not in content


def test_the_tokens_page_revokes(commune, client):
    token, _key = api_token_create(owner=commune.officer, name="cũ")
    log_in(client)
    client.post(f"{TOKENS_PAGE}{token.pk}/thu-hoi/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_tokens_page_refuses_to_revoke_anothers_token(commune, client):
    token, _key = api_token_create(owner=commune.officer_a, name="khác")
    log_in(client)
    client.post(f"{TOKENS_PAGE}{token.pk}/thu-hoi/")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_without_a_name_is_refused(commune, client):
    log_in(client)
    response = client.post(TOKENS_PAGE, {"name": " "})
    assert response.status_code == 200
    assert response.context["errors"]["name"]
    assert not ApiToken.objects.exists()


def test_an_administrator_revokes_tokens_in_the_admin(commune, django_user_model):
    token, _key = api_token_create(owner=commune.officer, name="rò rỉ")
    root = django_user_model.objects.create_superuser("root", password="x-pass-1")
    admin = Client()
    admin.force_login(root)
    listing = admin.get("/admin/api/apitoken/")
    assert listing.status_code == 200
    assert token.key_hash not in listing.content.decode()
    admin.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == root


# Sessions kept in a shared cache
# --------------------------------------------------------------------------


@pytest.fixture
def cached_sessions(settings, tmp_path):
    """What a deployment with Redis runs: sessions read from a cache that
    every process shares, written through to the database."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_a_cached_session_is_read_without_the_session_table(commune, cached_sessions):
    client = Client()
    log_in(client)
    client.get(STAFF_PAGE)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(STAFF_PAGE).status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]]
    # Written through: the database still holds it.
    assert Session.objects.filter(session_key=client.session.session_key).exists()


def test_log_out_everywhere_else_ends_cached_sessions(commune, cached_sessions):
    here, there = Client(), Client()
    log_in(here)
    log_in(there)
    assert there.get(STAFF_PAGE).status_code == 200  # now in the cache
    here.post("/tai-khoan/phien/dang-xuat-noi-khac/")
    assert there.get(STAFF_PAGE).status_code == 302
    assert here.get(STAFF_PAGE).status_code == 200


def test_an_ended_cached_session_stays_ended_for_every_process(
    commune, cached_sessions
):
    """Another process's store reads the same cache: after the session is
    ended there is nothing left to read, in the cache or the table."""
    client = Client()
    log_in(client)
    key = client.session.session_key
    accounts.user_sessions_end(user=commune.officer)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert not store(session_key=key).exists(key)
    assert store(session_key=key).load() == {}
    assert client.get(STAFF_PAGE).status_code == 302


def test_sessions_are_cached_only_when_the_cache_is_shared():
    def engine(**env):
        return settings_value("settings.SESSION_ENGINE", **env)

    local = {"CACHE_BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    shared = {"CACHE_BACKEND": "config.cache.RedisCache"}
    assert engine(**local) == "django.contrib.sessions.backends.db"
    assert engine(**shared) == "django.contrib.sessions.backends.cached_db"


def test_a_session_records_the_address_the_proxy_saw(commune, settings):
    """Behind the proxy, the last entry of its header is the client's
    address; the entries before it are whatever the client sent."""
    settings.PUBLIC_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    client = Client(HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    log_in(client)
    assert UserSession.objects.get(user=commune.officer).ip_address == "203.0.113.9"


def test_a_header_that_is_no_address_records_none(commune, settings):
    settings.PUBLIC_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    client = Client(HTTP_X_FORWARDED_FOR="not-an-address")
    assert log_in(client).status_code == 302
    assert UserSession.objects.get(user=commune.officer).ip_address is None
