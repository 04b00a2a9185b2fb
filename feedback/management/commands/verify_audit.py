"""``manage.py verify_audit [--case CODE] [--anchor FILE] [--save-anchor FILE]``.

Recomputes every case's event chain and history chain (``feedback.audit``)
and prints the first broken link of each: the case's tracking code, the
chain, the table and row id, what is wrong, and the expected and stored
values.  Exits non-zero when any link is broken; prints how many cases and
rows were checked otherwise.  Streams the rows: memory stays constant at any
size.

``--save-anchor FILE`` writes, after a clean check, the head of every chain
to FILE; keep it where the database's users cannot write (off-site, with the
backups).  ``--anchor FILE`` then also checks that each chain still holds
those hashes, which catches even a chain rebuilt from scratch.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from feedback import audit, tracking
from feedback.models import Case


class Command(BaseCommand):
    help = (
        "Recompute the tamper-evident audit chains of case events and history "
        "rows and report the first broken link of each case."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--case",
            metavar="CODE",
            default=None,
            help="check only the case with this tracking code (dashes are ignored)",
        )
        parser.add_argument(
            "--anchor",
            metavar="FILE",
            default=None,
            help="also check that the chains still hold the hashes saved in FILE",
        )
        parser.add_argument(
            "--save-anchor",
            metavar="FILE",
            default=None,
            help="after a clean check, save every chain's head to FILE",
        )

    def handle(self, *args, **options):
        code = options["case"]
        if code is not None:
            code = tracking.normalize_code(code)
        anchor = options["anchor"]
        if anchor is not None and not Path(anchor).is_file():
            raise CommandError(f"No anchor file at {anchor}.")
        target = options["save_anchor"]
        started = time.monotonic()
        summary = audit.Summary()
        saved = None
        try:
            if target is None:
                breaks = audit.verify(case_code=code, summary=summary, anchor=anchor)
            else:
                saved, breaks = self._verify_and_save(code, summary, anchor, target)
        except Case.DoesNotExist:
            raise CommandError(f"No case has the tracking code {code!r}.") from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        elapsed = time.monotonic() - started
        for found in breaks:
            self.stderr.write(f"BROKEN {found}")
        if breaks:
            raise CommandError(
                f"{len(breaks)} broken audit chain(s) in {summary.cases:,} case(s), "
                f"{summary.rows:,} row(s) checked."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chains intact: {summary.cases:,} case(s), "
                f"{summary.rows:,} row(s) checked in {elapsed:.1f} s."
            )
        )
        if saved:
            self.stdout.write(f"Anchor saved to {saved}.")

    @staticmethod
    def _verify_and_save(code, summary, anchor, target):
        """Verify, writing the anchor to a temporary file next to ``target``
        that replaces it only when the check is clean."""
        target = Path(target)
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=".anchor-", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                breaks = audit.verify(
                    case_code=code, summary=summary, anchor=anchor, save_anchor=stream
                )
            if breaks:
                return None, breaks
            os.replace(temporary, target)
            return target, breaks
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
