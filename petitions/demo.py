"""Demo reception register for ``manage.py seed_demo``.

Connected to ``feedback.signals.demo_seeded`` in ``PetitionsConfig.ready``.
Four months of the commune desk's register, written through
``petitions.services.visit_create``: citizens guided or answered on the
spot, mass visits with their representatives, and — for each letter the
reception clerk logged in person in that time — the visit it came from,
linked to its case.  Running it again adds nothing once visits exist.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from feedback.models import Case, Channel, Role, UnitKind
from petitions.models import ReceptionVisit, VisitCase, VisitKind, VisitOutcome
from petitions.services import PersonInput, representatives_allowed, visit_create

HISTORY_DAYS = 120
# A register of one desk over four months holds a few hundred letters; with a
# bulk-seeded database of a million cases the desk's in-person letters run to
# tens of thousands, each a visit written through the service.  The register
# follows the most recent ones only.
LETTER_VISITS_MAX = 400

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Hồ"]
MIDDLE = ["Văn", "Thị", "Đình", "Hữu", "Thị Thu", "Xuân", "Minh", "Thị Kim"]
GIVEN = ["An", "Bình", "Cúc", "Dũng", "Hà", "Hòa", "Lan", "Long", "Mai", "Nam", "Sơn"]

# type, what the citizen came about, guidance or answer given
WALK_INS = [
    (
        VisitKind.FEEDBACK,
        "Hỏi thủ tục cấp đổi giấy chứng nhận quyền sử dụng đất bị rách.",
        "Hướng dẫn nộp hồ sơ tại Bộ phận một cửa, mang theo bản gốc và CCCD.",
    ),
    (
        VisitKind.FEEDBACK,
        "Phản ánh đèn chiếu sáng đường trục xóm hỏng đã hai tuần.",
        "Đã báo đội điện của xã; hẹn sửa trong tuần.",
    ),
    (
        VisitKind.COMPLAINT,
        "Khiếu nại việc tính tiền sử dụng đất khi chuyển mục đích.",
        "Hướng dẫn gửi đơn khiếu nại đến Chủ tịch UBND xã, kèm thông báo thuế.",
    ),
    (
        VisitKind.FEEDBACK,
        "Hỏi chế độ trợ cấp cho người cao tuổi từ 75 tuổi.",
        "Giải thích chế độ theo quy định; hướng dẫn làm tờ khai.",
    ),
    (
        VisitKind.MIXED,
        "Vừa khiếu nại việc xử phạt xây dựng, vừa tố cáo cán bộ địa chính.",
        "Hướng dẫn tách thành đơn khiếu nại và đơn tố cáo riêng.",
    ),
]
MASS_VISITS = [
    (
        VisitKind.COMPLAINT,
        "Các hộ dân xóm đề nghị xem xét lại mức bồi thường khi làm đường liên xã.",
        "Tiếp nhận ý kiến; hẹn tổ chức đối thoại với các hộ trong tháng.",
    ),
    (
        VisitKind.FEEDBACK,
        "Người dân phản ánh trại chăn nuôi gây mùi hôi, nước thải chảy ra kênh.",
        "Ghi nhận; giao công chức Địa chính – Môi trường kiểm tra thực tế.",
    ),
]


def _name(rng) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _person(rng, hamlet_name: str) -> PersonInput:
    return PersonInput(
        full_name=_name(rng),
        phone=f"09{rng.randrange(10**7, 10**8)}",
        address=hamlet_name,
    )


def seed_demo_visits(*, root_unit, users, rng, today, stdout) -> int:
    """Write the demo register; return how many visits it wrote."""
    clerk = users.get("reception")
    if clerk is None or ReceptionVisit.objects.exists():
        return 0
    membership = (
        clerk.memberships.filter(role=Role.RECEPTION).select_related("unit").first()
    )
    desk = membership.unit if membership else None
    if desk is None:
        return 0
    hamlets = list(
        root_unit.subtree().filter(kind=UnitKind.HAMLET).values_list("name", flat=True)
    ) or [root_unit.name]
    officer = f"{clerk.last_name} {clerk.first_name}".strip() or clerk.get_username()
    zone = timezone.get_current_timezone()
    now = timezone.now()
    since = now - dt.timedelta(days=HISTORY_DAYS)
    plans: list[tuple[dt.datetime, dict, Case | None]] = []
    letters = Case.objects.filter(
        created_by=clerk,
        channel=Channel.IN_PERSON,
        received_at__gte=since,
        received_at__lte=now,
    ).order_by("-received_at", "-id")[:LETTER_VISITS_MAX]
    letters = letters.prefetch_related("parties")
    for case in letters:
        named = [
            PersonInput(
                full_name=party.full_name,
                national_id=party.national_id,
                phone=party.phone,
                address=party.address,
            )
            for party in case.parties.all()
            if party.role in ("petitioner", "representative")
        ]
        named = named[: representatives_allowed(case.petitioner_count)[1]]
        if not named:
            continue
        plans.append(
            (
                case.received_at,
                {
                    "visitor_count": case.petitioner_count,
                    "persons": named,
                    "kind": case.kind
                    if case.kind in VisitKind.values
                    else VisitKind.FEEDBACK,
                    "content": case.title,
                    "outcome": VisitOutcome.CASE_CREATED,
                },
                case,
            )
        )
    for offset in range(HISTORY_DAYS, 0, -1):
        day = today - dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for _index in range(rng.choice((0, 0, 1, 1, 2))):
            moment = dt.datetime.combine(
                day, dt.time(rng.randrange(7, 11), rng.randrange(0, 60)), zone
            )
            hamlet = rng.choice(hamlets)
            if rng.random() < 0.12:
                kind, content, guidance = rng.choice(MASS_VISITS)
                count = rng.randrange(6, 30)
                low, high = representatives_allowed(count)
                persons = [_person(rng, hamlet) for _ in range(rng.randint(low, high))]
                outcome = VisitOutcome.GUIDED
            else:
                kind, content, guidance = rng.choice(WALK_INS)
                count = 1
                persons = [_person(rng, hamlet)]
                outcome = rng.choice((VisitOutcome.GUIDED, VisitOutcome.ANSWERED))
            plans.append(
                (
                    moment,
                    {
                        "visitor_count": count,
                        "persons": persons,
                        "kind": kind,
                        "content": content,
                        "outcome": outcome,
                        "guidance": guidance,
                        "within_competence": kind != VisitKind.MIXED,
                    },
                    None,
                )
            )
    # Written in time order, so the register's numbers run with the dates.
    plans.sort(key=lambda plan: plan[0])
    with transaction.atomic():
        for moment, values, case in plans:
            visit = visit_create(
                actor=clerk,
                unit=desk,
                visited_at=moment,
                receiving_officer=officer,
                **values,
            )
            if case is not None:
                VisitCase.objects.create(visit=visit, case=case)
    written = len(plans)
    stdout.write(f"Reception register: {written} visits.\n")
    return written
