"""Test overlay: fast hashing, tasks run eagerly unless a test starts a worker."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402, F403
from .base import VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
LANGUAGE_CODE = "vi"
