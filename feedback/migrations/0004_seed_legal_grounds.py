"""The legal grounds officers cite when they accept, return, forward or
archive a letter; administrators extend the list in the admin."""

from django.db import migrations

KN = "Luật Khiếu nại 02/2011/QH13"
TC = "Luật Tố cáo 25/2018/QH14"
TCD = "Luật Tiếp công dân 42/2013/QH13"
TT05 = "TT 05/2021/TT-TTCP"

GROUNDS = [
    # code, action, kind, article, text
    ("competent", "accept", "", TT05,
     "Thuộc thẩm quyền giải quyết, đủ điều kiện thụ lý"),
    ("not-competent", "return", "", f"{TT05}, Điều 7",
     "Không thuộc thẩm quyền: hướng dẫn công dân gửi đến cơ quan có thẩm quyền"),
    ("mixed-split", "return", "", f"{TT05}, Điều 6",
     "Đơn có nhiều nội dung thuộc thẩm quyền của nhiều cơ quan: hướng dẫn tách đơn"),
    ("kn-11-not-affecting", "return", "complaint", f"{KN}, Điều 11 khoản 1",
     "Quyết định, hành vi bị khiếu nại không liên quan trực tiếp đến quyền, lợi ích "
     "hợp pháp của người khiếu nại"),
    ("kn-11-no-capacity", "return", "complaint", f"{KN}, Điều 11 khoản 3-4",
     "Người khiếu nại không có năng lực hành vi đầy đủ mà không có người đại diện "
     "hợp pháp"),
    ("kn-11-unsigned", "return", "complaint", f"{KN}, Điều 11 khoản 5",
     "Đơn khiếu nại không có chữ ký hoặc điểm chỉ của người khiếu nại"),
    ("kn-11-time-barred", "return", "complaint", f"{KN}, Điều 11 khoản 6",
     "Thời hiệu, thời hạn khiếu nại đã hết mà không có lý do chính đáng"),
    ("kn-11-final", "return", "complaint", f"{KN}, Điều 11 khoản 7",
     "Khiếu nại đã có quyết định giải quyết khiếu nại lần hai"),
    ("kn-11-court", "return", "complaint", f"{KN}, Điều 11 khoản 9",
     "Việc khiếu nại đã được Tòa án thụ lý hoặc đã được giải quyết bằng bản án, "
     "quyết định của Tòa án"),
    ("kn-11-suspended", "return", "complaint", f"{KN}, Điều 11 khoản 8",
     "Có văn bản thông báo đình chỉ việc giải quyết khiếu nại mà sau 30 ngày người "
     "khiếu nại không tiếp tục khiếu nại"),
    ("tcd-9-refuse", "return", "", f"{TCD}, Điều 9",
     "Vụ việc đã được giải quyết đúng chính sách, pháp luật, được kiểm tra, rà soát "
     "và thông báo bằng văn bản"),
    ("tc-24-forward", "forward", "denunciation", f"{TC}, Điều 24 khoản 2",
     "Tố cáo không thuộc thẩm quyền: chuyển đến người có thẩm quyền giải quyết"),
    ("forward-complaint", "forward", "complaint", f"{TT05}, Điều 8",
     "Khiếu nại không thuộc thẩm quyền: chuyển đơn theo quy định"),
    ("not-competent-forward", "forward", "", f"{TT05}, Điều 9",
     "Không thuộc thẩm quyền: chuyển đơn đến cơ quan có thẩm quyền giải quyết"),
    ("tc-25-anonymous", "archive", "denunciation", f"{TC}, Điều 25",
     "Tố cáo nặc danh, không rõ họ tên, địa chỉ người tố cáo"),
    ("duplicate", "archive", "", f"{TT05}, Điều 6",
     "Đơn trùng nội dung đã được tiếp nhận, xử lý"),
    ("unclear", "archive", "", f"{TT05}, Điều 6",
     "Đơn không rõ nội dung, không đủ thông tin để xử lý"),
    ("copy-for-information", "archive", "", f"{TT05}, Điều 6",
     "Đơn gửi đồng thời nhiều nơi, đã gửi đến cơ quan có thẩm quyền"),
]


def seed(apps, schema_editor):
    LegalGround = apps.get_model("feedback", "LegalGround")
    for code, action, kind, article, text in GROUNDS:
        LegalGround.objects.update_or_create(
            code=code,
            defaults={"action": action, "kind": kind, "article": article, "text": text},
        )


def unseed(apps, schema_editor):
    apps.get_model("feedback", "LegalGround").objects.filter(
        code__in=[row[0] for row in GROUNDS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_answers_collaborators_handling")]

    operations = [migrations.RunPython(seed, unseed)]
