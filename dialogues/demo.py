"""Demo meetings for ``manage.py seed_demo``: two years of the commune's
dialogues with the people, voter contact before and after the council's
sessions, and the chairman's reception days, with items in every state.

Connected to ``feedback.signals.demo_seeded`` in ``DialoguesConfig.ready``.
Everything goes through the services with Django's clock set to each step's
time, so statuses, events, history rows, cases and deadlines are the
services' own.  Running it again adds nothing once meetings exist.

What the data shows:

* reception days every Thursday while a weekly rule is in force (until
  30/06/2026) and on the 2nd and 4th Thursdays otherwise, skipped on public holidays
  and now and then cancelled, so that the calendar shows months that fall
  short;
* voter contact of the People's Council before and after each session (mid
  year and year end) in two clusters of hamlets, and the yearly dialogue
  conference of the People's Committee with the Fatherland Front, plus a
  dialogue on a matter of the moment;
* items answered on the spot, turned into cases (received, being resolved,
  overdue, resolved, closed, published), merged (raised by several voters),
  flagged as hot spots, and still pending at the latest meeting;
* meetings planned, announced, held, reported back and cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from dialogues import services
from dialogues.models import (
    Meeting,
    MeetingItem,
    MeetingKind,
    MeetingRule,
    RaisedBy,
)
from feedback.errors import DomainError
from feedback.models import Field, Membership, Role, Unit, UnitKind
from feedback.selectors.deadlines import working_calendar
from feedback.services.cases import case_transition

HISTORY_DAYS = 730
PLANNING_DAYS = 45

# field, summary, what was said, the answer, the office that answers it
# (by unit code; the People's Committee when the code is missing).
TOPICS = [
    (
        "infrastructure",
        "Đường trục xóm xuống cấp, nhiều ổ gà",
        "Tuyến đường trục {xom} dài khoảng 800 m đã xuống cấp nghiêm trọng, "
        "nhiều ổ gà, mùa mưa ngập nước, học sinh đi lại khó khăn. Đề nghị xã "
        "đưa vào kế hoạch nâng cấp, bê tông hóa.",
        "UBND xã đã đưa tuyến đường vào danh mục đầu tư công trung hạn; trước "
        "mắt giao bộ phận Địa chính – Xây dựng vá ổ gà bằng đá cấp phối, hoàn "
        "thành trước mùa mưa. Nhân dân cùng Nhà nước làm theo phương châm "
        "Nhà nước hỗ trợ xi măng, Nhân dân góp công.",
        "XT-DC",
    ),
    (
        "infrastructure",
        "Kênh mương nội đồng bị bồi lấp, không đủ nước tưới",
        "Kênh tưới nội đồng {xom} bị bồi lấp, sạt lở nhiều đoạn, vụ hè thu "
        "vừa qua nhiều ruộng không đủ nước. Đề nghị nạo vét, kiên cố hóa.",
        "UBND xã đã phối hợp với Hợp tác xã dịch vụ nông nghiệp nạo vét toàn "
        "tuyến trước vụ; việc kiên cố hóa 600 m kênh được đưa vào kế hoạch "
        "năm sau từ nguồn hỗ trợ phát triển đất trồng lúa.",
        "XT-DC",
    ),
    (
        "land",
        "Chậm cấp giấy chứng nhận quyền sử dụng đất",
        "Hộ gia đình nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất từ nhiều "
        "tháng trước nhưng đến nay chưa được cấp, không rõ vướng ở khâu nào.",
        "Hồ sơ đã được bộ phận Địa chính kiểm tra, bổ sung trích đo và chuyển "
        "Văn phòng đăng ký đất đai; giấy chứng nhận đã được cấp và trao cho "
        "gia đình.",
        "XT-DC",
    ),
    (
        "land",
        "Bồi thường giải phóng mặt bằng mở rộng đường liên xã",
        "Nhiều hộ {xom} bị thu hồi đất mở rộng đường liên xã chưa đồng tình "
        "với đơn giá bồi thường cây cối, hoa màu và chưa được thông báo thời "
        "gian chi trả. Đề nghị công khai phương án, đối thoại với các hộ.",
        "UBND xã đã phối hợp với Hội đồng bồi thường tổ chức đối thoại, công "
        "khai phương án và đơn giá; kiểm đếm lại cây cối cho 6 hộ có ý kiến. "
        "Tiền bồi thường đã được chi trả đủ cho các hộ.",
        "XT-DC",
    ),
    (
        "environment",
        "Rác thải sinh hoạt không được thu gom kịp thời",
        "Rác thải tại điểm tập kết {xom} nhiều ngày không được thu gom, bốc "
        "mùi, gây mất vệ sinh. Đề nghị tăng số lần thu gom trong tuần.",
        "UBND xã đã làm việc với đơn vị thu gom, tăng lên 3 lần/tuần và di "
        "chuyển điểm tập kết ra xa khu dân cư.",
        "XT-DC",
    ),
    (
        "environment",
        "Trại chăn nuôi gây ô nhiễm",
        "Trại lợn gần khu dân cư {xom} xả nước thải ra mương chung, mùi hôi "
        "ảnh hưởng nhiều hộ. Đề nghị kiểm tra, xử lý.",
        "Đoàn kiểm tra của xã đã lập biên bản, yêu cầu chủ trại xây bể lắng, "
        "cải tạo hầm biogas; kiểm tra lại sau 30 ngày, tình trạng ô nhiễm "
        "đã được khắc phục.",
        "XT-DC",
    ),
    (
        "social-policy",
        "Rà soát hộ nghèo, hộ cận nghèo chưa sát thực tế",
        "Cử tri phản ánh việc bình xét hộ nghèo, cận nghèo tại {xom} có hộ "
        "chưa đúng đối tượng, có hộ khó khăn thật sự lại không được xét.",
        "UBND xã đã chỉ đạo Ban rà soát {xom} họp dân bình xét lại công khai; "
        "điều chỉnh 2 hộ ra khỏi danh sách và bổ sung 1 hộ đủ điều kiện.",
        "XT-VHXH",
    ),
    (
        "social-policy",
        "Chế độ cho người có công chưa được giải quyết",
        "Gia đình có bố là người tham gia kháng chiến bị nhiễm chất độc hóa "
        "học đã nộp hồ sơ hưởng chế độ nhưng chưa có kết quả.",
        "Hồ sơ đã được hoàn thiện, chuyển Sở Nội vụ thẩm định; UBND xã sẽ "
        "thông báo ngay khi có quyết định hưởng trợ cấp.",
        "XT-VHXH",
    ),
    (
        "health",
        "Trạm y tế thiếu thuốc bảo hiểm y tế",
        "Người dân đi khám tại Trạm y tế xã thường phải ra ngoài mua thêm "
        "thuốc vì trạm không đủ thuốc theo danh mục bảo hiểm y tế.",
        "Trạm y tế đã bổ sung dự trù thuốc với Trung tâm y tế; các loại thuốc "
        "thiết yếu đã được cấp đủ theo danh mục.",
        "XT-VHXH",
    ),
    (
        "education",
        "Phòng học Trường Tiểu học xuống cấp",
        "Một số phòng học tại điểm trường {xom} bị thấm dột, bàn ghế hư hỏng, "
        "không bảo đảm an toàn cho học sinh.",
        "UBND xã đã bố trí kinh phí sửa chữa mái, thay bàn ghế trong dịp hè; "
        "các phòng học đã đưa vào sử dụng đầu năm học mới.",
        "XT-VHXH",
    ),
    (
        "security-order",
        "Tình trạng trộm cắp vặt, thanh thiếu niên tụ tập ban đêm",
        "Thời gian gần đây tại {xom} xảy ra một số vụ mất trộm gia cầm, xe "
        "đạp; thanh thiếu niên tụ tập, đua xe ban đêm gây mất trật tự.",
        "Công an xã đã tăng cường tuần tra ban đêm, phối hợp với tổ an ninh "
        "tự quản {xom}; tình hình đã ổn định.",
        "XT-CA",
    ),
    (
        "administration",
        "Thời gian chứng thực, hộ tịch còn chậm",
        "Người dân phải chờ lâu khi làm thủ tục chứng thực, đăng ký hộ tịch "
        "tại Bộ phận một cửa, nhất là vào đầu tuần.",
        "UBND xã đã bố trí thêm cán bộ tiếp nhận vào sáng thứ Hai và thứ Ba, "
        "hướng dẫn người dân nộp hồ sơ trực tuyến trên Cổng dịch vụ công.",
        "XT-TP",
    ),
    (
        "infrastructure",
        "Lưới điện yếu, thường xuyên mất điện",
        "Lưới điện hạ thế cuối nguồn {xom} điện yếu, mất điện thường xuyên "
        "vào mùa hè, ảnh hưởng sinh hoạt và sản xuất.",
        "UBND xã đã đề nghị Điện lực lắp thêm trạm biến áp; trạm đã được "
        "đóng điện, điện áp cuối nguồn bảo đảm.",
        "XT-VP",
    ),
    (
        "social-policy",
        "Đề nghị hỗ trợ giống cây trồng sau bão lũ",
        "Sau đợt mưa lũ, nhiều diện tích lúa, hoa màu {xom} bị thiệt hại. Đề "
        "nghị xã đề xuất hỗ trợ giống để người dân tái sản xuất.",
        "UBND xã đã tổng hợp thiệt hại, đề nghị cấp trên hỗ trợ; giống lúa và "
        "ngô đã được cấp cho các hộ bị thiệt hại trước khung thời vụ.",
        "XT-VHXH",
    ),
]

RECEPTION_TOPICS = [
    (
        "land",
        "Tranh chấp ranh giới thửa đất với hộ liền kề",
        "Công dân trình bày việc hộ liền kề xây tường lấn sang phần đất của "
        "gia đình khoảng 0,5 m, đề nghị xã hòa giải, xác định lại ranh giới.",
        "Chủ tịch UBND xã giao bộ phận Địa chính đo đạc, đối chiếu bản đồ "
        "địa chính và tổ chức hòa giải tại xóm; hai bên đã thống nhất ranh "
        "giới theo bản đồ.",
        "XT-DC",
    ),
    (
        "land",
        "Đề nghị chuyển mục đích sử dụng đất vườn sang đất ở",
        "Công dân hỏi thủ tục, điều kiện chuyển mục đích sử dụng đất vườn "
        "liền kề sang đất ở để làm nhà cho con.",
        "Đã hướng dẫn công dân điều kiện theo quy hoạch, kế hoạch sử dụng đất "
        "và thành phần hồ sơ; công dân nộp hồ sơ tại Bộ phận một cửa.",
        "XT-DC",
    ),
    (
        "social-policy",
        "Đề nghị xét trợ cấp cho người cao tuổi neo đơn",
        "Công dân đề nghị xem xét hưởng trợ cấp xã hội cho mẹ già trên 80 "
        "tuổi, sống một mình, không có lương hưu.",
        "Bộ phận Văn hóa – Xã hội đã hướng dẫn lập hồ sơ; bà đã được hưởng "
        "trợ cấp xã hội hằng tháng từ tháng sau.",
        "XT-VHXH",
    ),
    (
        "administration",
        "Đề nghị cấp lại giấy khai sinh bị mất",
        "Công dân bị mất bản chính giấy khai sinh, hỏi thủ tục cấp bản sao từ sổ gốc.",
        "Đã hướng dẫn và cấp bản sao trích lục khai sinh ngay trong ngày.",
        "XT-TP",
    ),
    (
        "security-order",
        "Mâu thuẫn giữa hai gia đình về lối đi chung",
        "Công dân trình bày mâu thuẫn với hộ bên cạnh về việc sử dụng lối đi "
        "chung, đã xảy ra xô xát, đề nghị chính quyền can thiệp.",
        "Công an xã và Tổ hòa giải xóm đã mời hai gia đình hòa giải; hai bên "
        "cam kết giữ nguyên hiện trạng lối đi chung.",
        "XT-CA",
    ),
]

SURNAMES = [
    "Nguyễn",
    "Nguyễn",
    "Nguyễn",
    "Hồ",
    "Lê",
    "Trần",
    "Phan",
    "Hoàng",
    "Thái",
    "Đậu",
    "Võ",
    "Phạm",
    "Cao",
    "Chu",
]
MIDDLE = ["Văn", "Văn", "Thị", "Thị", "Đình", "Hữu", "Thị Thu", "Sỹ", "Bá"]
GIVEN = [
    "Hùng",
    "Lan",
    "Hương",
    "Tâm",
    "Bình",
    "Hòa",
    "Thắng",
    "Mai",
    "Sơn",
    "Nga",
    "Lộc",
    "Thủy",
    "Cường",
    "Vân",
    "Kiên",
    "Hạnh",
    "Tùng",
    "Yến",
]
DEPUTIES = [
    "Hồ Sỹ Nam",
    "Trần Thị Vân",
    "Nguyễn Đình Khang",
    "Phan Thị Hồng",
    "Lê Văn Quý",
    "Hoàng Thị Oanh",
]
MINUTES = (
    "Buổi {kind} do {chair} chủ trì. Đại diện {organiser} báo cáo tình hình "
    "kinh tế – xã hội, quốc phòng – an ninh và kết quả giải quyết các ý kiến, "
    "kiến nghị kỳ trước. Có {count} ý kiến của cử tri, công dân phát biểu; "
    "lãnh đạo xã đã trả lời, tiếp thu và giao các bộ phận chuyên môn giải "
    "quyết. Buổi làm việc kết thúc lúc 11 giờ 00 cùng ngày; biên bản đã được "
    "thông qua và các bên ký."
)


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Run the block as if it were ``moment`` (Django's clock only)."""
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


@dataclass
class Step:
    moment: dt.datetime
    run: Callable[[], object]


class DemoMaker:
    """Plans the meetings of two years and plays them in time order."""

    def __init__(self, *, root_unit, users, rng, today, stdout, history_days):
        self.rng = rng
        self.history_days = history_days
        self.today = today
        self.stdout = stdout
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.users = users
        subtree = list(root_unit.subtree())
        self.by_code = {unit.code: unit for unit in subtree}
        self.committee = self._first(subtree, UnitKind.PEOPLES_COMMITTEE)
        self.council = self._first(subtree, UnitKind.PEOPLES_COUNCIL)
        self.front = self._first(subtree, UnitKind.FRONT)
        self.hamlets = sorted(
            (unit for unit in subtree if unit.kind == UnitKind.HAMLET),
            key=lambda unit: unit.code,
        )
        self.fields = Field.objects.in_bulk(field_name="code")
        self.supervisor = users.get("supervisor") or self._member(
            root_unit, Role.SUPERVISOR
        )
        self.chairman = users.get("chutich") or self._member(
            self.committee, Role.LEADER
        )
        self.council_chair = users.get("leader.hdnd") or self._member(
            self.council, Role.LEADER
        )
        first = today - dt.timedelta(days=history_days)
        self.calendar = working_calendar(
            first_year=first.year, last_year=today.year + 1
        )
        self.reception_rules = list(
            MeetingRule.objects.filter(
                rule_type="frequency", meeting_kind=MeetingKind.PERIODIC_RECEPTION
            )
        )
        self.counts = {"meetings": 0, "items": 0, "cases": 0}

    @staticmethod
    def _first(units, kind):
        return next((unit for unit in units if unit.kind == kind), None)

    @staticmethod
    def _member(unit, role):
        if unit is None:
            return None
        membership = (
            Membership.objects.filter(unit=unit, role=role)
            .select_related("user")
            .first()
        )
        return membership.user if membership else None

    def _leader_of(self, unit):
        return self._member(unit, Role.LEADER) or self.supervisor

    def _moment(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def _person(self) -> str:
        rng = self.rng
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    def _xom(self, hamlet) -> str:
        return hamlet.name[:1].lower() + hamlet.name[1:]

    # Planning ---------------------------------------------------------------

    def plan(self) -> list[dict]:
        """Every meeting to create, in time order."""
        first = self.today - dt.timedelta(days=self.history_days)
        last = self.today + dt.timedelta(days=PLANNING_DAYS)
        meetings = []
        if self.committee is not None and self.chairman is not None:
            meetings += self._reception_days(first, last)
            meetings += self._dialogues(first, last)
        if self.council is not None and self.supervisor is not None:
            meetings += self._voter_contacts(first, last)
        meetings.sort(key=lambda spec: spec["starts_at"])
        return meetings

    def _reception_days(self, first, last) -> list[dict]:
        specs = []
        day = first + dt.timedelta(days=(3 - first.weekday()) % 7)  # Thursday
        while day <= last:
            second_or_fourth = 8 <= day.day <= 14 or 22 <= day.day <= 28
            # Every week while a weekly rule is in force, else twice a month.
            weekly = any(
                rule.period == "week" and rule.is_valid_on(day)
                for rule in self.reception_rules
            )
            if (weekly or second_or_fourth) and self.calendar.is_working_day(day):
                specs.append(
                    {
                        "kind": MeetingKind.PERIODIC_RECEPTION,
                        "organiser": self.committee,
                        "topic": "Tiếp công dân định kỳ của Chủ tịch UBND xã",
                        "starts_at": self._moment(day, 7, 30),
                        "ends_at": self._moment(day, 11, 30),
                        "place": "Trụ sở tiếp công dân, UBND xã",
                        "actor": self.chairman,
                        "chair": self.chairman,
                        "chair_position": "Chủ tịch UBND xã",
                        "hamlets": [],
                        "participants": [],
                        "items": self.rng.choice([0, 0, 1, 1, 1, 2]),
                        "topics": RECEPTION_TOPICS,
                        # Now and then the chairman is called away.
                        "cancel": len(specs) % 12 == 5,
                    }
                )
            day += dt.timedelta(days=7)
        return specs

    def _dialogues(self, first, last) -> list[dict]:
        specs = []
        participants = [unit for unit in (self.front,) if unit is not None]
        for year in range(first.year, last.year + 1):
            for day, topic, items in (
                (
                    dt.date(year, 3, 20),
                    f"Đối thoại với Nhân dân về công tác bồi thường, giải phóng "
                    f"mặt bằng năm {year}",
                    5,
                ),
                (
                    dt.date(year, 8, 21),
                    f"Hội nghị đối thoại giữa Chủ tịch UBND xã với Nhân dân năm {year}",
                    8,
                ),
            ):
                day = self._working_day_on_or_after(day)
                if not first <= day <= last:
                    continue
                specs.append(
                    {
                        "kind": MeetingKind.DIALOGUE,
                        "organiser": self.committee,
                        "topic": topic,
                        "starts_at": self._moment(day, 8),
                        "ends_at": self._moment(day, 11),
                        "place": "Hội trường UBND xã",
                        "actor": self.chairman,
                        "chair": self.chairman,
                        "chair_position": "Chủ tịch UBND xã",
                        "hamlets": list(self.hamlets),
                        "participants": participants,
                        "items": items,
                        "topics": TOPICS,
                        "cancel": False,
                    }
                )
        return specs

    def _voter_contacts(self, first, last) -> list[dict]:
        specs = []
        half = (len(self.hamlets) + 1) // 2
        clusters = [self.hamlets[:half], self.hamlets[half:]]
        participants = [
            unit for unit in (self.committee, self.front) if unit is not None
        ]
        session = 7
        for year in range(first.year, last.year + 1):
            for session_day in (dt.date(year, 7, 10), dt.date(year, 12, 15)):
                session += 1
                name = f"Kỳ họp thứ {session}, HĐND xã khóa XXI"
                for timing, offset in (("before", -18), ("after", 16)):
                    for index, cluster in enumerate(clusters):
                        if not cluster:
                            continue
                        day = self._working_day_on_or_after(
                            session_day + dt.timedelta(days=offset + index)
                        )
                        if not first <= day <= last:
                            continue
                        label = "trước" if timing == "before" else "sau"
                        specs.append(
                            {
                                "kind": MeetingKind.VOTER_CONTACT,
                                "organiser": self.council,
                                "topic": f"Tiếp xúc cử tri {label} {name[0].lower()}"
                                f"{name[1:]}",
                                "starts_at": self._moment(day, 14),
                                "ends_at": self._moment(day, 17),
                                "place": f"Nhà văn hóa {self._xom(cluster[0])}",
                                "actor": self.supervisor,
                                "chair": self.council_chair,
                                "chair_name": "" if self.council_chair else "Hồ Sỹ Nam",
                                "chair_position": "Phó Chủ tịch HĐND xã",
                                "hamlets": cluster,
                                "participants": participants,
                                "deputies": "\n".join(self.rng.sample(DEPUTIES, 3)),
                                "council_session": name,
                                "session_timing": timing,
                                "items": self.rng.randint(4, 7),
                                "topics": TOPICS,
                                "cancel": False,
                            }
                        )
        return specs

    def _working_day_on_or_after(self, day: dt.date) -> dt.date:
        while not self.calendar.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    # Playing -----------------------------------------------------------------

    def run(self) -> None:
        # Texts stored from labels (minutes, notes) in the deployment's
        # language, whatever the command's.
        with translation.override(settings.LANGUAGE_CODE):
            self._run()

    def _run(self) -> None:
        specs = self.plan()
        latest_held = max(
            (
                spec
                for spec in specs
                if spec["starts_at"] < self.now - dt.timedelta(hours=6)
                and spec["items"]
                and not spec["cancel"]
            ),
            key=lambda spec: spec["starts_at"],
            default=None,
        )
        for spec in specs:
            with transaction.atomic():
                self._play(spec, keep_pending=spec is latest_held)

    def _at(self, moment, run) -> object:
        with clock_at(min(moment, self.now)):
            return run()

    def _play(self, spec: dict, *, keep_pending: bool) -> None:
        rng = self.rng
        starts_at = spec["starts_at"]
        planned_at = min(starts_at - dt.timedelta(days=rng.randint(12, 25)), self.now)
        result = self._at(
            planned_at,
            lambda: services.meeting_create(
                actor=spec["actor"],
                kind=spec["kind"],
                organiser_unit=spec["organiser"],
                topic=spec["topic"],
                starts_at=starts_at,
                ends_at=spec["ends_at"],
                place=spec["place"],
                chair=spec["chair"],
                chair_name=spec.get("chair_name", ""),
                chair_position=spec["chair_position"],
                participating_units=spec["participants"],
                hamlets=spec["hamlets"],
                deputies=spec.get("deputies", ""),
                council_session=spec.get("council_session", ""),
                session_timing=spec.get("session_timing", ""),
                expected_attendance=(
                    None
                    if spec["kind"] == MeetingKind.PERIODIC_RECEPTION
                    else rng.randint(60, 150)
                ),
            ),
        )
        meeting = result.meeting
        self.counts["meetings"] += 1
        actor = spec["actor"]
        if spec["kind"] != MeetingKind.PERIODIC_RECEPTION:
            announce_at = starts_at - dt.timedelta(days=rng.randint(7, 10))
            if announce_at <= self.now:
                self._transition(meeting, "announce", actor, announce_at)
        if spec["cancel"]:
            cancel_at = starts_at - dt.timedelta(days=1)
            if cancel_at <= self.now:
                self._transition(
                    meeting,
                    "cancel",
                    actor,
                    cancel_at,
                    reason="Chủ tịch UBND xã đi họp tại tỉnh; lịch tiếp chuyển "
                    "sang ngày tiếp định kỳ kế tiếp.",
                )
            return
        held_at = spec["ends_at"] + dt.timedelta(minutes=30)
        if held_at > self.now:
            return
        count = spec["items"]
        attendance = (
            rng.randint(2, 9)
            if spec["kind"] == MeetingKind.PERIODIC_RECEPTION
            else rng.randint(55, 140)
        )
        self._transition(
            meeting,
            "hold",
            actor,
            held_at,
            actual_attendance=attendance,
            minutes=MINUTES.format(
                kind=meeting.get_kind_display().lower(),
                chair=f"{spec['chair_position']} {meeting.chair_display}",
                organiser=spec["organiser"].name,
                count=count,
            ),
        )
        if not count:
            self._report(meeting, spec, held_at + dt.timedelta(days=1), [])
            return
        items = self._add_items(meeting, spec, held_at)
        if keep_pending:
            # The latest meeting is still being recorded: one hot spot and
            # one ordinary item wait to be handled.
            waiting = items[-2:]
            self._at(
                held_at + dt.timedelta(minutes=10),
                lambda: services.item_set_hot_spot(
                    item_id=waiting[0].pk,
                    actor=spec["actor"],
                    is_hot_spot=True,
                    reason="Nhiều hộ bức xúc, có nguy cơ khiếu kiện đông người.",
                ),
            )
            items = items[:-2]
        cases = self._handle_items(meeting, spec, items, held_at)
        if keep_pending:
            return
        self._report(meeting, spec, held_at, cases)

    def _transition(self, meeting, action, actor, moment, **data):
        self._at(
            moment,
            lambda: services.meeting_transition(
                meeting_id=meeting.pk, action=action, actor=actor, data=data
            ),
        )

    def _add_items(self, meeting, spec, held_at) -> list[MeetingItem]:
        rng = self.rng
        topics = rng.sample(spec["topics"], min(spec["items"], len(spec["topics"])))
        entries = []
        hamlets = spec["hamlets"] or self.hamlets
        for field_code, title, content, _answer, _office in topics:
            hamlet = rng.choice(hamlets)
            by_voters = spec["kind"] != MeetingKind.PERIODIC_RECEPTION and (
                rng.random() < 0.35
            )
            entries.append(
                services.ItemInput(
                    raised_by=RaisedBy.HAMLET_VOTERS if by_voters else RaisedBy.PERSON,
                    raiser_name="" if by_voters else self._person(),
                    raiser_address="" if by_voters else hamlet.name,
                    raiser_hamlet=hamlet,
                    field=self.fields[field_code],
                    title=title,
                    content=content.format(xom=self._xom(hamlet)),
                    is_hot_spot="giải phóng mặt bằng" in title.lower()
                    and rng.random() < 0.5,
                )
            )
        # Several voters raise the same matter at voter contact meetings.
        duplicates = []
        if spec["kind"] == MeetingKind.VOTER_CONTACT and entries:
            original = entries[0]
            for _copy in range(rng.randint(1, 2)):
                hamlet = rng.choice(hamlets)
                duplicates.append(
                    services.ItemInput(
                        raised_by=RaisedBy.PERSON,
                        raiser_name=self._person(),
                        raiser_address=hamlet.name,
                        raiser_hamlet=hamlet,
                        field=original.field,
                        title=original.title,
                        content=original.content,
                    )
                )
        created = self._at(
            held_at,
            lambda: services.items_add(
                meeting_id=meeting.pk,
                actor=spec["actor"],
                items=entries + duplicates,
            ),
        )
        self.counts["items"] += len(created)
        primaries = created[: len(entries)]
        copies = created[len(entries) :]
        if copies:
            self._at(
                held_at + dt.timedelta(minutes=5),
                lambda: services.items_merge(
                    meeting_id=meeting.pk,
                    actor=spec["actor"],
                    primary_id=primaries[0].pk,
                    item_ids=[item.pk for item in copies],
                ),
            )
        answers = {title: (answer, office) for _f, title, _c, answer, office in topics}
        for item in primaries:
            item.demo_answer, item.demo_office = answers[item.title]
        return primaries

    def _handle_items(self, meeting, spec, items, held_at) -> list:
        """Answer some on the spot, turn the rest into cases (one batch)."""
        rng = self.rng
        answered, converted = [], []
        for item in items:
            on_the_spot = rng.random() < (
                0.6 if spec["kind"] == MeetingKind.PERIODIC_RECEPTION else 0.35
            )
            (answered if on_the_spot and not item.is_hot_spot else converted).append(
                item
            )
        moment = held_at + dt.timedelta(minutes=20)
        for item in answered:
            self._at(
                moment,
                lambda item=item: services.item_answer(
                    item_id=item.pk,
                    actor=spec["actor"],
                    answer=item.demo_answer.format(xom=self._xom(item.raiser_hamlet)),
                    answered_by=f"{spec['chair_position']} {meeting.chair_display}",
                ),
            )
        if not converted:
            return []
        conversions = []
        for item in converted:
            unit = self.by_code.get(item.demo_office) or self.committee
            chair_date = None
            if rng.random() < 0.25:
                chair_date = timezone.localtime(
                    meeting.starts_at
                ).date() + dt.timedelta(days=rng.choice([15, 20, 45]))
            conversions.append(
                services.ItemConversion(
                    item_id=item.pk, responsible_unit=unit, answer_due_on=chair_date
                )
            )
        done = self._at(
            moment,
            lambda: services.items_convert(
                meeting_id=meeting.pk, actor=spec["actor"], conversions=conversions
            ),
        )
        self.counts["cases"] += len(done)
        originals = {item.pk: item for item in converted}
        for item in done:
            item.demo_answer = originals[item.pk].demo_answer
            self._progress_case(item, held_at)
        return done

    def _progress_case(self, item, held_at) -> None:
        """Move the case as far as its age makes plausible."""
        rng = self.rng
        case = item.case
        leader = self._leader_of(case.responsible_unit)
        age = (self.now - held_at).days
        moment = held_at + dt.timedelta(days=rng.randint(1, 4), hours=2)
        if moment > self.now:
            return
        self._case_step(case, "accept", leader, moment)
        due_days = max((case.final_due_on - moment.date()).days, 3)
        chance = 0.9 if age > 80 else (0.5 if age > 25 else 0.1)
        if item.is_hot_spot:
            chance /= 2
        if rng.random() >= chance:
            if rng.random() < 0.5:
                note_at = moment + dt.timedelta(days=rng.randint(3, 10))
                if note_at <= self.now:
                    self._case_step(
                        case,
                        "note",
                        leader,
                        note_at,
                        text="Đang phối hợp kiểm tra thực địa, làm việc với các "
                        "hộ liên quan.",
                    )
            return
        late = rng.random() < 0.15
        resolve_at = moment + dt.timedelta(
            days=rng.randint(due_days + 2, due_days + 12)
            if late
            else rng.randint(3, max(due_days - 1, 3))
        )
        if resolve_at > self.now:
            return
        self._case_step(
            case,
            "resolve",
            leader,
            resolve_at,
            public_answer=item.demo_answer.format(xom=self._xom(item.raiser_hamlet)),
        )
        close_at = resolve_at + dt.timedelta(days=rng.randint(5, 20))
        if close_at <= self.now and rng.random() < 0.6:
            self._case_step(case, "close", leader, close_at)

    def _case_step(self, case, action, actor, moment, **data) -> None:
        try:
            self._at(
                moment,
                lambda: case_transition(
                    case_id=case.pk, action=action, actor=actor, data=data
                ),
            )
        except DomainError as error:  # pragma: no cover - demo data only
            self.stdout.write(f"  {case.code} {action}: {error.message}")

    def _report(self, meeting, spec, held_at, cases) -> None:
        report_at = held_at + dt.timedelta(days=self.rng.randint(20, 45))
        if report_at > self.now:
            return
        self._transition(meeting, "report", spec["actor"], report_at)
        if spec["kind"] != MeetingKind.PERIODIC_RECEPTION and self.rng.random() < 0.7:
            self._at(
                report_at + dt.timedelta(hours=2),
                lambda: services.meeting_publish_results(
                    meeting_id=meeting.pk, actor=self.supervisor
                ),
            )


def seed_demo_meetings(
    *, root_unit, users, rng, today, stdout, history_days: int = HISTORY_DAYS
):
    """Add ``history_days`` (two years) of demo meetings under ``root_unit``
    (the commune) and those planned for the coming weeks; nothing when
    meetings already exist."""
    if Meeting.objects.exists():
        stdout.write(
            "Đã có buổi tiếp xúc, đối thoại; không tạo thêm / meetings exist, "
            "none added."
        )
        return
    if not isinstance(root_unit, Unit):  # pragma: no cover - defensive
        return
    maker = DemoMaker(
        root_unit=root_unit,
        users=users,
        rng=rng,
        today=today,
        stdout=stdout,
        history_days=history_days,
    )
    maker.run()
    counts = maker.counts
    stdout.write(
        f"Buổi tiếp xúc, đối thoại / meetings: {counts['meetings']}; ý kiến / "
        f"items: {counts['items']}; vụ việc / cases: {counts['cases']}."
    )
