"""Reads of cases, always through ``cases_visible_to``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as When_
from django.db.models import F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import permissions
from feedback.errors import NotFoundError
from feedback.models import OPEN_STATUSES, Case, CaseCollaborator, CaseEvent, Party


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
# The columns of ``LIST_COLUMNS`` that name another row.
RELATED = frozenset(
    {"field", "responsible_unit", "location_unit", "assignee", "created_by"}
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
        .annotate(is_overdue=_overdue_flag(today))
    )


def _overdue_flag(today: dt.date):
    return When_(
        When(overdue_condition(today), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
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


# A list row as plain values: the case's columns, what it names (field,
# units, assignee) and the responsible unit's path, which the identity gate
# reads.  ``is_overdue`` is ``case_list``'s annotation.
ROW_VALUES = (
    *(name if name not in RELATED else f"{name}_id" for name in LIST_COLUMNS),
    "is_overdue",
    "field__code",
    "field__name",
    "responsible_unit__code",
    "responsible_unit__name",
    "responsible_unit__path",
    "location_unit__code",
    "location_unit__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)
PARTY_DETAILS = ("full_name", "national_id", "phone", "email", "address")
PARTY_VALUES = ("id", "case_id", "role", *PARTY_DETAILS)


@dataclass(slots=True)
class CaseRows:
    """A page of cases read as plain values (``list_rows``): ``rows`` in the
    page's order, each with its ``parties`` (by role, then id); the units
    co-operating on each case are read once, when first asked."""

    rows: list[dict]
    _collaborating: dict[int, set[int]] | None = None

    def collaborating_unit_ids(self, case_id: int) -> set[int]:
        if self._collaborating is None:
            self._collaborating = {}
            pairs = CaseCollaborator.objects.filter(
                case_id__in=[row["id"] for row in self.rows]
            ).values_list("case_id", "unit_id")
            for pk, unit_id in pairs:
                self._collaborating.setdefault(pk, set()).add(unit_id)
        return self._collaborating.get(case_id, set())


def list_rows(queryset: QuerySet[Case], ids) -> CaseRows:
    """``rows_of`` as plain values rather than model instances (a list's page
    is read on every visit, and building a case, its field, units, assignee
    and parties as objects costs more than the queries).

    ``ids`` is a page of ``page_ids(queryset)``: a sliced queryset, not yet
    read, which becomes a subquery, so that the page's ids and its rows come
    in one query from one snapshot (no case that left ``queryset`` in
    between); or a list of ids, whose rows are read again through
    ``queryset``."""
    order = _column_ordering(ids.query) if isinstance(ids, QuerySet) else None
    if order is not None:
        rows = list(
            Case.objects.filter(pk__in=ids)
            .annotate(is_overdue=_overdue_flag(local_today()))
            .order_by(*order)
            .values(*ROW_VALUES)
        )
        found = {row["id"]: row for row in rows}
    else:
        ids = list(ids)
        if not ids:
            return CaseRows([])
        found = {
            row["id"]: row
            for row in queryset.filter(pk__in=ids)
            .order_by()
            .prefetch_related(None)
            .values(*ROW_VALUES)
        }
        rows = [found[pk] for pk in ids if pk in found]
    for row in rows:
        row["parties"] = []
    if rows:
        parties = (
            Party.objects.filter(case_id__in=list(found))
            .order_by("role", "id")
            .values(*PARTY_VALUES)
        )
        for party in parties:
            found[party["case_id"]]["parties"].append(party)
    return CaseRows(rows)


_CASE_COLUMNS = frozenset(field.name for field in Case._meta.concrete_fields) | {"pk"}


def _column_ordering(query) -> list | None:
    """The query's ordering when every term is a column of the case (so that
    it orders the page's rows read by id the same way); ``None`` when a term
    needs the query's annotations."""
    terms = query.order_by or (Case._meta.ordering if query.default_ordering else ())
    for term in terms:
        if isinstance(term, str):
            name = term.lstrip("-")
        elif isinstance(term, OrderBy) and isinstance(term.expression, F):
            name = term.expression.name
        else:
            return None
        if name not in _CASE_COLUMNS:
            return None
    return list(terms)


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
