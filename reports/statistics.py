"""Case statistics for any period and any unit: the one place that counts.

Every figure on the dashboard, the report page, the exports, the API and the
submitted reports comes from here, and every figure links to the cases behind
it through the same condition (``figure_condition``), so a supervisor can
check any number. The database counts (``Count(filter=Q(...))``) in two
grouped queries — by kind, channel and field together, and by unit — and
Python only adds the groups up (per dimension, and per subtree).

Definitions
===========

Scope. A report of unit U counts the cases whose *current* responsible unit
is U or below it (``Unit.path`` prefix), intersected with what the reader may
see (``feedback.permissions.case_visibility_condition``); the command line and
submitted reports count the whole subtree (``user=None``). A case moved to
another unit after the period counts for its new unit: reports submitted
before the move keep their frozen numbers and show the move as a difference.

Time. A period runs from local midnight of its first day (``B``) to local
midnight after its last day (``E``), in ``Asia/Ho_Chi_Minh``. A case's state
at any moment is derived from three times, never from its current status:

* ``received_at`` — when it was received;
* ``accepted_at`` — when it was accepted (thụ lý), if it was;
* *finished* — when it left the open states: ``resolved_at`` for a resolved
  case, else the time (``created_at``) of its one terminal ``CaseEvent``
  (action ``return``, ``forward``, ``archive`` or ``withdraw``: they lead to
  states that no action leaves, so a case has at most one), else none.
  ``closed_at`` is not a finish: closing follows a resolution. A finish
  recorded before the receipt (a letter logged with an earlier receipt date
  than the handling typed in) counts at the receipt time.

The representation is the case row plus its terminal event joined once
(``FilteredRelation``), compared with plain column lookups; nothing is
snapshotted, so a report of a past period gives the same numbers today as on
its last day (unless a case was corrected since). At a moment T a case
*exists* if ``received_at < T`` and is *open* if it exists and is not
finished before T.

Figures (each counts cases):

* ``carried_over`` — open at ``B`` (received before, not finished before);
* ``received`` — ``received_at`` in [B, E);
* ``in_hand`` — carried over + received (to be processed in the period);
* ``accepted`` — ``accepted_at`` in [B, E) (informative: not in the balance);
* ``resolved`` — resolved, finished in [B, E);
  ``resolved_on_time`` when the local date of ``resolved_at`` ≤
  ``final_due_on`` (or no final date), ``resolved_late`` otherwise;
  ``upheld`` / ``partly_upheld`` / ``rejected`` by their current outcome;
  ``satisfied`` / ``partly_satisfied`` / ``not_satisfied`` by the citizen's
  current rating;
* ``not_accepted`` — returned with guidance, forwarded to another body or
  archived, finished in [B, E): ``returned``, ``transferred``,
  ``archived``;
* ``withdrawn`` — withdrawn, finished in [B, E);
* ``open_end`` — open at ``E``, carried forward to the next period:
  ``open_overdue`` when its ``final_due_on`` is before the *as-of day* (the
  period's last day, or today while it runs), ``open_within`` otherwise;
* ``mass`` / ``prolonged`` / ``hot_spot`` — received in the period with the
  flag.

The balance, per unit and in total, for every period:

    carried_over + received = resolved + not_accepted + withdrawn + open_end

and ``carried_over`` of a period equals ``open_end`` of the period that ends
the day before. Rates: resolution rate = resolved ÷ (resolved + open_end),
the share of the matters that stayed with the unit that were resolved;
on-time rate = resolved on time ÷ resolved; satisfaction rate = satisfied ÷
rated. A rate with a zero denominator is absent, not 0 %.

Current values that are not dated (outcome, rating, due dates, flags) are read
as they are now: a later correction changes past figures, which is what the
comparison with a frozen report shows.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connections
from django.db.models import Count, F, FilteredRelation, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback import permissions
from feedback.models import Case, CaseKind, Channel, Field, Unit
from reports.periods import Period

# Terminal actions and the figure each one feeds.
NOT_ACCEPTED_ACTIONS = {
    "return": "returned",
    "forward": "transferred",
    "archive": "archived",
}
WITHDRAW_ACTION = "withdraw"
TERMINAL_ACTIONS = (*NOT_ACCEPTED_ACTIONS, WITHDRAW_ACTION)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    # Indented under the figure it breaks down.
    is_detail: bool = False


FIGURES: tuple[Figure, ...] = (
    Figure("carried_over", gettext_lazy("Carried over")),
    Figure("received", gettext_lazy("Received in the period")),
    Figure("in_hand", gettext_lazy("Total to process")),
    Figure("accepted", gettext_lazy("Accepted in the period")),
    Figure("resolved", gettext_lazy("Resolved")),
    Figure("resolved_on_time", gettext_lazy("Resolved on time"), True),
    Figure("resolved_late", gettext_lazy("Resolved late"), True),
    Figure("not_accepted", gettext_lazy("Not accepted")),
    Figure("returned", gettext_lazy("Returned with guidance"), True),
    Figure("transferred", gettext_lazy("Transferred to another body"), True),
    Figure("archived", gettext_lazy("Archived"), True),
    Figure("withdrawn", gettext_lazy("Withdrawn by the petitioner")),
    Figure("open_end", gettext_lazy("Open at the end of the period")),
    Figure("open_within", gettext_lazy("Within the deadline"), True),
    Figure("open_overdue", gettext_lazy("Overdue"), True),
    Figure("upheld", gettext_lazy("Decided: upheld")),
    Figure("partly_upheld", gettext_lazy("Decided: partly upheld")),
    Figure("rejected", gettext_lazy("Decided: rejected")),
    Figure("satisfied", gettext_lazy("Citizen satisfied")),
    Figure("partly_satisfied", gettext_lazy("Citizen partly satisfied")),
    Figure("not_satisfied", gettext_lazy("Citizen not satisfied")),
    Figure("mass", gettext_lazy("Mass cases (5 people or more)")),
    Figure("prolonged", gettext_lazy("Prolonged or repeated cases")),
    Figure("hot_spot", gettext_lazy("Hot spots")),
)
FIGURE_KEYS = tuple(f.key for f in FIGURES)
FIGURE_LABELS = {f.key: f.label for f in FIGURES}
# The columns of the breakdown tables (the rest are in the summary).
TABLE_KEYS = (
    "carried_over",
    "received",
    "in_hand",
    "resolved",
    "resolved_on_time",
    "resolved_late",
    "not_accepted",
    "withdrawn",
    "open_end",
    "open_overdue",
)
RATES = (
    ("resolution_rate", gettext_lazy("Resolution rate")),
    ("on_time_rate", gettext_lazy("On-time rate")),
    ("satisfaction_rate", gettext_lazy("Satisfaction rate")),
)
RATE_LABELS = dict(RATES)


# --------------------------------------------------------------------------
# The case timeline and the conditions behind each figure
# --------------------------------------------------------------------------


def case_scope(*, user, unit: Unit, own_only: bool = False) -> QuerySet[Case]:
    """The cases a report of ``unit`` counts for ``user``: the unit's subtree
    (or the unit alone) within what the user may see. ``user=None`` is the
    system (command line), which sees the whole subtree."""
    if own_only:
        cases = Case.objects.filter(responsible_unit=unit)
    else:
        # Unit ids rather than a join on the path: the database then reads
        # the subtree's cases through the responsible-unit index.
        cases = Case.objects.filter(
            responsible_unit__in=Unit.objects.filter(path__startswith=unit.path).values(
                "pk"
            )
        )
    if user is None:
        return cases
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    if sees_whole_subtree(user, unit):
        # The visibility condition would keep every case of the subtree.
        return cases
    return cases.filter(permissions.case_visibility_condition(user))


def sees_whole_subtree(user, unit: Unit) -> bool:
    """Whether ``cases_visible_to(user)`` includes every case of the unit's
    subtree: for the root user and for supervisors and administrators of the
    unit or of a unit above it."""
    if permissions.is_root(user):
        return True
    return any(
        membership.role in permissions.SUBTREE_ROLES
        and unit.path.startswith(membership.unit.path)
        for membership in permissions.memberships_of(user)
    )


def with_timeline(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Join the one terminal event (``terminal_event``) and annotate the local
    date of the resolution (``resolved_on``): what the conditions read."""
    return cases.annotate(
        terminal_event=FilteredRelation(
            "events", condition=Q(events__action__in=TERMINAL_ACTIONS)
        ),
        resolved_on=TruncDate("resolved_at"),
    )


# The conditions are written with plain column lookups (no CASE or COALESCE
# expressions) because they are compiled for every figure of every query:
# "finished" is ``resolved_at`` or else the terminal event's time, raised to
# ``received_at`` when it is earlier.
ENDED_AT = "terminal_event__created_at"


def _open_at(moment) -> Q:
    """Received before ``moment`` and not finished before it."""
    return Q(received_at__lt=moment) & (
        Q(resolved_at__gte=moment)
        | Q(resolved_at__isnull=True)
        & (Q(**{f"{ENDED_AT}__isnull": True}) | Q(**{f"{ENDED_AT}__gte": moment}))
    )


def _finished_between(column: str, start, end) -> Q:
    """``max(column, received_at)`` in [start, end)."""
    return (
        (Q(**{f"{column}__gte": start}) | Q(received_at__gte=start))
        & Q(**{f"{column}__lt": end})
        & Q(received_at__lt=end)
    )


def _conditions(period: Period, as_of: dt.date) -> dict[str, Q]:
    start, end = period.start_at, period.end_at
    resolved = _finished_between("resolved_at", start, end)
    ended = Q(resolved_at__isnull=True) & _finished_between(ENDED_AT, start, end)
    received = Q(received_at__gte=start, received_at__lt=end)
    carried_over = _open_at(start)
    open_end = _open_at(end)
    on_time = Q(final_due_on__isnull=True) | Q(resolved_on__lte=F("final_due_on"))
    conditions = {
        "carried_over": carried_over,
        "received": received,
        "in_hand": carried_over | received,
        "accepted": Q(accepted_at__gte=start, accepted_at__lt=end),
        "resolved": resolved,
        "resolved_on_time": resolved & on_time,
        "resolved_late": resolved & Q(resolved_on__gt=F("final_due_on")),
        "not_accepted": ended
        & Q(terminal_event__action__in=list(NOT_ACCEPTED_ACTIONS)),
        "withdrawn": ended & Q(terminal_event__action=WITHDRAW_ACTION),
        "open_end": open_end,
        # A case without a final date is never overdue.
        "open_within": open_end
        & (Q(final_due_on__isnull=True) | Q(final_due_on__gte=as_of)),
        "open_overdue": open_end & Q(final_due_on__lt=as_of),
        "upheld": resolved & Q(outcome="upheld"),
        "partly_upheld": resolved & Q(outcome="partly_upheld"),
        "rejected": resolved & Q(outcome="rejected"),
        "satisfied": resolved & Q(satisfaction="satisfied"),
        "partly_satisfied": resolved & Q(satisfaction="partly"),
        "not_satisfied": resolved & Q(satisfaction="not_satisfied"),
        "mass": received & Q(is_mass=True),
        "prolonged": received & Q(is_prolonged=True),
        "hot_spot": received & Q(is_hot_spot=True),
    }
    for action, key in NOT_ACCEPTED_ACTIONS.items():
        conditions[key] = ended & Q(terminal_event__action=action)
    return conditions


def figure_condition(key: str, *, period: Period, as_of: dt.date) -> Q:
    """The condition a case meets to count in figure ``key`` (on a queryset
    annotated by ``with_timeline``)."""
    return _conditions(period, as_of)[key]


def _counts(period: Period, as_of: dt.date) -> dict[str, Count]:
    conditions = _conditions(period, as_of)
    return {key: Count("pk", filter=conditions[key]) for key in FIGURE_KEYS}


# --------------------------------------------------------------------------
# Rows and the summary
# --------------------------------------------------------------------------


def percentage(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` in per cent to one decimal; ``None`` when
    there is nothing to divide by."""
    if not denominator:
        return None
    value = Decimal(numerator * 100) / Decimal(denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rates_of(figures: dict[str, int]) -> dict[str, Decimal | None]:
    rated = (
        figures["satisfied"] + figures["partly_satisfied"] + figures["not_satisfied"]
    )
    return {
        "resolution_rate": percentage(
            figures["resolved"], figures["resolved"] + figures["open_end"]
        ),
        "on_time_rate": percentage(figures["resolved_on_time"], figures["resolved"]),
        "satisfaction_rate": percentage(figures["satisfied"], rated),
    }


def zero_figures() -> dict[str, int]:
    return dict.fromkeys(FIGURE_KEYS, 0)


def add_figures(total: dict[str, int], other: dict[str, int]) -> None:
    for key in FIGURE_KEYS:
        total[key] += other.get(key, 0)


@dataclass
class Row:
    """One line of a breakdown: a kind, a field, a channel or a unit."""

    key: str
    label: str
    figures: dict[str, int]
    # Drill-down filters that select this row's cases (besides the period).
    params: dict[str, str] = field(default_factory=dict)
    depth: int = 0

    @property
    def rates(self) -> dict[str, Decimal | None]:
        return rates_of(self.figures)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": str(self.label),
            "figures": dict(self.figures),
            "rates": {
                key: (float(value) if value is not None else None)
                for key, value in self.rates.items()
            },
        }


@dataclass
class Summary:
    """The statistics of one unit for one period."""

    unit: Unit
    period: Period
    as_of: dt.date
    total: Row
    by_kind: list[Row]
    by_field: list[Row]
    by_channel: list[Row]
    by_unit: list[Row]
    extra: dict = field(default_factory=dict)

    BREAKDOWNS = ("by_kind", "by_field", "by_channel", "by_unit")

    def breakdowns(self) -> list[tuple[str, str, str, list[Row]]]:
        """(name, title, heading of the first column, rows) of each table."""
        return [
            ("by_kind", _("By kind"), _("Kind"), self.by_kind),
            ("by_field", _("By field"), _("Field"), self.by_field),
            ("by_channel", _("By channel"), _("Channel"), self.by_channel),
            ("by_unit", _("By unit"), _("Unit"), self.by_unit),
        ]

    def as_dict(self) -> dict:
        """Plain JSON: what the API answers and a submitted report freezes."""
        return {
            "unit": {"code": self.unit.code, "name": self.unit.name},
            "period": {
                "code": self.period.code,
                "window": self.period.window,
                "label": self.period.full_label,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "as_of": self.as_of.isoformat(),
            "total": self.total.as_dict(),
            **{
                name: [row.as_dict() for row in getattr(self, name)]
                for name in self.BREAKDOWNS
            },
            **self.extra,
        }


# Kind, channel and field are counted in one grouped query (at most
# 5 × 8 × fields groups) and added up per dimension here; units, whose number
# grows with the tree, in another.
DIMENSIONS = ("kind", "channel", "field_id")


def _grouped(cases, dimensions, counts) -> list[dict]:
    return list(cases.order_by().values(*dimensions).annotate(**counts))


def _sum_by(rows: list[dict], dimension: str) -> dict:
    """The groups of ``rows`` added up by one of their dimensions."""
    sums: dict = {}
    for row in rows:
        add_figures(sums.setdefault(row[dimension], zero_figures()), row)
    return sums


def _choice_rows(groups, choices, param) -> list[Row]:
    return [
        Row(
            key=value,
            label=label,
            figures=groups.get(value) or zero_figures(),
            params={param: value},
        )
        for value, label in choices
    ]


def _field_rows(groups) -> list[Row]:
    fields = Field.objects.filter(Q(is_active=True) | Q(pk__in=list(groups)))
    return [
        Row(
            key=item.code,
            label=item.name,
            figures=groups.get(item.pk) or zero_figures(),
            params={"field": item.code},
        )
        for item in fields.order_by("position", "name")
    ]


def _unit_rows(unit: Unit, groups: dict[str, dict]) -> list[Row]:
    """One row per direct child (its whole subtree), then the unit's own
    cases: together they make the total."""
    children = list(unit.children.order_by("path"))
    by_child = {child.pk: zero_figures() for child in children}
    own = zero_figures()
    for path, figures in groups.items():
        rest = path[len(unit.path) :]
        child_id = int(rest.split("/", 1)[0]) if rest else None
        if child_id in by_child:
            add_figures(by_child[child_id], figures)
        else:
            add_figures(own, figures)
    rows = [
        Row(
            key=child.code,
            label=child.name,
            figures=by_child[child.pk],
            params={"unit": child.code},
        )
        for child in children
    ]
    if any(own.values()) or not children:
        rows.append(
            Row(
                key=unit.code,
                label=_("%(unit)s (own cases)") % {"unit": unit.name},
                figures=own,
                params={"unit": unit.code, "own": "1"},
            )
        )
    return rows


def relevant_between(start, end) -> Q:
    """The cases that can count in a figure of a period from ``start`` to
    ``end``: received before its end and not resolved before its start
    (every figure but ``accepted`` needs both), or accepted in it.  A filter
    that only drops cases every figure leaves out, so that the database
    evaluates the conditions of each figure on the cases that matter."""
    return Q(received_at__lt=end) & (
        Q(resolved_at__isnull=True)
        | Q(resolved_at__gte=start)
        | Q(received_at__gte=start)
    ) | Q(accepted_at__gte=start, accepted_at__lt=end)


UNIT_KEY = "responsible_unit__path"


def _grouping_sets_sql(cases, counts) -> tuple[str, list] | None:
    """The two groupings (kind × channel × field, and unit) as one PostgreSQL
    query with ``GROUPING SETS``: the query Django writes for the four
    columns, its ``GROUP BY`` split into the two sets.  ``None`` when the
    query does not have the expected shape."""
    query = cases.order_by().values(*DIMENSIONS, UNIT_KEY).annotate(**counts)
    compiler = query.query.get_compiler(using=query.db)
    sql, params = compiler.as_sql()
    head, marker, tail = sql.rpartition(" GROUP BY ")
    parts = tail.split(", ")
    if not marker or len(parts) != len(DIMENSIONS) + 1:
        return None
    columns = []
    for part in parts:
        if part.isdigit():
            # Django groups by the position in the select list; inside
            # GROUPING SETS a number is a constant, so name the column.
            _expr, (column, column_params), _alias = compiler.select[int(part) - 1]
            if column_params:
                return None
            part = column
        if not part.replace('"', "").replace(".", "").replace("_", "").isalnum():
            return None
        columns.append(part)
    dims, unit = ", ".join(columns[:-1]), columns[-1]
    return f"{head} GROUP BY GROUPING SETS (({dims}), ({unit}))", list(params)


def _case_groups(cases, counts) -> tuple[list[dict], dict]:
    """The figures by kind × channel × field (a list of groups) and by
    responsible unit's path (a dict): one scan with ``GROUPING SETS`` on
    PostgreSQL, two grouped queries elsewhere (the same figures)."""
    if connections[cases.db].vendor == "postgresql":
        compiled = _grouping_sets_sql(cases, counts)
        if compiled is not None:
            with connections[cases.db].cursor() as cursor:
                cursor.execute(*compiled)
                names = [column.name for column in cursor.description]
                rows = [dict(zip(names, row, strict=True)) for row in cursor]
            # The unit column is NULL in the first set, the others in the
            # second (a case always has a kind and a unit).
            path = names[len(DIMENSIONS)]
            groups = [{**row, UNIT_KEY: None} for row in rows if row[path] is None]
            by_unit = {row[path]: row for row in rows if row[path] is not None}
            for row in groups:
                del row[path]
            return groups, by_unit
    groups = _grouped(cases, DIMENSIONS, counts)
    by_unit = _sum_by(_grouped(cases, [UNIT_KEY], counts), UNIT_KEY)
    return groups, by_unit


# Figures of periods that have ended, kept until any case changes.
CLOSED_PERIOD_CACHE_SECONDS = 24 * 60 * 60


def _cases_stamp() -> str:
    """Changes whenever a case is written (``updated_at`` is ``auto_now``;
    its index answers the maximum at once)."""
    stamp = Case.objects.aggregate(stamp=Max("updated_at"))["stamp"]
    return stamp.isoformat() if stamp else "-"


def _figures(
    *, user, unit: Unit, period: Period, as_of: dt.date, today: dt.date, cached: bool
):
    """``_case_groups`` of the report; with ``cached``, kept in the cache for
    a period that has ended when the reader sees the whole subtree (the
    figures are then the same for every such reader), keyed by the latest
    ``updated_at`` of any case so that a case written through the services
    (``save``) voids it."""
    counts = _counts(period, as_of)
    cases = with_timeline(
        case_scope(user=user, unit=unit).filter(
            relevant_between(period.start_at, period.end_at)
        )
    )
    cacheable = (
        cached
        and period.end < today
        and (user is None or sees_whole_subtree(user, unit))
    )
    if not cacheable:
        return _case_groups(cases, counts)
    key = (
        f"report-figures:{unit.pk}:{period.start.isoformat()}:"
        f"{period.end.isoformat()}:{as_of.isoformat()}:{_cases_stamp()}"
    )
    return computed_once(
        key, lambda: _case_groups(cases, counts), CLOSED_PERIOD_CACHE_SECONDS
    )


# How long a reader waits for another process computing the same figures
# before computing them itself.
COMPUTE_WAIT_SECONDS = 30


def computed_once(key: str, compute, timeout: int):
    """The cached value of ``key``, computed by one process at a time.

    At a quarter's end many people open the same report at once; without a
    guard every request that misses the cache would run the same heavy
    query together and all of them would be slow.  The first takes a lock
    (``cache.add``) and computes; the others wait for its result, and only
    compute themselves if it has not come within ``COMPUTE_WAIT_SECONDS``."""
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:computing"
    if not cache.add(lock, 1, COMPUTE_WAIT_SECONDS):
        deadline = time.monotonic() + COMPUTE_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.05)
            value = cache.get(key)
            if value is not None:
                return value
    try:
        value = compute()
        cache.set(key, value, timeout)
    finally:
        cache.delete(lock)
    return value


def report_summary(
    *,
    user,
    unit: Unit,
    period: Period,
    today: dt.date,
    with_extra: bool = True,
    cached: bool = False,
) -> Summary:
    """The statistics of ``unit`` (with its subtree) for ``period``, as
    ``user`` may see them, in a fixed number of queries whatever the number
    of units and cases.  With ``cached`` (the pages and the API), the case
    figures of a period that has ended come from the cache until a case
    changes; submitted reports and exports always count afresh."""
    as_of = period.as_of(today)
    groups, by_unit = _figures(
        user=user, unit=unit, period=period, as_of=as_of, today=today, cached=cached
    )
    total = zero_figures()
    for row in groups:
        add_figures(total, row)
    summary = Summary(
        unit=unit,
        period=period,
        as_of=as_of,
        total=Row(key="total", label=_("Total"), figures=total),
        by_kind=_choice_rows(_sum_by(groups, "kind"), CaseKind.choices, "kind"),
        by_field=_field_rows(_sum_by(groups, "field_id")),
        by_channel=_choice_rows(_sum_by(groups, "channel"), Channel.choices, "channel"),
        by_unit=_unit_rows(unit, by_unit),
    )
    if with_extra:
        # Reception visits and meetings live in other apps, which may not be
        # installed: see ``reports.sources``.
        from reports import sources

        summary.extra = sources.activity_figures(user=user, unit=unit, period=period)
    return summary


# --------------------------------------------------------------------------
# Monthly trend
# --------------------------------------------------------------------------


@dataclass
class MonthPoint:
    period: Period
    received: int
    resolved: int
    resolved_on_time: int


def report_trend(*, user, unit: Unit, months: list[Period]) -> list[MonthPoint]:
    """Received, resolved and resolved-on-time cases per month, in one
    query."""
    cases = case_scope(user=user, unit=unit)
    if months:
        cases = cases.filter(relevant_between(months[0].start_at, months[-1].end_at))
    cases = with_timeline(cases)
    aggregates = {}
    for index, month in enumerate(months):
        conditions = _conditions(month, month.end)
        for key in ("received", "resolved", "resolved_on_time"):
            aggregates[f"{key}_{index}"] = Count("pk", filter=conditions[key])
    values = cases.order_by().aggregate(**aggregates) if months else {}
    return [
        MonthPoint(
            period=month,
            received=values[f"received_{index}"],
            resolved=values[f"resolved_{index}"],
            resolved_on_time=values[f"resolved_on_time_{index}"],
        )
        for index, month in enumerate(months)
    ]
