"""The files: XLSX read back with openpyxl, the DOCX report with python-docx,
the CSV's byte-order mark, case lists without identities, the command line,
and the report settings that head and address the DOCX."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from docx.shared import Mm
from openpyxl import load_workbook

from feedback.models import CaseKind
from reports.files import cases_file, summary_file
from reports.models import ReportRecipient, ReportSettings
from reports.periods import Window, parse_period
from reports.selectors import report_period
from tests.factories import make_case, petitioner
from tests.reports.conftest import act, at

pytestmark = pytest.mark.django_db

Q1 = parse_period("2024-Q1")
TODAY = dt.date(2024, 7, 5)


def export(commune, file_format, period=Q1, unit=None, **kwargs):
    return summary_file(
        user=None,
        unit=unit or commune.root,
        period=period,
        file_format=file_format,
        today=TODAY,
        **kwargs,
    )


def sheet_rows(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_xlsx_has_a_sheet_per_table_with_frozen_headers_and_totals(
    commune, q1_cases
):
    workbook = load_workbook(io.BytesIO(export(commune, "xlsx").content))
    assert workbook.sheetnames == [
        "Tổng hợp",
        "Theo loại vụ việc",
        "Theo lĩnh vực",
        "Theo kênh tiếp nhận",
        "Theo đơn vị",
        "Tiếp công dân",
        "Đối thoại và tiếp xúc cử tri",
    ]
    overview = workbook["Tổng hợp"]
    assert (
        overview["A1"].value
        == "Xã — số liệu thống kê quý I năm 2024 (từ 01/01/2024 đến 31/03/2024)"
    )
    assert overview["A5"].value == "Chỉ tiêu" and overview["A5"].font.bold
    values = {row[0].strip(): row[1] for row in sheet_rows(overview)[5:] if row[0]}
    assert values["Kỳ trước chuyển sang"] == 2
    assert values["Tiếp nhận trong kỳ"] == 6
    assert values["Giải quyết quá hạn"] == 1
    assert values["Đang giải quyết cuối kỳ"] == 3
    assert values["Tỷ lệ đúng hạn (%)"] == 50.0
    units = workbook["Theo đơn vị"]
    assert units.freeze_panes == "B6"
    rows = sheet_rows(units)
    header = rows[4]
    assert header[0] == "Đơn vị"
    assert header[1:4] == [
        "Kỳ trước chuyển sang",
        "Tiếp nhận trong kỳ",
        "Tổng số phải xử lý",
    ]
    body = {row[0]: row for row in rows[5:]}
    assert body["UBND xã"][1:3] == [1, 3]
    assert body["Xóm A"][1:3] == [1, 2]
    total = rows[-1]
    assert total[0] == "Tổng cộng" and total[1:3] == [2, 6]
    assert units.cell(row=len(rows), column=1).font.bold


def test_the_csv_has_a_bom_and_every_table(commune, q1_cases):
    content = export(commune, "csv").content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("Xã — số liệu thống kê quý I năm 2024")
    titles = [row[0] for row in rows if len(row) == 1]
    assert "Theo đơn vị" in titles and "Theo lĩnh vực" in titles
    total_rows = [row for row in rows if row and row[0] == "Tổng cộng"]
    assert total_rows and total_rows[0][1:3] == ["2", "6"]


def test_the_docx_is_the_official_report_draft(commune, q1_cases):
    settings = ReportSettings.objects.create(
        unit=commune.root,
        parent_body="Đảng ủy xã Xuân Thành",
        issuing_body="Ban Chỉ đạo công tác dân vận chính quyền xã",
        symbol="BCĐ",
        place="Xuân Thành",
        signer_authority="TM. Ban Chỉ đạo",
        signer_position="Trưởng ban",
        signer_name="Phan Hoàng Thụ",
    )
    ReportRecipient.objects.create(
        settings=settings,
        position=1,
        name="Ban Dân vận Huyện ủy",
        purpose="b/c",
        is_addressee=True,
    )
    ReportRecipient.objects.create(
        settings=settings, position=2, name="Thường trực HĐND - UBND xã"
    )
    h1 = parse_period("2024-H1")
    document = Document(
        io.BytesIO(export(commune, "docx", period=h1, issued_on=TODAY).content)
    )
    section = document.sections[0]
    # Word stores lengths in twentieths of a point: compare to the millimetre.
    assert abs(section.page_width - Mm(210)) < Mm(1)
    assert abs(section.page_height - Mm(297)) < Mm(1)
    assert abs(section.left_margin - Mm(30)) < Mm(1)
    assert abs(section.right_margin - Mm(15)) < Mm(1)
    heading = document.tables[0]
    left = heading.cell(0, 0).text
    right = heading.cell(0, 1).text
    assert "ĐẢNG ỦY XÃ XUÂN THÀNH" in left
    assert "BAN CHỈ ĐẠO CÔNG TÁC DÂN VẬN CHÍNH QUYỀN XÃ" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    assert "/BC-BCĐ" in heading.cell(1, 0).text
    date = heading.cell(1, 1).paragraphs[0]
    assert date.text == "Xuân Thành, ngày 05 tháng 07 năm 2024"
    assert all(run.italic for run in date.runs)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text
    assert "Sơ kết công tác dân vận chính quyền 6 tháng đầu năm 2024" in text
    assert "Kính gửi: Ban Dân vận Huyện ủy." in text
    assert (
        "Trong 6 tháng đầu năm 2024, Ban Chỉ đạo công tác dân vận chính quyền xã "
        "tiếp nhận 7 đơn thư" in text
    )
    for section_title in (
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "II. KẾT QUẢ THỰC HIỆN",
        "III. TỒN TẠI",
        "IV. PHƯƠNG HƯỚNG",
        "V. ĐỀ XUẤT",
    ):
        assert section_title in text
    assert "[…]" in text
    signature = document.tables[-1]
    recipients = signature.cell(0, 0).text
    assert recipients.startswith("Nơi nhận:")
    assert "- Ban Dân vận Huyện ủy (b/c);" in recipients
    assert "- Lưu: VT, BCĐ." in recipients
    signer = signature.cell(0, 1).text
    assert "TM. BAN CHỈ ĐẠO" in signer and "TRƯỞNG BAN" in signer
    assert "Phan Hoàng Thụ" in signer
    by_kind = next(t for t in document.tables if t.rows[0].cells[0].text == "Loại")
    assert by_kind.rows[-1].cells[0].text == "Tổng cộng"
    assert by_kind.rows[-1].cells[2].text == "7"  # received in the 6 months


def test_without_settings_the_draft_leaves_placeholders(commune, q1_cases):
    document = Document(io.BytesIO(export(commune, "docx", issued_on=TODAY).content))
    assert "XÃ" in document.tables[0].cell(0, 0).text  # the unit's own name
    assert "[…]" in document.tables[0].cell(1, 1).text
    assert "- […];" in document.tables[-1].cell(0, 0).text


def test_recipients_follow_the_settings_valid_on_the_issue_date(commune):
    """Districts ended on 2025-07-01: reports after that go to the province."""
    before = ReportSettings.objects.create(
        unit=commune.root,
        valid_to=dt.date(2025, 6, 30),
        issuing_body="Ban Chỉ đạo",
        symbol="BCĐ",
        place="Xuân Thành",
        signer_position="Trưởng ban",
        signer_name="Phan Hoàng Thụ",
    )
    ReportRecipient.objects.create(settings=before, name="Ban Dân vận Huyện ủy")
    after = ReportSettings.objects.create(
        unit=commune.root,
        valid_from=dt.date(2025, 7, 1),
        issuing_body="Ban Chỉ đạo",
        symbol="BCĐ",
        place="Xuân Thành",
        signer_position="Trưởng ban",
        signer_name="Nguyễn Văn Mới",
    )
    ReportRecipient.objects.create(
        settings=after, name="Ban Tuyên giáo và Dân vận Tỉnh ủy"
    )
    h1 = parse_period("2025-H1")
    old = (
        Document(
            io.BytesIO(
                export(
                    commune, "docx", period=h1, issued_on=dt.date(2025, 6, 20)
                ).content
            )
        )
        .tables[-1]
        .cell(0, 0)
        .text
    )
    new = Document(
        io.BytesIO(
            export(commune, "docx", period=h1, issued_on=dt.date(2025, 7, 10)).content
        )
    ).tables[-1]
    assert "Huyện ủy" in old and "Tỉnh ủy" not in old
    assert "Ban Tuyên giáo và Dân vận Tỉnh ủy" in new.cell(0, 0).text
    assert "Nguyễn Văn Mới" in new.cell(0, 1).text


def test_the_settings_choose_the_cut_off_window(commune):
    ReportSettings.objects.create(
        unit=commune.root,
        issuing_body="Ban Chỉ đạo",
        symbol="BCĐ",
        place="Xuân Thành",
        signer_position="Trưởng ban",
        signer_name="A",
        half_year_window=Window.CUTOFF,
    )
    h1 = report_period(unit=commune.root, code="2024-H1")
    assert (h1.start, h1.end) == (dt.date(2023, 12, 15), dt.date(2024, 6, 14))
    quarter = report_period(unit=commune.root, code="2024-Q1")
    assert (quarter.start, quarter.end) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    forced = report_period(unit=commune.root, code="2024-H1", window="calendar")
    assert forced.end == dt.date(2024, 6, 30)
    # A unit without settings uses calendar months.
    assert report_period(unit=commune.hamlet_a, code="2024-H1").end.month == 6


def test_case_lists_carry_no_identity(commune):
    case = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind=CaseKind.DENUNCIATION,
        received_at=at(dt.date(2024, 2, 1)),
        parties=[petitioner(full_name="Lê Văn Tố Giác", phone="0987654321")],
    ).case
    act(case.pk, "accept", at(dt.date(2024, 2, 2)), commune.supervisor)
    for file_format in ("csv", "xlsx"):
        report_file = cases_file(
            user=commune.supervisor,
            unit=commune.root,
            period=Q1,
            figure="received",
            file_format=file_format,
            today=TODAY,
            filters={},
        )
        if file_format == "csv":
            text = report_file.content.decode("utf-8-sig")
        else:
            workbook = load_workbook(io.BytesIO(report_file.content))
            text = str(sheet_rows(workbook.active))
        assert case.display_code in text
        assert "Tố Giác" not in text and "0987654321" not in text
        assert "040190012345" not in text


def test_a_case_list_is_scoped_to_the_reader(commune, q1_cases):
    report_file = cases_file(
        user=commune.officer_a,
        unit=commune.root,
        period=Q1,
        figure="received",
        file_format="csv",
        today=TODAY,
        filters={},
    )
    text = report_file.content.decode("utf-8-sig")
    assert q1_cases.c5.display_code in text
    assert q1_cases.c2.display_code not in text


def test_the_command_line_writes_each_format(commune, q1_cases, tmp_path):
    out = io.StringIO()
    target = tmp_path / "q1.xlsx"
    call_command(
        "export_report",
        "--period",
        "2024-Q1",
        "--unit",
        "C",
        "--format",
        "xlsx",
        "--output",
        str(target),
        stdout=out,
    )
    workbook = load_workbook(target)
    assert workbook["Tổng hợp"]["A1"].value.startswith("Xã")
    assert "q1.xlsx" in out.getvalue()
    for file_format in ("csv", "docx", "json"):
        path = tmp_path / f"q1.{file_format}"
        call_command(
            "export_report",
            "--period",
            "2024-Q1",
            "--unit",
            "HA",
            "--format",
            file_format,
            "--output",
            str(path),
            stdout=io.StringIO(),
        )
        assert path.stat().st_size > 100
    assert b'"received": 2' in (tmp_path / "q1.json").read_bytes()


def test_the_command_line_refuses_bad_input(commune):
    with pytest.raises(CommandError, match="XX"):
        call_command("export_report", "--period", "2024-Q1", "--unit", "XX")
    with pytest.raises(CommandError, match="2024-Q1"):
        call_command("export_report", "--period", "Q1-2024", "--unit", "C")
