"""The citizens' public endpoints: no authentication, throttled, no personal
data.  ``/api/v1/public/…``

* ``POST feedback/`` sends a letter online and answers the receipt (code and
  PIN, shown once).
* ``POST track/`` looks a case up by code and PIN; an unknown code and a
  wrong PIN get one identical 404.
* ``POST track/rating/`` rates the answer with the token a look-up issued.
* ``GET answers/`` lists the answers units published; ``GET options/`` the
  choices a client needs to fill in the letter and the filters.

Each view calls one service or selector of ``feedback.services.public`` /
``feedback.selectors.public``, the same ones the portal's pages call.

Abuse protection: the web form's honeypot and minimum fill time make no sense
for API clients, which get per-address throttles instead — ``public`` on every
request, ``public_submit`` on the letters actually logged — on top of the
services' own limits (letters per address, failed look-ups per code and per
address).  A 429 carries ``Retry-After``.  The client's address is read as
the portal reads it (``PUBLIC_CLIENT_IP_HEADER`` behind a trusted proxy).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from contextlib import contextmanager, suppress

from django.core.cache import cache as default_cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.cache import patch_cache_control
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from api.idempotency import idempotency_key, request_fingerprint
from api.schema import ERROR_DESCRIPTIONS, REPLAYED, ErrorSerializer
from api.serializers.public import (
    PaginatedPublishedAnswerListSerializer,
    PublicCaseSerializer,
    PublicOptionsSerializer,
    PublicReceiptSerializer,
    PublicSubmissionSerializer,
    PublishedAnswerQuerySerializer,
    RatingCreateSerializer,
    TrackLookupSerializer,
    TrackResultSerializer,
    plain_lookup,
    receipt_data,
    track_result_data,
)
from feedback.accounts import client_ip
from feedback.errors import DomainError, InvalidInputError
from feedback.models import CaseKind, Status
from feedback.public_forms import KIND_HELP
from feedback.qr import tracking_url
from feedback.selectors.public import (
    STATUS_WORDS,
    public_desk_unit,
    public_field_codes,
    public_fields,
    public_hamlets,
    published_answer_page,
    published_answer_periods,
)
from feedback.services.public import (
    ADDRESS_REQUIRED_KINDS,
    PUBLIC_KINDS,
    ThrottledError,
    lookup_failure_keys,
    public_case_lookup,
    public_rating_submit,
    public_submission_create,
    redis_client,
)

TAGS = ["public"]
# HTTP status of the services' refusals that are not plain invalid input.
REFUSAL_STATUS = {
    "no_public_desk": 409,
    "already_rated": 409,
    "not_rateable": 409,
    "lookup_expired": 403,
}
# Service argument names → request field names, for per-field messages.
SUBMISSION_FIELDS = {"field_id": "field", "hamlet_id": "hamlet"}
IDEMPOTENCY_SALT = "api.public.submission-idempotency"
# Accept headers that leave the choice of a JSON answer to the server.
PLAIN_ACCEPTS = frozenset({"*/*", "application/json"})
# Published answers are public: shared caches may keep them a few minutes.
ANSWERS_MAX_AGE = 300


# --------------------------------------------------------------------------
# Throttles
# --------------------------------------------------------------------------

# Counts a request in ARGV[1] windows, opening each with its first request:
# KEYS = each window's count and start, then any keys to read on the way;
# ARGV = the number of windows, the time now, then for each window its
# seconds, its limit (0: none) and 1 when its count is to be taken back
# should any window refuse the request.  Answers the counts, the values read
# and whether a window refused.
OPEN_OR_COUNT_LUA = """
local windows = tonumber(ARGV[1])
local counts = {}
local refused = false
for i = 1, windows do
    local count = redis.call('INCR', KEYS[2 * i - 1])
    if count == 1 then
        redis.call('EXPIRE', KEYS[2 * i - 1], ARGV[3 * i])
        redis.call('SET', KEYS[2 * i], ARGV[2], 'EX', ARGV[3 * i])
    end
    counts[i] = count
    local limit = tonumber(ARGV[3 * i + 1])
    if limit > 0 and count > limit then
        refused = true
    end
end
if refused then
    for i = 1, windows do
        if ARGV[3 * i + 2] == '1' then
            redis.call('DECR', KEYS[2 * i - 1])
        end
    end
end
local read = {}
if #KEYS > 2 * windows then
    read = redis.call('MGET', unpack(KEYS, 2 * windows + 1))
end
return {counts, read, refused and 1 or 0}
"""
# The registered script per Redis client (``redis_client`` keeps one a thread).
_OPEN_OR_COUNT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class PublicRateThrottle(SimpleRateThrottle):
    """Every request to a public endpoint, per client address (``public``).

    Counted, not listed: DRF's sliding window keeps the time of every request
    of the window in one cache value, read and written whole by each request
    (at a high rate, or on a shared cache, that value grows to thousands of
    entries).  Here a window opens with an address's first request and lasts
    the rate's period; one atomic increment counts each request (``add`` opens
    the window, with its start kept beside it for ``Retry-After``), so the
    cost is the same whatever the rate, and on Redis every process counts
    together.
    """

    scope = "public"

    def get_rate(self):
        # Read at each request rather than at import, so that a changed
        # REST_FRAMEWORK setting applies at once.
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        if self.scope not in rates:
            raise ImproperlyConfigured(
                f"No default throttle rate set for '{self.scope}' scope"
            )
        return rates[self.scope]

    def get_cache_key(self, request, view):
        ident = client_ip(request) or "unknown"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def _window(self, request, view) -> None:
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()

    def _hits(self) -> int:
        return self.cache.get(self.key, 0)

    def _add_hit(self) -> int:
        """One more request in the window (opened now when none is open)."""
        client = redis_client() if self.cache is default_cache else None
        if client is not None:
            return self._add_hit_on_redis(client)[0]
        try:
            return self.cache.incr(self.key)
        except ValueError:  # no window open
            pass
        if self.cache.add(self.key, 1, self.duration):
            self.cache.set(f"{self.key}:since", self.now, self.duration)
            return 1
        try:  # opened meanwhile by another request
            return self.cache.incr(self.key)
        except ValueError:
            self.cache.set(self.key, 1, self.duration)
            return 1

    def _add_hit_on_redis(
        self, client, read: Sequence[str] = (), also: Sequence[PublicRateThrottle] = ()
    ) -> tuple[int, list]:
        """``_add_hit`` in one round trip: a script increments the count and,
        when that opened the window, gives it its lifetime and its start
        (whole seconds, stored as ``cache.set`` stores an integer).  Answers
        the count and the integers stored under the cache keys ``read`` (0
        when absent), read in the same round trip.  The throttles ``also``
        (their window set) are counted in it too: each keeps its count in
        ``counted``, taken back in the same call when any of the windows
        refuses the request."""
        script = _OPEN_OR_COUNT.get(client)
        if script is None:
            script = _OPEN_OR_COUNT[client] = client.register_script(OPEN_OR_COUNT_LUA)
        make_key = self.cache.make_key
        windows = [self, *also]
        keys = [
            make_key(key)
            for throttle in windows
            for key in (throttle.key, f"{throttle.key}:since")
        ]
        keys += [make_key(key) for key in read]
        args = [len(windows), int(self.now)]
        for throttle in windows:
            args += [
                int(throttle.duration),
                int(throttle.num_requests) if also else 0,
                int(throttle is not self),
            ]
        counts, values, refused = script(keys=keys, args=args)
        for throttle, count in zip(also, counts[1:], strict=True):
            throttle.counted = int(count)
            throttle.taken_back = bool(refused)
        return int(counts[0]), [0 if value is None else int(value) for value in values]

    # The values of ``keys_read`` when the view read them with another
    # throttle's count (``PublicAPIView.check_throttles``).
    known: dict[str, int] | None = None
    # This request's count when another throttle's round trip made it
    # (``counts_ahead``), and whether that round trip took it back.
    counted: int | None = None
    taken_back = False

    def counts_ahead(self, request, view) -> bool:
        """Whether another throttle's round trip may count this one's request
        (its window then set)."""
        return False

    def keys_read(self, request, view) -> list[str]:
        """The cache keys ``allow_request`` reads without counting."""
        return []

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self._window(request, view)
        if self._add_hit() > self.num_requests:
            return self.throttle_failure()
        return True

    def allow_request_reading(
        self,
        request,
        view,
        read: Sequence[str],
        also: Sequence[PublicRateThrottle] = (),
    ) -> tuple[bool, dict[str, int] | None]:
        """``allow_request``, and the integers stored under the cache keys
        ``read`` when they could be read in the same round trip (on Redis;
        ``None`` otherwise), where the throttles ``also`` are counted too
        (``counted``)."""
        if self.rate is None:
            return True, None
        self._window(request, view)
        client = redis_client() if self.cache is default_cache else None
        if client is None:
            return self.allow_request(request, view), None
        count, values = self._add_hit_on_redis(client, read, also)
        read_values = dict(zip(read, values, strict=True))
        if count > self.num_requests:
            return self.throttle_failure(), read_values
        return True, read_values

    def wait(self):
        """Seconds until the window closes."""
        since = self.cache.get(f"{self.key}:since")
        if since is None:
            return self.duration
        return max(self.duration - (self.now - since), 1)


class PublicSubmitThrottle(PublicRateThrottle):
    """At most the ``public_submit`` rate of *new letters* per address.

    Only letters actually logged count: a citizen correcting a refused
    letter or an app replaying a request with its ``Idempotency-Key`` is not
    penalised; once the letters reach the rate, every submission from that
    address is refused with 429 until the window that the first of them
    opened closes.  On Redis a letter is counted ahead, in the round trip of
    the ``public`` count, and the count taken back (``take_back``) when it is
    refused or not logged; elsewhere the view calls ``record`` once it is.
    """

    scope = "public_submit"

    def keys_read(self, request, view) -> list[str]:
        if self.rate is None or self.counts_ahead(request, view):
            return []
        return [self.get_cache_key(request, view)]

    def counts_ahead(self, request, view) -> bool:
        if self.rate is None or self.cache is not default_cache:
            return False
        if redis_client() is None:
            return False
        self._window(request, view)
        return True

    def take_back(self) -> None:
        """Uncount the letter counted ahead (it was refused, or not logged)."""
        if self.counted is None or self.taken_back:
            return
        self.taken_back = True
        with suppress(ValueError):  # the window closed meanwhile
            self.cache.decr(self.key)

    def _hits(self) -> int:
        if self.known is not None and self.key in self.known:
            return self.known[self.key]
        return super()._hits()

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        if self.counted is not None:
            if self.counted > self.num_requests:
                return self.throttle_failure()
            return True
        self._window(request, view)
        if self._hits() >= self.num_requests:
            return self.throttle_failure()
        return True

    def record(self, request, view):
        if self.rate is None:
            return
        self._window(request, view)
        self._add_hit()


def throttled(message, wait) -> exceptions.Throttled:
    """A 429 with ``message`` (in the request's language) and ``Retry-After``."""
    error = exceptions.Throttled(wait=wait)
    error.detail = exceptions.ErrorDetail(str(message), code="throttled")
    return error


class ServiceRefusal(exceptions.APIException):
    """A service's refusal answered with the status of ``REFUSAL_STATUS``."""

    def __init__(self, error: DomainError):
        self.status_code = REFUSAL_STATUS[error.code]
        super().__init__(str(error.message), code=error.code)


@contextmanager
def answering_refusals(field_names: dict[str, str] | None = None):
    """Re-raise the services' refusals as the API answers them: a throttle
    as a 429 with ``Retry-After``, the codes of ``REFUSAL_STATUS`` with their
    status, invalid input with its per-field messages renamed by
    ``field_names`` (a service argument → the request's field).  Other errors
    go to the exception handler as they are."""
    try:
        yield
    except ThrottledError as error:
        raise throttled(error.message, error.extra.get("retry_after")) from error
    except InvalidInputError as error:
        if not field_names:
            raise
        raise InvalidInputError(
            error.message,
            code=error.code,
            fields={
                field_names.get(name, name): message
                for name, message in error.fields.items()
            },
        ) from error
    except DomainError as error:
        if error.code not in REFUSAL_STATUS:
            raise
        raise ServiceRefusal(error) from error


# --------------------------------------------------------------------------
# Documentation pieces
# --------------------------------------------------------------------------

RETRY_AFTER = OpenApiParameter(
    name="Retry-After",
    location=OpenApiParameter.HEADER,
    type=OpenApiTypes.INT,
    response=[429],
    description="Seconds to wait before trying again.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    type=OpenApiTypes.STR,
    required=False,
    description=(
        "A random key the client generates for the letter (a UUID; 1–255 "
        "visible ASCII characters). Sending the same key with the same body "
        "again — a retry after a lost answer — returns the receipt of the "
        "letter already logged, with `pin` null (only the PIN's keyed hash is "
        "stored, so it is shown once), and `Idempotent-Replayed: true`; "
        "nothing is logged twice and the retry does not count against the "
        "throttle. The same key with a different body is a different letter. "
        "Keys are not tied to an account: use an unguessable one."
    ),
)


def errors(descriptions: dict[int, str]) -> dict[int, OpenApiResponse]:
    """Documented error responses in the one shape; ``descriptions`` say what
    each status means for this endpoint (the common wording otherwise)."""
    return {
        status: OpenApiResponse(
            ErrorSerializer, description=text or ERROR_DESCRIPTIONS[status]
        )
        for status, text in descriptions.items()
    }


THROTTLE_NOTE = (
    "No authentication. Throttled per client address (`THROTTLE_PUBLIC`, "
    "60 requests a minute by default): 429 with `Retry-After` past it."
)


# --------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------


class PublicAPIView(APIView):
    """A public endpoint: anonymous, JSON only, throttled per address.

    Answers are not stored by any cache (they may hold a code and PIN);
    ``cacheable_max_age`` lets a list of public data be cached.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    metadata_class = None
    cacheable_max_age: int | None = None

    def throttled(self, request, wait):
        raise throttled(ThrottledError.default_message, wait)

    def perform_content_negotiation(self, request, force=False):
        # JSON is the one answer: what DRF's negotiation concludes for a
        # client that asks for nothing in particular, without its parsing of
        # the Accept header.  Any other request goes through it.
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        if (
            accept in PLAIN_ACCEPTS
            and self.format_kwarg is None
            and api_settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            renderer = self.get_renderers()[0]
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def check_throttles(self, request):
        self.check_throttles_reading(request, ())

    def check_throttles_reading(
        self, request, extra: Sequence[str]
    ) -> dict[str, int] | None:
        """``check_throttles`` in one round trip to the cache when it can: the
        first throttle that counts also reads what the others only read, and
        the cache keys ``extra``, whose values it answers (``None`` when they
        could not be read with the count)."""
        throttles = self.get_throttles()
        values = None
        counted = False
        waits = []
        for throttle in throttles:
            if not counted and type(throttle) is PublicRateThrottle:
                counted = True
                others = [other for other in throttles if other is not throttle]
                reads = [
                    key for other in others for key in other.keys_read(request, self)
                ]
                ahead = [other for other in others if other.counts_ahead(request, self)]
                allowed, values = throttle.allow_request_reading(
                    request, self, [*reads, *extra], ahead
                )
            else:
                throttle.known = values
                allowed = throttle.allow_request(request, self)
            if not allowed:
                waits.append(throttle.wait())
        # Counted ahead, to be taken back unless the request goes through.
        self.counted_ahead = [t for t in throttles if t.counted is not None]
        if waits:
            self.take_back_counted()
            known = [wait for wait in waits if wait is not None]
            self.throttled(request, max(known, default=None))
        return values

    counted_ahead: list[PublicRateThrottle] = []

    def take_back_counted(self) -> None:
        """Uncount what was counted ahead for this request."""
        for throttle in self.counted_ahead:
            throttle.take_back()
        self.counted_ahead = []

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.cacheable_max_age and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=self.cacheable_max_age)
        else:
            patch_cache_control(response, private=True, no_store=True)
        return response


def submission_token(key: str, request) -> str:
    """The ``PublicSubmission.token`` of a request sent with ``key``.

    A keyed hash of the key and the body: a retry with the same key and body
    finds the letter already logged, while nobody can reach another client's
    letter without sending that very letter (name, phone and content
    included) with the same key.
    """
    message = f"{key}\n{request_fingerprint(request)}"
    return salted_hmac(IDEMPOTENCY_SALT, message, algorithm="sha256").hexdigest()


class PublicSubmissionView(PublicAPIView):
    """Logs a citizen's letter; a retry with the same ``Idempotency-Key`` and
    body answers the first receipt again, without the PIN."""

    throttle_classes = [PublicRateThrottle, PublicSubmitThrottle]

    @extend_schema(
        operation_id="public_feedback_create",
        summary="Send a letter",
        description=(
            "Logs a feedback, complaint or denunciation at the unit that "
            "receives online letters and answers the receipt: the tracking "
            "code and the one-time PIN. The same rules as the web form apply "
            "(a complaint or denunciation gives an address; phone and ID "
            "formats; consent); attachments go through the web form or the "
            "reception desk. The receipt holds no personal data. "
            f"{THROTTLE_NOTE} Letters logged are limited per address too "
            "(`THROTTLE_PUBLIC_SUBMIT` and `PUBLIC_SUBMIT_RATE`, 10 an hour "
            "by default). 409 `no_public_desk` while no unit receives online "
            "letters."
        ),
        tags=TAGS,
        auth=[],
        parameters=[IDEMPOTENCY_KEY, REPLAYED, RETRY_AFTER],
        request=PublicSubmissionSerializer,
        responses={
            201: PublicReceiptSerializer,
            **errors(
                {
                    400: "",
                    409: "`no_public_desk`: no unit receives online letters yet.",
                    429: "",
                }
            ),
        },
    )
    def post(self, request):
        # A letter counted ahead (``PublicSubmitThrottle``) counts only once
        # logged: taken back when it is refused or replayed.
        try:
            return self._submit(request)
        except BaseException:
            self.take_back_counted()
            raise

    def _submit(self, request):
        key = idempotency_key(request)
        serializer = PublicSubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.service_kwargs()
        with answering_refusals(SUBMISSION_FIELDS):
            receipt = public_submission_create(
                # Without a key nothing can be replayed: the service draws a
                # fresh token and looks for no earlier letter.
                token=submission_token(key, request) if key else None,
                **values,
                ip_address=client_ip(request),
                base_url=request.build_absolute_uri("/"),
            )
        headers = {}
        if receipt.is_replay:
            headers["Idempotent-Replayed"] = "true"
            self.take_back_counted()
        elif not self.counted_ahead:
            PublicSubmitThrottle().record(request, self)
        kind = values["kind"]
        body = {
            "code": receipt.display_code,
            "pin": receipt.pin or None,
            "status": None if receipt.is_replay else Status.RECEIVED,
            "status_label": (
                None if receipt.is_replay else STATUS_WORDS[Status.RECEIVED][0]
            ),
            "received_at": receipt.received_at,
            "answer_due_on": receipt.answer_due_on,
            "responsible_unit": receipt.responsible_unit or None,
            # The replayed body is the first one: the echo is exact.
            "kind": kind,
            "kind_label": CaseKind(kind).label,
            "field": values["field_id"],
            "hamlet": values["hamlet_id"],
            "receipt_emailed": bool(values["email"]),
            "track_url": tracking_url(request, receipt.code),
        }
        return Response(receipt_data(body), status=201, headers=headers)


class PublicTrackView(PublicAPIView):
    """Answers the public view of the case with this code and PIN, or one
    identical 404 whichever of the two is wrong."""

    def check_throttles(self, request):
        # A look-up is counted in ``post``, once its code is known: the count
        # and the code's failure counters then take one round trip to the
        # cache rather than two.
        if request.method != "POST":
            super().check_throttles(request)

    @extend_schema(
        operation_id="public_track",
        summary="Track a case by code and PIN",
        description=(
            "The case as its tracking page shows it: status in plain words, "
            "dates, whether it is late, public timeline, and the answer once "
            "given; for a denunciation only the status and the dates. While "
            "the answer may be rated, `rating_token` authorises the rating.\n\n"
            "An unknown code and a wrong PIN are the same 404 `no_match`, byte "
            "for byte. A code whose check character disagrees is a 400 "
            "`mistyped_code` (no look-up is made). Failed look-ups are limited "
            "per code and per address (`TRACK_FAILURES_PER_CODE`, "
            "`TRACK_FAILURES_PER_IP`): 429 with `Retry-After` past them. "
            f"{THROTTLE_NOTE}"
        ),
        tags=TAGS,
        auth=[],
        parameters=[RETRY_AFTER],
        request=TrackLookupSerializer,
        responses={
            200: TrackResultSerializer,
            **errors(
                {
                    400: "Invalid input, or `mistyped_code`: the code's check "
                    "character disagrees (a typing mistake).",
                    404: "`no_match`: no case has this code and PIN. The body "
                    "is the same whether the code or the PIN is wrong.",
                    429: "",
                }
            ),
        },
    )
    def post(self, request):
        try:
            values = plain_lookup(request.data)
            if values is None:
                serializer = TrackLookupSerializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                data = serializer.validated_data
                values = data["code"], data["pin"]
        except exceptions.APIException:
            # Counted as any request, and refused as such first.
            super().check_throttles(request)
            raise
        code, pin = values
        ip_address = client_ip(request)
        failure_counts = self.check_throttles_reading(
            request, lookup_failure_keys(code, ip_address)
        )
        with answering_refusals():
            result = public_case_lookup(
                code=code,
                pin=pin,
                ip_address=ip_address,
                failure_counts=failure_counts,
            )
        return Response(track_result_data(result))


class PublicRatingView(PublicAPIView):
    """Records the rating a look-up's token authorises, once per case."""

    @extend_schema(
        operation_id="public_track_rating_create",
        summary="Rate the answer",
        description=(
            "Records how satisfied the citizen is with the answer, once per "
            "case, authorised by the `rating_token` of a look-up; answers the "
            'case as tracking shows it. A "not satisfied" rating is brought '
            "to the attention of the unit's leader.\n\n"
            "403 `lookup_expired`: the token is invalid, more than an hour old, "
            "or the PIN was re-issued since: look the case up again. 409 "
            "`already_rated`, or `not_rateable` (not answered yet, or a "
            f"denunciation). {THROTTLE_NOTE}"
        ),
        tags=TAGS,
        auth=[],
        parameters=[RETRY_AFTER],
        request=RatingCreateSerializer,
        responses={
            201: PublicCaseSerializer,
            **errors(
                {
                    400: "",
                    403: "`lookup_expired`: the token is invalid or too old; "
                    "look the case up again.",
                    409: "`already_rated`, or `not_rateable`.",
                    429: "",
                }
            ),
        },
    )
    def post(self, request):
        serializer = RatingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with answering_refusals():
            rated = public_rating_submit(**serializer.validated_data)
        return Response(PublicCaseSerializer(rated.case).data, status=201)


class PublishedAnswerListView(PublicAPIView):
    """Pages of published answers; three queries whatever the page size."""

    cacheable_max_age = ANSWERS_MAX_AGE

    @extend_schema(
        operation_id="public_answers_list",
        summary="Published answers",
        description=(
            "The answers units chose to publish, newest first: never a "
            "denunciation, and with the names, phone, ID numbers and e-mail "
            "addresses of the case's parties blotted out. A page past the end "
            f"is a 404. Cached publicly for {ANSWERS_MAX_AGE // 60} minutes. "
            f"{THROTTLE_NOTE}"
        ),
        tags=TAGS,
        auth=[],
        parameters=[PublishedAnswerQuerySerializer, RETRY_AFTER],
        responses={
            200: PaginatedPublishedAnswerListSerializer,
            **errors({400: "", 404: "A page past the end.", 429: ""}),
        },
    )
    def get(self, request):
        query = PublishedAnswerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        page = published_answer_page(
            field_code=filters["field"],
            hamlet_id=filters.get("hamlet"),
            period=filters["period"],
            search=filters["q"],
            page=filters["page"],
            page_size=filters["page_size"],
        )
        if page.number != filters["page"]:
            # The selector falls back to the last page; the API does not.
            raise exceptions.NotFound(_("Invalid page."))
        url = request.build_absolute_uri()
        previous = None
        if page.has_previous:
            previous = (
                remove_query_param(url, "page")
                if page.number == 2
                else replace_query_param(url, "page", page.number - 1)
            )
        body = {
            "count": page.count,
            "page": page.number,
            "page_size": filters["page_size"],
            "next": (
                replace_query_param(url, "page", page.number + 1)
                if page.has_next
                else None
            ),
            "previous": previous,
            "results": page.items,
        }
        return Response(PaginatedPublishedAnswerListSerializer(body).data)


class PublicOptionsView(PublicAPIView):
    """The choices a client offers when filling in a letter or the filters."""

    cacheable_max_age = ANSWERS_MAX_AGE

    @extend_schema(
        operation_id="public_options_retrieve",
        summary="Choices for a letter and for the answer filters",
        description=(
            "Whether online letters are received, the kinds a citizen may "
            "send (with what each means), the fields and hamlets to choose "
            "from, and the values of the published answers' filters. "
            f"{THROTTLE_NOTE}"
        ),
        tags=TAGS,
        auth=[],
        parameters=[RETRY_AFTER],
        responses={200: PublicOptionsSerializer, **errors({429: ""})},
    )
    def get(self, request):
        desk = public_desk_unit()
        hamlets = public_hamlets(desk=desk)
        body = {
            "accepting_submissions": desk is not None,
            "kinds": [
                {
                    "value": kind.value,
                    "label": kind.label,
                    "description": KIND_HELP[kind],
                    "address_required": kind in ADDRESS_REQUIRED_KINDS,
                }
                for kind in PUBLIC_KINDS
            ],
            "fields": [{"id": pk, "name": name} for pk, name in public_fields()],
            "hamlets": [{"id": pk, "name": name} for pk, name in hamlets],
            "answer_fields": [
                {"code": code, "name": name} for code, name in public_field_codes()
            ],
            "answer_periods": [
                {"value": value, "label": label}
                for value, label in published_answer_periods()
            ],
        }
        return Response(PublicOptionsSerializer(body).data)
