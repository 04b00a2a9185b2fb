"""The cache production uses, for the tests of what counts on it: the Redis
of ``CELERY_BROKER_URL`` (CI), else one on 127.0.0.1:6379, under a key prefix
of the test's own (other runs may share the server); on a machine with no
Redis at all, the local-memory cache, which behaves the same."""

import contextlib
import os
import uuid

from django.core.cache import cache
from django.test import override_settings

from config.cache import redis_answers
from feedback.services.public import redis_client


def redis_url() -> str | None:
    broker = os.environ.get("CELERY_BROKER_URL", "")
    url = broker if broker.startswith("redis://") else "redis://127.0.0.1:6379/0"
    return url if redis_answers(url) else None


REDIS_URL = redis_url()


@contextlib.contextmanager
def redis_or_local_cache(backend: str = "django.core.cache.backends.redis.RedisCache"):
    """The default cache on ``backend`` at ``REDIS_URL`` for the block (the
    local-memory cache when no Redis answers); the block's keys are deleted
    after it."""
    prefix = f"test-{uuid.uuid4().hex}"
    if REDIS_URL is None:
        settings = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    else:
        settings = {"BACKEND": backend, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    with override_settings(CACHES={"default": settings}):
        try:
            yield cache
        finally:
            client = redis_client()
            if client is None:
                cache.clear()
            else:  # this block's keys only
                for key in client.scan_iter(f"{prefix}:*"):
                    client.delete(key)
