"""``manage.py restore ARCHIVE [--yes] [--force]``.

Checks every checksum of a ``manage.py backup`` archive first and changes
nothing when one differs; refuses a database that already holds users, units
or cases unless ``--force``, and an archive from another engine; then loads
the dump, puts the attachments back and compares the row counts with the
manifest (exit status 1 when they differ).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from feedback.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into the configured, empty database."
    # The target may be a brand-new database with no tables yet.
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a langnghe-backup-*.tar.gz")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask for confirmation"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite a database that already holds data",
        )

    def handle(self, *args, **options):
        archive = options["archive"]
        target = f"{connection.vendor} database {connection.settings_dict['NAME']}"
        if not options["yes"] and not self._ask(
            f"Restore {archive} into the {target}? [y/N] "
        ):
            raise CommandError("Not confirmed (pass --yes): nothing was restored.")
        try:
            result = backup_restore(archive, force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        rows = sum(result.row_counts.get(t, 0) for t in manifest["row_counts"])
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} (app "
            f"{manifest['app_version']}) into the {target}: "
            f"{len(manifest['row_counts'])} tables, {rows} rows, "
            f"{result.media_files} attachment files."
        )
        if not result.ok:
            for table, (expected, found) in sorted(result.mismatches.items()):
                self.stderr.write(
                    f"{table}: {expected} rows in the backup, {found} now"
                )
            raise CommandError("Row counts differ from the backup's manifest.")
        self.stdout.write(
            self.style.SUCCESS("Every table's row count matches the manifest.")
        )

    def _ask(self, question: str) -> bool:
        try:
            return input(question).strip().lower() in {"y", "yes", "c", "có"}
        except EOFError:
            return False
