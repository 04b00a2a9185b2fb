"""The public throttle counts requests in a window with one cache number per
address, whatever the rate (the sliding window of DRF stored every request's
time in one value that each request read and wrote whole)."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.api.test_public import OPTIONS, rates

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.7"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.delete_many(
        [f"throttle_public_{ADDRESS}", f"throttle_public_{ADDRESS}:since"]
    )


@override_settings(PUBLIC_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_requests_are_counted_then_refused_until_the_window_closes(anonymous):
    with rates(public="3/min"):
        answers = [
            anonymous.get(OPTIONS, HTTP_X_REAL_IP=ADDRESS).status_code for _ in range(4)
        ]
        # The count is one number, not a list of times.
        assert cache.get(f"throttle_public_{ADDRESS}") == 4
        refused = anonymous.get(OPTIONS, HTTP_X_REAL_IP=ADDRESS)
    assert answers == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60


@override_settings(PUBLIC_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_a_closed_window_lets_the_address_in_again(anonymous):
    with rates(public="1/min"):
        assert anonymous.get(OPTIONS, HTTP_X_REAL_IP=ADDRESS).status_code == 200
        assert anonymous.get(OPTIONS, HTTP_X_REAL_IP=ADDRESS).status_code == 429
        # The window's lifetime is the counter's: once it lapses, a new one opens.
        cache.delete(f"throttle_public_{ADDRESS}")
        assert anonymous.get(OPTIONS, HTTP_X_REAL_IP=ADDRESS).status_code == 200
