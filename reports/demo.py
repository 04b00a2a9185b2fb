"""Demo data of the reports: the commune's report settings (heading, signer,
recipients before and after the districts ended on 2025-07-01) and the last
quarter's statistics, submitted and frozen.

Connected to ``feedback.signals.demo_seeded`` in ``ReportsConfig.ready``.
Running it again creates nothing twice.
"""

from __future__ import annotations

import datetime as dt

from feedback.errors import DomainError
from reports.models import ReportKind, ReportRecipient, ReportSettings
from reports.periods import current_quarter, named_period
from reports.services import submitted_report_create

DISTRICTS_ENDED = dt.date(2025, 7, 1)
HEADING = {
    "parent_body": "Ủy ban nhân dân xã Xuân Thành",
    "issuing_body": "Ban Chỉ đạo công tác dân vận chính quyền xã",
    "symbol": "BCĐ",
    "place": "Xuân Thành",
    "signer_authority": "TM. Ban Chỉ đạo",
    "signer_position": "Trưởng ban",
    "signer_name": "Phan Hoàng Thụ",
}
# As in the 2024 work program ("Nơi nhận"), then the province's bodies.
RECIPIENTS_WITH_DISTRICT = [
    ("Ban Dân vận Huyện ủy", "b/c", True),
    ("Phòng Nội vụ huyện", "b/c", False),
    ("Thường trực HĐND - UBND xã", "b/c", False),
    ("Chủ tịch, các Phó Chủ tịch UBND xã", "", False),
    ("MTTQ và các đoàn thể xã", "", False),
    ("Ban Dân vận Đảng ủy xã", "", False),
]
RECIPIENTS_WITH_PROVINCE = [
    ("Ban Tuyên giáo và Dân vận Tỉnh ủy", "b/c", True),
    ("Sở Nội vụ tỉnh Nghệ An", "b/c", False),
    ("Thường trực Đảng ủy xã", "b/c", False),
    ("Thường trực HĐND - UBND xã", "b/c", False),
    ("MTTQ và các đoàn thể xã", "", False),
]


def _settings(unit, *, valid_from, valid_to, recipients):
    settings, created = ReportSettings.objects.get_or_create(
        unit=unit, valid_from=valid_from, defaults={"valid_to": valid_to, **HEADING}
    )
    if created:
        ReportRecipient.objects.bulk_create(
            ReportRecipient(
                settings=settings,
                position=index,
                name=name,
                purpose=purpose,
                is_addressee=addressee,
            )
            for index, (name, purpose, addressee) in enumerate(recipients, start=1)
        )
    return created


def seed_demo_reports(*, root_unit, users, today, stdout) -> None:
    created = _settings(
        root_unit,
        valid_from=None,
        valid_to=DISTRICTS_ENDED - dt.timedelta(days=1),
        recipients=RECIPIENTS_WITH_DISTRICT,
    )
    _settings(
        root_unit,
        valid_from=DISTRICTS_ENDED,
        valid_to=None,
        recipients=RECIPIENTS_WITH_PROVINCE,
    )
    this_quarter = current_quarter(today)
    previous = (
        named_period("quarter", this_quarter.year, this_quarter.part - 1)
        if this_quarter.part > 1
        else named_period("quarter", this_quarter.year - 1, 4)
    )
    supervisor = users.get("supervisor")
    if supervisor is not None:
        try:
            submitted_report_create(
                actor=supervisor,
                unit=root_unit,
                kind=ReportKind.STATISTICS,
                period=previous,
                today=today,
                note="Báo cáo thống kê quý (dữ liệu mẫu).",
            )
        except DomainError as error:
            if error.code != "already_submitted":
                stdout.write(f"No demo report submitted: {error.message}")
    if created:
        stdout.write("Report settings and a submitted quarterly report added.")
