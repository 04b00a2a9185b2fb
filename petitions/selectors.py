"""Reads of the reception desk: the register, people, likely duplicates.

Cases are always read through ``feedback.permissions.cases_visible_to`` and a
petitioner's identity is shown, searched and matched only where
``permissions.can_see_identity`` allows; register rows through
``petitions.permissions.visits_visible_to``.  Every result set is bounded so
that the desk stays fast on a million cases.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import BooleanField, Func, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import permissions, validators
from feedback.errors import NotFoundError
from feedback.models import Case, Party, PartyRole
from feedback.presentation import masked_party_value
from petitions import similarity
from petitions.models import ReceptionVisit, VisitPerson
from petitions.permissions import visits_visible_to

# People the desk may find again: those who petitioned, not the denounced.
PERSON_ROLES = (PartyRole.PETITIONER, PartyRole.REPRESENTATIVE)
# How far back a new letter is compared with earlier ones.
DUPLICATE_WINDOW = dt.timedelta(days=730)
# pg_trgm similarity of two titles from which they are "very similar".
TITLE_TRIGRAM_THRESHOLD = 0.45
# Titles with fewer meaningful words are not compared by trigrams (a word or
# two would match half the database).
MIN_TITLE_WORDS = 2
# Word-overlap score (see ``petitions.similarity``) from which two letters
# read alike.
WORD_SCORE_THRESHOLD = 0.5
# Earlier cases of the same field or hamlet whose texts are compared.
TEXT_CANDIDATES = 300
IDENTITY_MATCHES = 20
SHOWN_DUPLICATES = 8
SEARCH_FETCH = 60
SEARCH_SHOWN = 8

REASON_NATIONAL_ID = "national_id"
REASON_PHONE = "phone"
REASON_SIMILAR = "similar"


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local start of ``month``'s first day and of the next month's."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=zone),
        dt.datetime.combine(following, dt.time.min, tzinfo=zone),
    )


def _visits_with_rows(user) -> QuerySet[ReceptionVisit]:
    return (
        visits_visible_to(user)
        .select_related("unit", "recorded_by")
        .prefetch_related(
            Prefetch("persons", queryset=VisitPerson.objects.order_by("position")),
            Prefetch(
                "cases",
                queryset=permissions.cases_visible_to(user).order_by("id"),
                to_attr="visible_cases",
            ),
        )
    )


def visit_register(*, user, month: dt.date) -> QuerySet[ReceptionVisit]:
    """The register rows of ``month`` the user may read, desk by desk in the
    order they were written, with their people and visible cases."""
    start, end = month_bounds(month)
    return (
        _visits_with_rows(user)
        .filter(visited_at__gte=start, visited_at__lt=end)
        .order_by("unit__path", "visited_at", "id")
    )


def visits_recent(*, user, limit: int = 10) -> list[ReceptionVisit]:
    return list(_visits_with_rows(user).order_by("-visited_at", "-id")[:limit])


def visit_get(*, user, visit_id: int) -> ReceptionVisit:
    """One readable register row; a hidden one looks like a missing one."""
    try:
        return _visits_with_rows(user).get(pk=visit_id)
    except (ReceptionVisit.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Visit not found.")) from None


def cases_logged_by(*, user, limit: int = 10) -> list[Case]:
    """The latest cases the user logged, as they may see them.

    Newest logged first (keys are drawn ahead per connection, so they do
    not order cases across processes); an index on the logger and the time
    stops the scan after ``limit`` rows.
    """
    return list(
        permissions.cases_visible_to(user)
        .filter(created_by=user)
        .select_related("responsible_unit", "field")
        .order_by("-created_at", "-id")[:limit]
    )


# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownPerson:
    """A person found among the parties of visible cases."""

    party_id: int
    case: Case
    full_name: str
    national_id: str
    phone: str
    address: str
    case_code: str
    received_at: dt.datetime


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


_NUMBER = re.compile(r"[\d\s.\-+()]+")


def _person_condition(query: str) -> Q | None:
    text = " ".join((query or "").split())
    digits = _digits(text)
    if digits and _NUMBER.fullmatch(text):
        # A number: an exact ID number or phone number (both indexed).
        condition = Q(national_id=digits)
        phone = validators.normalize_phone(text)
        if phone:
            condition |= Q(phone=phone)
        return condition if len(digits) >= 9 else None
    if len(text) < 2:
        return None
    return Q(full_name__icontains=text)


def party_search(*, user, query: str) -> list[KnownPerson]:
    """People who petitioned in cases the user may see, by name, phone or ID
    number, newest first, one entry per person; never a denouncer the user
    may not see."""
    condition = _person_condition(query)
    if condition is None:
        return []
    parties = (
        Party.objects.filter(condition, role__in=PERSON_ROLES)
        .filter(permissions.case_visibility_condition(user, prefix="case__"))
        .select_related("case", "case__responsible_unit")
        .order_by("-case__received_at", "-id")[:SEARCH_FETCH]
    )
    found: list[KnownPerson] = []
    seen: set[tuple] = set()
    for party in parties:
        if not permissions.can_see_identity(user, party.case):
            continue
        key = (
            (party.national_id,)
            if party.national_id
            else (party.full_name.casefold(), party.phone)
        )
        if key in seen:
            continue
        seen.add(key)
        found.append(
            KnownPerson(
                party_id=party.pk,
                case=party.case,
                full_name=party.full_name,
                national_id=party.national_id,
                phone=party.phone,
                address=party.address,
                case_code=party.case.display_code,
                received_at=party.case.received_at,
            )
        )
        if len(found) == SEARCH_SHOWN:
            break
    return found


def party_for_pick(*, user, party_id) -> Party:
    """A found person's details to copy into the form."""
    party = (
        Party.objects.filter(pk=party_id, role__in=PERSON_ROLES)
        .filter(permissions.case_visibility_condition(user, prefix="case__"))
        .select_related("case", "case__responsible_unit")
        .first()
        if str(party_id).isdigit()
        else None
    )
    if party is None or not permissions.can_see_identity(user, party.case):
        raise NotFoundError(_("Person not found."))
    return party


# --------------------------------------------------------------------------
# Likely duplicates and repeats
# --------------------------------------------------------------------------


class TrigramMatch(Func):
    """``left % right``: pg_trgm's similarity operator, which a GIN trigram
    index answers (``TrigramSimilarity`` alone would compare every row)."""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


@dataclass
class DuplicateCandidate:
    case: Case
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0
    petitioners: list[str] = field(default_factory=list)

    @property
    def repeat_choice(self) -> str:
        return f"repeat:{self.case.pk}"

    @property
    def duplicate_choice(self) -> str:
        return f"duplicate:{self.case.pk}"

    @property
    def reason_labels(self) -> list[str]:
        labels = {
            REASON_NATIONAL_ID: _("same ID number"),
            REASON_PHONE: _("same phone number"),
            REASON_SIMILAR: _("similar title or content"),
        }
        return [labels[reason] for reason in self.reasons]


def _identity_matches(visible, national_ids, phones) -> dict[int, set[str]]:
    matches: dict[int, set[str]] = defaultdict(set)
    for reason, lookup, values in (
        (REASON_NATIONAL_ID, "national_id__in", national_ids),
        (REASON_PHONE, "phone__in", phones),
    ):
        if not values:
            continue
        case_ids = (
            Party.objects.filter(**{lookup: values}, role__in=PERSON_ROLES)
            .filter(case__in=visible)
            .order_by("-case__received_at")
            .values_list("case_id", flat=True)[:IDENTITY_MATCHES]
        )
        for case_id in case_ids:
            matches[case_id].add(reason)
    return matches


def _title_trigram_matches(visible, title: str) -> dict[int, float]:
    """Titles close to ``title`` by pg_trgm (PostgreSQL only).

    The ``%`` operator answers from the GIN index with the session's
    ``pg_trgm.similarity_threshold``; it is raised to our threshold for this
    query only, so that the index hands back few rows even where short
    Vietnamese syllables make many titles look a little alike.
    """
    if len(similarity.words(title)) < MIN_TITLE_WORDS:
        return {}
    query = (
        visible.filter(TrigramMatch("title", Value(title)))
        .annotate(title_similarity=TrigramSimilarity("title", Value(title)))
        .filter(title_similarity__gte=TITLE_TRIGRAM_THRESHOLD)
        .order_by("-title_similarity")
        .values_list("pk", "title_similarity")[:IDENTITY_MATCHES]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
            [str(TITLE_TRIGRAM_THRESHOLD)],
        )
        return dict(query)


def _text_matches(visible, *, title, content, field_id, location_unit_id):
    """Scores of recent cases of the same field or hamlet whose title or
    content reads like this one (a bounded, indexed candidate set)."""
    narrow = Q(pk__in=[])
    if field_id:
        narrow |= Q(field_id=field_id)
    if location_unit_id:
        narrow |= Q(location_unit_id=location_unit_id)
    rows = (
        visible.filter(narrow)
        .order_by("-received_at")
        .annotate(content_head=Substr("content", 1, 1500))
        .values_list("pk", "title", "content_head")[:TEXT_CANDIDATES]
    )
    scores = {}
    for pk, other_title, other_content in rows:
        score = similarity.text_score(
            title=title,
            content=content[:1500],
            other_title=other_title,
            other_content=other_content,
        )
        if score >= WORD_SCORE_THRESHOLD:
            scores[pk] = score
    return scores


def duplicate_candidates(
    *,
    user,
    national_ids: list[str],
    phones: list[str],
    title: str,
    content: str,
    field_id: int | None,
    location_unit_id: int | None,
    now: dt.datetime | None = None,
) -> list[DuplicateCandidate]:
    """Earlier cases (last 24 months, visible to the user) that the new one
    may repeat: a petitioner with the same ID or phone number, or a very
    similar title or content; people matches first, then by similarity.

    A match by a person's number is kept only where the user may see that
    case's petitioners — otherwise the match itself would tell who denounced.
    """
    now = now or timezone.now()
    visible = permissions.cases_visible_to(user).filter(
        received_at__gte=now - DUPLICATE_WINDOW
    )
    national_ids = sorted({value for value in national_ids if value})
    phones = sorted(
        {validators.normalize_phone(value) for value in phones if value.strip()}
    )
    matches = _identity_matches(visible, national_ids, phones)
    scores: dict[int, float] = {}
    if title.strip() and connection.vendor == "postgresql":
        scores.update(_title_trigram_matches(visible, title.strip()))
    for pk, score in _text_matches(
        visible,
        title=title,
        content=content,
        field_id=field_id,
        location_unit_id=location_unit_id,
    ).items():
        scores[pk] = max(score, scores.get(pk, 0.0))
    for pk in scores:
        matches[pk].add(REASON_SIMILAR)
    if not matches:
        return []

    cases = (
        Case.objects.filter(pk__in=list(matches))
        .select_related("responsible_unit", "field", "duplicate_of")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.filter(role__in=PERSON_ROLES).order_by("id"),
            )
        )
    )
    candidates = []
    for case in cases:
        reasons = matches[case.pk]
        if not permissions.can_see_identity(user, case):
            reasons = reasons - {REASON_NATIONAL_ID, REASON_PHONE}
        if not reasons:
            continue
        candidates.append(
            DuplicateCandidate(
                case=case,
                reasons=[
                    reason
                    for reason in (REASON_NATIONAL_ID, REASON_PHONE, REASON_SIMILAR)
                    if reason in reasons
                ],
                score=scores.get(case.pk, 0.0),
                petitioners=[
                    masked_party_value(user, party, "full_name")
                    for party in case.parties.all()
                ],
            )
        )
    candidates.sort(
        key=lambda c: (
            REASON_NATIONAL_ID not in c.reasons and REASON_PHONE not in c.reasons,
            -c.score,
            -c.case.received_at.timestamp(),
        )
    )
    return candidates[:SHOWN_DUPLICATES]
