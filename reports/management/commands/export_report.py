"""``python manage.py export_report --period 2024-Q1 --unit XT --format xlsx
--output file.xlsx``: the statistics of a unit (with its whole subtree) for a
period, as XLSX, CSV, JSON or the DOCX report draft.

The command line works as the system: it counts every case of the subtree
and writes aggregated figures only (no identity reaches the file).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from feedback.errors import DomainError
from feedback.models import Unit
from reports.files import SUMMARY_FORMATS, summary_file
from reports.periods import Window
from reports.selectors import report_period


class Command(BaseCommand):
    help = "Export the statistics of a unit for a period (XLSX, CSV, JSON, DOCX)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period",
            required=True,
            help="2024-Q1, 2024-H1, 2024-9M, 2024 or 2024-01-01..2024-03-31.",
        )
        parser.add_argument("--unit", required=True, help="The unit's code.")
        parser.add_argument("--format", choices=SUMMARY_FORMATS, default="xlsx")
        parser.add_argument(
            "--window",
            choices=Window.VALUES,
            help="calendar or cutoff (15th–14th); default: the unit's settings.",
        )
        parser.add_argument("--output", help="File to write; '-' for standard output.")
        parser.add_argument(
            "--issued-on",
            type=dt.date.fromisoformat,
            help="Date printed on the DOCX report (YYYY-MM-DD); default today.",
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help="Language of the headings (vi or en).",
        )

    def handle(self, *args, **options):
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"No unit has the code {options['unit']!r}.")
        today = timezone.localdate()
        with translation.override(options["language"]):
            try:
                period = report_period(
                    unit=unit, code=options["period"], window=options["window"]
                )
                report_file = summary_file(
                    user=None,
                    unit=unit,
                    period=period,
                    file_format=options["format"],
                    today=today,
                    issued_on=options["issued_on"],
                )
            except DomainError as error:
                details = "; ".join(str(text) for text in error.fields.values())
                raise CommandError(details or str(error.message)) from None
        output = options["output"] or report_file.filename
        if output == "-":
            sys.stdout.buffer.write(report_file.content)
            return
        Path(output).write_bytes(report_file.content)
        self.stdout.write(
            f"{output}: {period.full_label}, {unit.name} "
            f"({len(report_file.content)} bytes)"
        )
