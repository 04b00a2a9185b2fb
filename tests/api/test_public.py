"""The citizens' public endpoints: send a letter, track it, rate the answer,
read the published answers — anonymous, throttled, without personal data."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail, signing
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback import tracking
from feedback.models import Case, CaseEvent, Field, Party, PartyRole, TrackingLookup
from feedback.services.cases import case_transition
from feedback.services.public import RATING_SALT
from tests.factories import make_case, petitioner

pytestmark = pytest.mark.django_db

SUBMIT = "/api/v1/public/feedback/"
TRACK = "/api/v1/public/track/"
RATE = "/api/v1/public/track/rating/"
ANSWERS = "/api/v1/public/answers/"
OPTIONS = "/api/v1/public/options/"
DISPLAY_CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
KEY = "0b5a3c5e-8d0f-4a52-9f57-4c3b1d1f2e7a"


def rates(**overrides):
    """``override_settings`` with throttle rates replaced."""
    rest = settings.REST_FRAMEWORK
    return override_settings(
        REST_FRAMEWORK={
            **rest,
            "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], **overrides},
        }
    )


def post(client, url, body, **headers):
    return client.post(url, body, format="json", **headers)


@pytest.fixture
def desk(commune):
    """The commune People's Committee receives online letters."""
    commune.committee.receives_public_submissions = True
    commune.committee.save()
    return commune.committee


@pytest.fixture
def letter(commune, desk):
    return {
        "kind": "feedback",
        "field": Field.objects.get(code="infrastructure").pk,
        "hamlet": commune.hamlet_a.pk,
        "title": "Đèn đường thôn A hỏng",
        "content": "Ba cột đèn trên trục đường chính thôn A không sáng.",
        "full_name": "Lê Thị Hồng Nhung",
        "phone": "0987 654 321",
        "email": "nhung.le@example.vn",
        "consent": True,
    }


def resolve(case, leader, answer="Đã sửa xong ba cột đèn ngày 10/3."):
    """Accept and answer ``case`` as its unit's leader."""
    decision = {}
    if case.kind in ("complaint", "denunciation"):
        decision = {
            "outcome": "upheld",
            "decision_number": "12/QĐ-UBND",
            "decision_date": "2025-03-01",
        }
    case_transition(case_id=case.pk, action="accept", actor=leader)
    case_transition(
        case_id=case.pk,
        action="resolve",
        actor=leader,
        data={"public_answer": answer, **decision},
    )


@pytest.fixture
def answered(commune):
    """A feedback case of the office, answered; with its PIN."""
    created = make_case(actor=commune.reception, unit=commune.office)
    resolve(created.case, commune.leader)
    return created


def track(client, created, **headers):
    return post(
        client, TRACK, {"code": created.case.code, "pin": created.pin}, **headers
    )


# --------------------------------------------------------------------------
# Sending a letter
# --------------------------------------------------------------------------


def test_a_letter_gets_a_receipt_with_code_pin_status_and_due_date(
    anonymous, letter, desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(anonymous, SUBMIT, letter)
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert DISPLAY_CODE.match(receipt["code"])
    assert re.fullmatch(r"\d{6}", receipt["pin"])
    assert receipt["status"] == "received"
    assert receipt["status_label"] == "Đã tiếp nhận, đang xem xét"
    assert dt.date.fromisoformat(receipt["answer_due_on"]) > timezone.localdate()
    assert receipt["kind"] == "feedback"
    assert receipt["field"] == letter["field"]
    assert receipt["hamlet"] == letter["hamlet"]
    assert receipt["responsible_unit"] == desk.name
    assert receipt["receipt_emailed"] is True
    assert receipt["track_url"].endswith(
        "/tra-cuu/?code=" + receipt["code"].replace("-", "")
    )
    assert "no-store" in response.headers["Cache-Control"]
    assert "Idempotent-Replayed" not in response.headers
    for personal in (b"Nhung", b"0987", b"nhung.le", "Đèn".encode()):
        assert personal not in response.content
    case = Case.objects.get()
    assert (case.channel, case.responsible_unit, case.location_unit_id) == (
        "online",
        desk,
        letter["hamlet"],
    )
    assert case.parties.get().full_name == "Lê Thị Hồng Nhung"
    assert mail.outbox[0].to == ["nhung.le@example.vn"]
    assert receipt["pin"] in mail.outbox[0].body
    tracked = post(anonymous, TRACK, {"code": receipt["code"], "pin": receipt["pin"]})
    assert tracked.status_code == 200
    assert tracked.json()["status"] == "received"


def test_missing_values_are_refused_with_the_services_messages(anonymous, desk):
    response = post(anonymous, SUBMIT, {})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {
        "kind",
        "field",
        "hamlet",
        "title",
        "content",
        "full_name",
        "phone",
        "consent",
    }
    assert error["fields"]["full_name"] == ["Vui lòng nhập họ và tên."]
    assert Case.objects.count() == 0


def test_the_letters_rules_are_the_web_forms(anonymous, letter):
    response = post(
        anonymous,
        SUBMIT,
        {
            **letter,
            "kind": "complaint",
            "field": 999_999,
            "phone": "12345",
            "national_id": "123",
            "consent": False,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"field", "phone", "national_id", "address", "consent"}
    assert fields["field"] == ["Choose a field from the list."]
    assert fields["address"] == [
        "A complaint or a denunciation must give the sender's address."
    ]
    assert Case.objects.count() == 0


def test_a_denunciations_receipt_names_nobody(anonymous, letter):
    body = {
        **letter,
        "kind": "denunciation",
        "title": "Tố cáo cán bộ địa chính nhận tiền",
        "national_id": "040190012345",
        "address": "Xóm A",
    }
    response = post(anonymous, SUBMIT, body)
    assert response.status_code == 201
    assert response.json()["kind"] == "denunciation"
    for secret in ("Lê Thị Hồng Nhung", "040190012345", "0987", "nhận tiền"):
        assert secret.encode() not in response.content


def test_a_replay_with_the_same_idempotency_key_returns_the_first_code_without_pin(
    anonymous, letter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = post(anonymous, SUBMIT, letter, HTTP_IDEMPOTENCY_KEY=KEY)
        again = post(anonymous, SUBMIT, letter, HTTP_IDEMPOTENCY_KEY=KEY)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    replay = again.json()
    assert replay["code"] == first.json()["code"]
    assert replay["pin"] is None
    assert (replay["status"], replay["answer_due_on"]) == (None, None)
    assert (replay["kind"], replay["field"]) == ("feedback", letter["field"])
    assert Case.objects.count() == 1
    assert len(mail.outbox) == 1
    other = post(
        anonymous, SUBMIT, {**letter, "title": "Cống bị tắc"}, HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert other.status_code == 201
    assert other.json()["code"] != first.json()["code"]
    assert other.json()["pin"]


def test_a_malformed_idempotency_key_is_refused(anonymous, letter):
    response = post(anonymous, SUBMIT, letter, HTTP_IDEMPOTENCY_KEY=" ")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert Case.objects.count() == 0


def test_without_a_receiving_unit_letters_are_refused(anonymous, letter, desk):
    desk.receives_public_submissions = False
    desk.save()
    response = post(anonymous, SUBMIT, letter)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_public_desk"


def test_only_letters_logged_count_against_the_submit_throttle(anonymous, letter):
    with rates(public_submit="2/hour"):
        assert post(anonymous, SUBMIT, {}).status_code == 400
        assert (
            post(anonymous, SUBMIT, letter, HTTP_IDEMPOTENCY_KEY=KEY).status_code == 201
        )
        replay = post(anonymous, SUBMIT, letter, HTTP_IDEMPOTENCY_KEY=KEY)
        assert replay.status_code == 201
        second = {**letter, "title": "Cống bị tắc"}
        assert post(anonymous, SUBMIT, second).status_code == 201
        refused = post(anonymous, SUBMIT, {**letter, "title": "Rác"})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert Case.objects.count() == 2


@override_settings(PUBLIC_SUBMIT_RATE="1/hour")
def test_the_services_own_limit_per_address_is_a_429(anonymous, letter):
    assert post(anonymous, SUBMIT, letter).status_code == 201
    response = post(anonymous, SUBMIT, {**letter, "title": "Cống bị tắc"})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3600"
    assert "quá nhiều" in response.json()["error"]["message"].lower()


@override_settings(PUBLIC_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_throttles_count_per_client_address_as_the_portal_reads_it(anonymous):
    with rates(public="1/min"):
        first = anonymous.get(OPTIONS, HTTP_X_REAL_IP="192.0.2.1")
        other = anonymous.get(OPTIONS, HTTP_X_REAL_IP="192.0.2.2")
        again = anonymous.get(OPTIONS, HTTP_X_REAL_IP="192.0.2.1")
    assert (first.status_code, other.status_code, again.status_code) == (
        200,
        200,
        429,
    )
    assert again.json()["error"]["message"] == (
        "Quá nhiều lượt thử. Vui lòng thử lại sau."
    )
    assert int(again.headers["Retry-After"]) > 0


# --------------------------------------------------------------------------
# Tracking
# --------------------------------------------------------------------------


def test_tracking_shows_what_the_tracking_page_shows(anonymous, commune):
    created = make_case(actor=commune.reception, unit=commune.office)
    case_transition(
        case_id=created.case.pk,
        action="note",
        actor=commune.leader,
        data={"text": "Đã khảo sát hiện trường", "is_public": True},
    )
    response = track(anonymous, created)
    assert response.status_code == 200, response.content
    view = response.json()
    assert view["code"] == created.case.display_code
    assert (view["kind"], view["field"]) == ("feedback", "Đất đai")
    assert view["responsible_unit"] == "Địa chính"
    assert view["status"] == "received"
    assert view["status_label"] == "Đã tiếp nhận, đang xem xét"
    assert view["is_open"] is True
    assert view["is_late"] is False
    assert view["answer"] is None
    assert view["rating_token"] is None
    assert [entry["text"] for entry in view["timeline"]] == [
        "",
        "Đã khảo sát hiện trường",
    ]
    assert "no-store" in response.headers["Cache-Control"]
    for secret in ("Trần Thị Bích Ngọc", "040190012345", "0912345678"):
        assert secret.encode() not in response.content
    assert created.pin.encode() not in response.content


def test_a_late_case_says_so(anonymous, commune):
    created = make_case(actor=commune.reception, unit=commune.office)
    Case.objects.filter(pk=created.case.pk).update(
        stage_due_on=timezone.localdate() - dt.timedelta(days=3),
        final_due_on=timezone.localdate() - dt.timedelta(days=3),
    )
    view = track(anonymous, created).json()
    assert (view["is_late"], view["overdue_days"]) == (True, 3)


def test_an_answered_case_shows_the_answer_and_a_rating_token(anonymous, answered):
    view = track(anonymous, answered, HTTP_ACCEPT_LANGUAGE="en").json()
    assert view["status_label"] == "Answered"
    assert view["answer"] == "Đã sửa xong ba cột đèn ngày 10/3."
    assert view["resolved_on"] == timezone.localdate().isoformat()
    assert view["rating_token"]
    assert view["satisfaction"] is None


def test_a_denunciation_shows_only_its_status_and_dates(anonymous, commune):
    created = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        title="Tố cáo ông Phạm Văn Hùng nhận hối lộ",
        parties=[
            petitioner(),
            petitioner(role=PartyRole.DENOUNCED, full_name="Phạm Văn Hùng"),
        ],
    )
    case_transition(
        case_id=created.case.pk,
        action="accept",
        actor=commune.leader,
        data={"legal_ground": "competent"},
    )
    response = track(anonymous, created)
    assert response.status_code == 200
    view = response.json()
    assert set(view) == {
        "code",
        "received_on",
        "status",
        "status_label",
        "status_help",
        "is_open",
        "answer_due_on",
        "is_late",
        "overdue_days",
        "answered_late_days",
        "resolved_on",
        "timeline",
        "rating_token",
    }
    assert view["status"] == "accepted"
    assert view["rating_token"] is None
    assert all(entry["text"] == "" for entry in view["timeline"])
    for secret in (
        "Trần Thị Bích Ngọc",
        "040190012345",
        "0912345678",
        "Phạm Văn Hùng",
        "hối lộ",
        "Địa chính",
        "Đất đai",
        "denunciation",
    ):
        assert secret.encode() not in response.content, secret


def test_an_unknown_code_and_a_wrong_pin_get_the_very_same_404(anonymous, commune):
    created = make_case(actor=commune.reception, unit=commune.office)
    wrong_pin = "000000" if created.pin != "000000" else "111111"
    wrong = post(anonymous, TRACK, {"code": created.case.code, "pin": wrong_pin})
    unknown = post(
        anonymous, TRACK, {"code": tracking.generate_code(), "pin": "123456"}
    )
    assert (wrong.status_code, unknown.status_code) == (404, 404)
    assert wrong.content == unknown.content
    assert wrong.json()["error"]["code"] == "no_match"
    assert dict(wrong.headers) == dict(unknown.headers)
    assert TrackingLookup.objects.filter(succeeded=False).count() == 2


def test_a_mistyped_code_is_refused_without_any_query(anonymous, commune):
    code = tracking.generate_code()
    typo = code[:-1] + next(ch for ch in tracking.ALPHABET if ch != code[-1])
    with CaptureQueriesContext(connection) as captured:
        response = post(anonymous, TRACK, {"code": typo, "pin": "123456"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "mistyped_code"
    assert "code" in error["fields"]
    assert len(captured) == 0


def test_the_pin_must_have_six_digits(anonymous, commune):
    response = post(anonymous, TRACK, {"code": tracking.generate_code(), "pin": "12a"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["pin"] == ["Mã bí mật gồm 6 chữ số."]


@override_settings(TRACK_FAILURES_PER_CODE=2, TRACK_FAILURE_WINDOW=600)
def test_failed_look_ups_are_throttled_per_code(anonymous, commune):
    created = make_case(actor=commune.reception, unit=commune.office)
    wrong_pin = "000000" if created.pin != "000000" else "111111"
    for _attempt in range(2):
        body = {"code": created.case.code, "pin": wrong_pin}
        assert post(anonymous, TRACK, body).status_code == 404
    response = track(anonymous, created)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "600"
    assert response.json()["error"]["code"] == "throttled"


def test_look_ups_are_throttled_per_address(anonymous, answered):
    with rates(public="2/min"):
        assert track(anonymous, answered).status_code == 200
        assert track(anonymous, answered).status_code == 200
        response = track(anonymous, answered)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


# --------------------------------------------------------------------------
# Rating
# --------------------------------------------------------------------------


def test_a_citizen_rates_the_answer_once(anonymous, answered):
    token = track(anonymous, answered).json()["rating_token"]
    body = {"rating_token": token, "satisfaction": "partly", "comment": "Hơi chậm."}
    response = post(anonymous, RATE, body)
    assert response.status_code == 201, response.content
    view = response.json()
    assert (view["satisfaction"], view["satisfaction_label"]) == (
        "partly",
        "Hài lòng một phần",
    )
    assert view["rated_on"] == timezone.localdate().isoformat()
    case = Case.objects.get(pk=answered.case.pk)
    assert (case.satisfaction, case.satisfaction_comment) == ("partly", "Hơi chậm.")
    assert CaseEvent.objects.filter(case=case, kind="rating").count() == 1
    again = post(anonymous, RATE, {**body, "satisfaction": "not_satisfied"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_rated"
    assert track(anonymous, answered).json()["rating_token"] is None


def test_a_rating_needs_a_valid_recent_token(anonymous, answered):
    token = track(anonymous, answered).json()["rating_token"]
    forged = post(
        anonymous, RATE, {"rating_token": token + "x", "satisfaction": "satisfied"}
    )
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "lookup_expired"
    with override_settings(PUBLIC_RATING_TOKEN_MAX_AGE=-1):
        expired = post(
            anonymous, RATE, {"rating_token": token, "satisfaction": "satisfied"}
        )
    assert expired.status_code == 403
    assert expired.json()["error"]["code"] == "lookup_expired"
    assert Case.objects.get(pk=answered.case.pk).rated_at is None


def test_a_case_not_answered_cannot_be_rated(anonymous, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    token = signing.dumps(
        {"code": case.code, "pin": case.pin_hash[:12]}, salt=RATING_SALT
    )
    response = post(
        anonymous, RATE, {"rating_token": token, "satisfaction": "satisfied"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_rateable"


def test_a_rating_must_say_how_satisfied(anonymous, answered):
    token = track(anonymous, answered).json()["rating_token"]
    response = post(anonymous, RATE, {"rating_token": token, "satisfaction": "meh"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["satisfaction"] == [
        "Vui lòng chọn mức độ hài lòng với nội dung trả lời."
    ]


# --------------------------------------------------------------------------
# Published answers and options
# --------------------------------------------------------------------------


def publish(commune, title, *, kind="feedback", **extra):
    case = make_case(
        actor=commune.reception, unit=commune.office, kind=kind, title=title, **extra
    ).case
    resolve(case, commune.leader, answer=f"Trả lời: {title}")
    if kind == "denunciation":
        # The workflow refuses; the list must hold even if the column were set.
        Case.objects.filter(pk=case.pk).update(published_at=timezone.now())
    else:
        case_transition(case_id=case.pk, action="publish", actor=commune.leader)
    return Case.objects.get(pk=case.pk)


def test_published_answers_exclude_denunciations_and_personal_data(anonymous, commune):
    publish(commune, "Kiến nghị của bà Trần Thị Bích Ngọc về cống")
    publish(commune, "Tố cáo cán bộ xã", kind="denunciation")
    unpublished = make_case(actor=commune.reception, unit=commune.office).case
    resolve(unpublished, commune.leader, answer="Chưa công khai")
    response = anonymous.get(ANSWERS)
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 1
    assert (page["page"], page["next"], page["previous"]) == (1, None, None)
    answer = page["results"][0]
    assert answer["title"].startswith("Kiến nghị của bà [")
    assert answer["field"] == "Đất đai"
    assert answer["hamlet"] is None
    assert answer["published_on"] == timezone.localdate().isoformat()
    for secret in ("Trần Thị Bích Ngọc", "Tố cáo", "Chưa công khai", "0912345678"):
        assert secret.encode() not in response.content
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=300" in response.headers["Cache-Control"]
    assert "Accept-Language" in response.headers["Vary"]


def test_published_answers_filter_by_field_hamlet_period_and_words(anonymous, commune):
    publish(commune, "Sửa cống thoát nước", location_unit=commune.hamlet_a)
    publish(
        commune,
        "Cấp giấy chứng nhận",
        field=Field.objects.get(code="infrastructure"),
        location_unit=commune.hamlet_b,
    )
    year = timezone.localdate().year

    def titles(**query):
        response = anonymous.get(ANSWERS, query)
        assert response.status_code == 200, response.content
        return [answer["title"] for answer in response.json()["results"]]

    assert titles(field="infrastructure") == ["Cấp giấy chứng nhận"]
    assert titles(hamlet=commune.hamlet_a.pk) == ["Sửa cống thoát nước"]
    assert titles(q="cống") == ["Sửa cống thoát nước"]
    assert len(titles(period=str(year))) == 2
    assert titles(period=str(year - 1)) == []


def test_bad_filters_and_pages_past_the_end_are_refused(anonymous, commune):
    response = anonymous.get(ANSWERS, {"period": "2026-Q5", "page_size": 500})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"period", "page_size"}
    assert fields["period"] == ["Nhập năm (ví dụ 2026) hoặc quý (ví dụ 2026-Q3)."]
    assert anonymous.get(ANSWERS, {"page": 2}).status_code == 404


@pytest.fixture
def many_answers(commune):
    """30 published answers, each with a petitioner."""
    template = publish(commune, "Sửa cống thoát nước")
    fields = {
        field.attname: getattr(template, field.attname)
        for field in Case._meta.concrete_fields
        if field.attname not in ("id", "code")
    }
    clones = Case.objects.bulk_create(
        Case(**{**fields, "code": tracking.generate_code()}) for _index in range(29)
    )
    Party.objects.bulk_create(
        Party(case=case, role=PartyRole.PETITIONER, full_name=f"Người {case.pk}")
        for case in clones
    )


@pytest.mark.parametrize("page_size", [1, 20, 100])
def test_published_answers_cost_three_queries_whatever_the_page_size(
    anonymous, many_answers, django_assert_num_queries, page_size
):
    # The count, the page, and the parties whose details are blotted out.
    with django_assert_num_queries(3):
        response = anonymous.get(ANSWERS, {"page_size": page_size})
    page = response.json()
    assert len(page["results"]) == min(page_size, 30)
    assert page["count"] == 30
    assert (page["next"] is None) == (page_size >= 30)


def test_pages_link_to_each_other(anonymous, many_answers):
    first = anonymous.get(ANSWERS, {"page_size": 10, "q": "cống"}).json()
    second = anonymous.get(first["next"]).json()
    assert second["page"] == 2
    assert "page=" not in second["previous"]
    assert "page_size=10" in second["previous"]
    assert anonymous.get(second["next"]).json()["next"] is None


def test_options_list_the_choices_of_a_letter(anonymous, commune, desk):
    response = anonymous.get(OPTIONS)
    assert response.status_code == 200
    options = response.json()
    assert options["accepting_submissions"] is True
    assert [kind["value"] for kind in options["kinds"]] == [
        "feedback",
        "complaint",
        "denunciation",
    ]
    assert [kind["address_required"] for kind in options["kinds"]] == [
        False,
        True,
        True,
    ]
    assert [hamlet["name"] for hamlet in options["hamlets"]] == ["Xóm A", "Xóm B"]
    field_names = {field["name"] for field in options["fields"]}
    assert "Đất đai" in field_names
    assert {field["code"] for field in options["answer_fields"]} >= {"land"}
    assert options["answer_periods"][0]["value"] == str(timezone.localdate().year)


def test_options_say_when_no_letter_is_received(anonymous, commune):
    assert anonymous.get(OPTIONS).json()["accepting_submissions"] is False


def test_public_endpoints_need_no_credentials_and_ignore_wrong_ones(
    client_for, anonymous, commune
):
    assert client_for(commune.officer).get(OPTIONS).status_code == 200
    anonymous.credentials(HTTP_AUTHORIZATION="Token nope")
    assert anonymous.get(ANSWERS).status_code == 200
