"""Helpers shared by the API tests."""

from api.views.actions import url_segment

RESOLVE_BODY = {
    "public_answer": "Đã kiểm tra, kết luận nội dung tố cáo.",
    "outcome": "partly_upheld",
    "decision_number": "12/KL-UBND",
    "decision_date": "2024-03-01",
}


def action_body(action, commune):
    """A valid JSON body for each workflow action on a denunciation."""
    return {
        "accept": {"legal_ground": "competent"},
        "return": {"reason": "Không thuộc thẩm quyền", "legal_ground": "not-competent"},
        "forward": {
            "reason": "Thuộc thẩm quyền tỉnh",
            "to_body": "Thanh tra tỉnh",
            "to_body_class": "higher_admin",
            "legal_ground": "not-competent-forward",
        },
        "archive": {"reason": "Trùng đơn", "legal_ground": "duplicate"},
        "withdraw": {"reason": "Công dân rút đơn"},
        "draft_answer": {**RESOLVE_BODY, "public_answer": "Dự thảo trả lời"},
        "return_answer": {"text": "Bổ sung căn cứ pháp lý"},
        "resolve": RESOLVE_BODY,
        "correct_answer": {"public_answer": "Trả lời đã đính chính", "reason": "Sai"},
        "publish": {},
        "close": {},
        "assign": {"assignee": commune.officer.pk},
        "extend": {"reason": "Vụ việc phức tạp"},
        "transfer": {"to_unit": commune.hamlet_a.pk, "reason": "Thuộc địa bàn xóm"},
        "return_to_dispatcher": {"reason": "Không thuộc lĩnh vực của phòng"},
        "add_collaborator": {"unit": commune.hamlet_a.pk, "text": "Xác minh tại xóm"},
        "contribute": {"text": "Đã xác minh, có biên bản"},
        "note": {"text": "Đã làm việc với các bên", "is_public": True},
        "correct": {"field_name": "title", "value": "Tiêu đề mới", "reason": "Gõ sai"},
    }[action]


def action_url(case, action):
    return f"/api/v1/cases/{case.pk}/{url_segment(action)}/"
