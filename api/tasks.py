"""Housekeeping of the API's own tables."""

from celery import shared_task

from api.idempotency import purge_expired


@shared_task(acks_late=True)
def purge_idempotency_records() -> int:
    """Drop stored answers of idempotent requests past their 24 hours."""
    return purge_expired()
