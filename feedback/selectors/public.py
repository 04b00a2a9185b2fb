"""Reads behind the citizen portal: what the public may see, and nothing more.

Everything here returns plain dataclasses so that the pages and the public
API render the same shapes.  No function returns a model instance of a case,
so a template or serializer cannot reach a petitioner's details by accident:

* ``public_case_view`` is what a citizen sees after entering code and PIN.
  For a denunciation it carries only the status and the dates (Luật Tố cáo
  Arts 8, 47): no kind, field, unit, texts or answer.
* ``published_answer_page`` lists the answers units chose to publish, never a
  denunciation (even if ``published_at`` were set), with names, phone numbers,
  ID numbers and e-mail addresses of the case's parties blotted out.
* ``scorecard`` aggregates per unit and quarter in the database and
  suppresses every count from 1 to 4 (and the rates and averages computed
  from them), so that no figure points to a person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Case as Switch
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONArray, TruncDate
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseKind,
    EventKind,
    Field,
    Outcome,
    Party,
    PartyRole,
    Satisfaction,
    Status,
    Unit,
    UnitKind,
)
from feedback.prepared import PreparedQuery
from feedback.selectors.deadlines import working_calendar
from feedback.selectors.reference import HeldQuery
from feedback.tracking import format_code

# Kinds whose answers a unit may publish; a denunciation's conclusion has its
# own publication procedure and never appears on the public answers page.
PUBLISHABLE_KINDS = (
    CaseKind.FEEDBACK,
    CaseKind.VOTER_PETITION,
    CaseKind.DIALOGUE_ISSUE,
    CaseKind.COMPLAINT,
)
ANSWERED_STATUSES = (Status.RESOLVED, Status.CLOSED)

# The status of a case in plain words, with one sentence of explanation.
STATUS_WORDS = {
    Status.RECEIVED: (
        gettext_lazy("Received, being examined"),
        gettext_lazy(
            "Your letter has been received. It is being examined to decide "
            "whether it is accepted for resolution or sent to the competent body."
        ),
    ),
    Status.ACCEPTED: (
        gettext_lazy("Being resolved"),
        gettext_lazy("The competent body has accepted the case and is resolving it."),
    ),
    Status.RESOLVED: (
        gettext_lazy("Answered"),
        gettext_lazy("The case has been resolved and the answer is below."),
    ),
    Status.CLOSED: (
        gettext_lazy("Finished"),
        gettext_lazy("The case has been resolved and its file is closed."),
    ),
    Status.RETURNED: (
        gettext_lazy("Returned with guidance"),
        gettext_lazy(
            "The letter is outside this body's competence or cannot be "
            "processed as it is; see the guidance in the history below."
        ),
    ),
    Status.TRANSFERRED: (
        gettext_lazy("Sent to the competent body"),
        gettext_lazy(
            "The letter has been sent to the body competent to resolve it, "
            "which will contact you."
        ),
    ),
    Status.ARCHIVED: (
        gettext_lazy("Filed without processing"),
        gettext_lazy(
            "The letter does not meet the conditions to be processed (for "
            "example a duplicate) and has been filed."
        ),
    ),
    Status.WITHDRAWN: (
        gettext_lazy("Withdrawn"),
        gettext_lazy("The letter was withdrawn at the sender's request."),
    ),
}

# What each public timeline entry means to a citizen.
EVENT_WORDS = {
    "create": gettext_lazy("Letter received"),
    "accept": gettext_lazy("Accepted for resolution"),
    "return": gettext_lazy("Returned with guidance"),
    "forward": gettext_lazy("Sent to the competent body"),
    "archive": gettext_lazy("Filed without processing"),
    "withdraw": gettext_lazy("Withdrawn"),
    "resolve": gettext_lazy("Answer issued"),
    "correct_answer": gettext_lazy("Answer corrected"),
    "publish": gettext_lazy("Answer made public"),
    "close": gettext_lazy("File closed"),
    "extend": gettext_lazy("Time for resolution extended"),
    "note": gettext_lazy("Progress update"),
}
# Timeline entries whose text is addressed to the citizen (guidance, reasons
# for an extension, public progress notes).  The text of other public events
# (the desk's note on receipt, a correction's reason) stays internal.
EVENT_TEXT_ACTIONS = frozenset(
    {"note", "return", "forward", "archive", "withdraw", "extend"}
)

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


# --------------------------------------------------------------------------
# Routing and form choices
# --------------------------------------------------------------------------


def public_desk_unit() -> Unit | None:
    """The active unit where online submissions land (the commune People's
    Committee's desk); the highest in the tree if several are marked."""
    return _PUBLIC_DESK.first()


def public_hamlets(*, desk: Unit | None) -> list[tuple[int, str]]:
    """Active hamlets a citizen may choose: those of the desk's commune (its
    nearest commune ancestor), or every active hamlet when there is none."""
    hamlets = Unit.objects.filter(kind=UnitKind.HAMLET, is_active=True)
    if desk is not None:
        ancestor_ids = [int(part) for part in desk.path.strip("/").split("/")]
        commune_path = (
            Unit.objects.filter(pk__in=ancestor_ids, kind=UnitKind.COMMUNE)
            .order_by("-depth")
            .values_list("path", flat=True)
            .first()
        )
        if commune_path:
            hamlets = hamlets.filter(path__startswith=commune_path)
    return list(hamlets.order_by("name").values_list("pk", "name"))


def _public_hamlet(pk: int, desk_path: str) -> QuerySet:
    # The desk's ancestors (itself included) are the units whose path starts
    # its own; ``public_hamlets`` reads them from its path.
    commune_path = (
        Unit.objects.filter(kind=UnitKind.COMMUNE)
        .alias(desk_path=Value(desk_path))
        .filter(desk_path__startswith=F("path"))
        .order_by("-depth")
        .values("path")[:1]
    )
    return Unit.objects.filter(
        pk=pk,
        kind=UnitKind.HAMLET,
        is_active=True,
        path__startswith=Coalesce(Subquery(commune_path), Value("")),
    ).order_by()


_PUBLIC_DESK = HeldQuery(
    PreparedQuery(
        lambda: Unit.objects.filter(
            is_active=True, receives_public_submissions=True
        ).order_by("depth", "path")[:1]
    )
)
_PUBLIC_HAMLET = HeldQuery(
    PreparedQuery(
        _public_hamlet, pk=-7_654_321_987_654_321, desk_path="\x00desk-path\x00"
    )
)


def public_hamlet(*, desk: Unit | None, pk) -> Unit | None:
    """The hamlet ``pk`` if a citizen may choose it (it is among
    ``public_hamlets(desk=desk)``), in one query; ``None`` otherwise."""
    if type(pk) is not int:
        return None
    if desk is None:
        return Unit.objects.filter(pk=pk, kind=UnitKind.HAMLET, is_active=True).first()
    return _PUBLIC_HAMLET.first(pk=pk, desk_path=desk.path)


_PUBLIC_FIELD = HeldQuery(
    PreparedQuery(
        lambda pk: Field.objects.filter(pk=pk, is_active=True).order_by(),
        pk=-7_654_321_987_654_321,
    )
)


def public_field(pk) -> Field | None:
    """The active field ``pk`` (one of ``public_fields``), or ``None``."""
    if type(pk) is not int:
        return None
    return _PUBLIC_FIELD.first(pk=pk)


def public_fields() -> list[tuple[int, str]]:
    """Active fields (lĩnh vực) in their configured order."""
    return list(Field.objects.filter(is_active=True).values_list("pk", "name"))


def public_field_codes() -> list[tuple[str, str]]:
    return list(Field.objects.filter(is_active=True).values_list("code", "name"))


# --------------------------------------------------------------------------
# A case as its citizen sees it
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicEvent:
    date: dt.date
    label: str
    text: str = ""


@dataclass(frozen=True)
class PublicCaseView:
    """A case as shown to whoever holds its code and PIN.

    For a denunciation ``kind_label``, ``field``, ``responsible_unit``,
    ``answer``, ``decision`` and every event text are empty: only the status
    and the dates are shown.
    """

    code: str
    display_code: str
    is_denunciation: bool
    kind: str
    kind_label: str
    field: str
    responsible_unit: str
    received_on: dt.date
    status: str
    status_label: str
    status_help: str
    is_open: bool
    answer_due_on: dt.date | None
    overdue_days: int
    answered_late_days: int
    resolved_on: dt.date | None
    answer: str
    decision: str
    timeline: list[PublicEvent] = field(default_factory=list)
    can_rate: bool = False
    satisfaction: str = ""
    satisfaction_label: str = ""
    rated_on: dt.date | None = None


def _local_date(moment: dt.datetime | None, zone=None) -> dt.date | None:
    return timezone.localtime(moment, zone).date() if moment else None


def is_rateable(case: Case | TrackedCase) -> bool:
    """A citizen may rate an answer once, after resolution; a denunciation's
    conclusion is not shown on the tracking page, so it is not rated there."""
    return (
        case.status in ANSWERED_STATUSES
        and case.kind != CaseKind.DENUNCIATION
        and case.rated_at is None
    )


def _overdue_days(case: Case | TrackedCase, today: dt.date) -> int:
    if case.status not in OPEN_STATUSES:
        return 0
    dues = [d for d in (case.stage_due_on, case.final_due_on) if d is not None]
    late = [(today - due).days for due in dues if today > due]
    return max(late, default=0)


def _decision_text(case: Case | TrackedCase) -> str:
    if case.kind != CaseKind.COMPLAINT or not case.decision_number:
        return ""
    if case.decision_date:
        text = _("Decision No. %(number)s of %(date)s") % {
            "number": case.decision_number,
            "date": case.decision_date.strftime("%d/%m/%Y"),
        }
    else:
        text = _("Decision No. %(number)s") % {"number": case.decision_number}
    if case.outcome:
        text = f"{text} — {OUTCOME_LABELS.get(case.outcome, case.outcome)}"
    return text


# A case's columns that its public view and the rating token read, then the
# names of its field and unit, in the order of ``TrackedCase``.
TRACKED_COLUMNS = (
    "id",
    "code",
    "pin_hash",
    "kind",
    "status",
    "received_at",
    "resolved_at",
    "stage_due_on",
    "final_due_on",
    "public_answer",
    "decision_number",
    "decision_date",
    "outcome",
    "satisfaction",
    "rated_at",
    "field__name",
    "responsible_unit__name",
)
# The columns of one public timeline entry, in the order ``_timeline`` reads.
EVENT_COLUMNS = ("action", "kind", "to_status", "text", "created_at")
KIND_LABELS = dict(CaseKind.choices)
OUTCOME_LABELS = dict(Outcome.choices)
EVENT_KIND_LABELS = dict(EventKind.choices)


@dataclass(frozen=True, slots=True)
class TrackedCase:
    """What a look-up reads of a case: the columns of ``TRACKED_COLUMNS`` and
    the public timeline entries as ``EVENT_COLUMNS`` tuples, oldest first.
    Enough for the public view and the rating token, nothing else (no party,
    no title, no content)."""

    id: int
    code: str
    pin_hash: str
    kind: str
    status: str
    received_at: dt.datetime
    resolved_at: dt.datetime | None
    stage_due_on: dt.date | None
    final_due_on: dt.date | None
    public_answer: str
    decision_number: str
    decision_date: dt.date | None
    outcome: str
    satisfaction: str
    rated_at: dt.datetime | None
    field_name: str
    unit_name: str
    events: tuple[tuple, ...] = ()


# --------------------------------------------------------------------------
# Tracking look-up
# --------------------------------------------------------------------------

_CODE_PLACEHOLDER = "\x00code\x00"


def _lookup_by_json(code: str) -> QuerySet:
    """The case with this code, its field's and unit's names and its public
    timeline aggregated as a JSON array of ``EVENT_COLUMNS`` arrays, in one
    row: names and timeline as subqueries rather than joins, which PostgreSQL
    plans in half the time (planning, not execution, is most of the cost of
    this query, which is not prepared)."""
    from django.contrib.postgres.aggregates import JSONBAgg

    timeline = (
        CaseEvent.objects.filter(case_id=OuterRef("pk"), is_public=True)
        .order_by()
        .values("case_id")
        .annotate(
            timeline=JSONBAgg(JSONArray(*EVENT_COLUMNS), order_by=("created_at", "id"))
        )
        .values("timeline")
    )
    field_name = Field.objects.filter(pk=OuterRef("field_id")).order_by().values("name")
    unit_name = (
        Unit.objects.filter(pk=OuterRef("responsible_unit_id"))
        .order_by()
        .values("name")
    )
    return (
        Case.objects.filter(code=code)
        .annotate(
            tracked_field_name=Subquery(field_name),
            tracked_unit_name=Subquery(unit_name),
            tracked_timeline=Subquery(timeline),
        )
        .order_by()
        .values_list(
            *TRACKED_COLUMNS[:-2],
            "tracked_field_name",
            "tracked_unit_name",
            "tracked_timeline",
        )
    )


def _lookup_by_join(code: str) -> QuerySet:
    """The same with a LEFT JOIN of the public timeline: one row per entry
    (one row with empty entry columns when there is none), in order."""
    return (
        Case.objects.filter(code=code)
        .annotate(
            public_event=FilteredRelation("events", condition=Q(events__is_public=True))
        )
        .values_list(
            *TRACKED_COLUMNS, *(f"public_event__{name}" for name in EVENT_COLUMNS)
        )
        .order_by("public_event__created_at", "public_event__id")
    )


_LOOKUP_BY_JSON = PreparedQuery(_lookup_by_json, code=_CODE_PLACEHOLDER)
_LOOKUP_BY_JOIN = PreparedQuery(_lookup_by_join, code=_CODE_PLACEHOLDER)


def _json_event(entry: list) -> tuple:
    *values, created_at = entry
    # JSON has no dates: a timestamp comes back in ISO 8601.
    return (*values, dt.datetime.fromisoformat(created_at))


def tracked_case(code: str) -> TrackedCase | None:
    """The case with this (normalised) code and its public timeline, in one
    query by the unique index on ``code``; ``None`` when no case has it.
    PostgreSQL aggregates the timeline in that query; elsewhere it is joined."""
    case_width = len(TRACKED_COLUMNS)
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        row = _LOOKUP_BY_JSON.first(code=code)
        if row is None:
            return None
        events = tuple(_json_event(entry) for entry in row[case_width] or ())
        return TrackedCase(*row[:case_width], events=events)
    rows = _LOOKUP_BY_JOIN.rows(code=code)
    if not rows:
        return None
    events = tuple(tuple(row[case_width:]) for row in rows if row[-1] is not None)
    return TrackedCase(*rows[0][:case_width], events=events)


def _tracked(case: Case) -> TrackedCase:
    """A case model as ``TrackedCase``, with one query for its timeline
    (``field`` and ``responsible_unit`` should be select_related)."""
    events = CaseEvent.objects.filter(case_id=case.pk, is_public=True).order_by(
        "created_at", "id"
    )
    return TrackedCase(
        id=case.pk,
        code=case.code,
        pin_hash=case.pin_hash,
        kind=case.kind,
        status=case.status,
        received_at=case.received_at,
        resolved_at=case.resolved_at,
        stage_due_on=case.stage_due_on,
        final_due_on=case.final_due_on,
        public_answer=case.public_answer,
        decision_number=case.decision_number,
        decision_date=case.decision_date,
        outcome=case.outcome,
        satisfaction=case.satisfaction,
        rated_at=case.rated_at,
        field_name=case.field.name,
        unit_name=case.responsible_unit.name,
        events=tuple(events.values_list(*EVENT_COLUMNS)),
    )


def _timeline(case: TrackedCase, hidden: bool, zone=None) -> list[PublicEvent]:
    timeline = []
    for action, kind, to_status, text, created_at in case.events:
        label = EVENT_WORDS.get(action)
        if label is None:
            words = STATUS_WORDS.get(to_status)
            label = words[0] if words else EVENT_KIND_LABELS.get(kind, kind)
        timeline.append(
            PublicEvent(
                date=_local_date(created_at, zone),
                label=str(label),
                text="" if hidden or action not in EVENT_TEXT_ACTIONS else text,
            )
        )
    return timeline


def public_case_view(
    *, case: Case | TrackedCase, today: dt.date | None = None
) -> PublicCaseView:
    """What the tracking page shows for ``case``: a ``TrackedCase`` as a
    look-up read it, or a case model (then one query for the public timeline;
    ``field`` and ``responsible_unit`` should be select_related)."""
    if not isinstance(case, TrackedCase):
        case = _tracked(case)
    # The current time zone, read once for every date of the view.
    zone = timezone.get_current_timezone()
    today = today or timezone.localdate(timezone=zone)
    hidden = case.kind == CaseKind.DENUNCIATION
    label, explanation = STATUS_WORDS[case.status]
    resolved_on = _local_date(case.resolved_at, zone)
    answered = case.status in ANSWERED_STATUSES
    is_open = case.status in OPEN_STATUSES
    late_answer = 0
    if resolved_on and case.final_due_on and resolved_on > case.final_due_on:
        late_answer = (resolved_on - case.final_due_on).days
    return PublicCaseView(
        code=case.code,
        display_code=format_code(case.code),
        is_denunciation=hidden,
        kind="" if hidden else case.kind,
        kind_label="" if hidden else str(KIND_LABELS.get(case.kind, case.kind)),
        field="" if hidden else case.field_name,
        responsible_unit="" if hidden else case.unit_name,
        received_on=_local_date(case.received_at, zone),
        status=case.status,
        status_label=str(label),
        status_help=str(explanation),
        is_open=is_open,
        answer_due_on=case.final_due_on if is_open or answered else None,
        overdue_days=_overdue_days(case, today),
        answered_late_days=late_answer if answered else 0,
        resolved_on=resolved_on if answered else None,
        answer="" if hidden or not answered else case.public_answer,
        decision="" if hidden or not answered else _decision_text(case),
        timeline=_timeline(case, hidden, zone),
        can_rate=is_rateable(case),
        satisfaction="" if hidden else case.satisfaction,
        satisfaction_label=(
            ""
            if hidden or not case.satisfaction
            else str(Satisfaction(case.satisfaction).label)
        ),
        rated_on=None if hidden else _local_date(case.rated_at, zone),
    )


# --------------------------------------------------------------------------
# Published answers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedAnswer:
    title: str
    kind_label: str
    field: str
    hamlet: str
    received_on: dt.date
    resolved_on: dt.date | None
    published_on: dt.date
    answer: str


@dataclass(frozen=True)
class AnswerPage:
    items: list[PublishedAnswer]
    number: int
    num_pages: int
    count: int
    has_previous: bool
    has_next: bool


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone numbers (0 or +84 and 9 or 10 more digits, possibly grouped by
# spaces, dots or dashes) and ID numbers (12 digits, or 9 for old cards);
# amounts such as 350.000.000 đồng are left alone.
_NUMBER = re.compile(
    r"(?<![\w+])(?:(?:\+84[ .\-]?\d|0\d)(?:[ .\-]?\d){8,9}|\d{12}|\d{9})(?!\w)"
)


def redact(text: str, names: list[str]) -> str:
    """``text`` with the given names, e-mail addresses and phone or ID numbers
    replaced by a marker.

    The leader who publishes an answer is responsible for writing it without
    personal data; this is a safety net for what slips through."""
    marker = _("[hidden]")
    for name in sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True):
        text = re.sub(re.escape(name), marker, text, flags=re.IGNORECASE)
    text = _EMAIL.sub(marker, text)
    return _NUMBER.sub(marker, text)


def period_bounds(value: str) -> tuple[dt.date, dt.date] | None:
    """``"2026"`` → the year, ``"2026-Q3"`` → the quarter, as ``[start, end)``
    dates; ``None`` for anything else."""
    match = re.fullmatch(r"(\d{4})(?:-Q([1-4]))?", value or "")
    if not match:
        return None
    year = int(match.group(1))
    if not 2000 <= year <= 2999:
        return None
    if match.group(2) is None:
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    start = quarter_start(year, int(match.group(2)))
    return start, next_quarter_start(start)


def published_answer_periods(*, today: dt.date | None = None, years: int = 3):
    """Choices for the period filter: the last ``years`` years and their
    quarters up to today, newest first."""
    today = today or timezone.localdate()
    choices = []
    for year in range(today.year, today.year - years, -1):
        choices.append((str(year), _("Year %(year)s") % {"year": year}))
        last_quarter = (today.month - 1) // 3 + 1 if year == today.year else 4
        for number in range(last_quarter, 0, -1):
            choices.append((f"{year}-Q{number}", quarter_label(year, number)))
    return choices


def published_answers(
    *,
    field_code: str = "",
    hamlet_id: int | None = None,
    period: str = "",
    search: str = "",
):
    """Published answers, newest first, with only what the list shows."""
    cases = (
        Case.objects.filter(
            published_at__isnull=False,
            kind__in=PUBLISHABLE_KINDS,
            status__in=ANSWERED_STATUSES,
        )
        .exclude(kind=CaseKind.DENUNCIATION)
        .exclude(public_answer="")
    )
    if field_code:
        cases = cases.filter(field__code=field_code)
    if hamlet_id:
        cases = cases.filter(location_unit_id=hamlet_id)
    bounds = period_bounds(period)
    if bounds:
        start, end = (_start_of_day(day) for day in bounds)
        cases = cases.filter(resolved_at__gte=start, resolved_at__lt=end)
    search = (search or "").strip()
    if search:
        cases = cases.filter(
            Q(title__icontains=search) | Q(public_answer__icontains=search)
        )
    return (
        cases.select_related("field", "location_unit")
        .only(
            "kind",
            "title",
            "public_answer",
            "received_at",
            "resolved_at",
            "published_at",
            "field__name",
            "location_unit__name",
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.filter(
                    role__in=[PartyRole.PETITIONER, PartyRole.REPRESENTATIVE]
                ).only("case_id", "full_name", "phone", "national_id", "email"),
            )
        )
        .order_by("-published_at", "-id")
    )


def _as_published(case: Case) -> PublishedAnswer:
    secrets = []
    for party in case.parties.all():
        secrets += [party.full_name, party.phone, party.national_id, party.email]
    return PublishedAnswer(
        title=redact(case.title, secrets),
        kind_label=str(case.get_kind_display()),
        field=case.field.name,
        hamlet=case.location_unit.name if case.location_unit_id else "",
        received_on=_local_date(case.received_at),
        resolved_on=_local_date(case.resolved_at),
        published_on=_local_date(case.published_at),
        answer=redact(case.public_answer, secrets),
    )


def published_answer_page(
    *,
    field_code: str = "",
    hamlet_id: int | None = None,
    period: str = "",
    search: str = "",
    page: int | str = 1,
    page_size: int | None = None,
) -> AnswerPage:
    """One page of published answers: three queries whatever the page size
    (count, page, the parties whose details are blotted out)."""
    page_size = page_size or getattr(settings, "PUBLIC_ANSWERS_PAGE_SIZE", 10)
    paginator = Paginator(
        published_answers(
            field_code=field_code, hamlet_id=hamlet_id, period=period, search=search
        ),
        page_size,
    )
    current = paginator.get_page(page)
    return AnswerPage(
        items=[_as_published(case) for case in current.object_list],
        number=current.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        has_previous=current.has_previous(),
        has_next=current.has_next(),
    )


# --------------------------------------------------------------------------
# Unit scorecard
# --------------------------------------------------------------------------


def quarter_start(year: int, number: int) -> dt.date:
    return dt.date(year, 3 * (number - 1) + 1, 1)


def next_quarter_start(start: dt.date) -> dt.date:
    if start.month == 10:
        return dt.date(start.year + 1, 1, 1)
    return dt.date(start.year, start.month + 3, 1)


def quarter_label(year: int, number: int) -> str:
    return _("Quarter %(quarter)s/%(year)s") % {"quarter": ROMAN[number], "year": year}


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Figure:
    """A published number; ``value`` is ``None`` when it is suppressed
    (from 1 to ``min_cell - 1``) and ``display`` then reads ``<5``."""

    value: int | float | None
    display: str

    @property
    def suppressed(self) -> bool:
        return self.value is None and self.display.startswith("<")


@dataclass(frozen=True)
class UnitFigures:
    unit: str
    received: Figure
    resolved: Figure
    on_time_rate: Figure
    average_working_days: Figure


@dataclass(frozen=True)
class QuarterFigures:
    label: str
    start: dt.date
    end: dt.date
    is_current: bool
    rows: list[UnitFigures]


@dataclass(frozen=True)
class Scorecard:
    quarters: list[QuarterFigures]
    min_cell: int


@dataclass(frozen=True)
class _Quarter:
    year: int
    number: int
    start: dt.date
    end: dt.date  # exclusive


def last_quarters(today: dt.date, count: int) -> list[_Quarter]:
    """The quarter containing ``today`` and the ``count - 1`` before it,
    newest first."""
    year, number = today.year, (today.month - 1) // 3 + 1
    quarters = []
    for _index in range(count):
        start = quarter_start(year, number)
        quarters.append(_Quarter(year, number, start, next_quarter_start(start)))
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
    return quarters


def _count_figure(value: int, min_cell: int) -> Figure:
    if 0 < value < min_cell:
        return Figure(None, f"<{min_cell}")
    return Figure(value, str(value))


NOT_APPLICABLE = Figure(None, "—")


def _working_day_index(first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """For each day of ``[first, last]``, the number of working days after
    ``first`` up to and including it (one calendar query)."""
    calendar = working_calendar(first_year=first.year, last_year=last.year)
    index, count, day = {}, 0, first
    while day <= last:
        if day > first and calendar.is_working_day(day):
            count += 1
        index[day] = count
        day += dt.timedelta(days=1)
    return index


def scorecard(*, today: dt.date | None = None, quarter_count: int = 4) -> Scorecard:
    """Per unit and quarter: cases received, cases resolved, the share of the
    resolved answered by their deadline, and the average working days from
    receipt to answer.

    Counts and the on-time share are SQL aggregates.  The working-day average
    is exact: the database groups resolved cases by (unit, quarter, day) of
    receipt and of answer, and the sum of working-day positions over those
    groups, divided by the count, is the average — Python touches one row per
    distinct day, never one per case.  A count from 1 to ``min_cell - 1`` is
    shown as ``<min_cell``, and the share and average are withheld when fewer
    than ``min_cell`` cases were resolved.  Four queries in all.
    """
    today = today or timezone.localdate()
    min_cell = getattr(settings, "PUBLIC_STATS_MIN_CELL", 5)
    quarters = last_quarters(today, quarter_count)
    window = Q(
        received_at__gte=_start_of_day(quarters[-1].start),
        received_at__lt=_start_of_day(quarters[0].end),
    ) | Q(
        resolved_at__gte=_start_of_day(quarters[-1].start),
        resolved_at__lt=_start_of_day(quarters[0].end),
    )
    tz = timezone.get_current_timezone()

    def received_in(quarter):
        return Q(
            received_at__gte=_start_of_day(quarter.start),
            received_at__lt=_start_of_day(quarter.end),
        )

    def resolved_in(quarter):
        return Q(
            resolved_at__gte=_start_of_day(quarter.start),
            resolved_at__lt=_start_of_day(quarter.end),
        )

    on_time = Q(final_due_on__isnull=True) | Q(resolved_on__lte=F("final_due_on"))
    aggregates = {}
    for index, quarter in enumerate(quarters):
        aggregates[f"received_{index}"] = Count("pk", filter=received_in(quarter))
        aggregates[f"resolved_{index}"] = Count("pk", filter=resolved_in(quarter))
        aggregates[f"on_time_{index}"] = Count(
            "pk", filter=resolved_in(quarter) & on_time
        )
    unit_rows = list(
        Case.objects.filter(window)
        .alias(resolved_on=TruncDate("resolved_at", tzinfo=tz))
        .values("responsible_unit_id", "responsible_unit__name")
        .annotate(**aggregates)
        .order_by("responsible_unit__path")
    )

    quarter_of_answer = Switch(
        *(
            When(resolved_in(quarter), then=Value(index))
            for index, quarter in enumerate(quarters)
        ),
        default=Value(-1),
        output_field=IntegerField(),
    )
    answered = Case.objects.filter(
        resolved_at__gte=_start_of_day(quarters[-1].start),
        resolved_at__lt=_start_of_day(quarters[0].end),
    ).annotate(quarter_index=quarter_of_answer)
    answer_days = list(
        answered.annotate(day=TruncDate("resolved_at", tzinfo=tz))
        .values("responsible_unit_id", "quarter_index", "day")
        .annotate(cases=Count("pk"))
        .order_by()
    )
    receipt_days = list(
        answered.annotate(day=TruncDate("received_at", tzinfo=tz))
        .values("responsible_unit_id", "quarter_index", "day")
        .annotate(cases=Count("pk"))
        .order_by()
    )
    working_days_total: dict[tuple[int, int], int] = defaultdict(int)
    if answer_days:
        days = [row["day"] for row in answer_days + receipt_days]
        position = _working_day_index(min(days), max(days))
        for rows, sign in ((answer_days, 1), (receipt_days, -1)):
            for row in rows:
                key = (row["responsible_unit_id"], row["quarter_index"])
                working_days_total[key] += sign * position[row["day"]] * row["cases"]

    result = []
    for index, quarter in enumerate(quarters):
        figures = []
        for row in unit_rows:
            received = row[f"received_{index}"]
            resolved = row[f"resolved_{index}"]
            if received == 0 and resolved == 0:
                continue
            if resolved >= min_cell:
                rate = round(100 * row[f"on_time_{index}"] / resolved)
                total = working_days_total[(row["responsible_unit_id"], index)]
                average = round(total / resolved, 1)
                on_time_rate = Figure(rate, f"{rate}%")
                average_days = Figure(average, formats.number_format(average, 1))
            elif resolved:
                on_time_rate = average_days = Figure(None, f"<{min_cell}")
            else:
                on_time_rate = average_days = NOT_APPLICABLE
            figures.append(
                UnitFigures(
                    unit=row["responsible_unit__name"],
                    received=_count_figure(received, min_cell),
                    resolved=_count_figure(resolved, min_cell),
                    on_time_rate=on_time_rate,
                    average_working_days=average_days,
                )
            )
        result.append(
            QuarterFigures(
                label=quarter_label(quarter.year, quarter.number),
                start=quarter.start,
                end=quarter.end - dt.timedelta(days=1),
                is_current=quarter.start <= today < quarter.end,
                rows=figures,
            )
        )
    return Scorecard(quarters=result, min_cell=min_cell)
