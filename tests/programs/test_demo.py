"""The 2024 program typed from the seed document."""

import datetime as dt
import io
import random

import pytest

from feedback.signals import demo_seeded
from programs import demo
from programs.models import ProgramTask, WorkProgram

pytestmark = pytest.mark.django_db


def test_tasks_per_quarter_match_the_document():
    """Quý 1: 4, Quý 2: 4, Quý 3: 6, Quý IV: 7 tasks, as the signed document
    lists them (Quý IV has seven, including the conclusion notice)."""
    counts = {
        q: sum(1 for quarter, *_ in demo.TASKS if quarter == q) for q in (1, 2, 3, 4)
    }
    assert counts == {1: 4, 2: 4, 3: 6, 4: 7}
    assert len(demo.FOCUS_AREAS) == 10


def _send(root, users):
    demo_seeded.send(
        sender=None,
        root_unit=root,
        users=users,
        rng=random.Random(1),
        today=dt.date(2026, 1, 5),
        stdout=io.StringIO(),
    )


def test_seed_import_through_the_signal_is_idempotent(org):
    """``demo_seeded`` creates the committee's program once, with its tasks
    by quarter and the units' own programs."""
    _send(org.root, {"bcd": org.bcd})
    _send(org.root, {"bcd": org.bcd})
    program = WorkProgram.objects.get(unit=org.steering, year=2024)
    tasks = ProgramTask.objects.filter(program=program)
    assert [tasks.filter(quarters=[q]).count() for q in (1, 2, 3, 4)] == [4, 4, 6, 7]
    assert program.unit_programs.count() == program.required_units.count() - 1
    assert program.signer_name == "Phan Hoàng Thụ"
