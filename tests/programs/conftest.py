"""Fixtures of the work program: the commune of ``tests/conftest.py`` with a
steering committee, its member, and the committee's program for 2024."""

import datetime as dt
from types import SimpleNamespace

import pytest

from feedback.models import UnitKind
from tests.api.conftest import client_for  # noqa: F401 - the API fixture
from tests.factories import UnitFactory, staff

YEAR = 2024


@pytest.fixture
def org(commune):
    """``commune`` plus a steering committee (with member ``bcd``) and an
    outsider commune with its own officer."""
    committee = UnitFactory(
        code="BCD",
        name="Ban Chỉ đạo",
        kind=UnitKind.STEERING_COMMITTEE,
        parent=commune.root,
    )
    other = UnitFactory(
        code="C2", name="Xã khác", kind=UnitKind.COMMUNE, parent=commune.province
    )
    ns = SimpleNamespace(**vars(commune))
    ns.steering = committee
    ns.other = other
    ns.bcd = staff(committee, "officer", username="bcd")
    ns.outsider = staff(other, "officer", username="outsider")
    return ns


@pytest.fixture
def program(org):
    """The committee's 2024 program asking both hamlets for their programs
    by 15/03 and their reports by 15/06 and 10/12."""
    from programs import services

    return services.program_create(
        actor=org.bcd,
        unit=org.steering,
        year=YEAR,
        title="Chương trình công tác dân vận chính quyền năm 2024",
        legal_bases=["Chỉ thị số 33/CT-TTg ngày 26/11/2021"],
        focus_areas=["Nâng cao đạo đức công vụ"],
        units_due_on=dt.date(YEAR, 3, 15),
        required_units=[org.hamlet_a, org.hamlet_b],
        half_year_report_due_on=dt.date(YEAR, 6, 15),
        annual_report_due_on=dt.date(YEAR, 12, 10),
    )
