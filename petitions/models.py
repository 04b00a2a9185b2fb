"""Reception visits: the electronic reception register (sổ tiếp công dân).

One ``ReceptionVisit`` is one row of the register (Mẫu 03/TCD, TT 04/2021/
TT-TTCP): who came, how many, about what, and what came of it.  A visit may
produce several cases (``VisitCase``).  Register rows are never deleted and
simple-history keeps every old value of the follow-up columns.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback import validators
from feedback.history import HistoricalRecords
from feedback.models import Case, TimeStampedModel, Unit

# From this many people a visit is a mass visit (Luật Tiếp công dân, Art. 29).
MASS_VISIT_SIZE = 5


class VisitKind(models.TextChoices):
    """How the register classifies what the visitor brought (TT 05/2021)."""

    FEEDBACK = "feedback", _("Feedback, recommendation")
    COMPLAINT = "complaint", _("Complaint")
    DENUNCIATION = "denunciation", _("Denunciation")
    MIXED = "mixed", _("Mixed content")


class VisitOutcome(models.TextChoices):
    GUIDED = "guided", _("Guided")
    CASE_CREATED = "case_created", _("Letter received, case logged")
    ANSWERED = "answered", _("Answered on the spot")


class ReceptionVisit(TimeStampedModel):
    """One visit of a citizen or a delegation to the reception desk."""

    # Looked up through the (unit, visited_at) index.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("reception desk"),
        on_delete=models.PROTECT,
        related_name="reception_visits",
        db_index=False,
    )
    # The register's running number, per desk and calendar year.
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveIntegerField(_("no."), editable=False)
    visited_at = models.DateTimeField(_("date of the visit"))
    receiving_officer = models.CharField(_("received by"), max_length=160)
    visitor_count = models.PositiveIntegerField(
        _("number of people"), default=1, validators=[MinValueValidator(1)]
    )
    is_mass = models.BooleanField(_("mass visit"), default=False, editable=False)
    kind = models.CharField(_("type"), max_length=16, choices=VisitKind.choices)
    content = models.TextField(_("summary of the content"))
    previously_handled_by = models.CharField(
        _("bodies that already handled it"), max_length=255, blank=True
    )
    within_competence = models.BooleanField(_("within our competence"), default=True)
    outcome = models.CharField(
        _("result of the visit"), max_length=16, choices=VisitOutcome.choices
    )
    guidance = models.TextField(_("guidance or answer given"), blank=True)
    handled_by_body = models.CharField(
        _("body that accepted it"), max_length=255, blank=True
    )
    transfer_document_number = models.CharField(
        _("transfer document number"), max_length=60, blank=True
    )
    follow_up = models.TextField(_("result follow-up"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cases = models.ManyToManyField(
        Case,
        through="VisitCase",
        verbose_name=_("cases"),
        related_name="reception_visits",
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reception visit")
        verbose_name_plural = _("reception visits")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["unit", "visited_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"], name="visit_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=VisitKind.values), name="visit_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=VisitOutcome.values),
                name="visit_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(visitor_count__gte=1), name="visit_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(is_mass=True, visitor_count__gte=MASS_VISIT_SIZE)
                | Q(is_mass=False, visitor_count__lt=MASS_VISIT_SIZE),
                name="visit_mass_from_five",
            ),
        ]

    def __str__(self):
        # Never a visitor's name: this string reaches logs and admin history.
        return f"{self.number}/{self.year} — {self.unit}"


class VisitPerson(models.Model):
    """A named visitor; for a mass visit, one of the chosen representatives."""

    visit = models.ForeignKey(
        ReceptionVisit,
        verbose_name=_("reception visit"),
        on_delete=models.PROTECT,
        related_name="persons",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_representative = models.BooleanField(_("representative"), default=False)
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
    address = models.CharField(_("address"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["visit", "position", "id"]
        indexes = [
            models.Index(fields=["national_id"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self):
        return f"#{self.pk}"


class VisitCase(models.Model):
    """A case logged from a visit; a case comes from at most one visit."""

    visit = models.ForeignKey(
        ReceptionVisit,
        verbose_name=_("reception visit"),
        on_delete=models.PROTECT,
        related_name="case_links",
    )
    case = models.OneToOneField(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="reception_visit_link",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case logged from a visit")
        verbose_name_plural = _("cases logged from visits")
        ordering = ["visit", "id"]

    def __str__(self):
        return f"{self.visit_id} → {self.case_id}"
