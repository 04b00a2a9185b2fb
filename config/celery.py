"""The Celery application.

The broker defaults to kombu's filesystem transport under ``var/`` so that a
fresh machine runs a real worker without any server; production sets
``CELERY_BROKER_URL=redis://...``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("langnghe")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
