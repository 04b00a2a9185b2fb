"""The production cache backend (``config.cache.RedisCache``): ``incr`` as
Django's, in one call.  Runs against the Redis of ``CELERY_BROKER_URL`` (CI),
else one on 127.0.0.1:6379; on a machine with no Redis at all the same
behaviour is checked on the local-memory cache."""

import uuid

import pytest
from django.core.cache import cache, caches
from django.test import override_settings

from config.cache import RedisCache
from tests.api.test_public_throttle_redis import REDIS_URL


@pytest.fixture
def shared_cache():
    prefix = f"test-{uuid.uuid4().hex}"
    if REDIS_URL is None:
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    else:
        backend = {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    with override_settings(CACHES={"default": backend}):
        yield cache
        cache.delete_many(["generation", "missing"])


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


@pytest.mark.skipif(REDIS_URL is None, reason="needs a Redis server")
def test_incr_is_one_call_to_redis(shared_cache, monkeypatch):
    import redis

    shared_cache.set("generation", 1, None)
    shared_cache.incr("generation")  # Redis learns the script once
    calls = []
    execute = redis.Redis.execute_command

    def counted(self, *args, **options):
        calls.append(args[0])
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    shared_cache.incr("generation")
    shared_cache.incr("generation")
    assert calls == ["EVALSHA", "EVALSHA"]
