"""Logging a case: validation, deadlines on receipt, codes and PINs."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from feedback import audit, tracking
from feedback.errors import InvalidInputError, PermissionDeniedError
from feedback.models import AuditHead, Case, CaseEvent, Party
from tests.factories import make_case, petitioner

pytestmark = pytest.mark.django_db


def test_creation_issues_a_valid_code_and_a_pin_that_only_the_hash_keeps(commune):
    created = make_case(actor=commune.reception, unit=commune.office)
    case = created.case
    assert tracking.is_valid_code(case.code)
    assert created.pin not in case.pin_hash
    assert tracking.pin_matches(
        case.code, created.pin, case.pin_hash, key=settings.TRACKING_PIN_KEY
    )
    assert case.status == "received"
    assert case.created_by == commune.reception
    assert case.dispatch_unit == commune.committee
    assert CaseEvent.objects.filter(case=case, kind="created").count() == 1


def test_deadlines_on_receipt_follow_the_kind(commune):
    received = timezone.make_aware(dt.datetime(2025, 1, 22, 9))
    feedback = make_case(
        actor=commune.reception, unit=commune.office, received_at=received
    ).case
    assert (feedback.stage, feedback.stage_due_on) == ("answer", dt.date(2025, 2, 12))
    assert feedback.final_due_on == feedback.stage_due_on
    complaint = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="complaint",
        received_at=received,
    ).case
    assert complaint.stage == "accept"
    # The receipt promises resolution counted from the last acceptance day.
    assert complaint.final_due_on > complaint.stage_due_on


def test_invalid_input_is_refused_with_field_messages_and_nothing_written(commune):
    before = Case.objects.count()
    with pytest.raises(InvalidInputError) as error:
        make_case(
            actor=commune.reception,
            unit=commune.office,
            kind="appeal",
            title=" ",
            parties=[petitioner(national_id="123", phone="12345")],
        )
    assert {"kind", "title", "parties.0.national_id", "parties.0.phone"} <= set(
        error.value.fields
    )
    assert Case.objects.count() == before


def test_a_petitioner_is_needed_unless_anonymous(commune):
    with pytest.raises(InvalidInputError) as error:
        make_case(actor=commune.reception, unit=commune.office, parties=[])
    assert "parties" in error.value.fields
    case = make_case(
        actor=commune.reception, unit=commune.office, parties=[], is_anonymous=True
    ).case
    assert case.is_anonymous


def test_five_petitioners_make_a_mass_case(commune):
    case = make_case(
        actor=commune.reception, unit=commune.office, petitioner_count=7
    ).case
    assert case.is_mass


def test_staff_cannot_log_cases_outside_their_commune(commune):
    from tests.factories import UnitFactory, staff

    other_commune = UnitFactory(parent=commune.province, kind="commune")
    other_hamlet = UnitFactory(parent=other_commune, kind="hamlet")
    with pytest.raises(PermissionDeniedError):
        make_case(actor=commune.reception, unit=other_hamlet)
    hamlet_officer = staff(commune.hamlet_a, "officer")
    with pytest.raises(PermissionDeniedError):
        make_case(actor=hamlet_officer, unit=commune.hamlet_b)


def test_public_submissions_need_no_staff_but_cannot_be_spoofed(commune):
    commune.committee.receives_public_submissions = True
    commune.committee.save()
    case = make_case(
        actor=None,
        unit=commune.committee,
        channel="online",
        submitted_by_public=True,
    ).case
    assert case.created_by is None
    with pytest.raises(PermissionDeniedError):
        make_case(actor=None, unit=commune.committee)
    with pytest.raises(PermissionDeniedError):
        make_case(
            actor=commune.officer_a, unit=commune.committee, submitted_by_public=True
        )
    # Only online letters, and only at a unit that receives them.
    with pytest.raises(PermissionDeniedError):
        make_case(actor=None, unit=commune.committee, submitted_by_public=True)
    with pytest.raises(PermissionDeniedError):
        make_case(
            actor=None,
            unit=commune.office,
            channel="online",
            submitted_by_public=True,
        )


def test_a_chair_set_answer_date_replaces_the_policy_date(commune):
    due = timezone.localdate() + dt.timedelta(days=12)
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="dialogue_issue",
        channel="dialogue",
        answer_due_on=due,
    ).case
    assert case.stage_due_on == due == case.final_due_on
    with pytest.raises(InvalidInputError):
        make_case(
            actor=commune.reception,
            unit=commune.office,
            kind="complaint",
            answer_due_on=due,
        )


def test_a_drawn_code_already_taken_is_drawn_again_in_the_same_transaction(
    commune, monkeypatch
):
    taken = make_case(actor=commune.reception, unit=commune.office).case
    fresh = tracking.generate_code()
    draws = iter([taken.code, fresh])
    monkeypatch.setattr(tracking, "generate_code", lambda: next(draws))
    with transaction.atomic():
        created = make_case(actor=commune.reception, unit=commune.office).case
        # The refused insert left the transaction usable: it goes on writing.
        CaseEvent.objects.create(
            case=created, kind="note", text="tiếp tục", created_at=timezone.now()
        )
    assert created.code == fresh
    assert Case.objects.filter(code=taken.code).get() == taken
    assert Case.objects.filter(code=fresh).get() == created
    assert created.history.count() == 1
    assert CaseEvent.objects.filter(case=created).count() == 2
    # The refused attempt left no row behind: every party, event, history row
    # and chain head is one of the two cases', and both chains verify.
    cases = {taken.pk, created.pk}
    assert set(Party.objects.values_list("case_id", flat=True)) == cases
    assert set(CaseEvent.objects.values_list("case_id", flat=True)) == cases
    assert set(Case.history.values_list("id", flat=True)) == cases
    assert AuditHead.objects.filter(case_id__in=cases).count() == 4
    assert AuditHead.objects.count() == 4
    assert audit.verify() == []


def test_a_receiver_of_a_history_rows_save_still_hears_it(commune):
    # History rows and events are inserted without ``save()``'s machinery
    # only while nothing listens to their save signals.
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.id, instance.history_type, created))

    history_model = Case.history.model
    post_save.connect(receiver, sender=history_model, weak=False)
    try:
        case = make_case(actor=commune.reception, unit=commune.office).case
    finally:
        post_save.disconnect(receiver, sender=history_model)
    assert heard == [(case.pk, "+", True)]
    assert case.history.get().audit_seq == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_a_transaction", [False, True])
def test_cached_counts_are_voided_once_the_new_case_is_written(
    commune, monkeypatch, in_a_transaction
):
    """On PostgreSQL an intake outside a transaction is one statement by
    itself, written when the service's block ends: the count generation must
    move after it (other processes would otherwise cache counts without the
    case under the new generation), and in a transaction at its commit."""
    from feedback.selectors import counts

    before = Case.objects.count()
    seen = []

    def bump(key):
        seen.append((key, Case.objects.count(), connection.in_atomic_block))

    monkeypatch.setattr(counts, "bump_generation", bump)
    if in_a_transaction:
        with transaction.atomic():
            make_case(actor=commune.reception, unit=commune.office)
            assert seen == []
    else:
        make_case(actor=commune.reception, unit=commune.office)
    assert (counts.GENERATION_KEY, before + 1, False) in seen
    assert all(count == before + 1 for _key, count, _atomic in seen)
