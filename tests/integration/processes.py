"""Real processes for the integration tests: a database of the test's own,
``manage.py`` and helper scripts run against it, and Celery workers on the
configured broker listening on queues of the test's own.

The workers and the test share a database that is not pytest-django's: a
temporary SQLite file, or, when ``DATABASE_URL`` names PostgreSQL, a fresh
database created and dropped by the test.  The broker is the configured one
(the embedded filesystem broker under the test's temporary ``var`` folder, or
the Redis of ``CELERY_BROKER_URL``), so no other worker takes the tasks.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------
# A database of the test's own
# --------------------------------------------------------------------------


class SqliteDatabase:
    engine = "sqlite"

    def __init__(self, folder: Path, label: str):
        self.path = folder / f"{label}.sqlite3"
        self.url = f"sqlite:///{self.path}"

    def tables(self) -> list[str]:
        return [
            name
            for (name,) in self.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            )
        ]

    def query(self, sql: str) -> list[tuple]:
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def drop(self) -> None:
        pass


class PostgresDatabase:
    engine = "postgresql"

    def __init__(self, url: str, label: str):
        import psycopg

        self.psycopg = psycopg
        parts = urlsplit(url)
        base = parts.path.lstrip("/") or "langnghe"
        self.name = f"{base}_{label}_{os.getpid()}"[:63]
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.name}"')

    def tables(self) -> list[str]:
        return [
            name
            for (name,) in self.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]

    def query(self, sql: str) -> list[tuple]:
        with self.psycopg.connect(self.url) as connection:
            return connection.execute(sql).fetchall()

    def drop(self) -> None:
        with self.psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def own_database(tmp_path: Path, label: str):
    """A fresh database for one test: PostgreSQL when ``DATABASE_URL`` names
    it, otherwise a SQLite file under ``tmp_path``."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return PostgresDatabase(url, label)
    return SqliteDatabase(tmp_path, label)


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------


class Cluster:
    """Runs ``manage.py``, the helper and workers against the test database."""

    def __init__(
        self, tmp_path: Path, database, *, label: str, queues=("first",), helper=None
    ):
        self.tmp_path = tmp_path
        self.helper_path = helper
        prefix = f"{label}-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.queues = tuple(f"{prefix}-{name}" for name in queues)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "true",
            "DATABASE_URL": database.url,
            "LANGNGHE_VAR_DIR": str(tmp_path / "var"),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        self.workers: list[subprocess.Popen] = []

    def run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def helper(self, *args: str, timeout: float = 120) -> dict:
        return json.loads(self.run(str(self.helper_path), *args, timeout=timeout))

    def send(
        self, queue: str, chunk_size: int, *, wait: float | None = None
    ) -> subprocess.Popen:
        args = ["send", "--chunk-size", str(chunk_size), "--queue", queue]
        if wait:
            args += ["--wait", str(wait)]
        return subprocess.Popen(  # noqa: S603
            [sys.executable, str(self.helper_path), *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def start_worker(self, name: str, queue: str) -> subprocess.Popen:
        log = (self.tmp_path / f"{name}.log").open("w")
        worker = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--queues={queue}",
                f"--hostname={name}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.workers.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-4000:]}"
            for path in sorted(self.tmp_path.glob("*.log"))
        )

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        broker = self.env.get("CELERY_BROKER_URL", "")
        if broker.startswith("redis://"):
            for queue in self.queues:
                _forget_redis_queue(broker, queue)


def _forget_redis_queue(url: str, queue: str) -> None:
    """Drop the test's queue and the unacknowledged message the killed worker
    left behind, so nothing of this test stays in a shared Redis."""
    import redis

    client = redis.Redis.from_url(url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, payload in client.hscan_iter("unacked"):
        if queue.encode() in payload:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.close()
