"""The Content-Security-Policy every response carries.

No inline script, style or event handler anywhere: every page loads its
JavaScript and CSS from ``static/``.  A view that needs a different policy
sets the header itself; the middleware never replaces a header a view has
set.  The Django admin, the DRF browsable API and the API docs page need no
inline script either.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADER = "Content-Security-Policy"


def policy() -> str:
    return getattr(settings, "CONTENT_SECURITY_POLICY", "") or DEFAULT_POLICY


class ContentSecurityPolicyMiddleware:
    """Add ``settings.CONTENT_SECURITY_POLICY`` to every response that has
    none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy()
        return response
