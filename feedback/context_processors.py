"""Template context shared by every page."""

from feedback.selectors.notifications import bell_count


def notifications(request):
    """``unread_notifications`` for the bell in the page header (up to
    ``BELL_CAP``): one COUNT query, and only for signed-in staff."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    return {"unread_notifications": bell_count(user=user)}
