"""Celery tasks of the work program: they call a service and nothing else."""

from celery import shared_task
from django.utils import timezone

from programs.services import late_programs_remind


@shared_task
def remind_late_programs() -> int:
    """Remind the leaders of units late with their own program (once a week
    per unit and program)."""
    return late_programs_remind(today=timezone.localdate())
