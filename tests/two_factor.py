"""Test helpers for two-factor log-in: an enrolled authenticator, its
current code, and a session verified with it (what ``force_login`` gives
staff who must use two-factor log-in, see ``tests/conftest.py``)."""

import time

from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from feedback import accounts


def enrolled_device(user) -> TOTPDevice:
    """The user's confirmed authenticator, created if missing."""
    device = accounts.totp_device_of(user)
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=accounts.TOTP_DEVICE_NAME, confirmed=True
        )
    return device


def current_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the app shows now. The device forgets the last code it
    accepted, so a test may log in twice within one 30-second step."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0
    )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def verify_session(client, user) -> None:
    """Mark the client's session verified with the user's authenticator."""
    fresh = get_user_model().objects.get(pk=user.pk)
    device = enrolled_device(fresh)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[accounts.SESSION_STATE_KEY] = {
        "required": accounts.two_factor_required(fresh),
        "enrolled": True,
    }
    session.save()


def needs_second_factor(user) -> bool:
    # A fresh copy: the check caches memberships on the user object.
    return accounts.two_factor_required(get_user_model().objects.get(pk=user.pk))
