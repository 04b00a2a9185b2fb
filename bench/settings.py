"""Bench settings: production settings (DEBUG off) with the FLOOR view on,
persistent connections, and throttles raised so that a load generator on one
address is measured rather than refused.

Used by ``bench/run.sh`` for gunicorn and for the harness's own Django work:
``DJANGO_SETTINGS_MODULE=bench.settings``. Never deploy with it.
"""

import os

from config.cache import redis_answers

os.environ.setdefault("DEBUG", "false")
# A fixed key: the harness stores tracking PINs hashed with it.
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/langnghe_bench"
)
# A load generator sends thousands of letters an hour from one address.
os.environ.setdefault("PUBLIC_SUBMIT_RATE", "100000000/hour")
os.environ.setdefault("THROTTLE_PUBLIC", "100000000/min")
os.environ.setdefault("THROTTLE_PUBLIC_SUBMIT", "100000000/hour")
os.environ.setdefault("THROTTLE_LOGIN", "100000/min")
os.environ.setdefault("TRACK_FAILURES_PER_IP", "100000000")
os.environ.setdefault("TRACK_FAILURES_PER_CODE", "100000000")
os.environ.setdefault("TRACK_FAILURES_PER_CODE_PER_DAY", "100000000")
os.environ.setdefault("PUBLIC_FORM_MIN_SECONDS", "0")
# As behind the production proxy: the citizen's address comes in X-Real-IP
# (the letter workload sends one per request; the others send none and are
# counted by the connection's address).
os.environ.setdefault("PUBLIC_CLIENT_IP_HEADER", "HTTP_X_REAL_IP")
os.environ.setdefault("CONN_MAX_AGE", "600")
# Notifications go through the outbox; the bench needs no worker for them.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Redis, as in production: throttles, tracking failure counters and cached
# counts are shared by every gunicorn worker (a per-process LocMemCache counts
# each worker apart, and leaves the case-count cache off).  ``BENCH_REDIS``
# names the database; without a Redis server the bench falls back to LocMem.
BENCH_REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")


if "CACHE_BACKEND" not in os.environ and redis_answers(BENCH_REDIS):
    os.environ["CACHE_BACKEND"] = "config.cache.RedisCache"
    os.environ.setdefault("CACHE_LOCATION", BENCH_REDIS)
# wrk speaks plain HTTP to 127.0.0.1: no redirect to HTTPS (production sits
# behind a TLS proxy).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import DATABASES  # noqa: E402

BENCH_FLOOR_VIEW = True
ROOT_URLCONF = "bench.urls"
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["CONN_MAX_AGE"])
# PostgreSQL's JIT compiles any query the planner costs high (a count over a
# unit's open cases) for tens of milliseconds: a loss for a web workload.  The
# README recommends ``jit = off`` on the server; the bench sets it per
# connection so that it runs on a stock server.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
