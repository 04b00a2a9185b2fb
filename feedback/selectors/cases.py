"""Reads of cases, always through ``cases_visible_to``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import permissions
from feedback.errors import NotFoundError
from feedback.models import OPEN_STATUSES, Case, CaseEvent


def local_today() -> dt.date:
    return timezone.localdate()


# The columns a list of cases shows or needs to mask a party (kind, creator,
# assignee, responsible unit); the long texts stay in the table.
LIST_COLUMNS = (
    "id",
    "code",
    "kind",
    "channel",
    "field",
    "title",
    "status",
    "stage",
    "stage_due_on",
    "final_due_on",
    "received_at",
    "responsible_unit",
    "location_unit",
    "location_text",
    "assignee",
    "created_by",
    "is_complex",
    "is_mass",
    "is_prolonged",
    "is_hot_spot",
    "is_anonymous",
    "is_second_time",
    "petitioner_count",
    "extensions",
    "version",
    "created_at",
    "updated_at",
)


def overdue_condition(today: dt.date) -> Q:
    """Open and past the stage deadline: ``Case.overdue_on`` as a plain
    condition, so that filters on it use the indexes."""
    return Q(status__in=OPEN_STATUSES, stage_due_on__lt=today)


def case_list(*, user, today: dt.date | None = None) -> QuerySet[Case]:
    """Visible cases with what a list shows, annotated with ``is_overdue``
    (computed for the rows fetched only; filter with ``overdue_condition``)."""
    today = today or local_today()
    return (
        permissions.cases_visible_to(user)
        .select_related("field", "responsible_unit", "location_unit", "assignee")
        .annotate(
            is_overdue=When_(
                When(overdue_condition(today), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )


def page_ids(queryset: QuerySet[Case]) -> QuerySet:
    """The ids of ``queryset``'s rows in its order, for paging: the database
    finds and sorts a page's ids from its indexes alone, without joining
    what ``select_related`` asks for to every matching row first (at a
    million cases, thousands of rows joined for the twenty shown).
    Page them, then fetch the rows with ``rows_of``."""
    return queryset.values_list("pk", flat=True)


def rows_of(queryset: QuerySet[Case], ids) -> list[Case]:
    """The rows of ``queryset`` with these ids, in the order of ``ids``, with
    what it selects and prefetches. A case that left the queryset between
    the two queries (closed, transferred away) is left out."""
    ids = list(ids)
    if not ids:
        return []
    found = {case.pk: case for case in queryset.filter(pk__in=ids).order_by()}
    return [found[pk] for pk in ids if pk in found]


def case_get(*, user, case_id: int) -> Case:
    """One visible case; a hidden one is indistinguishable from a missing one."""
    try:
        return case_list(user=user).get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Case not found.")) from None


def case_timeline(*, user, case: Case, public_only: bool = False):
    events = CaseEvent.objects.filter(case=case).select_related("author")
    if public_only:
        events = events.filter(is_public=True)
    return events.order_by("created_at", "id")
