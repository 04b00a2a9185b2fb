"""Helper of ``test_sweep_worker.py``, run in a subprocess against the
database named by ``DATABASE_URL`` (never the test run's own database).

``seed --cases N --today YYYY-MM-DD``
    Bulk-inserts a small commune and N open cases due around ``today`` and
    prints, as JSON, what the sweep must send for each case: its kind
    (reminder, escalation, or none), how many people it tells and how many
    of them by e-mail too.  The
    expectation is worked out here by hand from the data, not by the sweep.

``send --today YYYY-MM-DD --chunk-size N --queue Q [--wait SECONDS]``
    Sends the sweep task to queue Q and, with ``--wait``, prints its result.
"""

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from feedback import tracking  # noqa: E402
from feedback.models import Case, Field, Membership, Unit, UnitKind  # noqa: E402

# 12 March 2025 is a Wednesday with no holiday near: three working days
# later is Monday the 17th, five is Wednesday the 19th.
TODAY = dt.date(2025, 3, 12)
LAST_REMINDED = {"O3": dt.date(2025, 3, 17), "O5": dt.date(2025, 3, 19)}
LAST_REMINDED["H0"] = TODAY

# code, lead (working days), officers, leaders
UNITS = [
    ("O3", 3, ["o3_officer_1", "o3_officer_2"], ["o3_leader"]),
    ("O5", 5, ["o5_officer"], ["o5_leader_1", "o5_leader_2"]),
    ("H0", 0, [], ["h0_leader"]),
]
SUPERVISORS = ["province_supervisor", "commune_supervisor"]
# Who has an e-mail address (and so gets an e-mail besides the notification).
WITH_EMAIL = {"o3_leader", "o5_leader_1", "h0_leader", "commune_supervisor"}
DUE_OFFSETS = list(range(-12, 11))  # days from today


def seed(count: int) -> dict:
    users = {}
    user_model = get_user_model()

    def user(username):
        email = f"{username}@example.vn" if username in WITH_EMAIL else ""
        users[username] = user_model.objects.create(
            username=username, is_staff=True, email=email
        )
        return users[username]

    with transaction.atomic():
        province = Unit.objects.create(code="SP", name="Tỉnh", kind=UnitKind.PROVINCE)
        commune = Unit.objects.create(
            code="SC", name="Xã", kind=UnitKind.COMMUNE, parent=province
        )
        Membership.objects.create(
            user=user("province_supervisor"), unit=province, role="supervisor"
        )
        Membership.objects.create(
            user=user("commune_supervisor"), unit=commune, role="supervisor"
        )
        units = {}
        for code, lead, officers, leaders in UNITS:
            unit = Unit.objects.create(
                code=code,
                name=f"Đơn vị {code}",
                kind=UnitKind.OFFICE,
                parent=commune,
                reminder_days=lead,
            )
            units[code] = unit
            for name in officers:
                Membership.objects.create(user=user(name), unit=unit, role="officer")
            for name in leaders:
                Membership.objects.create(user=user(name), unit=unit, role="leader")
        land = Field.objects.get(code="land")
        received = timezone.make_aware(dt.datetime(2025, 2, 20, 9))
        cases, plan = [], []
        for number in range(count):
            code, _lead, officers, leaders = UNITS[number % len(UNITS)]
            due = TODAY + dt.timedelta(days=DUE_OFFSETS[number % len(DUE_OFFSETS)])
            assignee = officers[0] if officers and number % 3 == 0 else None
            status = "accepted" if number % 2 else "received"
            if number % 17 == 0:
                status = "archived"
            cases.append(
                Case(
                    code=tracking.generate_code(),
                    pin_hash="-",
                    kind="feedback",
                    channel="in_person",
                    field=land,
                    title=f"Kiến nghị số {number}",
                    content="Nội dung kiến nghị.",
                    received_at=received,
                    responsible_unit=units[code],
                    assignee=users[assignee] if assignee else None,
                    status=status,
                    stage="answer",
                    stage_due_on=due,
                    final_due_on=due,
                )
            )
            kind = None
            if status != "archived":
                if due < TODAY:
                    kind = "escalation"
                elif due <= LAST_REMINDED[code]:
                    kind = "reminder"
            people = set()
            if kind == "reminder":
                people = {assignee} if assignee else set(officers)
                people |= set(leaders)
            elif kind == "escalation":
                people = ({assignee} if assignee else set()) | set(leaders)
                people |= set(SUPERVISORS)
            plan.append((kind, len(people), len(people & WITH_EMAIL)))
        created = Case.objects.bulk_create(cases, batch_size=1000)
    return {
        "expected": [
            [case.pk, kind, people, emails]
            for case, (kind, people, emails) in zip(created, plan, strict=True)
            if kind
        ]
    }


def send(today: str, chunk_size: int, queue: str, wait: float | None) -> dict:
    from feedback.tasks import deadline_sweep

    result = deadline_sweep.apply_async(
        kwargs={"today": today, "chunk_size": chunk_size, "force": True},
        queue=queue,
    )
    if not wait:
        return {"id": result.id}
    return result.get(timeout=wait)


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("--cases", type=int, required=True)
    sending = commands.add_parser("send")
    sending.add_argument("--today", default=TODAY.isoformat())
    sending.add_argument("--chunk-size", type=int, required=True)
    sending.add_argument("--queue", required=True)
    sending.add_argument("--wait", type=float)
    options = parser.parse_args()
    if options.command == "seed":
        output = seed(options.cases)
    else:
        output = send(options.today, options.chunk_size, options.queue, options.wait)
    print(json.dumps(output))


if __name__ == "__main__":
    main()
