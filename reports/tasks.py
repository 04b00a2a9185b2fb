"""Celery tasks of the reports app. Tasks take ids and call a service."""

from celery import shared_task

from config.db_router import replica_reads
from reports.services import export_job_run


@shared_task(acks_late=True)
def run_export_job(job_id: int) -> str:
    """Produce an export job's file; answers the job's final status.  Its
    reads go to the read replica when one is configured."""
    with replica_reads():
        return export_job_run(job_id=job_id).status
