"""A web process loads the application whole before its first request and
sets what it loaded aside from the garbage collector."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, json, sys
before = gc.get_freeze_count()
import config.wsgi
print(json.dumps({
    "frozen_before": before,
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "views": [name for name in ("api.views.cases", "feedback.public_views")
              if name in sys.modules],
}))
"""


def test_wsgi_loads_the_views_and_freezes_what_it_loaded():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["frozen_before"] == 0
    # The views came with the URLs, before any request.
    assert probe["views"] == ["api.views.cases", "feedback.public_views"]
    # Nearly everything the process holds is out of the collector's scans.
    assert probe["frozen"] > 10 * probe["tracked"]
