"""Forms of the report pages: choosing the unit and period, submitting a
report. They parse input; the rules live in the selectors and services."""

from __future__ import annotations

import contextlib
import datetime as dt

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback.errors import InvalidInputError
from reports.models import ReportKind
from reports.periods import (
    Window,
    date_range,
    parse_period,
    period_kind_of,
    recent_periods,
)

RANGE = "range"


def unit_choices(units, current=None) -> list[tuple[str, str]]:
    """Units as select options, indented by depth; ``current`` is added in
    its place in the tree when it is not among them."""
    if current is not None and all(unit.pk != current.pk for unit in units):
        units = sorted([*units, current], key=lambda unit: unit.path)
    top = min((unit.depth for unit in units), default=0)
    return [(unit.code, "\u2003" * (unit.depth - top) + unit.name) for unit in units]


class ReportFilterForm(forms.Form):
    """Which unit and which period a page shows.

    ``period`` is a period code from the list, or "range" with the two dates;
    a code from a link that is not in the list (an older quarter, a range) is
    accepted as well.
    """

    unit = forms.ChoiceField(label=gettext_lazy("Unit"))
    period = forms.ChoiceField(label=gettext_lazy("Period"))
    date_from = forms.DateField(label=gettext_lazy("From"), required=False)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False)
    window = forms.ChoiceField(
        label=gettext_lazy("Data window"),
        required=False,
        choices=[("", gettext_lazy("As the unit's settings say")), *Window.CHOICES],
    )

    def __init__(self, data=None, *, units, current, today: dt.date, **kwargs):
        data = self._normalise(data)
        super().__init__(data, **kwargs)
        self.today = today
        self.current = current
        self.fields["unit"].choices = unit_choices(units, current)
        periods = [(p.code, capfirst(p.full_label)) for p in recent_periods(today)]
        requested = (data or {}).get("period", "")
        if requested and requested != RANGE and requested not in dict(periods):
            # A code that does not parse is reported by ``clean``.
            with contextlib.suppress(InvalidInputError):
                label = capfirst(parse_period(requested).full_label)
                periods.insert(0, (requested, label))
        self.fields["period"].choices = [
            *periods,
            (RANGE, _("Another range of dates…")),
        ]
        for name in ("date_from", "date_to"):
            self.fields[name].widget = forms.DateInput(
                attrs={"type": "date"}, format="%Y-%m-%d"
            )

    @staticmethod
    def _normalise(data):
        """A range code from a link becomes "range" and its two dates."""
        if data is None:
            return None
        data = data.copy()
        code = data.get("period", "")
        if ".." in code:
            start, _sep, end = code.partition("..")
            data["period"] = RANGE
            data.setdefault("date_from", start)
            data.setdefault("date_to", end)
        return data

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == RANGE:
            start, end = cleaned.get("date_from"), cleaned.get("date_to")
            if start is None:
                self.add_error("date_from", _("Enter the first day."))
            if end is None:
                self.add_error("date_to", _("Enter the last day."))
            if start and end:
                try:
                    date_range(start, end)
                except InvalidInputError as error:
                    self.add_error("date_to", error.fields["period"])
                else:
                    cleaned["code"] = f"{start.isoformat()}..{end.isoformat()}"
        elif cleaned.get("period"):
            cleaned["code"] = cleaned["period"]
        return cleaned

    @property
    def is_range(self) -> bool:
        return period_kind_of(self.cleaned_data.get("code", "")) == "range"


class SubmitReportForm(forms.Form):
    """Submitting the report of the unit and period on the page."""

    unit = forms.CharField(widget=forms.HiddenInput)
    period = forms.CharField(widget=forms.HiddenInput)
    window = forms.CharField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Report"), choices=ReportKind.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExportForm(forms.Form):
    """What to export: the statistics of a period or the cases behind one
    figure, and in which format."""

    target = forms.ChoiceField(choices=[("summary", "summary"), ("cases", "cases")])
    format = forms.ChoiceField(
        choices=[("xlsx", "xlsx"), ("csv", "csv"), ("docx", "docx"), ("json", "json")]
    )
    unit = forms.CharField()
    period = forms.CharField()
    window = forms.CharField(required=False)
    figure = forms.CharField(required=False)
    own = forms.BooleanField(required=False)
    kind = forms.CharField(required=False)
    field = forms.CharField(required=False)
    channel = forms.CharField(required=False)
