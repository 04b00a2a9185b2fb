"""The steering committee's 2024 program of government mass mobilisation
of Xuân Thành commune, typed from the signed document (focus areas, the
tasks of each quarter, the reporting regime), with units' own programs, a
few bright spots and an inspection.

Connected to ``feedback.signals.demo_seeded`` in ``ProgramsConfig.ready``.
Running it again creates nothing twice. This is an import of a signed
document, so rows are written directly rather than through the services.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from feedback.models import Unit, UnitKind
from programs.models import (
    BrightSpot,
    BrightSpotStatus,
    FollowUpAction,
    FollowUpStatus,
    Inspection,
    InspectionStatus,
    ProgramTask,
    Rating,
    TaskKind,
    TaskNote,
    TaskStatus,
    WorkProgram,
    quarter_end,
)

YEAR = 2024
TITLE = "Chương trình công tác dân vận chính quyền năm 2024"
SIGNER = "Phan Hoàng Thụ"
LEGAL_BASES = [
    'Nghị quyết 25/NQ-TW (khóa XI) "Về tăng cường và đổi mới sự lãnh đạo của '
    'Đảng đối với công tác dân vận trong tình hình mới"',
    "Quyết định số 23-QĐ/TW ngày 30/01/2021 của Bộ Chính trị",
    'Quy chế 07-QC/TU của Ban Thường vụ Tỉnh ủy về "Quy chế công tác dân vận '
    'của hệ thống chính trị tỉnh Nghệ An"',
    "Kết luận 114-KL/TW của Ban Bí thư",
    "Chỉ thị số 16/CT ngày 16/05/2016 của Thủ tướng Chính phủ",
    "Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ",
    'Chỉ thị số 13/CT-UBND "Về tăng cường và đổi mới công tác dân vận trong '
    'các cơ quan nhà nước, chính quyền các cấp trong tình hình mới"',
    "Kế hoạch 781/KH-UBND ngày 16/12/2021 của UBND tỉnh",
]
FOCUS_AREAS = [
    (
        'Tiếp tục quán triệt và thực hiện Nghị quyết 25/NQ-TW (khóa XI) "Về tăng '
        "cường và đổi mới sự lãnh đạo của Đảng đối với công tác dân vận trong tình "
        'hình mới", gắn với việc xây dựng và triển khai thực hiện Quy chế công tác '
        "dân vận của hệ thống chính trị theo Quyết định số 23-QĐ/TW ngày 30/01/2021 "
        'của Bộ Chính trị và Quy chế 07-QC/TU của Ban Thường vụ Tỉnh ủy về "Quy chế '
        'công tác dân vận của hệ thống chính trị tỉnh Nghệ An"; Kết luận 114-KL/TW '
        "của Ban Bí thư; Chỉ thị số 16/CT ngày 16/05/2016 của Thủ tướng Chính phủ, "
        "Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ về tiếp tục "
        "tăng cường và đổi mới công tác dân vận trong cơ quan hành chính nhà nước, "
        'chính quyền các cấp trong tình hình mới; Chỉ thị số 13/CT-UBND "Về tăng '
        "cường và đổi mới công tác dân vận trong các cơ quan nhà nước, chính quyền "
        'các cấp trong tình hình mới". Kế hoạch 781/KH-UBND ngày 16/12/2021 của UBND '
        "tỉnh về thực hiện Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính "
        "phủ về tiếp tục tăng cường và đổi mới công tác dân vận trong cơ quan hành "
        "chính nhà nước, chính quyền các cấp trong tình hình mới."
    ),
    (
        "Tăng cường sự lãnh đạo của đảng, thực hiện của chính quyền mặt trận và các "
        "đoàn thể trong việc thực hiện công tác dân vận chính quyền và QCDC cơ sở, tổ"
        " chức kịp thời."
    ),
    (
        "Tập trung nâng cao đạo đức công vụ, chất lượng thực thi nhiệm vụ công vụ của"
        " cán bộ, công chức;"
    ),
    (
        "Thực hiện tốt việc tiếp xúc, đối thoại, giải quyết đối thoại với nhân dân, "
        "không để xảy ra bức xúc, điểm nóng;"
    ),
    (
        'Giải quyết các ý kiến, kiến nghị của cử tri với phương châm "nghe dân nói, '
        'nói dân nghe";'
    ),
    (
        "Tăng cường công tác công khai các chế độ, chính sách, các chủ trương lên hệ "
        "thống thông tin đại chúng,;"
    ),
    (
        "Tổ chức đánh giá lại các quy chế phối hợp giữa các phòng, ban, ngành, tổ "
        "chức, đoàn thể để bổ sung, điều chỉnh cho phù hợp."
    ),
    (
        "Tăng cường thực hiện công tác Cải cách hành chính, gắn công tác cải cách "
        "hành chính với công tác dân vận chính quyền và quy chế dân chủ cơ sở. Triển "
        "khai Đề án nâng cáo chất lượng thực hiện cơ chế một cửa, cơ chế một cửa liên"
        " thông theo hướng hiện đại tại cơ quan hành chính nhà nước"
    ),
    (
        "Đẩy mạnh công tác dân vận chính quyền trong xử lý đơn thư và giải quyết "
        "khiếu nại, tố cáo của công dân, nhất là những nhiệm vụ khiếu kiện phức tạp, "
        "đông người, kéo dài, tạo sự đồng thuận trong xã hội, góp phần ổn định phát "
        "triển của địa phương, xây dựng nông thôn mới nâng cao."
    ),
    (
        "Chỉ đạo, đơn vị, ban, ngành, đoàn thể xây dựng được tối thiểu 01 - 02 điểm "
        "sáng về công tác Dân vận chính quyền trong năm 2022 tại các đơn vị trên địa "
        "bàn."
    ),
]
# (quarter, kind, text) exactly as in "2. Nhiệm vụ cụ thể, thời gian thực
# hiện"; Quý 3 repeats the "Đôn đốc cơ sở…" task, as the document does.
TASKS = [
    # Quý 1
    (
        1,
        TaskKind.DIRECT,
        "Xây dựng chương trình công tác dân vận chính quyền năm 2024 của BCD xã.",
    ),
    (
        1,
        TaskKind.URGE,
        (
            "Chỉ đạo, đôn đốc các đơn vị, ban, ngành, đoàn thể xây dựng chương trình "
            "công tác Dân vận chính quyền năm 2024."
        ),
    ),
    (
        1,
        TaskKind.DIRECT,
        (
            "Chỉ đạo các ban ngành, các đơn vị xây dựng và đăng ký điểm sáng về công "
            "tác dân vận chính quyền."
        ),
    ),
    (
        1,
        TaskKind.DIRECT,
        ("Kiện toàn Ban chỉ đạo công tác dân vận chính quyền khi có nhân sự thay đổi."),
    ),
    # Quý 2
    (
        2,
        TaskKind.PROPAGANDA,
        (
            "Tổ chức tuyên truyền, phổ biến hiến pháp tại các cơ quan đơn vị. Đặc "
            "biệt tập trung cho công tác tuyên truyền Chỉ thị 16/CT-TTg ngày "
            "16/05/2016 của Thủ tướng Chính phủ, Chỉ thị số 13/CT-UBND “Về tăng cường"
            " và đổi mới công tác dân vận trong các cơ quan nhà nước, chính quyền các"
            " cấp trong tình hình mới”."
        ),
    ),
    (
        2,
        TaskKind.CHECK,
        (
            "Kiểm tra, nắm bắt tình hình kế hoạch hoạt động của các đơn vị về công "
            "tác Dân vận của chính quyền."
        ),
    ),
    (
        2,
        TaskKind.REPORT,
        (
            "Thường trực BCD và tổ thư ký tổng hợp xây dựng báo cáo sơ kết việc thực "
            "hiện công tác dân vận chính quyền 6 tháng đầu năm."
        ),
    ),
    (
        2,
        TaskKind.URGE,
        (
            "Đôn đốc các đơn vị xây dựng và phát huy điểm sáng về công tác dân vận "
            "chính quyền năm 2024."
        ),
    ),
    # Quý 3
    (
        3,
        TaskKind.DIRECT,
        (
            "Tiếp tục chỉ đạo các đơn vị đăng ký xây dựng điểm sáng về công tác Dân "
            "vận chính quyền năm 2024 trong cơ quan Nhà nước."
        ),
    ),
    (
        3,
        TaskKind.URGE,
        (
            "Đôn đốc cơ sở thực hiện nhiệm vụ công tác Dân vận theo chương trình công"
            " tác năm đã đề ra."
        ),
    ),
    (
        3,
        TaskKind.CHECK,
        (
            "Nắm bắt tình hình hoạt động các đơn vị, ban, ngành, đoàn thể về công tác"
            " Dân vận của chính quyền."
        ),
    ),
    (
        3,
        TaskKind.MEETING,
        (
            "Họp Ban chỉ đạo sơ kết việc thực hiện công tác DVCQ 6 tháng đầu năm 2024"
            " và triển khai nhiệm vụ cuối năm"
        ),
    ),
    (
        3,
        TaskKind.URGE,
        (
            "Đôn đốc cơ sở thực hiện nhiệm vụ công tác dân vận theo chương trình công"
            " tác năm đã đề ra."
        ),
    ),
    (
        3,
        TaskKind.PROPAGANDA,
        (
            'Tổ chức tuyên truyền học tập bài báo "Dân vận" của Bác Hồ trong cơ quan '
            "nhà nước."
        ),
    ),
    # Quý IV
    (
        4,
        TaskKind.CHECK,
        (
            "Tiếp tục chỉ đạo, nắm bắt tình hình hoạt động của các đơn vị, ban, "
            "ngành, đoàn thể về công tác Dân vận của chính quyền."
        ),
    ),
    (
        4,
        TaskKind.PROPAGANDA,
        (
            'Triển khai đợt tuyên truyền cao điểm và tổ chức học tập bài báo "Dân '
            'vận" của Bác Hồ nhân ngày 15/10 trong cán bộ, công chức, viên chức, các '
            "cơ quan nhà nước."
        ),
    ),
    (
        4,
        TaskKind.REPORT,
        (
            "Xây dựng kế hoạch, đề cương báo cáo Tổng kết công tác dân vận chính "
            "quyền năm 2024."
        ),
    ),
    (
        4,
        TaskKind.DIRECT,
        (
            "Chỉ đạo các ban ngành, đơn vị báo cáo tổng kết công tác dân vận chính "
            "quyền năm 2024."
        ),
    ),
    (
        4,
        TaskKind.REPORT,
        (
            "Tổng hợp báo cáo tổng kết công tác dân vận chính quyền năm 2024, dự thảo"
            " chương trình công tác năm 2025"
        ),
    ),
    (
        4,
        TaskKind.CHECK,
        (
            "Tiếp tục kiểm tra các, đơn vị, ban, ngành, đoàn thể, trong việc thực "
            "hiện công tác Dân vận."
        ),
    ),
    (
        4,
        TaskKind.REPORT,
        (
            "Thông báo kết luận sau kiểm tra công tác Dân vận chính quyền tại các, "
            "đơn vị, ban, ngành, đoàn thể cấp xã."
        ),
    ),
]
# The document sets no dates for units' programs and reports; these are the
# demo's assumptions.
UNITS_DUE_ON = dt.date(YEAR, 3, 15)
HALF_YEAR_REPORT_DUE_ON = dt.date(YEAR, 6, 15)
ANNUAL_REPORT_DUE_ON = dt.date(YEAR, 12, 10)


def committee_of(root_unit: Unit) -> Unit | None:
    return (
        root_unit.subtree()
        .filter(kind=UnitKind.STEERING_COMMITTEE)
        .order_by("path")
        .first()
    )


def seed_demo_program(*, root_unit, users, today, stdout) -> None:
    """Create the committee's 2024 program (skipped if it exists)."""
    committee = committee_of(root_unit)
    if committee is None:
        stdout.write("programs: no steering committee, no demo program.")
        return
    if WorkProgram.objects.filter(unit=committee, year=YEAR).exists():
        return
    units = list(
        Unit.objects.filter(parent=committee.parent, is_active=True)
        .exclude(pk=committee.pk)
        .order_by("path")
    )
    program = WorkProgram.objects.create(
        unit=committee,
        year=YEAR,
        title=TITLE,
        number="/CTr-BCĐ",
        issued_on=dt.date(YEAR, 2, 1),
        signer_name=SIGNER,
        legal_bases=LEGAL_BASES,
        focus_areas=FOCUS_AREAS,
        units_due_on=UNITS_DUE_ON,
        half_year_report_due_on=HALF_YEAR_REPORT_DUE_ON,
        annual_report_due_on=ANNUAL_REPORT_DUE_ON,
    )
    program.required_units.set(units)
    author = next(iter(users.values()), None) if users else None
    now = timezone.now()
    for position, (quarter, kind, text) in enumerate(TASKS, start=1):
        due_on = quarter_end(YEAR, quarter)
        # History: everything done but the last quarter's conclusion notice.
        done = due_on < today and position != len(TASKS)
        task = ProgramTask.objects.create(
            program=program,
            position=position,
            title=text,
            quarters=[quarter],
            due_on=due_on,
            kind=kind,
            lead_unit=committee,
            status=TaskStatus.DONE if done else TaskStatus.IN_PROGRESS,
            done_on=due_on - dt.timedelta(days=5) if done else None,
        )
        if author is not None and done:
            TaskNote.objects.create(
                task=task,
                text="Đã thực hiện theo chương trình.",
                status_after=TaskStatus.DONE,
                author=author,
                created_at=now,
            )
    # All but the last unit sent their own programs.
    for unit in units[:-1]:
        WorkProgram.objects.create(
            unit=unit,
            year=YEAR,
            parent_program=program,
            title=f"Chương trình công tác dân vận chính quyền năm {YEAR} "
            f"của {unit.name}",
        )
    if author is not None and units:
        BrightSpot.objects.create(
            unit=units[0],
            year=YEAR,
            title="Nâng cao chất lượng tiếp nhận, trả kết quả thủ tục hành chính",
            field="Cải cách hành chính",
            goal="Không để hồ sơ trễ hạn; người dân hài lòng.",
            period="Tháng 3 – tháng 11/2024",
            expected_result="100% hồ sơ được giải quyết đúng hạn.",
            status=BrightSpotStatus.EVALUATED,
            result="Giải quyết đúng hạn 100% hồ sơ.",
            rating=Rating.GOOD,
            evaluation_comment="Hoàn thành tốt.",
            registered_by=author,
        )
    if units:
        inspection = Inspection.objects.create(
            program=program,
            unit=units[-1],
            planned_on=dt.date(YEAR, 11, 20),
            team="Thành viên Ban Chỉ đạo phụ trách đơn vị",
            scope="Việc thực hiện chương trình công tác dân vận chính quyền năm "
            "2024 và quy chế dân chủ ở cơ sở.",
            status=InspectionStatus.CONCLUDED,
            held_on=dt.date(YEAR, 11, 20),
            findings="Đơn vị chưa xây dựng chương trình công tác năm 2024.",
            conclusion_number="01/TB-BCĐ",
            conclusion_date=dt.date(YEAR, 11, 28),
            conclusion_text="Yêu cầu đơn vị xây dựng chương trình và báo cáo về "
            "Ban Chỉ đạo.",
        )
        FollowUpAction.objects.create(
            inspection=inspection,
            title="Xây dựng và gửi chương trình công tác dân vận chính quyền.",
            due_on=dt.date(YEAR, 12, 15),
            status=FollowUpStatus.OPEN,
        )
    stdout.write(f"programs: {len(TASKS)} tasks of the {YEAR} program.")
