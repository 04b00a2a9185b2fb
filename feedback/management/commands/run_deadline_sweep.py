"""``manage.py run_deadline_sweep [--date YYYY-MM-DD] [--dry-run]``.

Runs the deadline sweep now, in this process, as the daily task does (but on
any day, working or not).  ``--dry-run`` lists what it would send — case
code, kind, stage, due date and the recipients' user names — and writes
nothing.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feedback.services.sweep import DEFAULT_CHUNK_SIZE, deadline_sweep


class Command(BaseCommand):
    help = "Send today's deadline reminders and escalations (each only once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="the day to sweep for, YYYY-MM-DD (default: today)"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="list what would be sent and write nothing",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=DEFAULT_CHUNK_SIZE,
            help="cases per transaction",
        )

    def handle(self, *args, **options):
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"Bad date {options['date']!r}: use YYYY-MM-DD."
                ) from None
        else:
            today = timezone.localdate()
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        result = deadline_sweep(
            today=today, dry_run=options["dry_run"], chunk_size=options["chunk_size"]
        )
        if result.dry_run:
            self.stdout.write(f"Dry run for {today.isoformat()}: nothing was written.")
            for item in result.planned:
                self.stdout.write(
                    "\t".join(
                        [
                            item.case_code,
                            item.kind,
                            item.stage,
                            item.due_on.isoformat(),
                            ",".join(item.recipients),
                        ]
                    )
                )
        verb = "would send" if result.dry_run else "sent"
        self.stdout.write(
            f"{today.isoformat()}: {verb} {result.reminders} reminders and "
            f"{result.escalations} escalations ({result.notifications} "
            f"notifications, {result.emails} e-mails); {result.already_sent} "
            f"already sent; {result.unaddressed} with nobody to tell."
        )
