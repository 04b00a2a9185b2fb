"""The public throttles read what they need with the count they make: on the
cache production uses, a look-up's count and its code's failure counters are
one round trip, and so are a letter's two throttles.  What they refuse does
not change.  Runs on Redis when one answers (see
``test_public_throttle_redis``), else on the local-memory cache, where each
counter is read on its own.  The public endpoints answer JSON without DRF's
negotiation when the client leaves the choice to them: the same answer."""

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.views.public import PublicOptionsView, PublicSubmitThrottle
from feedback.services.public import redis_client
from tests.api.test_public import (  # noqa: F401
    SUBMIT,
    TRACK,
    answered,
    desk,
    letter,
    post,
    rates,
    track,
)
from tests.api.test_public_throttle_redis import shared_cache  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_trips(monkeypatch):
    """The commands sent to Redis, by name."""
    sent = []
    original = redis.Redis.execute_command

    def execute_command(self, *args, **options):
        sent.append(str(args[0]).upper())
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", execute_command)
    return sent


def test_a_look_up_is_one_round_trip_to_the_cache(anonymous, answered, round_trips):  # noqa: F811
    assert track(anonymous, answered).status_code == 200
    round_trips.clear()
    assert track(anonymous, answered).status_code == 200
    if redis_client() is not None:
        assert round_trips == ["EVALSHA"]


def test_a_body_that_does_not_parse_is_counted_and_refused_first(anonymous, answered):  # noqa: F811
    with rates(public="2/min"):
        assert track(anonymous, answered).status_code == 200
        refused = post(anonymous, TRACK, {"code": 12, "pin": []})
        assert refused.status_code == 400
        throttled = post(anonymous, TRACK, {"code": 12, "pin": []})
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0


def test_a_mistyped_code_is_counted(anonymous, answered):  # noqa: F811
    with rates(public="1/min"):
        mistyped = post(anonymous, TRACK, {"code": "2222-2222-2223", "pin": "123456"})
        assert mistyped.status_code == 400
        assert track(anonymous, answered).status_code == 429


@override_settings(TRACK_FAILURES_PER_IP=1, TRACK_FAILURE_WINDOW=300)
def test_failures_read_with_the_count_still_refuse(anonymous, answered):  # noqa: F811
    wrong = "000000" if answered.pin != "000000" else "111111"
    body = {"code": answered.case.code, "pin": wrong}
    assert post(anonymous, TRACK, body).status_code == 404
    refused = track(anonymous, answered)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "300"


def test_a_letters_throttles_read_together(anonymous, letter, round_trips):  # noqa: F811
    with rates(public_submit="1/hour"):
        assert post(anonymous, SUBMIT, letter).status_code == 201
        round_trips.clear()
        refused = post(anonymous, SUBMIT, letter)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    if redis_client() is not None:
        # The count, with the letters of the window read; then the start of
        # that window, for ``Retry-After``.
        assert round_trips == ["EVALSHA", "GET"]


def test_a_logged_letter_is_counted_with_the_request(anonymous, letter, round_trips):  # noqa: F811
    """On Redis the letter is counted ahead, in the round trip of the
    request's count, and nothing more is asked of the throttles once it is
    logged."""
    assert post(anonymous, SUBMIT, letter).status_code == 201
    round_trips.clear()
    assert (
        post(anonymous, SUBMIT, {**letter, "title": "Cống bị tắc"}).status_code == 201
    )
    if redis_client() is not None:
        # (The tests cache no counts: no generation of the cases to move.)
        assert round_trips == ["EVALSHA"]


def test_letters_refused_or_not_logged_do_not_count(anonymous, letter):  # noqa: F811
    with rates(public_submit="2/hour"):
        assert post(anonymous, SUBMIT, {**letter, "consent": False}).status_code == 400
        assert post(anonymous, SUBMIT, letter).status_code == 201
        # Refused at the limit, again and again: none of it counts...
        assert post(anonymous, SUBMIT, {**letter, "title": "Hai"}).status_code == 201
        for _ in range(3):
            assert post(anonymous, SUBMIT, {**letter, "title": "Ba"}).status_code == 429
        # ...and neither did the letter refused as invalid: the address's
        # count is its two letters logged.
        key = PublicSubmitThrottle.cache_format % {
            "scope": "public_submit",
            "ident": "127.0.0.1",
        }
        assert cache.get(key) == 2


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "application/json", "application/json; indent=4", "text/html"],
)
def test_the_answer_is_negotiated_as_drf_negotiates_it(anonymous, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    view = PublicOptionsView()
    view.format_kwarg = None
    request = Request(APIRequestFactory().get("/", **headers))
    renderers = view.get_renderers()
    try:
        expected = DefaultContentNegotiation().select_renderer(request, renderers)
    except Exception as error:  # noqa: BLE001
        expected = type(error)
    try:
        chosen = view.perform_content_negotiation(request)
    except Exception as error:  # noqa: BLE001
        chosen = type(error)
    if isinstance(expected, tuple):
        assert (type(chosen[0]), chosen[1]) == (type(expected[0]), expected[1])
    else:
        assert chosen is expected
    response = anonymous.get("/api/v1/public/options/", **headers)
    assert response.status_code == (200 if isinstance(expected, tuple) else 406)
