"""The dashboard's trend chart as inline SVG, drawn on the server: no script,
no library, no CDN. Every bar is a link to the cases it counts and carries a
``<title>`` that screen readers and tooltips read; the page shows the same
numbers in a table for whoever cannot see the chart.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports.statistics import MonthPoint

WIDTH = 960
HEIGHT = 260
LEFT = 44
RIGHT = 12
TOP = 16
BOTTOM = 44
RECEIVED_COLOUR = "#8b1a1a"
RESOLVED_COLOUR = "#1d6b35"
# Presentation attributes, not ``style``: the Content-Security-Policy has no
# 'unsafe-inline' for styles.
GRID = ' stroke="#d6d6d6" stroke-width="1"'
AXIS = ' font-size="12" font-family="system-ui,sans-serif" fill="#5b5b5b"'


def _nice_ceiling(value: int) -> int:
    """The smallest 1-2-5 × 10ⁿ at or above ``value`` (at least 5)."""
    if value <= 5:
        return 5
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def trend_svg(
    points: list[MonthPoint],
    *,
    link: Callable[[MonthPoint, str], str],
    title: str,
) -> SafeString:
    """Bars of received and resolved cases per month, with four grid lines.

    ``link(point, figure)`` gives the drill-down URL of a bar.
    """
    count = max(len(points), 1)
    top_value = _nice_ceiling(
        max((max(p.received, p.resolved) for p in points), default=0)
    )
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / count
    bar = max(slot * 0.36, 2)

    def y(value: int) -> float:
        return TOP + plot_height * (1 - value / top_value)

    parts: list[str] = []
    for step in range(5):
        value = top_value * step // 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"' + GRID + "/>"
                '<text x="{}" y="{}" class="axis"'
                + AXIS
                + ' text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                f"{y(value):.1f}",
                f"{y(value):.1f}",
                LEFT - 6,
                f"{y(value) + 4:.1f}",
                value,
            )
        )
    for index, point in enumerate(points):
        x = LEFT + slot * index + (slot - 2 * bar) / 2
        month = point.period.start.strftime("%m/%Y")
        for offset, figure, value, colour, label in (
            (0, "received", point.received, RECEIVED_COLOUR, _("received")),
            (bar, "resolved", point.resolved, RESOLVED_COLOUR, _("resolved")),
        ):
            height = plot_height * value / top_value
            parts.append(
                format_html(
                    '<a href="{}"><rect x="{}" y="{}" width="{}" height="{}" '
                    'fill="{}"><title>{}: {} {}</title></rect></a>',
                    link(point, figure),
                    f"{x + offset:.1f}",
                    f"{TOP + plot_height - height:.1f}",
                    f"{bar:.1f}",
                    f"{max(height, 0.5):.1f}",
                    colour,
                    month,
                    value,
                    label,
                )
            )
        if index % 2 == 0 or count <= 12:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="axis"'
                    + AXIS
                    + ' text-anchor="middle">{}</text>',
                    f"{LEFT + slot * index + slot / 2:.1f}",
                    HEIGHT - BOTTOM + 16,
                    point.period.start.strftime("%m/%y"),
                )
            )
    legend = format_html_join(
        "",
        '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>'
        '<text x="{}" y="{}" class="axis"' + AXIS + ">{}</text>",
        (
            (LEFT, HEIGHT - 16, RECEIVED_COLOUR, LEFT + 16, HEIGHT - 6, _("Received")),
            (
                LEFT + 140,
                HEIGHT - 16,
                RESOLVED_COLOUR,
                LEFT + 156,
                HEIGHT - 6,
                _("Resolved"),
            ),
        ),
    )
    return format_html(
        '<svg class="trend" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="trend-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="trend-title">{}</title>'
        "{}{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        mark_safe("".join(parts)),  # noqa: S308 - every part is format_html output
        legend,
    )
