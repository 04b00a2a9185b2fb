"""The production cache backend (``config.cache.RedisCache``): ``incr`` as
Django's, in one call.  The behaviour runs against Redis when one answers
(``tests.redis_cache``; the local-memory cache otherwise); the one call is
checked on the backend's client itself."""

import pytest
from django.core.cache import caches

from config.cache import INCR_EXISTING, RedisCache, RedisCacheClient
from tests.redis_cache import REDIS_URL, redis_or_local_cache


@pytest.fixture
def shared_cache():
    with redis_or_local_cache("config.cache.RedisCache") as cache:
        yield cache


def test_the_run_uses_redis_when_one_answers(shared_cache):
    assert isinstance(caches["default"], RedisCache) == (REDIS_URL is not None)


def test_incr_moves_a_number_that_is_there(shared_cache):
    shared_cache.set("generation", 41, None)
    assert shared_cache.incr("generation") == 42
    assert shared_cache.incr("generation", 8) == 50
    assert shared_cache.get("generation") == 50


def test_incr_of_a_missing_key_refuses_and_writes_nothing(shared_cache):
    with pytest.raises(ValueError, match="not found"):
        shared_cache.incr("missing")
    assert shared_cache.get("missing") is None
    assert shared_cache.add("missing", 7) is True


class RecordingRedis:
    """Stands in for ``redis.Redis``: every command it is sent, in order.
    ``values`` holds the keys that exist."""

    def __init__(self, values):
        self.values = values
        self.commands = []

    def register_script(self, script):
        def run(keys, args):
            self.commands.append(("script", script, tuple(keys), tuple(args)))
            [key], [delta] = keys, args
            if key not in self.values:
                return None
            self.values[key] += delta
            return self.values[key]

        return run


def test_incr_sends_redis_one_script_call(monkeypatch):
    client = RedisCacheClient(["redis://127.0.0.1:6379/0"])
    redis = RecordingRedis({"generation": 41})
    monkeypatch.setattr(client, "get_client", lambda key=None, write=False: redis)

    assert client.incr("generation") == 42
    with pytest.raises(ValueError, match="not found"):
        client.incr("missing", 2)

    assert redis.commands == [
        ("script", INCR_EXISTING, ("generation",), (1,)),
        ("script", INCR_EXISTING, ("missing",), (2,)),
    ]
