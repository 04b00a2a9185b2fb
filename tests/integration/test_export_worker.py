"""A long export in a real Celery worker: the page's job is queued after the
commit, the worker reports progress as it writes, and the finished file
holds every case of the period.

The processes and their database are those of ``processes.py``.
"""

import io
import time
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook

from reports.exports import HEADER_ROW
from reports.statistics import FIGURES
from tests.integration.processes import Cluster

HELPER = Path(__file__).with_name("export_helper.py")
CASES = 20000

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster(tmp_path, database):
    cluster = Cluster(tmp_path, database, label="export", helper=HELPER)
    # Every process sends to, and the worker takes from, the test's queue.
    cluster.env["CELERY_TASK_DEFAULT_QUEUE"] = cluster.queues[0]
    try:
        yield cluster
    finally:
        cluster.stop()


def wait_for(database, cluster, job: int, timeout: float = 120) -> list[int]:
    """The progress values seen until the job finished, in order."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while True:
        status, progress = database.query(
            f"SELECT status, progress FROM reports_exportjob WHERE id = {int(job)}"  # noqa: S608
        )[0]
        if not seen or seen[-1] != progress:
            seen.append(progress)
        if status in ("done", "failed"):
            assert status == "done", cluster.logs()
            return seen
        assert time.monotonic() < deadline, cluster.logs()
        assert all(w.poll() is None for w in cluster.workers), cluster.logs()
        time.sleep(0.01)


def stored_file(database, cluster, job: int) -> bytes:
    name, filename = database.query(
        f"SELECT file, filename FROM reports_exportjob WHERE id = {int(job)}"  # noqa: S608
    )[0]
    assert filename
    return (Path(cluster.env["LANGNGHE_VAR_DIR"]) / "media" / name).read_bytes()


def test_a_worker_writes_the_exports_and_reports_its_progress(cluster, database):
    cluster.run("manage.py", "migrate", "--noinput", timeout=180)
    cluster.start_worker("exporter", cluster.queues[0])
    seeded = cluster.helper("seed", "--cases", str(CASES))
    user, received = seeded["user"], seeded["received"]
    assert sum(received.values()) == CASES

    # Nothing runs the job in the sending process: it waits for the worker.
    cases_job = cluster.helper(
        "export",
        "--user",
        str(user),
        "--unit",
        "EC",
        "--target",
        "cases",
        "--format",
        "xlsx",
    )["job"]

    progress = wait_for(database, cluster, cases_job)
    assert progress[-1] == 100
    assert progress == sorted(progress)
    # Steps between queued and done were written while the file grew.
    assert len([p for p in progress if 0 < p < 100]) >= 2, progress
    rows = list(
        load_workbook(io.BytesIO(stored_file(database, cluster, cases_job)))
        .worksheets[0]
        .iter_rows(min_row=3, values_only=True)
    )
    assert len(rows) == CASES
    assert len({row[0] for row in rows}) == CASES

    summary_job = cluster.helper(
        "export",
        "--user",
        str(user),
        "--unit",
        "EC",
        "--target",
        "summary",
        "--format",
        "xlsx",
    )["job"]
    assert wait_for(database, cluster, summary_job)[-1] == 100
    workbook = load_workbook(io.BytesIO(stored_file(database, cluster, summary_job)))
    with translation.override("vi"):
        label = str(next(f.label for f in FIGURES if f.key == "received"))
    figures = {
        str(row[0]).strip(): row[1]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
        if row and row[0]
    }
    assert figures[label] == CASES
    # The breakdown by unit gives each office what it received.
    by_office = {}
    for sheet in workbook.worksheets[1:]:
        table = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
        if label not in table[0]:
            continue
        column = table[0].index(label)
        for row in table[1:]:
            if row[0] in {f"Đơn vị {code}" for code in received}:
                by_office[row[0].removeprefix("Đơn vị ")] = row[column]
    assert by_office == received
