"""The duties to receive citizens and to talk with them (legal-deadlines §4).

Data, not code: administrators add a row with new validity dates when the law
changes, and the calendar and the announcement checks follow.
"""

import datetime as dt

from django.db import migrations

D = dt.date

# code, rule type, meeting kind, organiser kind, period, minimum, notice days,
# severity, valid from, valid to, description, legal basis
RULES = [
    (
        "reception-weekly",
        "frequency",
        "periodic_reception",
        "peoples_committee",
        "week",
        1,
        None,
        "warn",
        D(2014, 7, 1),
        D(2026, 6, 30),
        "Chủ tịch UBND xã tiếp công dân định kỳ ít nhất 1 ngày trong 1 tuần",
        "Luật Tiếp công dân 42/2013/QH13, Điều 15 khoản 3",
    ),
    (
        "reception-monthly-2026",
        "frequency",
        "periodic_reception",
        "peoples_committee",
        "month",
        2,
        None,
        "warn",
        D(2026, 7, 1),
        None,
        "Chủ tịch UBND xã tiếp công dân định kỳ ít nhất 2 ngày trong 1 tháng",
        "Luật Tiếp công dân sửa đổi, hiệu lực từ 01/7/2026 (nguồn thứ cấp)",
    ),
    (
        "dialogue-yearly",
        "frequency",
        "dialogue",
        "peoples_committee",
        "year",
        1,
        None,
        "warn",
        D(2023, 7, 1),
        None,
        "UBND xã phối hợp với Ủy ban MTTQ xã tổ chức hội nghị đối thoại với "
        "Nhân dân ít nhất 1 lần trong năm",
        "Luật Thực hiện dân chủ ở cơ sở 10/2022/QH15, Điều 32",
    ),
    (
        "dialogue-notice-2026",
        "notice",
        "dialogue",
        "",
        "",
        None,
        5,
        "enforce",
        D(2026, 7, 1),
        None,
        "Buổi đối thoại được thông báo trước ít nhất 5 ngày và lập biên bản",
        "Quy định về đối thoại, hiệu lực từ 01/7/2026 (nguồn thứ cấp)",
    ),
]


def seed(apps, schema_editor):
    MeetingRule = apps.get_model("dialogues", "MeetingRule")
    for row in RULES:
        (code, rule_type, kind, organiser_kind, period, minimum, notice_days,
         severity, valid_from, valid_to, description, basis) = row
        MeetingRule.objects.update_or_create(
            code=code,
            defaults={
                "rule_type": rule_type,
                "meeting_kind": kind,
                "organiser_kind": organiser_kind,
                "period": period,
                "minimum": minimum,
                "notice_days": notice_days,
                "severity": severity,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "description": description,
                "legal_basis": basis,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("dialogues", "MeetingRule").objects.filter(
        code__in=[row[0] for row in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0001_meetings_items_rules")]

    operations = [migrations.RunPython(seed, unseed)]
