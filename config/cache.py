"""The production cache backend: Django's Redis cache, with one client per
connection pool.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache
call, and building one (its table of response callbacks) costs more than
the round trip to Redis itself: a staff page asks the cache half a dozen
times.  A ``redis.Redis`` is safe to share between threads (each command
takes a connection from the pool), so one per pool serves every call.

``CACHE_BACKEND=config.cache.RedisCache`` switches it on.
"""

from __future__ import annotations

import threading

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._lock = threading.Lock()

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
