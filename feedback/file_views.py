"""Downloads of case attachments, and the site's ``security.txt``.

An attachment is served only to those who may view its case; a confidential
one (or any file of a denunciation) only to those entitled to the
denouncer's identity, and each such download is recorded like any other
showing of the identity.  Everything refused is a 404, anonymous users
included.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from feedback import files
from feedback.models import Attachment, CaseKind
from feedback.services.identity import identity_access_record

# Where the identity was shown (stored in ``IdentityAccess.context``).
CONTEXT_ATTACHMENT = "attachment"


@require_GET
@files.file_view
def case_attachment(request, pk, attachment_pk):
    """One attachment of case ``pk``, as a download."""
    attachment = (
        Attachment.objects.select_related("case__responsible_unit")
        .filter(pk=attachment_pk, case_id=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    case = attachment.case
    if not files.can_download_attachment(request.user, attachment, case):
        raise Http404
    # Every file of a denunciation is confidential (``files``): opening one
    # is a showing of the identity.
    if case.kind == CaseKind.DENUNCIATION:
        identity_access_record(user=request.user, case=case, context=CONTEXT_ATTACHMENT)
    return files.file_response(
        attachment.file,
        filename=attachment.original_name or attachment.file.name,
        content_type=attachment.content_type,
    )


@require_GET
@cache_control(public=True, max_age=24 * 60 * 60)
def security_txt(request):
    """``/.well-known/security.txt`` (RFC 9116): whom to tell about a
    vulnerability; it expires a year from today."""
    expires = (timezone.now() + dt.timedelta(days=365)).replace(microsecond=0)
    site = settings.SITE_URL.rstrip("/")
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: vi, en",
        f"Canonical: {site}/.well-known/security.txt",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )
