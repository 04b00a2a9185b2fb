"""``manage.py seed_demo [--cases N] [--seed S]``: a demo commune with cases.

Builds Xã Xuân Thành (Nghệ An) as its 2024 programme for mass mobilisation in
government describes it: the steering committee, the People's Committee and
its offices, the People's Council, the Fatherland Front, the mass
organisations and ten hamlets; the demo staff who log in to it (password
``langnghe-demo``); and cases over the last two years, of every kind, channel,
status and flag, some of them overdue and some due within three working days.

* Units are found by code and users by username, so running the command
  again creates neither twice; an existing user's password is kept unless it
  has none.
* Without ``--cases``, 400 cases are added to a database that has none, and
  none to one that has any.  ``--cases N`` always adds N.
* Up to 2,000 cases are created with ``case_create`` and moved with
  ``case_transition`` (accept, assign, draft and approve the answer, publish,
  close; return, forward, archive, withdraw), each step run with the clock set
  to its own past time, so events, answers, history and due dates are the
  services' own.  The side effects they schedule on commit (the citizen's
  e-mail and SMS) are not scheduled for this made-up past.
* More cases are inserted in batches of 5,000: the same plans, with the
  services' effects replayed in memory against one calendar and the policy
  rows read once.  Each case gets its parties, its approved answer, the
  "created" event and its last status event (sealed in the case's audit
  chain, ``feedback.audit``), and no history rows.  Each batch is one
  transaction, except into a PostgreSQL database without cases: there the
  whole load is one transaction that drops the tables' plain indexes and
  foreign keys, copies the batches, and rebuilds them at the end.  The
  batches alternate between two streams, each with its own random
  generator, planned and built side by side in two processes.
* ``--seed S`` makes the generated data reproducible (not the tracking
  codes): the same seed and database state give the same cases again.  An
  empty PostgreSQL database gets them from two streams, any other from
  one, so the two differ.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import gc
import hashlib
import hmac
import itertools
import json
import multiprocessing
import random
import secrets
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, partial
from operator import itemgetter
from string import Formatter
from traceback import format_exc
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, reset_queries, transaction
from django.utils import timezone

from feedback import audit, deadlines, tracking, workflow
from feedback.errors import DomainError
from feedback.models import (
    Answer,
    AnswerStatus,
    AuditChain,
    AuditHead,
    BodyClass,
    Case,
    CaseEvent,
    CaseKind,
    Channel,
    CitizenNotice,
    DeadlinePolicy,
    EventKind,
    Field,
    HandlingOutcome,
    LegalGround,
    Membership,
    Outcome,
    Party,
    PartyRole,
    Role,
    Status,
    Unit,
    UnitKind,
)
from feedback.selectors.deadlines import working_calendar
from feedback.services.cases import (
    AFTER_DECISION_STAGE,
    EVENT_KINDS,
    FINISH_OUTCOMES,
    FIRST_STAGE,
    INTERNAL_ACTIONS,
    PartyInput,
    case_create,
    case_transition,
)
from feedback.signals import demo_seeded

DEFAULT_CASES = 400
# Above this many cases the services would take too long: bulk inserts.
BULK_THRESHOLD = 2000
BULK_BATCH = 5000
PROGRESS_EVERY = 100_000
# Into an empty PostgreSQL database, the batches come from this many streams,
# built side by side (``CaseMaker._streams``): as many as the cores the load
# was tuned on, and fixed, so that a seed makes the same data anywhere.
STREAMS = 2
CODE_SPACE = tracking.BASE**tracking.RANDOM_LENGTH
HISTORY_DAYS = 730
SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
DEMO_PASSWORD = "langnghe-demo"  # noqa: S105 - printed for the demo on purpose
# Every demo log-in has an authenticator with this key (base32), printed for
# the demo: add it to an authenticator app to get the log-in codes.
DEMO_TOTP_SECRET = "LANGNGHEDEMOTOTPLANGNGHEDEMOTOTP"  # noqa: S105
ADDRESS_TAIL = "xã Xuân Thành, tỉnh Nghệ An"

# --------------------------------------------------------------------------
# The commune
# --------------------------------------------------------------------------

COMMITTEE_CODE = "XT-UBND"
COUNCIL_CODE = "XT-HDND"
FRONT_CODE = "XT-MTTQ"

# code, name, kind, parent code, remote area
UNITS = [
    ("NA", "Tỉnh Nghệ An", UnitKind.PROVINCE, None, False),
    ("NA-XT", "Xã Xuân Thành", UnitKind.COMMUNE, "NA", False),
    (
        "XT-BCD",
        "Ban Chỉ đạo công tác dân vận chính quyền xã",
        UnitKind.STEERING_COMMITTEE,
        "NA-XT",
        False,
    ),
    ("XT-UBND", "Ủy ban nhân dân xã", UnitKind.PEOPLES_COMMITTEE, "NA-XT", False),
    ("XT-HDND", "Hội đồng nhân dân xã", UnitKind.PEOPLES_COUNCIL, "NA-XT", False),
    ("XT-MTTQ", "Ủy ban MTTQ Việt Nam xã", UnitKind.FRONT, "NA-XT", False),
    ("XT-HND", "Hội Nông dân xã", UnitKind.MASS_ORG, "NA-XT", False),
    ("XT-HPN", "Hội Liên hiệp Phụ nữ xã", UnitKind.MASS_ORG, "NA-XT", False),
    ("XT-DTN", "Đoàn Thanh niên xã", UnitKind.MASS_ORG, "NA-XT", False),
    ("XT-CCB", "Hội Cựu chiến binh xã", UnitKind.MASS_ORG, "NA-XT", False),
    ("XT-DC", "Địa chính – Xây dựng", UnitKind.OFFICE, "XT-UBND", False),
    ("XT-TP", "Tư pháp – Hộ tịch", UnitKind.OFFICE, "XT-UBND", False),
    ("XT-VHXH", "Văn hóa – Xã hội", UnitKind.OFFICE, "XT-UBND", False),
    ("XT-VP", "Văn phòng – Thống kê", UnitKind.OFFICE, "XT-UBND", False),
    ("XT-CA", "Công an xã", UnitKind.OFFICE, "XT-UBND", False),
    ("XT-TCKT", "Tài chính – Kế toán", UnitKind.OFFICE, "XT-UBND", False),
    ("XT-X01", "Xóm Yên Thái", UnitKind.HAMLET, "NA-XT", False),
    ("XT-X02", "Xóm Trung Thành", UnitKind.HAMLET, "NA-XT", False),
    ("XT-X03", "Xóm Đông Lộc", UnitKind.HAMLET, "NA-XT", False),
    ("XT-X04", "Xóm Tây Xuân", UnitKind.HAMLET, "NA-XT", False),
    ("XT-X05", "Xóm Nam Phong", UnitKind.HAMLET, "NA-XT", False),
    ("XT-X06", "Xóm Thịnh Mỹ", UnitKind.HAMLET, "NA-XT", False),
    ("XT-X07", "Xóm Phúc Hậu", UnitKind.HAMLET, "NA-XT", False),
    ("XT-X08", "Xóm Tân Hợp", UnitKind.HAMLET, "NA-XT", False),
    ("XT-X09", "Xóm Bắc Sơn", UnitKind.HAMLET, "NA-XT", True),
    ("XT-X10", "Xóm Khe Lim", UnitKind.HAMLET, "NA-XT", True),
]
HAMLET_CODES = [code for code, _n, kind, _p, _r in UNITS if kind == UnitKind.HAMLET]

# The office that handles each field of the reference data.
FIELD_OFFICE = {
    "land": "XT-DC",
    "construction": "XT-DC",
    "environment": "XT-DC",
    "infrastructure": "XT-DC",
    "social-policy": "XT-VHXH",
    "health": "XT-VHXH",
    "education": "XT-VHXH",
    "security-order": "XT-CA",
    "administration": "XT-TP",
    "other": "XT-VP",
}
OFFICES = frozenset(FIELD_OFFICE.values())

# username, họ và tên đệm (last_name), tên (first_name), position,
# ((unit code, role), ...), superuser
STAFF = [
    (
        "reception",
        "Nguyễn Thị Thu",
        "Hằng",
        "Công chức tiếp công dân, Bộ phận một cửa",
        (("XT-UBND", Role.RECEPTION),),
        False,
    ),
    (
        "officer",
        "Trần Văn",
        "Hùng",
        "Công chức Địa chính – Xây dựng",
        (("XT-DC", Role.OFFICER),),
        False,
    ),
    (
        "leader",
        "Lê Đình",
        "Toàn",
        "Trưởng bộ phận Địa chính – Xây dựng",
        (("XT-DC", Role.LEADER),),
        False,
    ),
    (
        "supervisor",
        "Hoàng Thị",
        "Lan",
        "Phó Trưởng Ban Chỉ đạo công tác dân vận chính quyền xã",
        (("NA-XT", Role.SUPERVISOR),),
        False,
    ),
    (
        "admin",
        "Đặng Quốc",
        "Việt",
        "Quản trị hệ thống",
        (("NA-XT", Role.ADMIN),),
        True,
    ),
    (
        "chutich",
        "Phan Hoàng",
        "Thụ",
        "Chủ tịch UBND xã, Trưởng Ban Chỉ đạo",
        (("XT-UBND", Role.LEADER), ("XT-BCD", Role.LEADER)),
        False,
    ),
    (
        "officer.ubnd",
        "Hồ Thị Ngọc",
        "Ánh",
        "Chuyên viên xử lý đơn thư, UBND xã",
        (("XT-UBND", Role.OFFICER),),
        False,
    ),
    (
        "leader.tp",
        "Nguyễn Văn",
        "Lâm",
        "Trưởng bộ phận Tư pháp – Hộ tịch",
        (("XT-TP", Role.LEADER),),
        False,
    ),
    (
        "officer.tp",
        "Phạm Thị",
        "Hương",
        "Công chức Tư pháp – Hộ tịch",
        (("XT-TP", Role.OFFICER),),
        False,
    ),
    (
        "leader.vhxh",
        "Thái Văn",
        "Sơn",
        "Trưởng bộ phận Văn hóa – Xã hội",
        (("XT-VHXH", Role.LEADER),),
        False,
    ),
    (
        "officer.vhxh",
        "Võ Thị",
        "Mai",
        "Công chức Văn hóa – Xã hội",
        (("XT-VHXH", Role.OFFICER),),
        False,
    ),
    (
        "leader.vp",
        "Cao Xuân",
        "Bình",
        "Chánh Văn phòng UBND xã",
        (("XT-VP", Role.LEADER),),
        False,
    ),
    (
        "officer.vp",
        "Đậu Thị",
        "Thảo",
        "Công chức Văn phòng – Thống kê",
        (("XT-VP", Role.OFFICER),),
        False,
    ),
    (
        "leader.ca",
        "Nguyễn Hữu",
        "Thắng",
        "Trưởng Công an xã",
        (("XT-CA", Role.LEADER),),
        False,
    ),
    (
        "officer.ca",
        "Bùi Văn",
        "Quân",
        "Cán bộ Công an xã",
        (("XT-CA", Role.OFFICER),),
        False,
    ),
    (
        "leader.tckt",
        "Chu Thị",
        "Yến",
        "Kế toán trưởng",
        (("XT-TCKT", Role.LEADER),),
        False,
    ),
    (
        "leader.hdnd",
        "Hồ Sỹ",
        "Nam",
        "Phó Chủ tịch HĐND xã",
        (("XT-HDND", Role.LEADER),),
        False,
    ),
    (
        "leader.mttq",
        "Trần Thị",
        "Vân",
        "Chủ tịch Ủy ban MTTQ Việt Nam xã",
        (("XT-MTTQ", Role.LEADER),),
        False,
    ),
    (
        "officer.x01",
        "Nguyễn Thị",
        "Huệ",
        "Phó trưởng xóm Yên Thái",
        (("XT-X01", Role.OFFICER),),
        False,
    ),
] + [
    (
        f"leader.x{number:02d}",
        last_name,
        first_name,
        "Trưởng xóm",
        ((f"XT-X{number:02d}", Role.LEADER),),
        False,
    )
    for number, (last_name, first_name) in enumerate(
        [
            ("Nguyễn Văn", "Tám"),
            ("Hồ Sỹ", "Hòa"),
            ("Phan Văn", "Lợi"),
            ("Lê Thị", "Nhàn"),
            ("Trần Đình", "Kha"),
            ("Đậu Văn", "Tư"),
            ("Võ Văn", "Hiếu"),
            ("Thái Bá", "Cường"),
            ("Lương Văn", "Pín"),
            ("Lô Văn", "Kham"),
        ],
        start=1,
    )
]
MAIN_USERS = ["reception", "officer", "leader", "supervisor", "admin", "chutich"]
RECEPTION = "reception"

# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------

SURNAMES = (
    ["Nguyễn"] * 14
    + ["Hồ"] * 4
    + ["Lê"] * 4
    + ["Trần"] * 4
    + ["Phan"] * 3
    + ["Hoàng"] * 3
    + ["Thái"] * 2
    + ["Đậu"] * 2
    + ["Võ"] * 2
    + ["Phạm", "Cao", "Chu", "Đặng", "Bùi", "Đinh", "Ngô", "Dương", "Lưu", "Tăng"]
)
MALE_MIDDLE = ["Văn"] * 6 + ["Đình", "Hữu", "Đức", "Công", "Quang", "Xuân", "Bá", "Sỹ"]
FEMALE_MIDDLE = ["Thị"] * 8 + [
    "Thị Thu",
    "Thị Hồng",
    "Thị Minh",
    "Thị Thanh",
    "Thị Kim",
    "Ngọc",
    "Thị Mỹ",
]
MALE_GIVEN = (
    "Hùng Dũng Tuấn Cường Hải Long Nam Sơn Thắng Toàn Bình Hòa Lâm Phúc Quang "
    "Tài Thành Trung Vinh Đức Hiếu Kiên Lộc Nghĩa Quý Thịnh Tùng Việt Hưng Khánh"
).split()
FEMALE_GIVEN = (
    "Hoa Lan Hương Hằng Hà Mai Nga Oanh Thảo Thủy Trang Yến Loan Nhung Phương "
    "Hiền Tâm Vân Liên Dung Huyền Lý Tuyết Xuân Ngân Quyên Sen Hạnh Thơm Nhàn"
).split()
MOBILE_PREFIXES = (
    "032 033 034 035 036 037 038 039 056 058 059 070 076 077 078 079 081 082 "
    "083 084 085 086 088 089 090 091 093 094 096 097 098 099"
).split()
COMPANIES = [
    "Công ty TNHH Xây dựng Thành Đạt",
    "Công ty TNHH MTV Cát sỏi Hưng Phát",
    "Công ty CP Vật liệu xây dựng Lam Hồng",
    "Công ty TNHH Chăn nuôi Phú Gia",
]
SCHOOLS = [
    "Trường Tiểu học Xuân Thành",
    "Trường THCS Xuân Thành",
    "Trường Mầm non Xuân Thành",
]

# --------------------------------------------------------------------------
# What people write about
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """One kind of matter, written the way citizens and officials write it.

    ``{...}`` slots are filled per case.  ``answer`` is the reply to feedback,
    petitions and dialogue issues; for complaints and denunciations the reply
    is composed from the outcome, ``subject`` (what a rejection upholds) and
    ``remedy`` (what is done when the case is founded).  ``accused`` names
    the denounced person's workplace, or ``company`` for a business.
    """

    field: str
    title: str
    content: str
    place: str = ""
    answer: str = ""
    subject: str = ""
    remedy: str = ""
    accused: str = ""
    local: bool = False


T = Template

FEEDBACK_TEMPLATES = [
    T(
        "infrastructure",
        "Đường nối {xom} với {xom2} bị sụt lún, nhiều ổ gà",
        "Đoạn đường bê tông từ {xom} đi {xom2}, dài khoảng {meters} m, bị sụt "
        "lún, nhiều ổ gà sâu; trời mưa nước đọng, học sinh và người dân đi lại "
        "rất nguy hiểm, đã có người bị ngã xe. Đề nghị UBND xã kiểm tra, sớm có "
        "phương án sửa chữa.",
        "Tuyến đường nối {xom} với {xom2}",
        "UBND xã đã giao bộ phận Địa chính – Xây dựng kiểm tra hiện trường. Đoạn "
        "hư hỏng đã được vá tạm bằng đá cấp phối; việc sửa chữa, nâng cấp được "
        "đưa vào kế hoạch đầu tư công năm {next_year} từ nguồn vốn xây dựng "
        "nông thôn mới nâng cao.",
    ),
    T(
        "environment",
        "Trại lợn của hộ {owner} gây ô nhiễm môi trường",
        "Trại chăn nuôi khoảng {pigs} con lợn của hộ {owner} tại {xom} xả nước "
        "thải chưa qua xử lý ra mương thoát nước chung, mùi hôi thối nồng nặc, "
        "nhất là khi trời nắng nóng; nhiều hộ xung quanh phải đóng cửa cả ngày. "
        "Đề nghị chính quyền kiểm tra, buộc chủ trại xây dựng hệ thống xử lý "
        "chất thải theo quy định.",
        "Khu chăn nuôi {xom}",
        "Đoàn kiểm tra của UBND xã đã làm việc với chủ trại, lập biên bản, yêu "
        "cầu cải tạo hầm biogas và không xả thải ra mương chung. Kiểm tra lại "
        "sau 30 ngày: chủ trại đã xây thêm bể lắng, mùi hôi giảm rõ rệt; UBND "
        "xã tiếp tục giám sát định kỳ.",
    ),
    T(
        "security-order",
        "Hát karaoke gây ồn ào sau 22 giờ tại {xom}",
        "Gia đình {other} tại {xom} thường xuyên mở loa kéo hát karaoke với âm "
        "lượng lớn đến 23–24 giờ, ảnh hưởng đến việc nghỉ ngơi của người già, "
        "trẻ nhỏ và việc học của học sinh. Hàng xóm đã nhắc nhở nhiều lần nhưng "
        "không chấm dứt. Đề nghị Công an xã xử lý.",
        "{Xom}",
        "Công an xã phối hợp với Ban cán sự {xom} đến nhắc nhở, yêu cầu gia đình "
        "cam kết không gây ồn ào sau 22 giờ theo Nghị định 144/2021/NĐ-CP. Từ "
        "đó đến nay việc gây ồn không còn tái diễn.",
        local=True,
    ),
    T(
        "social-policy",
        "Chậm chi trả trợ cấp xã hội hằng tháng",
        "Tôi là người khuyết tật nặng, đang hưởng trợ cấp xã hội hằng tháng. Đã "
        "{months} tháng nay tôi chưa nhận được tiền trợ cấp, hỏi thì được trả "
        "lời là đang chờ kinh phí. Đề nghị UBND xã kiểm tra, chi trả đầy đủ và "
        "đúng kỳ.",
        "",
        "Bộ phận Văn hóa – Xã hội đã kiểm tra: việc chậm là do chuyển sang chi "
        "trả qua tài khoản. Toàn bộ tiền trợ cấp các tháng còn thiếu đã được "
        "chi trả cho ông (bà); từ tháng sau chi trả đúng kỳ.",
    ),
    T(
        "education",
        "Đề nghị công khai các khoản thu đầu năm học tại {school}",
        "Đầu năm học, {school} thu của mỗi học sinh nhiều khoản ngoài học phí "
        "như quỹ phụ huynh, tiền mua sắm thiết bị, tiền học thêm, tổng cộng "
        "khoảng {amount}. Phụ huynh không được họp bàn trước và không biết khoản "
        "nào là bắt buộc. Đề nghị kiểm tra, công khai và chỉ thu các khoản đúng "
        "quy định.",
        "{school}",
        "UBND xã đã phối hợp với nhà trường rà soát: các khoản thu thỏa thuận "
        "được công khai lại tại cuộc họp phụ huynh; khoản mua sắm thiết bị không "
        "đúng quy định đã dừng thu và hoàn trả cho phụ huynh.",
    ),
    T(
        "construction",
        "Hộ {other} xây nhà lấn hành lang đường giao thông",
        "Hộ {other} ở {xom} đang xây nhà ở và mái che lấn ra hành lang an toàn "
        "đường liên xóm khoảng {meters_small} m, làm thu hẹp mặt đường, che "
        "khuất tầm nhìn ở khúc cua. Đề nghị UBND xã kiểm tra giấy phép xây dựng "
        "và xử lý vi phạm.",
        "{Xom}",
        "Bộ phận Địa chính – Xây dựng đã kiểm tra, lập biên bản vi phạm hành "
        "chính về trật tự xây dựng; chủ hộ đã tự tháo dỡ phần mái che lấn hành "
        "lang đường và cam kết xây dựng đúng ranh giới.",
    ),
    T(
        "infrastructure",
        "Đề nghị lắp đèn chiếu sáng trục đường chính {xom}",
        "Trục đường chính {xom} dài khoảng {meters} m chưa có đèn chiếu sáng, "
        "buổi tối rất tối, thường xảy ra trộm cắp vặt và va chạm giao thông. "
        "Nhân dân sẵn sàng đóng góp ngày công. Đề nghị xã hỗ trợ kinh phí lắp "
        "đèn năng lượng mặt trời.",
        "Trục đường chính {xom}",
        "UBND xã thống nhất hỗ trợ 50% kinh phí lắp 25 bộ đèn năng lượng mặt "
        "trời trên trục chính {xom}, phần còn lại do nhân dân tự nguyện đóng "
        "góp; công trình đã hoàn thành và đưa vào sử dụng.",
        local=True,
    ),
    T(
        "environment",
        "Rác thải tồn đọng tại điểm tập kết đầu {xom}",
        "Điểm tập kết rác đầu {xom} đã hơn hai tuần không được thu gom, rác "
        "tràn ra đường, bốc mùi, ruồi nhặng nhiều. Đề nghị xã yêu cầu tổ thu "
        "gom thực hiện đúng lịch.",
        "Điểm tập kết rác đầu {xom}",
        "UBND xã đã làm việc với tổ thu gom; rác tồn đọng được thu dọn ngay "
        "trong ngày. Lịch thu gom được tăng lên 2 lần mỗi tuần và niêm yết tại "
        "nhà văn hóa xóm.",
        local=True,
    ),
    T(
        "land",
        "Chậm cấp Giấy chứng nhận quyền sử dụng đất",
        "Tôi nộp hồ sơ đề nghị cấp Giấy chứng nhận quyền sử dụng đất cho thửa "
        "đất số {parcel}, tờ bản đồ số {sheet} tại {xom} từ ngày {date}, đến "
        "nay đã quá thời hạn nhưng chưa nhận được kết quả và không được thông "
        "báo lý do. Đề nghị UBND xã kiểm tra, trả lời.",
        "Thửa đất số {parcel}, tờ bản đồ số {sheet}, {xom}",
        "Hồ sơ đã được chuyển Văn phòng Đăng ký đất đai; việc chậm là do phải đo "
        "đạc lại ranh giới thửa đất. Công dân đã được hướng dẫn bổ sung biên "
        "bản xác định ranh giới, mốc giới; Giấy chứng nhận đã được cấp và trao "
        "tại Bộ phận một cửa.",
    ),
    T(
        "health",
        "Người cao tuổi chưa được cấp thẻ bảo hiểm y tế",
        "Bố tôi năm nay {old_age} tuổi, thuộc diện được ngân sách nhà nước đóng "
        "bảo hiểm y tế, nhưng từ đầu năm đến nay chưa được cấp thẻ, đi khám "
        "bệnh phải trả toàn bộ chi phí. Đề nghị xã rà soát danh sách, đề nghị "
        "cấp thẻ.",
        "",
        "Bộ phận Văn hóa – Xã hội đã rà soát: ông thuộc diện được cấp thẻ nhưng "
        "bị sót khi lập danh sách. Xã đã bổ sung danh sách gửi cơ quan bảo hiểm "
        "xã hội; thẻ đã được cấp và gia đình được hướng dẫn thanh toán lại chi "
        "phí khám bệnh.",
    ),
    T(
        "security-order",
        "Chó thả rông không rọ mõm tại {xom}",
        "Nhiều hộ ở {xom} thả rông chó không rọ mõm, chưa tiêm phòng dại; tuần "
        "trước một cháu học sinh bị chó cắn trên đường đi học. Đề nghị chính "
        "quyền tuyên truyền, xử lý các hộ vi phạm.",
        "{Xom}",
        "Ban cán sự {xom} đã tuyên truyền trên loa truyền thanh và lập danh sách "
        "hộ nuôi chó; Công an xã nhắc nhở, xử phạt 2 trường hợp tái phạm. Trạm "
        "Y tế xã tổ chức tiêm phòng dại cho đàn chó tại xóm.",
        local=True,
    ),
    T(
        "infrastructure",
        "Mương tưới nội đồng {xom} bị bồi lấp",
        "Tuyến mương tưới nội đồng chạy qua cánh đồng {xom} bị bồi lấp, cỏ mọc "
        "dày, nước không về được ruộng; vụ sắp tới nhiều hộ có nguy cơ không "
        "gieo cấy được. Đề nghị xã chỉ đạo nạo vét trước mùa vụ.",
        "Cánh đồng {xom}",
        "UBND xã phối hợp với Hợp tác xã dịch vụ nông nghiệp nạo vét {meters} m "
        "mương nội đồng, hoàn thành trước khi xuống giống; Hội Nông dân xã vận "
        "động hội viên tham gia ngày công.",
    ),
    T(
        "administration",
        "Thái độ tiếp dân chưa đúng mực tại Bộ phận một cửa",
        "Ngày {date}, tôi đến Bộ phận một cửa UBND xã làm thủ tục chứng thực, "
        "cán bộ tiếp nhận thiếu nhiệt tình và yêu cầu nộp thêm giấy tờ không có "
        "trong thành phần hồ sơ đã niêm yết. Đề nghị lãnh đạo xã chấn chỉnh.",
        "Bộ phận một cửa UBND xã",
        "Lãnh đạo UBND xã đã kiểm tra, yêu cầu công chức liên quan kiểm điểm, "
        "rút kinh nghiệm; thủ tục của công dân được giải quyết ngay trong ngày. "
        "Danh mục thủ tục và số điện thoại đường dây nóng đã được niêm yết lại.",
    ),
    T(
        "administration",
        "Sai thông tin trên giấy khai sinh của con",
        "Giấy khai sinh của con tôi ghi sai năm sinh của mẹ, khi làm thủ tục "
        "nhập học không khớp với thẻ căn cước. Đề nghị xã hướng dẫn thủ tục "
        "cải chính hộ tịch.",
        "",
        "Bộ phận Tư pháp – Hộ tịch đã hướng dẫn và tiếp nhận hồ sơ cải chính hộ "
        "tịch; giấy khai sinh đã được cải chính và trả cho công dân trong 3 "
        "ngày làm việc.",
    ),
    T(
        "social-policy",
        "Đề nghị xem xét lại kết quả rà soát hộ cận nghèo",
        "Chồng tôi bị tai nạn lao động, mất khả năng lao động, hai con đang đi "
        "học, nhưng trong đợt rà soát cuối năm gia đình không được đưa vào danh "
        "sách hộ cận nghèo. Đề nghị Ban Chỉ đạo giảm nghèo của xã xem xét lại.",
        "",
        "Tổ rà soát của xã đã phúc tra tại hộ gia đình; kết quả chấm điểm đủ "
        "điều kiện hộ cận nghèo. UBND xã đã bổ sung vào danh sách và công nhận "
        "theo quy định.",
    ),
]

COMPLAINT_TEMPLATES = [
    T(
        "land",
        "Khiếu nại phương án bồi thường khi thu hồi đất mở rộng đường",
        "Gia đình tôi bị thu hồi {area} m² đất nông nghiệp tại {xom} để mở rộng "
        "đường trục xã. Mức bồi thường, hỗ trợ trong phương án thấp hơn các hộ "
        "liền kề và không có khoản hỗ trợ chuyển đổi nghề. Tôi khiếu nại phương "
        "án bồi thường, đề nghị xem xét lại.",
        "Thửa đất số {parcel}, tờ bản đồ số {sheet}, {xom}",
        subject="phương án bồi thường, hỗ trợ đã phê duyệt",
        remedy="UBND xã điều chỉnh phương án, bổ sung khoản hỗ trợ chuyển đổi "
        "nghề và tìm kiếm việc làm cho hộ gia đình.",
    ),
    T(
        "construction",
        "Khiếu nại quyết định xử phạt vi phạm hành chính về xây dựng",
        "Ngày {date}, Chủ tịch UBND xã ban hành quyết định xử phạt gia đình tôi "
        "{amount} vì xây công trình không có giấy phép. Công trình là chuồng "
        "trại chăn nuôi trên đất nông nghiệp của gia đình, thuộc trường hợp "
        "được miễn giấy phép xây dựng. Tôi khiếu nại, đề nghị hủy quyết định.",
        "{Xom}",
        subject="quyết định xử phạt vi phạm hành chính",
        remedy="Hủy quyết định xử phạt và hoàn trả số tiền gia đình đã nộp.",
    ),
    T(
        "land",
        "Khiếu nại việc không xác nhận nguồn gốc, thời điểm sử dụng đất",
        "Gia đình tôi sử dụng thửa đất số {parcel}, tờ bản đồ số {sheet} tại "
        "{xom} ổn định, không tranh chấp từ năm {year}, nhưng UBND xã không xác "
        "nhận nguồn gốc, thời điểm sử dụng đất để làm hồ sơ cấp Giấy chứng "
        "nhận. Tôi khiếu nại việc làm này.",
        "Thửa đất số {parcel}, tờ bản đồ số {sheet}, {xom}",
        subject="văn bản trả lời của UBND xã",
        remedy="UBND xã xác nhận nguồn gốc, thời điểm sử dụng đất và hoàn thiện "
        "hồ sơ đề nghị cấp Giấy chứng nhận cho công dân.",
    ),
    T(
        "social-policy",
        "Khiếu nại quyết định thôi hưởng trợ cấp xã hội",
        "UBND xã ban hành quyết định thôi hưởng trợ cấp xã hội hằng tháng đối "
        "với mẹ tôi với lý do đã có lương hưu, trong khi mẹ tôi chỉ nhận trợ "
        "cấp một lần, không có lương hưu. Tôi khiếu nại quyết định này.",
        "",
        subject="quyết định thôi hưởng trợ cấp",
        remedy="Thu hồi quyết định thôi hưởng; tiếp tục chi trả và truy lĩnh "
        "trợ cấp cho các tháng bị cắt.",
    ),
    T(
        "land",
        "Khiếu nại việc chấm dứt hợp đồng giao khoán đất công ích",
        "Gia đình tôi nhận khoán {area} m² đất công ích tại {xom} theo hợp đồng "
        "đến năm {year_ahead}. UBND xã đơn phương chấm dứt hợp đồng, thu hồi đất "
        "để giao cho doanh nghiệp làm trang trại mà không thanh toán chi phí "
        "đầu tư. Tôi khiếu nại việc thu hồi.",
        "Đồng khoán {xom}",
        subject="thông báo chấm dứt hợp đồng giao khoán",
        remedy="UBND xã thanh toán chi phí đầu tư vào đất còn lại và bồi thường "
        "cây trồng trên đất cho gia đình.",
    ),
    T(
        "education",
        "Khiếu nại kết quả xét miễn, giảm học phí",
        "Con tôi thuộc hộ cận nghèo nhưng hồ sơ đề nghị giảm học phí năm học "
        "{school_year} tại {school} bị trả lại với lý do không đủ điều kiện. Tôi "
        "khiếu nại kết quả xét duyệt này.",
        "{school}",
        subject="kết quả xét duyệt",
        remedy="Bổ sung con của công dân vào danh sách được giảm 50% học phí "
        "theo Nghị định 81/2021/NĐ-CP.",
    ),
    T(
        "construction",
        "Khiếu nại việc cưỡng chế tháo dỡ tường rào",
        "UBND xã tổ chức cưỡng chế tháo dỡ tường rào của gia đình tôi tại {xom} "
        "với lý do lấn chiếm đất công, nhưng không giao quyết định cưỡng chế "
        "cho gia đình trước khi thực hiện theo quy định. Tôi khiếu nại việc "
        "cưỡng chế này.",
        "{Xom}",
        subject="việc tổ chức cưỡng chế",
        remedy="UBND xã bồi thường thiệt hại phần tường rào nằm trong ranh giới "
        "thửa đất của gia đình.",
    ),
]

DENUNCIATION_TEMPLATES = [
    T(
        "land",
        "Tố cáo cán bộ địa chính nhận tiền khi làm hồ sơ cấp Giấy chứng nhận",
        "Tôi tố cáo {accused}, công chức Địa chính – Xây dựng xã, khi hướng dẫn "
        "gia đình tôi làm hồ sơ cấp Giấy chứng nhận quyền sử dụng đất đã yêu "
        "cầu nộp {amount} gọi là chi phí đi lại, đo đạc mà không có biên lai. "
        "Đề nghị làm rõ, xử lý nghiêm.",
        "",
        remedy="Yêu cầu người bị tố cáo hoàn trả số tiền đã nhận; tổ chức kiểm "
        "điểm, xem xét xử lý kỷ luật theo quy định.",
        accused="UBND xã Xuân Thành, tỉnh Nghệ An",
    ),
    T(
        "other",
        "Tố cáo trưởng xóm thu tiền đóng góp sai quy định",
        "Tôi tố cáo {accused}, Trưởng {xom}, tự đặt ra khoản thu {amount_small} "
        "mỗi khẩu để sửa nhà văn hóa nhưng không thông qua cuộc họp xóm, không "
        "công khai thu chi.",
        "{Xom}",
        remedy="Yêu cầu trưởng xóm công khai thu chi, hoàn trả khoản thu sai quy "
        "định; tổ chức kiểm điểm trước cuộc họp xóm.",
        accused="{Xom}, xã Xuân Thành, tỉnh Nghệ An",
    ),
    T(
        "environment",
        "Tố cáo khai thác cát trái phép trên sông",
        "Tôi tố cáo {accused} dùng tàu hút cát trái phép đoạn sông chảy qua "
        "{xom} vào ban đêm, gây sạt lở bờ sông, ảnh hưởng đất sản xuất của nhiều "
        "hộ dân. Đề nghị kiểm tra, xử lý.",
        "Bờ sông đoạn qua {xom}",
        remedy="Công an xã lập biên bản, tạm giữ phương tiện; hồ sơ được chuyển "
        "cơ quan có thẩm quyền xử phạt và buộc khắc phục hậu quả.",
        accused="company",
    ),
    T(
        "social-policy",
        "Tố cáo việc đưa người không đủ điều kiện vào danh sách hỗ trợ",
        "Tôi tố cáo {accused}, công chức Văn hóa – Xã hội xã, đưa người thân "
        "không đủ điều kiện vào danh sách nhận hỗ trợ dịp Tết, trong khi nhiều "
        "hộ khó khăn thật sự không được nhận.",
        "",
        remedy="Thu hồi tiền hỗ trợ đã chi sai đối tượng; xử lý kỷ luật khiển "
        "trách người vi phạm.",
        accused="UBND xã Xuân Thành, tỉnh Nghệ An",
    ),
    T(
        "construction",
        "Tố cáo cán bộ làm ngơ cho xây dựng trái phép trên đất lúa",
        "Tôi tố cáo {accused}, cán bộ phụ trách trật tự xây dựng, biết việc hộ "
        "{other} xây nhà kiên cố trên đất trồng lúa tại {xom} nhưng không lập "
        "biên bản, không báo cáo lãnh đạo xã.",
        "{Xom}",
        remedy="Lập biên bản, xử lý công trình vi phạm; tổ chức kiểm điểm trách "
        "nhiệm cán bộ buông lỏng quản lý.",
        accused="UBND xã Xuân Thành, tỉnh Nghệ An",
    ),
    T(
        "education",
        "Tố cáo giáo viên ép học sinh học thêm",
        "Tôi tố cáo {accused}, giáo viên {school}, ép học sinh lớp chủ nhiệm "
        "học thêm tại nhà với mức thu {amount_small} mỗi tháng; học sinh không "
        "đi học thêm bị phân biệt đối xử.",
        "{school}",
        remedy="Đề nghị nhà trường chấm dứt việc dạy thêm sai quy định và kiểm "
        "điểm giáo viên vi phạm.",
        accused="{school}, tỉnh Nghệ An",
    ),
]

VOTER_TEMPLATES = [
    T(
        "infrastructure",
        "Cử tri {xom} kiến nghị bê tông hóa đường nội xóm",
        "Tại hội nghị tiếp xúc cử tri trước kỳ họp HĐND xã, cử tri {xom} kiến "
        "nghị: tuyến đường nội xóm dài khoảng {meters} m vẫn là đường đất, mùa "
        "mưa lầy lội. Đề nghị đưa vào kế hoạch bê tông hóa theo phương châm Nhà "
        "nước và nhân dân cùng làm.",
        "Đường nội {xom}",
        "UBND xã tiếp thu; tuyến đường được đưa vào danh mục bê tông hóa năm "
        "{next_year}, tỉnh hỗ trợ xi măng, nhân dân góp ngày công và vật liệu "
        "cát, sỏi.",
        local=True,
    ),
    T(
        "education",
        "Kiến nghị xây thêm phòng học cho Trường Mầm non",
        "Cử tri kiến nghị: Trường Mầm non Xuân Thành thiếu phòng học, nhiều lớp "
        "phải học ghép, sân chơi chật hẹp. Đề nghị xã đầu tư xây thêm phòng "
        "học và công trình vệ sinh.",
        "Trường Mầm non Xuân Thành",
        "UBND xã đã lập hồ sơ đề xuất xây dựng 4 phòng học từ nguồn vốn chương "
        "trình mục tiêu quốc gia; dự kiến khởi công trong năm {next_year}.",
    ),
    T(
        "land",
        "Kiến nghị cấp đổi Giấy chứng nhận sau dồn điền đổi thửa",
        "Cử tri kiến nghị: sau dồn điền đổi thửa đã nhiều năm, nhiều hộ ở {xom} "
        "chưa được cấp đổi Giấy chứng nhận quyền sử dụng đất nông nghiệp, khó "
        "khăn khi vay vốn, chuyển nhượng. Đề nghị xã sớm hoàn thành.",
        "Cánh đồng {xom}",
        "UBND xã đã hoàn thiện hồ sơ cấp đổi cho các hộ, chuyển Văn phòng Đăng "
        "ký đất đai thẩm định; các hộ sẽ được thông báo nhận Giấy chứng nhận "
        "tại Bộ phận một cửa.",
    ),
    T(
        "environment",
        "Kiến nghị xử lý bãi rác tự phát ven đường",
        "Cử tri {xom} kiến nghị: bãi rác tự phát ven đường đi {xom2} ngày càng "
        "lớn, bốc mùi, ảnh hưởng môi trường và mỹ quan. Đề nghị xã dọn dẹp, "
        "lắp biển cấm và xử lý người đổ rác.",
        "Ven đường từ {xom} đi {xom2}",
        "UBND xã đã huy động lực lượng dọn sạch bãi rác, lắp biển cấm đổ rác và "
        "camera giám sát; Công an xã xử phạt 3 trường hợp vi phạm.",
    ),
    T(
        "health",
        "Kiến nghị bố trí bác sĩ khám bệnh thường xuyên tại Trạm Y tế xã",
        "Cử tri kiến nghị: Trạm Y tế xã nhiều ngày không có bác sĩ, người dân "
        "phải lên tuyến trên khám bệnh. Đề nghị bố trí bác sĩ làm việc thường "
        "xuyên tại trạm.",
        "Trạm Y tế xã",
        "UBND xã đã đề nghị Trung tâm Y tế khu vực luân phiên cử bác sĩ về Trạm "
        "Y tế xã; từ tháng này trạm có bác sĩ khám bệnh các ngày thứ Hai, thứ "
        "Tư và thứ Sáu.",
    ),
    T(
        "social-policy",
        "Kiến nghị giải quyết chế độ cho người có công",
        "Cử tri kiến nghị: một số hồ sơ đề nghị hưởng chế độ người hoạt động "
        "kháng chiến bị nhiễm chất độc hóa học ở {xom} đã nộp lâu nhưng chưa có "
        "kết quả. Đề nghị xã đôn đốc cấp trên giải quyết.",
        "",
        "UBND xã đã rà soát, bổ sung giấy tờ còn thiếu và có văn bản đề nghị Sở "
        "Nội vụ giải quyết; 2 hồ sơ đã có quyết định hưởng trợ cấp.",
    ),
    T(
        "infrastructure",
        "Kiến nghị xây cầu tràn qua khe ở {xom}",
        "Cử tri {xom} kiến nghị: mùa mưa lũ nước khe dâng cao, người dân và học "
        "sinh không qua được, đã có người bị nước cuốn. Đề nghị xây cầu tràn "
        "kiên cố.",
        "Khe nước {xom}",
        "UBND xã đã báo cáo tỉnh đưa cầu tràn vào danh mục công trình phòng "
        "chống thiên tai; trước mắt cắm biển cảnh báo và bố trí người trực "
        "trong mùa mưa lũ.",
        local=True,
    ),
    T(
        "administration",
        "Kiến nghị công khai quy hoạch sử dụng đất của xã",
        "Cử tri kiến nghị: quy hoạch sử dụng đất và các dự án trên địa bàn chưa "
        "được công khai rộng rãi, người dân không biết đất nhà mình có nằm "
        "trong quy hoạch hay không. Đề nghị niêm yết công khai.",
        "Trụ sở UBND xã",
        "UBND xã đã niêm yết bản đồ quy hoạch sử dụng đất tại trụ sở và các nhà "
        "văn hóa xóm, đăng trên trang thông tin điện tử của xã.",
    ),
    T(
        "security-order",
        "Kiến nghị tăng cường tuần tra ban đêm",
        "Cử tri {xom} kiến nghị: thời gian gần đây xảy ra nhiều vụ trộm gà, "
        "trộm xe máy vào ban đêm. Đề nghị Công an xã tăng cường tuần tra, kiểm "
        "soát.",
        "{Xom}",
        "Công an xã đã phối hợp với tổ bảo vệ an ninh trật tự ở cơ sở tăng "
        "cường tuần tra ban đêm; đã bắt giữ 1 đối tượng trộm cắp, tình hình "
        "trên địa bàn ổn định.",
    ),
]

DIALOGUE_TEMPLATES = [
    T(
        "land",
        "Ý kiến về tiến độ giải phóng mặt bằng cụm công nghiệp",
        "Tại buổi đối thoại giữa Chủ tịch UBND xã với Nhân dân ngày {received}, "
        "công dân phản ánh: việc giải phóng mặt bằng cụm công nghiệp kéo dài, "
        "đất đã cắm mốc nhưng chưa chi trả tiền bồi thường, người dân không "
        "canh tác được.",
        "Khu quy hoạch cụm công nghiệp",
        "UBND xã đã làm việc với chủ đầu tư; tiền bồi thường được chi trả cho "
        "các hộ trong tháng, hộ chưa nhận tiền được tiếp tục canh tác đến khi "
        "bàn giao mặt bằng.",
    ),
    T(
        "environment",
        "Ý kiến về khói bụi từ xưởng chế biến gỗ",
        "Tại buổi đối thoại ngày {received}, công dân {xom} phản ánh xưởng chế "
        "biến gỗ gần khu dân cư gây khói bụi, tiếng ồn cả ban đêm.",
        "Xưởng chế biến gỗ, {xom}",
        "UBND xã đã kiểm tra, yêu cầu chủ xưởng lắp hệ thống hút bụi và không "
        "hoạt động sau 21 giờ; kiểm tra lại sau 30 ngày, xưởng đã chấp hành.",
    ),
    T(
        "social-policy",
        "Ý kiến về hỗ trợ hộ bị thiệt hại do mưa lũ",
        "Tại buổi đối thoại ngày {received}, công dân phản ánh: sau đợt mưa lũ, "
        "nhà và chuồng trại của nhiều hộ ở {xom} bị hư hỏng nhưng chưa nhận "
        "được hỗ trợ.",
        "{Xom}",
        "UBND xã đã thống kê thiệt hại và chi hỗ trợ cho 27 hộ theo Nghị định "
        "02/2017/NĐ-CP; Ủy ban MTTQ xã vận động thêm nguồn hỗ trợ sửa nhà.",
    ),
    T(
        "infrastructure",
        "Ý kiến về nước sinh hoạt không bảo đảm",
        "Tại buổi đối thoại ngày {received}, công dân {xom} phản ánh nước máy "
        "thường xuyên mất, có ngày nước đục, có mùi.",
        "{Xom}",
        "UBND xã đã làm việc với đơn vị cấp nước: đường ống chính được sửa "
        "chữa, mẫu nước đã xét nghiệm đạt quy chuẩn; lịch cấp nước được thông "
        "báo trên loa truyền thanh.",
    ),
    T(
        "education",
        "Ý kiến về bữa ăn bán trú ở trường tiểu học",
        "Tại buổi đối thoại ngày {received}, phụ huynh phản ánh bữa ăn bán trú "
        "của {school} chưa bảo đảm về chất lượng và định lượng so với mức thu.",
        "{school}",
        "UBND xã đã cùng nhà trường kiểm tra bếp ăn; nhà trường thay đơn vị "
        "cung cấp thực phẩm và mời đại diện phụ huynh giám sát bữa ăn hằng "
        "tuần.",
    ),
    T(
        "administration",
        "Ý kiến về thời gian giải quyết thủ tục tại Bộ phận một cửa",
        "Tại buổi đối thoại ngày {received}, công dân phản ánh một số thủ tục "
        "chứng thực, đăng ký hộ tịch phải chờ lâu, phải đi lại nhiều lần.",
        "Bộ phận một cửa UBND xã",
        "UBND xã đã bố trí thêm công chức tại Bộ phận một cửa vào các ngày cao "
        "điểm và hướng dẫn người dân nộp hồ sơ trực tuyến.",
    ),
]

TEMPLATES = {
    CaseKind.FEEDBACK: FEEDBACK_TEMPLATES,
    CaseKind.COMPLAINT: COMPLAINT_TEMPLATES,
    CaseKind.DENUNCIATION: DENUNCIATION_TEMPLATES,
    CaseKind.VOTER_PETITION: VOTER_TEMPLATES,
    CaseKind.DIALOGUE_ISSUE: DIALOGUE_TEMPLATES,
}
_FORMATTER = Formatter()


def _demo_authenticator(user) -> None:
    """A confirmed authenticator with ``DEMO_TOTP_SECRET``, unless the user
    already has one (a re-run keeps what a demo user set up)."""
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return
    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True)


def _slot_names(*texts: str) -> tuple[str, ...]:
    names = {name for text in texts for _l, name, _s, _c in _FORMATTER.parse(text)}
    names.discard(None)
    # ``accused`` last: a workplace may name another slot (the school).
    return tuple(sorted(names, key=lambda name: (name == "accused", name)))


SLOT_NAMES = {
    template: _slot_names(
        template.title,
        template.content,
        template.place,
        template.answer,
        template.remedy,
        template.accused,
    )
    for templates in TEMPLATES.values()
    for template in templates
}
# How the other slots are filled, from the generator and the day received.
SLOT_MAKERS = {
    "school": lambda rng, day: rng.choice(SCHOOLS),
    "meters": lambda rng, day: str(rng.randrange(150, 1800, 50)),
    "meters_small": lambda rng, day: rng.choice(["1", "1,5", "2", "2,5", "3"]),
    "pigs": lambda rng, day: str(rng.randrange(300, 2000, 50)),
    "area": lambda rng, day: f"{rng.randrange(150, 2500, 10):,}".replace(",", "."),
    "parcel": lambda rng, day: str(rng.randint(12, 980)),
    "sheet": lambda rng, day: str(rng.randint(3, 42)),
    "year": lambda rng, day: str(rng.randint(1985, 2010)),
    "year_ahead": lambda rng, day: str(day.year + rng.randint(1, 5)),
    "next_year": lambda rng, day: str(day.year + 1),
    "months": lambda rng, day: str(rng.randint(2, 5)),
    "old_age": lambda rng, day: str(rng.randint(75, 92)),
    "amount": lambda rng, day: _money(rng.randrange(1_500_000, 15_000_000, 500_000)),
    "amount_small": lambda rng, day: _money(rng.randrange(50_000, 500_000, 10_000)),
    "date": lambda rng, day: format(
        day - dt.timedelta(days=rng.randint(20, 200)), "%d/%m/%Y"
    ),
    "received": lambda rng, day: format(day, "%d/%m/%Y"),
    "school_year": lambda rng, day: (
        f"{day.year - (day.month < 9)}–{day.year + (day.month >= 9)}"
    ),
}


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


KIND_WEIGHTS = {
    CaseKind.FEEDBACK: 38,
    CaseKind.COMPLAINT: 16,
    CaseKind.DENUNCIATION: 8,
    CaseKind.VOTER_PETITION: 22,
    CaseKind.DIALOGUE_ISSUE: 16,
}
CHANNEL_WEIGHTS = {
    CaseKind.FEEDBACK: {
        Channel.IN_PERSON: 30,
        Channel.LETTER: 15,
        Channel.ONLINE: 25,
        Channel.PHONE: 20,
        Channel.PRESS: 5,
        Channel.TRANSFERRED: 5,
    },
    CaseKind.COMPLAINT: {
        Channel.IN_PERSON: 45,
        Channel.LETTER: 40,
        Channel.ONLINE: 5,
        Channel.TRANSFERRED: 10,
    },
    CaseKind.DENUNCIATION: {
        Channel.LETTER: 50,
        Channel.IN_PERSON: 30,
        Channel.ONLINE: 10,
        Channel.TRANSFERRED: 10,
    },
    CaseKind.VOTER_PETITION: {
        Channel.VOTER_MEETING: 90,
        Channel.LETTER: 5,
        Channel.TRANSFERRED: 5,
    },
    CaseKind.DIALOGUE_ISSUE: {Channel.DIALOGUE: 100},
}
# Target statuses by the age of a case in days (up to 2, 15, 60, older): the
# few old cases left open are the backlog the dashboards show as late.
STATUS_WEIGHTS_BY_AGE = [
    (
        2,
        {
            Status.RECEIVED: 80,
            Status.ACCEPTED: 10,
            Status.ARCHIVED: 5,
            Status.RETURNED: 5,
        },
    ),
    (
        15,
        {
            Status.RECEIVED: 25,
            Status.ACCEPTED: 50,
            Status.RESOLVED: 5,
            Status.RETURNED: 8,
            Status.TRANSFERRED: 6,
            Status.ARCHIVED: 4,
            Status.WITHDRAWN: 2,
        },
    ),
    (
        60,
        {
            Status.RECEIVED: 2,
            Status.ACCEPTED: 16,
            Status.RESOLVED: 24,
            Status.CLOSED: 38,
            Status.RETURNED: 8,
            Status.TRANSFERRED: 5,
            Status.ARCHIVED: 4,
            Status.WITHDRAWN: 3,
        },
    ),
    (
        None,
        {
            Status.RECEIVED: 0.5,
            Status.ACCEPTED: 1.5,
            Status.RESOLVED: 10,
            Status.CLOSED: 66,
            Status.RETURNED: 9,
            Status.TRANSFERRED: 6,
            Status.ARCHIVED: 4,
            Status.WITHDRAWN: 3,
        },
    ),
]
# Channels through which citizens write at any hour.
ANY_HOUR_CHANNELS = frozenset({Channel.ONLINE, Channel.PRESS})
OUTCOME_WEIGHTS = {Outcome.UPHELD: 20, Outcome.PARTLY_UPHELD: 30, Outcome.REJECTED: 50}

# Where a case goes when the commune is not competent, by field: the body,
# its class (NĐ 55/2022/NĐ-CP, Art. 6) and why.
FORWARDS = {
    "land": (
        "Tòa án nhân dân khu vực",
        BodyClass.JUDICIAL,
        "Tranh chấp quyền sử dụng đất giữa các hộ gia đình đã hòa giải tại xã "
        "không thành; chuyển đơn đến Tòa án có thẩm quyền.",
    ),
    "environment": (
        "Sở Nông nghiệp và Môi trường tỉnh Nghệ An",
        BodyClass.HIGHER_ADMINISTRATION,
        "Cơ sở do cấp tỉnh cấp giấy phép môi trường; vượt thẩm quyền của xã.",
    ),
    "construction": (
        "Sở Xây dựng tỉnh Nghệ An",
        BodyClass.HIGHER_ADMINISTRATION,
        "Công trình do cấp tỉnh cấp phép xây dựng; vượt thẩm quyền của xã.",
    ),
    "infrastructure": (
        "Công ty Điện lực Nghệ An",
        BodyClass.OTHER,
        "Nội dung về lưới điện thuộc trách nhiệm của ngành điện.",
    ),
    "social-policy": (
        "Bảo hiểm xã hội tỉnh Nghệ An",
        BodyClass.OTHER,
        "Nội dung về chế độ bảo hiểm xã hội thuộc thẩm quyền cơ quan bảo hiểm.",
    ),
    "health": (
        "Sở Y tế tỉnh Nghệ An",
        BodyClass.HIGHER_ADMINISTRATION,
        "Nội dung về hoạt động khám chữa bệnh của cơ sở y tế tuyến tỉnh.",
    ),
    "education": (
        "Sở Giáo dục và Đào tạo tỉnh Nghệ An",
        BodyClass.HIGHER_ADMINISTRATION,
        "Nội dung về trường trung học phổ thông do Sở quản lý.",
    ),
    "security-order": (
        "Công an tỉnh Nghệ An",
        BodyClass.JUDICIAL,
        "Nội dung có dấu hiệu tội phạm; chuyển cơ quan điều tra theo thẩm quyền.",
    ),
    "administration": (
        "Thanh tra tỉnh Nghệ An",
        BodyClass.HIGHER_ADMINISTRATION,
        "Nội dung liên quan đến nhiều cơ quan cấp tỉnh; vượt thẩm quyền của xã.",
    ),
    "other": (
        "UBND tỉnh Nghệ An",
        BodyClass.HIGHER_ADMINISTRATION,
        "Nội dung thuộc thẩm quyền quyết định của UBND tỉnh.",
    ),
}

# The legal grounds (``LegalGround.code``, migration 0004) cited per action,
# most fitting first; a ground missing from the table is skipped, and when
# none is left any active ground for the action and kind is cited.
ACCEPT_GROUNDS = ["competent"]
RETURN_GROUNDS = {
    CaseKind.COMPLAINT: [
        "kn-11-time-barred",
        "kn-11-unsigned",
        "kn-11-not-affecting",
        "kn-11-court",
        "not-competent",
    ],
    None: ["not-competent", "mixed-split", "tcd-9-refuse"],
}
FORWARD_GROUNDS = {
    CaseKind.COMPLAINT: ["forward-complaint", "not-competent-forward"],
    CaseKind.DENUNCIATION: ["tc-24-forward", "not-competent-forward"],
    None: ["not-competent-forward"],
}
ARCHIVE_GROUNDS = ["duplicate", "unclear", "copy-for-information"]
ANONYMOUS_GROUND = "tc-25-anonymous"
# What the officer writes when citing each ground.
GROUND_REASONS = {
    "not-competent": "Nội dung không thuộc thẩm quyền giải quyết của UBND xã; đã "
    "hướng dẫn công dân gửi đơn đến cơ quan có thẩm quyền.",
    "mixed-split": "Đơn có nhiều nội dung thuộc thẩm quyền của nhiều cơ quan; đã "
    "hướng dẫn công dân tách đơn.",
    "tcd-9-refuse": "Vụ việc đã được giải quyết đúng chính sách, pháp luật và đã "
    "thông báo bằng văn bản; đơn không nêu tình tiết mới.",
    "kn-11-time-barred": "Đơn khiếu nại gửi quá thời hiệu 90 ngày kể từ ngày nhận "
    "được quyết định hành chính, không có lý do chính đáng.",
    "kn-11-unsigned": "Đơn khiếu nại không có chữ ký hoặc điểm chỉ của người khiếu "
    "nại; đã hướng dẫn công dân ký đơn và gửi lại.",
    "kn-11-not-affecting": "Quyết định bị khiếu nại không liên quan trực tiếp đến "
    "quyền, lợi ích hợp pháp của người khiếu nại.",
    "kn-11-court": "Việc khiếu nại đã được Tòa án nhân dân khu vực thụ lý giải quyết.",
    "duplicate": "Đơn trùng nội dung với đơn đã tiếp nhận và đang được giải quyết.",
    "unclear": "Đơn không ghi rõ nội dung, không có địa chỉ liên hệ; không đủ thông "
    "tin để xử lý.",
    "copy-for-information": "Đơn gửi đồng thời nhiều nơi, đã gửi đến cơ quan có "
    "thẩm quyền giải quyết.",
    "tc-25-anonymous": "Đơn tố cáo nặc danh, không rõ họ tên, địa chỉ người tố cáo; "
    "không thụ lý giải quyết mà lưu đơn, chuyển thông tin cho bộ phận chuyên môn "
    "tham khảo.",
}
WITHDRAW_REASONS = [
    "Công dân có đơn xin rút sau khi được giải thích, hướng dẫn tại buổi làm việc.",
    "Các bên đã tự hòa giải thành tại xóm, công dân xin rút đơn.",
    "Công dân rút đơn vì sự việc đã được khắc phục.",
]
NOTES = [
    "Đã kiểm tra hiện trường cùng Ban cán sự xóm, lập biên bản ghi nhận hiện trạng.",
    "Đã mời công dân đến trụ sở UBND xã làm việc, đối chiếu hồ sơ, tài liệu.",
    "Đã đề nghị các bộ phận liên quan cung cấp thông tin, hồ sơ lưu trữ.",
    "Đã tổ chức hòa giải tại nhà văn hóa xóm, các bên chưa thống nhất.",
    "Đang tổng hợp kết quả xác minh, dự thảo văn bản trả lời.",
]
EXTEND_REASON = (
    "Vụ việc phức tạp, cần xác minh tại nhiều cơ quan, đơn vị; gia hạn thời hạn "
    "giải quyết tố cáo theo Điều 30 Luật Tố cáo 2018."
)
TRANSFER_REASON = "Chuyển {unit} chủ trì tham mưu giải quyết theo chức năng."
RETURN_ANSWER_TEXT = (
    "Đề nghị bổ sung căn cứ pháp lý và kết quả kiểm tra thực tế vào dự thảo trả lời."
)
# Co-operating units asked to help with complex or mass cases.
COLLABORATORS = ["XT-TP", "XT-CA", "XT-VHXH", "XT-MTTQ"]
COLLABORATION_REQUEST = "Đề nghị phối hợp xác minh, cung cấp thông tin về vụ việc."
CONTRIBUTIONS = [
    "Đã cử cán bộ cùng tham gia kiểm tra hiện trường; biên bản gửi kèm.",
    "Đã cung cấp hồ sơ lưu trữ và ý kiến chuyên môn theo đề nghị.",
    "Đã phối hợp vận động, hòa giải tại cơ sở; các bên cơ bản thống nhất.",
]


# --------------------------------------------------------------------------
# Plans: what happens to each case, decided before anything is written
# --------------------------------------------------------------------------


@dataclass(slots=True)
class Person:
    full_name: str
    is_male: bool
    national_id: str
    phone: str
    email: str
    address: str

    @property
    def honorific(self) -> str:
        return f"{'ông' if self.is_male else 'bà'} {self.full_name}"

    def party(self, role: str) -> PartyInput:
        return PartyInput(
            role=role,
            full_name=self.full_name,
            national_id=self.national_id,
            phone=self.phone,
            email=self.email,
            address=self.address,
        )


@dataclass(slots=True, frozen=True)
class Spec:
    """What a case must be; ``None`` and ``False`` leave it to chance."""

    kind: str | None = None
    status: str | None = None
    channel: str | None = None
    age: tuple[int, int] | None = None  # days before today
    outcome: str | None = None
    wants: str | None = None  # "second" (time complaint) or "prolonged"
    mass: bool = False
    hot_spot: bool = False
    complex: bool = False
    anonymous: bool = False
    deadline: str | None = None  # "overdue" or "due_soon"


# A case left entirely to chance: most of them, one spec for all.
CHANCE = Spec()


@dataclass(slots=True)
class Step:
    action: str
    moment: dt.datetime
    actor: str  # username
    data: dict = field(default_factory=dict)


@dataclass(slots=True)
class Sim:
    """A case's workflow fields, changed as ``feedback.services.cases`` would."""

    kind: str
    second: bool
    complex: bool
    unit: str
    unit_remote: bool
    location_remote: bool
    received_at: dt.datetime
    status: str = Status.RECEIVED
    stage: str = ""
    stage_due_on: dt.date | None = None
    final_due_on: dt.date | None = None
    accepted_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    extensions: int = 0
    assignee: str | None = None
    transferred_from: str | None = None
    handling_outcome: str = ""
    legal_ground: str | None = None
    transferred_to_class: str = ""
    outcome: str = ""
    decision_number: str = ""
    decision_date: dt.date | None = None
    public_answer: str = ""
    version: int = 1
    # The pending draft answer: its data, author and time.
    draft: dict | None = None
    drafted_by: str | None = None
    drafted_at: dt.datetime | None = None
    # (step, event data, from status, to status) of every applied step.
    log: list = field(default_factory=list)

    @property
    def remote(self) -> bool:
        return self.unit_remote or self.location_remote


@dataclass(slots=True)
class Prior:
    """A finished case that a later one may repeat or appeal."""

    case_id: int
    kind: str
    template: Template
    hamlet: str
    unit: str
    person: Person
    title: str
    content: str
    received_on: dt.date
    finished_on: dt.date
    decision_number: str
    decision_date: dt.date | None


@dataclass(slots=True)
class Plan:
    spec: Spec
    kind: str
    channel: str
    template: Template
    hamlet: str
    unit: str
    first_unit: str
    received_at: dt.datetime
    status: str
    outcome: str
    is_complex: bool
    is_hot_spot: bool
    is_anonymous: bool
    petitioner_count: int
    wants: str | None
    accept_on: dt.date | None = None
    is_second_time: bool = False
    previous: Prior | None = None
    person: Person | None = None
    representative: Person | None = None
    accused: tuple[str, str] | None = None  # name, address
    title: str = ""
    content: str = ""
    place: str = ""
    slots: dict = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    sim: Sim | None = None
    initial_stage: str = ""
    initial_due: dt.date | None = None

    def parties(self) -> list[PartyInput]:
        parties = []
        if self.person is not None:
            parties.append(self.person.party(PartyRole.PETITIONER))
        if self.representative is not None:
            parties.append(self.representative.party(PartyRole.REPRESENTATIVE))
        if self.accused is not None:
            name, address = self.accused
            parties.append(
                PartyInput(role=PartyRole.DENOUNCED, full_name=name, address=address)
            )
        return parties


class DeadlineBook:
    """``compute_due_date`` and the services' deadline effects, from memory.

    The policy rows and one calendar for the given years are read once.  The
    selection (kind-specific rows before ``any``, then the most specific
    variant valid on the start date) is the selector's, and ``start`` and
    ``apply`` change a ``Sim`` the way ``case_create`` and ``case_transition``
    change a case, so the bulk rows match what the services would store.
    """

    def __init__(self, *, first_year: int, last_year: int):
        self.calendar = working_calendar(first_year=first_year, last_year=last_year)
        self.rows: dict[tuple[str, str], list[DeadlinePolicy]] = {}
        for row in DeadlinePolicy.objects.all():
            self.rows.setdefault((row.kind, row.stage), []).append(row)
        self._cache: dict[tuple, dt.date] = {}
        # The calendar's answers, as each is asked again and again.
        self._shifted: dict[tuple[dt.date, int], dt.date] = {}
        self._working: dict[dt.date, bool] = {}
        self._next: dict[dt.date, dt.date] = {}
        self._left: dict[tuple[dt.date, dt.date], int] = {}

    def policy(self, kind, stage, on, variants) -> DeadlinePolicy:
        rows = [
            row
            for row_kind in (kind, DeadlinePolicy.ANY_KIND)
            for row in self.rows.get((row_kind, stage), ())
            if row.variant in variants
            and (row.valid_from is None or row.valid_from <= on)
            and (row.valid_to is None or row.valid_to >= on)
        ]
        if not rows:
            raise CommandError(
                f"No deadline policy for {kind}/{stage} on {on}: run migrate."
            )
        rows.sort(
            key=lambda row: (
                row.kind == DeadlinePolicy.ANY_KIND,
                variants.index(row.variant),
            )
        )
        return rows[0]

    def add_working_days(self, day: dt.date, days: int) -> dt.date:
        key = (day, days)
        result = self._shifted.get(key)
        if result is None:
            result = deadlines.add_working_days(day, days, self.calendar)
            self._shifted[key] = result
        return result

    def is_working_day(self, day: dt.date) -> bool:
        working = self._working.get(day)
        if working is None:
            working = self._working[day] = self.calendar.is_working_day(day)
        return working

    def next_working_day(self, day: dt.date) -> dt.date:
        result = self._next.get(day)
        if result is None:
            result = self._next[day] = deadlines.next_working_day(day, self.calendar)
        return result

    def working_days_left(self, today: dt.date, due_on: dt.date) -> int:
        key = (today, due_on)
        result = self._left.get(key)
        if result is None:
            result = deadlines.working_days_left(today, due_on, self.calendar)
            self._left[key] = result
        return result

    def max_extensions(self, sim: Sim, on: dt.date) -> int:
        variants = deadlines.variant_candidates(
            second=sim.second, remote=sim.remote, complex=sim.complex
        )
        return self.policy(sim.kind, "resolve", on, variants).max_extensions

    def due(
        self,
        kind: str,
        stage: str,
        start: dt.date,
        *,
        second: bool = False,
        remote: bool = False,
        complex: bool = False,  # noqa: A002 - the legal term
        extensions: int = 0,
    ) -> dt.date:
        key = (kind, stage, start, second, remote, complex, extensions)
        due_on = self._cache.get(key)
        if due_on is None:
            variants = deadlines.variant_candidates(
                second=second, remote=remote, complex=complex
            )
            policy = self.policy(kind, stage, start, variants)
            if extensions > policy.max_extensions:
                raise CommandError(f"Too many extensions for {kind}/{stage}.")
            due_on = deadlines.due_date(
                start,
                days=policy.days + extensions * policy.extension_days,
                day_unit=policy.day_unit,
                calendar=self.calendar,
            )
            self._cache[key] = due_on
        return due_on

    def resolve_due(self, sim: Sim, start: dt.date, extensions: int) -> dt.date:
        decided = sim.kind in workflow.DECIDED_KINDS
        return self.due(
            sim.kind,
            "resolve" if decided else "answer",
            start,
            second=sim.second,
            remote=sim.remote,
            complex=sim.complex,
            extensions=extensions,
        )

    def start(self, sim: Sim) -> None:
        """Stage and due dates on receipt, as ``case_create`` sets them."""
        received_on = _day(sim.received_at)
        stage = FIRST_STAGE[sim.kind]
        sim.stage = stage
        sim.stage_due_on = self.due(
            sim.kind,
            stage,
            received_on,
            second=sim.second and stage != "accept",
            complex=sim.complex,
            remote=sim.remote,
        )
        sim.final_due_on = (
            self.resolve_due(sim, sim.stage_due_on, 0)
            if sim.kind in workflow.DECIDED_KINDS
            else sim.stage_due_on
        )

    def apply(self, sim: Sim, step: Step, units: dict[str, Unit]) -> None:
        """Apply one step as ``case_transition`` would, and log it."""
        now = step.moment
        today = _day(now)
        decided = sim.kind in workflow.DECIDED_KINDS
        action = step.action
        data = step.data
        event: dict = {}
        from_status = sim.status
        if action == "accept":
            sim.legal_ground = data.get("legal_ground")
            sim.handling_outcome = HandlingOutcome.ACCEPTED
            sim.accepted_at = now
            if decided:
                sim.stage = "resolve"
                sim.stage_due_on = self.resolve_due(sim, today, 0)
                sim.final_due_on = sim.stage_due_on
            event = {"stage_due_on": sim.stage_due_on.isoformat()}
        elif action == "draft_answer":
            sim.draft = dict(data)
            sim.drafted_by = step.actor
            sim.drafted_at = sim.drafted_at or now
        elif action == "return_answer":
            sim.draft = sim.drafted_by = sim.drafted_at = None
        elif action == "resolve":
            values = {**(sim.draft or {}), **{k: v for k, v in data.items() if v}}
            sim.public_answer = values["public_answer"]
            sim.resolved_at = now
            if decided:
                sim.outcome = values["outcome"]
                sim.decision_number = values["decision_number"]
                sim.decision_date = values["decision_date"]
                sim.stage = AFTER_DECISION_STAGE[sim.kind]
                sim.stage_due_on = self.due(sim.kind, sim.stage, sim.decision_date)
            else:
                sim.stage = ""
                sim.stage_due_on = None
            event = {
                "outcome": sim.outcome,
                "decision_number": sim.decision_number,
                "on_time": sim.final_due_on is None or today <= sim.final_due_on,
            }
        elif action == "publish":
            sim.published_at = now
        elif action in ("return", "forward", "archive", "withdraw", "close"):
            if action in FINISH_OUTCOMES:
                sim.handling_outcome = FINISH_OUTCOMES[action]
                sim.legal_ground = data.get("legal_ground")
            if action == "forward":
                sim.transferred_to_class = data["to_body_class"]
            sim.stage = ""
            sim.stage_due_on = None
            if sim.status == Status.RESOLVED:
                sim.closed_at = now
        elif action == "assign":
            sim.assignee = data["assignee"]
        elif action == "extend":
            accepted_on = _day(sim.accepted_at or sim.received_at)
            new_due = self.resolve_due(sim, accepted_on, sim.extensions + 1)
            sim.extensions += 1
            event = {
                "from_due_on": sim.final_due_on.isoformat(),
                "to_due_on": new_due.isoformat(),
                "extensions": sim.extensions,
            }
            sim.final_due_on = new_due
            if sim.stage in ("resolve", "answer"):
                sim.stage_due_on = new_due
        elif action == "transfer":
            sim.transferred_from = sim.unit
            sim.unit = data["to_unit"]
            sim.unit_remote = units[sim.unit].is_remote_area
            sim.assignee = None
        target = workflow.ACTIONS[action].target
        if target is not None:
            sim.status = target
        sim.version += 1
        for key in ("legal_ground", "to_body", "to_body_class"):
            if data.get(key):
                event[key] = str(data[key])
        sim.log.append((step, event, from_status, sim.status))


class DrawingRandom(random.Random):
    """``random.Random`` with the same draws for the same seed, its
    ``randint``, ``choice`` and ``randrange(n)`` one call instead of two or
    three (``randint`` → ``randrange`` → ``_randbelow``): planning a case
    draws some forty numbers.  They draw as ``_randbelow`` does: bits as many
    as the width has, again until below it."""

    def _below(self, width: int) -> int:
        bits = width.bit_length()
        drawn = self.getrandbits(bits)
        while drawn >= width:
            drawn = self.getrandbits(bits)
        return drawn

    def randint(self, a: int, b: int) -> int:
        if b < a:
            raise ValueError(f"empty range for randint({a}, {b})")
        return a + self._below(b - a + 1)

    def choice(self, seq):
        if not seq:
            raise IndexError("Cannot choose from an empty sequence")
        return seq[self._below(len(seq))]

    def randrange(self, start, stop=None, step=1):
        if stop is None and step == 1 and type(start) is int and start > 0:
            return self._below(start)
        return super().randrange(start, stop, step)


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Run the block as if it were ``moment``: ``timezone.now()`` returns it.

    The services stamp events, answers, history rows, ``auto_now`` fields and
    due dates with ``timezone.now()``; replaying a past step at its own time
    keeps all of them consistent with each other.
    """
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for one bulk batch.

    A batch allocates hundreds of thousands of small objects, none of them in
    cycles, so reference counting frees them; left on, the collector rescans
    the growing batch again and again and triples the run time.  The young
    generation is collected once at the end instead.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)


def _commit_without_waiting() -> None:
    """Let this transaction's commit return before its WAL reaches the disk
    (PostgreSQL): a crash could lose the last batches seeded, never leave
    half of one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _day(moment: dt.datetime) -> dt.date:
    """The local date of ``moment``, as ``timezone.localtime`` gives it
    (without its thread-local look-up, which dominates a bulk run)."""
    zone = timezone.get_default_timezone()
    if moment.tzinfo is zone:
        return moment.date()
    return moment.astimezone(zone).date()


def _ascii(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class CaseMaker:
    """Plans cases and writes them, through the services or in bulk.

    Every moment it plans is in the default time zone (``self.tz``, from
    ``self.now``), so the date of a moment is its local date.
    """

    def __init__(self, *, rng, units, users, fields, now, stdout):
        self.rng = rng
        self.units = units
        self.users = users
        self.fields = fields
        self.tz = timezone.get_default_timezone()
        # Local time, as every moment planned from it: ``_day`` is then cheap.
        self.now = now.astimezone(self.tz)
        self.today = timezone.localdate(now)
        self.stdout = stdout
        self.first_day = self.today - dt.timedelta(days=HISTORY_DAYS)
        # No step is planned after this: the case stays where it is.
        self.latest = self.now - MINUTE
        self.book = DeadlineBook(
            first_year=self.first_day.year - 1, last_year=self.today.year + 1
        )
        self.staff = self._staff_by_unit()
        self.hamlets = [code for code in HAMLET_CODES if code in units]
        self.due_soon_end = deadlines.add_working_days(
            self.today, 3, self.book.calendar
        )
        # Finished cases that later ones may appeal or repeat; bounded.
        self.appealable: list[Prior] = []
        self.answered: list[Prior] = []
        self.decision_numbers: dict[tuple[int, str], int] = {}
        self.example: tuple[str, str] | None = None
        self.rows: BatchRows | None = None
        self.bulk_specs = self.forced_specs(bulk=True)
        # ``stream`` makes one of several streams; this maker is the only one.
        self.streams = 1
        self.stream_index = 0
        self._cumulative: dict = {}
        self._grounds_for: dict = {}
        self.user_ids = {username: user.pk for username, user in users.items()}
        self.field_ids = {code: field.pk for code, field in fields.items()}
        grounds = LegalGround.objects.filter(is_active=True)
        self.grounds = {g.code: (g.action, g.kind) for g in grounds}
        self.ground_ids = {g.code: g.pk for g in grounds}
        self.ground_texts = {g.code: g.text for g in grounds}
        # Where ``case_create`` records the case as dispatched from: the
        # reception desk's unit.
        self.dispatch_unit_id = (
            Membership.objects.filter(user=users[RECEPTION], role=Role.RECEPTION)
            .values_list("unit_id", flat=True)
            .first()
        )

    def _staff_by_unit(self) -> dict[str, dict[str, str]]:
        staff: dict[str, dict[str, str]] = {}
        for username, _l, _f, _p, roles, _s in STAFF:
            for unit_code, role in roles:
                staff.setdefault(unit_code, {}).setdefault(role, username)
        return staff

    def leader(self, unit: str) -> str:
        return self.staff[unit][Role.LEADER]

    def worker(self, unit: str) -> str:
        roles = self.staff[unit]
        return roles.get(Role.OFFICER) or roles[Role.LEADER]

    # Specs ---------------------------------------------------------------

    def forced_specs(self, *, bulk: bool) -> list[Spec]:
        """One case of every kind, status and channel, each flag, the cases
        that later ones appeal or repeat, and some overdue and due soon."""
        old = (560, 700)
        specs = [Spec(kind=kind) for kind in CaseKind.values]
        specs += [Spec(status=status) for status in Status.values]
        specs += [Spec(channel=channel) for channel in Channel.values]
        specs += [
            Spec(
                kind=CaseKind.COMPLAINT,
                status=Status.CLOSED,
                outcome=Outcome.REJECTED,
                age=old,
            ),
            Spec(kind=CaseKind.COMPLAINT, wants="second", age=(200, 420)),
            Spec(kind=CaseKind.FEEDBACK, status=Status.CLOSED, age=old),
            Spec(kind=CaseKind.FEEDBACK, wants="prolonged", age=(200, 420)),
            Spec(mass=True),
            Spec(kind=CaseKind.COMPLAINT, mass=True, hot_spot=True),
            Spec(kind=CaseKind.DENUNCIATION, complex=True, status=Status.CLOSED),
        ]
        if not bulk:
            specs.append(Spec(kind=CaseKind.DENUNCIATION, anonymous=True))
        specs += [Spec(deadline="overdue") for _ in range(4)]
        specs += [Spec(deadline="due_soon") for _ in range(4)]
        return specs

    def specs(self, count: int, *, bulk: bool) -> Iterator[Spec]:
        forced = self.forced_specs(bulk=bulk)
        for index in range(count):
            yield forced[index] if index < len(forced) else CHANCE

    # Planning ------------------------------------------------------------

    def _weighted(self, weights: dict):
        """``rng.choices(list(weights), weights=…)[0]``, the same draw
        (``random.choices``' own bisection), with the cumulative weights of
        each table summed once."""
        table = self._cumulative.get(id(weights))
        if table is None or table[0] is not weights:
            cumulative = list(itertools.accumulate(weights.values()))
            table = (weights, list(weights), cumulative, cumulative[-1] + 0.0)
            self._cumulative[id(weights)] = table
        _weights, population, cumulative, total = table
        return population[
            bisect.bisect(cumulative, self.rng.random() * total, 0, len(population) - 1)
        ]

    def _office_moment(self, day: dt.date) -> dt.datetime:
        rng = self.rng
        if rng.random() < 0.55:
            minutes = rng.randint(7 * 60 + 30, 11 * 60 + 20)
        else:
            minutes = rng.randint(13 * 60 + 30, 16 * 60 + 50)
        moment = dt.time(minutes // 60, minutes % 60, rng.randint(0, 59))
        return dt.datetime.combine(day, moment, tzinfo=self.tz)

    def _received_moment(self, day: dt.date, channel: str) -> dt.datetime:
        if channel in ANY_HOUR_CHANNELS:
            seconds = self.rng.randint(0, 86399)
            moment = dt.datetime.combine(day, dt.time(), tzinfo=self.tz)
            moment += seconds * SECOND
        else:
            while not self.book.is_working_day(day):
                day -= DAY
            moment = self._office_moment(day)
        latest = self.now - self.rng.randint(5, 120) * MINUTE
        return min(moment, latest)

    def _status_for_age(self, age: int) -> str:
        """A target status that fits a case received ``age`` days ago."""
        for up_to, weights in STATUS_WEIGHTS_BY_AGE:
            if up_to is None or age <= up_to:
                return self._weighted(weights)
        raise AssertionError  # pragma: no cover - the last row takes any age

    def _responsible_unit(self, kind, template, hamlet) -> str:
        rng = self.rng
        office = FIELD_OFFICE[template.field]
        if kind in workflow.DECIDED_KINDS:
            return COMMITTEE_CODE if rng.random() < 0.5 else office
        if kind == CaseKind.VOTER_PETITION and rng.random() < 0.1:
            return COUNCIL_CODE
        if kind == CaseKind.DIALOGUE_ISSUE and rng.random() < 0.1:
            return FRONT_CODE
        if kind == CaseKind.FEEDBACK and template.local and rng.random() < 0.4:
            return hamlet
        return office

    def preplan(self, spec: Spec, *, bulk: bool) -> Plan:
        """Kind, channel, place, flags, target status and time of receipt."""
        rng = self.rng
        kind = spec.kind
        if kind is None and spec.channel is not None:
            kind = rng.choice(
                [k for k, weights in CHANNEL_WEIGHTS.items() if spec.channel in weights]
            )
        if kind is None and spec.deadline is not None:
            kind = rng.choice(
                [CaseKind.FEEDBACK, CaseKind.COMPLAINT, CaseKind.DENUNCIATION]
            )
        kind = kind or self._weighted(KIND_WEIGHTS)
        decided = kind in workflow.DECIDED_KINDS
        anonymous = spec.anonymous or (
            not bulk
            and spec.deadline is None
            and spec.status is None
            and kind == CaseKind.DENUNCIATION
            and rng.random() < 0.15
        )
        channel = spec.channel or (
            Channel.LETTER if anonymous else self._weighted(CHANNEL_WEIGHTS[kind])
        )
        template = rng.choice(TEMPLATES[kind])
        hamlet = rng.choice(self.hamlets)
        unit = self._responsible_unit(kind, template, hamlet)
        first_unit = unit
        if spec.deadline is None and unit in OFFICES and rng.random() < 0.08:
            first_unit = COMMITTEE_CODE
        mass = spec.mass or (not anonymous and rng.random() < 0.06)
        wants = spec.wants
        # Only cases left entirely to chance appeal or repeat one at random.
        if wants is None and (spec is CHANCE or spec == CHANCE):
            if kind == CaseKind.COMPLAINT and rng.random() < 0.15:
                wants = "second"
            elif kind == CaseKind.FEEDBACK and rng.random() < 0.06:
                wants = "prolonged"
        plan = Plan(
            spec=spec,
            kind=kind,
            channel=channel,
            template=template,
            hamlet=hamlet,
            unit=unit,
            first_unit=first_unit,
            received_at=self.now,
            status=Status.RECEIVED,
            outcome=spec.outcome or self._weighted(OUTCOME_WEIGHTS),
            is_complex=spec.complex
            or (spec.deadline is None and rng.random() < (0.12 if decided else 0.03)),
            is_hot_spot=spec.hot_spot or (mass and rng.random() < 0.25),
            is_anonymous=anonymous,
            petitioner_count=rng.randint(5, 60) if mass else 1,
            wants=wants,
        )
        if spec.deadline is not None:
            self._place_for_deadline(plan)
            return plan
        if spec.age is not None:
            age = rng.randint(*spec.age)
        elif anonymous:
            age = rng.randint(10, HISTORY_DAYS)
        elif spec.status == Status.RECEIVED:
            age = rng.randint(3, 30)
        elif spec.status == Status.ACCEPTED:
            age = rng.randint(25, 40)
        elif spec.status is not None:
            age = rng.randint(200, HISTORY_DAYS)
        else:
            age = int(HISTORY_DAYS * rng.random() ** 1.15)
        day = self.today - age * DAY
        plan.received_at = self._received_moment(day, channel)
        if anonymous:
            plan.status = Status.ARCHIVED
        elif spec.status is not None:
            plan.status = spec.status
        else:
            plan.status = self._status_for_age(age)
        return plan

    def _new_sim(self, plan: Plan, received_at: dt.datetime) -> Sim:
        sim = Sim(
            kind=plan.kind,
            second=plan.is_second_time,
            complex=plan.is_complex,
            unit=plan.first_unit,
            unit_remote=self.units[plan.first_unit].is_remote_area,
            location_remote=self.units[plan.hamlet].is_remote_area,
            received_at=received_at,
        )
        self.book.start(sim)
        return sim

    def _days_back(self, test: Callable[[dt.date], bool], limit: int = 200):
        """Days before today, latest first, for which ``test`` holds."""
        day = self.today
        found = []
        for _ in range(limit):
            day -= dt.timedelta(days=1)
            if self.book.calendar.is_working_day(day) and test(day):
                found.append(day)
        return found

    def _place_for_deadline(self, plan: Plan) -> None:
        """Time an open case so that its current stage is late, or due within
        three working days."""
        rng = self.rng
        calendar = self.book.calendar
        plan.status = rng.choice([Status.RECEIVED, Status.ACCEPTED])
        plan.channel = next(iter(CHANNEL_WEIGHTS[plan.kind]))
        if plan.spec.deadline == "overdue":
            day = self.today - dt.timedelta(days=rng.randint(120, 500))
            plan.received_at = self._received_moment(day, plan.channel)
            if plan.status == Status.ACCEPTED:
                received_on = plan.received_at.date()
                plan.accept_on = deadlines.add_working_days(
                    received_on, rng.randint(2, 6), calendar
                )
            return

        def stage_due(day: dt.date) -> dt.date:
            moment = self._office_moment(day)
            return self._new_sim(plan, moment).stage_due_on

        def resolve_due(day: dt.date) -> dt.date:
            return self.book.resolve_due(
                self._new_sim(plan, self._office_moment(day)), day, 0
            )

        def in_window(due: dt.date) -> bool:
            return self.today <= due <= self.due_soon_end

        decided = plan.kind in workflow.DECIDED_KINDS
        if plan.status == Status.ACCEPTED and decided:
            accept_days = self._days_back(lambda day: in_window(resolve_due(day)))
            plan.accept_on = rng.choice(accept_days)
            received_on = plan.accept_on
            for _ in range(rng.randint(1, 3)):
                received_on -= dt.timedelta(days=1)
                while not calendar.is_working_day(received_on):
                    received_on -= dt.timedelta(days=1)
        else:
            received_on = rng.choice(
                self._days_back(lambda day: in_window(stage_due(day)))
            )
            if plan.status == Status.ACCEPTED:
                plan.accept_on = min(
                    deadlines.add_working_days(received_on, 1, calendar),
                    self.today - dt.timedelta(days=1),
                )
        plan.received_at = self._office_moment(received_on)

    # People and words ----------------------------------------------------

    def person(self, hamlet: str, *, online: bool = False) -> Person:
        rng = self.rng
        is_male = rng.random() < 0.55
        if is_male:
            middle, given = rng.choice(MALE_MIDDLE), rng.choice(MALE_GIVEN)
        else:
            middle, given = rng.choice(FEMALE_MIDDLE), rng.choice(FEMALE_GIVEN)
        surname = rng.choice(SURNAMES)
        full_name = f"{surname} {middle} {given}"
        year = min(int(rng.triangular(1940, 2007, 1972)), 2006)
        century = (0 if year < 2000 else 2) + (0 if is_male else 1)
        national_id = f"040{century}{year % 100:02d}{rng.randrange(10**6):06d}"
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
        email = ""
        if online and rng.random() < 0.6:
            login = _ascii(f"{given}{surname}").lower()
            # A reserved domain (RFC 2606): mail about a demo case reaches no one.
            email = f"{login}{year % 100:02d}{rng.randint(1, 99)}@example.com"
        address = f"{self.units[hamlet].name}, {ADDRESS_TAIL}"
        return Person(full_name, is_male, national_id, phone, email, address)

    def _plain_name(self) -> tuple[str, bool]:
        rng = self.rng
        is_male = rng.random() < 0.6
        if is_male:
            middle, given = rng.choice(MALE_MIDDLE), rng.choice(MALE_GIVEN)
        else:
            middle, given = rng.choice(FEMALE_MIDDLE), rng.choice(FEMALE_GIVEN)
        return f"{rng.choice(SURNAMES)} {middle} {given}", is_male

    def _honorific_name(self) -> str:
        name, is_male = self._plain_name()
        return f"{'ông' if is_male else 'bà'} {name}"

    def _slots(self, plan: Plan, names: tuple[str, ...]) -> dict[str, str]:
        """Values for a template's slots: places, people, numbers, dates."""
        rng = self.rng
        received_on = plan.received_at.date()
        hamlet_name = self.units[plan.hamlet].name
        values = {"xom": _lower_first(hamlet_name), "Xom": hamlet_name}
        for name in names:
            if name in values or name == "accused":
                continue
            if name == "xom2":
                other = rng.choice([h for h in self.hamlets if h != plan.hamlet])
                values[name] = _lower_first(self.units[other].name)
            elif name in ("other", "owner"):
                values[name] = self._honorific_name()
            else:
                values[name] = SLOT_MAKERS[name](rng, received_on)
        if "accused" in names:
            if plan.template.accused == "company":
                company = rng.choice(COMPANIES)
                values["accused"] = company
                plan.accused = (company, ADDRESS_TAIL)
            else:
                name, is_male = self._plain_name()
                values["accused"] = f"{'ông' if is_male else 'bà'} {name}"
                plan.accused = (name, plan.template.accused.format(**values))
        return values

    def _write(self, plan: Plan) -> None:
        """Title, content, place and parties."""
        template = plan.template
        online = plan.channel == Channel.ONLINE
        plan.person = (
            None if plan.is_anonymous else self.person(plan.hamlet, online=online)
        )
        prior = plan.previous
        if prior is not None:
            plan.person = prior.person
        plan.slots = self._slots(plan, SLOT_NAMES[template])
        plan.title = template.title.format_map(plan.slots)
        plan.content = template.content.format_map(plan.slots)
        plan.place = template.place.format_map(plan.slots)
        if prior is not None and plan.is_second_time:
            plan.title = (
                "Khiếu nại lần hai đối với Quyết định giải quyết khiếu nại số "
                f"{prior.decision_number}"
            )
            plan.content = (
                "Tôi không đồng ý với Quyết định giải quyết khiếu nại lần đầu số "
                f"{prior.decision_number} ngày {prior.decision_date:%d/%m/%Y} về "
                f"việc: {_lower_first(prior.title)}. Quyết định chưa xem xét đầy "
                "đủ các tài liệu gia đình đã cung cấp. Đề nghị xem xét, giải quyết "
                "khiếu nại lần hai."
            )
        elif prior is not None:
            plan.title = f"Tiếp tục phản ánh: {_lower_first(prior.title)}"
            plan.content = (
                f"Ngày {prior.received_on:%d/%m/%Y}, tôi đã phản ánh nội dung này và "
                "được trả lời sẽ khắc phục, nhưng đến nay tình trạng vẫn tiếp diễn. "
                f"{prior.content}"
            )
        if plan.petitioner_count >= 5:
            plan.representative = self.person(plan.hamlet)
            plan.content += (
                f" Đơn có chữ ký của {plan.petitioner_count} người dân "
                f"{plan.slots['xom']}, cử {plan.representative.honorific} làm "
                "người đại diện."
            )
        if plan.is_hot_spot:
            plan.content += (
                " Nhiều người dân đã tập trung tại trụ sở UBND xã để yêu cầu "
                "giải quyết dứt điểm."
            )
        if plan.kind != CaseKind.DENUNCIATION:
            plan.accused = None

    def _answer(self, plan: Plan, outcome: str, number: str, day: dt.date) -> str:
        template = plan.template
        if plan.kind not in workflow.DECIDED_KINDS:
            return template.answer.format_map(plan.slots)
        remedy = template.remedy.format_map(plan.slots)
        if plan.kind == CaseKind.DENUNCIATION:
            head = (
                f"Ngày {day:%d/%m/%Y}, Chủ tịch UBND xã ban hành Kết luận nội dung "
                f"tố cáo số {number}."
            )
            return {
                Outcome.UPHELD: f"{head} Nội dung tố cáo là đúng. {remedy}",
                Outcome.PARTLY_UPHELD: f"{head} Nội dung tố cáo đúng một phần. "
                f"{remedy}",
                Outcome.REJECTED: f"{head} Nội dung tố cáo là không đúng; người bị "
                "tố cáo không vi phạm. Kết luận đã được thông báo cho người tố cáo.",
            }[outcome]
        second = "lần hai " if plan.is_second_time else ""
        head = (
            f"Ngày {day:%d/%m/%Y}, Chủ tịch UBND xã ban hành Quyết định giải quyết "
            f"khiếu nại {second}số {number}."
        )
        if plan.is_second_time:
            rights = "Nếu không đồng ý, ông (bà) có quyền khởi kiện vụ án hành chính."
        else:
            rights = (
                "Nếu không đồng ý, ông (bà) có quyền khiếu nại lần hai hoặc khởi "
                "kiện vụ án hành chính tại Tòa án."
            )
        return {
            Outcome.UPHELD: f"{head} Nội dung khiếu nại là đúng. {remedy}",
            Outcome.PARTLY_UPHELD: f"{head} Nội dung khiếu nại đúng một phần. "
            f"{remedy} {rights}",
            Outcome.REJECTED: f"{head} Nội dung khiếu nại là không có cơ sở; giữ "
            f"nguyên {template.subject}. {rights}",
        }[outcome]

    def _decision_number(self, kind: str, day: dt.date) -> str:
        suffix = "KL-UBND" if kind == CaseKind.DENUNCIATION else "QĐ-UBND"
        key = (day.year, suffix)
        number = self.decision_numbers.get(key, self.rng.randint(8, 30))
        number += self.rng.randint(1, 4)
        self.decision_numbers[key] = number
        # Each stream numbers its decisions apart (see ``stream``).
        return f"{number * self.streams + self.stream_index}/{suffix}"

    # Linking -------------------------------------------------------------

    def _link(self, plan: Plan) -> None:
        pool = self.appealable if plan.wants == "second" else self.answered
        if plan.wants is None or not pool:
            return
        received_on = plan.received_at.date()
        for _ in range(30):
            prior = self.rng.choice(pool)
            if prior.finished_on + 20 * DAY <= received_on and (
                prior.kind == plan.kind
            ):
                break
        else:
            return
        plan.previous = prior
        plan.template = prior.template
        plan.hamlet = prior.hamlet
        if plan.wants == "second":
            plan.is_second_time = True
            plan.unit = plan.first_unit = COMMITTEE_CODE
        else:
            plan.unit = plan.first_unit = prior.unit

    def remember(self, plan: Plan, case_id: int) -> None:
        """Offer a finished case to later ones that appeal or repeat it."""
        sim = plan.sim
        if sim.resolved_at is None or plan.person is None:
            return
        if plan.kind == CaseKind.COMPLAINT and not plan.is_second_time:
            if sim.outcome == Outcome.UPHELD:
                return
            pool = self.appealable
        elif plan.kind == CaseKind.FEEDBACK and plan.previous is None:
            pool = self.answered
        else:
            return
        prior = Prior(
            case_id=case_id,
            kind=plan.kind,
            template=plan.template,
            hamlet=plan.hamlet,
            unit=sim.unit,
            person=plan.person,
            title=plan.title,
            content=plan.content,
            received_on=plan.received_at.date(),
            finished_on=sim.resolved_at.date(),
            decision_number=sim.decision_number,
            decision_date=sim.decision_date,
        )
        if len(pool) < 1000:
            pool.append(prior)
        else:
            pool[self.rng.randrange(len(pool))] = prior

    # Legal grounds ---------------------------------------------------------

    def ground(self, action: str, kind: str, preferred: list[str]) -> str | None:
        """A legal ground for ``action`` on a case of ``kind``: one of
        ``preferred`` when the table has it, else any that applies."""
        key = (action, kind, tuple(preferred))
        found = self._grounds_for.get(key)
        if found is None:
            usable = [
                code
                for code, (ground_action, ground_kind) in self.grounds.items()
                if ground_action == action and ground_kind in ("", kind)
            ]
            chosen = [code for code in preferred if code in usable]
            found = self._grounds_for[key] = chosen or usable
        return self.rng.choice(found) if found else None

    def _required_ground(self, action: str, kind: str, preferred: list[str]) -> str:
        code = self.ground(action, kind, preferred)
        if code is None:
            raise CommandError(
                f"No active legal ground for {action!r} ({kind}): run migrate, "
                "or add one in the admin."
            )
        return code

    # Timeline --------------------------------------------------------------

    def _after(self, cursor: dt.datetime, working_days: int) -> dt.datetime:
        """A moment ``working_days`` working days after ``cursor`` (the same
        day for 0, if that is a working day)."""
        day = cursor.date()
        if working_days > 0 or not self.book.is_working_day(day):
            day = self.book.add_working_days(day, max(working_days, 1))
        return self._on(day, cursor)

    def _on(self, day: dt.date, cursor: dt.datetime) -> dt.datetime:
        """An office-hours moment on ``day``, later than ``cursor``."""
        moment = self._office_moment(max(day, cursor.date()))
        if moment <= cursor:
            moment = cursor + self.rng.randint(5, 90) * MINUTE
        return moment

    def finalize(self, plan: Plan, *, bulk: bool) -> None:
        """Link, write, and plan the steps that bring the case to its target
        status; a step that would fall after now ends the case where it is.

        Bulk plans leave out what bulk rows do not record: co-operating units
        and drafts sent back for rework.
        """
        self._link(plan)
        self._write(plan)
        plan.sim = sim = self._new_sim(plan, plan.received_at)
        plan.initial_stage, plan.initial_due = sim.stage, sim.stage_due_on
        rng = self.rng
        latest = self.latest
        forced = plan.spec.deadline is not None
        cursor = plan.received_at

        def push(action: str, moment: dt.datetime, actor: str, **data) -> bool:
            nonlocal cursor
            if moment > latest:
                return False
            step = Step(action, moment, actor, data)
            plan.steps.append(step)
            self.book.apply(sim, step, self.units)
            cursor = moment
            return True

        if plan.first_unit != plan.unit:
            reason = TRANSFER_REASON.format(unit=self.units[plan.unit].name)
            moment = self._after(cursor, rng.randint(0, 1))
            leader = self.leader(plan.first_unit)
            if not push("transfer", moment, leader, to_unit=plan.unit, reason=reason):
                return
        status = plan.status
        accepts = status in (Status.ACCEPTED, Status.RESOLVED, Status.CLOSED) or (
            status == Status.WITHDRAWN and rng.random() < 0.5
        )
        if accepts and not self._accept(plan, push, cursor, bulk=bulk or forced):
            return
        cursor = plan.steps[-1].moment if plan.steps else cursor
        if status in (Status.RESOLVED, Status.CLOSED):
            if sim.status != Status.ACCEPTED or not self._resolve(
                plan, push, cursor, bulk=bulk
            ):
                return
            cursor = plan.steps[-1].moment
            if plan.kind != CaseKind.DENUNCIATION and rng.random() < 0.6:
                moment = self._after(cursor, rng.randint(0, 2))
                if not push("publish", moment, self.leader(sim.unit)):
                    return
            if status == Status.CLOSED:
                moment = self._after(cursor, rng.randint(1, 12))
                push("close", moment, self.worker(sim.unit))
        elif status == Status.RETURNED:
            preferred = RETURN_GROUNDS.get(plan.kind, RETURN_GROUNDS[None])
            code = self._required_ground("return", plan.kind, preferred)
            moment = self._after(cursor, rng.randint(1, 5))
            push(
                "return",
                moment,
                self.worker(sim.unit),
                reason=GROUND_REASONS.get(code) or self.ground_texts[code],
                legal_ground=code,
            )
        elif status == Status.TRANSFERRED:
            to_body, body_class, reason = FORWARDS[plan.template.field]
            preferred = FORWARD_GROUNDS.get(plan.kind, FORWARD_GROUNDS[None])
            code = self._required_ground("forward", plan.kind, preferred)
            moment = self._after(cursor, rng.randint(1, 5))
            push(
                "forward",
                moment,
                self.leader(sim.unit),
                reason=reason,
                to_body=to_body,
                to_body_class=body_class,
                legal_ground=code,
            )
        elif status == Status.ARCHIVED:
            preferred = [ANONYMOUS_GROUND] if plan.is_anonymous else ARCHIVE_GROUNDS
            code = self._required_ground("archive", plan.kind, preferred)
            reason = GROUND_REASONS.get(code) or self.ground_texts[code]
            # Reception files an anonymous letter it logged itself.
            actor = RECEPTION if plan.is_anonymous else self.worker(sim.unit)
            moment = self._after(cursor, rng.randint(0, 3))
            push("archive", moment, actor, reason=reason, legal_ground=code)
        elif status == Status.WITHDRAWN:
            moment = self._after(cursor, rng.randint(2, 15))
            reason = rng.choice(WITHDRAW_REASONS)
            push("withdraw", moment, self.worker(sim.unit), reason=reason)

    def _accept(self, plan: Plan, push, cursor: dt.datetime, *, bulk: bool) -> bool:
        """Accept (complaints and denunciations within their legal period,
        mostly), assign the unit's officer, maybe ask a unit to co-operate
        and note progress."""
        rng = self.rng
        sim = plan.sim
        if plan.accept_on is not None:
            moment = self._on(plan.accept_on, cursor)
        elif plan.kind in workflow.DECIDED_KINDS:
            received_on = plan.received_at.date()
            allowed = self.book.working_days_left(received_on, sim.stage_due_on)
            if rng.random() < 0.9:
                moment = self._after(cursor, rng.randint(1, max(allowed - 1, 1)))
            else:
                moment = self._after(cursor, allowed + rng.randint(1, 3))
        else:
            moment = self._after(cursor, rng.randint(0, 2))
        leader = self.leader(sim.unit)
        data = {}
        code = self.ground("accept", plan.kind, ACCEPT_GROUNDS)
        if code is not None:
            data["legal_ground"] = code
        if not push("accept", moment, leader, **data):
            return False
        officer = self.staff[sim.unit].get(Role.OFFICER)
        if officer is not None:
            moment = self._after(moment, 0)
            if not push("assign", moment, leader, assignee=officer):
                return False
        if (
            not bulk
            and (plan.is_complex or plan.petitioner_count >= 5)
            and rng.random() < 0.6
        ):
            unit = rng.choice([code for code in COLLABORATORS if code != sim.unit])
            moment = self._after(moment, rng.randint(0, 2))
            if not push(
                "add_collaborator",
                moment,
                leader,
                unit=unit,
                text=COLLABORATION_REQUEST,
            ):
                return False
            moment = self._after(moment, rng.randint(2, 5))
            contribution = rng.choice(CONTRIBUTIONS)
            if not push("contribute", moment, self.worker(unit), text=contribution):
                return False
        if plan.spec.deadline is None and rng.random() < 0.35:
            moment = self._after(moment, rng.randint(2, 6))
            push(
                "note",
                moment,
                self.worker(sim.unit),
                text=rng.choice(NOTES),
                is_public=rng.random() < 0.5,
            )
        return True

    def _resolve(self, plan: Plan, push, cursor: dt.datetime, *, bulk: bool) -> bool:
        """Extend (a complex denunciation, sometimes); the officer drafts the
        answer (or decision) and the leader approves it: mostly on time,
        sometimes late."""
        rng = self.rng
        sim = plan.sim
        leader = self.leader(sim.unit)
        accepted_on = sim.accepted_at.date()
        if (
            plan.kind == CaseKind.DENUNCIATION
            and plan.is_complex
            and rng.random() < 0.6
            and self.book.max_extensions(sim, accepted_on) > sim.extensions
        ):
            day = sim.final_due_on - rng.randint(1, 6) * DAY
            moment = self._on(self.book.next_working_day(day), cursor)
            if not push("extend", moment, leader, reason=EXTEND_REASON):
                return False
            cursor = moment
        due = sim.final_due_on
        start = cursor.date()
        if rng.random() < 0.85 and (due - start).days >= 2:
            day = start + rng.randint(2, (due - start).days) * DAY
            # Due dates are working days, so this stays on or before ``due``.
            day = min(self.book.next_working_day(day), due)
        else:
            late = rng.randint(1, 20) * DAY
            day = self.book.next_working_day(max(due, start) + late)
        draft_day = max(start, day - rng.randint(0, 3) * DAY)
        moment = self._on(self.book.next_working_day(draft_day), cursor)
        answered_on = max(day, moment.date())
        data = {}
        if plan.kind in workflow.DECIDED_KINDS:
            number = self._decision_number(plan.kind, answered_on)
            data = {
                "outcome": plan.outcome,
                "decision_number": number,
                "decision_date": answered_on,
            }
        data["public_answer"] = self._answer(
            plan, plan.outcome, data.get("decision_number", ""), answered_on
        )
        drafter = sim.assignee
        if drafter is not None:
            if not push("draft_answer", moment, drafter, **data):
                return False
            if not bulk and rng.random() < 0.15:
                moment = self._after(moment, rng.randint(0, 1))
                if not push("return_answer", moment, leader, text=RETURN_ANSWER_TEXT):
                    return False
                moment = self._after(moment, rng.randint(1, 2))
                if not push("draft_answer", moment, drafter, **data):
                    return False
            # The leader approves the draft as it stands.
            return push("resolve", self._on(day, moment), leader)
        return push("resolve", self._on(day, moment), leader, **data)

    # Writing through the services ------------------------------------------

    def with_services(self, count: int) -> int:
        """Create ``count`` cases through ``case_create`` and move each with
        ``case_transition``, in order of receipt, with the clock at each step.

        Nobody is to be told about a demo case's made-up past: the services'
        commit hooks are not scheduled meanwhile, and the citizen notices
        they keep (``CitizenNotice``) are deleted with their batch.
        """
        specs = self.specs(count, bulk=False)
        plans = [self.preplan(spec, bulk=False) for spec in specs]
        plans.sort(key=lambda plan: plan.received_at)
        with mock.patch.object(transaction, "on_commit", lambda *args, **kwargs: None):
            for start in range(0, len(plans), 50):
                with transaction.atomic():
                    case_ids = []
                    for plan in plans[start : start + 50]:
                        self.finalize(plan, bulk=False)
                        case_id = self._execute(plan)
                        self.remember(plan, case_id)
                        case_ids.append(case_id)
                    CitizenNotice.objects.filter(event__case_id__in=case_ids).delete()
        return len(plans)

    def _execute(self, plan: Plan) -> int:
        users = self.users
        units = self.units
        previous = None
        if plan.previous is not None:
            previous = Case.objects.get(pk=plan.previous.case_id)
        with clock_at(plan.received_at):
            created = case_create(
                actor=users[RECEPTION],
                kind=plan.kind,
                channel=plan.channel,
                field=self.fields[plan.template.field],
                title=plan.title,
                content=plan.content,
                responsible_unit=units[plan.first_unit],
                received_at=plan.received_at,
                location_unit=units[plan.hamlet],
                location_text=plan.place,
                parties=plan.parties(),
                is_complex=plan.is_complex,
                is_anonymous=plan.is_anonymous,
                is_hot_spot=plan.is_hot_spot,
                is_second_time=plan.is_second_time,
                petitioner_count=plan.petitioner_count,
                previous_case=previous,
            )
        case_id = created.case.pk
        for step in plan.steps:
            data = dict(step.data)
            if "assignee" in data:
                data["assignee"] = users[data["assignee"]]
            for key in ("to_unit", "unit"):
                if key in data:
                    data[key] = units[data[key]]
            try:
                with clock_at(step.moment):
                    case_transition(
                        case_id=case_id,
                        action=step.action,
                        actor=users[step.actor],
                        data=data,
                    )
            except DomainError as error:
                raise CommandError(
                    f"The workflow refused {step.action!r} by {step.actor} on a "
                    f"{plan.kind} case ({error.code}: {error.message} "
                    f"{error.fields or ''}); the demo plan needs updating."
                ) from error
        if not plan.is_anonymous:
            self.example = (created.case.display_code, created.pin)
        return case_id

    # Writing in bulk ---------------------------------------------------------

    def bulk(self, count: int) -> int:
        """Insert ``count`` cases in batches of ``BULK_BATCH``; only the
        batches being built are held in memory.

        Into a PostgreSQL database that has no cases yet, the whole load is
        one transaction: the tables' plain indexes and foreign keys are
        dropped first and rebuilt at the end (``LoadWithoutIndexes``), and
        the batches come from ``STREAMS`` streams built side by side
        (``_streams``).  Otherwise each batch is planned, then written in a
        transaction of its own.
        """
        started = time.monotonic()
        self.rows = BatchRows(pin_key=settings.TRACKING_PIN_KEY)
        if connection.vendor != "postgresql" or Case.objects.exists():
            return self._batches(count, started)
        with transaction.atomic():
            _commit_without_waiting()
            load = LoadWithoutIndexes([Case, Party, Answer, CaseEvent, AuditHead])
            load.drop()
            written = self._streams(count, started)
            rebuilding = time.monotonic()
            load.restore()
            self.stdout.write(
                f"  chỉ mục / indexes and foreign keys rebuilt in "
                f"{time.monotonic() - rebuilding:.0f} s"
            )
        load.analyze()
        return written

    def _batches(self, count: int, started: float) -> int:
        """Plan the batches one after the other, each written in a
        transaction of its own, with ids taken from the sequences."""
        cases, answers = IdBlock(Case), IdBlock(Answer)
        progress = Progress(self.stdout, started)
        for start, size in _batch_bounds(count):
            with _no_gc():
                plans = self._plan_batch(start, size)
                ids = cases.take(size)
                answered = [plan.sim.resolved_at is not None for plan in plans]
                taken = iter(answers.take(sum(answered)))
                answer_ids = [next(taken) if yes else None for yes in answered]
                self._write_batch(self._records(plans, ids, answer_ids))
            # With DEBUG on, Django keeps every query's SQL: drop them.
            reset_queries()
            self._remember_batch(plans, ids)
            progress.add(size)
        return count

    def _streams(self, count: int, started: float) -> int:
        """Build the batches in ``STREAMS`` streams and copy them in order.

        Batch ``b`` belongs to stream ``b % STREAMS``: a ``CaseMaker`` of its
        own (``stream``) that plans it from its own random generator, links
        cases to prior ones of its own and numbers its own decisions.
        Planning is sequential within a stream, so the streams are what can
        run side by side, each in a ``StreamProcess`` (one core each) while
        this process copies what they built.  The data does not depend on
        how many processes run, nor on their timing.

        This transaction holds the tables, so the ids are counted from the
        sequences' next values: the cases of batch ``b`` get the ids after
        those of batch ``b - 1``, and a case's answer (at most one) the id of
        the same rank in a block of answer ids.
        """
        cases = IdBlock(Case, exclusive=True)
        answers = IdBlock(Answer, exclusive=True)
        bounds = list(_batch_bounds(count))
        firsts = (cases.take(count).start, answers.take(count).start)
        seeds = [self.rng.getrandbits(64) for _ in range(STREAMS)]
        makers = [self.stream(index, seed) for index, seed in enumerate(seeds)]
        # A daemonic process may not start others: there, and where processes
        # cannot fork, the streams take turns in this one.
        forking = (
            "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon
        )
        sources = []
        try:
            for index, maker in enumerate(makers):
                batches = maker._built_batches(bounds[index::STREAMS], *firsts)
                sources.append(StreamProcess(batches) if forking else batches)
            progress = Progress(self.stdout, started)
            with connection.cursor() as cursor:
                for number, (_start, size) in enumerate(bounds):
                    for sql, data in next(sources[number % STREAMS]):
                        with cursor.cursor.copy(sql) as into:
                            into.write(data)
                    progress.add(size)
        finally:
            for source in sources:
                if isinstance(source, StreamProcess):
                    source.close()
        cases.close()
        answers.close()
        return count

    def stream(self, index: int, seed: int) -> CaseMaker:
        """A ``CaseMaker`` for stream ``index`` of ``STREAMS``: the same
        commune, people and rules, its own random generator (from ``seed``),
        no prior cases yet, and decision numbers and tracking codes apart
        from the other streams' (``index`` modulo ``STREAMS``)."""
        maker = copy.copy(self)
        maker.rng = DrawingRandom(seed)
        maker.streams = STREAMS
        maker.stream_index = index
        maker.appealable = []
        maker.answered = []
        maker.decision_numbers = {}
        maker.rows = BatchRows(
            pin_key=settings.TRACKING_PIN_KEY, streams=STREAMS, stream=index
        )
        return maker

    def _built_batches(
        self, bounds: list[tuple[int, int]], first_case: int, first_answer: int
    ) -> Iterator[list[tuple[str, bytes]]]:
        """The ``COPY`` data of the batches at ``bounds`` (start, size), each
        planned and built in turn (for ``_streams``)."""
        for start, size in bounds:
            with _no_gc():
                plans = self._plan_batch(start, size)
                ids = range(first_case + start, first_case + start + size)
                answer_ids = [
                    first_answer + start + rank if plan.sim.resolved_at else None
                    for rank, plan in enumerate(plans)
                ]
                copies = self.rows.copies(self._records(plans, ids, answer_ids))
            self._remember_batch(plans, ids)
            yield copies

    def _plan_batch(self, start: int, size: int) -> list[Plan]:
        """The plans of the cases ``start`` to ``start + size`` (the forced
        ones first), finalized in order of receipt."""
        forced = self.bulk_specs
        plans = [
            self.preplan(forced[index] if index < len(forced) else CHANCE, bulk=True)
            for index in range(start, start + size)
        ]
        plans.sort(key=lambda plan: plan.received_at)
        for plan in plans:
            self.finalize(plan, bulk=True)
        return plans

    def _remember_batch(self, plans: list[Plan], ids) -> None:
        for plan, case_id in zip(plans, ids, strict=True):
            self.remember(plan, case_id)

    def _write_batch(self, records: list[tuple]) -> None:
        """One batch in a transaction of its own, drawing the tracking codes
        again if one is already taken."""
        writers = self.rows.writers
        with transaction.atomic():
            _commit_without_waiting()
            for _attempt in range(5):
                rows = self.rows.build(records)
                try:
                    with transaction.atomic():
                        writers[Case].insert(rows.pop(Case))
                    break
                except IntegrityError:
                    # A tracking code drawn twice (one in 2**54): draw again.
                    continue
            else:  # pragma: no cover - would take astronomically bad luck
                raise CommandError("Could not draw unique tracking codes.")
            for model, model_rows in rows.items():
                writers[model].insert(model_rows)

    def _records(self, plans: list[Plan], ids, answer_ids: list) -> list[tuple]:
        """What the rows of one batch are made of, as plain values: for each
        case, its values in the order of ``BULK_COLUMNS[Case]`` after the
        code and PIN hash, its PIN, and the values of its parties, its answer
        (or ``None``; ``answer_ids`` has the id of each plan's) and its
        events."""
        pins = [f"{self.rng.randrange(10**6):06d}" for _ in plans]
        records = []
        for plan, case_id, pin, answer_id in zip(
            plans, ids, pins, answer_ids, strict=True
        ):
            received_at = plan.received_at
            parties = [
                (
                    case_id,
                    party.role,
                    party.full_name,
                    party.national_id,
                    party.phone,
                    party.email,
                    party.address,
                    received_at,
                    received_at,
                )
                for party in plan.parties()
            ]
            answer = None
            if answer_id is not None:
                answer = self._answer_values(plan.sim, answer_id, case_id)
            events = self._event_values(plan, case_id, answer_id)
            record = (self._case_values(plan, case_id), pin, parties, answer, events)
            records.append(record)
        return records

    def _case_values(self, plan: Plan, case_id: int) -> tuple:
        """In the order of ``BULK_COLUMNS[Case]``, after the code and PIN hash."""
        units = self.units
        user_ids = self.user_ids
        sim = plan.sim
        return (
            case_id,
            plan.kind,
            plan.channel,
            self.field_ids[plan.template.field],
            plan.title,
            plan.content,
            units[plan.hamlet].pk,
            plan.place,
            plan.received_at,
            units[sim.unit].pk,
            user_ids[sim.assignee] if sim.assignee else None,
            user_ids[RECEPTION],
            self.dispatch_unit_id,
            sim.status,
            sim.stage,
            sim.stage_due_on,
            sim.final_due_on,
            sim.accepted_at,
            sim.resolved_at,
            sim.closed_at,
            sim.published_at,
            sim.extensions,
            plan.is_complex,
            plan.petitioner_count >= 5,
            plan.previous is not None,
            plan.is_hot_spot,
            plan.is_anonymous,
            plan.is_second_time,
            plan.petitioner_count,
            plan.previous.case_id if plan.previous else None,
            units[sim.transferred_from].pk if sim.transferred_from else None,
            sim.handling_outcome,
            sim.transferred_to_class,
            self.ground_ids[sim.legal_ground] if sim.legal_ground else None,
            sim.outcome,
            sim.decision_number,
            sim.decision_date,
            sim.public_answer,
            sim.version,
            # ``auto_now`` would say "today": date the row by the case itself.
            plan.received_at,
            plan.steps[-1].moment if plan.steps else plan.received_at,
        )

    def _answer_values(self, sim: Sim, answer_id: int, case_id: int) -> tuple:
        """The approved answer that ``resolve`` records, as the first version
        (``BULK_COLUMNS[Answer]``)."""
        resolve = next(entry[0] for entry in sim.log if entry[0].action == "resolve")
        user_ids = self.user_ids
        return (
            answer_id,
            case_id,
            1,
            AnswerStatus.APPROVED,
            sim.public_answer,
            sim.outcome,
            sim.decision_number,
            sim.decision_date,
            user_ids[sim.drafted_by or resolve.actor],
            user_ids[resolve.actor],
            sim.drafted_at or resolve.moment,
            resolve.moment,
        )

    def _event_values(self, plan: Plan, case_id: int, answer_id) -> list[tuple]:
        """The "created" event and the last status change, as the services
        write them (``BULK_COLUMNS[CaseEvent]`` up to the audit columns)."""
        user_ids = self.user_ids
        events = [
            (
                case_id,
                EventKind.CREATED,
                "create",
                "",
                Status.RECEIVED,
                True,
                "",
                {
                    "stage": plan.initial_stage,
                    "stage_due_on": plan.initial_due.isoformat(),
                },
                user_ids[RECEPTION],
                plan.received_at,
            )
        ]
        last = None
        for entry in plan.sim.log:
            if workflow.ACTIONS[entry[0].action].target is not None:
                last = entry
        if last is not None:
            step, data, from_status, to_status = last
            if step.action == "resolve":
                data = {"answer_id": answer_id, "number": 1, **data}
            text = step.data.get("text") or step.data.get("reason") or ""
            events.append(
                (
                    case_id,
                    EVENT_KINDS.get(step.action, EventKind.STATUS),
                    step.action,
                    from_status,
                    to_status,
                    step.action not in INTERNAL_ACTIONS,
                    str(text).strip(),
                    data,
                    user_ids[step.actor],
                    step.moment,
                )
            )
        return events


# The columns each bulk row gives, in the order of the values
# ``CaseMaker._records`` and ``BatchRows`` make; the others take their
# defaults.
BULK_COLUMNS = {
    Case: (
        "code",
        "pin_hash",
        "id",
        "kind",
        "channel",
        "field_id",
        "title",
        "content",
        "location_unit_id",
        "location_text",
        "received_at",
        "responsible_unit_id",
        "assignee_id",
        "created_by_id",
        "dispatch_unit_id",
        "status",
        "stage",
        "stage_due_on",
        "final_due_on",
        "accepted_at",
        "resolved_at",
        "closed_at",
        "published_at",
        "extensions",
        "is_complex",
        "is_mass",
        "is_prolonged",
        "is_hot_spot",
        "is_anonymous",
        "is_second_time",
        "petitioner_count",
        "previous_case_id",
        "transferred_from_id",
        "handling_outcome",
        "transferred_to_class",
        "legal_ground_id",
        "outcome",
        "decision_number",
        "decision_date",
        "public_answer",
        "version",
        "created_at",
        "updated_at",
    ),
    Party: (
        "case_id",
        "role",
        "full_name",
        "national_id",
        "phone",
        "email",
        "address",
        "created_at",
        "updated_at",
    ),
    Answer: (
        "id",
        "case_id",
        "number",
        "status",
        "text",
        "outcome",
        "decision_number",
        "decision_date",
        "author_id",
        "reviewed_by_id",
        "created_at",
        "reviewed_at",
    ),
    CaseEvent: (
        "case_id",
        "kind",
        "action",
        "from_status",
        "to_status",
        "is_public",
        "text",
        "data",
        "author_id",
        "created_at",
        "audit_seq",
        "prev_hash",
        "row_hash",
    ),
    AuditHead: ("case_id", "chain", "seq", "row_hash"),
}


# Text columns whose values this command makes from plain alphabets (codes,
# hashes, stages, actions, decision numbers): no tab, new line or backslash
# to escape, ``COPY`` takes them as they are.
VERBATIM = frozenset(
    {"code", "pin_hash", "prev_hash", "row_hash", "stage", "action", "decision_number"}
)


# The values of a "created" event that ``BatchRows._created_hash`` fills in.
CREATED_COLUMNS = ("case_id", "data", "author_id")


class BatchRows:
    """The rows of a batch, from its records (``CaseMaker._records``): each
    case with a new tracking code and its PIN hashed, its parties, its
    answer, its events sealed in its audit chain as ``CaseEvent.save``
    would, and the heads of its two chains (the history chain starts
    empty).

    Only values in, rows out.  Each stream (``CaseMaker.stream``) draws the
    tracking codes whose number is its own ``stream`` modulo ``streams``, so
    that no two streams draw the same.
    """

    def __init__(self, *, pin_key: str, streams: int = 1, stream: int = 0):
        self.pin_key = pin_key
        self.streams = streams
        self.stream = stream
        self.cells = Cells(copy_format=connection.vendor == "postgresql")
        self.writers = {
            model: RowWriter(model, names, self.cells, with_pk=model in (Case, Answer))
            for model, names in BULK_COLUMNS.items()
        }
        # The chain hashes each event as ``audit.seal_values`` does: its
        # columns by name, in the chain's order, the defaults for the rest.
        audited = audit.describe(CaseEvent)
        given = BULK_COLUMNS[CaseEvent]
        self.event_table = audited.table
        self.event_names = audited.names
        self.event_columns = [
            (given.index(f.attname) if f.attname in given else None, f.get_default())
            for f in audited.fields
        ]
        self.event_moment = given.index("created_at")
        self.hashed_moment = self.event_names.index("created_at")
        self.created_text: str | None = None
        self.created_columns = [given.index(name) for name in CREATED_COLUMNS]
        self.texts: dict[str, str] = {}
        # ``tracking.hash_pin`` from a copy of the keyed hash: the key is
        # hashed once, not for every case.  A code made here is normalized.
        self.pin_hmac = hmac.new(pin_key.encode(), digestmod=hashlib.sha256)
        if self._pin_hash("A2B3C4D5E6F7", "012345") != tracking.hash_pin(
            "A2B3C4D5E6F7", "012345", key=pin_key
        ):  # pragma: no cover - a change to ``hash_pin`` must be made here too
            raise CommandError("tracking.hash_pin changed: update seed_demo.")
        # The tracking codes drawn by this run (as numbers), never drawn twice.
        self.codes_drawn: set[int] = set()

    def build(self, records: list[tuple]) -> dict:
        """The rows of each model, in the order of the records."""
        cells = self.cells
        cells.clear()
        make_case = self.writers[Case].make
        make_party = self.writers[Party].make
        make_answer = self.writers[Answer].make
        make_event = self.writers[CaseEvent].make
        make_head = self.writers[AuditHead].make
        codes = self._codes(len(records))
        case_rows, party_rows, answer_rows, event_rows, head_rows = [], [], [], [], []
        for (case, pin, parties, answer, events), code in zip(
            records, codes, strict=True
        ):
            case_id = case[0]
            case_rows.append(make_case([code, self._pin_hash(code, pin), *case]))
            for party in parties:
                party_rows.append(make_party(list(party)))
            if answer is not None:
                answer_rows.append(make_answer(list(answer)))
            # The first event is the case's "created" event (``_records``).
            created = [*events[0], 1, audit.GENESIS]
            prev = self._created_hash(created)
            created.append(prev)
            event_rows.append(make_event(created))
            for seq, event in enumerate(events[1:], start=2):
                values = [*event, seq, prev]
                prev = self._event_hash(values)
                values.append(prev)
                event_rows.append(make_event(values))
            head_rows.append(make_head([case_id, AuditChain.EVENTS, len(events), prev]))
            head_rows.append(make_head([case_id, AuditChain.HISTORY, 0, audit.GENESIS]))
        return {
            Case: case_rows,
            Party: party_rows,
            Answer: answer_rows,
            CaseEvent: event_rows,
            AuditHead: head_rows,
        }

    def copies(self, records: list[tuple]) -> list[tuple[str, bytes]]:
        """``(copy_sql, data)`` for each model with rows (PostgreSQL)."""
        return [
            (self.writers[model].copy_sql, self.writers[model].copy_data(rows))
            for model, rows in self.build(records).items()
            if rows
        ]

    def _event_hash(self, values: list) -> str:
        """The ``row_hash`` of an event (``values``: its ``BULK_COLUMNS``
        up to ``prev_hash``), with its moment as the chain serializes it."""
        row = [
            default if index is None else values[index]
            for index, default in self.event_columns
        ]
        row[self.hashed_moment] = self.cells.utc(values[self.event_moment])
        return audit.link_hash(values[-1], self.event_table, self.event_names, row)

    def _created_hash(self, values: list) -> str:
        """``_event_hash`` of a "created" event, from the chain text of one
        worked out once: every such event has the same fields filled, only
        its case, author, moment and first stage and due date change."""
        if self.created_text is None:
            self.created_text = self._created_template(values)
        case, data, author = itemgetter(*self.created_columns)(values)
        text = self.created_text.format(
            case=case,
            author=author,
            # ISO dates and times are plain ASCII: JSON only quotes them.
            moment=f'"{self.cells.utc(values[self.event_moment])}"',
            stage=self._json_text(data["stage"]),
            due=f'"{data["stage_due_on"]}"',
        )
        return hashlib.sha256(f"{values[-1]}\n{text}".encode()).hexdigest()

    def _created_template(self, values: list) -> str:
        """The chain text (``audit.canonical``) of a "created" event like
        ``values``, with ``{case}``, ``{author}``, ``{moment}``, ``{stage}``
        and ``{due}`` where its own go; checked against ``_event_hash``."""
        names = BULK_COLUMNS[CaseEvent]
        # Numbers no id reaches and texts no stage has, found in the text.
        markers = {
            "case": 7_000_000_000_000_001,
            "author": 7_000_000_000_000_002,
            "moment": "1901-02-03T04:05:06+00:00",
            "stage": "\x01stage",
            "due": "\x01due",
        }
        marked = list(values)
        marked[names.index("case_id")] = markers["case"]
        marked[names.index("author_id")] = markers["author"]
        marked[names.index("data")] = {
            "stage": markers["stage"],
            "stage_due_on": markers["due"],
        }
        row = [
            default if index is None else marked[index]
            for index, default in self.event_columns
        ]
        row[self.hashed_moment] = markers["moment"]
        template = audit.canonical(self.event_table, self.event_names, row).decode()
        template = template.replace("{", "{{").replace("}", "}}")
        for key, marker in markers.items():
            text = str(marker) if isinstance(marker, int) else self._json_text(marker)
            if template.count(text) != 1:  # pragma: no cover - see the check
                raise CommandError("The chain text of events changed.")
            template = template.replace(text, f"{{{key}}}")
        self.created_text = template
        if self._created_hash(values) != self._event_hash(values):
            raise CommandError("The chain text of events changed: update seed_demo.")
        return template

    def _json_text(self, value: str) -> str:
        """``value`` as the chain's JSON writes it (the few stage names)."""
        text = self.texts.get(value)
        if text is None:
            text = self.texts[value] = json.dumps(value, ensure_ascii=False)
        return text

    def _pin_hash(self, code: str, pin: str) -> str:
        keyed = self.pin_hmac.copy()
        keyed.update(f"{code}:{pin}".encode())
        return keyed.hexdigest()

    def _codes(self, count: int) -> list[str]:
        """``count`` new tracking codes (``tracking.generate_code``, from one
        draw of the random body instead of one per symbol), none of them
        one this run drew before."""
        # 64 random bits a draw; those above the largest multiple of the
        # code space are left out, so that every body is equally likely.
        limit = (1 << 64) // CODE_SPACE * CODE_SPACE
        numbers: list[int] = []
        while len(numbers) < count:
            for number in memoryview(secrets.token_bytes(8 * count)).cast("Q"):
                if number >= limit:
                    continue
                number %= CODE_SPACE
                if number % self.streams != self.stream or number in self.codes_drawn:
                    continue
                self.codes_drawn.add(number)
                numbers.append(number)
                if len(numbers) == count:
                    break
        codes = []
        for number in numbers:
            symbols = []
            for _ in range(tracking.RANDOM_LENGTH):
                number, value = divmod(number, tracking.BASE)
                symbols.append(tracking.ALPHABET[value])
            body = "".join(symbols)
            codes.append(body + tracking.check_symbol(body))
        return codes


class Cells:
    """How the values of bulk rows are written: as fields of ``COPY``'s text
    format on PostgreSQL (the text PostgreSQL parses to the value psycopg
    would bind), else as ``INSERT`` binds them.  A moment or a date met
    again in a batch (a case's receipt dates its row, its parties and its
    first event) is formatted once: formatting them is much of the cost of
    a row."""

    def __init__(self, *, copy_format: bool):
        self.copy_format = copy_format
        self.moments: dict = {}
        self.days: dict = {}
        self.instants: dict = {}
        if copy_format:
            self._moment = self._moment_text
            self._day = dt.date.isoformat
            self.null = _NULL
            # The texts of days and offsets, kept from batch to batch.
            self.day_texts: dict[dt.date, str] = {}
            self.offset_texts: dict[dt.timedelta | None, str] = {}
            self.clock = _clock()
        else:
            self._moment = _datetime_adapter()
            self._day = connection.ops.adapt_datefield_value
            self.null = None

    def clear(self) -> None:
        self.moments.clear()
        self.days.clear()
        self.instants.clear()

    def _moment_text(self, value: dt.datetime) -> str:
        """``str(value)``: an aware datetime prints with its offset, the
        same instant for PostgreSQL.  Made from the texts of its day, its
        time of day (``_clock``) and its offset, in half the time."""
        if value.microsecond:
            return str(value)
        day = value.date()
        day_text = self.day_texts.get(day)
        if day_text is None:
            day_text = self.day_texts[day] = f"{day.isoformat()} "
        offset = value.utcoffset()
        offset_text = self.offset_texts.get(offset)
        if offset_text is None:
            offset_text = self.offset_texts[offset] = str(value)[19:]
        return (
            day_text
            + self.clock[value.hour * 3600 + value.minute * 60 + value.second]
            + offset_text
        )

    def converter(self, model_field, *, verbatim=False) -> Callable | None:
        """How a value of ``model_field`` is written, or ``None``: as it is
        (``COPY`` reads numbers as Python prints them, and booleans too).
        ``verbatim``: text that needs no escaping."""
        internal_type = model_field.get_internal_type()
        if internal_type == "DateTimeField":
            return self.moment
        if internal_type == "DateField":
            return self.day
        if not self.copy_format:
            if internal_type == "JSONField":
                return partial(model_field.get_db_prep_save, connection=connection)
            return None
        if internal_type == "JSONField":
            convert = _compose(
                _copy_text, (model_field.encoder or json.JSONEncoder)().encode
            )
        elif (
            model_field.empty_strings_allowed
            and not model_field.choices
            and not verbatim
        ):
            # Free text may hold tabs, new lines and backslashes; the values
            # of choices are codes.
            convert = _copy_text
        else:
            convert = None
        if not model_field.null:
            return convert
        if convert is None:
            return self.ref
        return lambda value: _NULL if value is None else convert(value)

    def moment(self, value):
        if value is None:
            return self.null
        text = self.moments.get(value)
        if text is None:
            text = self.moments[value] = self._moment(value)
        return text

    def day(self, value):
        if value is None:
            return self.null
        text = self.days.get(value)
        if text is None:
            text = self.days[value] = self._day(value)
        return text

    def ref(self, value):
        return _NULL if value is None else value

    def utc(self, value: dt.datetime) -> str:
        """``value`` as the audit chain serializes it (``audit._plain``)."""
        text = self.instants.get(value)
        if text is None:
            text = self.instants[value] = value.astimezone(dt.UTC).isoformat()
        return text


@cache
def _clock() -> list[str]:
    """The text ("HH:MM:SS") of each second of a day."""
    return [
        f"{hour:02d}:{minute:02d}:{second:02d}"
        for hour in range(24)
        for minute in range(60)
        for second in range(60)
    ]


def _compose(outer: Callable, inner: Callable) -> Callable:
    return lambda value: outer(inner(value))


def _copy_text(value) -> str:
    """``value`` as a field of ``COPY``'s text format."""
    text = value if type(value) is str else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _datetime_adapter():
    """``adapt_datetimefield_value`` for aware datetimes, minus its checks
    on every call: SQLite stores them as naive text in the connection's
    time zone; the other backends take them as they are."""
    if connection.vendor == "sqlite" and settings.USE_TZ:
        zone = connection.timezone
        return lambda value: str(value.astimezone(zone).replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value


class RowWriter:
    """Many rows of one model, written from plain values.

    ``bulk_create`` prepares each value of each object through its field and
    model instances are slow to build; at a million cases that is most of the
    run.  Here a row (``make``) is made from the values of the columns
    ``names`` (attnames), in that order, the other columns taking their
    defaults: on PostgreSQL directly as a line of ``COPY``'s text format,
    elsewhere as a list of values for an ``INSERT``.  Give ``auto_now``
    fields explicitly, and the primary key when ``with_pk`` (ids reserved
    with ``IdBlock``).
    """

    def __init__(self, model, names: tuple[str, ...], cells: Cells, *, with_pk=False):
        self.copy_format = cells.copy_format
        fields = [
            f for f in model._meta.concrete_fields if with_pk or not f.primary_key
        ]
        by_name = {f.attname: f for f in fields}
        unknown = set(names) - set(by_name)
        if unknown:
            raise CommandError(f"No such columns: {', '.join(sorted(unknown))}.")
        self.conversions = [
            (index, convert)
            for index, name in enumerate(names)
            if (convert := cells.converter(by_name[name], verbatim=name in VERBATIM))
            is not None
        ]
        others = [f for f in fields if f.attname not in names]
        defaults = []
        for model_field in others:
            default = None if model_field.primary_key else model_field.get_default()
            convert = cells.converter(model_field)
            if convert is not None:
                default = convert(default)
            defaults.append(default)
        self.defaults = tuple(defaults)
        # The given columns first, in the order of ``names``, then the others.
        columns = [by_name[name] for name in names] + others
        # ``%`` formatting prints the numbers (and is cheaper than
        # ``str.format`` or joining values made text one by one).
        self.template = (
            "\t".join(
                ["%s"] * len(names)
                + [str(default).replace("%", "%%") for default in defaults]
            )
            + "\n"
        )
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        listed = ", ".join(quote(f.column) for f in columns)
        marks = ", ".join(["%s"] * len(columns))
        # Identifiers from the model's own metadata, quoted; values are bound.
        self.sql = f"INSERT INTO {table} ({listed}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {table} ({listed}) FROM STDIN"

    def make(self, values: list) -> str | tuple:
        """A row from the values of ``names`` (the list is changed)."""
        for index, convert in self.conversions:
            values[index] = convert(values[index])
        if self.copy_format:
            return self.template % tuple(values)
        return (*values, *self.defaults)

    def copy_data(self, rows: list[str]) -> bytes:
        return "".join(rows).encode()

    def insert(self, rows: list) -> None:
        """Write ``rows`` now: one ``COPY`` on PostgreSQL (the server would
        parse and plan each row of an ``executemany`` on its own), one
        prepared ``INSERT`` run for every row elsewhere."""
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.copy_format:
                with cursor.cursor.copy(self.copy_sql) as copy:
                    copy.write(self.copy_data(rows))
            else:
                cursor.executemany(self.sql, rows)


_NULL = "\\N"


class IdBlock:
    """Primary keys for rows whose id other rows of the batch need (a case's
    parties and events, an answer's event) before they are written.

    By default each call takes ``n`` values from the table's sequence (on
    SQLite, the ids after the largest in use: it has one writer at a time).
    ``exclusive`` is for tables this transaction holds in ``ACCESS
    EXCLUSIVE`` mode, so that nobody else can take an id meanwhile: ids are
    counted from the sequence's next value, and ``close`` moves the sequence
    past the last one given.
    """

    def __init__(self, model, *, exclusive: bool = False):
        self.table = model._meta.db_table
        self.exclusive = exclusive
        self.sequence = None
        self.next_id = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [self.table])
                self.sequence = cursor.fetchone()[0]
                if exclusive:
                    cursor.execute("SELECT nextval(%s)", [self.sequence])
                    self.next_id = cursor.fetchone()[0]

    def take(self, n: int) -> Sequence[int]:
        if self.next_id is not None:
            first = self.next_id
            self.next_id += n
            return range(first, first + n)
        if not n:
            return []
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if self.sequence is not None:
                cursor.execute(
                    "SELECT nextval(%s) FROM generate_series(1, %s)", [self.sequence, n]
                )
                return sorted(row[0] for row in cursor.fetchall())
            # The table name is the model's own, quoted.
            cursor.execute(f"SELECT MAX(id) FROM {quote(self.table)}")  # noqa: S608
            largest = cursor.fetchone()[0] or 0
            cursor.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table]
            )
            found = cursor.fetchone()
            first = max(largest, found[0] if found else 0) + 1
        return list(range(first, first + n))

    def close(self) -> None:
        """Leave the sequence at the last id given (its next value unused
        when none was)."""
        if self.next_id is None:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(%s, %s, %s)",
                [self.sequence, max(self.next_id - 1, 1), self.next_id > 1],
            )


class StreamProcess:
    """The batches of one stream (``CaseMaker._built_batches``), built in a
    child process, as an iterator over their ``COPY`` data.

    The child is forked, so it starts with everything the stream needs; it
    sends each batch's data through a pipe as soon as it is built (and
    waits while the pipe is full), and this process takes them in order.
    It never touches the database connection it inherits, and ends with
    ``os._exit`` (``multiprocessing``) without closing it.  Fork before any
    thread starts: a fork copies only the calling thread, and a lock
    another thread held would stay locked in the child.
    """

    def __init__(self, batches: Iterator[list[tuple[str, bytes]]]):
        context = multiprocessing.get_context("fork")
        self.results, results_in = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_send_batches,
            args=(batches, results_in),
            name="seed-stream",
            daemon=True,
        )
        self.process.start()
        # Only the child holds this end now: when it ends, reading from
        # ``results`` fails instead of waiting for ever.
        results_in.close()

    def __iter__(self):
        return self

    def __next__(self) -> list[tuple[str, bytes]]:
        try:
            result = self.results.recv()
        except EOFError:
            raise CommandError("A process building the cases ended.") from None
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
        """Stop the child if it still runs (after an error here)."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.results.close()


def _send_batches(batches: Iterator, results) -> None:
    """The ``StreamProcess`` child."""
    # It makes no reference cycles (see ``_no_gc``): left on, the collector
    # would only rescan what the batches hold.
    gc.disable()
    try:
        for copies in batches:
            results.send(copies)
    except Exception:  # noqa: BLE001 - reported to the parent, which raises it
        results.send(CommandError(f"Building cases failed:\n{format_exc()}"))


class Progress:
    """Reports every ``PROGRESS_EVERY`` cases written."""

    def __init__(self, stdout, started: float):
        self.stdout = stdout
        self.started = started
        self.written = 0
        self.next_report = PROGRESS_EVERY

    def add(self, count: int) -> None:
        self.written += count
        while self.written >= self.next_report:
            elapsed = time.monotonic() - self.started
            self.stdout.write(
                f"  {self.next_report:>9,} vụ việc / cases ({elapsed:.0f} s)"
            )
            self.next_report += PROGRESS_EVERY


def _batch_bounds(count: int) -> Iterator[tuple[int, int]]:
    """(start, size) of each batch of ``count`` cases."""
    for start in range(0, count, BULK_BATCH):
        yield start, min(BULK_BATCH, count - start)


class LoadWithoutIndexes:
    """Drop the plain indexes and the foreign keys of tables about to be
    filled from empty, and recreate them after: building an index from a
    million rows at once costs a fraction of updating it row by row, and
    each foreign key checks its rows with one join instead of one query per
    row.  PostgreSQL only, inside the transaction that loads the rows (the
    ``DROP`` holds the tables until it commits, and a failure rolls it all
    back).

    The definitions are read from the catalogue before dropping
    (``pg_get_indexdef`` and ``pg_get_constraintdef``), so exactly what the
    migrations made comes back, under the same names.  Primary keys, unique
    indexes and check constraints stay: they keep checking every row.
    Partial indexes stay too: they take the few rows that match (open cases,
    flagged ones), and the text of a predicate such as ``status IN (…)``
    does not read back into the very same expression.
    """

    def __init__(self, tables):
        self.tables = [model._meta.db_table for model in tables]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid = ANY (%s::regclass[])
                  AND NOT i.indisprimary AND NOT i.indisunique
                  AND i.indpred IS NULL
                  AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                        AND c.contype IN ('p', 'u', 'x')
                  )
                ORDER BY i.indrelid, i.indexrelid
                """,
                [self.tables],
            )
            self.indexes = cursor.fetchall()
            cursor.execute(
                """
                SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                FROM pg_constraint
                WHERE conrelid = ANY (%s::regclass[]) AND contype = 'f'
                ORDER BY conrelid, conname
                """,
                [self.tables],
            )
            self.foreign_keys = cursor.fetchall()

    def drop(self) -> None:
        # Rows this transaction wrote before (units and users, when the
        # caller holds one transaction around the command) leave deferred
        # checks pending, and a table with pending checks cannot be altered:
        # run them now, as Django does before loading fixtures.
        connection.check_constraints()
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")

    def restore(self) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            # Sorting for the index builds, parallel workers included.
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _name, definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in self.foreign_keys:
                cursor.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"
                )
            cursor.execute("RESET maintenance_work_mem")

    def analyze(self) -> None:
        """Planner statistics for the new rows (autovacuum would take its
        time, and until then every query plans for empty tables)."""
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class Command(BaseCommand):
    help = (
        "Build the demo commune Xã Xuân Thành (Nghệ An) with its staff and "
        "cases. Safe to run again: units and users are never duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cases",
            type=int,
            default=None,
            help=(
                f"add this many cases (default: {DEFAULT_CASES}, only when the "
                f"database has none; more than {BULK_THRESHOLD} are bulk-inserted)"
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="random seed, for repeatable data"
        )

    def handle(self, *args, **options):
        count = options["cases"]
        if count is not None and count < 0:
            raise CommandError("--cases must be zero or more.")
        seed = options["seed"]
        if seed is None:
            seed = secrets.randbelow(1_000_000)
        started = time.monotonic()
        with transaction.atomic():
            units = self._build_units()
            users = self._build_users(units)
        self.stdout.write(
            f"Đơn vị / units: {len(units)}; cán bộ / staff: {len(users)}."
        )
        if count is None:
            if Case.objects.exists():
                self.stdout.write(
                    "Đã có vụ việc, không tạo thêm / cases exist, none added "
                    "(use --cases N to add more)."
                )
                count = 0
            else:
                count = DEFAULT_CASES
        maker = None
        if count:
            self.stdout.write(f"Seed: {seed}")
            maker = CaseMaker(
                rng=DrawingRandom(seed),
                units=units,
                users=users,
                fields=self._fields(),
                now=timezone.now(),
                stdout=self.stdout,
            )
            if count > BULK_THRESHOLD:
                written = maker.bulk(count)
                how = "bulk insert"
            else:
                written = maker.with_services(count)
                how = "case_create/case_transition"
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã tạo {written:,} vụ việc / {written:,} cases created "
                    f"({how}) in {time.monotonic() - started:.1f} s."
                )
            )
        self._open_online_desk(units)
        self._seed_other_apps(units, users, seed)
        self._print_logins(units, users, maker)

    def _open_online_desk(self, units: dict[str, Unit]) -> None:
        """Citizens' online letters land at the People's Committee's desk
        unless the deployment already chose a unit."""
        if not Unit.objects.filter(receives_public_submissions=True).exists():
            Unit.objects.filter(pk=units["XT-UBND"].pk).update(
                receives_public_submissions=True
            )

    def _seed_other_apps(self, units, users, seed) -> None:
        """Let the apps built on the core (reception register, meetings, work
        program) add their demo data; each skips what it already has. Citizen
        notifications stay off: demo data is history, not news."""
        from feedback.tasks import connect_signals, disconnect_signals

        disconnect_signals()
        try:
            demo_seeded.send(
                sender=type(self),
                root_unit=units["NA-XT"],
                users=users,
                rng=random.Random(seed),
                today=timezone.localdate(),
                stdout=self.stdout,
            )
        finally:
            connect_signals()

    def _fields(self) -> dict[str, Field]:
        fields = Field.objects.in_bulk(field_name="code")
        missing = sorted(set(FIELD_OFFICE) - set(fields))
        if missing:
            raise CommandError(
                f"Missing fields {', '.join(missing)}: run migrate first."
            )
        return fields

    def _build_units(self) -> dict[str, Unit]:
        """The commune tree; units that exist (by code) are kept as they are."""
        units = Unit.objects.in_bulk(
            [code for code, *_rest in UNITS], field_name="code"
        )
        for code, name, kind, parent_code, remote in UNITS:
            if code in units:
                continue
            unit = Unit(
                code=code,
                name=name,
                kind=kind,
                parent=units[parent_code] if parent_code else None,
                is_remote_area=remote,
            )
            unit.save()
            units[code] = unit
        return units

    def _build_users(self, units: dict[str, Unit]) -> dict:
        """Demo staff with their roles and the admin's view permissions."""
        user_model = get_user_model()
        view_permissions = list(
            Permission.objects.filter(
                content_type__app_label="feedback", codename__startswith="view_"
            )
        )
        # One hash for the shared password: hashing is slow by design.
        password = make_password(DEMO_PASSWORD)
        users = {}
        for username, last_name, first_name, _position, roles, superuser in STAFF:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "password": password,
                    "is_staff": True,
                    "is_superuser": superuser,
                },
            )
            if not created and not (user.password and user.has_usable_password()):
                user.password = password
                user.save(update_fields=["password"])
            for unit_code, role in roles:
                Membership.objects.get_or_create(
                    user=user, unit=units[unit_code], role=role
                )
            user.user_permissions.add(*view_permissions)
            _demo_authenticator(user)
            users[username] = user
        return users

    def _print_logins(self, units, users, maker) -> None:
        self.stdout.write(
            f"Mã xác thực hai lớp / two-factor codes: key {DEMO_TOTP_SECRET} "
            "in an authenticator app (TOTP, 6 digits, 30 s), "
            "or `python manage.py demo_totp` for the current code"
        )
        write = self.stdout.write
        write("")
        write(
            self.style.MIGRATE_HEADING(
                f"Tài khoản demo / demo log-ins — mật khẩu / password: {DEMO_PASSWORD}"
            )
        )
        rows = {row[0]: row for row in STAFF}
        for username in MAIN_USERS:
            _username, last_name, first_name, position, roles, superuser = rows[
                username
            ]
            write(f"  {username:<11} {last_name} {first_name} — {position}")
            for unit_code, role in roles:
                label = Role(role).label
                write(f"  {'':<11} {role} ({label}) — {units[unit_code].name}")
            if superuser:
                write(f"  {'':<11} superuser (toàn quyền / full access)")
        others = [row[0] for row in STAFF if row[0] not in MAIN_USERS]
        write(f"  Cán bộ khác / other staff: {', '.join(others)}")
        if maker is not None and maker.example is not None:
            code, pin = maker.example
            write(f"  Tra cứu thử / try the tracking page: mã {code}, PIN {pin}")
