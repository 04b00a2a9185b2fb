"""Forms of the meeting pages: they parse and check what was typed; the rules
(who may, which state, what the law requires) stay in ``dialogues.services``,
whose refusals ``apply_domain_error`` puts back next to the right field."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogues import permissions as meeting_permissions
from dialogues.models import MeetingKind, MeetingStatus, RaisedBy, SessionTiming
from dialogues.selectors import calendar_units
from feedback import permissions
from feedback.models import Field, Role, Unit, UnitKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# Scans the browser offers to pick; the server still checks the bytes.
MINUTES_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def apply_domain_error(form, error, *, prefix: str = "") -> None:
    """Put a service's refusal on the form: field messages next to their
    fields, the rest at the top of the form."""
    placed = False
    for key, message in (error.fields or {}).items():
        name = key[len(prefix) :] if prefix and key.startswith(prefix) else key
        if name in form.fields:
            form.add_error(name, message)
        else:
            form.add_error(None, message)
        placed = True
    if not placed:
        form.add_error(None, str(error.message))


def commune_units(user):
    """Units of the communes the user organises meetings in (their whole
    trees), for the choices of participants, hamlets and responsible units."""
    organisers = list(meeting_permissions.organiser_units_for(user))
    if not organisers:
        return Unit.objects.none()
    ancestor_ids = {
        int(part)
        for unit in organisers
        for part in unit.path.strip("/").split("/")
        if part
    }
    communes = {
        unit.pk: unit.path
        for unit in Unit.objects.filter(pk__in=ancestor_ids, kind=UnitKind.COMMUNE)
    }
    condition = Q(pk__in=[])
    for unit in organisers:
        ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        commune_path = next(
            (communes[pk] for pk in reversed(ids) if pk in communes), unit.path
        )
        condition |= Q(path__startswith=commune_path)
    return Unit.objects.filter(condition, is_active=True).order_by("path")


def chair_choices(units):
    """Leaders and supervisors of ``units``: who chairs meetings there."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__unit__in=units,
            memberships__role__in=[Role.LEADER, Role.SUPERVISOR],
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = f"{obj.last_name} {obj.first_name}".strip()
        return full or obj.get_username()


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class MeetingForm(forms.Form):
    """Planning a meeting: when, where, who chairs, who takes part."""

    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    topic = forms.CharField(label=_("Topic"), max_length=255)
    organiser_unit = forms.ModelChoiceField(
        label=_("Organising unit"), queryset=Unit.objects.none()
    )
    starts_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    starts_time = forms.TimeField(label=_("Starts at"), widget=TIME_WIDGET)
    ends_time = forms.TimeField(label=_("Ends at"), widget=TIME_WIDGET, required=False)
    place = forms.CharField(label=_("Place"), max_length=255)
    chair = UserChoiceField(
        label=_("Chair (a user)"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("— not a user: type the name —"),
    )
    chair_name = forms.CharField(
        label=_("Chair's name"),
        max_length=120,
        required=False,
        help_text=_("When the chair is not a user of the system."),
    )
    chair_position = forms.CharField(
        label=_("Chair's position"), max_length=160, required=False
    )
    participating_units = UnitMultipleChoiceField(
        label=_("Participating units"), queryset=Unit.objects.none(), required=False
    )
    hamlets = UnitMultipleChoiceField(
        label=_("Hamlets"), queryset=Unit.objects.none(), required=False
    )
    deputies = forms.CharField(
        label=_("Deputies attending"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One name per line."),
    )
    council_session = forms.CharField(
        label=_("Council session"),
        max_length=255,
        required=False,
        help_text=_("For voter contact: e.g. the 9th session of the commune council."),
    )
    session_timing = forms.ChoiceField(
        label=_("Before or after the session"),
        choices=[("", "—"), *SessionTiming.choices],
        required=False,
    )
    expected_attendance = forms.IntegerField(
        label=_("Expected attendance"), min_value=0, max_value=100_000, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = commune_units(user)
        organisers = meeting_permissions.organiser_units_for(user).order_by("path")
        self.fields["organiser_unit"].queryset = organisers
        if not self.initial.get("organiser_unit"):
            # The People's Committee first: it organises most meetings.
            self.initial["organiser_unit"] = next(
                (u.pk for u in organisers if u.kind == UnitKind.PEOPLES_COMMITTEE),
                None,
            ) or next((u.pk for u in organisers), None)
        self.fields["participating_units"].queryset = units.exclude(
            kind=UnitKind.HAMLET
        )
        self.fields["hamlets"].queryset = units.filter(kind=UnitKind.HAMLET)
        self.fields["chair"].queryset = chair_choices(units)

    @classmethod
    def initial_from(cls, meeting) -> dict:
        starts = timezone.localtime(meeting.starts_at)
        ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
        return {
            "kind": meeting.kind,
            "topic": meeting.topic,
            "organiser_unit": meeting.organiser_unit_id,
            "starts_on": starts.date(),
            "starts_time": starts.time().replace(second=0, microsecond=0),
            "ends_time": ends.time().replace(second=0, microsecond=0) if ends else None,
            "place": meeting.place,
            "chair": meeting.chair_id,
            "chair_name": meeting.chair_name,
            "chair_position": meeting.chair_position,
            "participating_units": list(
                meeting.participating_units.values_list("pk", flat=True)
            ),
            "hamlets": list(meeting.hamlets.values_list("pk", flat=True)),
            "deputies": meeting.deputies,
            "council_session": meeting.council_session,
            "session_timing": meeting.session_timing,
            "expected_attendance": meeting.expected_attendance,
        }

    def clean(self):
        data = super().clean()
        if not data.get("chair") and not data.get("chair_name", "").strip():
            self.add_error("chair_name", _("Choose the chair or type their name."))
        return data

    def service_kwargs(self) -> dict:
        """The planning values as ``meeting_create``/``meeting_update`` take
        them, with aware local times."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        starts_at = timezone.make_aware(
            dt.datetime.combine(data["starts_on"], data["starts_time"]), zone
        )
        ends_at = None
        if data.get("ends_time"):
            ends_at = timezone.make_aware(
                dt.datetime.combine(data["starts_on"], data["ends_time"]), zone
            )
        return {
            "kind": data["kind"],
            "topic": data["topic"],
            "organiser_unit": data["organiser_unit"],
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": data["place"],
            "chair": data.get("chair"),
            "chair_name": data.get("chair_name", ""),
            "chair_position": data.get("chair_position", ""),
            "participating_units": list(data.get("participating_units") or []),
            "hamlets": list(data.get("hamlets") or []),
            "deputies": data.get("deputies", ""),
            "council_session": data.get("council_session", ""),
            "session_timing": data.get("session_timing", ""),
            "expected_attendance": data.get("expected_attendance"),
        }


# Service error keys that belong to a form field of another name.
MEETING_FIELD_ALIASES = {"starts_at": "starts_on", "ends_at": "ends_time"}


def apply_meeting_error(form, error) -> None:
    fields = {
        MEETING_FIELD_ALIASES.get(key, key): message
        for key, message in (error.fields or {}).items()
    }
    error.fields = fields
    apply_domain_error(form, error)


class MinutesForm(forms.Form):
    """The record of a held meeting."""

    actual_attendance = forms.IntegerField(
        label=_("Actual attendance"), min_value=0, max_value=100_000
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What was presented, who spoke, what was agreed."),
    )
    minutes_file = forms.FileField(
        label=_("Scan of the signed minutes"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": MINUTES_ACCEPT}),
        help_text=_("PDF, JPEG or PNG."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ItemForm(forms.Form):
    """One opinion or petition raised at the meeting."""

    raised_by = forms.ChoiceField(
        label=_("Raised by"),
        choices=RaisedBy.choices,
        initial=RaisedBy.PERSON,
        widget=forms.RadioSelect,
    )
    raiser_name = forms.CharField(label=_("Full name"), max_length=120, required=False)
    raiser_address = forms.CharField(label=_("Address"), max_length=255, required=False)
    raiser_phone = forms.CharField(
        label=_("Phone number"), max_length=15, required=False
    )
    raiser_hamlet = forms.ModelChoiceField(
        label=_("Hamlet"), queryset=Unit.objects.none(), required=False
    )
    field = forms.ModelChoiceField(
        label=_("Field"), queryset=Field.objects.filter(is_active=True)
    )
    title = forms.CharField(label=_("Summary"), max_length=255)
    content = forms.CharField(
        label=_("What was raised"), widget=forms.Textarea(attrs={"rows": 3})
    )
    is_hot_spot = forms.BooleanField(label=_("Hot spot"), required=False)

    def __init__(self, *args, hamlets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if hamlets is not None:
            self.fields["raiser_hamlet"].queryset = hamlets

    def clean(self):
        data = super().clean()
        if (
            data.get("raised_by") == RaisedBy.PERSON
            and not data.get("raiser_name", "").strip()
        ):
            self.add_error("raiser_name", _("Enter the name of who raised it."))
        if data.get("raised_by") == RaisedBy.HAMLET_VOTERS and not data.get(
            "raiser_hamlet"
        ):
            self.add_error(
                "raiser_hamlet", _("Choose the hamlet whose voters raised it.")
            )
        return data


class BaseItemFormSet(forms.BaseFormSet):
    def __init__(self, *args, hamlets=None, **kwargs):
        self.hamlets = hamlets
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"hamlets": self.hamlets}

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(form.has_changed() for form in self.forms):
            raise forms.ValidationError(_("Enter at least one item."))


ItemFormSet = forms.formset_factory(
    ItemForm, formset=BaseItemFormSet, extra=3, max_num=50, validate_max=True
)


class ItemProcessForm(forms.Form):
    """What to do with one pending item: turn it into a case (with the
    responsible unit and the chair's date) or record the answer given."""

    selected = forms.BooleanField(label=_("Select"), required=False)
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.none(), required=False
    )
    answer_due_on = forms.DateField(
        label=_("Answer due (set by the chair)"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Leave blank for the legal deadline."),
    )
    is_hot_spot = forms.BooleanField(label=_("Hot spot"), required=False)
    answer = forms.CharField(
        label=_("Answer given on the spot"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    answered_by = forms.CharField(
        label=_("Answered by"), max_length=160, required=False
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["responsible_unit"].queryset = units

    def require(self, *names) -> bool:
        """Check that ``names`` were filled in for the chosen action."""
        messages = {
            "responsible_unit": _("Choose the unit responsible for the answer."),
            "answer": _("Enter the answer given at the meeting."),
        }
        ok = True
        for name in names:
            if not self.cleaned_data.get(name):
                self.add_error(name, messages[name])
                ok = False
        return ok


class MergeForm(forms.Form):
    primary = forms.TypedChoiceField(
        label=_("Keep this item"), coerce=int, widget=forms.RadioSelect
    )
    items = forms.TypedMultipleChoiceField(
        label=_("Merge these identical items into it"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, primaries, pending, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary"].choices = [
            (item.pk, f"{item.number}. {item.title}") for item in primaries
        ]
        self.fields["items"].choices = [
            (item.pk, f"{item.number}. {item.title}") for item in pending
        ]


class HotSpotForm(forms.Form):
    is_hot_spot = forms.BooleanField(label=_("Hot spot"), required=False)
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MeetingFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=[("", _("All")), *MeetingKind.choices],
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=(), required=False)
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2099, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *MeetingStatus.choices]


class CalendarUnitForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Organising unit"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = calendar_units(user=user)


def responsible_unit_choices(user):
    """Units the user may log cases for, in their communes."""
    units = list(commune_units(user))
    allowed = [unit.pk for unit in units if permissions.can_create_case_for(user, unit)]
    return Unit.objects.filter(pk__in=allowed).order_by("path")
