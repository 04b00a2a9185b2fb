"""The case page: 404 for whoever may not view the case, everything about it
on one screen, and a denouncer's identity only for the entitled (whose views
are recorded)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import (
    Attachment,
    CaseCollaborator,
    IdentityAccess,
)
from feedback.services.cases import case_transition
from feedback.services.identity import identity_access_record
from tests.factories import make_case, staff

from .conftest import DENOUNCER, DENOUNCER_ID, DENOUNCER_PHONE, accepted

pytestmark = pytest.mark.django_db

SECRETS = (
    DENOUNCER.encode(),
    DENOUNCER_ID.encode(),
    DENOUNCER_PHONE.encode(),
    "Xóm 3, xã Xuân Thành".encode(),
)


def page(client, user, case):
    client.force_login(user)
    return client.get(reverse("case-detail", args=[case.pk]))


def test_url_is_ho_so(denunciation):
    assert reverse("case-detail", args=[denunciation.pk]) == (
        f"/ho-so/{denunciation.pk}/"
    )


def test_other_units_users_get_404_as_for_a_missing_case(client, commune):
    case = make_case(actor=commune.reception, unit=commune.hamlet_b).case
    hidden = page(client, commune.officer_a, case)
    client.force_login(commune.officer_a)
    missing = client.get("/ho-so/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert case.title.encode() not in hidden.content
    for user in (commune.leader_a, commune.officer, commune.leader):
        assert page(client, user, case).status_code == 404


def test_log_in_required(client, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    response = client.get(reverse("case-detail", args=[case.pk]))
    assert response.status_code == 302


def test_page_shows_the_whole_case(client, commune):
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="complaint",
        location_unit=commune.hamlet_a,
        location_text="Cạnh nhà văn hóa",
        is_hot_spot=True,
    ).case
    accepted(case, commune.leader)
    case_transition(
        case_id=case.pk,
        action="add_collaborator",
        actor=commune.leader,
        data={"unit": commune.hamlet_a.pk, "text": "Xác minh hiện trạng"},
    )
    case_transition(
        case_id=case.pk,
        action="contribute",
        actor=commune.officer_a,
        data={"text": "Đã xác minh: đường bị sụt 3 m."},
    )
    case_transition(
        case_id=case.pk,
        action="draft_answer",
        actor=commune.officer,
        data={"public_answer": "Bản nháp thứ nhất"},
    )
    case_transition(
        case_id=case.pk,
        action="return_answer",
        actor=commune.leader,
        data={"text": "Bổ sung căn cứ pháp lý"},
    )
    case_transition(
        case_id=case.pk,
        action="note",
        actor=commune.officer,
        data={"text": "Đã làm việc với công dân", "is_public": True},
    )
    case_transition(
        case_id=case.pk,
        action="correct",
        actor=commune.leader,
        data={"field_name": "title", "value": "Khiếu nại về đường", "reason": "Gõ sai"},
    )
    Attachment.objects.create(
        case=case,
        file="cases/x/scan.pdf",
        original_name="don-khieu-nai.pdf",
        content_type="application/pdf",
        size=2048,
    )
    response = page(client, commune.leader, case)
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        case.display_code,
        "Khiếu nại",  # kind
        "Trực tiếp tại trụ sở",  # channel
        "Đất đai",  # field
        "Đang giải quyết",  # status
        "Xóm A",
        "Cạnh nhà văn hóa",
        "Địa chính",
        "Điểm nóng",
        "Xác minh hiện trạng",  # what the co-operating unit is asked
        "Đã xác minh: đường bị sụt 3 m.",  # its contribution
        "Bản nháp thứ nhất",
        "Trả lại để sửa",  # the returned draft's status
        "Bổ sung căn cứ pháp lý",  # the leader's comments
        "Đã làm việc với công dân",
        "don-khieu-nai.pdf",
        "Khiếu nại về đường",
    ):
        assert text in body, text
    assert response.context["days_left"] is not None
    history = response.context["history"]
    title_change = [
        change
        for entry in history
        for change in entry.changes
        if change.name == "title"
    ]
    assert title_change[0].old == "Đường liên xóm xuống cấp"
    assert title_change[0].new == "Khiếu nại về đường"
    status_change = [
        change
        for entry in history
        for change in entry.changes
        if change.name == "status"
    ]
    assert status_change[0].new == "Đang giải quyết"
    # The timeline marks public and internal entries.
    assert "Công khai" in body and "Nội bộ" in body
    assert b"pin_hash" not in response.content
    assert case.pin_hash.encode() not in response.content


@pytest.mark.parametrize("who", ["officer", "leader_a", "officer_a"])
def test_unentitled_viewers_never_get_the_denouncer_in_the_html(
    client, commune, denunciation, who
):
    # Hamlet A co-operates, so its staff may view the case, but they are not
    # entitled to the identity; neither is an officer of the unit who is not
    # assigned.
    CaseCollaborator.objects.create(case=denunciation, unit=commune.hamlet_a)
    accepted(denunciation, commune.leader)
    case_transition(
        case_id=denunciation.pk,
        action="correct",
        actor=commune.leader,
        data={"field_name": "is_complex", "value": True, "reason": "Nhiều nơi"},
    )
    response = page(client, getattr(commune, who), denunciation)
    assert response.status_code == 200
    for secret in SECRETS:
        assert secret not in response.content, (who, secret)
    assert "(được bảo mật)".encode() in response.content
    # The denounced person is not protected.
    assert "Lê Văn Quyền".encode() in response.content
    assert not IdentityAccess.objects.exists()


def test_supervisor_of_an_unrelated_branch_gets_404(client, commune):
    case = make_case(
        actor=commune.reception, unit=commune.hamlet_a, kind="denunciation"
    ).case
    branch = staff(commune.committee, "supervisor")
    response = page(client, branch, case)
    assert response.status_code == 404
    for secret in SECRETS:
        assert secret not in response.content
    assert not IdentityAccess.objects.exists()


def test_leader_of_another_hamlet_gets_404(client, commune):
    case = make_case(
        actor=commune.reception, unit=commune.hamlet_b, kind="denunciation"
    ).case
    response = page(client, commune.leader_a, case)
    assert response.status_code == 404
    assert DENOUNCER.encode() not in response.content


@pytest.mark.parametrize("who", ["leader", "assignee", "reception", "supervisor"])
def test_entitled_viewers_see_the_identity_and_each_view_is_recorded(
    client, commune, denunciation, who
):
    if who == "assignee":
        case_transition(
            case_id=denunciation.pk,
            action="assign",
            actor=commune.leader,
            data={"assignee": commune.officer.pk},
        )
        user = commune.officer
    else:
        user = getattr(commune, who)
    response = page(client, user, denunciation)
    assert response.status_code == 200
    for secret in SECRETS:
        assert secret in response.content, (who, secret)
    page(client, user, denunciation)
    rows = list(IdentityAccess.objects.filter(case=denunciation))
    assert len(rows) == 2
    assert {(row.user_id, row.context) for row in rows} == {(user.pk, "case_page")}


def test_views_of_other_kinds_are_not_recorded(client, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    response = page(client, commune.officer, case)
    assert DENOUNCER.encode() in response.content  # a feedback's petitioner
    assert not IdentityAccess.objects.exists()


def test_confidential_attachment_names_are_masked(client, commune, denunciation):
    Attachment.objects.create(
        case=denunciation,
        file="cases/x/a.pdf",
        original_name="don-cua-ba-Ngoc.pdf",
        content_type="application/pdf",
        size=10,
        is_confidential=True,
    )
    assert (
        b"don-cua-ba-Ngoc.pdf"
        not in page(client, commune.officer, denunciation).content
    )
    assert b"don-cua-ba-Ngoc.pdf" in page(client, commune.leader, denunciation).content


def test_identity_access_record_writes_one_row(commune, denunciation):
    row = identity_access_record(
        user=commune.leader, case=denunciation, context="case_page"
    )
    assert row.accessed_at is not None
    assert IdentityAccess.objects.get().user == commune.leader


def test_queries_do_not_grow_with_the_timeline(client, commune):
    """More events, versions and answers cost no more queries."""

    def count_for(notes):
        case = make_case(actor=commune.reception, unit=commune.office).case
        accepted(case, commune.leader)
        for index in range(notes):
            case_transition(
                case_id=case.pk,
                action="note",
                actor=commune.officer,
                data={"text": f"Ghi chú {index}"},
            )
            case_transition(
                case_id=case.pk,
                action="correct",
                actor=commune.leader,
                data={"field_name": "title", "value": f"T {index}", "reason": "r"},
            )
        client.force_login(commune.leader)
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"/ho-so/{case.pk}/").status_code == 200
        return len(context.captured_queries)

    assert count_for(1) == count_for(8)
