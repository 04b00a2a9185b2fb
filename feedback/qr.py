"""QR codes for receipts: they open the public tracking page with the code
filled in, never the PIN.

Generated locally with ``segno`` as inline SVG, so a receipt needs no image
request and no third-party service, and prints sharply at any size.
"""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from feedback.tracking import normalize_code


def tracking_url(request_or_base_url, code: str) -> str:
    """The absolute URL of the tracking page with ``code`` pre-filled.

    ``request_or_base_url`` is the current request (its scheme and host are
    used) or a base URL such as ``https://langnghe.example.gov.vn``.
    """
    path = f"{reverse('public-track')}?{urlencode({'code': normalize_code(code)})}"
    if hasattr(request_or_base_url, "build_absolute_uri"):
        return request_or_base_url.build_absolute_uri(path)
    return f"{str(request_or_base_url).rstrip('/')}{path}"


def tracking_qr_svg(request_or_base_url, code: str, *, scale: int = 3) -> SafeString:
    """An inline ``<svg>`` QR code of ``tracking_url``, safe to put in a page.

    The markup comes from segno (which escapes the title) and encodes only the
    URL we built, so it is marked safe; its ``<title>`` tells screen-reader
    users what it is.
    """
    qr = segno.make(tracking_url(request_or_base_url, code), error="m")
    title = _("QR code: open the tracking page for code %(code)s") % {
        "code": normalize_code(code)
    }
    svg = qr.svg_inline(
        scale=scale, title=title, svgclass="qr", border=2, omitsize=True
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308
