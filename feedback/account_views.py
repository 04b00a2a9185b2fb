"""Staff log-in and the account pages: the password step, the second-factor
step, enrolment of an authenticator app, recovery codes, and the profile
(two-factor status, open sessions, a link to the API tokens).

Each view parses the request, calls one service of ``feedback.accounts``
and renders.  ``feedback.middleware`` keeps a session that owes its second
factor on the ``verify``/``enrol`` pages.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from feedback import accounts
from feedback.account_forms import EnrolForm, SecondFactorForm
from feedback.errors import InvalidInputError, PermissionDeniedError

NEW_CODES_SESSION_KEY = "account_new_recovery_codes"


def _next_url(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    """The password step; the second factor follows when the user has one
    or must have one."""

    template_name = "registration/login.html"

    def get_success_url(self):
        target = super().get_success_url()
        step = accounts.session_second_factor_step(self.request)
        if step == "verify":
            return _with_next("account:verify", target)
        if step == "enrol":
            return _with_next("account:enrol", target)
        return target


def _locked_out(request):
    """End the half-logged-in session and show the lock-out page."""
    logout(request)
    return accounts.lockout_response(request)


@login_required
def verify(request):
    """The second-factor step: a code from the app or a recovery code."""
    next_url = _next_url(request)
    step = accounts.session_second_factor_step(request)
    if step is None:
        return redirect(next_url)
    if step == "enrol":
        return redirect(_with_next("account:enrol", next_url))
    credentials = {"username": request.user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked_out(request)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if accounts.second_factor_verify(request, token=form.cleaned_data["token"]):
            return redirect(next_url)
        # A wrong code counts towards the lock-out like a wrong password.
        user_login_failed.send(
            sender=__name__, credentials=credentials, request=request
        )
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request)
        form.add_error("token", _("The code is not right."))
    return render(request, "account/verify.html", {"form": form, "next": next_url})


@login_required
def enrol(request):
    """Set up an authenticator app: its secret and QR code, then a code from
    it to confirm.  A session that owes a code for an existing device must
    give it first (a new device must not bypass the old one)."""
    next_url = _next_url(request, default="account:profile")
    if accounts.session_second_factor_step(request) == "verify":
        return redirect(_with_next("account:verify", next_url))
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = accounts.totp_enrolment_confirm(
                request=request,
                device_id=form.cleaned_data["device"],
                token=form.cleaned_data["token"],
            )
        except InvalidInputError as error:
            for name, errors in error.fields.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        else:
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Two-factor log-in is on."))
            return redirect(_with_next("account:recovery-codes", next_url))
    device = accounts.totp_pending_device(request.user)
    if device is None:
        device = accounts.totp_enrolment_start(user=request.user)
    return render(
        request,
        "account/enrol.html",
        {
            "form": form,
            "next": next_url,
            "device": device,
            "secret": accounts.totp_secret(device),
            "qr": accounts.totp_qr_svg(device),
            "required": accounts.two_factor_required(request.user),
        },
    )


@login_required
@require_GET
def recovery_codes(request):
    """The recovery codes just generated, shown this once."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("account:profile")
    return render(
        request,
        "account/recovery_codes.html",
        {"codes": codes, "next": _next_url(request, default="account:profile")},
    )


@login_required
@require_GET
def profile(request):
    user = request.user
    sessions = list(accounts.user_sessions_active(user))
    return render(
        request,
        "account/profile.html",
        {
            "required": accounts.two_factor_required(user),
            "device": accounts.totp_device_of(user),
            "codes_left": accounts.recovery_codes_left(user),
            "sessions": sessions,
            "current_key": request.session.session_key,
            "disable_form": SecondFactorForm(),
        },
    )


@login_required
@require_POST
def recovery_codes_regenerate(request):
    if accounts.totp_device_of(request.user) is None:
        return redirect("account:profile")
    request.session[NEW_CODES_SESSION_KEY] = accounts.recovery_codes_regenerate(
        user=request.user
    )
    messages.success(request, _("New recovery codes: the old ones no longer work."))
    return redirect("account:recovery-codes")


@login_required
@require_POST
def two_factor_disable(request):
    form = SecondFactorForm(request.POST)
    if not form.is_valid() or not accounts.second_factor_match(
        request.user, token=form.cleaned_data["token"]
    ):
        messages.error(request, _("The code is not right."))
        return redirect("account:profile")
    try:
        accounts.two_factor_disable(user=request.user)
    except PermissionDeniedError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Two-factor log-in is off."))
    return redirect("account:profile")


@login_required
@require_POST
def session_end(request, pk):
    """End one of the user's other sessions."""
    ended = accounts.user_sessions_end(
        user=request.user, session_id=pk, keep_key=request.session.session_key
    )
    if ended:
        messages.success(request, _("That session is logged out."))
    return redirect("account:profile")


@login_required
@require_POST
def sessions_end_others(request):
    """Log out everywhere but here."""
    ended = accounts.user_sessions_end(
        user=request.user, keep_key=request.session.session_key
    )
    messages.success(
        request,
        ngettext(
            "Logged out of %(count)s other session.",
            "Logged out of %(count)s other sessions.",
            ended,
        )
        % {"count": ended},
    )
    return redirect("account:profile")
