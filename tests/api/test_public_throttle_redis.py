"""The public throttles and the tracking failure counters on the cache
production uses: Redis, where they count with one script call and read with
one ``MGET`` through a client kept per thread. Runs against the Redis of
``CELERY_BROKER_URL`` (CI), else one on 127.0.0.1:6379; on a machine with no
Redis at all the same behaviour is checked on the local-memory cache."""

import pytest
from django.test import override_settings

from feedback.services.public import redis_client
from tests.api.test_public import TRACK, answered, post, rates, track  # noqa: F401
from tests.factories import make_case
from tests.redis_cache import REDIS_URL, redis_or_local_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared_cache():
    with redis_or_local_cache():
        yield


def test_the_run_uses_redis_when_one_answers():
    assert (redis_client() is not None) == (REDIS_URL is not None)


def test_the_public_rate_counts_every_request_then_refuses(anonymous, answered):  # noqa: F811
    with rates(public="2/min"):
        assert track(anonymous, answered).status_code == 200
        assert track(anonymous, answered).status_code == 200
        refused = track(anonymous, answered)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60


@override_settings(TRACK_FAILURES_PER_CODE=2, TRACK_FAILURE_WINDOW=600)
def test_failures_per_code_are_counted_and_successes_are_not(anonymous, commune):
    created = make_case(actor=commune.reception, unit=commune.office)
    # Successes do not count towards the failure limit.
    for _attempt in range(3):
        assert track(anonymous, created).status_code == 200
    wrong_pin = "000000" if created.pin != "000000" else "111111"
    for _attempt in range(2):
        body = {"code": created.case.code, "pin": wrong_pin}
        assert post(anonymous, TRACK, body).status_code == 404
    refused = track(anonymous, created)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "600"
    assert refused.json()["error"]["code"] == "throttled"
