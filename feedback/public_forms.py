"""Forms of the citizen portal.

They parse the request and stop robots; the rules about a letter (required
fields, phone and ID formats, attachments, consent) live in
``feedback.services.public`` so the public API applies the same ones.  Inputs
still carry the HTML ``required`` attribute so a browser points at an empty
field before sending.

Spam protection without a third-party service:

* a honeypot field that people never see and robots fill in;
* a signed stamp issued with the form: it holds the submission's idempotency
  token and the time the form was served, so a form sent back faster than a
  person can type (``PUBLIC_FORM_MIN_SECONDS``) or older than
  ``PUBLIC_FORM_MAX_AGE`` is refused, and the token cannot be chosen by the
  client.
"""

from __future__ import annotations

import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from feedback import tracking
from feedback.models import CaseKind, Satisfaction

STAMP_SALT = "feedback.public.submit-form"
HONEYPOT = "contact_url"

KIND_CHOICES = [
    (CaseKind.FEEDBACK, CaseKind.FEEDBACK.label),
    (CaseKind.COMPLAINT, CaseKind.COMPLAINT.label),
    (CaseKind.DENUNCIATION, CaseKind.DENUNCIATION.label),
]
KIND_HELP = {
    CaseKind.FEEDBACK: _(
        "You point out a problem in the commune or propose something to the "
        "authorities (roads, lighting, environment, public services …)."
    ),
    CaseKind.COMPLAINT: _(
        "You ask for a review of an administrative decision or act of the "
        "commune or one of its officials that you believe is unlawful and "
        "harms your rights or interests."
    ),
    CaseKind.DENUNCIATION: _(
        "You report a violation of the law by an official, a body or a person "
        "to the authority that can deal with it. Your identity is kept "
        "confidential by law."
    ),
}


def _min_seconds() -> int:
    return getattr(settings, "PUBLIC_FORM_MIN_SECONDS", 5)


def _max_age() -> int:
    return getattr(settings, "PUBLIC_FORM_MAX_AGE", 24 * 60 * 60)


def issue_stamp(*, issued_at: float | None = None) -> str:
    """A new signed stamp: a fresh idempotency token and the time served."""
    issued_at = time.time() if issued_at is None else issued_at
    payload = {"token": secrets.token_urlsafe(24), "at": int(issued_at)}
    return signing.dumps(payload, salt=STAMP_SALT)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        clean_one = super().clean
        return [clean_one(item, initial) for item in items if item]


def _required(widget: forms.Widget) -> forms.Widget:
    widget.attrs["required"] = True
    return widget


class SubmissionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What are you sending?"),
        choices=KIND_CHOICES,
        widget=_required(forms.RadioSelect()),
        required=False,
    )
    field = forms.TypedChoiceField(
        label=_("Field"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=_required(forms.Select()),
    )
    hamlet = forms.TypedChoiceField(
        label=_("Hamlet where it happens"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=_required(forms.Select()),
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=255,
        help_text=_("One line, for example: Street light broken on the hamlet road."),
        widget=_required(forms.TextInput(attrs={"maxlength": 255})),
    )
    content = forms.CharField(
        label=_("Content"),
        required=False,
        max_length=10_000,
        help_text=_(
            "What happened, where and when, who is concerned, and what you "
            "ask the authorities to do."
        ),
        widget=_required(forms.Textarea(attrs={"rows": 8, "maxlength": 10_000})),
    )
    full_name = forms.CharField(
        label=_("Your full name"),
        required=False,
        max_length=120,
        widget=_required(forms.TextInput(attrs={"autocomplete": "name"})),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=20,
        help_text=_("So that the officer in charge can call you back."),
        widget=_required(
            forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}
            )
        ),
    )
    email = forms.CharField(
        label=_("E-mail (optional)"),
        required=False,
        max_length=254,
        help_text=_("We send the tracking code and PIN there too."),
        widget=forms.TextInput(
            attrs={"type": "email", "autocomplete": "email", "inputmode": "email"}
        ),
    )
    national_id = forms.CharField(
        label=_("Personal ID number (optional)"),
        required=False,
        max_length=12,
        help_text=_("12 digits, on your citizen identity card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=255,
        help_text=_("Required for a complaint or a denunciation."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=_("PDF, JPEG or PNG; up to %(count)s files of %(size)s MB each."),
        widget=MultipleFileInput(
            attrs={
                "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
            }
        ),
    )
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my details are used "
            "to handle this letter."
        ),
        required=False,
        widget=_required(forms.CheckboxInput()),
    )
    contact_url = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, field_choices=(), hamlet_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("— Choose a field —")), *field_choices]
        self.fields["hamlet"].choices = [
            ("", _("— Choose a hamlet —")),
            *hamlet_choices,
        ]
        self.token = ""
        self.stamp_expired = False
        limits = {
            "count": getattr(settings, "PUBLIC_ATTACHMENT_MAX_FILES", 5),
            "size": getattr(settings, "PUBLIC_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
            // (1024 * 1024),
        }
        self.fields["attachments"].help_text = (
            self.fields["attachments"].help_text % limits
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(HONEYPOT):
            raise ValidationError(
                _(
                    "The letter could not be sent: the anti-spam field at the "
                    "end of the form must stay empty."
                ),
                code="honeypot",
            )
        try:
            payload = signing.loads(cleaned.get("stamp") or "", salt=STAMP_SALT)
        except signing.BadSignature:
            payload = None
        elapsed = time.time() - payload["at"] if payload else None
        if elapsed is None or elapsed > _max_age():
            self.stamp_expired = True
            raise ValidationError(
                _("The form has expired. Check your letter and send it again."),
                code="expired",
            )
        if elapsed < _min_seconds():
            raise ValidationError(
                _(
                    "The form was sent too quickly after the page opened. Check "
                    "your letter and press Send again."
                ),
                code="too_fast",
            )
        self.token = payload["token"]
        return cleaned

    def renew_stamp(self) -> None:
        """Give an expired form a new stamp, keeping what the citizen typed."""
        self.data = self.data.copy()
        self.data["stamp"] = issue_stamp()

    def kind_options(self):
        """The kind radio buttons with their explanations, for the template."""
        for option in self["kind"]:
            yield option, KIND_HELP[option.data["value"]]


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        help_text=_("12 letters and digits, printed on your receipt."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("Enter the tracking code.")},
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=10,
        help_text=_("6 digits, printed on your receipt next to the code."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 6}
        ),
        error_messages={"required": _("Enter the PIN.")},
    )

    def clean_code(self):
        code = tracking.normalize_code(self.cleaned_data["code"])
        if not tracking.is_valid_code(code):
            raise ValidationError(
                _(
                    "This code looks mistyped: check it against your receipt "
                    "(letters and digits, for example 7K3F-9QM2-XT4A)."
                ),
                code="mistyped_code",
            )
        return code

    def clean_pin(self):
        pin = self.cleaned_data["pin"].strip()
        if not (pin.isdigit() and len(pin) == tracking.PIN_LENGTH):
            raise ValidationError(_("The PIN has 6 digits."), code="invalid_pin")
        return pin

    @classmethod
    def plain_values(cls, data) -> tuple[str, str] | None:
        """``(code, pin)`` as the form cleans them, for data it accepts as
        they are: a code of at most 20 characters whose check symbol agrees
        and a PIN of 6 digits, once trimmed.  ``None`` for anything else,
        which the form then validates (and refuses with its messages).  The
        tracking page's busiest request is spared building the form."""
        code, pin = data.get("code"), data.get("pin")
        if type(code) is not str or type(pin) is not str:
            return None
        code, pin = code.strip(), pin.strip()
        if len(code) > cls.base_fields["code"].max_length or "\x00" in code:
            return None
        code = tracking.normalize_code(code)
        if not tracking.is_valid_code(code):
            return None
        if not (len(pin) == tracking.PIN_LENGTH and pin.isdigit()):
            return None
        return code, pin


class RatingForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with the answer?"),
        choices=Satisfaction.choices,
        widget=_required(forms.RadioSelect()),
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2_000}),
    )


class AnswerFilterForm(forms.Form):
    """Filters of the published answers; an invalid value is ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    field = forms.ChoiceField(label=_("Field"), required=False)
    hamlet = forms.TypedChoiceField(
        label=_("Hamlet"), coerce=int, empty_value=None, required=False
    )
    period = forms.ChoiceField(label=_("When answered"), required=False)

    def __init__(self, *args, field_choices=(), hamlet_choices=(), periods=(), **kw):
        super().__init__(*args, **kw)
        self.fields["field"].choices = [("", _("All fields")), *field_choices]
        self.fields["hamlet"].choices = [("", _("All hamlets")), *hamlet_choices]
        self.fields["period"].choices = [("", _("Any time")), *periods]

    def filters(self) -> dict:
        """Keyword arguments for ``published_answer_page``."""
        self.is_valid()  # fills cleaned_data with the valid fields only
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "field_code": data.get("field") or "",
            "hamlet_id": data.get("hamlet"),
            "period": data.get("period") or "",
        }
