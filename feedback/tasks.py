"""Celery tasks of the case core. Tasks take ids and call services."""

from celery import shared_task
from django.utils import timezone


@shared_task
def heartbeat() -> str:
    """Proves that the worker and beat run; returns the worker's local time."""
    return timezone.localtime().isoformat()


@shared_task
def ping(value: str) -> str:
    return f"pong:{value}"
