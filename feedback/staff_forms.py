"""Forms of the staff pages: the work queue's filters and one small form per
workflow action on the case page.

Forms only check shapes (required, lengths, dates, choices from the lists the
user may pick from); whether an action is allowed and what the law requires
stay in ``feedback.services.cases.case_transition``, whose field errors the
view puts back next to the same-named fields.  Every action form carries the
case ``version`` it was rendered from, so a stale form is refused.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback import workflow
from feedback.models import (
    AnswerStatus,
    BodyClass,
    Case,
    CaseKind,
    Channel,
    Field,
    LegalGround,
    Outcome,
    Role,
    Status,
    Unit,
    UnitKind,
)
from feedback.selectors import queue
from feedback.services.cases import CORRECTABLE_FIELDS
from feedback.templatetags.langnghe import person_name

PAGE_SIZES = (20, 50, 100)
FIRST_DATE = dt.date(2000, 1, 1)
REASON_MAX = 4000
ANSWER_MAX = 20000


class DateInput(forms.DateInput):
    """A native date picker; it submits ISO dates, and dd/mm/yyyy typed by
    hand is accepted too (``DATE_INPUT_FORMATS``)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


# --------------------------------------------------------------------------
# The work queue
# --------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The queue's search box and filters (a GET form)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=120,
        help_text=_("Tracking code, title or the name of a person in the case."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *CaseKind.choices],
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (queue.STATE_OPEN, _("Open (received or being resolved)")),
            (queue.STATE_ALL, _("All statuses")),
            *Status.choices,
        ],
    )
    field = forms.ModelChoiceField(
        label=_("Field"),
        required=False,
        queryset=Field.objects.none(),
        empty_label=_("All fields"),
    )
    hamlet = forms.ModelChoiceField(
        label=_("Hamlet"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("All hamlets"),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (with the units below it)"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("All my units"),
    )
    flags = forms.MultipleChoiceField(
        label=_("Only cases that are"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("is_mass", _("Mass petition")),
            ("is_prolonged", _("Prolonged")),
            ("is_hot_spot", _("Hot spot")),
            ("is_complex", _("Complex")),
        ],
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=DateInput()
    )
    received_to = forms.DateField(
        label=_("Received until"), required=False, widget=DateInput()
    )
    assigned = forms.ChoiceField(
        label=_("Assignee"),
        required=False,
        choices=[
            ("", _("Anyone")),
            ("me", _("Assigned to me")),
            ("none", _("Not assigned yet")),
        ],
    )
    bucket = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("Any")),
            (queue.OVERDUE, _("Overdue")),
            (queue.SOON, _("Due within 3 working days")),
            (queue.ON_TRACK, _("On track")),
        ],
    )
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        empty_value=PAGE_SIZES[0],
        choices=[(size, size) for size in PAGE_SIZES],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The selects show options kept in the cache (the view's
        # ``_use_cached_choices``); a value sent is checked against the
        # field's queryset, built only when there is one to check.
        sent = self.data if self.is_bound else {}
        if sent.get("field"):
            self.fields["field"].queryset = queue.field_choices()
        if sent.get("hamlet"):
            self.fields["hamlet"].queryset = queue.queue_hamlet_choices(user)
        if not queue.is_subtree_viewer(user):
            del self.fields["unit"]
        elif sent.get("unit"):
            self.fields["unit"].queryset = queue.queue_unit_choices(user)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error(
                "received_to", _("The end of the period is before its start.")
            )
        return cleaned

    def filters(self) -> queue.QueueFilters:
        """The valid part of the input as queue filters (an invalid field is
        reported and ignored; the rest still applies)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        field_ = data.get("field")
        hamlet = data.get("hamlet")
        return queue.QueueFilters(
            q=data.get("q") or "",
            kind=data.get("kind") or "",
            state=data.get("state") or queue.STATE_OPEN,
            field_id=field_.pk if field_ else None,
            hamlet_id=hamlet.pk if hamlet else None,
            unit=data.get("unit"),
            flags=list(data.get("flags") or []),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            assigned=data.get("assigned") or "",
            bucket=data.get("bucket") or "",
        )

    def page_size(self) -> int:
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        return data.get("per_page") or PAGE_SIZES[0]


# --------------------------------------------------------------------------
# Workflow actions
# --------------------------------------------------------------------------


def _reason(label=None, required=True):
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        max_length=REASON_MAX,
        widget=_textarea(),
    )


def _legal_grounds(case: Case, action: str):
    return LegalGround.objects.filter(
        action=action, is_active=True, kind__in=["", case.kind]
    ).order_by("kind", "code")


def _past_or_today(value: dt.date | None) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if not FIRST_DATE <= value <= today:
        raise ValidationError(
            _("Enter a date between 01/01/2000 and today."), code="date_range"
        )


def _today_or_later(value: dt.date | None) -> None:
    if value is not None and value < timezone.localdate():
        raise ValidationError(_("The date cannot be in the past."), code="past")


class ActionForm(forms.Form):
    """Base of the action forms: the case version and the mapping to the
    ``data`` argument of ``case_transition``."""

    action: str = ""
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case: Case, user, **kwargs):
        kwargs.setdefault("prefix", self.action)
        initial = {"version": case.version, **(kwargs.pop("initial", None) or {})}
        super().__init__(*args, initial=initial, **kwargs)
        self.case = case
        self.user = user
        self.setup()

    @property
    def label(self):
        return workflow.ACTIONS[self.action].label

    def setup(self) -> None:
        """Adjust fields to the case (choices, initial values)."""

    def service_data(self) -> dict:
        data = {}
        for name, value in self.cleaned_data.items():
            if name == "version" or value in (None, ""):
                continue
            if isinstance(value, LegalGround):
                value = value.code
            data[name] = value
        return data

    def refresh_version(self, version: int) -> None:
        """Carry the case's current version after a conflict, keeping what
        the user typed, so that the form can be sent again once they have
        seen the new state."""
        data = self.data.copy()
        data[self.add_prefix("version")] = str(version)
        self.data = data


class LegalGroundMixin:
    ground_required = True

    def add_legal_ground(self, action: str):
        self.fields["legal_ground"] = forms.ModelChoiceField(
            label=_("Legal ground"),
            queryset=_legal_grounds(self.case, action),
            to_field_name="code",
            required=self.ground_required,
            empty_label=_("— choose —"),
        )


class AcceptForm(LegalGroundMixin, ActionForm):
    action = "accept"
    ground_required = False
    text = forms.CharField(
        label=_("Note"), required=False, max_length=REASON_MAX, widget=_textarea(2)
    )

    def setup(self):
        self.add_legal_ground("accept")


class ReturnForm(LegalGroundMixin, ActionForm):
    action = "return"
    reason = _reason(_("Reason and guidance given to the citizen"))

    def setup(self):
        self.add_legal_ground("return")


class ForwardForm(LegalGroundMixin, ActionForm):
    action = "forward"
    to_body = forms.CharField(label=_("Receiving body"), max_length=255)
    to_body_class = forms.ChoiceField(
        label=_("Class of the receiving body"),
        choices=[("", _("— choose —")), *BodyClass.choices],
    )
    reason = _reason()

    def setup(self):
        self.add_legal_ground("forward")


class ArchiveForm(LegalGroundMixin, ActionForm):
    action = "archive"
    reason = _reason()

    def setup(self):
        self.add_legal_ground("archive")


class WithdrawForm(ActionForm):
    action = "withdraw"
    reason = _reason(_("Reason (the citizen's withdrawal request)"))


class DecisionFieldsMixin:
    """Outcome and decision number/date, for complaints and denunciations."""

    decision_required = False

    def add_decision_fields(self, initial_from=None):
        if self.case.kind not in workflow.DECIDED_KINDS:
            return
        self.fields["outcome"] = forms.ChoiceField(
            label=_("Outcome"),
            required=self.decision_required,
            choices=[("", _("— choose —")), *Outcome.choices],
        )
        self.fields["decision_number"] = forms.CharField(
            label=_("Decision (conclusion) number"),
            required=self.decision_required,
            max_length=60,
        )
        self.fields["decision_date"] = forms.DateField(
            label=_("Decision (conclusion) date"),
            required=self.decision_required,
            widget=DateInput(),
            validators=[_past_or_today],
        )
        if initial_from is not None:
            for name in ("outcome", "decision_number", "decision_date"):
                self.initial.setdefault(name, getattr(initial_from, name))


def _latest_answer(case: Case):
    answers = list(case.answers.all())
    return answers[-1] if answers else None


def _pending_draft(case: Case):
    latest = _latest_answer(case)
    if latest is not None and latest.status == AnswerStatus.DRAFT:
        return latest
    return None


class DraftAnswerForm(DecisionFieldsMixin, ActionForm):
    action = "draft_answer"
    public_answer = forms.CharField(
        label=_("Answer to the citizen"),
        max_length=ANSWER_MAX,
        widget=_textarea(6),
    )

    def setup(self):
        # Start from the draft under review or the one sent back.
        latest = _latest_answer(self.case)
        if latest is not None and latest.status != AnswerStatus.APPROVED:
            self.initial.setdefault("public_answer", latest.text)
        self.add_decision_fields(
            latest if latest and latest.status != AnswerStatus.APPROVED else None
        )
        for name in ("outcome", "decision_number", "decision_date"):
            if name in self.fields:
                self.fields[name].help_text = _(
                    "May be left for the leader to fill in when approving."
                )


class ReturnAnswerForm(ActionForm):
    action = "return_answer"
    text = forms.CharField(
        label=_("Comments for the officer"),
        max_length=REASON_MAX,
        widget=_textarea(4),
    )


class ResolveForm(DecisionFieldsMixin, ActionForm):
    action = "resolve"
    public_answer = forms.CharField(
        label=_("Approved answer"),
        max_length=ANSWER_MAX,
        widget=_textarea(6),
        help_text=_("The pending draft is filled in; edit it or write the answer."),
    )

    def setup(self):
        draft = _pending_draft(self.case)
        if draft is not None:
            self.initial.setdefault("public_answer", draft.text)
        self.add_decision_fields(draft)


class CorrectAnswerForm(DecisionFieldsMixin, ActionForm):
    action = "correct_answer"
    public_answer = forms.CharField(
        label=_("Corrected answer"), max_length=ANSWER_MAX, widget=_textarea(6)
    )
    reason = _reason(_("Reason for the correction"))

    def setup(self):
        self.initial.setdefault("public_answer", self.case.public_answer)
        self.add_decision_fields(self.case)


class PublishForm(ActionForm):
    action = "publish"


class CloseForm(ActionForm):
    action = "close"
    text = forms.CharField(
        label=_("Note"), required=False, max_length=REASON_MAX, widget=_textarea(2)
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Namesakes are common: the user name tells them apart.
        return f"{person_name(obj)} ({obj.get_username()})"


class AssignForm(ActionForm):
    action = "assign"
    assignee = UserChoiceField(
        label=_("Officer in charge"),
        queryset=get_user_model().objects.none(),
        empty_label=_("— choose —"),
    )

    def setup(self):
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(
                is_active=True,
                memberships__unit_id=self.case.responsible_unit_id,
                memberships__role__in=[Role.OFFICER, Role.LEADER],
            )
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        if self.case.assignee_id:
            self.initial.setdefault("assignee", self.case.assignee_id)


class ExtendForm(ActionForm):
    action = "extend"
    reason = _reason(_("Reason for the extension"))

    def setup(self):
        # Set by the view from the deadline rules; shown next to the form.
        self.new_due_on = None


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class TransferForm(ActionForm):
    action = "transfer"
    to_unit = UnitChoiceField(
        label=_("Receiving unit"),
        queryset=Unit.objects.none(),
        empty_label=_("— choose —"),
    )
    reason = _reason()

    def setup(self):
        self.fields["to_unit"].queryset = queue.related_units(self.case)


class ReturnToDispatcherForm(ActionForm):
    action = "return_to_dispatcher"
    reason = _reason(_("Why the case does not belong to this unit"))


class AddCollaboratorForm(ActionForm):
    action = "add_collaborator"
    unit = UnitChoiceField(
        label=_("Co-operating unit"),
        queryset=Unit.objects.none(),
        empty_label=_("— choose —"),
    )
    due_on = forms.DateField(
        label=_("Sub-deadline"),
        required=False,
        widget=DateInput(),
        validators=[_today_or_later],
        help_text=_("Leave empty to use the stage's due date."),
    )
    text = forms.CharField(
        label=_("What is asked of the unit"),
        max_length=REASON_MAX,
        widget=_textarea(3),
    )

    def setup(self):
        taken = [c.unit_id for c in self.case.collaborators.all()]
        self.fields["unit"].queryset = queue.related_units(self.case).exclude(
            pk__in=taken
        )


class ContributeForm(ActionForm):
    action = "contribute"
    text = forms.CharField(
        label=_("Contribution of your unit"),
        max_length=ANSWER_MAX,
        widget=_textarea(4),
    )


class NoteForm(ActionForm):
    action = "note"
    text = forms.CharField(
        label=_("Progress note"), max_length=REASON_MAX, widget=_textarea(3)
    )
    is_public = forms.BooleanField(
        label=_("Public: the citizen sees it when tracking the case"),
        required=False,
    )


YES_WORDS = {"yes", "true", "1", "có", "co", "x"}
NO_WORDS = {"no", "false", "0", "không", "khong"}


class CorrectForm(ActionForm):
    action = "correct"
    field_name = forms.ChoiceField(label=_("Field to correct"))
    value = forms.CharField(
        label=_("Correct value"),
        required=False,
        max_length=ANSWER_MAX,
        widget=_textarea(2),
        help_text=_(
            "Dates as dd/mm/yyyy; “có” or “không” for yes/no flags; for the "
            "field, the channel or the hamlet, type its name."
        ),
    )
    reason = _reason(_("Reason for the correction"))

    def setup(self):
        choices = sorted(
            (
                (name, str(Case._meta.get_field(name).verbose_name).capitalize())
                for name in CORRECTABLE_FIELDS
            ),
            key=lambda choice: choice[1],
        )
        self.fields["field_name"].choices = [("", _("— choose —")), *choices]

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("field_name")
        if not name or "value" not in cleaned:
            return cleaned
        try:
            cleaned["value"] = correction_value(name, cleaned["value"])
        except ValidationError as error:
            self.add_error("value", error)
        return cleaned

    def service_data(self) -> dict:
        data = super().service_data()
        # An emptied optional field (a hamlet, say) is a value too.
        data["value"] = self.cleaned_data.get("value")
        return data


def correction_value(name: str, raw: str):
    """Turn what was typed for field ``name`` into the value the correction
    service stores, or raise ``ValidationError``."""
    model_field = Case._meta.get_field(name)
    text = (raw or "").strip()
    required = ValidationError(_("Enter the correct value."), code="required")
    if isinstance(model_field, models.BooleanField):
        word = text.lower()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        raise ValidationError(_("Type “có” (yes) or “không” (no)."), code="bool")
    if not text:
        if model_field.null or model_field.blank:
            return None if model_field.null else ""
        raise required
    if name == "field":
        found = Field.objects.filter(
            Q(code__iexact=text) | Q(name__iexact=text), is_active=True
        ).first()
        if found is None:
            raise ValidationError(_("No field has this name."), code="field")
        return found.pk
    if name == "location_unit":
        found = Unit.objects.filter(
            Q(code__iexact=text) | Q(name__iexact=text),
            kind=UnitKind.HAMLET,
            is_active=True,
        ).first()
        if found is None:
            raise ValidationError(_("No hamlet has this name."), code="hamlet")
        return found.pk
    if name == "channel":
        for value, label in Channel.choices:
            if text.lower() in (value, str(label).lower()):
                return value
        raise ValidationError(_("No channel has this name."), code="channel")
    if name == "decision_date":
        value = forms.DateField().clean(text)
        _past_or_today(value)
        return value
    if name == "petitioner_count":
        return forms.IntegerField(min_value=1, max_value=100000).clean(text)
    max_length = getattr(model_field, "max_length", None)
    if max_length and len(text) > max_length:
        raise ValidationError(
            _("At most %(count)s characters.") % {"count": max_length},
            code="max_length",
        )
    return text


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        AcceptForm,
        ReturnForm,
        ForwardForm,
        ArchiveForm,
        WithdrawForm,
        DraftAnswerForm,
        ReturnAnswerForm,
        ResolveForm,
        CorrectAnswerForm,
        PublishForm,
        CloseForm,
        AssignForm,
        ExtendForm,
        TransferForm,
        ReturnToDispatcherForm,
        AddCollaboratorForm,
        ContributeForm,
        NoteForm,
        CorrectForm,
    )
}
