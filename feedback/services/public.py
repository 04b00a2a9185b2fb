"""Writes of the citizen portal: online submissions, tracking look-ups and
ratings.  The public pages and the public API call these and nothing else.

* ``public_submission_create`` logs a citizen's letter through
  ``case_create(submitted_by_public=True)``, at the unit that receives online
  submissions.  The form's idempotency token makes a resubmitted form return
  the case it already created: the PIN is only ever shown on the first
  response, because only its keyed hash is stored (a replay says so).
* ``public_case_lookup`` checks code and PIN without an oracle: an unknown
  code and a wrong PIN do the same work (a query for the code, an HMAC against
  the case's hash or a dummy one, counters in the cache and an insert into
  ``TrackingLookup``) and raise the same error.  Failures are throttled per
  code and per address by counters in the cache; a success costs one query
  (the case with its public timeline) and one HMAC.
* ``public_rating_submit`` records the citizen's satisfaction once, under a
  row lock, authorised by the signed token a successful look-up issued (so
  the PIN never travels in a hidden field).

Limits are settings read with defaults (see ``limits``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import secrets
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connections, router, transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback import filetypes, tracking, validators
from feedback.errors import DomainError, InvalidInputError, NotFoundError
from feedback.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseKind,
    Channel,
    EventKind,
    Field,
    PartyRole,
    PublicSubmission,
    Satisfaction,
    TrackingLookup,
)
from feedback.qr import tracking_url
from feedback.selectors.public import (
    PublicCaseView,
    TrackedCase,
    is_rateable,
    public_case_view,
    public_desk_unit,
    public_field,
    public_hamlet,
    tracked_case,
)
from feedback.services.cases import PartyInput, case_create

logger = logging.getLogger(__name__)

# Sent after commit whenever a citizen rates an answer (kwargs: case_id,
# event_id, unit_id, satisfaction).
case_rated = Signal()
# Sent after commit when the rating is "not satisfied": the hook where the
# notification issue alerts the responsible unit's leader (kwargs: case_id,
# event_id, unit_id).
unsatisfied_rating = Signal()

# Kinds a citizen may send online; voter petitions and dialogue issues are
# raised at meetings.
PUBLIC_KINDS = (CaseKind.FEEDBACK, CaseKind.COMPLAINT, CaseKind.DENUNCIATION)
# A complaint and a denunciation must state the sender's address (Luật Khiếu
# nại Art 8, Luật Tố cáo Art 23).
ADDRESS_REQUIRED_KINDS = (CaseKind.COMPLAINT, CaseKind.DENUNCIATION)

TITLE_MAX = 255
CONTENT_MAX = 10_000
NAME_MAX = 120
ADDRESS_MAX = 255
COMMENT_MAX = 2_000

RATING_SALT = "feedback.public.rating"
# Checked when a code is unknown, so that both paths compute one HMAC.
DUMMY_PIN_HASH = "0" * 64


def limits() -> dict:
    """The portal's limits: settings with these defaults."""
    defaults = {
        # Online submissions per client address: "count/period".
        "PUBLIC_SUBMIT_RATE": "10/hour",
        "PUBLIC_ATTACHMENT_MAX_FILES": 5,
        "PUBLIC_ATTACHMENT_MAX_BYTES": 5 * 1024 * 1024,
        # Failed look-ups allowed per code and per address in the window.
        "TRACK_FAILURES_PER_CODE": 10,
        "TRACK_FAILURES_PER_CODE_PER_DAY": 30,
        "TRACK_FAILURES_PER_IP": 30,
        "TRACK_FAILURE_WINDOW": 60 * 60,
        # How long the link to rate an answer stays valid after a look-up.
        "PUBLIC_RATING_TOKEN_MAX_AGE": 60 * 60,
    }
    return {name: getattr(settings, name, value) for name, value in defaults.items()}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/hour"`` → ``(10, 3600)``; periods: second, minute, hour, day."""
    count, _slash, period = str(rate).partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[:1].lower()]
    return int(count), seconds


class ThrottledError(DomainError):
    """Too many attempts from this address or on this code; try later."""

    code = "throttled"
    default_message = gettext_lazy("Too many attempts. Please try again later.")


# --------------------------------------------------------------------------
# Online submission
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionReceipt:
    """What the receipt shows.  ``pin`` is empty and the details are blank
    when ``is_replay``: the same form was sent again and the PIN was shown
    on the first response only."""

    code: str
    display_code: str
    pin: str
    is_replay: bool
    received_at: dt.datetime
    kind: str = ""
    kind_label: str = ""
    responsible_unit: str = ""
    answer_due_on: dt.date | None = None
    email: str = ""


def mask_email(address: str) -> str:
    """``nguyen.an@gmail.com`` → ``n***@gmail.com``."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


def _replay(token: str) -> SubmissionReceipt | None:
    submission = (
        PublicSubmission.objects.filter(token=token)
        .select_related("case")
        .only("case__code", "case__received_at")
        .first()
    )
    if submission is None:
        return None
    return SubmissionReceipt(
        code=submission.case.code,
        display_code=submission.case.display_code,
        pin="",
        is_replay=True,
        received_at=submission.case.received_at,
    )


def _recent_submissions(ip_address: str, since: dt.datetime, limit: int) -> int:
    """How many letters ``ip_address`` sent since ``since``, counted no
    further than ``limit``: ``PublicSubmission.objects.filter(created_at__gte=
    since, ip_address=ip_address)[:limit].count()`` in SQL written out (the
    ORM spends more on building that query than the database on answering
    it), with the values converted as the ORM converts them."""
    connection = connections[router.db_for_read(PublicSubmission)]
    meta = PublicSubmission._meta
    created, address = meta.get_field("created_at"), meta.get_field("ip_address")
    quote = connection.ops.quote_name
    # Quoted names from the model; the values go as parameters.
    sql = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {quote(created.column)} >= %s AND {quote(address.column)} = %s "
        "LIMIT %s) recent"
    )
    params = [
        created.get_db_prep_value(since, connection),
        address.get_db_prep_value(ip_address, connection),
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _check_submit_rate(ip_address: str | None, now: dt.datetime) -> None:
    if not ip_address:
        return
    count, seconds = parse_rate(limits()["PUBLIC_SUBMIT_RATE"])
    # Only whether the address reached ``count`` matters: count no further.
    since = now - dt.timedelta(seconds=seconds)
    if _recent_submissions(ip_address, since, count) >= count:
        raise ThrottledError(
            _(
                "Too many letters have been sent from this connection. Please "
                "try again later, or bring your letter to the reception desk."
            ),
            retry_after=seconds,
        )


def upload_type(upload) -> tuple[str, str] | None:
    """``(content type, extension)`` recognised from the file's first bytes,
    or ``None`` when it is not a PDF, JPEG or PNG."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8)
    upload.seek(position)
    return filetypes.sniff(head)


def _attachment_errors(attachments: Sequence) -> list[str]:
    limit = limits()
    max_bytes = limit["PUBLIC_ATTACHMENT_MAX_BYTES"]
    errors = []
    if len(attachments) > limit["PUBLIC_ATTACHMENT_MAX_FILES"]:
        errors.append(
            _("Attach at most %(count)s files.")
            % {"count": limit["PUBLIC_ATTACHMENT_MAX_FILES"]}
        )
    for upload in attachments:
        name = os.path.basename(upload.name or "")
        if not upload.size:
            errors.append(_("The file %(name)s is empty.") % {"name": name})
        elif upload.size > max_bytes:
            errors.append(
                _("The file %(name)s is larger than %(size)s MB.")
                % {"name": name, "size": max_bytes // (1024 * 1024)}
            )
        elif upload_type(upload) is None:
            errors.append(
                _(
                    "The file %(name)s is not a PDF, JPEG or PNG file. Scan or "
                    "photograph the document and attach the PDF or the picture."
                )
                % {"name": name}
            )
    return errors


def _validate_submission(
    *,
    kind,
    field_id,
    hamlet,
    title,
    content,
    full_name,
    phone,
    email,
    national_id,
    address,
    attachments,
    consent,
) -> tuple[dict, Field | None]:
    errors: dict[str, str] = {}
    if kind not in PUBLIC_KINDS:
        errors["kind"] = _("Choose what you are sending.")
    field = public_field(field_id)
    if field is None:
        errors["field_id"] = _("Choose a field from the list.")
    if hamlet is None:
        errors["hamlet_id"] = _("Choose a hamlet from the list.")
    if not title:
        errors["title"] = _("Enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(count)s characters.") % {
            "count": TITLE_MAX
        }
    if not content:
        errors["content"] = _("Describe the matter.")
    elif len(content) > CONTENT_MAX:
        errors["content"] = _("Keep the content under %(count)s characters.") % {
            "count": CONTENT_MAX
        }
    if not full_name:
        errors["full_name"] = _("Enter your full name.")
    elif len(full_name) > NAME_MAX:
        errors["full_name"] = _("The name is too long.")
    if not phone:
        errors["phone"] = _("Enter a phone number we can call you on.")
    else:
        try:
            validators.validate_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    if national_id:
        try:
            validators.validate_national_id(national_id)
        except ValidationError as error:
            errors["national_id"] = error.messages[0]
    if kind in ADDRESS_REQUIRED_KINDS and not address:
        errors["address"] = _(
            "A complaint or a denunciation must give the sender's address."
        )
    elif len(address) > ADDRESS_MAX:
        errors["address"] = _("The address is too long.")
    if not consent:
        errors["consent"] = _(
            "Please read the privacy notice and tick the box to agree."
        )
    attachment_errors = _attachment_errors(attachments)
    if attachment_errors:
        errors["attachments"] = " ".join(attachment_errors)
    return errors, field


def _store_attachments(case: Case, attachments: Sequence, stored: list) -> None:
    """Save each upload under MEDIA_ROOT with a random name; the citizen's
    file name is kept for display only.  A denunciation's files may identify
    the denouncer, so they are confidential."""
    for upload in attachments:
        content_type, extension = upload_type(upload)
        original = os.path.basename(upload.name or "")[:255] or extension
        attachment = Attachment(
            case=case,
            original_name=original,
            content_type=content_type,
            size=upload.size,
            is_confidential=case.kind == CaseKind.DENUNCIATION,
            uploaded_by=None,
        )
        upload.seek(0)
        attachment.file.save(f"{secrets.token_hex(16)}.{extension}", upload, save=False)
        stored.append(attachment.file.name)
        attachment.save()


def _delete_stored(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _schedule_receipt_email(*, case: Case, pin: str, email: str, base_url: str) -> None:
    """Render the e-mail now (in the citizen's language) and send it once the
    case is committed.  It carries the code, the PIN and the tracking link,
    nothing about the content; a failure is logged without the address."""
    context = {
        "display_code": case.display_code,
        "pin": pin,
        "received_at": case.received_at,
        "answer_due_on": case.final_due_on,
        "track_url": tracking_url(base_url, case.code) if base_url else "",
    }
    subject = render_to_string("public/email_receipt_subject.txt", context).strip()
    body = render_to_string("public/email_receipt.txt", context)
    case_id = case.pk

    def send():
        try:
            send_mail(subject, body, None, [email])
        except Exception:
            logger.exception("The receipt e-mail for case %s was not sent.", case_id)

    transaction.on_commit(send)


def public_submission_create(
    *,
    token: str | None,
    kind: str,
    field_id: int | None,
    hamlet_id: int | None,
    title: str,
    content: str,
    full_name: str,
    phone: str,
    email: str = "",
    national_id: str = "",
    address: str = "",
    attachments: Sequence = (),
    consent: bool,
    ip_address: str | None,
    base_url: str = "",
) -> SubmissionReceipt:
    """Log a citizen's online letter and return the receipt, or the receipt
    of the case this ``token`` already created (without the PIN).  A
    ``token`` of ``None`` asks for no replay: the letter gets a fresh random
    token, which no earlier letter can hold.

    Raises ``InvalidInputError`` (per-field messages keyed by these argument
    names), ``ThrottledError`` when the address sent too many letters, and
    ``DomainError(code="no_public_desk")`` when no unit receives online
    submissions.  Nothing is written when it raises.
    """
    if token is None:
        token = secrets.token_urlsafe(24)
    else:
        token = token.strip()
        if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token):
            raise InvalidInputError(
                _("The form has expired. Please send it again."),
                code="invalid_token",
            )
        replay = _replay(token)
        if replay is not None:
            return replay
    now = timezone.now()
    _check_submit_rate(ip_address, now)
    desk = public_desk_unit()
    if desk is None:
        raise DomainError(
            _(
                "Online submissions are not open yet: no unit has been set up "
                "to receive them. Please bring your letter to the reception desk."
            ),
            code="no_public_desk",
        )
    values = {
        "title": (title or "").strip(),
        "content": (content or "").strip(),
        "full_name": " ".join((full_name or "").split()),
        "phone": (phone or "").strip(),
        "email": (email or "").strip(),
        "national_id": (national_id or "").strip(),
        "address": (address or "").strip(),
    }
    hamlet = public_hamlet(desk=desk, pk=hamlet_id)
    attachments = list(attachments)
    errors, field = _validate_submission(
        kind=kind,
        field_id=field_id,
        hamlet=hamlet,
        attachments=attachments,
        consent=consent,
        **values,
    )
    if errors:
        raise InvalidInputError(fields=errors)

    stored: list[str] = []
    try:
        # Without files the letter is the case's rows alone, which
        # ``case_create`` writes together (on PostgreSQL in one statement,
        # the submission's included).  Files need one transaction around
        # all; inside a caller's, a savepoint keeps a taken token (below)
        # from breaking it.
        own = (
            attachments
            or transaction.get_connection(router.db_for_write(Case)).in_atomic_block
        )
        with transaction.atomic() if own else contextlib.nullcontext():
            created = case_create(
                actor=None,
                submitted_by_public=True,
                kind=kind,
                channel=Channel.ONLINE,
                field=field,
                title=values["title"],
                content=values["content"],
                responsible_unit=desk,
                received_at=now,
                location_unit=hamlet,
                parties=[
                    PartyInput(
                        role=PartyRole.PETITIONER,
                        full_name=values["full_name"],
                        phone=values["phone"],
                        email=values["email"],
                        national_id=values["national_id"],
                        address=values["address"],
                    )
                ],
                with_rows=lambda case: [
                    PublicSubmission(
                        token=token,
                        case=case,
                        ip_address=ip_address or None,
                    )
                ],
            )
            case = created.case
            _store_attachments(case, attachments, stored)
            if values["email"]:
                _schedule_receipt_email(
                    case=case,
                    pin=created.pin,
                    email=values["email"],
                    base_url=base_url,
                )
    except IntegrityError:
        # The same form arrived twice at once: the other request created the
        # case (the token is unique), so answer with its receipt.
        _delete_stored(stored)
        replay = _replay(token)
        if replay is None:
            raise
        return replay
    except BaseException:
        _delete_stored(stored)
        raise
    return SubmissionReceipt(
        code=case.code,
        display_code=case.display_code,
        pin=created.pin,
        is_replay=False,
        received_at=case.received_at,
        kind=case.kind,
        kind_label=str(case.get_kind_display()),
        responsible_unit=desk.name,
        answer_due_on=case.final_due_on,
        email=mask_email(values["email"]),
    )


# --------------------------------------------------------------------------
# Tracking
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingResult:
    """A successful look-up: the public view and, when the answer may be
    rated, the signed token that authorises the rating."""

    case: PublicCaseView
    rating_token: str = ""


def _mistyped() -> InvalidInputError:
    return InvalidInputError(
        _("The code looks mistyped."),
        code="mistyped_code",
        fields={
            "code": _(
                "This code looks mistyped: check it against your receipt "
                "(letters and digits, for example 7K3F-9QM2-XT4A)."
            )
        },
    )


def _no_match() -> NotFoundError:
    return NotFoundError(
        _(
            "The tracking code or the PIN is not correct. Check both against "
            "your receipt and try again."
        ),
        code="no_match",
    )


def _failure_counters(code: str, ip_address: str | None) -> dict[str, tuple]:
    """The failure counters a look-up of ``code`` from ``ip_address`` is held
    to: cache key → (limit, lifetime in seconds)."""
    limit = limits()
    window = int(limit["TRACK_FAILURE_WINDOW"])
    counters = {
        f"track-fail:code:{code}": (limit["TRACK_FAILURES_PER_CODE"], window),
        f"track-fail:code-day:{code}": (
            limit["TRACK_FAILURES_PER_CODE_PER_DAY"],
            24 * 60 * 60,
        ),
    }
    if ip_address:
        counters[f"track-fail:ip:{ip_address}"] = (
            limit["TRACK_FAILURES_PER_IP"],
            window,
        )
    return counters


# One Redis client per cache backend (backends are per thread).
_redis_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def redis_client():
    """The client of the default cache's Redis, kept for the thread; ``None``
    when the cache is not Redis.

    Django's Redis backend builds a new client, with its table of some 170
    response callbacks, for each operation: for a look-up that costs more
    CPU than the round trip itself.  A client over the backend's own
    connection pool is thread-safe and answers the same; keys are made with
    ``cache.make_key`` and integers are stored as they are (Django's
    ``RedisSerializer``), so counters read here and through ``cache`` agree.
    """
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return None
    client = _redis_clients.get(backend)
    if client is None:
        client = _redis_clients[backend] = backend._cache.get_client(write=True)
    return client


def _counts(keys: list[str]) -> list[int]:
    """The values of these counters in the cache (0 when absent), in one
    round trip."""
    client = redis_client()
    if client is None:
        found = cache.get_many(keys)
        return [found.get(key, 0) for key in keys]
    values = client.mget([cache.make_key(key) for key in keys])
    return [0 if value is None else int(value) for value in values]


def lookup_failure_keys(code: str, ip_address: str | None) -> list[str]:
    """The cache keys of the failure counters that a look-up of ``code`` (as
    typed) from ``ip_address`` reads: a caller that makes a round trip to the
    cache before the look-up may read them with it (``failure_counts``)."""
    return list(_failure_counters(tracking.normalize_code(code), ip_address))


def _check_lookup_throttle(
    code: str, ip_address: str | None, known: dict[str, int] | None = None
) -> None:
    """``ThrottledError`` when this code or this address has too many recent
    failures.  The counters live in the cache (one round trip, no query, none
    when ``known`` holds them all); a counter starts at its first failure and
    lapses with its window.  Several web processes must share the cache
    (Redis) for the limits to hold across them."""
    counters = _failure_counters(code, ip_address)
    if known is not None and all(key in known for key in counters):
        counts = [known[key] for key in counters]
    else:
        counts = _counts(list(counters))
    limits_ = [limit for limit, _lifetime in counters.values()]
    if any(count >= limit for count, limit in zip(counts, limits_, strict=True)):
        minutes = limits()["TRACK_FAILURE_WINDOW"] // 60
        raise ThrottledError(
            _(
                "There have been too many unsuccessful look-ups. To protect "
                "the file, look-ups are paused: please try again in %(minutes)s "
                "minutes, or ask the reception desk."
            )
            % {"minutes": minutes},
            retry_after=limits()["TRACK_FAILURE_WINDOW"],
        )


def _count_failure(code: str, ip_address: str | None) -> None:
    """One more failure on each counter, atomically (``add`` starts a counter
    with its lifetime, ``incr`` keeps the lifetime on Redis and locmem)."""
    for key, (_limit, lifetime) in _failure_counters(code, ip_address).items():
        if cache.add(key, 1, lifetime):
            continue
        try:
            cache.incr(key)
        except ValueError:
            # Lapsed between ``add`` and ``incr``: start again.
            cache.add(key, 1, lifetime)


def _rating_token(case: Case | TrackedCase) -> str:
    # Bound to the PIN's hash: a PIN re-issued at the desk voids old tokens.
    return signing.dumps(
        {"code": case.code, "pin": case.pin_hash[:12]}, salt=RATING_SALT
    )


def _case_for_token(rating_token: str, *, lock: bool = False) -> Case:
    try:
        payload = signing.loads(
            rating_token or "",
            salt=RATING_SALT,
            max_age=limits()["PUBLIC_RATING_TOKEN_MAX_AGE"],
        )
    except signing.BadSignature:
        raise DomainError(
            _("Your look-up has expired. Please enter your code and PIN again."),
            code="lookup_expired",
        ) from None
    cases = Case.objects.select_related("field", "responsible_unit")
    if lock:
        cases = cases.select_for_update(of=("self",))
    case = cases.filter(code=payload.get("code", "")).first()
    if case is None or case.pin_hash[:12] != payload.get("pin"):
        raise DomainError(
            _("Your look-up has expired. Please enter your code and PIN again."),
            code="lookup_expired",
        )
    return case


def public_case_lookup(
    *,
    code: str,
    pin: str,
    ip_address: str | None,
    today: dt.date | None = None,
    failure_counts: dict[str, int] | None = None,
) -> TrackingResult:
    """The public view of the case with this code and PIN.

    A mistyped code (its check symbol disagrees) is refused before any query.
    Otherwise one indexed query (the case with its public timeline) and one
    HMAC decide.  A failed attempt is
    counted in the cache and recorded in ``TrackingLookup``; an unknown code
    and a wrong PIN raise the same ``NotFoundError(code="no_match")`` after the
    same work.  ``ThrottledError`` when the code or the address has too many
    recent failures: their counters are read from the cache, unless
    ``failure_counts`` holds them (the values of ``lookup_failure_keys`` as
    the caller has just read them, 0 when absent).  Must not run inside a
    transaction that the caller rolls back on error, or failed attempts would
    not be recorded.
    """
    code = tracking.normalize_code(code)
    if not tracking.is_valid_code(code):
        raise _mistyped()
    _check_lookup_throttle(code, ip_address, failure_counts)
    case = tracked_case(code)
    pin_hash = case.pin_hash if case is not None else DUMMY_PIN_HASH
    matches = tracking.pin_matches(
        code, (pin or "").strip(), pin_hash, key=settings.TRACKING_PIN_KEY
    )
    matches = matches and case is not None
    if not matches:
        # Failures only: counted in the cache, kept in ``TrackingLookup`` as
        # the audit trail of guessing.  A success writes nothing.
        _count_failure(code, ip_address)
        TrackingLookup.objects.create(
            code=code,
            ip_address=ip_address or None,
            succeeded=False,
            attempted_at=timezone.now(),
        )
        raise _no_match()
    return TrackingResult(
        case=public_case_view(case=case, today=today),
        rating_token=_rating_token(case) if is_rateable(case) else "",
    )


def public_case_by_token(*, rating_token: str) -> TrackingResult:
    """The public view again, for the holder of a still-valid token."""
    case = _case_for_token(rating_token)
    return TrackingResult(
        case=public_case_view(case=case),
        rating_token=rating_token if is_rateable(case) else "",
    )


# --------------------------------------------------------------------------
# Rating the answer
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingResult:
    case: PublicCaseView
    satisfaction: str
    flagged: bool


@transaction.atomic
def public_rating_submit(
    *, rating_token: str, satisfaction: str, comment: str = ""
) -> RatingResult:
    """Record the citizen's rating of the answer, once per case.

    The case row is locked first; a second rating, a case not yet answered
    and a denunciation are refused with ``DomainError`` codes
    ``already_rated`` and ``not_rateable``.  Writes an internal
    ``CaseEvent(kind=RATING)``; a "not satisfied" rating is flagged in the
    event (``data["flagged"]``) for the responsible unit's leader and
    ``unsatisfied_rating`` is sent after commit.
    """
    comment = (comment or "").strip()
    errors = {}
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = _("Choose how satisfied you are with the answer.")
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("Keep the comment under %(count)s characters.") % {
            "count": COMMENT_MAX
        }
    case = _case_for_token(rating_token, lock=True)
    if case.rated_at is not None:
        raise DomainError(
            _("This answer has already been rated. Thank you."), code="already_rated"
        )
    if not is_rateable(case):
        raise DomainError(_("This case cannot be rated here."), code="not_rateable")
    if errors:
        raise InvalidInputError(fields=errors)
    now = timezone.now()
    case.satisfaction = satisfaction
    case.satisfaction_comment = comment
    case.rated_at = now
    case.version += 1
    case.save(
        update_fields=[
            "satisfaction",
            "satisfaction_comment",
            "rated_at",
            "version",
            "updated_at",
        ]
    )
    flagged = satisfaction == Satisfaction.NOT_SATISFIED
    event = CaseEvent.objects.create(
        case=case,
        kind=EventKind.RATING,
        action="rate",
        is_public=False,
        text=comment,
        data={
            "satisfaction": satisfaction,
            "flagged": flagged,
            "notify_role": "leader" if flagged else "",
            "unit_id": case.responsible_unit_id,
        },
        author=None,
        created_at=now,
    )
    case_id, unit_id, event_id = case.pk, case.responsible_unit_id, event.pk

    def announce():
        case_rated.send(
            sender=Case,
            case_id=case_id,
            event_id=event_id,
            unit_id=unit_id,
            satisfaction=satisfaction,
        )
        if flagged:
            unsatisfied_rating.send(
                sender=Case, case_id=case_id, event_id=event_id, unit_id=unit_id
            )

    transaction.on_commit(announce)
    return RatingResult(
        case=public_case_view(case=case), satisfaction=satisfaction, flagged=flagged
    )


def tracking_lookups_prune(*, older_than: dt.timedelta) -> int:
    """Delete look-up records older than ``older_than`` (they only serve the
    throttle, and hold citizens' addresses); returns how many went."""
    cutoff = timezone.now() - older_than
    deleted, _detail = TrackingLookup.objects.filter(attempted_at__lt=cutoff).delete()
    return deleted
