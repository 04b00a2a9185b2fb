"""Reference data: fields, the legal deadline policies and the make-up days.

Values from the legal deadline tables (Luật Tiếp công dân 2013, Luật Khiếu nại
2011, Luật Tố cáo 2018, NĐ 31/2019, NĐ 124/2020 as amended); administrators
edit them in the admin when the law or the yearly announcements change.
"""

import datetime as dt

from django.db import migrations

FIELDS = [
    ("land", "Đất đai"),
    ("environment", "Môi trường"),
    ("construction", "Xây dựng, trật tự đô thị"),
    ("social-policy", "Chính sách xã hội"),
    ("health", "Y tế"),
    ("education", "Giáo dục"),
    ("security-order", "An ninh, trật tự"),
    ("infrastructure", "Giao thông, hạ tầng"),
    ("administration", "Thủ tục hành chính, công vụ"),
    ("other", "Khác"),
]

D = dt.date
TCD = "Luật Tiếp công dân 42/2013/QH13, Điều 28 khoản 1"
KN_ACCEPT = "Luật Khiếu nại 02/2011/QH13, Điều 27, 36; TT 07/2013/TT-TTCP, Điều 5"
KN_ACCEPT_2026 = "NĐ 124/2020/NĐ-CP, sửa đổi bởi NĐ 155/2026/NĐ-CP"
KN_1 = "Luật Khiếu nại 02/2011/QH13, Điều 28"
KN_2 = "Luật Khiếu nại 02/2011/QH13, Điều 37"
KN_NOTIFY = "Luật Khiếu nại 02/2011/QH13, Điều 32"
TC_ACCEPT = "Luật Tố cáo 25/2018/QH14, Điều 24 khoản 1"
TC_TRANSFER = "Luật Tố cáo 25/2018/QH14, Điều 24 khoản 2"
TC_NOTIFY = "Luật Tố cáo 25/2018/QH14, Điều 29 khoản 3"
TC_RESOLVE = "Luật Tố cáo 25/2018/QH14, Điều 30; NĐ 31/2019/NĐ-CP, Điều 3"
TC_PUBLISH = "Luật Tố cáo 25/2018/QH14, Điều 40"
LOCAL = "Quy định của địa phương (luật không ấn định thời hạn trả lời)"
QD33 = "Quy định của địa phương, tương tự QĐ 33/2017/QĐ-TTg sửa đổi bởi QĐ 30/2020"

# kind, stage, variant, days, unit, extension days, max extensions,
# valid from, valid to, basis, trigger
POLICIES = [
    ("any", "process", "standard", 10, "wd", 0, 0, None, None, TCD, "tiếp nhận"),
    ("complaint", "accept", "standard", 10, "wd", 0, 0, None, D(2026, 6, 30),
     KN_ACCEPT, "tiếp nhận"),
    ("complaint", "accept", "standard", 7, "wd", 0, 0, D(2026, 7, 1), None,
     KN_ACCEPT_2026, "tiếp nhận"),
    ("complaint", "resolve", "standard", 30, "cal", 0, 0, None, None, KN_1, "thụ lý"),
    ("complaint", "resolve", "complex", 45, "cal", 0, 0, None, None, KN_1, "thụ lý"),
    ("complaint", "resolve", "remote", 45, "cal", 0, 0, None, None, KN_1, "thụ lý"),
    ("complaint", "resolve", "remote_complex", 60, "cal", 0, 0, None, None, KN_1,
     "thụ lý"),
    ("complaint", "resolve", "second", 45, "cal", 0, 0, None, None, KN_2, "thụ lý"),
    ("complaint", "resolve", "second_complex", 60, "cal", 0, 0, None, None, KN_2,
     "thụ lý"),
    ("complaint", "resolve", "second_remote", 60, "cal", 0, 0, None, None, KN_2,
     "thụ lý"),
    ("complaint", "resolve", "second_remote_complex", 70, "cal", 0, 0, None, None,
     KN_2, "thụ lý"),
    ("complaint", "notify", "standard", 3, "wd", 0, 0, None, None, KN_NOTIFY,
     "ra quyết định"),
    ("denunciation", "accept", "standard", 7, "wd", 0, 0, None, None, TC_ACCEPT,
     "tiếp nhận"),
    ("denunciation", "accept", "several_places", 10, "wd", 0, 0, None, None,
     TC_ACCEPT, "tiếp nhận"),
    ("denunciation", "transfer", "standard", 5, "wd", 0, 0, None, None, TC_TRANSFER,
     "tiếp nhận"),
    ("denunciation", "notify", "standard", 5, "wd", 0, 0, None, None, TC_NOTIFY,
     "thụ lý"),
    ("denunciation", "resolve", "standard", 30, "cal", 30, 2, None, None, TC_RESOLVE,
     "thụ lý"),
    ("denunciation", "publish", "standard", 7, "wd", 0, 0, None, None, TC_PUBLISH,
     "ra kết luận"),
    ("feedback", "answer", "standard", 10, "wd", 0, 0, None, None, LOCAL, "tiếp nhận"),
    ("voter_petition", "answer", "standard", 60, "cal", 0, 0, None, None, QD33,
     "tiếp nhận"),
    ("dialogue_issue", "answer", "standard", 30, "cal", 0, 0, None, None, LOCAL,
     "buổi đối thoại"),
]

MAKE_UP_SATURDAYS = [
    (D(2024, 5, 4), "Làm bù cho ngày nghỉ 29/4/2024"),
    (D(2025, 4, 26), "Làm bù cho ngày nghỉ 02/5/2025"),
    (D(2026, 8, 22), "Làm bù cho ngày nghỉ 31/8/2026"),
]


def seed(apps, schema_editor):
    Field = apps.get_model("feedback", "Field")
    DeadlinePolicy = apps.get_model("feedback", "DeadlinePolicy")
    CalendarException = apps.get_model("feedback", "CalendarException")
    for position, (code, name) in enumerate(FIELDS):
        Field.objects.update_or_create(
            code=code, defaults={"name": name, "position": position}
        )
    for row in POLICIES:
        (kind, stage, variant, days, unit, ext_days, max_ext, valid_from, valid_to,
         basis, trigger) = row
        DeadlinePolicy.objects.update_or_create(
            kind=kind,
            stage=stage,
            variant=variant,
            valid_from=valid_from,
            defaults={
                "days": days,
                "day_unit": unit,
                "extension_days": ext_days,
                "max_extensions": max_ext,
                "valid_to": valid_to,
                "legal_basis": basis,
                "trigger": trigger,
            },
        )
    for day, reason in MAKE_UP_SATURDAYS:
        CalendarException.objects.update_or_create(
            date=day, defaults={"kind": "working_day", "reason": reason}
        )


def unseed(apps, schema_editor):
    apps.get_model("feedback", "DeadlinePolicy").objects.all().delete()
    apps.get_model("feedback", "CalendarException").objects.filter(
        date__in=[day for day, _ in MAKE_UP_SATURDAYS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
