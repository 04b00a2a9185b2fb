"""Helper of ``test_export_worker.py``, run in a subprocess against the
database named by ``DATABASE_URL`` (never the test run's own database).

``seed --cases N``
    Bulk-inserts a commune of two offices with a supervisor and N cases,
    all received in the first quarter of 2024, and prints the supervisor's
    id and how many cases each office received.

``export --user ID --unit CODE --target summary|cases --format xlsx|csv|docx``
    Queues an export of 2024-Q1 through the service, as the pages do, and
    prints the job's id.  The task goes to the default queue
    (``CELERY_TASK_DEFAULT_QUEUE``), where the test's worker listens.
"""

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from feedback import tracking  # noqa: E402
from feedback.models import Case, Field, Membership, Unit, UnitKind  # noqa: E402

OFFICES = ("EA", "EB")


def seed(count: int) -> dict:
    with transaction.atomic():
        commune = Unit.objects.create(code="EC", name="Xã", kind=UnitKind.COMMUNE)
        offices = {
            code: Unit.objects.create(
                code=code, name=f"Đơn vị {code}", kind=UnitKind.OFFICE, parent=commune
            )
            for code in OFFICES
        }
        supervisor = get_user_model().objects.create(
            username="export_supervisor", is_staff=True
        )
        Membership.objects.create(user=supervisor, unit=commune, role="supervisor")
        land = Field.objects.get(code="land")
        start = timezone.make_aware(dt.datetime(2024, 1, 2, 8))
        per_office = dict.fromkeys(OFFICES, 0)
        cases = []
        for number in range(count):
            office = OFFICES[number % 3 % 2]  # two in three cases to EA
            per_office[office] += 1
            received = start + dt.timedelta(minutes=number * 7 % (88 * 24 * 60))
            due = received.date() + dt.timedelta(days=30)
            cases.append(
                Case(
                    code=tracking.generate_code(),
                    pin_hash="-",
                    kind="feedback",
                    channel="in_person",
                    field=land,
                    title=f"Kiến nghị số {number}",
                    content="Nội dung kiến nghị.",
                    received_at=received,
                    responsible_unit=offices[office],
                    status="received",
                    stage="answer",
                    stage_due_on=due,
                    final_due_on=due,
                )
            )
        Case.objects.bulk_create(cases, batch_size=1000)
    return {"user": supervisor.pk, "received": per_office}


def export(user_id: int, unit: str, target: str, file_format: str) -> dict:
    from reports.services import export_job_create

    params = {"period": "2024-Q1", "window": "calendar"}
    if target == "cases":
        params |= {"figure": "received", "rows": Case.objects.count()}
    job = export_job_create(
        actor=get_user_model().objects.get(pk=user_id),
        unit=Unit.objects.get(code=unit),
        target=target,
        file_format=file_format,
        params=params,
    )
    return {"job": job.pk}


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("--cases", type=int, required=True)
    exporting = commands.add_parser("export")
    exporting.add_argument("--user", type=int, required=True)
    exporting.add_argument("--unit", required=True)
    exporting.add_argument("--target", required=True)
    exporting.add_argument("--format", required=True)
    options = parser.parse_args()
    if options.command == "seed":
        output = seed(options.cases)
    else:
        output = export(options.user, options.unit, options.target, options.format)
    print(json.dumps(output))


if __name__ == "__main__":
    main()
