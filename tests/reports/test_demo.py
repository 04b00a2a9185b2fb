"""The demo data of the reports, added once."""

import datetime as dt
import io

import pytest

from reports.demo import seed_demo_reports
from reports.models import ReportSettings, SubmittedReport
from reports.selectors import report_settings_for

pytestmark = pytest.mark.django_db


def test_demo_settings_and_a_submitted_report_added_once(commune):
    users = {"supervisor": commune.supervisor}
    for _run in range(2):
        seed_demo_reports(
            root_unit=commune.root,
            users=users,
            today=dt.date(2025, 8, 1),
            stdout=io.StringIO(),
        )
    assert ReportSettings.objects.count() == 2
    before = report_settings_for(unit=commune.root, on=dt.date(2025, 6, 30))
    after = report_settings_for(unit=commune.root, on=dt.date(2025, 7, 1))
    assert before.recipients.first().name == "Ban Dân vận Huyện ủy"
    assert after.recipients.first().name == "Ban Tuyên giáo và Dân vận Tỉnh ủy"
    report = SubmittedReport.objects.get()
    assert report.period_code == "2025-Q2"
