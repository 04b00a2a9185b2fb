"""Reads behind the units' work queue ("My work") and the case page.

Every query starts from ``selectors.cases.case_list`` and so from
``permissions.cases_visible_to``.  Urgency is derived in SQL from the stored
``stage_due_on`` and a ``today`` the caller passes in; working days left are
computed in Python with one calendar per request.

Searching by a person's name must not let someone who may not see a
denouncer's identity find a denunciation by the denouncer's name.  The name
match is therefore restricted in SQL by ``permissions.identity_condition``, the SQL twin
of ``permissions.can_see_identity`` for denunciations (tests check the two
agree for every role); names of the denounced, who are not protected, match
for every viewer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Case as When_
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from feedback import deadlines, permissions, tracking, workflow
from feedback.errors import InvalidInputError, NotFoundError
from feedback.models import (
    OPEN_STATUSES,
    Answer,
    Attachment,
    Case,
    CaseCollaborator,
    CaseEvent,
    CaseKind,
    Field,
    LegalGround,
    Party,
    PartyRole,
    Role,
    Unit,
    UnitKind,
)
from feedback.selectors.cases import case_list
from feedback.selectors.counts import cached_figures
from feedback.selectors.deadlines import compute_due_date, working_calendar
from feedback.templatetags.langnghe import person_name

# A case is "due soon" when at most this many working days are left.
SOON_WORKING_DAYS = 3

OVERDUE = "overdue"
SOON = "soon"
ON_TRACK = "on_track"
BUCKETS = (OVERDUE, SOON, ON_TRACK)

# Status filter values besides the statuses themselves.
STATE_OPEN = "open"
STATE_ALL = "all"

# Levels of government, not units that work cases.
ADMINISTRATIVE_LEVELS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)

FLAGS = ("is_mass", "is_prolonged", "is_hot_spot", "is_complex")


# Roles whose holders may see a denouncer on the cases of their own unit
# (leaders) or of their subtree (supervisors, administrators).


@dataclass
class QueueFilters:
    """What the user asked the queue to show; empty values filter nothing."""

    q: str = ""
    kind: str = ""
    state: str = STATE_OPEN
    field_id: int | None = None
    hamlet_id: int | None = None
    unit: Unit | None = None
    flags: list[str] = field(default_factory=list)
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    assigned: str = ""  # "me", "none" or ""
    bucket: str = ""


# --------------------------------------------------------------------------
# Confidentiality in SQL
# --------------------------------------------------------------------------


def _search_condition(user, text: str) -> Q:
    """Cases whose code, title or a named person matches ``text``."""
    text = text.strip()
    condition = Q(title__icontains=text)
    code = tracking.normalize_code(text)
    if code and all(symbol in tracking.ALPHABET for symbol in code):
        condition |= Q(code__contains=code)
    name_match = Party.objects.filter(case_id=OuterRef("pk"), full_name__icontains=text)
    # A denouncer's name finds a denunciation only for whoever may see it.
    protected = Q(kind=CaseKind.DENUNCIATION) & ~permissions.identity_condition(user)
    condition |= Exists(name_match) & ~protected
    condition |= Exists(name_match.filter(role=PartyRole.DENOUNCED))
    return condition


# --------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------


def soon_limit(today: dt.date, calendar: deadlines.WorkingCalendar) -> dt.date:
    """The last date whose working days left (from ``today``) are at most
    ``SOON_WORKING_DAYS``: the day before the next working day after them."""
    return deadlines.add_working_days(
        today, SOON_WORKING_DAYS + 1, calendar
    ) - dt.timedelta(days=1)


def queue_calendar(today: dt.date) -> deadlines.WorkingCalendar:
    """The one calendar a queue or case page uses: wide enough for the due
    dates of open cases (two years back, one ahead)."""
    return working_calendar(first_year=today.year - 2, last_year=today.year + 1)


def _bucket_conditions(today: dt.date, limit: dt.date) -> dict[str, Q]:
    is_open = Q(status__in=OPEN_STATUSES)
    return {
        OVERDUE: is_open & Q(stage_due_on__lt=today),
        SOON: is_open & Q(stage_due_on__gte=today, stage_due_on__lte=limit),
        ON_TRACK: is_open & (Q(stage_due_on__gt=limit) | Q(stage_due_on__isnull=True)),
    }


def _filtered(*, user, filters: QueueFilters, today: dt.date) -> QuerySet[Case]:
    cases = case_list(user=user, today=today)
    if filters.state == STATE_OPEN:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif filters.state and filters.state != STATE_ALL:
        cases = cases.filter(status=filters.state)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.field_id:
        cases = cases.filter(field_id=filters.field_id)
    if filters.hamlet_id:
        cases = cases.filter(location_unit_id=filters.hamlet_id)
    if filters.unit is not None:
        # The unit and the units below it.
        cases = cases.filter(responsible_unit__path__startswith=filters.unit.path)
    for flag in filters.flags:
        if flag in FLAGS:
            cases = cases.filter(**{flag: True})
    if filters.received_from:
        cases = cases.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        cases = cases.filter(received_at__date__lte=filters.received_to)
    if filters.assigned == "me":
        cases = cases.filter(assignee_id=user.pk)
    elif filters.assigned == "none":
        cases = cases.filter(assignee__isnull=True)
    if filters.q.strip():
        cases = cases.filter(_search_condition(user, filters.q))
    return cases


def queue_cases(
    *,
    user,
    filters: QueueFilters,
    today: dt.date,
    calendar: deadlines.WorkingCalendar,
) -> QuerySet[Case]:
    """The user's cases, most urgent first: open cases by stage due date
    (overdue first, then by days left), then closed ones, newest first.

    Petitioners and co-operating units are prefetched so that masking a
    denouncer costs no query per row.
    """
    cases = _filtered(user=user, filters=filters, today=today)
    if filters.bucket in BUCKETS:
        limit = soon_limit(today, calendar)
        cases = cases.filter(_bucket_conditions(today, limit)[filters.bucket])
    order = [F("stage_due_on").asc(nulls_last=True), "received_at", "id"]
    if not (filters.state == STATE_OPEN or filters.state in OPEN_STATUSES):
        # Open cases first; when only open ones are listed the rank is the
        # same for all and left out, so that the index of open cases by due
        # date gives the order.
        cases = cases.annotate(
            open_rank=When_(
                When(status__in=OPEN_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        order.insert(0, "open_rank")
    return (
        # The page's count is cached until the cases change.
        cases.counted_in_cache()
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.filter(
                    role__in=[PartyRole.PETITIONER, PartyRole.REPRESENTATIVE]
                ).order_by("role", "id"),
                to_attr="petitioners",
            ),
            "collaborators",
        )
        # The list shows neither; a long letter need not travel.
        .defer("content", "pin_hash")
        .order_by(*order)
    )


def queue_bucket_counts(
    *,
    user,
    filters: QueueFilters,
    today: dt.date,
    calendar: deadlines.WorkingCalendar,
) -> dict[str, int]:
    """Open cases overdue / due within three working days / on track, under
    the same filters as the list (bar the bucket itself), in one query."""
    limit = soon_limit(today, calendar)
    cases = _filtered(user=user, filters=filters, today=today)
    return cached_figures(
        cases,
        f"buckets:{today.isoformat()}:{limit.isoformat()}",
        lambda: cases.aggregate(
            **{
                name: Count("pk", filter=condition)
                for name, condition in _bucket_conditions(today, limit).items()
            }
        ),
    )


def overdue_by_unit(*, user, today: dt.date) -> list[dict]:
    """For supervisors: overdue open cases per responsible unit of their
    subtree, most first, in one aggregate query (empty for other roles)."""
    if not permissions.has_role(user, Role.SUPERVISOR, Role.ADMIN):
        return []
    return list(
        permissions.cases_visible_to(user)
        .filter(status__in=OPEN_STATUSES, stage_due_on__lt=today)
        .values("responsible_unit_id", "responsible_unit__name")
        .annotate(overdue=Count("pk"))
        .order_by("-overdue", "responsible_unit__name")
    )


def is_subtree_viewer(user) -> bool:
    """Supervisors and administrators filter the queue by unit."""
    return permissions.has_role(user, Role.SUPERVISOR, Role.ADMIN)


def queue_unit_choices(user) -> QuerySet[Unit]:
    return permissions.units_visible_to(user).filter(is_active=True).order_by("path")


def queue_hamlet_choices(user) -> QuerySet[Unit]:
    """Hamlets where the user's cases are located: for each hamlet (a few
    dozen) whether one visible case lies there, which the index on
    ``location_unit`` answers, rather than every visible case's hamlet."""
    located = permissions.cases_visible_to(user).filter(location_unit_id=OuterRef("pk"))
    return (
        Unit.objects.filter(kind=UnitKind.HAMLET)
        .filter(Exists(located))
        .order_by("name")
    )


# The filter selects change when a unit or a hamlet does, not per request.
CHOICES_CACHE_SECONDS = 300


def _choice_list(units) -> list[tuple[int, str]]:
    return [(unit.pk, str(unit)) for unit in units.only("pk", "name")]


def queue_choices_key(user) -> str:
    """What the queue's select options depend on: the user and their
    memberships."""
    memberships = "-".join(
        f"{m.unit_id}.{m.role}"
        for m in sorted(
            permissions.memberships_of(user), key=lambda m: (m.unit_id, m.role)
        )
    )
    # ``date_joined`` tells apart users who come to share a primary key.
    joined = int(user.date_joined.timestamp() * 1e6) if user.date_joined else 0
    root = int(permissions.is_root(user))
    return f"{user.pk}.{joined}.{root}:{memberships}"


def queue_choice_lists(user) -> dict[str, list[tuple[int, str]]]:
    """The options of the queue's field, hamlet and (for subtree viewers)
    unit selects as lists of ``(pk, label)``, cached per user and set of
    memberships for ``CHOICES_CACHE_SECONDS``: rendering a select then costs
    no query, and the hamlet look-up runs once per user every few minutes."""
    key = f"queue-choices:{queue_choices_key(user)}"
    choices = cache.get(key)
    if choices is None:
        choices = {
            "field": _choice_list(field_choices()),
            "hamlet": _choice_list(queue_hamlet_choices(user)),
        }
        if is_subtree_viewer(user):
            choices["unit"] = _choice_list(queue_unit_choices(user))
        cache.set(key, choices, CHOICES_CACHE_SECONDS)
    return choices


def related_units(case: Case) -> QuerySet[Unit]:
    """Active units of the case's commune other than the responsible unit:
    where it may be transferred, and whom to ask to co-operate.  The commune
    is the nearest unit of kind ``commune`` above the responsible unit (the
    whole tree when there is none)."""
    ancestor_ids = [
        int(part) for part in case.responsible_unit.path.strip("/").split("/") if part
    ]
    commune_path = (
        Unit.objects.filter(pk__in=ancestor_ids, kind=UnitKind.COMMUNE)
        .order_by("-depth")
        .values("path")[:1]
    )
    return (
        Unit.objects.filter(
            is_active=True,
            path__startswith=Coalesce(Subquery(commune_path), Value("/")),
        )
        .exclude(pk=case.responsible_unit_id)
        .exclude(kind__in=ADMINISTRATIVE_LEVELS)
        .order_by("path")
    )


def field_choices() -> QuerySet[Field]:
    return Field.objects.filter(is_active=True)


def days_left(
    case: Case, *, today: dt.date, calendar: deadlines.WorkingCalendar
) -> int | None:
    """Working days left on the case's current stage (negative when late);
    ``None`` for a closed case or one without a stage deadline."""
    return days_left_until(
        case.stage_due_on, is_open=case.is_open, today=today, calendar=calendar
    )


def days_left_until(
    due_on: dt.date | None,
    *,
    is_open: bool,
    today: dt.date,
    calendar: deadlines.WorkingCalendar,
) -> int | None:
    """``days_left`` from a case's columns (a list's rows)."""
    if not is_open or due_on is None:
        return None
    if due_on >= today:
        return _working_days_between(today, due_on, calendar)
    return -_working_days_between(due_on, today, calendar)


def _weekdays_through(day: dt.date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) to ``day``."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _working_days_between(
    start: dt.date, end: dt.date, calendar: deadlines.WorkingCalendar
) -> int:
    """Working days in (``start``, ``end``], as ``deadlines.working_days_left``
    counts them day by day, but in time proportional to the calendar's
    exceptions rather than to the distance (a case late by a year is read on
    every queue page)."""
    count = _weekdays_through(end) - _weekdays_through(start)
    for day in calendar.holidays | calendar.extra_days_off:
        if (
            start < day <= end
            and day.weekday() < 5
            and day not in calendar.extra_working_days
        ):
            count -= 1
    for day in calendar.extra_working_days:
        if start < day <= end and day.weekday() >= 5:
            count += 1
    return count


# --------------------------------------------------------------------------
# The case page
# --------------------------------------------------------------------------


def case_page_get(*, user, case_id: int) -> Case:
    """One visible case with everything its page shows; a hidden case is
    indistinguishable from a missing one (``NotFoundError``)."""
    cases = case_list(user=user).select_related(
        "created_by",
        "dispatch_unit",
        "transferred_from",
        "legal_ground",
        "duplicate_of",
        "previous_case",
    )
    cases = cases.prefetch_related(
        Prefetch("parties", queryset=Party.objects.order_by("role", "id")),
        Prefetch(
            "collaborators",
            queryset=CaseCollaborator.objects.select_related("unit").order_by("id"),
        ),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.select_related("uploaded_by").order_by("id"),
        ),
        Prefetch(
            "answers",
            queryset=Answer.objects.select_related("author", "reviewed_by").order_by(
                "number"
            ),
        ),
    )
    try:
        return cases.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Case not found.")) from None


def case_events(*, case: Case) -> list[CaseEvent]:
    """The case's timeline, oldest first, internal entries included."""
    return list(
        CaseEvent.objects.filter(case=case)
        .select_related("author")
        .order_by("created_at", "id")
    )


def legal_ground_articles(codes) -> dict[str, str]:
    """Article references of the legal grounds cited on a timeline, by code."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    return dict(
        LegalGround.objects.filter(code__in=codes).values_list("code", "article")
    )


def extension_preview(case: Case) -> dt.date | None:
    """The final due date one more extension would give (the period counted
    again from acceptance, as ``case_transition("extend")`` does), or
    ``None`` when the law allows no further extension."""
    start = timezone.localtime(case.accepted_at or case.received_at).date()
    remote = case.responsible_unit.is_remote_area or bool(
        case.location_unit_id and case.location_unit.is_remote_area
    )
    try:
        return compute_due_date(
            kind=case.kind,
            stage="resolve" if case.kind in workflow.DECIDED_KINDS else "answer",
            start=start,
            second=case.is_second_time,
            remote=remote,
            complex=case.is_complex,
            extensions=case.extensions + 1,
        ).due_on
    except InvalidInputError:
        return None


# Fields of the case history never shown: bookkeeping, and what the history
# row already says (who, when).
HISTORY_HIDDEN_FIELDS = frozenset(
    {"id", "version", "created_at", "updated_at", "code", "pin_hash"}
)


@dataclass
class FieldChange:
    name: str
    label: str
    old: object
    new: object


@dataclass
class HistoryEntry:
    record: object
    changes: list[FieldChange]
    is_creation: bool


def case_history(*, case: Case) -> list[HistoryEntry]:
    """The case's simple-history versions, newest first, each with the fields
    that changed since the version before, values ready to display.

    Foreign keys are resolved to names in one query per related model, so the
    cost does not grow with the number of versions.
    """
    records = list(
        case.history.select_related("history_user").order_by("history_date", "pk")
    )
    stored = set(records[0].__dict__) if records else set()
    tracked = [
        f
        for f in Case._meta.concrete_fields
        if f.name not in HISTORY_HIDDEN_FIELDS and f.attname in stored
    ]
    entries: list[HistoryEntry] = []
    previous = None
    related_ids: dict[type, set] = {}
    for record in records:
        changes = []
        if previous is not None:
            for model_field in tracked:
                old = getattr(previous, model_field.attname)
                new = getattr(record, model_field.attname)
                if old == new:
                    continue
                changes.append(
                    FieldChange(model_field.name, model_field.verbose_name, old, new)
                )
                if model_field.is_relation:
                    ids = related_ids.setdefault(model_field.related_model, set())
                    ids.update(v for v in (old, new) if v is not None)
        if changes or previous is None:
            # A version that only bumped bookkeeping (a note, say) is left out:
            # the timeline tells that story.
            entries.append(HistoryEntry(record, changes, previous is None))
        previous = record
    names = _related_names(related_ids)
    for entry in entries:
        for change in entry.changes:
            model_field = Case._meta.get_field(change.name)
            change.old = _display(model_field, change.old, names)
            change.new = _display(model_field, change.new, names)
    entries.reverse()
    return entries


def _related_names(related_ids: dict[type, set]) -> dict[tuple[type, object], str]:
    names = {}
    user_model = get_user_model()
    for model, ids in related_ids.items():
        for obj in model._default_manager.filter(pk__in=ids):
            if model is user_model:
                names[(model, obj.pk)] = person_name(obj)
            elif model is Case:
                names[(model, obj.pk)] = obj.display_code
            elif model is LegalGround:
                names[(model, obj.pk)] = obj.article
            else:
                names[(model, obj.pk)] = str(obj)
    return names


def _display(model_field, value, names):
    """A stored value as a person reads it: names for related rows, labels
    for choices, dd/mm/yyyy for dates."""
    if value is None or value == "":
        return ""
    if model_field.is_relation:
        return names.get((model_field.related_model, value), f"#{value}")
    if model_field.name == "stage":
        return workflow.STAGE_LABELS.get(value, value)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value
