"""Instructions per request of one workload, counted by callgrind.

Requests per second wander by a third within a minute on a shared machine;
the instructions one request executes do not.  This runs ``--requests``
requests of a workload in one process through Django's test client against
the bench database (``make bench`` builds it), under
``valgrind --tool=callgrind`` with counting switched on only around those
requests (after as many warm-up requests) and the garbage collector paused,
and prints the instructions per request.  It counts the application's own
work, not the kernel's or the database server's.

    .venv/bin/python bench/instructions.py intake   # floor, track, track-html, letter
    .venv/bin/python bench/instructions.py intake --requests 50

Needs Debian's ``valgrind`` (``apt-get install valgrind``) and the database
``make bench`` built (``BENCH_DATABASE_URL``, default ``langnghe_bench`` on
127.0.0.1).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Each mode is the bench's workload of that name.
MODES = {
    "floor": "FLOOR",
    "track": "W1 track API",
    "track-html": "W1 track HTML",
    "intake": "W4 case intake API",
    "letter": "W4 public letter API",
}


def totals(callgrind_out: Path) -> int:
    """The instructions a callgrind output file counted in all."""
    for line in callgrind_out.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise ValueError(f"{callgrind_out}: no totals line")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} is missing: apt-get install valgrind")
    return path


def measure(mode: str, requests: int) -> None:
    """Inside valgrind: the workload's requests, counted."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import django

    django.setup()
    import harness

    keys = harness.prepare()
    load = {load["name"]: load for load in harness.workloads(keys)}[MODES[mode]]
    client = harness.test_client(load, keys)
    rng = random.Random(1)  # noqa: S311 - made-up client addresses

    def one():
        # Letters each from a citizen address of its own, as in the run.
        address = "10." + ".".join(str(rng.randrange(1, 255)) for _ in range(3))
        status = harness.send(
            client, load, keys, address if load.get("spread") else None
        )
        if status >= 300:
            raise RuntimeError(f"{load['name']}: one request answered {status}.")

    for _ in range(requests):
        one()
    gc.collect()
    gc.disable()
    control = [tool("callgrind_control"), "-i"]
    pid = str(os.getpid())
    subprocess.run([*control, "on", pid], check=True)  # noqa: S603
    for _ in range(requests):
        one()
    subprocess.run([*control, "off", pid], check=True)  # noqa: S603


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=list(MODES))
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        measure(args.mode, args.requests)
        return 0
    env = dict(os.environ)
    # The bench's database, as bench/run.sh chooses it.
    env["DATABASE_URL"] = (
        env.get("BENCH_DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/langnghe_bench"
    )
    env.setdefault("BENCH_WORK", str(ROOT / "var" / "bench"))
    env.setdefault("LANGNGHE_VAR_DIR", str(ROOT / "var" / "bench" / "var"))
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "callgrind.out"
        log = Path(work) / "valgrind.log"
        with log.open("w") as handle:
            done = subprocess.run(  # noqa: S603
                [
                    tool("valgrind"),
                    "--tool=callgrind",
                    "--instr-atstart=no",
                    f"--callgrind-out-file={out}",
                    sys.executable,
                    __file__,
                    args.mode,
                    f"--requests={args.requests}",
                    "--inside",
                ],
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if done.returncode != 0:
            print(log.read_text()[-3000:], file=sys.stderr)
            return done.returncode
        per_request = totals(out) / args.requests
    print(f"{args.mode}: {per_request / 1e6:.2f} M instructions a request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
