"""Settings, every value from the environment (see ``.env.example``).

Defaults serve a developer's machine with no services: SQLite and the
filesystem broker under ``var/``. Production sets ``DEBUG=false``,
``SECRET_KEY``, ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis).
"""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("LANGNGHE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see .env.example)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
# Rotating SECRET_KEY: the old keys keep sessions valid until they expire.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "feedback",
    "petitions",
    "dialogues",
    "programs",
    "reports",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "feedback.middleware_security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "feedback.middleware.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: it turns a lock-out into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "feedback.context_processors.notifications",
                "petitions.context_processors.desk",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'langnghe.sqlite3'}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A kept connection is checked before a request reuses it, so that a database
# restart costs no request an error.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool(
    "CONN_HEALTH_CHECKS", default=True
)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# PostgreSQL: values bound on the server, and each query a connection has run
# ``DATABASE_PREPARE_THRESHOLD`` times kept prepared there, so that the busy
# requests' few queries are parsed and planned once per connection rather
# than on every run. Off (0) behind PgBouncer in transaction mode before 1.21,
# which cannot carry prepared statements between connections.
DATABASE_PREPARE_THRESHOLD = env.int("DATABASE_PREPARE_THRESHOLD", default=5)


def _postgresql_options(database: dict) -> None:
    if database["ENGINE"] == "django.db.backends.postgresql" and (
        DATABASE_PREPARE_THRESHOLD > 0
    ):
        database.setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=DATABASE_PREPARE_THRESHOLD
        )


_postgresql_options(DATABASES["default"])
# A PostgreSQL read replica for reports and exports (config/db_router.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    for _name in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        DATABASES["replica"][_name] = DATABASES["default"][_name]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    _postgresql_options(DATABASES["replica"])
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses locked-out log-ins before any password is checked.
    "feedback.accounts.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development and tests serve assets straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    # Attachments: the local MEDIA_ROOT, or object storage when one web
    # machine is not enough (README, Scaling out).
    "default": {
        "BACKEND": env.str(
            "MEDIA_STORAGE_BACKEND",
            default="django.core.files.storage.FileSystemStorage",
        )
    },
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedStaticFilesStorage",
        )
    },
}
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded files (scanned letters, minutes, evidence, reports) live outside
# any web root and are only served through views that check permissions
# (feedback.files). Never let the web server serve MEDIA_ROOT: MEDIA_URL is
# deliberately a path nothing answers.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "outbox"
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="langnghe@localhost")

# Security: on by default when DEBUG is off; the environment may say otherwise.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 60 * 60
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every response (feedback.middleware_security): no inline script or style.
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
)
# Contact: of /.well-known/security.txt (RFC 9116), a mailto: or https: URI.
SECURITY_CONTACT = env.str("SECURITY_CONTACT", default=f"mailto:{DEFAULT_FROM_EMAIL}")

# Celery: the filesystem transport is a real broker with no server behind it.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=f"file://{VAR_DIR / 'results'}"
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    Path(CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(
        parents=True, exist_ok=True
    )
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
# Deployments that share one Redis give each its own queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The schedule lives here, versioned with the code, in Asia/Ho_Chi_Minh time.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "feedback.tasks.heartbeat",
        "schedule": crontab(minute="*/15"),
    },
    # Every morning; the 13:00 run catches a morning lost to an outage (the
    # sweep never sends anything twice).
    "deadline-sweep": {
        "task": "feedback.tasks.deadline_sweep",
        "schedule": crontab(minute=30, hour="6,13"),
    },
    "weekly-digest": {
        "task": "feedback.tasks.weekly_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    "outbox-deliver": {
        "task": "feedback.tasks.outbox_deliver",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "programs-late": {
        "task": "programs.tasks.remind_late_programs",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    "prune-tracking-lookups": {
        "task": "feedback.tasks.prune_tracking_lookups",
        "schedule": crontab(minute=15, hour=3),
    },
    "purge-idempotency-records": {
        "task": "api.tasks.purge_idempotency_records",
        "schedule": crontab(minute=45, hour=3),
    },
}
# Backups (manage.py backup / restore, feedback/backup.py). The nightly run
# is opt-in; copying BACKUP_DIR off the machine is left to rclone/rsync.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
# Where pg_dump/pg_restore of the server's major version live; empty: PATH.
BACKUP_PG_BIN_DIR = env.str("BACKUP_PG_BIN_DIR", default="")
CELERY_IMPORTS = ["feedback.backup_tasks"]
if env.bool("BACKUP_SCHEDULE_ENABLED", default=False):
    CELERY_BEAT_SCHEDULE["nightly-backup"] = {
        "task": "feedback.backup_tasks.nightly_backup",
        "schedule": crontab(minute=30, hour=1),
    }
SMS_BACKEND = env.str("SMS_BACKEND", default="feedback.sms.OutboxSmsBackend")
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=300)
NOTIFICATIONS_PAGE_SIZE = env.int("NOTIFICATIONS_PAGE_SIZE", default=25)
# The public address of the site, for links in e-mails and SMS.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# A hung mail server must not hold an outbox row lock for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Tracking codes and PINs: the PIN is checked with a keyed hash so look-ups
# stay cheap; throttling, not hashing cost, is the defence against guessing.
TRACKING_PIN_KEY = env.str("TRACKING_PIN_KEY", default=SECRET_KEY)

# Uploads (scanned letters, signed minutes). The web server in front must
# also cap request bodies (e.g. nginx client_max_body_size).
PETITIONS_MAX_ATTACHMENT_BYTES = env.int(
    "PETITIONS_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024
)
DIALOGUES_MINUTES_MAX_BYTES = env.int(
    "DIALOGUES_MINUTES_MAX_BYTES", default=10 * 1024 * 1024
)

# Exports above these sizes run as a background job with a progress page.
REPORTS_ASYNC_CASES = env.int("REPORTS_ASYNC_CASES", default=200_000)
REPORTS_ASYNC_ROWS = env.int("REPORTS_ASYNC_ROWS", default=5_000)

# Citizen portal: abuse protection without third-party services.
PUBLIC_SUBMIT_RATE = env.str("PUBLIC_SUBMIT_RATE", default="10/hour")
PUBLIC_FORM_MIN_SECONDS = env.int("PUBLIC_FORM_MIN_SECONDS", default=5)
PUBLIC_FORM_MAX_AGE = env.int("PUBLIC_FORM_MAX_AGE", default=24 * 60 * 60)
PUBLIC_ATTACHMENT_MAX_FILES = env.int("PUBLIC_ATTACHMENT_MAX_FILES", default=5)
PUBLIC_ATTACHMENT_MAX_BYTES = env.int(
    "PUBLIC_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024
)
TRACK_FAILURES_PER_CODE = env.int("TRACK_FAILURES_PER_CODE", default=10)
TRACK_FAILURES_PER_CODE_PER_DAY = env.int("TRACK_FAILURES_PER_CODE_PER_DAY", default=30)
TRACK_FAILURES_PER_IP = env.int("TRACK_FAILURES_PER_IP", default=30)
TRACK_FAILURE_WINDOW = env.int("TRACK_FAILURE_WINDOW", default=60 * 60)
PUBLIC_RATING_TOKEN_MAX_AGE = env.int("PUBLIC_RATING_TOKEN_MAX_AGE", default=60 * 60)
# Behind a trusted reverse proxy, the header carrying the client's address
# (e.g. HTTP_X_REAL_IP); empty means REMOTE_ADDR.
PUBLIC_CLIENT_IP_HEADER = env.str("PUBLIC_CLIENT_IP_HEADER", default="")
# Staff log-in (issue 11): two-factor (TOTP) log-in, lock-out after repeated
# failures, idle sessions, expiring API tokens.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Lắng Nghe")
ACCOUNT_RECOVERY_CODES = 10
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Per user name *and* address: a guesser cannot lock a colleague out from
# elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "feedback.accounts.lockout_response"
# The client's address from REMOTE_ADDR (or the trusted proxy's header), never
# from a header any client can send.
AXES_IPWARE_META_PRECEDENCE_ORDER = [
    env.str("PUBLIC_CLIENT_IP_HEADER", default="") or "REMOTE_ADDR"
]
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
PUBLIC_ANSWERS_PAGE_SIZE = env.int("PUBLIC_ANSWERS_PAGE_SIZE", default=10)
PUBLIC_STATS_MIN_CELL = env.int("PUBLIC_STATS_MIN_CELL", default=5)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "api.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("THROTTLE_LOGIN", default="10/min"),
        "public": env.str("THROTTLE_PUBLIC", default="60/min"),
        "public_submit": env.str("THROTTLE_PUBLIC_SUBMIT", default="10/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lắng Nghe API",
    "DESCRIPTION": (
        "Cases (feedback, complaints, denunciations, voter petitions, dialogue "
        "issues), their workflow and deadlines; public tracking for citizens."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}
CACHES = {
    "default": {
        "BACKEND": env.str(
            "CACHE_BACKEND", default="django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": env.str("CACHE_LOCATION", default="langnghe"),
    }
}
# Caches each process keeps to itself: what one process keeps or voids there
# the others never see (``feedback.selectors.counts`` keeps no counts in them).
PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
# Staff sessions are read on every request: from the cache when every process
# shares it (written through to the database, which stays their record), else
# from the database alone, since a session ended in one process must end in
# all of them.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db"
    if CACHES["default"]["BACKEND"] in PROCESS_LOCAL_CACHES
    else "django.contrib.sessions.backends.cached_db"
)
# Case-list counts are cached until the cases change (feedback.selectors.counts);
# a write that bypasses the model signals shows after this many seconds. 0: off.
COUNT_CACHE_SECONDS = env.int("COUNT_CACHE_SECONDS", default=60)
# Reference rows (units, fields, policies) held per process: a change made in
# one process shows in the others within this many seconds
# (feedback.selectors.reference).
REFERENCE_RECHECK_SECONDS = env.float("REFERENCE_RECHECK_SECONDS", default=1.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
