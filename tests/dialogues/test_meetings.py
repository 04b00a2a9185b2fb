"""Planning meetings and moving them through their states: each change is
allowed or refused with a message, and a refusal changes nothing."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dialogues.models import Meeting, MeetingEvent, MeetingStatus
from dialogues.services import (
    items_add,
    meeting_create,
    meeting_record,
    meeting_transition,
    meeting_update,
)
from feedback.errors import (
    ConflictError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from tests.dialogues.conftest import at, clock, hold, item_input, plan

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def snapshot(meeting):
    meeting = Meeting.objects.get(pk=meeting.pk)
    return (
        meeting.status,
        meeting.version,
        meeting.announced_at,
        meeting.actual_attendance,
        meeting.minutes,
        MeetingEvent.objects.filter(meeting=meeting).count(),
        meeting.history.count(),
    )


def refused(error_class, func, meeting, **kwargs):
    """Call ``func``; it must raise ``error_class`` and leave the meeting as
    it was. Returns the error."""
    before = snapshot(meeting)
    with pytest.raises(error_class) as caught:
        func(**kwargs)
    assert snapshot(meeting) == before
    return caught.value


# --------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------


def test_plan_a_voter_contact_meeting(org):
    with clock(at(2026, 8, 3, 9)):
        result = meeting_create(
            actor=org.committee_leader,
            kind="voter_contact",
            organiser_unit=org.committee,
            topic="  Tiếp xúc cử tri trước kỳ họp  ",
            starts_at=at(2026, 8, 20, 14),
            ends_at=at(2026, 8, 20, 17),
            place="Nhà văn hóa xóm A",
            chair_name="Hồ Sỹ Nam",
            chair_position="Phó Chủ tịch HĐND xã",
            participating_units=[org.council],
            deputies="Hồ Sỹ Nam\n\n  Trần Thị Vân ",
            hamlets=[org.hamlet_a, org.hamlet_b],
            council_session="Kỳ họp thứ 9",
            session_timing="before",
            expected_attendance=120,
        )
    meeting = result.meeting
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.topic == "Tiếp xúc cử tri trước kỳ họp"
    assert meeting.deputy_list == ["Hồ Sỹ Nam", "Trần Thị Vân"]
    assert set(meeting.hamlets.all()) == {org.hamlet_a, org.hamlet_b}
    assert meeting.chair_display == "Hồ Sỹ Nam"
    assert result.warnings == []
    event = meeting.events.get()
    assert (event.action, event.author) == ("create", org.committee_leader)
    # The row and its units (simple-history records the many-to-many too).
    assert {record.history_user for record in meeting.history.all()} == {
        org.committee_leader
    }


def test_planning_reports_every_invalid_field(org):
    with pytest.raises(InvalidInputError) as caught:
        meeting_create(
            actor=org.committee_leader,
            kind="party",
            organiser_unit=org.committee,
            topic=" ",
            starts_at=at(2026, 8, 20, 14),
            ends_at=at(2026, 8, 20, 13),
            place="",
            hamlets=[org.office],
            session_timing="before",
        )
    fields = caught.value.fields
    assert set(fields) == {
        "kind",
        "topic",
        "place",
        "hamlets",
        "ends_at",
        "chair_name",
    }
    assert Meeting.objects.count() == 0


def test_council_session_only_for_voter_contact(org):
    with pytest.raises(InvalidInputError) as caught:
        plan(org, kind="dialogue", council_session="Kỳ họp thứ 9")
    assert "council_session" in caught.value.fields


def test_only_organisers_plan_for_a_unit(org):
    for user in (org.officer, org.outsider, org.reception):
        with pytest.raises(PermissionDeniedError):
            plan(org, actor=user)
    # The commune's supervisor plans for any unit of the commune.
    assert plan(org, actor=org.supervisor).organiser_unit == org.committee
    assert Meeting.objects.count() == 1


def test_planning_a_dialogue_too_late_to_announce_warns(org):
    with clock(at(2026, 8, 3, 9)):
        result = meeting_create(
            actor=org.committee_leader,
            kind="dialogue",
            organiser_unit=org.committee,
            topic="Đối thoại về giải phóng mặt bằng",
            starts_at=at(2026, 8, 6, 8),
            place="Hội trường UBND xã",
            chair=org.committee_leader,
        )
    assert result.meeting.status == MeetingStatus.PLANNED
    assert "01/08/2026" in result.warnings[0]
    assert "5" in result.warnings[0]


def test_planning_a_dialogue_in_time_says_when_to_announce(org):
    with clock(at(2026, 8, 3, 9)):
        result = meeting_create(
            actor=org.committee_leader,
            kind="dialogue",
            organiser_unit=org.committee,
            topic="Hội nghị đối thoại năm 2026",
            starts_at=at(2026, 8, 21, 8),
            place="Hội trường UBND xã",
            chair=org.committee_leader,
        )
    assert "16/08/2026" in result.warnings[0]


def test_update_changes_the_plan_and_records_it(org):
    meeting = plan(org, starts_at=at(2030, 5, 5, 8))
    result = meeting_update(
        meeting_id=meeting.pk,
        actor=org.committee_officer,
        changes={"place": "Hội trường xã", "hamlets": [org.hamlet_b]},
        expected_version=meeting.version,
    )
    meeting = result.meeting
    assert meeting.place == "Hội trường xã"
    assert list(meeting.hamlets.all()) == [org.hamlet_b]
    assert meeting.version == 2
    assert meeting.events.last().data == {"fields": ["hamlets", "place"]}


def test_stale_version_is_a_conflict(org):
    meeting = plan(org, starts_at=at(2030, 5, 5, 8))
    refused(
        ConflictError,
        meeting_update,
        meeting,
        meeting_id=meeting.pk,
        actor=org.committee_leader,
        changes={"place": "Khác"},
        expected_version=meeting.version + 1,
    )


def test_kind_cannot_change_once_held(org):
    meeting = hold(org, plan(org))
    error = refused(
        InvalidInputError,
        meeting_update,
        meeting,
        meeting_id=meeting.pk,
        actor=org.committee_leader,
        changes={"kind": "dialogue"},
    )
    assert "kind" in error.fields


def test_an_announced_dialogue_cannot_be_moved_too_close(org):
    with clock(at(2026, 8, 3, 9)):
        meeting = plan(org, kind="dialogue", starts_at=at(2026, 8, 20, 8))
        meeting_transition(
            meeting_id=meeting.pk, action="announce", actor=org.committee_leader
        )
        error = refused(
            InvalidInputError,
            meeting_update,
            meeting,
            meeting_id=meeting.pk,
            actor=org.committee_leader,
            changes={"starts_at": at(2026, 8, 6, 8)},
        )
        assert "08/08/2026" in error.fields["starts_at"]
        meeting_update(
            meeting_id=meeting.pk,
            actor=org.committee_leader,
            changes={"starts_at": at(2026, 8, 8, 8)},
        )


def test_reported_meetings_are_closed(org):
    meeting = hold(org, plan(org))
    meeting_transition(
        meeting_id=meeting.pk, action="report", actor=org.committee_leader
    )
    error = refused(
        InvalidTransitionError,
        meeting_update,
        meeting,
        meeting_id=meeting.pk,
        actor=org.committee_leader,
        changes={"place": "Khác"},
    )
    assert error.allowed == []


# --------------------------------------------------------------------------
# Transitions
# --------------------------------------------------------------------------


def test_announce_then_hold_then_report(org, land):
    with clock(at(2026, 8, 3, 9)):
        meeting = plan(org, starts_at=at(2026, 8, 5, 14))
        meeting = meeting_transition(
            meeting_id=meeting.pk, action="announce", actor=org.committee_officer
        )
        assert meeting.status == MeetingStatus.ANNOUNCED
        assert meeting.announced_at == at(2026, 8, 3, 9)
    with clock(at(2026, 8, 5, 17)):
        meeting = meeting_transition(
            meeting_id=meeting.pk,
            action="hold",
            actor=org.committee_officer,
            data={"actual_attendance": "93", "minutes": " Biên bản. "},
        )
        assert (meeting.status, meeting.actual_attendance, meeting.minutes) == (
            MeetingStatus.HELD,
            93,
            "Biên bản.",
        )
        meeting = meeting_transition(
            meeting_id=meeting.pk, action="report", actor=org.committee_leader
        )
    assert meeting.status == MeetingStatus.REPORTED
    assert list(meeting.events.values_list("action", "from_status", "to_status")) == [
        ("create", "", "planned"),
        ("announce", "planned", "announced"),
        ("hold", "announced", "held"),
        ("report", "held", "reported"),
    ]
    assert [record.history_user for record in meeting.history.all()][0] == (
        org.committee_leader
    )


def test_a_dialogue_is_announced_five_days_ahead_from_july_2026(org):
    with clock(at(2026, 8, 3, 9)):
        meeting = plan(org, kind="dialogue", starts_at=at(2026, 8, 7, 8))
        error = refused(
            InvalidInputError,
            meeting_transition,
            meeting,
            meeting_id=meeting.pk,
            action="announce",
            actor=org.committee_leader,
        )
    message = error.fields["__all__"]
    assert "5" in message and "07/08/2026" in message and "02/08/2026" in message


def test_five_days_ahead_is_enough(org):
    with clock(at(2026, 8, 3, 9)):
        meeting = plan(org, kind="dialogue", starts_at=at(2026, 8, 8, 8))
        meeting = meeting_transition(
            meeting_id=meeting.pk, action="announce", actor=org.committee_leader
        )
    assert meeting.status == MeetingStatus.ANNOUNCED


def test_before_july_2026_a_dialogue_may_be_announced_late(org):
    with clock(at(2026, 3, 2, 9)):
        meeting = plan(org, kind="dialogue", starts_at=at(2026, 3, 4, 8))
        meeting = meeting_transition(
            meeting_id=meeting.pk, action="announce", actor=org.committee_leader
        )
    assert meeting.status == MeetingStatus.ANNOUNCED


def test_an_unannounced_dialogue_cannot_be_recorded_as_held(org):
    with clock(at(2026, 8, 3, 9)):
        meeting = plan(org, kind="dialogue", starts_at=at(2026, 8, 3, 7))
        error = refused(
            InvalidInputError,
            meeting_transition,
            meeting,
            meeting_id=meeting.pk,
            action="hold",
            actor=org.committee_leader,
            data={"actual_attendance": 50, "minutes": "Biên bản."},
        )
    assert "never announced" in str(error.fields["__all__"]) or "thông báo" in str(
        error.fields["__all__"]
    )


def test_a_reception_day_is_held_without_announcement(org):
    meeting = hold(org, plan(org, kind="periodic_reception"))
    assert meeting.status == MeetingStatus.HELD


def test_announcing_a_meeting_that_started_is_refused(org):
    meeting = plan(org)
    refused(
        InvalidInputError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="announce",
        actor=org.committee_leader,
    )


def test_holding_needs_attendance_and_minutes(org):
    meeting = plan(org)
    error = refused(
        InvalidInputError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="hold",
        actor=org.committee_leader,
        data={"actual_attendance": "", "minutes": "  "},
    )
    assert set(error.fields) == {"actual_attendance", "minutes"}
    error = refused(
        InvalidInputError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="hold",
        actor=org.committee_leader,
        data={"actual_attendance": -3, "minutes": "Biên bản."},
    )
    assert set(error.fields) == {"actual_attendance"}


def test_a_meeting_is_recorded_only_once_it_took_place(org):
    meeting = plan(org, starts_at=at(2030, 5, 5, 8))
    refused(
        InvalidInputError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="hold",
        actor=org.committee_leader,
        data={"actual_attendance": 10, "minutes": "Biên bản."},
    )


def test_reporting_needs_every_item_handled(org, land):
    meeting = hold(org, plan(org))
    items_add(
        meeting_id=meeting.pk, actor=org.committee_leader, items=[item_input(land)]
    )
    error = refused(
        InvalidInputError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="report",
        actor=org.committee_leader,
    )
    assert "1" in error.fields["__all__"]


def test_an_illegal_transition_says_what_is_allowed(org):
    meeting = plan(org)
    error = refused(
        InvalidTransitionError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="report",
        actor=org.committee_leader,
    )
    assert error.allowed == ["announce", "hold", "cancel"]


def test_officers_may_not_report_or_cancel(org):
    meeting = hold(org, plan(org))
    refused(
        PermissionDeniedError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="report",
        actor=org.committee_officer,
    )


def test_cancel_needs_a_reason(org):
    meeting = plan(org, starts_at=at(2030, 5, 5, 8))
    error = refused(
        InvalidInputError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="cancel",
        actor=org.committee_leader,
        data={"reason": " "},
    )
    assert "reason" in error.fields
    meeting = meeting_transition(
        meeting_id=meeting.pk,
        action="cancel",
        actor=org.committee_leader,
        data={"reason": "Trùng lịch họp của tỉnh."},
    )
    assert (meeting.status, meeting.cancel_reason) == (
        MeetingStatus.CANCELLED,
        "Trùng lịch họp của tỉnh.",
    )


def test_unknown_action(org):
    meeting = plan(org)
    error = refused(
        InvalidInputError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="delete",
        actor=org.committee_leader,
    )
    assert error.code == "unknown_action"


def test_outsiders_do_not_learn_the_meeting_exists(org):
    meeting = plan(org)
    for user in (org.outsider, org.officer):
        refused(
            NotFoundError,
            meeting_transition,
            meeting,
            meeting_id=meeting.pk,
            action="hold",
            actor=user,
            data={"actual_attendance": 1, "minutes": "x"},
        )


def test_a_hamlet_sees_its_meeting_but_cannot_change_it(org):
    meeting = plan(org)
    refused(
        PermissionDeniedError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="hold",
        actor=org.leader_a,
        data={"actual_attendance": 1, "minutes": "x"},
    )


# --------------------------------------------------------------------------
# The signed minutes
# --------------------------------------------------------------------------


def test_the_scan_of_the_minutes_is_stored_by_its_bytes(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = plan(org)
    upload = SimpleUploadedFile("bien ban.pdf", PDF, content_type="image/png")
    meeting = meeting_transition(
        meeting_id=meeting.pk,
        action="hold",
        actor=org.committee_leader,
        data={"actual_attendance": 40, "minutes": "Biên bản."},
        minutes_file=upload,
    )
    assert meeting.minutes_content_type == "application/pdf"
    assert meeting.minutes_file_name == "bien ban.pdf"
    assert meeting.minutes_size == len(PDF)
    assert meeting.minutes_file.name.startswith(f"meetings/{meeting.pk}/")
    assert meeting.minutes_file.name.endswith(".pdf")
    assert (tmp_path / meeting.minutes_file.name).read_bytes() == PDF


def test_a_file_that_is_not_a_scan_is_refused(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = plan(org)
    fake = SimpleUploadedFile(
        "bien-ban.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"
    )
    error = refused(
        InvalidInputError,
        meeting_transition,
        meeting,
        meeting_id=meeting.pk,
        action="hold",
        actor=org.committee_leader,
        data={"actual_attendance": 40, "minutes": "Biên bản."},
        minutes_file=fake,
    )
    assert "minutes_file" in error.fields
    assert not list(tmp_path.rglob("*.*"))


def test_a_scan_above_the_limit_is_refused(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DIALOGUES_MINUTES_MAX_BYTES = 32
    meeting = hold(org, plan(org))
    error = refused(
        InvalidInputError,
        meeting_record,
        meeting,
        meeting_id=meeting.pk,
        actor=org.committee_leader,
        actual_attendance=40,
        minutes="Biên bản.",
        minutes_file=SimpleUploadedFile("scan.png", PNG, "image/png"),
    )
    assert "minutes_file" in error.fields


def test_the_minutes_can_be_corrected_while_held(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = hold(org, plan(org))
    meeting = meeting_record(
        meeting_id=meeting.pk,
        actor=org.committee_officer,
        actual_attendance=81,
        minutes="Biên bản đã chỉnh.",
        minutes_file=SimpleUploadedFile("scan.png", PNG, "image/png"),
    )
    assert (meeting.actual_attendance, meeting.minutes) == (81, "Biên bản đã chỉnh.")
    assert meeting.minutes_content_type == "image/png"
    assert meeting.events.last().action == "record"
    assert BytesIO(meeting.minutes_file.read()).read(4) == PNG[:4]


def test_minutes_of_a_planned_meeting_cannot_be_corrected(org):
    meeting = plan(org)
    refused(
        InvalidTransitionError,
        meeting_record,
        meeting,
        meeting_id=meeting.pk,
        actor=org.committee_leader,
        actual_attendance=1,
        minutes="x",
    )


def test_the_database_refuses_a_held_meeting_without_minutes(org):
    from django.db import IntegrityError, transaction

    meeting = plan(org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(status="held")
    assert dt.date  # the check constraint, not the service, refused it
