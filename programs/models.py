"""Work programs, their tasks, bright spots and inspections.

"Overdue" is never stored: a task's or follow-up's ``due_on`` is stored when
set (for a task given by quarters, the end of its last quarter) and lateness
is computed against ``today`` in ``programs.selectors``.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback.models import TimeStampedModel, Unit


def quarter_end(year: int, quarter: int) -> dt.date:
    """The last day of ``quarter`` (1–4) of ``year``."""
    month = quarter * 3
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


class WorkProgram(TimeStampedModel):
    """A unit's work program for a year; a unit's own program points at the
    steering committee's through ``parent_program``."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    parent_program = models.ForeignKey(
        "self",
        verbose_name=_("committee's program"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_programs",
    )
    title = models.CharField(_("title"), max_length=255)
    number = models.CharField(_("number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=120, blank=True)
    legal_bases = models.JSONField(_("legal bases"), default=list, blank=True)
    focus_areas = models.JSONField(_("focus areas"), default=list, blank=True)
    units_due_on = models.DateField(_("units' programs due on"), null=True, blank=True)
    required_units = models.ManyToManyField(
        Unit,
        verbose_name=_("units that must submit"),
        blank=True,
        related_name="+",
    )
    half_year_report_due_on = models.DateField(
        _("6-month reports due on"), null=True, blank=True
    )
    annual_report_due_on = models.DateField(
        _("annual reports due on"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("work program")
        verbose_name_plural = _("work programs")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"], name="program_once_per_unit_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2099),
                name="program_year_range",
            ),
        ]
        indexes = [models.Index(fields=["year", "unit"])]

    def __str__(self):
        return self.title


class TaskKind(models.TextChoices):
    DIRECT = "direct", _("Direct")
    URGE = "urge", _("Urge units")
    CHECK = "check", _("Check")
    REPORT = "report", _("Report")
    PROPAGANDA = "propaganda", _("Propaganda and training")
    MEETING = "meeting", _("Meeting")


class TaskStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class ProgramTask(TimeStampedModel):
    """One task of a program, for one or more quarters or by a date."""

    # Looked up through the (program, status, due_on) index.
    program = models.ForeignKey(
        WorkProgram,
        verbose_name=_("work program"),
        on_delete=models.CASCADE,
        related_name="tasks",
        db_index=False,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.TextField(_("task"))
    quarters = models.JSONField(_("quarters"), default=list, blank=True)
    due_on = models.DateField(_("due on"))
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cooperating_units = models.ManyToManyField(
        Unit, verbose_name=_("co-operating units"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TaskStatus.choices,
        default=TaskStatus.PLANNED,
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("program task")
        verbose_name_plural = _("program tasks")
        ordering = ["program", "due_on", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="program_task_done_has_date",
            ),
        ]
        indexes = [models.Index(fields=["program", "status", "due_on"])]

    def __str__(self):
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.status != TaskStatus.DONE and self.due_on < today


class TaskNote(models.Model):
    """A progress note on a task; notes are only ever added."""

    task = models.ForeignKey(
        ProgramTask,
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="notes",
    )
    text = models.TextField(_("note"))
    status_after = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:60]


def evidence_path(instance, filename):
    return f"programs/evidence/{instance.task.program_id}/{filename}"


class TaskEvidence(models.Model):
    """A PDF, JPEG or PNG proving a task's progress (type checked by its
    first bytes)."""

    task = models.ForeignKey(
        ProgramTask,
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    content_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.file.name


class BrightSpotStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    REPORTED = "reported", _("Result reported")
    EVALUATED = "evaluated", _("Evaluated")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class BrightSpot(TimeStampedModel):
    """A "Dân vận khéo" model a unit builds in a year."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=255)
    field = models.CharField(_("field"), max_length=255)
    goal = models.TextField(_("goal"))
    period = models.CharField(_("period"), max_length=120)
    expected_result = models.TextField(_("expected result"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=BrightSpotStatus.choices,
        default=BrightSpotStatus.REGISTERED,
    )
    review_comment = models.TextField(_("committee's comments"), blank=True)
    progress = models.TextField(_("progress"), blank=True)
    result = models.TextField(_("result"), blank=True)
    rating = models.CharField(
        _("rating"), max_length=12, choices=Rating.choices, blank=True
    )
    evaluation_comment = models.TextField(_("evaluation"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("bright spot")
        verbose_name_plural = _("bright spots")
        ordering = ["-year", "unit__path", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="evaluated") | ~Q(rating=""),
                name="bright_spot_evaluated_has_rating",
            ),
        ]
        indexes = [models.Index(fields=["year", "unit", "status"])]

    def __str__(self):
        return self.title


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CONCLUDED = "concluded", _("Conclusion issued")


class Inspection(TimeStampedModel):
    """An inspection of a unit's mass-mobilisation work and its conclusion
    (thông báo kết luận)."""

    program = models.ForeignKey(
        WorkProgram,
        verbose_name=_("work program"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    # Looked up through the (unit, planned_on) index.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("inspected unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    planned_on = models.DateField(_("planned date"))
    team = models.TextField(_("inspection team"))
    scope = models.TextField(_("scope"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
    )
    held_on = models.DateField(_("held on"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    conclusion_number = models.CharField(
        _("conclusion number"), max_length=60, blank=True
    )
    conclusion_date = models.DateField(_("conclusion date"), null=True, blank=True)
    conclusion_text = models.TextField(_("conclusion"), blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-planned_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="concluded")
                | (Q(conclusion_date__isnull=False) & ~Q(conclusion_number="")),
                name="inspection_conclusion_complete",
            ),
        ]
        indexes = [models.Index(fields=["unit", "planned_on"])]

    def __str__(self):
        return f"{self.unit} {self.planned_on:%d/%m/%Y}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUpAction(TimeStampedModel):
    """An action the inspection's conclusion requires of the unit."""

    # Looked up through the (inspection, status, due_on) index.
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
        db_index=False,
    )
    title = models.TextField(_("action"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.OPEN,
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["inspection", "status", "due_on"])]

    def __str__(self):
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.status != FollowUpStatus.DONE and self.due_on < today


class ReminderLog(models.Model):
    """One reminder sent to a late unit: dedupes per unit, program and week."""

    program = models.ForeignKey(WorkProgram, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("week starting"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "unit", "week"], name="program_reminder_once_a_week"
            ),
        ]

    def __str__(self):
        return f"{self.unit_id}@{self.week}"
