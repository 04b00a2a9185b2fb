"""Test overlay: fast hashing, tasks run eagerly unless a test starts a worker."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402, F403
from .base import REST_FRAMEWORK, VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
LANGUAGE_CODE = "vi"
# Query counts stay exact; tests of the count cache turn it on.
COUNT_CACHE_SECONDS = 0

# The schema fuzzer sends hundreds of anonymous requests; throttle tests set
# their own low rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "public": "100000/min",
        "public_submit": "100000/hour",
    },
}
