"""Query-string filters of the list endpoints (django-filter).

Filters narrow querysets the selectors already scoped to what the user may
see; they never widen them.
"""

from __future__ import annotations

import copy
import datetime as dt

from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone
from django_filters import rest_framework as filters
from django_filters.filters import FilterMethod
from drf_spectacular.utils import extend_schema_field

from feedback import deadlines, permissions
from feedback.models import (
    OPEN_STATUSES,
    Case,
    CaseKind,
    Channel,
    Field,
    Party,
    PartyRole,
    Status,
    Unit,
    UnitKind,
)
from feedback.selectors.cases import local_today, overdue_condition
from feedback.selectors.deadlines import calendar_around
from feedback.tracking import normalize_code

# Received-at bounds before this are no bound at all; datetimes far outside
# it cannot be converted between time zones.
EARLIEST_DAY = dt.date(1900, 1, 1)
MAX_DUE_WITHIN = 60


class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


def integer_parameter(filter_, description: str, **bounds):
    """``filter_`` documented as an integer query parameter."""
    schema = {"type": "integer", "description": description, **bounds}
    return extend_schema_field(schema)(filter_)


class _SharedFields(dict):
    """A form's fields that its instances share rather than deep-copy."""

    def __deepcopy__(self, memo):
        return dict(self)


class FilterSet(filters.FilterSet):
    """django-filter's ``FilterSet`` without two costs it pays on every
    request (a fifth of a case list's time): a deep copy of every filter, and
    a form class built anew from them.  The filters' definitions never change
    after the class is made, so each request takes shallow copies (each with
    its own ``parent`` and ``model``), and the form class is built once per
    filter set and model; its forms share the fields (they only validate)."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        model = queryset.model
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        form_class = self._form_class_for(model)
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = copy.copy(base)
            filter_.model = model
            filter_.parent = self
            if base.method is not None:
                # The copy's own, which finds the method on this filter set.
                filter_.filter = FilterMethod(filter_)
            # The form class's field: read-only here (``is_noop`` reads its
            # choices), so shared rather than built again.
            filter_._field = form_class.base_fields[name]
            self.filters[name] = filter_

    @classmethod
    def _form_class_for(cls, model):
        cache = cls.__dict__.get("_form_classes")
        if cache is None:
            cache = {}
            cls._form_classes = cache
        form_class = cache.get(model)
        if form_class is None:
            fields = {}
            for name, base in cls.base_filters.items():
                filter_ = copy.deepcopy(base)
                filter_.model = model
                fields[name] = filter_.field
            form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            # The form only validates the query string (it is never rendered,
            # and cleaning changes no field): its instances share the fields.
            form_class.base_fields = _SharedFields(form_class.base_fields)
            cache[model] = form_class
        return form_class

    def get_form_class(self):
        return self._form_class_for(self.queryset.model)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class UnitFilter(FilterSet):
    descendants_of = integer_parameter(
        filters.ModelChoiceFilter(
            queryset=Unit.objects.all(), method="filter_descendants_of"
        ),
        "Only the units below this unit (its subtree, itself excluded).",
    )
    kind = filters.MultipleChoiceFilter(choices=UnitKind.choices)
    is_active = filters.BooleanFilter()
    visible_cases = filters.BooleanFilter(
        method="filter_visible_cases",
        label="Only the units whose cases you may see (true), or the others.",
    )

    class Meta:
        model = Unit
        fields = ["descendants_of", "kind", "is_active", "visible_cases"]

    def filter_descendants_of(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path).exclude(pk=value.pk)

    def filter_visible_cases(self, queryset, name, value):
        visible = permissions.units_visible_to(self.request.user).values("pk")
        if value:
            return queryset.filter(pk__in=visible)
        return queryset.exclude(pk__in=visible)


class CaseOrderingFilter(filters.OrderingFilter):
    """Sorts with empty dates last both ways, then by id so pages are stable."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            name = self.get_ordering_value(param)
            expression = F(name.lstrip("-"))
            if name.startswith("-"):
                ordering.append(expression.desc(nulls_last=True))
            else:
                ordering.append(expression.asc(nulls_last=True))
        return qs.order_by(*ordering, "-id")


class CaseFilter(FilterSet):
    # Columns of the case itself: no join can repeat a row, so no DISTINCT
    # (django-filter's default), which would sort every matching case.
    kind = filters.MultipleChoiceFilter(choices=CaseKind.choices, distinct=False)
    status = filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)
    channel = filters.MultipleChoiceFilter(choices=Channel.choices, distinct=False)
    field = integer_parameter(
        filters.ModelChoiceFilter(queryset=Field.objects.all()), "Field's id."
    )
    unit = integer_parameter(
        filters.ModelChoiceFilter(queryset=Unit.objects.all(), method="filter_unit"),
        "Responsible unit's id.",
    )
    include_subtree = filters.BooleanFilter(
        method="filter_nothing",
        label="With `unit`: include the cases of every unit below it.",
    )
    assignee = integer_parameter(
        IntegerFilter(field_name="assignee_id"), "Assignee's user id."
    )
    is_mass = filters.BooleanFilter()
    is_prolonged = filters.BooleanFilter()
    is_hot_spot = filters.BooleanFilter()
    is_complex = filters.BooleanFilter()
    received_from = filters.DateFilter(
        method="filter_received_from", label="Received on or after (local date)."
    )
    received_to = filters.DateFilter(
        method="filter_received_to", label="Received on or before (local date)."
    )
    due_from = filters.DateFilter(
        field_name="stage_due_on",
        lookup_expr="gte",
        label="Stage deadline on or after.",
    )
    due_to = filters.DateFilter(
        field_name="stage_due_on",
        lookup_expr="lte",
        label="Stage deadline on or before.",
    )
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        label="Open and past the stage deadline (true), or not (false).",
    )
    due_within = integer_parameter(
        IntegerFilter(
            method="filter_due_within", min_value=0, max_value=MAX_DUE_WITHIN
        ),
        "Open, not yet overdue, and due within this many working days (0: due today).",
        minimum=0,
        maximum=MAX_DUE_WITHIN,
    )
    search = filters.CharFilter(
        method="filter_search",
        max_length=100,
        label=(
            "Part of the tracking code, the title, or a petitioner's name (a "
            "denouncer's name only where you may see it)."
        ),
    )
    ordering = CaseOrderingFilter(
        fields=("received_at", "stage_due_on", "final_due_on", "status"),
        label="Sort order; prefix with `-` for descending. Default: `-received_at`.",
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_unit(self, queryset, name, value):
        if self.form.cleaned_data.get("include_subtree"):
            # The subtree's unit ids as a subquery (a few dozen rows): the
            # case indexes led by ``responsible_unit`` apply, with no join.
            subtree = Unit.objects.filter(path__startswith=value.path).values("pk")
            return queryset.filter(responsible_unit_id__in=subtree)
        return queryset.filter(responsible_unit=value)

    def filter_received_from(self, queryset, name, value):
        if value <= EARLIEST_DAY:
            return queryset
        return queryset.filter(received_at__gte=_day_start(value))

    def filter_received_to(self, queryset, name, value):
        if value < EARLIEST_DAY:
            return queryset.none()
        if value >= dt.date.max - dt.timedelta(days=1):
            return queryset
        return queryset.filter(received_at__lt=_day_start(value + dt.timedelta(1)))

    def filter_overdue(self, queryset, name, value):
        # The plain condition rather than the selector's ``is_overdue``
        # annotation, so that the status and due-date indexes apply.
        today = local_today()
        statuses = set(self.form.cleaned_data.get("status") or ())
        if statuses and statuses <= set(OPEN_STATUSES):
            # ``status`` keeps open cases only: repeating the open statuses
            # would make the planner count them twice (and misjudge the rows).
            condition = Q(stage_due_on__lt=today)
        else:
            condition = overdue_condition(today)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_due_within(self, queryset, name, value):
        today = local_today()
        cutoff = deadlines.add_working_days(today, value, calendar_around(today))
        return queryset.filter(
            status__in=OPEN_STATUSES,
            stage_due_on__gte=today,
            stage_due_on__lte=cutoff,
        )

    def filter_search(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        condition = Q(title__icontains=term)
        code = normalize_code(term)
        if code:
            condition |= Q(code__icontains=code)
        petitioner_named = Party.objects.filter(
            case=OuterRef("pk"),
            role=PartyRole.PETITIONER,
            full_name__icontains=term,
        )
        condition |= Q(Exists(petitioner_named)) & (
            permissions.identity_searchable_condition(self.request.user)
        )
        return queryset.filter(condition)
