"""Forms of the work program pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Rating, TaskStatus

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EVIDENCE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def apply_domain_error(form, error) -> None:
    """Put a service's refusal on the form: field messages next to their
    fields, the rest at the top."""
    placed = False
    for name, message in (error.fields or {}).items():
        form.add_error(name if name in form.fields else None, message)
        placed = True
    if not placed:
        form.add_error(None, str(error.message))


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2099)


class TaskProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = forms.FileField(
        label=_("Evidence (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )


class BrightSpotForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2099)
    title = forms.CharField(label=_("Title"), max_length=255)
    field = forms.CharField(label=_("Field"), max_length=255)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}))
    period = forms.CharField(label=_("Period"), max_length=120)
    expected_result = forms.CharField(
        label=_("Expected result"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class BrightSpotActionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text = forms.CharField(
        label=_("Progress or result"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rating = forms.ChoiceField(
        label=_("Rating"),
        required=False,
        choices=[("", "—"), *Rating.choices],
    )

    def __init__(self, *args, needs: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {
            "comment": {"comment"},
            "text": {"text"},
            "rating": {"rating", "comment"},
        }.get(needs, set())
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
