"""Backups that restore: one archive with a consistent database dump, the
attachments, and a manifest that lets a restore prove the archive is whole.

The archive is a gzip-compressed tar:

``manifest.json``
    format version, creation time, application version, database engine,
    the latest applied migration of each app, the row count of every table
    (taken from the same snapshot as the dump) and the SHA-256 and size of
    every other member.
``database.dump``
    ``pg_dump --format=custom`` on PostgreSQL, run on a snapshot exported
    from a repeatable-read transaction, so the counts match the dump.
``database.sqlite3``
    a copy made with SQLite's online backup API on SQLite.
``media/…``
    the ``MEDIA_ROOT`` tree (scanned letters, signed minutes).

A restore checks every checksum before it touches anything, refuses an
archive from another engine and, unless forced, a database that already
holds data; it then loads the dump, puts the files back and compares the row
counts with the manifest. The PostgreSQL password travels in ``PGPASSWORD``,
never on a command line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT_VERSION = 1
ARCHIVE_PREFIX = "langnghe-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# A database where none of these has a row holds nothing worth keeping:
# ``migrate`` alone fills only content types, permissions and the legal
# reference tables, and no one can have worked in it without a user.
DATA_TABLES = ("auth_user", "feedback_unit", "feedback_case")
CHUNK = 1024 * 1024
PG_INSTALL_HINT = (
    "install the PostgreSQL client tools of the server's major version "
    "(Debian/Ubuntu: apt-get install postgresql-client), or point "
    "BACKUP_PG_BIN_DIR at them"
)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict
    removed: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    row_counts: dict[str, int]
    media_files: int
    # table → (count in the manifest, count after the restore)
    mismatches: dict[str, tuple[int, int | None]]

    @property
    def ok(self) -> bool:
        return not self.mismatches


# --------------------------------------------------------------------------
# Backup
# --------------------------------------------------------------------------


def backup_create(
    *,
    output_dir: Path | str | None = None,
    keep: int | None = None,
    using: str = "default",
    now: dt.datetime | None = None,
) -> BackupResult:
    """Write ``langnghe-backup-YYYYmmddTHHMMSSZ.tar.gz`` (mode 0600) into
    ``output_dir`` (default ``settings.BACKUP_DIR``) and, with ``keep``,
    delete all but the newest ``keep`` archives there.

    The archive appears under its final name only when it is complete."""
    if keep is not None and keep < 1:
        raise BackupError("--keep must be at least 1.")
    output_dir = Path(output_dir or settings.BACKUP_DIR)
    output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = now or timezone.now()
    engine = _engine(using)
    work = Path(tempfile.mkdtemp(prefix=".langnghe-backup-", dir=output_dir))
    try:
        dump = work / DUMP_NAMES[engine]
        if engine == "postgresql":
            snapshot = _pg_dump(connections[using].settings_dict, dump)
        else:
            snapshot = _sqlite_dump(using, dump)
        final = _free_name(output_dir, now)
        partial = output_dir / f".{final.name}.partial"
        files: dict[str, dict] = {}
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                    files[dump.name] = _add_file(tar, dump, dump.name)
                    for path, name in _media_files(output_dir):
                        files[name] = _add_file(tar, path, name)
                    manifest = {
                        "format": FORMAT_VERSION,
                        "created_at": now.astimezone(dt.UTC).isoformat(),
                        "app_version": _app_version(),
                        "database": {
                            "engine": engine,
                            "dump": dump.name,
                            "server_version": snapshot["server_version"],
                        },
                        "migrations": snapshot["migrations"],
                        "row_counts": snapshot["row_counts"],
                        "files": files,
                    }
                    _add_bytes(tar, MANIFEST_NAME, _manifest_bytes(manifest), now)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, final)
            _fsync_dir(output_dir)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    removed = backup_prune(output_dir=output_dir, keep=keep) if keep else []
    return BackupResult(path=final, manifest=manifest, removed=removed)


def backup_prune(*, output_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives; returns what went."""
    archives = sorted(
        output_dir.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}"), key=lambda p: p.name
    )
    doomed = archives[:-keep] if keep else []
    for path in doomed:
        path.unlink()
    return doomed


def _free_name(output_dir: Path, now: dt.datetime) -> Path:
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = output_dir / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    serial = 1
    while candidate.exists():
        serial += 1
        candidate = output_dir / f"{ARCHIVE_PREFIX}{stamp}-{serial}{ARCHIVE_SUFFIX}"
    return candidate


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor!r}.")
    return vendor


def _app_version() -> str:
    try:
        return metadata.version("lang-nghe")
    except metadata.PackageNotFoundError:
        return "unknown"


def _media_files(output_dir: Path) -> Iterable[tuple[Path, str]]:
    """Every regular file under MEDIA_ROOT with its archive name; symbolic
    links are not followed and backups kept inside MEDIA_ROOT are left out."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    skip = output_dir.resolve()
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not (here / d).is_symlink() and (here / d).resolve() != skip
        )
        for name in sorted(names):
            path = here / name
            if path.is_file() and not path.is_symlink():
                relative = path.relative_to(root).as_posix()
                yield path, f"{MEDIA_PREFIX}/{relative}"


class _HashingReader:
    """Hands tarfile the bytes of a file while hashing them, so what is
    archived is exactly what is checksummed."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": stat.st_size}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, now) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(now.timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------
# SQLite
# --------------------------------------------------------------------------


def _sqlite_dump(using: str, target: Path) -> dict:
    """Copy the live database with the online backup API (one step, so one
    consistent state), then read counts and migrations from the copy."""
    connection = connections[using]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    copy = sqlite3.connect(target)
    try:
        tables = [
            name
            for (name,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        ]
        return {
            "server_version": sqlite3.sqlite_version,
            "row_counts": _counts(copy.cursor(), tables, _quote_sqlite),
            "migrations": _latest_migrations(copy.cursor(), tables),
        }
    finally:
        copy.close()


def _sqlite_load(using: str, source: Path) -> None:
    """Replace the whole database with ``source`` through the backup API: the
    target's pages are swapped in one step, so it is never half restored."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")
    connection.ensure_connection()
    origin = sqlite3.connect(source)
    try:
        origin.backup(connection.connection)
    finally:
        origin.close()


def _quote_sqlite(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    folder = getattr(settings, "BACKUP_PG_BIN_DIR", "") or None
    found = shutil.which(name, path=folder) if folder else shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: {PG_INSTALL_HINT}.")
    return found


def _pg_params(settings_dict: dict) -> dict[str, str]:
    """libpq keywords for a database in Django's settings."""
    params = {
        "dbname": settings_dict.get("NAME") or "",
        "user": settings_dict.get("USER") or "",
        "password": settings_dict.get("PASSWORD") or "",
        "host": settings_dict.get("HOST") or "",
        "port": str(settings_dict.get("PORT") or ""),
    }
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"):
        value = (settings_dict.get("OPTIONS") or {}).get(key)
        if value not in (None, ""):
            params[key] = str(value)
    return {key: value for key, value in params.items() if value}


PG_ENV = {
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def _pg_env(params: dict[str, str]) -> dict[str, str]:
    """The client tools' environment: connection settings, the password
    included, go in PG* variables so no command line shows them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, variable in PG_ENV.items():
        if key in params:
            env[variable] = params[key]
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - a fixed tool, arguments from settings
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tool = Path(command[0]).name
        detail = (done.stderr or done.stdout).strip()
        raise BackupError(f"{tool} failed (exit {done.returncode}): {detail}")


def _pg_dump(settings_dict: dict, target: Path) -> dict:
    """Dump with pg_dump from a snapshot that a repeatable-read transaction
    exports and holds open, and count the rows in that same snapshot."""
    import psycopg

    pg_dump = _pg_tool("pg_dump")
    params = _pg_params(settings_dict)
    with psycopg.connect(**params) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = _pg_tables(conn.cursor())
        info = {
            "server_version": conn.execute("SHOW server_version").fetchone()[0],
            "row_counts": _counts(conn.cursor(), tables, _quote_pg),
            "migrations": _latest_migrations(conn.cursor(), tables),
        }
        _run(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={target}",
                f"--dbname={params['dbname']}",
            ],
            _pg_env(params),
        )
        conn.rollback()
    return info


def _pg_load(using: str, source: Path, *, clean: bool) -> None:
    """pg_restore in one transaction: it either loads everything or nothing.
    ``clean`` drops the archive's objects first (a migrated, empty database,
    or a forced restore)."""
    pg_restore = _pg_tool("pg_restore")
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")
    params = _pg_params(connection.settings_dict)
    # Our own session would hold no locks, but close it so that nothing of
    # the old schema lingers in its caches.
    connection.close()
    command = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        f"--dbname={params['dbname']}",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, str(source)], _pg_env(params))


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(current_schemas(false)) "
        "ORDER BY c.relname"
    )
    return [name for (name,) in cursor.fetchall()]


def _quote_pg(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------
# Shared inspection
# --------------------------------------------------------------------------


def _counts(cursor, tables: Iterable[str], quote) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def _latest_migrations(cursor, tables: list[str]) -> dict[str, str]:
    """The last applied migration of each app (by the order they ran)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    latest = {}
    for app, name in cursor.fetchall():
        latest[app] = name
    return dict(sorted(latest.items()))


def database_tables(using: str = "default") -> list[str]:
    with connections[using].cursor() as cursor:
        return sorted(connections[using].introspection.table_names(cursor))


def database_row_counts(using: str = "default") -> dict[str, int]:
    """Rows in every table of the database, as the manifest records them."""
    connection = connections[using]
    tables = database_tables(using)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        return _counts(cursor, tables, quote)


def database_holds_data(using: str = "default") -> dict[str, int]:
    """The data tables (users, units, cases) that have rows; empty when the
    database is new or only migrated."""
    connection = connections[using]
    tables = set(database_tables(using))
    found = {}
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            if table in tables:
                quoted = connection.ops.quote_name(table)
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608
                count = cursor.fetchone()[0]
                if count:
                    found[table] = count
    return found


# --------------------------------------------------------------------------
# Verify and restore
# --------------------------------------------------------------------------


def backup_verify(archive: Path | str, *, extract_to: Path | None = None) -> dict:
    """Check the archive against its manifest and return the manifest.

    Every member must be a plain file with a safe relative name, listed in
    the manifest with the same size and SHA-256, and every listed file must
    be there. With ``extract_to`` the members are written there as they are
    checked, so a restore uses exactly the bytes that were verified."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"No such archive: {archive}")
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            manifest = _read_manifest(tar)
            expected = manifest["files"]
            seen: set[str] = set()
            for member in tar:
                name = member.name
                if name == MANIFEST_NAME:
                    continue
                if member.isdir():
                    continue
                _check_member(member, expected, seen)
                digest = hashlib.sha256()
                size = 0
                source = tar.extractfile(member)
                out = None
                if extract_to is not None:
                    destination = extract_to / PurePosixPath(name)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    out = destination.open("wb")
                try:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        if out is not None:
                            out.write(chunk)
                finally:
                    if out is not None:
                        out.close()
                entry = expected[name]
                if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                    raise BackupError(
                        f"Checksum mismatch for {name}: the archive is corrupt "
                        "or has been altered. Nothing was restored."
                    )
                seen.add(name)
    except (tarfile.TarError, EOFError, OSError, json.JSONDecodeError) as error:
        raise BackupError(
            f"The archive cannot be read ({error}): it is corrupt or not a "
            "Lắng Nghe backup. Nothing was restored."
        ) from error
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            f"The archive lacks files its manifest lists: {', '.join(missing[:5])}. "
            "Nothing was restored."
        )
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST_NAME)
    except KeyError:
        raise BackupError(
            "The archive has no manifest.json: it is not a Lắng Nghe backup."
        ) from None
    if not member.isfile():
        raise BackupError("manifest.json is not a regular file.")
    manifest = json.loads(tar.extractfile(member).read().decode())
    if not isinstance(manifest, dict):
        raise BackupError("manifest.json is not a Lắng Nghe manifest.")
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"Unsupported backup format {manifest.get('format')!r} "
            f"(this version reads format {FORMAT_VERSION})."
        )
    for key in ("database", "row_counts", "files"):
        if not isinstance(manifest.get(key), dict):
            raise BackupError(f"The manifest lacks {key!r}.")
    engine = manifest["database"].get("engine")
    if (
        engine not in DUMP_NAMES
        or manifest["database"].get("dump") != DUMP_NAMES[engine]
    ):
        raise BackupError(f"The manifest names an unknown database engine {engine!r}.")
    for name, entry in manifest["files"].items():
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("sha256"), str)
            or not isinstance(entry.get("size"), int)
        ):
            raise BackupError(f"The manifest's entry for {name} is malformed.")
        _check_name(name)
    if manifest["database"]["dump"] not in manifest["files"]:
        raise BackupError("The manifest lists no database dump.")
    return manifest


def _check_name(name: str) -> None:
    path = PurePosixPath(name)
    if (
        path.is_absolute()
        or ".." in path.parts
        or name != path.as_posix()
        or not (name in DUMP_NAMES.values() or path.parts[0] == MEDIA_PREFIX)
        or (path.parts[0] == MEDIA_PREFIX and len(path.parts) < 2)
    ):
        raise BackupError(f"Unsafe or unexpected name in the archive: {name!r}.")


def _check_member(member: tarfile.TarInfo, expected: dict, seen: set) -> None:
    _check_name(member.name)
    if not member.isfile():
        raise BackupError(f"{member.name} is not a regular file.")
    if member.name not in expected:
        raise BackupError(
            f"{member.name} is in the archive but not in its manifest: the "
            "archive has been altered. Nothing was restored."
        )
    if member.name in seen:
        raise BackupError(f"{member.name} appears twice in the archive.")


def backup_restore(
    archive: Path | str, *, force: bool = False, using: str = "default"
) -> RestoreResult:
    """Restore ``archive`` into the configured database and MEDIA_ROOT.

    Verifies the whole archive first and changes nothing when it is corrupt,
    from another engine, or (without ``force``) when the database holds
    users, units or cases. Returns the row counts after the restore and the
    tables whose count differs from the manifest."""
    engine = _engine(using)
    media_root = Path(settings.MEDIA_ROOT)
    staging_parent = Path(settings.BACKUP_DIR)
    staging_parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".langnghe-restore-", dir=staging_parent))
    try:
        manifest = backup_verify(archive, extract_to=staging)
        archived_engine = manifest["database"]["engine"]
        if archived_engine != engine:
            raise BackupError(
                f"This archive holds a {archived_engine} database and the "
                f"configured database is {engine}: a restore cannot cross "
                "engines. Nothing was restored."
            )
        if not force:
            held = database_holds_data(using)
            if held:
                listed = ", ".join(f"{t}: {n}" for t, n in sorted(held.items()))
                raise BackupError(
                    f"The target database is not empty ({listed}). Restore into "
                    "a new, empty database, or pass --force to overwrite it. "
                    "Nothing was restored."
                )
        dump = staging / manifest["database"]["dump"]
        if engine == "postgresql":
            _pg_load(using, dump, clean=bool(database_tables(using)))
        else:
            _sqlite_load(using, dump)
        media_files = _restore_media(staging / MEDIA_PREFIX, media_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    counts = database_row_counts(using)
    mismatches = {
        table: (expected, counts.get(table))
        for table, expected in manifest["row_counts"].items()
        if counts.get(table) != expected
    }
    return RestoreResult(
        manifest=manifest,
        row_counts=counts,
        media_files=media_files,
        mismatches=mismatches,
    )


def _restore_media(source: Path, media_root: Path) -> int:
    """Put each file in place under a temporary name, then rename it."""
    if not source.is_dir():
        return 0
    restored = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        destination = media_root / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        temporary = destination.with_name(f".{destination.name}.restoring")
        shutil.copyfile(path, temporary)
        os.replace(temporary, destination)
        restored += 1
    return restored
