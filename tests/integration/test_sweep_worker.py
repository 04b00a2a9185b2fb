"""The deadline sweep in real worker processes: killed mid-run, restarted,
raced by a second worker — every reminder and escalation exists once.

The processes and their database are those of ``processes.py``.
"""

import json
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.processes import Cluster

HELPER = Path(__file__).with_name("sweep_helper.py")
CASES = 3000
# Small chunks in the first round, so that the kill lands in the middle;
# larger ones in the second, where the two workers race.
FIRST_CHUNK_SIZE = 10
SECOND_CHUNK_SIZE = 50

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster(tmp_path, database):
    cluster = Cluster(
        tmp_path, database, label="sweep", queues=("first", "second"), helper=HELPER
    )
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
