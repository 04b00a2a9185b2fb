"""The action forms of the case page: each one's happy path (PRG with a
success message) and an invalid input (a Vietnamese message next to the
field, input kept, nothing changed), and the stale-version conflict."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import (
    Answer,
    AnswerStatus,
    Case,
    CaseCollaborator,
    CaseEvent,
    Outcome,
)
from feedback.services.cases import case_transition
from tests.factories import make_case

from .conftest import accepted, post_action

pytestmark = pytest.mark.django_db

REQUIRED = "Trường này là bắt buộc."


def case_url(case):
    return reverse("case-detail", args=[case.pk])


def fresh(case):
    return Case.objects.get(pk=case.pk)


def assert_done(client, response, case):
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == case_url(case)
    follow = client.get(response["Location"])
    assert follow.status_code == 200
    assert "Đã thực hiện" in follow.content.decode()


def assert_refused(response, case, version, field, message=REQUIRED):
    """The page comes back with ``message`` next to ``field`` of the open
    form, and the case is untouched."""
    assert response.status_code == 200
    form = next(f for f in response.context["action_forms"] if f.errors)
    assert response.context["open_action"] == form.action
    errors = form.errors.get(field) or []
    assert any(message in error for error in errors), form.errors
    assert message in response.content.decode()
    assert fresh(case).version == version


@pytest.fixture
def office_case(commune):
    return make_case(actor=commune.reception, unit=commune.office).case


@pytest.fixture
def accepted_case(commune, office_case):
    accepted(office_case, commune.leader)
    return fresh(office_case)


@pytest.fixture
def resolved_case(commune, accepted_case):
    case_transition(
        case_id=accepted_case.pk,
        action="resolve",
        actor=commune.leader,
        data={"public_answer": "Xã sẽ sửa đường trong quý I."},
    )
    return fresh(accepted_case)


def test_page_offers_only_the_allowed_actions(client, commune, office_case):
    client.force_login(commune.officer)
    response = client.get(case_url(office_case))
    offered = [form.action for form in response.context["action_forms"]]
    assert "accept" not in offered  # leaders accept
    assert {"return", "archive", "withdraw", "note"} <= set(offered)
    client.force_login(commune.leader)
    offered = [
        f.action for f in client.get(case_url(office_case)).context["action_forms"]
    ]
    assert {"accept", "forward", "assign", "transfer"} <= set(offered)


def test_each_form_posts_the_case_version(client, commune, office_case):
    client.force_login(commune.leader)
    body = client.get(case_url(office_case)).content.decode()
    assert f'name="accept-version" value="{office_case.version}"' in body


# accept ------------------------------------------------------------------


def test_accept(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(client, office_case, "accept", legal_ground="competent")
    assert_done(client, response, office_case)
    case = fresh(office_case)
    assert case.status == "accepted"
    assert case.legal_ground.code == "competent"


def test_accept_refuses_a_ground_of_another_action(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(
        client, office_case, "accept", legal_ground="not-competent", text="Ghi chú"
    )
    assert_refused(
        response, office_case, office_case.version, "legal_ground", "Hãy chọn"
    )
    assert "Ghi chú" in response.content.decode()


def test_accept_of_an_anonymous_denunciation_says_why(client, commune):
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        is_anonymous=True,
        parties=[],
    ).case
    client.force_login(commune.leader)
    response = post_action(client, case, "accept")
    assert_refused(response, case, case.version, "__all__", "nặc danh")


# return, forward, archive, withdraw -----------------------------------------


def test_return(client, commune, office_case):
    client.force_login(commune.officer)
    response = post_action(
        client,
        office_case,
        "return",
        reason="Hướng dẫn gửi UBND huyện",
        legal_ground="not-competent",
    )
    assert_done(client, response, office_case)
    case = fresh(office_case)
    assert (case.status, case.handling_outcome) == ("returned", "returned")


def test_return_needs_a_reason_and_keeps_the_ground(client, commune, office_case):
    client.force_login(commune.officer)
    response = post_action(
        client, office_case, "return", reason="", legal_ground="not-competent"
    )
    assert_refused(response, office_case, office_case.version, "reason")
    assert 'value="not-competent" selected' in response.content.decode()


def test_return_offers_the_grounds_of_the_kind(client, commune):
    complaint = make_case(
        actor=commune.reception, unit=commune.office, kind="complaint"
    ).case
    client.force_login(commune.officer)
    forms = client.get(case_url(complaint)).context["action_forms"]
    form = next(f for f in forms if f.action == "return")
    codes = {g.code for g in form.fields["legal_ground"].queryset}
    assert "kn-11-time-barred" in codes and "not-competent" in codes
    feedback = make_case(actor=commune.reception, unit=commune.office).case
    forms = client.get(case_url(feedback)).context["action_forms"]
    form = next(f for f in forms if f.action == "return")
    assert "kn-11-time-barred" not in {
        g.code for g in form.fields["legal_ground"].queryset
    }


def test_forward(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(
        client,
        office_case,
        "forward",
        reason="Thuộc thẩm quyền của Công an huyện",
        to_body="Công an huyện",
        to_body_class="judicial",
        legal_ground="not-competent-forward",
    )
    assert_done(client, response, office_case)
    case = fresh(office_case)
    assert (case.status, case.transferred_to_class) == ("transferred", "judicial")


def test_forward_needs_the_class_of_the_body(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(
        client,
        office_case,
        "forward",
        reason="Không thuộc thẩm quyền",
        to_body="Công an huyện",
        legal_ground="not-competent-forward",
    )
    assert_refused(response, office_case, office_case.version, "to_body_class")
    assert 'value="Công an huyện"' in response.content.decode()


def test_archive(client, commune, office_case):
    client.force_login(commune.officer)
    response = post_action(
        client, office_case, "archive", reason="Trùng đơn", legal_ground="duplicate"
    )
    assert_done(client, response, office_case)
    assert fresh(office_case).status == "archived"


def test_archive_needs_a_legal_ground(client, commune, office_case):
    client.force_login(commune.officer)
    response = post_action(client, office_case, "archive", reason="Trùng đơn")
    assert_refused(response, office_case, office_case.version, "legal_ground")


def test_withdraw(client, commune, office_case):
    client.force_login(commune.officer)
    response = post_action(client, office_case, "withdraw", reason="Đơn xin rút")
    assert_done(client, response, office_case)
    assert fresh(office_case).status == "withdrawn"


def test_withdraw_needs_a_reason(client, commune, office_case):
    client.force_login(commune.officer)
    response = post_action(client, office_case, "withdraw", reason="  ")
    assert_refused(response, office_case, office_case.version, "reason")


# answers -------------------------------------------------------------------


def test_draft_answer(client, commune, accepted_case):
    client.force_login(commune.officer)
    response = post_action(
        client, accepted_case, "draft_answer", public_answer="Dự thảo trả lời"
    )
    assert_done(client, response, accepted_case)
    draft = Answer.objects.get(case=accepted_case)
    assert (draft.status, draft.text) == (AnswerStatus.DRAFT, "Dự thảo trả lời")


def test_draft_answer_of_a_complaint_refuses_a_future_decision_date(client, commune):
    case = make_case(
        actor=commune.reception, unit=commune.office, kind="complaint"
    ).case
    accepted(case, commune.leader)
    client.force_login(commune.officer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = post_action(
        client,
        case,
        "draft_answer",
        public_answer="Giữ nguyên quyết định",
        outcome="rejected",
        decision_number="12/QĐ-UBND",
        decision_date=tomorrow.strftime("%d/%m/%Y"),
    )
    assert_refused(response, case, fresh(case).version, "decision_date", "01/01/2000")
    assert "12/QĐ-UBND" in response.content.decode()


def test_return_answer(client, commune, accepted_case):
    case_transition(
        case_id=accepted_case.pk,
        action="draft_answer",
        actor=commune.officer,
        data={"public_answer": "Bản nháp"},
    )
    client.force_login(commune.leader)
    response = post_action(client, accepted_case, "return_answer", text="Sửa lại")
    assert_done(client, response, accepted_case)
    draft = Answer.objects.get(case=accepted_case)
    assert (draft.status, draft.review_comment) == (AnswerStatus.RETURNED, "Sửa lại")
    # The officer's form now starts from the returned draft.
    client.force_login(commune.officer)
    forms = client.get(case_url(accepted_case)).context["action_forms"]
    draft_form = next(f for f in forms if f.action == "draft_answer")
    assert draft_form.initial["public_answer"] == "Bản nháp"


def test_return_answer_needs_comments(client, commune, accepted_case):
    case_transition(
        case_id=accepted_case.pk,
        action="draft_answer",
        actor=commune.officer,
        data={"public_answer": "Bản nháp"},
    )
    client.force_login(commune.leader)
    response = post_action(client, accepted_case, "return_answer", text="")
    assert_refused(response, accepted_case, fresh(accepted_case).version, "text")


def test_return_answer_is_offered_only_with_a_pending_draft(
    client, commune, accepted_case
):
    client.force_login(commune.leader)
    forms = client.get(case_url(accepted_case)).context["action_forms"]
    assert "return_answer" not in [f.action for f in forms]


def test_resolve_approves_the_pending_draft(client, commune, accepted_case):
    case_transition(
        case_id=accepted_case.pk,
        action="draft_answer",
        actor=commune.officer,
        data={"public_answer": "Xã đã sửa đường."},
    )
    client.force_login(commune.leader)
    forms = client.get(case_url(accepted_case)).context["action_forms"]
    form = next(f for f in forms if f.action == "resolve")
    assert form.initial["public_answer"] == "Xã đã sửa đường."
    response = post_action(
        client, accepted_case, "resolve", public_answer="Xã đã sửa đường."
    )
    assert_done(client, response, accepted_case)
    case = fresh(accepted_case)
    assert (case.status, case.public_answer) == ("resolved", "Xã đã sửa đường.")
    assert Answer.objects.get(case=case).status == AnswerStatus.APPROVED


def test_resolve_of_a_complaint_needs_the_decision(client, commune):
    case = make_case(
        actor=commune.reception, unit=commune.office, kind="complaint"
    ).case
    accepted(case, commune.leader)
    client.force_login(commune.leader)
    version = fresh(case).version
    response = post_action(client, case, "resolve", public_answer="Bác đơn")
    assert_refused(response, case, version, "outcome", "số và ngày quyết định")
    form = response.context["action_forms"][
        [f.action for f in response.context["action_forms"]].index("resolve")
    ]
    assert set(form.errors) >= {"outcome", "decision_number", "decision_date"}
    response = post_action(
        client,
        case,
        "resolve",
        public_answer="Bác đơn",
        outcome=Outcome.REJECTED,
        decision_number="15/QĐ-UBND",
        decision_date=timezone.localdate().strftime("%d/%m/%Y"),
    )
    assert_done(client, response, case)
    assert fresh(case).decision_number == "15/QĐ-UBND"


def test_correct_answer(client, commune, resolved_case):
    client.force_login(commune.leader)
    response = post_action(
        client,
        resolved_case,
        "correct_answer",
        public_answer="Xã sẽ sửa đường trong quý II.",
        reason="Sai thời gian",
    )
    assert_done(client, response, resolved_case)
    assert fresh(resolved_case).public_answer == "Xã sẽ sửa đường trong quý II."


def test_correct_answer_needs_a_reason(client, commune, resolved_case):
    client.force_login(commune.leader)
    response = post_action(
        client, resolved_case, "correct_answer", public_answer="Sửa", reason=""
    )
    assert_refused(response, resolved_case, resolved_case.version, "reason")


def test_publish(client, commune, resolved_case):
    client.force_login(commune.leader)
    response = post_action(client, resolved_case, "publish")
    assert_done(client, response, resolved_case)
    assert fresh(resolved_case).published_at is not None
    forms = client.get(case_url(resolved_case)).context["action_forms"]
    assert "publish" not in [f.action for f in forms]


def test_publish_is_refused_for_a_denunciation(client, commune, denunciation):
    accepted(denunciation, commune.leader)
    case_transition(
        case_id=denunciation.pk,
        action="resolve",
        actor=commune.leader,
        data={
            "public_answer": "Kết luận",
            "outcome": "rejected",
            "decision_number": "1/KL",
            "decision_date": timezone.localdate(),
        },
    )
    client.force_login(commune.leader)
    forms = client.get(case_url(denunciation)).context["action_forms"]
    assert "publish" not in [f.action for f in forms]
    response = post_action(client, denunciation, "publish")
    assert "không đăng trên trang công khai" in response.content.decode()
    assert fresh(denunciation).published_at is None


def test_close(client, commune, resolved_case):
    client.force_login(commune.officer)
    response = post_action(client, resolved_case, "close", text="Công dân đồng ý")
    assert_done(client, response, resolved_case)
    assert fresh(resolved_case).status == "closed"


def test_close_refuses_an_overlong_note(client, commune, resolved_case):
    client.force_login(commune.officer)
    response = post_action(client, resolved_case, "close", text="x" * 4001)
    assert_refused(response, resolved_case, resolved_case.version, "text", "4000")


# assignment, deadlines, units -------------------------------------------------


def test_assign(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(client, office_case, "assign", assignee=commune.officer.pk)
    assert_done(client, response, office_case)
    assert fresh(office_case).assignee == commune.officer


def test_assign_refuses_an_officer_of_another_unit(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(client, office_case, "assign", assignee=commune.officer_a.pk)
    assert_refused(response, office_case, office_case.version, "assignee", "Hãy chọn")


def test_supervisor_reassigns(client, commune, office_case):
    case_transition(
        case_id=office_case.pk,
        action="assign",
        actor=commune.leader,
        data={"assignee": commune.officer.pk},
    )
    client.force_login(commune.supervisor)
    response = post_action(client, office_case, "assign", assignee=commune.leader.pk)
    assert_done(client, response, office_case)
    assert fresh(office_case).assignee == commune.leader


def test_extend_shows_the_new_due_date_and_extends(client, commune, denunciation):
    accepted(denunciation, commune.leader)
    client.force_login(commune.leader)
    forms = client.get(case_url(denunciation)).context["action_forms"]
    extend = next(f for f in forms if f.action == "extend")
    old_due = fresh(denunciation).final_due_on
    assert extend.new_due_on > old_due
    response = post_action(client, denunciation, "extend", reason="Vụ việc phức tạp")
    assert_done(client, response, denunciation)
    case = fresh(denunciation)
    assert (case.final_due_on, case.extensions) == (extend.new_due_on, 1)


def test_extend_needs_a_reason_and_stops_at_the_legal_maximum(
    client, commune, denunciation
):
    accepted(denunciation, commune.leader)
    client.force_login(commune.leader)
    response = post_action(client, denunciation, "extend", reason="")
    assert_refused(response, denunciation, fresh(denunciation).version, "reason")
    for _ in range(2):
        case_transition(
            case_id=denunciation.pk,
            action="extend",
            actor=commune.leader,
            data={"reason": "Đặc biệt phức tạp"},
        )
    response = client.get(case_url(denunciation))
    assert "extend" not in [f.action for f in response.context["action_forms"]]
    assert response.context["extension_note"]


def test_extend_is_not_offered_where_the_law_allows_none(
    client, commune, accepted_case
):
    client.force_login(commune.leader)
    forms = client.get(case_url(accepted_case)).context["action_forms"]
    assert "extend" not in [f.action for f in forms]


def test_transfer_moves_the_case_and_returns_to_the_queue(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(
        client,
        office_case,
        "transfer",
        to_unit=commune.hamlet_a.pk,
        reason="Thuộc địa bàn xóm A",
    )
    # The office may no longer see the case: back to the queue.
    assert response.status_code == 302
    assert response["Location"] == reverse("work-queue")
    assert fresh(office_case).responsible_unit == commune.hamlet_a


def test_transfer_needs_a_unit(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(client, office_case, "transfer", reason="Không đúng")
    assert_refused(response, office_case, office_case.version, "to_unit")


def test_return_to_dispatcher(client, commune, office_case):
    # Logged at the People's Committee desk, dispatched to the office.
    client.force_login(commune.officer)
    response = post_action(
        client, office_case, "return_to_dispatcher", reason="Không thuộc địa chính"
    )
    assert response.status_code == 302
    assert fresh(office_case).responsible_unit == commune.committee


def test_return_to_dispatcher_needs_a_reason(client, commune, office_case):
    client.force_login(commune.officer)
    response = post_action(client, office_case, "return_to_dispatcher", reason="")
    assert_refused(response, office_case, office_case.version, "reason")


def test_return_to_dispatcher_is_hidden_without_a_dispatcher(client, commune):
    case = make_case(actor=commune.leader, unit=commune.office).case
    client.force_login(commune.officer)
    forms = client.get(case_url(case)).context["action_forms"]
    assert "return_to_dispatcher" not in [f.action for f in forms]


def test_add_collaborator(client, commune, office_case):
    client.force_login(commune.leader)
    due_on = timezone.localdate() + dt.timedelta(days=5)
    response = post_action(
        client,
        office_case,
        "add_collaborator",
        unit=commune.hamlet_a.pk,
        due_on=due_on.isoformat(),
        text="Xác minh hiện trường",
    )
    assert_done(client, response, office_case)
    collaborator = CaseCollaborator.objects.get(case=office_case)
    assert (collaborator.unit, collaborator.due_on) == (commune.hamlet_a, due_on)
    assert collaborator.request_note == "Xác minh hiện trường"


def test_add_collaborator_refuses_a_past_sub_deadline(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(
        client,
        office_case,
        "add_collaborator",
        unit=commune.hamlet_a.pk,
        due_on="01/01/2020",
        text="Xác minh",
    )
    assert_refused(response, office_case, office_case.version, "due_on", "quá khứ")


def test_contribute(client, commune, office_case):
    case_transition(
        case_id=office_case.pk,
        action="add_collaborator",
        actor=commune.leader,
        data={"unit": commune.hamlet_a.pk, "text": "Xác minh"},
    )
    client.force_login(commune.officer_a)
    forms = client.get(case_url(office_case)).context["action_forms"]
    assert [f.action for f in forms] == ["contribute"]
    response = post_action(client, office_case, "contribute", text="Đã xác minh")
    assert_done(client, response, office_case)
    assert CaseCollaborator.objects.get().status == "done"


def test_contribute_needs_text(client, commune, office_case):
    case_transition(
        case_id=office_case.pk,
        action="add_collaborator",
        actor=commune.leader,
        data={"unit": commune.hamlet_a.pk, "text": "Xác minh"},
    )
    client.force_login(commune.officer_a)
    response = post_action(client, office_case, "contribute", text="")
    assert_refused(response, office_case, fresh(office_case).version, "text")


# notes and corrections -------------------------------------------------------


def test_note_public_and_internal(client, commune, office_case):
    client.force_login(commune.officer)
    response = post_action(
        client, office_case, "note", text="Đã hẹn công dân", is_public="on"
    )
    assert_done(client, response, office_case)
    post_action(client, office_case, "note", text="Nội bộ")
    notes = CaseEvent.objects.filter(case=office_case, action="note")
    assert [(n.text, n.is_public) for n in notes] == [
        ("Đã hẹn công dân", True),
        ("Nội bộ", False),
    ]


def test_note_needs_text(client, commune, office_case):
    client.force_login(commune.officer)
    response = post_action(client, office_case, "note", text="")
    assert_refused(response, office_case, office_case.version, "text")


def test_correct(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(
        client,
        office_case,
        "correct",
        field_name="is_hot_spot",
        value="có",
        reason="Có nguy cơ khiếu kiện đông người",
    )
    assert_done(client, response, office_case)
    post_action(
        client,
        office_case,
        "correct",
        field_name="field",
        value="Môi trường",
        reason="Sai lĩnh vực",
    )
    post_action(
        client,
        office_case,
        "correct",
        field_name="location_unit",
        value="Xóm B",
        reason="Sai địa bàn",
    )
    case = fresh(office_case)
    assert case.is_hot_spot
    assert case.field.code == "environment"
    assert case.location_unit == commune.hamlet_b


def test_correct_refuses_an_unknown_value(client, commune, office_case):
    client.force_login(commune.leader)
    response = post_action(
        client,
        office_case,
        "correct",
        field_name="field",
        value="Không tồn tại",
        reason="Sai",
    )
    assert_refused(response, office_case, office_case.version, "value", "lĩnh vực")
    assert "Không tồn tại" in response.content.decode()


# concurrency ---------------------------------------------------------------


def test_a_stale_form_is_refused_and_changes_nothing(client, commune, office_case):
    client.force_login(commune.officer)
    stale_version = office_case.version
    # Someone else acts in between.
    case_transition(
        case_id=office_case.pk,
        action="note",
        actor=commune.leader,
        data={"text": "Lãnh đạo ghi chú"},
    )
    events = CaseEvent.objects.count()
    response = post_action(
        client, office_case, "note", version=stale_version, text="Ghi chú của tôi"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vụ việc vừa được người khác cập nhật" in body
    assert "Ghi chú của tôi" in body  # the input is kept
    assert CaseEvent.objects.count() == events
    # The form now carries the current version: sending it again works.
    form = next(f for f in response.context["action_forms"] if f.action == "note")
    assert form.data["note-version"] == str(fresh(office_case).version)
    assert_done(
        client, post_action(client, office_case, "note", text="Lần 2"), office_case
    )


def test_actions_on_a_hidden_case_are_404(client, commune, office_case):
    client.force_login(commune.officer_a)
    response = post_action(client, office_case, "note", text="x")
    assert response.status_code == 404
    assert not CaseEvent.objects.filter(action="note").exists()


def test_an_action_the_user_may_not_take_is_refused(client, commune, office_case):
    client.force_login(commune.officer)
    response = post_action(client, office_case, "accept")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "Bạn không có quyền" in follow.content.decode()
    assert fresh(office_case).status == "received"


def test_unknown_action_is_404_and_get_is_refused(client, commune, office_case):
    client.force_login(commune.leader)
    assert post_action(client, office_case, "explode").status_code == 404
    url = f"/ho-so/{office_case.pk}/thao-tac/note/"
    assert client.get(url).status_code == 405
