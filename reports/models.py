"""Models of the reports app.

* ``ReportSettings`` and ``ReportRecipient``: how a unit's reports are
  headed, signed and addressed, as rows with validity dates — districts ended
  on 2025-07-01 and the recipients changed with them.
* ``SubmittedReport``: a report a unit sent upward, frozen with its figures
  and file. It is never changed or deleted; later corrections to cases show
  as a difference on its page.
* ``ExportJob``: a long export running in the worker, with its progress.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback.history import HistoricalRecords
from feedback.models import TimeStampedModel, Unit
from reports.periods import Window


class ReportKind(models.TextChoices):
    STATISTICS = "statistics", _("Case statistics")
    DVCQ = "dvcq", _("Government mass-mobilisation report")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (XLSX)")
    CSV = "csv", _("CSV")
    DOCX = "docx", _("Word report draft (DOCX)")
    JSON = "json", _("JSON")


class ReportSettings(TimeStampedModel):
    """How a unit's reports look from ``valid_from`` to ``valid_to``.

    The row that applies is the one valid on the date the report is issued
    (recipients, signer) or on the last day of the period (the data window).
    Without a row, a report uses the unit's name and leaves placeholders for
    a person to fill in.
    """

    # Looked up through the (unit, valid_from) index.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="report_settings",
        db_index=False,
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    parent_body = models.CharField(
        _("parent body"),
        max_length=255,
        blank=True,
        help_text=_(
            "Printed in capitals above the issuing body, e.g. Ủy ban nhân dân "
            "xã Xuân Thành."
        ),
    )
    issuing_body = models.CharField(
        _("issuing body"),
        max_length=255,
        help_text=_(
            "As written in a sentence, e.g. Ban Chỉ đạo công tác dân vận chính "
            "quyền xã; the heading prints it in capitals."
        ),
    )
    symbol = models.CharField(
        _("document symbol"),
        max_length=20,
        help_text=_('The part after "BC-" in the number, e.g. BCĐ or UBND.'),
    )
    place = models.CharField(
        _("place name"),
        max_length=120,
        help_text=_('Printed before the date, e.g. "Xuân Thành".'),
    )
    signer_authority = models.CharField(
        _("signing on behalf of"),
        max_length=120,
        blank=True,
        help_text=_("e.g. TM. Ban Chỉ đạo (leave empty when the head signs)."),
    )
    signer_position = models.CharField(
        _("signer's position"), max_length=120, help_text=_("e.g. Trưởng ban.")
    )
    signer_name = models.CharField(_("signer's name"), max_length=120)
    quarter_window = models.CharField(
        _("data window of quarterly reports"),
        max_length=10,
        choices=Window.CHOICES,
        default=Window.CALENDAR,
    )
    half_year_window = models.CharField(
        _("data window of 6-month reports"),
        max_length=10,
        choices=Window.CHOICES,
        default=Window.CALENDAR,
    )
    nine_months_window = models.CharField(
        _("data window of 9-month reports"),
        max_length=10,
        choices=Window.CHOICES,
        default=Window.CALENDAR,
    )
    year_window = models.CharField(
        _("data window of annual reports"),
        max_length=10,
        choices=Window.CHOICES,
        default=Window.CALENDAR,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")
        ordering = ["unit__path", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="report_settings_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(quarter_window__in=Window.VALUES)
                & Q(half_year_window__in=Window.VALUES)
                & Q(nine_months_window__in=Window.VALUES)
                & Q(year_window__in=Window.VALUES),
                name="report_settings_windows_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["unit", "valid_from"], name="report_settings_unit_from"
            )
        ]

    def __str__(self):
        start = self.valid_from.strftime("%d/%m/%Y") if self.valid_from else "…"
        end = self.valid_to.strftime("%d/%m/%Y") if self.valid_to else "…"
        return f"{self.unit} ({start} – {end})"


class ReportRecipient(models.Model):
    """One line of "Nơi nhận:" (or of "Kính gửi:" when ``is_addressee``)."""

    settings = models.ForeignKey(
        ReportSettings,
        verbose_name=_("report settings"),
        on_delete=models.CASCADE,
        related_name="recipients",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(
        _("recipient"), max_length=255, help_text=_("e.g. Ban Dân vận Huyện ủy.")
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=60,
        blank=True,
        help_text=_('Printed in brackets after the name, e.g. "b/c" (to report).'),
    )
    is_addressee = models.BooleanField(
        _('also in "Kính gửi"'),
        default=False,
        help_text=_("The report is addressed to this body at the top."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")
        ordering = ["settings", "position", "id"]

    def __str__(self):
        return self.name


class SubmittedReportQuerySet(models.QuerySet):
    """Submitted reports are records: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise TypeError("Submitted reports cannot be changed.")

    def delete(self):
        raise TypeError("Submitted reports cannot be deleted.")


def submitted_report_path(instance, filename):
    return f"reports/submitted/{instance.unit_id}/{filename}"


class SubmittedReport(models.Model):
    """A report sent upward, frozen: its figures as computed on submission
    and the file that was sent. Created only by
    ``reports.services.submitted_report_create``; never changed."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="submitted_reports",
    )
    kind = models.CharField(_("report"), max_length=16, choices=ReportKind.choices)
    period_code = models.CharField(_("period"), max_length=32)
    window = models.CharField(_("data window"), max_length=10, blank=True)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    figures = models.JSONField(_("figures"))
    file = models.FileField(_("file"), upload_to=submitted_report_path)
    file_format = models.CharField(
        _("file format"), max_length=8, choices=ExportFormat.choices
    )
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    objects = SubmittedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("submitted report")
        verbose_name_plural = _("submitted reports")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "period_start", "period_end"],
                name="submitted_report_once_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="submitted_report_period_order",
            ),
        ]

    def __str__(self):
        return f"{self.unit} — {self.get_kind_display()} — {self.period_code}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Submitted reports cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Submitted reports cannot be deleted.")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def export_path(instance, filename):
    return f"reports/exports/{instance.requested_by_id}/{filename}"


class ExportJob(TimeStampedModel):
    """A long export that a worker prepares; its page polls the progress."""

    # Looked up through the (requested_by, created_at) index.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    # What to export: the statistics of a period, or the cases behind one
    # figure (``params`` holds the drill-down filters then).
    target = models.CharField(_("content"), max_length=16)
    params = models.JSONField(_("parameters"), default=dict)
    file_format = models.CharField(
        _("file format"), max_length=8, choices=ExportFormat.choices
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ExportStatus.choices,
        default=ExportStatus.PENDING,
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    file = models.FileField(_("file"), upload_to=export_path, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="export_job_progress_max"
            ),
        ]
        indexes = [
            models.Index(
                fields=["requested_by", "created_at"], name="export_job_user_created"
            )
        ]

    def __str__(self):
        return f"{self.get_file_format_display()} {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
