"""Meetings with citizens and voters, the items raised at them, and the rules
that say how often they must be held.

A meeting's ``status`` is written only by ``dialogues.services`` through the
transition table in ``dialogues.workflow``; an item becomes a case only
through ``feedback.services.cases.case_create``.  Held and reported meetings
and their items are records of what was said: they are never deleted, and
simple-history keeps every old value.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback import validators
from feedback.history import HistoricalRecords
from feedback.models import (
    AuditChained,
    Case,
    Field,
    TimeStampedModel,
    Unit,
    UnitKind,
)


class MeetingKind(models.TextChoices):
    DIALOGUE = "dialogue", _("Dialogue with the people")
    VOTER_CONTACT = "voter_contact", _("Voter contact")
    PERIODIC_RECEPTION = "periodic_reception", _("Periodic citizen reception")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ANNOUNCED = "announced", _("Announced")
    HELD = "held", _("Held")
    REPORTED = "reported", _("Reported back")
    CANCELLED = "cancelled", _("Cancelled")


# A meeting in one of these states happened: it is a record, not a plan.
HAPPENED_STATUSES = (MeetingStatus.HELD, MeetingStatus.REPORTED)
UPCOMING_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.ANNOUNCED)


class SessionTiming(models.TextChoices):
    BEFORE = "before", _("Before the council session")
    AFTER = "after", _("After the council session")


def minutes_path(instance, filename):
    # The stored name is chosen by the service (a random token); the name the
    # user uploaded is kept in ``minutes_file_name``.
    return f"meetings/{instance.pk}/{filename}"


class Meeting(TimeStampedModel):
    """One dialogue, voter contact meeting or periodic reception day."""

    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    topic = models.CharField(_("topic"), max_length=255)
    # Looked up through the (organiser_unit, starts_at) index.
    organiser_unit = models.ForeignKey(
        Unit,
        verbose_name=_("organising unit"),
        on_delete=models.PROTECT,
        related_name="organised_meetings",
        db_index=False,
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # When the chair is not a user of the system (a deputy, a district leader).
    chair_name = models.CharField(_("chair's name"), max_length=120, blank=True)
    chair_position = models.CharField(_("chair's position"), max_length=160, blank=True)
    participating_units = models.ManyToManyField(
        Unit,
        verbose_name=_("participating units"),
        blank=True,
        related_name="meetings_participated",
    )
    deputies = models.TextField(
        _("deputies attending"), blank=True, help_text=_("One name per line.")
    )
    hamlets = models.ManyToManyField(
        Unit,
        verbose_name=_("hamlets"),
        blank=True,
        related_name="meetings_in_hamlet",
        limit_choices_to={"kind": UnitKind.HAMLET},
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255)
    council_session = models.CharField(
        _("council session"),
        max_length=255,
        blank=True,
        help_text=_("For voter contact: e.g. the 9th session of the commune council."),
    )
    session_timing = models.CharField(
        _("before or after the session"),
        max_length=8,
        choices=SessionTiming.choices,
        blank=True,
    )
    expected_attendance = models.PositiveIntegerField(
        _("expected attendance"), null=True, blank=True
    )
    actual_attendance = models.PositiveIntegerField(
        _("actual attendance"), null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MeetingStatus.choices,
        default=MeetingStatus.PLANNED,
        editable=False,
    )
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_file = models.FileField(
        _("signed minutes (scan)"), upload_to=minutes_path, blank=True, editable=False
    )
    minutes_file_name = models.CharField(
        _("file name"), max_length=255, blank=True, editable=False
    )
    minutes_content_type = models.CharField(
        _("content type"), max_length=100, blank=True, editable=False
    )
    minutes_size = models.PositiveIntegerField(
        _("size"), null=True, blank=True, editable=False
    )
    announced_at = models.DateTimeField(_("announced at"), null=True, editable=False)
    results_published_at = models.DateTimeField(
        _("results published at"), null=True, editable=False
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Bumped by every write so that concurrent editors can detect a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[participating_units, hamlets])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["organiser_unit", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["kind", "starts_at"]),
            models.Index(fields=["starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values),
                name="meeting_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(chair__isnull=False) | ~Q(chair_name=""),
                name="meeting_has_chair",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=HAPPENED_STATUSES)
                | (Q(actual_attendance__isnull=False) & ~Q(minutes="")),
                name="meeting_held_has_minutes",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_at:%d/%m/%Y} — {self.topic}"

    @property
    def chair_display(self) -> str:
        """The chair's name: the user's, in Vietnamese order, or the typed one."""
        if self.chair_id is not None:
            full = f"{self.chair.last_name} {self.chair.first_name}".strip()
            return full or self.chair.get_username()
        return self.chair_name

    @property
    def deputy_list(self) -> list[str]:
        return [line.strip() for line in self.deputies.splitlines() if line.strip()]

    @property
    def is_upcoming(self) -> bool:
        return self.status in UPCOMING_STATUSES

    @property
    def has_happened(self) -> bool:
        return self.status in HAPPENED_STATUSES


class MeetingEvent(models.Model):
    """One change of a meeting: who did what, when. Rows are only ever added."""

    # A plan entered by mistake may be deleted with its log; a meeting that
    # was held cannot be deleted (see the admin), so neither can its log.
    # Looked up through the (meeting, created_at) index.
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(
        _("from status"), max_length=12, choices=MeetingStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=12, choices=MeetingStatus.choices, blank=True
    )
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

    class Meta:
        verbose_name = _("meeting event")
        verbose_name_plural = _("meeting events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["meeting", "created_at"])]

    def __str__(self):
        return f"{self.action} {self.created_at:%d/%m/%Y %H:%M}"


class RaisedBy(models.TextChoices):
    PERSON = "person", _("A citizen")
    HAMLET_VOTERS = "hamlet_voters", _("The voters of a hamlet")


class ItemOutcome(models.TextChoices):
    PENDING = "pending", _("Not yet handled")
    ANSWERED = "answered", _("Answered on the spot")
    CASE = "case", _("Turned into a case")
    MERGED = "merged", _("Merged with an identical item")


class MeetingItem(TimeStampedModel):
    """An opinion or petition raised at a meeting, and how it ended there.

    An item merged into another (``merged_into``) follows it: it shares its
    answer or its case, and counts as one more petitioner on that case.
    """

    # Looked up through the (meeting, outcome) index.
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="items",
        db_index=False,
    )
    number = models.PositiveSmallIntegerField(_("no."))
    raised_by = models.CharField(
        _("raised by"), max_length=16, choices=RaisedBy.choices
    )
    raiser_name = models.CharField(_("full name"), max_length=120, blank=True)
    raiser_address = models.CharField(_("address"), max_length=255, blank=True)
    raiser_phone = models.CharField(
        _("phone number"),
        max_length=15,
        blank=True,
        validators=[validators.validate_phone],
    )
    raiser_hamlet = models.ForeignKey(
        Unit,
        verbose_name=_("hamlet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": UnitKind.HAMLET},
    )
    field = models.ForeignKey(
        Field, verbose_name=_("field"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("summary"), max_length=255)
    content = models.TextField(_("content"))
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=ItemOutcome.choices,
        default=ItemOutcome.PENDING,
        editable=False,
    )
    answer = models.TextField(_("answer on the spot"), blank=True)
    answered_by = models.CharField(_("answered by"), max_length=160, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_items",
        editable=False,
    )
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The date the chair set for the answer; blank means the policy's date.
    answer_due_on = models.DateField(
        _("answer due (set by the chair)"), null=True, blank=True
    )
    is_hot_spot = models.BooleanField(_("hot spot"), default=False)
    handled_at = models.DateTimeField(_("handled at"), null=True, editable=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    # Once the item is a case's, its versions are links of that case's
    # audit chain (``feedback.audit``).
    history = HistoricalRecords(bases=[AuditChained])

    class Meta:
        verbose_name = _("meeting item")
        verbose_name_plural = _("meeting items")
        ordering = ["meeting", "number"]
        indexes = [
            models.Index(fields=["meeting", "outcome"]),
            models.Index(fields=["is_hot_spot", "outcome"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"], name="meeting_item_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=ItemOutcome.values),
                name="meeting_item_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(raised_by=RaisedBy.PERSON) | ~Q(raiser_name=""),
                name="meeting_item_person_named",
            ),
            models.CheckConstraint(
                condition=~Q(raised_by=RaisedBy.HAMLET_VOTERS)
                | Q(raiser_hamlet__isnull=False),
                name="meeting_item_voters_hamlet",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=ItemOutcome.ANSWERED) | ~Q(answer=""),
                name="meeting_item_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=ItemOutcome.CASE) | Q(case__isnull=False),
                name="meeting_item_case_has_case",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=ItemOutcome.MERGED) | Q(merged_into__isnull=False),
                name="meeting_item_merged_has_target",
            ),
        ]

    def __str__(self):
        # Never the raiser's name: this string reaches logs and admin history.
        return f"#{self.number} — {self.title}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == ItemOutcome.PENDING


class RuleType(models.TextChoices):
    FREQUENCY = "frequency", _("How often meetings must be held")
    NOTICE = "notice", _("How far ahead a meeting must be announced")


class RulePeriod(models.TextChoices):
    WEEK = "week", _("week")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


class RuleSeverity(models.TextChoices):
    ENFORCE = "enforce", _("Refuse what breaks it")
    WARN = "warn", _("Warn only")


class MeetingRule(TimeStampedModel):
    """A legal duty to receive citizens or to talk with them, as data.

    ``frequency``: at least ``minimum`` days with a meeting of ``meeting_kind``
    per ``period``; ``notice``: announced at least ``notice_days`` days ahead.
    The row that applies is the one valid on the day in question, so a law
    that changes is a new row, not a code change.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    rule_type = models.CharField(_("rule"), max_length=12, choices=RuleType.choices)
    meeting_kind = models.CharField(
        _("meeting kind"), max_length=24, choices=MeetingKind.choices
    )
    organiser_kind = models.CharField(
        _("organising unit kind"),
        max_length=32,
        choices=UnitKind.choices,
        blank=True,
        help_text=_("Blank: whatever unit organises the meeting."),
    )
    period = models.CharField(
        _("counted per"), max_length=8, choices=RulePeriod.choices, blank=True
    )
    minimum = models.PositiveSmallIntegerField(_("at least"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(
        _("days of notice"), null=True, blank=True
    )
    severity = models.CharField(
        _("when broken"),
        max_length=8,
        choices=RuleSeverity.choices,
        default=RuleSeverity.WARN,
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=255)
    legal_basis = models.CharField(_("legal basis"), max_length=255)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting rule")
        verbose_name_plural = _("meeting rules")
        ordering = ["meeting_kind", "rule_type", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="meeting_rule_valid_range",
            ),
            models.CheckConstraint(
                condition=~Q(rule_type=RuleType.FREQUENCY)
                | (~Q(period="") & Q(minimum__gt=0)),
                name="meeting_rule_frequency_complete",
            ),
            models.CheckConstraint(
                condition=~Q(rule_type=RuleType.NOTICE) | Q(notice_days__gt=0),
                name="meeting_rule_notice_complete",
            ),
        ]

    def __str__(self):
        return self.description

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )
