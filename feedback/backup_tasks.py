"""The nightly backup as a Celery task.

Beat runs it only where ``BACKUP_SCHEDULE_ENABLED=true`` (see
``CELERY_BEAT_SCHEDULE``); the worker imports this module through
``CELERY_IMPORTS``. Copying the archives off the machine is the operator's
job (rclone or rsync of ``BACKUP_DIR``, see the README).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from feedback.backup import backup_create

logger = logging.getLogger(__name__)


# Not retried automatically: a failed backup is logged loudly and the next
# night's run starts afresh; a half-written archive never keeps its name.
@shared_task(acks_late=True)
def nightly_backup() -> str:
    """Writes an archive into ``BACKUP_DIR``, keeps the newest
    ``BACKUP_KEEP``, and returns the archive's path."""
    result = backup_create(output_dir=settings.BACKUP_DIR, keep=settings.BACKUP_KEEP)
    logger.info(
        "Backup written: %s (%d old archives removed)",
        result.path,
        len(result.removed),
    )
    return str(result.path)
