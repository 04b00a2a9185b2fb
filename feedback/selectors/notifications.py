"""Reads behind the bell and the notifications page.

A notification belongs to its recipient alone: the list and the count are
scoped by ``recipient`` and nothing else.  What a notification says was
chosen, when it was written, from what that recipient was entitled to see;
the case page it links to checks permissions again when it is opened.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from feedback.models import Notification
from feedback.prepared import PreparedQuery

# The attribute ``unread_count`` caches its answer under, on the user object,
# so that the page and the bell in its header share one COUNT query.
_UNREAD_CACHE = "_langnghe_unread_notifications"
_BELL_CACHE = "_langnghe_bell_count"

LIST_FIELDS = (
    "id",
    "kind",
    "title",
    "body",
    "url",
    "created_at",
    "read_at",
    "case__id",
    "case__code",
)


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with the case code they name."""
    notifications = (
        Notification.objects.filter(recipient=user)
        .select_related("case")
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-id")
    )
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def unread_count(*, user) -> int:
    """How many of the user's notifications are unread: one COUNT query per
    request, whoever asks first (the page or the bell)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    cached = getattr(user, _UNREAD_CACHE, None)
    if cached is None:
        cached = Notification.objects.filter(
            recipient=user, read_at__isnull=True
        ).count()
        setattr(user, _UNREAD_CACHE, cached)
    return cached


# The bell shows "99+" past 99: it counts no further than this.
BELL_CAP = 100

# Every staff page's header asks: compiled once per connection. Unordered, so
# that the index finds the first ``BELL_CAP`` without sorting them.
_UNREAD_IDS = PreparedQuery(
    lambda user_id: (
        Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
        .order_by()
        .values_list("pk", flat=True)[:BELL_CAP]
    ),
    user_id=-0x5EED,
)


def bell_count(*, user) -> int:
    """Unread notifications for the bell in every page's header, counted up
    to ``BELL_CAP``: an officer may have thousands of unread reminders, and
    the badge reads "99+" for all of them."""
    if not getattr(user, "is_authenticated", False):
        return 0
    exact = getattr(user, _UNREAD_CACHE, None)
    if exact is not None:
        return min(exact, BELL_CAP)
    cached = getattr(user, _BELL_CACHE, None)
    if cached is None:
        cached = len(_UNREAD_IDS.rows(user_id=user.pk))
        setattr(user, _BELL_CACHE, cached)
    return cached


def forget_unread_count(user) -> None:
    """Drop the cached count after the user's notifications changed."""
    for name in (_UNREAD_CACHE, _BELL_CACHE):
        if hasattr(user, name):
            delattr(user, name)


def case_link(case_id: int) -> str:
    """Where a notification about a case leads: the staff case page, or the
    case in the admin where that page is not installed."""
    for url_name in ("case-detail", "admin:feedback_case_change"):
        try:
            return reverse(url_name, args=[case_id])
        except NoReverseMatch:
            continue
    return ""


def notification_link(notification: Notification) -> str:
    """The notification's own link, or its case's page; "" when it has none.

    Only links within this site are followed.
    """
    url = notification.url or (
        case_link(notification.case_id) if notification.case_id else ""
    )
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return ""
