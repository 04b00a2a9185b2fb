"""Read production settings as a fresh process builds them from its
environment (the settings are read once, at start-up)."""

import json
import os
import subprocess
import sys


def settings_value(expression: str, **env):
    """The JSON value of ``expression`` (over ``settings``) in a process whose
    environment adds ``env`` to this one's, with ``config.settings.base``."""
    code = (
        "import json, os;"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.base';"
        "from django.conf import settings;"
        f"print(json.dumps({expression}))"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", code],
        env={**os.environ, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)
