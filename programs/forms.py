"""Forms of the work program pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programs.models import Rating, TaskKind, TaskStatus

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


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


CHECKS = forms.CheckboxSelectMultiple(attrs={"class": "checks"})


class UnitsField(forms.ModelMultipleChoiceField):
    widget = CHECKS

    def label_from_instance(self, obj):
        return obj.name


class ParentProgramField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year} · {obj.title} ({obj.unit.name})"


def _lines(value) -> str:
    return "\n".join(value or ())


class ProgramForm(forms.Form):
    """A work program's values; ``unit`` and ``year`` only when creating."""

    unit = UnitChoiceField(label=_("Unit"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2099)
    parent_program = ParentProgramField(
        label=_("Implements the committee's program"),
        queryset=None,
        required=False,
        help_text=_("Leave empty for the steering committee's own program."),
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    issued_on = forms.DateField(
        label=_("Issued on"), required=False, widget=DATE_WIDGET
    )
    signer_name = forms.CharField(label=_("Signed by"), max_length=120, required=False)
    legal_bases = forms.CharField(
        label=_("Legal bases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One document per line."),
    )
    focus_areas = forms.CharField(
        label=_("Focus areas"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One area per line."),
    )
    required_units = UnitsField(
        label=_("Units that must submit their own program"),
        queryset=None,
        required=False,
    )
    units_due_on = forms.DateField(
        label=_("Units' programs due on"), required=False, widget=DATE_WIDGET
    )
    half_year_report_due_on = forms.DateField(
        label=_("6-month reports due on"), required=False, widget=DATE_WIDGET
    )
    annual_report_due_on = forms.DateField(
        label=_("Annual reports due on"), required=False, widget=DATE_WIDGET
    )

    COMMITTEE_ONLY = (
        "required_units",
        "units_due_on",
        "half_year_report_due_on",
        "annual_report_due_on",
    )

    def __init__(self, *args, units, parents, reviewed, creating=True, **kwargs):
        initial = dict(kwargs.pop("initial", None) or {})
        for name in ("legal_bases", "focus_areas"):
            if isinstance(initial.get(name), list):
                initial[name] = _lines(initial[name])
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["parent_program"].queryset = parents
        self.fields["required_units"].queryset = reviewed
        if creating:
            self.fields["unit"].queryset = units
        else:
            del self.fields["unit"], self.fields["year"]
        if not reviewed.exists() and not initial.get("required_units"):
            for name in self.COMMITTEE_ONLY:
                del self.fields[name]

    def service_values(self) -> dict:
        """The values for ``program_create`` / ``program_update``."""
        data = dict(self.cleaned_data)
        data.pop("unit", None)
        data.pop("year", None)
        for name in ("legal_bases", "focus_areas"):
            data[name] = data[name].splitlines()
        if "required_units" in data:
            data["required_units"] = list(data["required_units"])
        return data


class TaskForm(forms.Form):
    """A task's values; ``status`` only when editing."""

    title = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices)
    quarters = forms.TypedMultipleChoiceField(
        label=_("Quarters"),
        choices=[(q, str(q)) for q in (1, 2, 3, 4)],
        coerce=int,
        required=False,
        widget=CHECKS,
    )
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty: due at the end of the last quarter chosen."),
    )
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=None, required=False)
    cooperating_units = UnitsField(
        label=_("Co-operating units"), queryset=None, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    position = forms.IntegerField(
        label=_("Position"), min_value=0, max_value=32767, required=False
    )

    def __init__(self, *args, units, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarters"].choices = [
            (q, gettext("Quarter %(quarter)s") % {"quarter": q}) for q in (1, 2, 3, 4)
        ]
        self.fields["lead_unit"].queryset = units
        self.fields["cooperating_units"].queryset = units
        if not editing:
            del self.fields["status"]

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["cooperating_units"] = list(data["cooperating_units"])
        data["position"] = data["position"] or 0
        return data


class InspectionPlanForm(forms.Form):
    unit = UnitChoiceField(label=_("Inspected unit"), queryset=None)
    planned_on = forms.DateField(label=_("Planned date"), widget=DATE_WIDGET)
    team = forms.CharField(
        label=_("Inspection team"), widget=forms.Textarea(attrs={"rows": 2})
    )
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class InspectionRecordForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE_WIDGET)
    findings = forms.CharField(
        label=_("Findings"), widget=forms.Textarea(attrs={"rows": 6})
    )


class InspectionConcludeForm(forms.Form):
    number = forms.CharField(label=_("Conclusion number"), max_length=60)
    date = forms.DateField(label=_("Conclusion date"), widget=DATE_WIDGET)
    text = forms.CharField(
        label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 6})
    )


class FollowUpForm(forms.Form):
    title = forms.CharField(
        label=_("Follow-up action"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE_WIDGET)

    def clean(self):
        data = super().clean()
        if data.get("title", "").strip() and not data.get("due_on"):
            self.add_error("due_on", _("Give the action a due date."))
        if data.get("due_on") and not data.get("title", "").strip():
            self.add_error("title", _("Describe the action."))
        return data


FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=3, max_num=30)


def follow_up_rows(formset) -> list[tuple[str, object]]:
    """The filled rows of a valid follow-up formset as (text, due date)."""
    return [
        (form.cleaned_data["title"], form.cleaned_data["due_on"])
        for form in formset
        if form.cleaned_data.get("title", "").strip()
    ]
