"""The portal's service layer as the public API calls it: plain dataclasses
in, stable error codes out."""

import datetime as dt
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from feedback import audit
from feedback.errors import DomainError, InvalidInputError, NotFoundError
from feedback.models import (
    AuditHead,
    Case,
    CaseEvent,
    CitizenNotice,
    Field,
    Party,
    TrackingLookup,
)
from feedback.selectors.public import period_bounds, redact
from feedback.services.public import (
    SubmissionReceipt,
    ThrottledError,
    mask_email,
    parse_rate,
    public_case_lookup,
    public_submission_create,
    tracking_lookups_prune,
)
from tests.feedback.public.conftest import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def arguments(commune, desk):
    return {
        "token": secrets.token_urlsafe(24),
        "kind": "complaint",
        "field_id": Field.objects.get(code="land").pk,
        "hamlet_id": commune.hamlet_b.pk,
        "title": "Khiếu nại quyết định thu hồi đất",
        "content": "Đề nghị xem xét lại quyết định số 15/QĐ-UBND.",
        "full_name": "Hoàng Văn Tư",
        "phone": "+84 912 000 111",
        "email": "tu.hoang@example.vn",
        "national_id": "040190012345",
        "address": "Xóm B",
        "consent": True,
        "ip_address": "192.0.2.10",
        "base_url": "https://langnghe.example.gov.vn",
    }


def test_a_submission_returns_the_receipt_and_a_replay_returns_it_without_pin(
    arguments,
):
    receipt = public_submission_create(**arguments)
    assert isinstance(receipt, SubmissionReceipt)
    assert not receipt.is_replay
    assert len(receipt.pin) == 6
    assert receipt.kind == "complaint"
    assert receipt.email == "t***@example.vn"
    case = Case.objects.get(code=receipt.code)
    assert case.parties.get().phone == "0912000111"
    assert case.answers.count() == 0
    replay = public_submission_create(**{**arguments, "title": "Khác"})
    assert replay.is_replay
    assert (replay.code, replay.pin, replay.kind) == (receipt.code, "", "")
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_a_transaction", [False, True])
def test_a_form_sent_twice_at_once_writes_one_case(
    arguments, monkeypatch, in_a_transaction
):
    """The second request found no letter of its token (the first had not
    committed yet), so it writes: the taken token refuses its whole letter,
    case and parties included, and it answers the first one's receipt."""
    from feedback.services import public

    first = public_submission_create(**arguments)
    written = {
        model: model.objects.count()
        for model in (Case, Party, CaseEvent, CitizenNotice, AuditHead)
    }
    real_replay = public._replay
    looks = []

    def replay_not_yet_committed(token):
        looks.append(token)
        return None if len(looks) == 1 else real_replay(token)

    monkeypatch.setattr(public, "_replay", replay_not_yet_committed)
    if in_a_transaction:
        with transaction.atomic():
            second = public_submission_create(**{**arguments, "title": "Lần hai"})
            # The caller's transaction goes on.
            assert Case.objects.filter(code=first.code).exists()
    else:
        second = public_submission_create(**{**arguments, "title": "Lần hai"})
    assert len(looks) == 2
    assert second.is_replay
    assert (second.code, second.pin) == (first.code, "")
    assert {model: model.objects.count() for model in written} == written
    assert audit.verify() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_a_file", [False, True])
def test_a_letter_without_files_needs_no_transaction_on_postgresql(
    arguments, with_a_file
):
    """Its rows, the submission's included, are one statement there, atomic
    by itself; a file joins them in one transaction (elsewhere the case's
    rows always are in one)."""
    from django.db import connection

    from feedback.prepared import deferred_inserts_supported

    atomic_when_written = []

    def watch(execute, sql, params, many, context):
        if "feedback_publicsubmission" in sql and sql.lstrip().startswith(
            ("INSERT", "WITH")
        ):
            atomic_when_written.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    files = (
        [SimpleUploadedFile("don.pdf", PDF, "application/pdf")] if with_a_file else []
    )
    with connection.execute_wrapper(watch):
        receipt = public_submission_create(**arguments, attachments=files)
    case = Case.objects.get(code=receipt.code)
    assert case.public_submission.token == arguments["token"]
    assert case.attachments.count() == len(files)
    one_statement = deferred_inserts_supported("default") and not with_a_file
    assert atomic_when_written == [not one_statement]


def test_errors_are_keyed_by_argument_name(arguments):
    with pytest.raises(InvalidInputError) as error:
        public_submission_create(
            **{
                **arguments,
                "kind": "voter_petition",
                "field_id": None,
                "hamlet_id": 999999,
                "email": "not-an-address",
                "national_id": "123",
                "consent": False,
                "attachments": [SimpleUploadedFile("x.exe", b"MZ", "application/pdf")],
            }
        )
    assert set(error.value.fields) == {
        "kind",
        "field_id",
        "hamlet_id",
        "email",
        "national_id",
        "consent",
        "attachments",
    }
    assert Case.objects.count() == 0


def test_a_made_up_token_is_refused(arguments):
    with pytest.raises(InvalidInputError) as error:
        public_submission_create(**{**arguments, "token": "short"})
    assert error.value.code == "invalid_token"


@override_settings(PUBLIC_SUBMIT_RATE="1/minute")
def test_the_rate_limit_raises_throttled(arguments):
    public_submission_create(**arguments)
    with pytest.raises(ThrottledError) as error:
        public_submission_create(**{**arguments, "token": secrets.token_urlsafe(24)})
    assert error.value.code == "throttled"
    assert error.value.extra["retry_after"] == 60


def test_without_a_desk_the_error_is_no_public_desk(arguments, commune):
    commune.committee.receives_public_submissions = False
    commune.committee.save()
    with pytest.raises(DomainError) as error:
        public_submission_create(**arguments)
    assert error.value.code == "no_public_desk"


def test_attachments_are_accepted_from_any_file_object(arguments):
    upload = SimpleUploadedFile("quyet-dinh.pdf", PDF, "application/pdf")
    receipt = public_submission_create(**{**arguments, "attachments": [upload]})
    attachment = Case.objects.get(code=receipt.code).attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)


def test_look_up_errors_have_stable_codes(answered, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(InvalidInputError) as error:
        public_case_lookup(code="2222-2222-2223", pin="123456", ip_address=None)
    assert error.value.code == "mistyped_code"
    wrong = "000000" if answered.pin != "000000" else "111111"
    with pytest.raises(NotFoundError) as error:
        public_case_lookup(code=answered.case.code, pin=wrong, ip_address=None)
    assert error.value.code == "no_match"
    result = public_case_lookup(
        code=answered.case.code, pin=answered.pin, ip_address=None
    )
    assert result.case.status == "resolved"
    assert result.rating_token


def test_old_look_up_records_are_pruned(answered):
    now = timezone.now()
    TrackingLookup.objects.bulk_create(
        [
            TrackingLookup(code="A", attempted_at=now - dt.timedelta(days=40)),
            TrackingLookup(code="B", attempted_at=now - dt.timedelta(days=2)),
        ]
    )
    assert tracking_lookups_prune(older_than=dt.timedelta(days=30)) == 1
    assert list(TrackingLookup.objects.values_list("code", flat=True)) == ["B"]


def test_helpers():
    assert parse_rate("10/hour") == (10, 3600)
    assert parse_rate("3/d") == (3, 86400)
    assert mask_email("an@example.vn") == "a***@example.vn"
    assert period_bounds("2025-Q4") == (dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    assert period_bounds("2025") == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert period_bounds("2025-Q5") is None
    assert period_bounds("' OR 1=1") is None
    with translation.override("en"):
        text = redact(
            "Ông Nguyễn Văn An, ĐT +84 912 345 678, email an@x.vn, ngày "
            "12/3/2025, quyết định 15/QĐ-UBND, bồi thường 350.000.000 đồng; CMND "
            "123456789, máy bàn 0238.3844.123",
            ["Nguyễn Văn An"],
        )
    assert text == (
        "Ông [hidden], ĐT [hidden], email [hidden], ngày 12/3/2025, "
        "quyết định 15/QĐ-UBND, bồi thường 350.000.000 đồng; CMND [hidden], máy "
        "bàn [hidden]"
    )
