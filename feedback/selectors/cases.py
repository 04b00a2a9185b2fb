"""Reads of cases, always through ``cases_visible_to``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case as When_
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import permissions
from feedback.errors import NotFoundError
from feedback.models import OPEN_STATUSES, Case, CaseEvent


def local_today() -> dt.date:
    return timezone.localdate()


def case_list(*, user, today: dt.date | None = None) -> QuerySet[Case]:
    """Visible cases with what a list shows, annotated with ``is_overdue``."""
    today = today or local_today()
    return (
        permissions.cases_visible_to(user)
        .select_related("field", "responsible_unit", "location_unit", "assignee")
        .annotate(
            is_overdue=When_(
                When(
                    status__in=OPEN_STATUSES,
                    stage_due_on__lt=today,
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )


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
