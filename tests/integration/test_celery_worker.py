"""A real worker process takes a task from the configured broker.

On a developer's machine that is the embedded filesystem broker; in the
PostgreSQL run of CI it is the Redis on 127.0.0.1:6379.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app
from feedback.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DEBUG": "true",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as handle:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--hostname=test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.returncode not in (0, -signal.SIGTERM):
            print(log.read_text())


@pytest.mark.integration
def test_worker_runs_a_task_sent_through_the_broker(worker):
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        token = f"{os.getpid()}-{time.monotonic_ns()}"
        result = ping.apply_async(args=[token])
        assert result.get(timeout=90) == f"pong:{token}"
    finally:
        app.conf.task_always_eager = eager
    assert worker.poll() is None
    broker = settings.CELERY_BROKER_URL.split(":", 1)[0]
    assert broker in {"filesystem", "redis"}
