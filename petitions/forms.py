"""Forms of the reception desk: they parse what staff type; the rules live
in ``petitions.services`` and ``feedback.services.cases``."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback import validators
from feedback.models import CaseKind, Channel, Field, LegalGround, PartyRole, Unit
from petitions.models import VisitKind, VisitOutcome
from petitions.services import ARCHIVE_GROUNDS

DESK_KINDS = [
    (CaseKind.FEEDBACK, CaseKind.FEEDBACK.label),
    (CaseKind.COMPLAINT, CaseKind.COMPLAINT.label),
    (CaseKind.DENUNCIATION, CaseKind.DENUNCIATION.label),
]
DESK_CHANNELS = [
    (value, label)
    for value, label in Channel.choices
    if value
    in {
        Channel.IN_PERSON,
        Channel.LETTER,
        Channel.PHONE,
        Channel.TRANSFERRED,
        Channel.PRESS,
    }
]
PERSON_FIELDS = ("full_name", "national_id", "phone", "address")
DATE_PLACEHOLDER = _("dd/mm/yyyy")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the upload rules."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            single = super().clean
            return [single(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class PersonForm(forms.Form):
    """A person at the desk, typed or read from the ID card's QR code."""

    scan = forms.CharField(
        label=_("Scan the ID card's QR code"),
        required=False,
        max_length=500,
        help_text=_("Put the cursor here and scan; the fields below fill in."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "class": "cccd-scan", "spellcheck": "false"}
        ),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    national_id = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=12,
        validators=[validators.validate_national_id],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        validators=[validators.validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def is_blank(self) -> bool:
        """Nothing typed in the row (it is then ignored)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(
            str(data.get(name) or "").strip() for name in PERSON_FIELDS + ("scan",)
        )


class PetitionerForm(PersonForm):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (PartyRole.PETITIONER, PartyRole.PETITIONER.label),
            (PartyRole.REPRESENTATIVE, PartyRole.REPRESENTATIVE.label),
        ],
        initial=PartyRole.PETITIONER,
    )
    field_order = ["scan", "full_name", "national_id", "phone", "address", "role"]


PersonFormSet = formset_factory(PersonForm, extra=0, max_num=10, absolute_max=20)
PetitionerFormSet = formset_factory(
    PetitionerForm, extra=0, max_num=20, absolute_max=30
)


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))


class VisitForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Reception desk"), queryset=Unit.objects.none(), empty_label=None
    )
    visited_at = forms.DateTimeField(
        label=_("Date and time of the visit"),
        help_text=_("dd/mm/yyyy hh:mm"),
        widget=forms.DateTimeInput(attrs={"autocomplete": "off"}),
    )
    receiving_officer = forms.CharField(
        label=_("Received by"),
        max_length=160,
        help_text=_("Name and title of whoever received the citizens."),
    )
    visitor_count = forms.IntegerField(
        label=_("Number of people"),
        min_value=1,
        max_value=10000,
        initial=1,
        help_text=_(
            "From 5 people it is a mass visit: 5–10 people choose 1–2 "
            "representatives, more than 10 up to 5."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("— choose —")), *VisitKind.choices]
    )
    content = forms.CharField(
        label=_("Summary of the content"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    previously_handled_by = forms.CharField(
        label=_("Bodies that already handled it"), required=False, max_length=255
    )
    within_competence = forms.TypedChoiceField(
        label=_("Within our competence?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("Result of the visit"),
        choices=VisitOutcome.choices,
        widget=forms.RadioSelect,
    )
    guidance = forms.CharField(
        label=_("Guidance or answer given"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    handled_by_body = forms.CharField(
        label=_("Body that accepted it"), required=False, max_length=255
    )
    transfer_document_number = forms.CharField(
        label=_("Transfer document number"), required=False, max_length=60
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, desks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            pk__in=[unit.pk for unit in desks]
        )


class FollowUpForm(forms.Form):
    handled_by_body = forms.CharField(
        label=_("Body that accepted it"), required=False, max_length=255
    )
    transfer_document_number = forms.CharField(
        label=_("Transfer document number"), required=False, max_length=60
    )
    follow_up = forms.CharField(
        label=_("Result follow-up"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class IntakeForm(forms.Form):
    """A case logged at the desk, from a visit or from a letter."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("— choose —")), *DESK_KINDS]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=DESK_CHANNELS, initial=Channel.IN_PERSON
    )
    field = forms.ModelChoiceField(
        label=_("Field"),
        queryset=Field.objects.filter(is_active=True),
        empty_label=_("— choose —"),
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    content = forms.CharField(
        label=_("Content"), widget=forms.Textarea(attrs={"rows": 5})
    )
    location_unit = forms.ModelChoiceField(
        label=_("Hamlet"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.none(), empty_label=None
    )
    received_on = forms.DateField(
        label=_("Received on"),
        validators=[_not_in_future],
        widget=forms.DateInput(
            attrs={"placeholder": DATE_PLACEHOLDER, "autocomplete": "off"}
        ),
    )
    petitioner_count = forms.IntegerField(
        label=_("Number of petitioners"), min_value=1, max_value=10000, initial=1
    )
    is_anonymous = forms.BooleanField(
        label=_("Anonymous letter (no name or address of the sender)"),
        required=False,
    )
    is_hot_spot = forms.BooleanField(label=_("Hot spot"), required=False)
    is_second_time = forms.BooleanField(
        label=_("Second-time complaint"), required=False
    )
    attachments = MultipleFileField(
        label=_("Scanned letter and documents"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB each."),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    archive_ground = forms.ChoiceField(
        label=_("Archive on receipt"),
        required=False,
        choices=(),
        help_text=_(
            "Only for an anonymous denunciation (Law on Denunciations, Art. 25) "
            "or a letter whose content or sender cannot be made out."
        ),
    )
    archive_reason = forms.CharField(
        label=_("Reason for archiving"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    link = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, units=(), hamlets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = Unit.objects.filter(
            pk__in=[unit.pk for unit in units]
        )
        if hamlets is not None:
            self.fields["location_unit"].queryset = hamlets
        grounds = LegalGround.objects.filter(
            code__in=ARCHIVE_GROUNDS, action="archive", is_active=True
        ).order_by("code")
        self.fields["archive_ground"].choices = [
            ("", _("— do not archive —")),
            *((ground.code, ground.text) for ground in grounds),
        ]

    def clean_link(self):
        """``repeat:<id>``, ``duplicate:<id>`` or nothing."""
        value = self.cleaned_data.get("link") or ""
        if not value:
            return ("", None)
        kind, _sep, case_id = value.partition(":")
        if kind not in ("repeat", "duplicate") or not case_id.isdigit():
            raise forms.ValidationError(_("Choose one of the options."))
        return (kind, int(case_id))


class ArchiveForm(forms.Form):
    legal_ground = forms.ChoiceField(label=_("Legal ground"), choices=())
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case_kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        grounds = (
            LegalGround.objects.filter(
                code__in=ARCHIVE_GROUNDS, action="archive", is_active=True
            )
            .filter(kind__in=["", case_kind])
            .order_by("code")
        )
        self.fields["legal_ground"].choices = [
            (ground.code, f"{ground.text} ({ground.article})") for ground in grounds
        ]
