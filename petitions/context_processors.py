"""Template context of the reception desk, shared by every page."""

from petitions.permissions import can_use_desk


def desk(request):
    """``can_use_desk`` for the header's "Reception desk" link: only reception
    staff use the desk, so only they see the link.  Evaluated when a page
    shows the staff menu, from the memberships the request already holds."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"can_use_desk": lambda: can_use_desk(user)}
