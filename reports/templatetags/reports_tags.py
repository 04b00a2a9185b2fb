"""Template helpers of the report pages: drill-down links and rates."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag
def drill(base: dict, extra: dict | None, figure: str) -> str:
    """The URL of the cases behind ``figure``: the page's unit and period
    (``base``) narrowed by a row's filters (``extra``)."""
    params = {**base, **(extra or {}), "figure": figure}
    return f"{reverse('report-cases')}?{urlencode(params)}"


@register.simple_tag
def activity_link(base: dict, figure: str, **extra) -> str:
    """The URL of the visits, meetings or items behind an activity figure."""
    params = {**base, "figure": figure, **{k: v for k, v in extra.items() if v}}
    return f"{reverse('report-activity')}?{urlencode(params)}"


@register.simple_tag
def page_url(base: dict, **extra) -> str:
    """The report page (or, with ``view``, another report view) with the
    page's parameters changed by ``extra``."""
    view = extra.pop("view", "report-summary")
    params = {**base, **{k: v for k, v in extra.items() if v not in (None, "")}}
    return f"{reverse(view)}?{urlencode(params)}"


@register.simple_tag
def case_url(case) -> str:
    """The staff page of a case, when the deployment has one."""
    try:
        return reverse("case-detail", args=[case.pk])
    except NoReverseMatch:
        return ""


@register.filter
def rate(value) -> str:
    """A percentage with one decimal, or a dash when there is none."""
    if value is None or value == "":
        return "—"
    return f"{formats.number_format(Decimal(str(value)), decimal_pos=1)} %"


@register.filter
def get(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)
