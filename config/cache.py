"""The production cache backend: Django's Redis cache, with one client per
connection pool.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache
call, and building one (its table of response callbacks) costs more than
the round trip to Redis itself: a staff page asks the cache half a dozen
times.  A ``redis.Redis`` is safe to share between threads (each command
takes a connection from the pool), so one per pool serves every call.

Its ``incr`` is one round trip where Django's takes two (``EXISTS``, then
``INCRBY``): the case-count generation is moved by every write.

``CACHE_BACKEND=config.cache.RedisCache`` switches it on.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit

from django.core.cache.backends import redis as django_redis


def redis_answers(url: str, timeout: float = 1) -> bool:
    """Whether a server accepts connections at the Redis ``url``'s host and
    port (for set-ups that fall back to a local cache without one)."""
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 6379), timeout=timeout
        ):
            return True
    except OSError:
        return False


# INCRBY of a key that exists; nil (and nothing written) for one that does
# not, where a bare INCRBY would start it from 0.
INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}
        self._lock = threading.Lock()

    def incr(self, key, delta=1):
        """As Django's: ``ValueError`` when ``key`` is missing, in one call."""
        client = self.get_client(key, write=True)
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts.setdefault(
                id(client), client.register_script(INCR_EXISTING)
            )
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            with self._lock:
                client = self._clients.setdefault(
                    id(pool), self._client(connection_pool=pool)
                )
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
