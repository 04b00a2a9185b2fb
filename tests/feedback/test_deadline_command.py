"""``manage.py deadline`` answers staff from the shell."""

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_prints_basis_and_iso_date_last():
    lines = run("complaint", "resolve", "2024-02-05")
    assert lines[-1] == "2024-03-06"
    assert any("Luật Khiếu nại" in line for line in lines)


def test_flags_select_variants_and_extensions():
    assert run("complaint", "resolve", "2024-02-03", "--second", "--remote")[-1] == (
        "2024-04-03"
    )
    assert run("denunciation", "resolve", "2026-08-14", "--extensions", "1")[-1] == (
        "2026-10-13"
    )
    assert run("denunciation", "accept", "2024-03-01", "--several-places")[-1] == (
        "2024-03-15"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("appeal", "resolve", "2024-01-01"),
        ("complaint", "judge", "2024-01-01"),
        ("complaint", "resolve", "2024-02-30"),
        ("complaint", "resolve", "05/02/2024"),
        ("complaint", "resolve", "2024-02-05", "--extensions", "1"),
    ],
)
def test_bad_input_is_a_clear_error(args):
    with pytest.raises(CommandError):
        run(*args)


def test_exit_code_is_non_zero_from_the_shell():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "deadline", "appeal", "x", "2024-01-01"],
        cwd=root,
        env={**os.environ, "DEBUG": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Unknown kind" in result.stderr
