"""Session security for logged-in staff: idle expiry and the second factor.

``AccountSecurityMiddleware`` (after the authentication and message
middleware) ends a session unused for ``SESSION_IDLE_TIMEOUT`` seconds, and
keeps a session that still owes its second factor — password given, code
not yet — away from every staff page and session-authenticated API call:
pages redirect to the code step (or to enrolment, for a user who must have
two-factor log-in and has no authenticator yet), the API answers 403 in its
error shape.  Public pages, log-in and log-out, the second-factor pages,
language switching and static files stay open.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from feedback import accounts

# URL names reachable by a session that still owes its second factor.
OPEN_URL_NAMES = frozenset(
    {
        "home",
        "healthz",
        "login",
        "logout",
        "set_language",
        "meetings-public-results",
        "meetings-public-result",
        "security-txt",
    }
)
# The second-factor pages themselves (``feedback.account_urls``).
OPEN_ACCOUNT_NAMES = frozenset({"verify", "enrol", "recovery-codes"})
# The API's public section and its schema/docs need no staff session.
OPEN_API_NAMES = frozenset({"schema", "docs"})


def _is_open(match) -> bool:
    if match is None:
        return True
    if match.url_name in OPEN_URL_NAMES:
        return True
    if (match.url_name or "").startswith("public-"):
        return True
    if "account" in match.namespaces and match.url_name in OPEN_ACCOUNT_NAMES:
        return True
    return "api" in match.namespaces and match.url_name in OPEN_API_NAMES


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        now = int(time.time())
        seen = session.get(accounts.SESSION_SEEN_KEY)
        if seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT:
            logout(request)
            messages.info(
                request, _("You were logged out after a period of inactivity.")
            )
            return None
        if seen is None or now - seen >= accounts.TOUCH_SECONDS:
            session[accounts.SESSION_SEEN_KEY] = now
            accounts.session_state_refresh(request, user)
            accounts.user_session_touch(request, user)
        step = accounts.session_second_factor_step(request)
        if step is None or _is_open(request.resolver_match):
            return None
        if request.path_info.startswith(accounts.API_PATH_PREFIX):
            message = _(
                "Finish logging in with your second factor (the code from your "
                "authenticator app) before using the API."
            )
            return JsonResponse(
                {"error": {"code": "otp_required", "message": message, "fields": {}}},
                status=403,
            )
        target = "account:verify" if step == "verify" else "account:enrol"
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse(target)}?{query}")
