"""Staff log-in security: who must log in with a second factor, enrolment
of an authenticator app and recovery codes, the sessions each user has open
(idle expiry, log-out everywhere) and the answer to a locked-out log-in.

The two-factor state of a session lives in the session itself so that a
request costs no query for it: ``SESSION_STATE_KEY`` says whether the user
must (or, having a device, does) use a second factor, and django-otp's
``DEVICE_ID_SESSION_KEY`` marks a session verified with one.  Both are set
at log-in and refreshed at most once a ``TOUCH_SECONDS`` by the middleware
(``feedback.middleware``), together with the idle clock.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import secrets
from importlib import import_module

import segno
from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from feedback.errors import InvalidInputError, PermissionDeniedError
from feedback.models import Case, CaseKind, IdentityAccess, Role, UserSession
from feedback.permissions import has_role

SESSION_STATE_KEY = "account_2fa"
SESSION_SEEN_KEY = "account_seen"
# How often the idle clock, the session row and the two-factor state are
# refreshed: a request in between costs no write.
TOUCH_SECONDS = 60
API_PATH_PREFIX = "/api/"
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
# Roles whose holders must use two-factor log-in.  Reception staff receive
# denunciations and may see the denouncer of those they logged.
TWO_FACTOR_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.ADMIN, Role.RECEPTION)


# --------------------------------------------------------------------------
# Who must use a second factor
# --------------------------------------------------------------------------


def two_factor_required(user) -> bool:
    """Whether ``user`` must log in with a second factor: superusers,
    leaders, supervisors, administrators, reception staff, and anyone else
    entitled to see a denouncer's identity (``can_see_identity``: the
    assignee of a denunciation) or who has ever opened one."""
    if not getattr(user, "is_authenticated", False):
        return False
    if has_role(user, *TWO_FACTOR_ROLES):
        return True
    if Case.objects.filter(kind=CaseKind.DENUNCIATION, assignee=user).exists():
        return True
    return IdentityAccess.objects.filter(user=user).exists()


def totp_device_of(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(
        device__user=user, device__name=RECOVERY_DEVICE_NAME
    ).count()


# --------------------------------------------------------------------------
# The session's two-factor state
# --------------------------------------------------------------------------


def session_state_refresh(request, user) -> dict:
    """Compute and store the session's two-factor state; drop the
    verification when the device that verified it is gone."""
    device = totp_device_of(user)
    state = {"required": two_factor_required(user), "enrolled": device is not None}
    request.session[SESSION_STATE_KEY] = state
    verified_by = request.session.get(DEVICE_ID_SESSION_KEY)
    if verified_by and not _device_exists(user, verified_by):
        del request.session[DEVICE_ID_SESSION_KEY]
    return state


def _device_exists(user, persistent_id: str) -> bool:
    from django_otp.models import Device

    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk


def session_is_verified(request) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


def session_second_factor_step(request) -> str | None:
    """What the session still lacks: ``"enrol"`` (must enrol first),
    ``"verify"`` (must enter a code) or ``None``."""
    state = request.session.get(SESSION_STATE_KEY) or {}
    if session_is_verified(request):
        return None
    if state.get("enrolled"):
        return "verify"
    if state.get("required"):
        return "enrol"
    return None


def second_factor_verify(request, *, token: str) -> bool:
    """Check ``token`` against the user's authenticator, then their recovery
    codes (each good once); on success mark the session verified."""
    device = second_factor_match(request.user, token=token)
    if device is None:
        return False
    otp_login(request, device)
    return True


def second_factor_match(user, *, token: str):
    """The user's device that accepts ``token`` (a recovery code is used up
    by it), or ``None``.  django-otp throttles each device's failures."""
    token = normalise_code(token)
    if not token:
        return None
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id"),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(token):
                return locked
    return None


# --------------------------------------------------------------------------
# Enrolment, recovery codes, disabling
# --------------------------------------------------------------------------


@transaction.atomic
def totp_enrolment_start(*, user) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for ``user`` (any earlier
    unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def totp_pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def totp_secret(device: TOTPDevice) -> str:
    """The device's key in base32, as authenticator apps take it."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> SafeString:
    """An inline ``<svg>`` QR code of the ``otpauth://`` URL (segno, as in
    ``feedback.qr``), to scan with an authenticator app."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(
        scale=4,
        title=_("QR code to scan with an authenticator app"),
        svgclass="qr",
        border=2,
        omitsize=True,
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308


@transaction.atomic
def totp_enrolment_confirm(*, request, device_id: int, token: str) -> list[str]:
    """Confirm the pending authenticator with a code from it: it replaces
    any earlier one, the session is verified with it and new recovery codes
    are issued (returned, to show once)."""
    user = request.user
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False, pk=device_id)
        .first()
    )
    if device is None:
        raise InvalidInputError(
            _("The enrolment has expired; start again."),
            fields={"token": [_("The enrolment has expired; start again.")]},
        )
    if not device.verify_token("".join(str(token).split())):
        raise InvalidInputError(
            _("The code is not right. Check the time on your phone and try again."),
            fields={"token": [_("The code is not right.")]},
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    request.session[SESSION_STATE_KEY] = {
        "required": two_factor_required(user),
        "enrolled": True,
    }
    return recovery_codes_regenerate(user=user)


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _index in range(10))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    """Replace the user's recovery codes with new ones (returned once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [_recovery_code() for _index in range(settings.ACCOUNT_RECOVERY_CODES)]
    # Stored without the dash: the check strips spaces, not dashes.
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code.replace("-", "")) for code in codes
    )
    return codes


def normalise_code(token: str) -> str:
    return "".join(str(token).split()).replace("-", "")


@transaction.atomic
def two_factor_disable(*, user) -> None:
    """Remove the user's authenticator and recovery codes; refused for those
    who must use two-factor log-in."""
    if two_factor_required(user):
        raise PermissionDeniedError(
            _("Two-factor log-in is required for your role and cannot be turned off.")
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def two_factor_reset(*, user) -> int:
    """An administrator's reset for a user who lost their phone and codes:
    devices removed, every session ended; the user enrols again at the next
    log-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return user_sessions_end(user=user)


# --------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the last entry of the header
    named by ``PUBLIC_CLIENT_IP_HEADER`` (e.g. ``HTTP_X_REAL_IP``) when a
    trusted proxy sets it: the entries before it are whatever the client
    sent.  ``None`` when it is not an IP address."""
    header = getattr(settings, "PUBLIC_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    value = value.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def user_session_touch(request, user, *, now=None) -> None:
    """Record that the session was used now (created if missing: the key
    changes when Django cycles it)."""
    key = request.session.session_key
    if not key:
        return
    now = now or timezone.now()
    updated = UserSession.objects.filter(session_key=key).update(last_seen_at=now)
    if not updated:
        UserSession.objects.create(
            session_key=key,
            user=user,
            last_seen_at=now,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
        )


def user_sessions_active(user, *, now=None):
    """The user's sessions that are neither idle past the timeout nor past
    their absolute age, most recent first."""
    now = now or timezone.now()
    return UserSession.objects.filter(
        user=user,
        last_seen_at__gt=now - dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT),
        created_at__gt=now - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE),
    )


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


@transaction.atomic
def user_sessions_end(*, user, keep_key: str | None = None, session_id=None) -> int:
    """End the user's sessions (one, by ``session_id``, or all but
    ``keep_key``): the sessions themselves are deleted, so their cookies no
    longer log anyone in. Answers how many were ended."""
    rows = UserSession.objects.filter(user=user)
    if session_id is not None:
        rows = rows.filter(pk=session_id)
    if keep_key:
        rows = rows.exclude(session_key=keep_key)
    keys = list(rows.values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store(session_key=key).delete()
    rows.delete()
    return len(keys)


@receiver(user_logged_in, dispatch_uid="feedback.accounts.logged_in")
def _on_logged_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now()
    request.session[SESSION_SEEN_KEY] = int(now.timestamp())
    session_state_refresh(request, user)
    user_session_touch(request, user, now=now)


@receiver(user_logged_out, dispatch_uid="feedback.accounts.logged_out")
def _on_logged_out(sender, request, user, **kwargs):
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


# --------------------------------------------------------------------------
# Lock-out
# --------------------------------------------------------------------------


class LockoutBackend(AxesStandaloneBackend):
    """axes' lock-out check, first in ``AUTHENTICATION_BACKENDS``.

    Web and API log-ins always pass the request; ``authenticate()`` without
    one (a management command, the shell) has no client address to count
    against, so it is not checked here rather than refused.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message() -> str:
    return _(
        "Too many failed log-ins. This account is locked from your address for "
        "%(minutes)s minutes; try again later or ask an administrator to unlock it."
    ) % {"minutes": lockout_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    """axes' ``AXES_LOCKOUT_CALLABLE``: the log-in page with the lock-out
    message (429); the API answers a lock-out in its own error shape, so its
    response is kept."""
    if original_response is not None and request.path_info.startswith(API_PATH_PREFIX):
        return original_response
    return render(
        request,
        "registration/locked_out.html",
        {"message": lockout_message(), "minutes": lockout_minutes()},
        status=429,
    )
