"""Template helpers shared by every page."""

import functools

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from feedback.presentation import person_name_of

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, name, label):
    """A navigation link to the named URL, marked current on its page; nothing
    when the URL is not installed in this deployment."""
    url = _nav_url(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    if url is None:
        return ""
    request = context.get("request")
    current = request is not None and request.path.startswith(url) and url != "/"
    return format_html(
        '<a href="{}"{}>{}</a>',
        url,
        mark_safe(' aria-current="page"') if current else "",  # noqa: S308
        label,
    )


@functools.lru_cache(maxsize=256)
def _nav_url(name, urlconf, prefix) -> str | None:
    """``reverse(name)``, kept: every staff page's header links the same few
    URLs, which change only with the URL configuration and its prefix (the
    arguments, so that a test's other configuration gets its own)."""
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


@register.filter
def person_name(user):
    """A user's name in Vietnamese order (``presentation.person_name_of``)."""
    if user is None:
        return ""
    return person_name_of(user.first_name, user.last_name, user.get_username())
