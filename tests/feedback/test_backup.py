"""Backups: the archive proves itself whole, a restore refuses what it must
and changes nothing then, and a round trip brings back every row and file.

These run on the configured database (SQLite in-memory, or pytest's
PostgreSQL test database, where pg_dump/pg_restore do the work); the
integration test repeats the round trip across two separate databases.
"""

import hashlib
import io
import json
import os
import re
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from feedback import backup
from feedback.backup import BackupError, backup_create, backup_restore, backup_verify
from feedback.backup_tasks import nightly_backup
from feedback.models import Case, Unit
from tests.factories import make_case

ROOT = Path(__file__).resolve().parents[2]
LETTER = b"%PDF-1.4 scanned letter\n" * 50

# Committed rows: pg_dump reads the database from a session of its own.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def folders(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    letter = settings.MEDIA_ROOT / "cases" / "1" / "don-thu.pdf"
    letter.parent.mkdir(parents=True)
    letter.write_bytes(LETTER)
    return settings


@pytest.fixture
def data(commune, folders):
    """A small commune, a case and one attachment file."""
    make_case(actor=commune.reception, unit=commune.office)
    return commune


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def rewrite(archive: Path, change) -> None:
    """Rebuild the archive after ``change(contents)`` edits its members."""
    contents = members(archive)
    change(contents)
    with tarfile.open(archive, "w:gz") as tar:
        for name, payload in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))


def counts() -> dict[str, int]:
    return backup.database_row_counts()


def test_backup_writes_a_private_archive_whose_manifest_matches_it(data, folders):
    result = backup_create()

    path = result.path
    assert path.parent == folders.BACKUP_DIR
    assert re.fullmatch(r"langnghe-backup-\d{8}T\d{6}Z\.tar\.gz", path.name)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in folders.BACKUP_DIR.iterdir()) == [path.name]
    contents = members(path)
    manifest = json.loads(contents.pop("manifest.json"))
    assert manifest == result.manifest
    assert manifest["format"] == 1
    assert manifest["database"]["engine"] == connection.vendor
    assert set(manifest["files"]) == set(contents)
    for name, payload in contents.items():
        assert manifest["files"][name] == {
            "sha256": hashlib.sha256(payload).hexdigest(),
            "size": len(payload),
        }
    assert contents["media/cases/1/don-thu.pdf"] == LETTER
    assert manifest["database"]["dump"] in contents
    assert manifest["row_counts"]["feedback_unit"] == Unit.objects.count() == 6
    assert manifest["row_counts"]["feedback_case"] == Case.objects.count() == 1
    applied = MigrationRecorder.Migration.objects.filter(app="feedback")
    assert manifest["migrations"]["feedback"] == applied.order_by("id").last().name
    assert manifest["app_version"]
    assert backup_verify(path) == manifest


def test_keep_deletes_all_but_the_newest_archives(data, folders):
    now = timezone.now()
    first = backup_create(now=now - timezone.timedelta(days=2)).path
    second = backup_create(now=now - timezone.timedelta(days=1)).path
    third = backup_create(now=now, keep=2)

    assert third.removed == [first]
    assert sorted(folders.BACKUP_DIR.glob("*.tar.gz")) == [second, third.path]


def test_keep_below_one_is_refused(folders):
    with pytest.raises(BackupError, match="--keep"):
        backup_create(keep=0)


def _alter_letter(contents):
    letter = contents["media/cases/1/don-thu.pdf"]
    contents["media/cases/1/don-thu.pdf"] = letter[:-1] + b"X"


def _add_stranger(contents):
    contents["media/cases/1/extra.pdf"] = b"%PDF-1.4 not in the manifest"


def _drop_letter(contents):
    del contents["media/cases/1/don-thu.pdf"]


def _escape_media(contents):
    contents["../../etc/cron.d/evil"] = b"* * * * * root true"


def _alter_manifest_only(contents):
    manifest = json.loads(contents["manifest.json"])
    dump = manifest["database"]["dump"]
    manifest["files"][dump]["sha256"] = "0" * 64
    contents["manifest.json"] = json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_alter_letter, "Checksum mismatch for media/cases/1/don-thu.pdf"),
        (_add_stranger, "not in its manifest"),
        (_drop_letter, "lacks files"),
        (_escape_media, "Unsafe"),
        (_alter_manifest_only, "Checksum mismatch for database"),
    ],
)
def test_a_tampered_archive_is_refused_and_nothing_changes(
    data, folders, tamper, message
):
    archive = backup_create().path
    rewrite(archive, tamper)
    # The database and the files move on after the backup; a refused restore,
    # even a forced one, must leave them as they are.
    Unit.objects.create(code="NEW", name="Đơn vị mới", kind="office")
    letter = folders.MEDIA_ROOT / "cases" / "1" / "don-thu.pdf"
    letter.write_bytes(b"changed since the backup")
    before = counts()

    with pytest.raises(BackupError, match=message):
        backup_restore(archive, force=True)

    assert counts() == before
    assert Unit.objects.filter(code="NEW").exists()
    assert letter.read_bytes() == b"changed since the backup"
    assert not (folders.MEDIA_ROOT / "cases" / "1" / "extra.pdf").exists()
    assert list(folders.BACKUP_DIR.glob(".langnghe-restore-*")) == []


def test_a_truncated_archive_is_refused(data, folders):
    archive = backup_create().path
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    before = counts()

    with pytest.raises(BackupError, match="corrupt"):
        backup_restore(archive, force=True)

    assert counts() == before


def test_an_archive_from_the_other_engine_is_refused(data, folders):
    archive = backup_create().path
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"

    def swap_engine(contents):
        manifest = json.loads(contents["manifest.json"])
        old_name = manifest["database"]["dump"]
        new_name = backup.DUMP_NAMES[other]
        manifest["database"].update(engine=other, dump=new_name)
        manifest["files"][new_name] = manifest["files"].pop(old_name)
        contents[new_name] = contents.pop(old_name)
        contents["manifest.json"] = json.dumps(manifest).encode()

    rewrite(archive, swap_engine)
    before = counts()

    with pytest.raises(BackupError, match="cannot cross engines"):
        backup_restore(archive, force=True)

    assert counts() == before


def test_restore_into_a_database_with_data_is_refused(data, folders):
    archive = backup_create().path
    Unit.objects.create(code="NEW", name="Đơn vị mới", kind="office")
    letter = folders.MEDIA_ROOT / "cases" / "1" / "don-thu.pdf"
    letter.unlink()
    before = counts()

    with pytest.raises(BackupError, match="not empty"):
        backup_restore(archive)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), "--yes")

    assert counts() == before
    assert Unit.objects.filter(code="NEW").exists()
    assert not letter.exists()


def test_round_trip_restores_every_row_and_file(data, folders):
    archive = backup_create().path
    manifest = backup_verify(archive)
    # Lose everything: every table emptied, the attachments gone.
    call_command("flush", interactive=False, verbosity=0)
    letter = folders.MEDIA_ROOT / "cases" / "1" / "don-thu.pdf"
    letter.unlink()
    assert not Unit.objects.exists()

    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)

    assert "Every table's row count matches the manifest." in out.getvalue()
    assert counts() == manifest["row_counts"]
    assert letter.read_bytes() == LETTER
    assert Unit.objects.filter(code="UB").exists()
    assert Case.objects.get().responsible_unit.code == "DC"


def test_the_commands_report_the_archive_and_the_restore(data, folders, tmp_path):
    out = io.StringIO()
    call_command("backup", "--output-dir", str(tmp_path / "elsewhere"), stdout=out)

    path = Path(out.getvalue().strip().splitlines()[-1])
    assert path.parent == tmp_path / "elsewhere"
    assert backup_verify(path)["row_counts"]["feedback_case"] == 1


def test_the_nightly_task_writes_and_prunes(data, folders):
    folders.BACKUP_KEEP = 1
    first = Path(nightly_backup.delay().get())
    folders.BACKUP_DIR.joinpath(first.name).rename(
        folders.BACKUP_DIR / "langnghe-backup-20000101T000000Z.tar.gz"
    )

    second = Path(nightly_backup.delay().get())

    assert sorted(folders.BACKUP_DIR.glob("*.tar.gz")) == [second]


def test_missing_postgres_tools_fail_with_the_install_hint(settings, tmp_path):
    settings.BACKUP_PG_BIN_DIR = str(tmp_path)

    with pytest.raises(BackupError, match="apt-get install postgresql-client"):
        backup._pg_tool("pg_dump")


@pytest.mark.parametrize(("enabled", "scheduled"), [("true", True), ("", False)])
def test_the_nightly_backup_is_scheduled_only_when_enabled(enabled, scheduled):
    probe = (
        "import config.settings.base as s;"
        "print(s.CELERY_BEAT_SCHEDULE.get('nightly-backup', {}).get('task'))"
    )
    env = {**os.environ, "DEBUG": "true", "BACKUP_SCHEDULE_ENABLED": enabled}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    expected = "feedback.backup_tasks.nightly_backup" if scheduled else "None"
    assert done.stdout.strip() == expected
