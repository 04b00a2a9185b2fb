"""Template helpers shared by every page."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

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
        '<a href="{}"{}>{}</a>', url, ' aria-current="page"' if current else "", label
    )
