"""Two-factor log-in for staff: who must use it, the log-in's code step,
enrolment with an authenticator app, recovery codes, and the middleware that
keeps a password-only session away from staff pages."""

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from feedback import accounts
from tests.two_factor import current_code, enrolled_device

pytestmark = pytest.mark.django_db

LOGIN_URL = "/dang-nhap/"
VERIFY_URL = "/tai-khoan/xac-minh/"
ENROL_URL = "/tai-khoan/hai-lop/dang-ky/"
STAFF_PAGE = "/viec-cua-toi/"

REQUIRED = ["leader", "supervisor", "admin", "reception"]


def password_step(client, username, next_url=STAFF_PAGE):
    return client.post(
        f"{LOGIN_URL}?next={next_url}",
        {"username": username, "password": "secret-pass-1", "next": next_url},
    )


@pytest.mark.parametrize("role", REQUIRED)
def test_required_roles(commune, role):
    assert accounts.two_factor_required(getattr(commune, role))


def test_superusers_must_use_two_factors(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    assert accounts.two_factor_required(root)


def test_officers_may_choose(commune):
    assert not accounts.two_factor_required(commune.officer)


def test_whoever_may_see_a_denouncer_must(commune):
    """The assigned officer of a denunciation may see the denouncer
    (``can_see_identity``): they must use two factors."""
    from feedback.permissions import can_see_identity
    from tests.factories import make_case

    case = make_case(
        actor=commune.reception, unit=commune.office, kind="denunciation"
    ).case
    assert not can_see_identity(commune.officer, case)
    assert not accounts.two_factor_required(commune.officer)
    type(case).objects.filter(pk=case.pk).update(assignee=commune.officer)
    case.refresh_from_db()
    assert can_see_identity(commune.officer, case)
    assert accounts.two_factor_required(commune.officer)


@pytest.mark.parametrize("role", REQUIRED)
def test_a_password_is_not_enough_for_required_roles(commune, client, role):
    """After the password, a leader (etc.) with an authenticator is asked for
    the code, and no staff page opens until it is given."""
    enrolled_device(getattr(commune, role))
    username = getattr(commune, role).username
    response = password_step(client, username)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)
    page = client.get(STAFF_PAGE)
    assert page.status_code == 302
    assert page["Location"].startswith(VERIFY_URL)
    assert client.get("/admin/").status_code == 302
    assert client.get("/tai-khoan/").status_code == 302


@pytest.mark.parametrize("role", REQUIRED)
def test_required_roles_without_an_authenticator_must_enrol(commune, client, role):
    response = password_step(client, getattr(commune, role).username)
    assert response["Location"].startswith(ENROL_URL)
    page = client.get(STAFF_PAGE)
    assert page.status_code == 302
    assert page["Location"].startswith(ENROL_URL)


def test_the_right_code_completes_the_log_in(commune, client):
    device = enrolled_device(commune.leader)
    password_step(client, "leader")
    response = client.post(
        VERIFY_URL, {"token": current_code(device), "next": STAFF_PAGE}
    )
    assert response.status_code == 302
    assert response["Location"] == STAFF_PAGE
    assert client.get(STAFF_PAGE).status_code == 200


def test_a_wrong_code_is_refused(commune, client):
    enrolled_device(commune.leader)
    password_step(client, "leader")
    response = client.post(VERIFY_URL, {"token": "123456x", "next": STAFF_PAGE})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert client.get(STAFF_PAGE).status_code == 302


def test_an_officer_logs_in_with_the_password_only(commune, client):
    response = password_step(client, "officer")
    assert response.status_code == 302
    assert response["Location"] == STAFF_PAGE
    assert client.get(STAFF_PAGE).status_code == 200


def test_an_officer_who_enrolled_is_asked_for_the_code(commune, client):
    enrolled_device(commune.officer)
    response = password_step(client, "officer")
    assert response["Location"].startswith(VERIFY_URL)
    assert client.get(STAFF_PAGE).status_code == 302


def test_public_pages_stay_open_during_the_code_step(commune, client):
    enrolled_device(commune.leader)
    password_step(client, "leader")
    assert client.get("/").status_code == 200
    assert client.get("/tra-cuu/").status_code == 200
    assert client.get(VERIFY_URL).status_code == 200
    assert client.post("/dang-xuat/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_enrolment_shows_the_secret_and_confirms_with_a_code(commune, client):
    password_step(client, "leader")
    page = client.get(ENROL_URL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=commune.leader, confirmed=False)
    content = page.content.decode()
    assert accounts.totp_secret(device) in content
    assert "<svg" in content
    wrong = client.post(ENROL_URL, {"device": device.pk, "token": "000000x"})
    assert wrong.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    response = client.post(
        ENROL_URL,
        {"device": device.pk, "token": current_code(device), "next": STAFF_PAGE},
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # The recovery codes, shown once; then the staff pages open.
    codes_page = client.get(response["Location"])
    assert codes_page.status_code == 200
    codes = codes_page.context["codes"]
    assert len(codes) == 10
    assert all(code in codes_page.content.decode() for code in codes)
    assert client.get(response["Location"]).status_code == 302
    assert client.get(STAFF_PAGE).status_code == 200


def test_an_unverified_session_cannot_enrol_a_new_device(commune, client):
    """Otherwise a stolen password would let the thief add their own app."""
    enrolled_device(commune.leader)
    password_step(client, "leader")
    response = client.get(ENROL_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)
    assert not TOTPDevice.objects.filter(confirmed=False).exists()


def test_a_recovery_code_logs_in_once(commune, client):
    enrolled_device(commune.leader)
    codes = accounts.recovery_codes_regenerate(user=commune.leader)
    password_step(client, "leader")
    response = client.post(VERIFY_URL, {"token": codes[0], "next": STAFF_PAGE})
    assert response["Location"] == STAFF_PAGE
    assert StaticToken.objects.count() == 9
    client.post("/dang-xuat/")
    password_step(client, "leader")
    again = client.post(VERIFY_URL, {"token": codes[0], "next": STAFF_PAGE})
    assert again.status_code == 200
    assert client.get(STAFF_PAGE).status_code == 302


def test_regenerating_recovery_codes_replaces_the_old_ones(commune, client):
    old = accounts.recovery_codes_regenerate(user=commune.leader)
    client.force_login(commune.leader)
    response = client.post("/tai-khoan/hai-lop/ma-du-phong/tao-lai/")
    assert response.status_code == 302
    new = client.get(response["Location"]).context["codes"]
    assert set(new).isdisjoint(old)
    assert accounts.second_factor_match(commune.leader, token=new[0]) is not None
    assert accounts.second_factor_match(commune.leader, token=old[0]) is None


def test_required_users_cannot_turn_two_factor_off(commune, client):
    device = enrolled_device(commune.leader)
    client.force_login(commune.leader)
    client.post("/tai-khoan/hai-lop/tat/", {"token": current_code(device)})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_an_officer_may_turn_two_factor_off(commune, client):
    device = enrolled_device(commune.officer)
    password_step(client, "officer")
    client.post(VERIFY_URL, {"token": current_code(device), "next": STAFF_PAGE})
    client.post("/tai-khoan/hai-lop/tat/", {"token": current_code(device)})
    assert not TOTPDevice.objects.filter(user=commune.officer).exists()


def test_the_profile_shows_the_two_factor_status(commune, client):
    client.force_login(commune.leader)
    page = client.get("/tai-khoan/")
    assert page.status_code == 200
    assert page.context["required"]
    assert page.context["device"] is not None
