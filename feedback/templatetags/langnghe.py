"""Template helpers shared by every page."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from feedback.presentation import person_name_of

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, name, label):
    """A navigation link to the named URL, marked current on its page; nothing
    when the URL is not installed in this deployment."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    request = context.get("request")
    current = request is not None and request.path.startswith(url) and url != "/"
    return format_html(
        '<a href="{}"{}>{}</a>',
        url,
        mark_safe(' aria-current="page"') if current else "",  # noqa: S308
        label,
    )


@register.filter
def person_name(user):
    """A user's name in Vietnamese order (``presentation.person_name_of``)."""
    if user is None:
        return ""
    return person_name_of(user.first_name, user.last_name, user.get_username())
