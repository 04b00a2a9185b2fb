"""Models of the case core.

Cases are never deleted (NĐ 55/2022 forbids deleting or altering petition
records): a mistake is corrected with a new event, and simple-history keeps
every old value.  Status is written only by ``feedback.services.cases``.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.constants import OnConflict
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from feedback import validators
from feedback.history import HistoricalRecords
from feedback.prepared import insert_new, insert_new_allowed, insert_row


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditChained(models.Model):
    """The link of a row in its case's tamper-evident audit chain (see
    ``feedback.audit``): its place in the chain, the previous row's hash and
    its own.  Saving a new row seals it; rows are never updated."""

    audit_seq = models.PositiveIntegerField(_("audit sequence"), null=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    row_hash = models.CharField(_("hash"), max_length=64, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            return super().save(*args, **kwargs)
        if self.row_hash:
            return self._insert_row(*args, **kwargs)
        from feedback import audit

        with transaction.atomic(using=kwargs.get("using") or self._state.db):
            audit.seal(self)
            return self._insert_row(*args, **kwargs)

    def _insert_row(self, *args, **kwargs) -> None:
        """Insert this new, sealed row: what ``save()`` does for it, without
        its machinery, when nothing listens to this model's save signals (a
        historical row, a timeline event: rows only ever inserted)."""
        if args or set(kwargs) - {"using"} or not insert_new_allowed(type(self)):
            return super().save(*args, **kwargs)
        insert_new(self, using=kwargs.get("using"))
        return None


# --------------------------------------------------------------------------
# Organisation
# --------------------------------------------------------------------------


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    STEERING_COMMITTEE = (
        "steering_committee",
        _("Steering committee for government mass mobilisation"),
    )
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    PEOPLES_COUNCIL = "peoples_council", _("People's Council")
    FRONT = "front", _("Fatherland Front")
    MASS_ORG = "mass_org", _("Mass organisation")
    OFFICE = "office", _("Specialist office")
    HAMLET = "hamlet", _("Hamlet")


class Unit(TimeStampedModel):
    """A node of the organisation tree, of any depth.

    ``path`` is a materialized path of primary keys (``/1/4/9/``) so that a
    whole subtree is one indexed prefix query.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Online submissions from citizens land at this unit (usually the commune
    # People's Committee's reception desk) to be dispatched.
    receives_public_submissions = models.BooleanField(
        _("receives online submissions"), default=False
    )
    # Reminders go out this many working days before a stage is due.
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder lead (working days)"), default=3
    )
    # A unit in a remote or especially difficult area gets the longer
    # complaint deadlines (Luật Khiếu nại Arts 28, 37).
    is_remote_area = models.BooleanField(_("remote area"), default=False)

    history = HistoricalRecords(excluded_fields=["path", "depth"])

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("unit")
        ordering = ["path"]
        indexes = [models.Index(fields=["path"], name="unit_path_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The path indexes the tree, so it is kept with the row it describes;
        # moving a unit rewrites its subtree's paths in one UPDATE.
        old_path = self.path
        if self.parent_id and old_path:
            parent_path = Unit.objects.values_list("path", flat=True).get(
                pk=self.parent_id
            )
            if parent_path.startswith(old_path):
                raise ValueError("A unit cannot be moved below itself.")
        super().save(*args, **kwargs)
        parent_path = (
            Unit.objects.values_list("path", flat=True).get(pk=self.parent_id)
            if self.parent_id
            else "/"
        )
        new_path = f"{parent_path}{self.pk}/"
        if new_path == old_path:
            return
        self.path = new_path
        self.depth = new_path.count("/") - 2
        if old_path:
            Unit.objects.filter(path__startswith=old_path).update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + (self.depth - (old_path.count("/") - 2)),
            )
        else:
            Unit.objects.filter(pk=self.pk).update(path=new_path, depth=self.depth)

    def subtree(self):
        """This unit and every unit below it, in one query."""
        return Unit.objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return Unit.objects.filter(pk__in=ids).order_by("depth")


class Role(models.TextChoices):
    RECEPTION = "reception", _("Reception staff")
    OFFICER = "officer", _("Officer")
    LEADER = "leader", _("Unit leader")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


class Membership(TimeStampedModel):
    """A staff user's role in a unit; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("membership")
        ordering = ["unit__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class Field(models.Model):
    """Lĩnh vực: a configurable subject area."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("field")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


# --------------------------------------------------------------------------
# Legal deadlines
# --------------------------------------------------------------------------


class DayUnit(models.TextChoices):
    WORKING = "wd", _("working days")
    CALENDAR = "cal", _("calendar days")


class DeadlinePolicy(TimeStampedModel):
    """How long a stage of a kind of case may take, under one rule set.

    The row that applies is the one valid on the step's trigger date; the
    variant comes from the case's flags (see ``feedback.deadlines``).
    """

    ANY_KIND = "any"

    kind = models.CharField(_("case kind"), max_length=32)
    stage = models.CharField(_("stage"), max_length=32)
    variant = models.CharField(
        _("variant"),
        max_length=40,
        default="standard",
        help_text=_(
            "standard, complex, remote, remote_complex, several_places, "
            "second, second_complex, second_remote, second_remote_complex"
        ),
    )
    days = models.PositiveSmallIntegerField(_("days"))
    day_unit = models.CharField(_("day unit"), max_length=3, choices=DayUnit.choices)
    extension_days = models.PositiveSmallIntegerField(
        _("days per extension"), default=0
    )
    max_extensions = models.PositiveSmallIntegerField(
        _("maximum extensions"), default=0
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255)
    trigger = models.CharField(_("trigger"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policy")
        ordering = ["kind", "stage", "variant", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="deadline_policy_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(days__gt=0), name="deadline_policy_positive_days"
            ),
        ]

    def __str__(self):
        return f"{self.kind}/{self.stage}/{self.variant}: {self.days} {self.day_unit}"


class CalendarException(models.Model):
    """An official swap: an extra day off, or a Saturday made a working day."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKING_DAY = "working_day", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=255)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exception")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------


class CaseKind(models.TextChoices):
    FEEDBACK = "feedback", _("Feedback")
    COMPLAINT = "complaint", _("Complaint")
    DENUNCIATION = "denunciation", _("Denunciation")
    VOTER_PETITION = "voter_petition", _("Voter petition")
    DIALOGUE_ISSUE = "dialogue_issue", _("Dialogue issue")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Letter")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("Phone, hotline")
    VOTER_MEETING = "voter_meeting", _("Voter meeting")
    DIALOGUE = "dialogue", _("Dialogue")
    TRANSFERRED = "transferred", _("Transferred from another body")
    PRESS = "press", _("Press, social media")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Being resolved")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned with guidance")
    TRANSFERRED = "transferred", _("Transferred to another body")
    ARCHIVED = "archived", _("Archived")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (Status.RECEIVED, Status.ACCEPTED)


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    REJECTED = "rejected", _("Rejected")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    PARTLY = "partly", _("Partly satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class HandlingOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Within competence, accepted")
    TRANSFERRED = "transferred", _("Transferred to the competent body")
    RETURNED = "returned", _("Returned with guidance")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FILED = "filed", _("Filed")


class BodyClass(models.TextChoices):
    """Classes of body a letter is transferred to (NĐ 55/2022, Art. 6)."""

    HIGHER_ADMINISTRATION = "higher_admin", _("Higher-level administrative body")
    SAME_LEVEL = "same_level", _("Body at the same level")
    LOWER_LEVEL = "lower_level", _("Lower-level body")
    PARTY_BODY = "party", _("Party body or mass organisation")
    JUDICIAL = "judicial", _("Court, procuracy or investigation body")
    OTHER = "other", _("Other body")


class LegalGround(models.Model):
    """A legal ground an officer cites when handling a letter."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    action = models.CharField(_("action"), max_length=32)
    kind = models.CharField(_("case kind"), max_length=20, blank=True)
    article = models.CharField(_("article"), max_length=120)
    text = models.CharField(_("text"), max_length=500)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("legal ground")
        verbose_name_plural = _("legal grounds")
        ordering = ["action", "kind", "code"]

    def __str__(self):
        return f"{self.article}: {self.text}"


class CaseQuerySet(models.QuerySet):
    """Cases; ``counted_in_cache()`` marks a list whose ``count()`` may be
    answered from the cache until the cases change
    (``feedback.selectors.counts``)."""

    _count_in_cache = False

    def counted_in_cache(self):
        clone = self._chain()
        clone._count_in_cache = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._count_in_cache = self._count_in_cache
        return clone

    def count(self):
        if not self._count_in_cache or self._result_cache is not None:
            return super().count()
        from feedback.selectors.counts import cached_figures

        return cached_figures(self, "count", super().count)


class Case(TimeStampedModel):
    """One tracked matter, whatever its kind."""

    # Unique by ``case_unique_code``: a constraint rather than
    # ``unique=True``, which on PostgreSQL adds a second index for ``LIKE``
    # that no look-up of a code uses (codes are matched whole or inside).
    code = models.CharField(_("tracking code"), max_length=16, editable=False)
    pin_hash = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # Four keys need no index of their own: one of ``Meta.indexes`` leads
    # with each (an index less for every intake to write and every query on
    # cases to plan).
    field = models.ForeignKey(
        Field,
        verbose_name=_("field"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=255)
    content = models.TextField(_("content"))
    location_unit = models.ForeignKey(
        Unit,
        verbose_name=_("hamlet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": UnitKind.HAMLET},
    )
    location_text = models.CharField(_("location"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received at"))
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created_cases",
        db_index=False,
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.RECEIVED,
        editable=False,
    )
    stage = models.CharField(_("stage"), max_length=32, blank=True, editable=False)
    stage_due_on = models.DateField(_("stage due date"), null=True, editable=False)
    final_due_on = models.DateField(_("final due date"), null=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, editable=False)
    extensions = models.PositiveSmallIntegerField(
        _("extensions"), default=0, editable=False
    )

    is_complex = models.BooleanField(_("complex"), default=False)
    is_mass = models.BooleanField(_("mass"), default=False)
    is_prolonged = models.BooleanField(_("prolonged"), default=False)
    is_hot_spot = models.BooleanField(_("hot spot"), default=False)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_second_time = models.BooleanField(_("second-time complaint"), default=False)
    petitioner_count = models.PositiveIntegerField(
        _("number of petitioners"), default=1, validators=[MinValueValidator(1)]
    )

    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    previous_case = models.ForeignKey(
        "self",
        verbose_name=_("previous case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
    )
    transferred_from = models.ForeignKey(
        Unit,
        verbose_name=_("transferred from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True
    )
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    public_answer = models.TextField(_("public answer"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, editable=False)
    # The unit where the case was received; a unit that got it by mistake
    # returns it here.
    dispatch_unit = models.ForeignKey(
        Unit,
        verbose_name=_("dispatching unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Handling outcome in the vocabulary of the national database
    # (NĐ 55/2022/NĐ-CP, Art. 6).
    is_mixed = models.BooleanField(_("mixed content"), default=False)
    handling_outcome = models.CharField(
        _("handling outcome"),
        max_length=24,
        choices=HandlingOutcome.choices,
        blank=True,
        editable=False,
    )
    transferred_to_class = models.CharField(
        _("transferred to"),
        max_length=24,
        choices=BodyClass.choices,
        blank=True,
        editable=False,
    )
    legal_ground = models.ForeignKey(
        "LegalGround",
        verbose_name=_("legal ground"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(_("published at"), null=True, editable=False)
    # Bumped by every write so that concurrent editors can detect a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(
        excluded_fields=["pin_hash"],
        bases=[AuditChained],
        # A case's versions are read by the case's id only (its history
        # page, the audit chain): an index on each of their foreign keys and
        # codes would be written with every version and never read.
        no_db_index=[
            "code",
            "field",
            "location_unit",
            "responsible_unit",
            "assignee",
            "created_by",
            "duplicate_of",
            "previous_case",
            "transferred_from",
            "dispatch_unit",
            "legal_ground",
        ],
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("case")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["responsible_unit", "status", "stage_due_on"]),
            models.Index(fields=["status", "stage_due_on"]),
            models.Index(fields=["kind", "received_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["assignee", "status"]),
            # "Cases I logged, newest first" at the reception desk.
            models.Index(
                fields=["created_by", "-created_at", "-id"],
                name="case_created_by_recent_idx",
            ),
            models.Index(fields=["channel", "received_at"]),
            models.Index(fields=["field", "received_at"]),
            models.Index(fields=["final_due_on"]),
            # The queue and the sweep read open cases by due date.
            models.Index(
                fields=["responsible_unit", "stage_due_on"],
                condition=Q(status__in=["received", "accepted"]),
                name="case_open_due_idx",
            ),
            # The staff list of open cases, newest first: read in order and
            # stop at the page's end.
            models.Index(
                fields=["-received_at", "-id"],
                condition=Q(status__in=["received", "accepted"]),
                name="case_open_recent_idx",
            ),
            # Counting open cases by status and due date ("overdue") within
            # the reader's units from the index alone, and finding a page of
            # them newest first (``received_at``) without reading the table.
            models.Index(
                fields=["status", "stage_due_on"],
                include=["responsible_unit", "assignee", "received_at", "id"],
                condition=Q(status__in=["received", "accepted"]),
                name="case_open_due_recent_idx",
            ),
            # The staff list of open cases of one status, newest first
            # (``?status=accepted&overdue=true``): read in order, the due
            # date and units checked in the index, and stop at the page's
            # end rather than sort every overdue case.
            models.Index(
                fields=["status", "-received_at", "-id"],
                include=["stage_due_on", "responsible_unit", "assignee"],
                condition=Q(status__in=["received", "accepted"]),
                name="case_open_status_recent_idx",
            ),
            # "My work" lists open cases by due date: read in order.
            models.Index(
                fields=["stage_due_on", "received_at", "id"],
                condition=Q(status__in=["received", "accepted"]),
                name="case_open_queue_idx",
            ),
            # The latest change: the cache stamp of closed-period reports.
            models.Index(fields=["updated_at"], name="case_updated_idx"),
            # Flags are rare: partial indexes keep their filters cheap.
            *(
                models.Index(
                    fields=["responsible_unit", "received_at"],
                    condition=Q(**{flag: True}),
                    name=f"case_{flag.removeprefix('is_')}_idx",
                )
                for flag in ("is_hot_spot", "is_mass", "is_prolonged", "is_complex")
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="case_unique_code"),
            models.CheckConstraint(
                condition=Q(kind__in=CaseKind.values), name="case_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="case_channel_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RESOLVED) | ~Q(public_answer=""),
                name="case_resolved_has_answer",
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.title}"

    class CodeTaken(Exception):
        """Another case already has the code this new case was given."""

    def insert_unless_code_taken(self) -> None:
        """Insert this new case, as ``save()`` does, unless another case has
        its code: then raise ``Case.CodeTaken`` having written nothing.  The
        insert does nothing on a conflict rather than fail, so the caller's
        transaction needs no savepoint to go on and draw another code."""
        self.__dict__["_insert_unless_code_taken"] = True
        try:
            # A key drawn beforehand (``prepared.draw_ids``) is a new row's.
            self.save(force_insert=self.pk is not None)
        finally:
            del self.__dict__["_insert_unless_code_taken"]

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        if not self.__dict__.get("_insert_unless_code_taken"):
            return super()._do_insert(manager, using, fields, returning_fields, raw)
        # ``code`` is the table's only unique column besides the key.
        rows = insert_row(
            self,
            fields=fields,
            returning_fields=returning_fields,
            using=using,
            on_conflict=OnConflict.IGNORE,
        )
        if not rows:
            raise Case.CodeTaken(self.code)
        return rows

    @property
    def display_code(self):
        from feedback.tracking import format_code

        return format_code(self.code)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def overdue_on(self, day: dt.date) -> bool:
        """Open and past its stage deadline on ``day``: the one rule of
        "overdue", which ``feedback.selectors.cases.overdue_condition`` states
        for queries."""
        return (
            self.is_open and self.stage_due_on is not None and self.stage_due_on < day
        )


class AnswerStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RETURNED = "returned", _("Sent back")
    APPROVED = "approved", _("Approved")


class Answer(models.Model):
    """A version of a case's answer (and decision for complaints and
    denunciations). An approved version is immutable; a correction is a new
    approved version with a reason."""

    # Looked up by case through ``answer_unique_number`` (case, number).
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="answers",
        db_index=False,
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=AnswerStatus.choices)
    text = models.TextField(_("answer"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True
    )
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    correction_reason = models.TextField(_("correction reason"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    history = HistoricalRecords(bases=[AuditChained])

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number"], name="answer_unique_number"
            )
        ]

    def __str__(self):
        return f"{self.case_id} v{self.number} ({self.get_status_display()})"


class CollaboratorStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    DONE = "done", _("Contributed")


class CaseCollaborator(TimeStampedModel):
    """A co-operating unit with its own sub-deadline and contribution."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="collaborators",
    )
    # Looked up through the (unit, status) index.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    request_note = models.TextField(_("what is asked"), blank=True)
    contribution = models.TextField(_("contribution"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=CollaboratorStatus.choices,
        default=CollaboratorStatus.OPEN,
    )

    history = HistoricalRecords(bases=[AuditChained])

    class Meta:
        verbose_name = _("co-operating unit")
        verbose_name_plural = _("co-operating units")
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "unit"], name="collaborator_unique_unit"
            )
        ]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self):
        return f"{self.unit} → {self.case_id}"


class IdentityAccess(models.Model):
    """Each time an entitled person opens a denouncer's identity."""

    # Looked up through the (case, accessed_at) index.
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    context = models.CharField(_("where"), max_length=40)
    accessed_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity access")
        verbose_name_plural = _("identity accesses")
        ordering = ["-accessed_at"]
        indexes = [models.Index(fields=["case", "accessed_at"])]

    def __str__(self):
        return f"{self.user} {self.context} {self.accessed_at:%d/%m/%Y %H:%M}"


class PublicSubmission(models.Model):
    """The idempotency token of an online submission form: a resubmitted form
    (double click, network retry) finds the case it already created."""

    token = models.CharField(max_length=64, unique=True)
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="public_submission"
    )
    ip_address = models.GenericIPAddressField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("online submission")
        verbose_name_plural = _("online submissions")
        # The per-address rate check (``public_submission_create``) counts
        # one address's letters of the last hour, not everybody's.
        indexes = [
            models.Index(
                fields=["ip_address", "created_at"], name="submission_ip_recent_idx"
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.created_at:%d/%m/%Y %H:%M}"


class TrackingLookup(models.Model):
    """A public look-up attempt, kept to throttle guessing per code and IP."""

    code = models.CharField(max_length=16, db_index=True)
    ip_address = models.GenericIPAddressField(null=True)
    succeeded = models.BooleanField(default=False)
    attempted_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("tracking look-up")
        verbose_name_plural = _("tracking look-ups")
        indexes = [models.Index(fields=["ip_address", "attempted_at"])]

    def __str__(self):
        return f"{self.code} {self.attempted_at:%d/%m/%Y %H:%M}"


class PartyRole(models.TextChoices):
    PETITIONER = "petitioner", _("Petitioner")
    REPRESENTATIVE = "representative", _("Representative")
    DENOUNCED = "denounced", _("Denounced person or body")


class Party(TimeStampedModel):
    """A person or body named in a case."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="parties",
    )
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices)
    full_name = models.CharField(_("full name"), max_length=120)
    national_id = models.CharField(
        _("personal ID number"),
        max_length=12,
        blank=True,
        validators=[validators.validate_national_id],
    )
    phone = models.CharField(
        _("phone number"),
        max_length=15,
        blank=True,
        validators=[validators.validate_phone],
    )
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    history = HistoricalRecords(bases=[AuditChained])

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("party")
        ordering = ["case", "role", "id"]
        indexes = [
            models.Index(fields=["national_id"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self):
        # Never the name: this string reaches logs, admin history and
        # messages, where a denouncer's identity must not appear.
        return f"{self.get_role_display()} #{self.pk}"

    @property
    def is_protected(self) -> bool:
        return is_protected_role(self.role)

    @property
    def reveals_denouncer(self) -> bool:
        """Showing this party in clear shows who denounced an official."""
        return self.is_protected and self.case.kind == CaseKind.DENUNCIATION


def is_protected_role(role: str) -> bool:
    """Whether a party's identity is confidential: whoever petitions (or
    represents), never the person denounced.  For parties and their history
    rows alike; ``PROTECTED_PARTIES`` is the same rule as a query."""
    return role != PartyRole.DENOUNCED


PROTECTED_PARTIES = ~Q(role=PartyRole.DENOUNCED)


class EventKind(models.TextChoices):
    CREATED = "created", _("Case logged")
    STATUS = "status", _("Status change")
    NOTE = "note", _("Progress note")
    ASSIGNMENT = "assignment", _("Assignment")
    TRANSFER = "transfer", _("Transfer between units")
    EXTENSION = "extension", _("Extension")
    ANSWER = "answer", _("Answer")
    CORRECTION = "correction", _("Correction")
    COLLABORATION = "collaboration", _("Co-operation")
    PUBLICATION = "publication", _("Publication")
    RATING = "rating", _("Citizen rating")
    # Someone entitled was shown a denouncer's identity (never the identity).
    IDENTITY_VIEWED = "identity_viewed", _("Identity viewed")


class CaseEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Seal each new event in its case's audit chain before inserting."""
        objs = list(objs)
        with transaction.atomic(using=self.db):
            for obj in objs:
                if not obj.row_hash:
                    from feedback import audit

                    audit.seal(obj)
            return super().bulk_create(objs, *args, **kwargs)


class CaseEvent(AuditChained):
    """One entry of a case's timeline. Rows are only ever added, each sealed
    in its case's audit chain (``feedback.audit``)."""

    # Looked up by case through the (case, created_at) index and
    # ``case_event_unique_audit_seq`` (case, audit_seq).
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    action = models.CharField(_("action"), max_length=32, blank=True)
    from_status = models.CharField(
        _("from status"), max_length=16, choices=Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=16, choices=Status.choices, blank=True
    )
    is_public = models.BooleanField(_("public"), default=False)
    text = models.TextField(_("content"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"))

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("event")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "audit_seq"], name="case_event_unique_audit_seq"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%d/%m/%Y %H:%M}"


class AuditChain(models.TextChoices):
    EVENTS = "events", _("Case events")
    HISTORY = "history", _("Change history")


class AuditHead(models.Model):
    """The last link of one of a case's two audit chains.  Appending locks
    this row, so two writers never take the same place in a chain, and
    ``verify_audit`` checks that no row was cut off the chain's end."""

    # Looked up by case through ``audit_head_unique_chain`` (case, chain).
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    chain = models.CharField(_("chain"), max_length=8, choices=AuditChain.choices)
    seq = models.PositiveIntegerField(_("audit sequence"), default=0)
    row_hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        ordering = ["case", "chain"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "chain"], name="audit_head_unique_chain"
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.chain} #{self.seq}"


def attachment_path(instance, filename):
    return f"cases/{instance.case_id}/{filename}"


class Attachment(TimeStampedModel):
    """A scanned letter or document, stored outside the web root."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(
        _("size"), validators=[MaxValueValidator(20 * 1024 * 1024)]
    )
    # An attachment that identifies a denouncer (their handwriting, say).
    is_confidential = models.BooleanField(_("confidential"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords(bases=[AuditChained])

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachment")
        ordering = ["case", "id"]

    def __str__(self):
        return self.original_name


# --------------------------------------------------------------------------
# Reminders and notifications
# --------------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", _("Due soon")
    ESCALATION = "escalation", _("Overdue")


class Reminder(models.Model):
    """That a reminder or escalation went out for one stage of one case.

    The unique constraint is what makes the daily sweep send each of them
    exactly once, however often it runs and however many workers run it.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices)
    stage = models.CharField(_("stage"), max_length=32)
    due_on = models.DateField(_("due date"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "stage", "due_on"],
                name="reminder_once_per_stage",
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.stage} {self.due_on:%d/%m/%Y}"


class Notification(models.Model):
    """An in-app notification shown under the bell of a staff member."""

    # Looked up through the (recipient, read_at) index.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=32)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("content"), blank=True)
    url = models.CharField(_("link"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class OutboxChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Failed permanently")


class OutboxMessage(models.Model):
    """A message to send by e-mail or SMS, written in the same transaction as
    the change it reports and delivered by a worker. ``dedupe_key`` keeps a
    retried task from queuing the same message twice; ``dead`` messages are
    the dead-letter list administrators review."""

    channel = models.CharField(
        _("channel"), max_length=8, choices=OutboxChannel.choices
    )
    recipient = models.CharField(_("recipient"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("content"))
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dedupe_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=OutboxStatus.choices,
        default=OutboxStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        # Never the recipient: it may be a denouncer's phone number.
        return f"{self.get_channel_display()} #{self.pk}"


class CitizenNotice(models.Model):
    """A case event the petitioner is still to be told about.

    Written in the transaction that writes the event, so that it exists
    exactly when the event does: neither a broker that is down nor a process
    that dies after the commit loses it.  The outbox's delivery run (every
    minute) first turns the notices into outbox messages
    (``citizen_notices_write``), deleting them, then sends what is due."""

    event = models.OneToOneField(
        "CaseEvent",
        verbose_name=_("event"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("citizen notice")
        verbose_name_plural = _("citizen notices")

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class UserSession(models.Model):
    """A logged-in session of a member of staff, so that they (and the
    administrators) can see where they are logged in and end any of those
    sessions. The row goes with the session: log-out, revocation and idle
    expiry delete both."""

    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    # Looked up through the (user, last_seen_at) index.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="account_sessions",
        db_index=False,
    )
    created_at = models.DateTimeField(_("logged in at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("log-in session")
        verbose_name_plural = _("log-in sessions")
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "last_seen_at"])]

    def __str__(self):
        return f"{self.user} {self.created_at:%d/%m/%Y %H:%M}"


def _cases_changed(sender, **kwargs):
    """Cached case counts (``feedback.selectors.counts``) are void once cases,
    their co-operating units, parties or units change: from the commit on."""
    from feedback.selectors.counts import GENERATION_KEY, bump_generation_on_change

    bump_generation_on_change(GENERATION_KEY, using=kwargs.get("using"))


for _model in (Case, CaseCollaborator, Party, Unit):
    models.signals.post_save.connect(
        _cases_changed, sender=_model, dispatch_uid=f"counts-{_model.__name__}"
    )
    models.signals.post_delete.connect(
        _cases_changed, sender=_model, dispatch_uid=f"counts-del-{_model.__name__}"
    )
