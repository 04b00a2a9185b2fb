"""Backup → restore of the demo commune into a fresh database, with the
real commands in their own processes.

Two databases of the test's own, not pytest-django's: when ``DATABASE_URL``
names PostgreSQL, two fresh databases created and dropped here (pg_dump and
pg_restore do the work); otherwise two SQLite files (the online backup API).
Each side has its own MEDIA_ROOT, so the attachments must come back from the
archive. The restored database must hold the same rows in every table and
pass ``verify_audit``.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.processes import ROOT, own_database

CASES = 100

pytestmark = pytest.mark.integration


@pytest.fixture
def databases(tmp_path):
    made = []
    try:
        for name in ("backup_source", "backup_target"):
            made.append(own_database(tmp_path, name))
        yield made
    finally:
        for database in made:
            database.drop()


class Site:
    """``manage.py`` against one database and one var/ folder."""

    def __init__(self, var_dir: Path, database):
        self.var_dir = var_dir
        self.media = var_dir / "media"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "true",
            "DATABASE_URL": database.url,
            "LANGNGHE_VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(self.media),
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }

    def manage(self, *args: str, timeout: float = 900) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


def row_counts(database) -> dict[str, int]:
    return {
        table: database.query(f'SELECT COUNT(*) FROM "{table}"')[0][0]  # noqa: S608
        for table in database.tables()
    }


def media_digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_the_demo_commune_backs_up_and_restores_into_a_fresh_database(
    databases, tmp_path
):
    source_db, target_db = databases
    source = Site(tmp_path / "source", source_db)
    target = Site(tmp_path / "target", target_db)
    source.manage("migrate", "--noinput")
    source.manage("seed_demo", "--cases", str(CASES), "--seed", "11")
    # One scanned letter of our own beside what the demo wrote.
    letter = source.media / "cases" / "restore-test" / "letter.pdf"
    letter.parent.mkdir(parents=True, exist_ok=True)
    letter.write_bytes(b"%PDF-1.4\n" + os.urandom(4096))

    out = source.manage("backup", "--output-dir", str(tmp_path / "backups"))
    archive = Path(out.strip().splitlines()[-1])
    assert archive.is_file(), out
    assert archive.parent == tmp_path / "backups"

    restored = target.manage("restore", str(archive), "--yes")
    assert "Every table's row count matches the manifest." in restored

    before = row_counts(source_db)
    after = row_counts(target_db)
    assert before["feedback_case"] >= CASES
    assert before["feedback_caseevent"] > before["feedback_case"]
    assert after == before
    assert media_digests(target.media) == media_digests(source.media)
    assert "restore-test/letter.pdf" in "".join(media_digests(target.media))
    # The audit chains survive the trip: the restored rows hash as they did.
    assert "Audit chains intact" in target.manage("verify_audit")
    # A second restore into the now full database is refused.
    again = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "restore", str(archive), "--yes"],
        cwd=ROOT,
        env=target.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert again.returncode != 0
    assert "not empty" in again.stderr
    assert row_counts(target_db) == before
