"""The deadline sweep in real worker processes: killed mid-run, restarted,
raced by a second worker — every reminder and escalation exists once.

The workers and the test share a database of their own, not pytest-django's:
a temporary SQLite file, or, when ``DATABASE_URL`` names PostgreSQL, a fresh
database created and dropped here.  The broker is the configured one (the
embedded filesystem broker under a temporary folder, or the Redis of
``CELERY_BROKER_URL``) with a queue of this test's own, so no other worker
takes its tasks.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPER = Path(__file__).with_name("sweep_helper.py")
CASES = 3000
# Small chunks in the first round, so that the kill lands in the middle;
# larger ones in the second, where the two workers race.
FIRST_CHUNK_SIZE = 10
SECOND_CHUNK_SIZE = 50

pytestmark = pytest.mark.integration


# --------------------------------------------------------------------------
# A database of the test's own
# --------------------------------------------------------------------------


class SqliteDatabase:
    def __init__(self, folder: Path):
        self.path = folder / "sweep.sqlite3"
        self.url = f"sqlite:///{self.path}"

    def query(self, sql: str) -> list[tuple]:
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def drop(self) -> None:
        pass


class PostgresDatabase:
    def __init__(self, url: str):
        import psycopg

        self.psycopg = psycopg
        parts = urlsplit(url)
        base = parts.path.lstrip("/") or "langnghe"
        self.name = f"{base}_sweep_{os.getpid()}"[:63]
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            connection.execute(f'CREATE DATABASE "{self.name}"')

    def query(self, sql: str) -> list[tuple]:
        with self.psycopg.connect(self.url) as connection:
            return connection.execute(sql).fetchall()

    def drop(self) -> None:
        with self.psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        db = PostgresDatabase(url)
    else:
        db = SqliteDatabase(tmp_path)
    try:
        yield db
    finally:
        db.drop()


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------


class Cluster:
    """Runs ``manage.py``, the helper and workers against the test database."""

    def __init__(self, tmp_path: Path, database):
        self.tmp_path = tmp_path
        prefix = f"sweep-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.queues = (f"{prefix}-first", f"{prefix}-second")
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
        return json.loads(self.run(str(HELPER), *args, timeout=timeout))

    def send(
        self, queue: str, chunk_size: int, *, wait: float | None = None
    ) -> subprocess.Popen:
        args = ["send", "--chunk-size", str(chunk_size), "--queue", queue]
        if wait:
            args += ["--wait", str(wait)]
        return subprocess.Popen(  # noqa: S603
            [sys.executable, str(HELPER), *args],
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


@pytest.fixture
def cluster(tmp_path, database):
    cluster = Cluster(tmp_path, database)
    try:
        yield cluster
    finally:
        cluster.stop()


# --------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------


def reminder_count(database) -> int:
    return database.query("SELECT COUNT(*) FROM feedback_reminder")[0][0]


def written(database) -> tuple[Counter, Counter, Counter]:
    """Reminders and notifications per (case, kind), e-mails per case."""
    reminders = Counter(
        (case_id, kind)
        for case_id, kind in database.query(
            "SELECT case_id, kind FROM feedback_reminder"
        )
    )
    notifications = Counter(
        {
            (case_id, kind): count
            for case_id, kind, count in database.query(
                "SELECT case_id, kind, COUNT(*) FROM feedback_notification "
                "GROUP BY case_id, kind"
            )
        }
    )
    emails = Counter(
        dict(
            database.query(
                "SELECT case_id, COUNT(*) FROM feedback_outboxmessage GROUP BY case_id"
            )
        )
    )
    return reminders, notifications, emails


def assert_whole_chunks(database, expected: dict) -> None:
    """Every case that has its reminder has all of its notifications and
    e-mails, and no other case has any: nothing is half written."""
    reminders, notifications, emails = written(database)
    assert all(count == 1 for count in reminders.values())
    for key in reminders:
        people, with_email = expected[key]
        assert notifications[key] == people, key
        assert emails[key[0]] == with_email, key
    assert set(notifications) == set(reminders)
    assert set(emails) <= {case_id for case_id, _kind in reminders}


def test_a_killed_worker_and_two_racing_workers_send_each_reminder_once(
    cluster, database
):
    first_queue, second_queue = cluster.queues
    cluster.run("manage.py", "migrate", "--noinput", timeout=180)
    # The workers boot while the cases are written; the two of the second
    # round listen on a queue of their own, so only the first worker takes
    # the first sweep.
    first = cluster.start_worker("first", first_queue)
    cluster.start_worker("second", second_queue)
    cluster.start_worker("third", second_queue)
    seeded = cluster.helper("seed", "--cases", str(CASES))
    expected = {
        (case_id, kind): (people, with_email)
        for case_id, kind, people, with_email in seeded["expected"]
    }
    total = len(expected)
    assert total > CASES // 2

    # The first worker starts the sweep and is killed in the middle of it.
    sender = cluster.send(first_queue, FIRST_CHUNK_SIZE)
    assert sender.wait(timeout=60) == 0, sender.stderr.read()
    deadline = time.monotonic() + 90
    while (count := reminder_count(database)) == 0:
        assert time.monotonic() < deadline, cluster.logs()
        assert first.poll() is None, cluster.logs()
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    halfway = reminder_count(database)
    assert 0 < count <= halfway < total, "the sweep ended before the kill"
    assert_whole_chunks(database, expected)

    # Two other workers take one sweep each, at the same time.
    senders = [
        cluster.send(second_queue, SECOND_CHUNK_SIZE, wait=120) for _round in range(2)
    ]
    results = []
    for sender in senders:
        out, err = sender.communicate(timeout=150)
        assert sender.returncode == 0, err + cluster.logs()
        results.append(json.loads(out))

    reminders, notifications, emails = written(database)
    assert reminders == Counter(dict.fromkeys(expected, 1))
    assert notifications == Counter(
        {key: people for key, (people, _emails) in expected.items()}
    )
    assert sum(emails.values()) == sum(e for _people, e in expected.values())
    assert_whole_chunks(database, expected)
    sent_now = sum(r["reminders"] + r["escalations"] for r in results)
    assert sent_now == total - halfway
    assert all(r["unaddressed"] == 0 for r in results)
    # Both workers took part: one sweep each.
    assert all(r["chunks"] > 0 for r in results)
