"""Differences between a submitted (frozen) report and the same report counted
again today: how later corrections to cases show, never as a silent change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from reports import sources
from reports.statistics import FIGURE_KEYS, FIGURE_LABELS


def as_stored(data: dict) -> dict:
    """``data`` as a JSON field gives it back (decimals and dates as JSON
    stores them), so that a frozen report compares value for value."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@dataclass(frozen=True)
class Difference:
    section: str
    row: str
    figure: str
    frozen: int
    current: int

    @property
    def delta(self) -> int:
        return self.current - self.frozen


def _rows(data: dict, name: str) -> dict[str, dict]:
    return {row["key"]: row for row in data.get(name) or []}


def _compare(section, labels, frozen, current, keys, out) -> None:
    for key in keys:
        before = (frozen or {}).get(key) or 0
        after = (current or {}).get(key) or 0
        if before != after:
            out.append(
                Difference(
                    section=section,
                    row=labels[0],
                    figure=str(labels[1].get(key, key)),
                    frozen=before,
                    current=after,
                )
            )


def figure_differences(frozen: dict, current: dict) -> list[Difference]:
    """Every figure whose value changed, section by section (totals first,
    then each breakdown, reception and meetings). Rows are matched by key;
    a row on one side only counts as zeros on the other."""
    differences: list[Difference] = []
    _compare(
        _("Total"),
        (_("Total"), FIGURE_LABELS),
        frozen.get("total", {}).get("figures"),
        current.get("total", {}).get("figures"),
        FIGURE_KEYS,
        differences,
    )
    sections = (
        ("by_kind", _("By kind")),
        ("by_field", _("By field")),
        ("by_channel", _("By channel")),
        ("by_unit", _("By unit")),
    )
    for name, title in sections:
        before, after = _rows(frozen, name), _rows(current, name)
        for key in [*before, *(k for k in after if k not in before)]:
            row = after.get(key) or before.get(key)
            _compare(
                title,
                (row["label"], FIGURE_LABELS),
                (before.get(key) or {}).get("figures"),
                (after.get(key) or {}).get("figures"),
                FIGURE_KEYS,
                differences,
            )
    _compare(
        _("Citizen reception"),
        (_("Total"), dict(sources.RECEPTION_FIGURES)),
        frozen.get("reception"),
        current.get("reception"),
        [key for key, _label in sources.RECEPTION_FIGURES],
        differences,
    )
    _compare(
        _("Dialogues and voter meetings"),
        (_("Total"), dict(sources.MEETING_FIGURES)),
        (frozen.get("meetings") or {}).get("total"),
        (current.get("meetings") or {}).get("total"),
        [key for key, _label in sources.MEETING_FIGURES],
        differences,
    )
    return differences
