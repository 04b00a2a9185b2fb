"""``manage.py backup [--output-dir DIR] [--keep N]``.

Writes ``langnghe-backup-YYYYmmddTHHMMSSZ.tar.gz`` (mode 0600) with a
consistent database dump, the attachments and a checksummed manifest; see
``feedback/backup.py``. Prints the archive's path on the last line.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from feedback.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the attachments into one verified archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="folder for the archive (default: the BACKUP_DIR setting)",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="then delete all but the newest N archives in that folder",
        )

    def handle(self, *args, **options):
        output_dir = options["output_dir"] or Path(settings.BACKUP_DIR)
        try:
            result = backup_create(output_dir=output_dir, keep=options["keep"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        rows = sum(manifest["row_counts"].values())
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"{manifest['database']['engine']}: {len(manifest['row_counts'])} "
            f"tables, {rows} rows; {media} attachment files."
        )
        for path in result.removed:
            self.stdout.write(f"Removed old backup {path.name}")
        self.stdout.write(self.style.SUCCESS(str(result.path)))
