"""Figures from the reception register and from meetings, when those apps are
there.

``petitions`` (``ReceptionVisit``, the register) and ``dialogues``
(``Meeting`` and ``MeetingItem``) are optional for the reports: a deployment
without them, or a database from before their models, still gets the case
statistics. Each function here looks the models up when it runs (never at
import time) and answers ``None`` when they are missing; the pages then say
that the figure is not available.

Definitions (same period bounds as ``reports.statistics``):

* reception — register rows of the unit's subtree desks whose
  ``visited_at`` is in the period: visits, people, mass visits (5 people or
  more) and their people; by content (feedback, complaint, denunciation,
  mixed) and by result (guided, case logged, answered on the spot); and the
  cases logged from those visits.
* meetings — meetings organised by a unit of the subtree that were held
  (status held or reported back) and started in the period, per kind; the
  people who attended; the items raised at them and what became of them at
  the meeting (answered on the spot, turned into a case, merged, not yet
  handled); and, of the items turned into cases, those whose case was
  resolved by the end of the period.

Both are scoped with their app's visibility rule for the reader.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from feedback.models import Unit
from reports.periods import Period

RECEPTION_FIGURES = (
    ("visits", gettext_lazy("Visits")),
    ("visitors", gettext_lazy("People received")),
    ("mass_visits", gettext_lazy("Mass delegations")),
    ("mass_visitors", gettext_lazy("People in mass delegations")),
    ("kind_feedback", gettext_lazy("Feedback, recommendation")),
    ("kind_complaint", gettext_lazy("Complaint")),
    ("kind_denunciation", gettext_lazy("Denunciation")),
    ("kind_mixed", gettext_lazy("Mixed content")),
    ("outcome_guided", gettext_lazy("Guided")),
    ("outcome_case_created", gettext_lazy("Letter received, case logged")),
    ("outcome_answered", gettext_lazy("Answered on the spot")),
    ("cases_logged", gettext_lazy("Cases logged from the visits")),
)
MEETING_FIGURES = (
    ("held", gettext_lazy("Meetings held")),
    ("attendance", gettext_lazy("People attending")),
    ("items", gettext_lazy("Items raised")),
    ("answered_on_spot", gettext_lazy("Answered on the spot")),
    ("to_cases", gettext_lazy("Turned into cases")),
    ("cases_answered", gettext_lazy("Of which answered")),
    ("merged", gettext_lazy("Merged with an identical item")),
    ("pending", gettext_lazy("Not yet handled")),
)
HAPPENED = ("held", "reported")


def model_or_none(app_label: str, model_name: str):
    """The model if its app is installed and defines it, else ``None``."""
    if not apps.is_installed(app_label):
        return None
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


# --------------------------------------------------------------------------
# Reception register
# --------------------------------------------------------------------------


def reception_visits(*, user, unit: Unit, period: Period) -> QuerySet | None:
    """Register rows behind the reception figures, or ``None`` without the
    register."""
    visit_model = model_or_none("petitions", "ReceptionVisit")
    if visit_model is None:
        return None
    visits = visit_model.objects.filter(
        unit__path__startswith=unit.path,
        visited_at__gte=period.start_at,
        visited_at__lt=period.end_at,
    )
    if user is not None:
        from petitions.permissions import visit_visibility_condition

        if not getattr(user, "is_authenticated", False):
            return visits.none()
        visits = visits.filter(visit_visibility_condition(user))
    return visits


def visit_filter(figure: str) -> Q:
    """Which visits a reception figure counts."""
    if figure in ("mass_visits", "mass_visitors"):
        return Q(is_mass=True)
    if figure.startswith("kind_"):
        return Q(kind=figure.removeprefix("kind_"))
    if figure.startswith("outcome_"):
        return Q(outcome=figure.removeprefix("outcome_"))
    return Q()


def reception_figures(*, user, unit: Unit, period: Period) -> dict | None:
    visits = reception_visits(user=user, unit=unit, period=period)
    if visits is None:
        return None
    aggregates = {}
    for key, _label in RECEPTION_FIGURES:
        if key in ("visitors", "mass_visitors"):
            aggregates[key] = Sum("visitor_count", filter=visit_filter(key))
        elif key != "cases_logged":
            aggregates[key] = Count("pk", filter=visit_filter(key))
    figures = visits.order_by().aggregate(**aggregates)
    link_model = model_or_none("petitions", "VisitCase")
    figures["cases_logged"] = (
        link_model.objects.filter(visit__in=visits.values("pk")).count()
        if link_model is not None
        else 0
    )
    return {key: figures[key] or 0 for key, _label in RECEPTION_FIGURES}


# --------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------


def meetings_held(*, user, unit: Unit, period: Period) -> QuerySet | None:
    """Meetings behind the meeting figures, or ``None`` without the app."""
    meeting_model = model_or_none("dialogues", "Meeting")
    if meeting_model is None:
        return None
    meetings = meeting_model.objects.filter(
        organiser_unit__path__startswith=unit.path,
        status__in=HAPPENED,
        starts_at__gte=period.start_at,
        starts_at__lt=period.end_at,
    )
    if user is not None:
        from dialogues.permissions import meeting_visibility_condition

        if not getattr(user, "is_authenticated", False):
            return meetings.none()
        meetings = meetings.filter(meeting_visibility_condition(user))
    return meetings


def item_filter(figure: str, period: Period) -> Q:
    """Which items of the meetings a meeting figure counts."""
    return {
        "answered_on_spot": Q(outcome="answered"),
        "to_cases": Q(outcome="case"),
        "cases_answered": Q(outcome="case", case__resolved_at__lt=period.end_at),
        "merged": Q(outcome="merged"),
        "pending": Q(outcome="pending"),
    }.get(figure, Q())


def meeting_items(*, user, unit: Unit, period: Period) -> QuerySet | None:
    item_model = model_or_none("dialogues", "MeetingItem")
    meetings = meetings_held(user=user, unit=unit, period=period)
    if item_model is None or meetings is None:
        return None
    return item_model.objects.filter(meeting__in=meetings.values("pk"))


def meeting_figures(*, user, unit: Unit, period: Period) -> dict | None:
    """Per meeting kind and in total; ``None`` without the dialogues app."""
    meetings = meetings_held(user=user, unit=unit, period=period)
    items = meeting_items(user=user, unit=unit, period=period)
    if meetings is None or items is None:
        return None
    kind_field = meetings.model._meta.get_field("kind")
    held = {
        row["kind"]: row
        for row in meetings.order_by()
        .values("kind")
        .annotate(held=Count("pk"), attendance=Sum("actual_attendance"))
    }
    item_counts = {
        row["meeting__kind"]: row
        for row in items.order_by()
        .values("meeting__kind")
        .annotate(
            items=Count("pk"),
            **{
                key: Count("pk", filter=item_filter(key, period))
                for key, _label in MEETING_FIGURES
                if key not in ("held", "attendance", "items")
            },
        )
    }
    rows = []
    total = dict.fromkeys((key for key, _label in MEETING_FIGURES), 0)
    for kind, label in kind_field.choices:
        figures = {}
        for key, _label in MEETING_FIGURES:
            source = held if key in ("held", "attendance") else item_counts
            figures[key] = (source.get(kind) or {}).get(key) or 0
            total[key] += figures[key]
        rows.append({"key": kind, "label": str(label), "figures": figures})
    return {"rows": rows, "total": total}


def activity_figures(*, user, unit: Unit, period: Period) -> dict:
    """What ``Summary.extra`` holds: reception and meeting figures, each
    ``None`` when its app is missing."""
    return {
        "reception": reception_figures(user=user, unit=unit, period=period),
        "meetings": meeting_figures(user=user, unit=unit, period=period),
    }


# --------------------------------------------------------------------------
# Cases that came from visits (drill-down)
# --------------------------------------------------------------------------

CASE_SOURCES = ("from_visits",)


def case_source_condition(source: str, *, user, unit: Unit, period: Period) -> Q:
    """Cases logged from the period's visits (``from_visits``); nothing when
    the register is missing."""
    visits = reception_visits(user=user, unit=unit, period=period)
    link_model = model_or_none("petitions", "VisitCase")
    if source != "from_visits" or visits is None or link_model is None:
        return Q(pk__in=[])
    return Q(
        pk__in=link_model.objects.filter(visit__in=visits.values("pk")).values(
            "case_id"
        )
    )
