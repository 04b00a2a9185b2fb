"""The staff notifications page: the list behind the bell, mark as read.

Each view parses the request, calls one selector or service and renders; a
user only ever reaches their own notifications (another's is "not found").
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from feedback.errors import NotFoundError
from feedback.selectors import notifications as selectors
from feedback.services import notifications as services

DEFAULT_PAGE_SIZE = 25

# The colour of a notification's edge; its title says the same in words.
KIND_TONES = {
    services.NotificationKind.REMINDER: "soon",
    services.NotificationKind.ESCALATION: "late",
    services.NotificationKind.UNSATISFIED_RATING: "late",
}


def _page_size() -> int:
    return int(getattr(settings, "NOTIFICATIONS_PAGE_SIZE", DEFAULT_PAGE_SIZE))


def _back(request):
    """Where to go after a POST: the page the user came from, if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications")


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    paginator = Paginator(
        selectors.notification_list(user=request.user, unread_only=unread_only),
        _page_size(),
    )
    page = paginator.get_page(request.GET.get("page"))
    items = [
        {
            "notification": notification,
            "link": selectors.notification_link(notification),
            "tone": KIND_TONES.get(notification.kind, ""),
        }
        for notification in page.object_list
    ]
    return render(
        request,
        "feedback/notifications/list.html",
        {
            "page": page,
            "items": items,
            "unread_only": unread_only,
            "unread": selectors.unread_count(user=request.user),
        },
    )


@login_required
@require_GET
def notification_open(request, notification_id):
    """Follow a notification's link and mark it read on the way (opening is
    what reading means; it only touches the user's own notification)."""
    notification = (
        selectors.notification_list(user=request.user)
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        raise Http404
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect(selectors.notification_link(notification) or "notifications")


@login_required
@require_POST
def notification_read(request, notification_id):
    try:
        services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
    except NotFoundError:
        raise Http404 from None
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    if count:
        messages.success(
            request,
            _("Notifications marked as read: %(count)s.") % {"count": count},
        )
    return _back(request)
