"""Files made from the statistics: XLSX, CSV and JSON; case lists as CSV and
XLSX.

Aggregated files carry no identity at all. Case lists (the cases behind a
figure) carry what a list page shows — code, kind, field, channel, title,
unit, dates, status — and never a party's name, number, phone or address,
whoever exports them; they are scoped like every other query because they
come from ``reports.selectors.report_cases``.

Headings follow the active language (Vietnamese by default). CSV files are
UTF-8 with a byte-order mark so that Excel reads the diacritics.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from feedback.models import Case
from reports import sources
from reports.statistics import (
    FIGURE_LABELS,
    FIGURES,
    RATES,
    TABLE_KEYS,
    Row,
    Summary,
)

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}

HEADER_FILL = PatternFill("solid", fgColor="F2E6D9")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
# Rows above a table's header: title, period, the balance note, a gap.
HEADER_ROW = 5


def safe_name(text: str) -> str:
    """``text`` reduced to ASCII letters, digits and dashes for a file name."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-") or "x"


def export_filename(summary: Summary, extension: str, *, prefix: str = "") -> str:
    """An ASCII file name: ``<prefix>_<unit>_<period>.<ext>``."""
    unit = safe_name(summary.unit.code)
    period = summary.period.code.replace("..", "_")
    window = "_cutoff" if summary.period.window == "cutoff" else ""
    return f"{prefix or 'bao-cao'}_{unit}_{period}{window}.{extension}"


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", str(text))[:31]


def _rate_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value}"


def balance_note() -> str:
    return _(
        "Carried over + received = resolved + not accepted + withdrawn + open at "
        "the end of the period."
    )


def _report_title(summary: Summary) -> str:
    return _("%(unit)s — statistics of %(period)s") % {
        "unit": summary.unit.name,
        "period": summary.period.full_label,
    }


def _as_of_note(summary: Summary) -> str:
    return _("Overdue judged on %(day)s; produced on %(now)s.") % {
        "day": summary.as_of.strftime("%d/%m/%Y"),
        "now": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
    }


# --------------------------------------------------------------------------
# Tables: the same rows for XLSX and CSV
# --------------------------------------------------------------------------


def summary_table(summary: Summary) -> tuple[list[str], list[list], list | None]:
    """Header, rows and no totals row: every figure and rate of the total."""
    header = [_("Figure"), _("Value")]
    rows: list[list] = []
    for figure in FIGURES:
        indent = "    " if figure.is_detail else ""
        rows.append([indent + str(figure.label), summary.total.figures[figure.key]])
    for key, label in RATES:
        value = summary.total.rates[key]
        rows.append([f"{label} (%)", float(value) if value is not None else None])
    return header, rows, None


def breakdown_table(
    rows: list[Row], total: Row, first_heading: str
) -> tuple[list[str], list[list], list]:
    header = [
        first_heading,
        *(str(FIGURE_LABELS[key]) for key in TABLE_KEYS),
        *(f"{label} (%)" for _key, label in RATES),
    ]

    def line(row: Row, label: str) -> list:
        rates = row.rates
        return [
            label,
            *(row.figures[key] for key in TABLE_KEYS),
            *(
                float(rates[key]) if rates[key] is not None else None
                for key, _label in RATES
            ),
        ]

    return header, [line(row, str(row.label)) for row in rows], line(total, _("Total"))


def reception_table(figures: dict) -> tuple[list[str], list[list], None]:
    return (
        [_("Figure"), _("Value")],
        [[str(label), figures[key]] for key, label in sources.RECEPTION_FIGURES],
        None,
    )


def meetings_table(meetings: dict) -> tuple[list[str], list[list], list]:
    keys = [key for key, _label in sources.MEETING_FIGURES]
    header = [
        _("Kind of meeting"),
        *(str(label) for _k, label in sources.MEETING_FIGURES),
    ]
    rows = [
        [row["label"], *(row["figures"][key] for key in keys)]
        for row in meetings["rows"]
    ]
    total = [_("Total"), *(meetings["total"][key] for key in keys)]
    return header, rows, total


def summary_tables(summary: Summary) -> list[tuple[str, tuple]]:
    """Every table of a statistics report: (sheet title, table)."""
    tables = [(_("Overview"), summary_table(summary))]
    for _name, title, heading, rows in summary.breakdowns():
        tables.append((title, breakdown_table(rows, summary.total, heading)))
    reception = summary.extra.get("reception")
    if reception is not None:
        tables.append((_("Citizen reception"), reception_table(reception)))
    meetings = summary.extra.get("meetings")
    if meetings is not None:
        tables.append((_("Dialogues and voter meetings"), meetings_table(meetings)))
    return tables


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------


def _write_sheet(ws, title: str, subtitle: str, table, *, note: str = "") -> None:
    header, rows, total = table
    ws["A1"] = title
    ws["A1"].font = TITLE
    ws["A2"] = subtitle
    if note:
        ws["A3"] = note
        ws["A3"].font = Font(italic=True)
    for column, heading in enumerate(header, start=1):
        cell = ws.cell(row=HEADER_ROW, column=column, value=heading)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(
            wrap_text=True, vertical="center", horizontal="center"
        )
    line = HEADER_ROW
    for line, values in enumerate(rows, start=HEADER_ROW + 1):
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=line, column=column, value=value)
            cell.border = BORDER
            if isinstance(value, float):
                cell.number_format = "0.0"
    if total is not None:
        line += 1
        for column, value in enumerate(total, start=1):
            cell = ws.cell(row=line, column=column, value=value)
            cell.font = BOLD
            cell.border = BORDER
            if isinstance(value, float):
                cell.number_format = "0.0"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    ws.column_dimensions["A"].width = 44
    for column in range(2, len(header) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 14
    ws.row_dimensions[HEADER_ROW].height = 48
    ws.sheet_view.zoomScale = 100
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1


def summary_xlsx(summary: Summary) -> bytes:
    """One sheet per table, headers frozen, totals in bold."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    title = _report_title(summary)
    subtitle = _as_of_note(summary)
    for index, (sheet_title, table) in enumerate(summary_tables(summary)):
        ws = workbook.create_sheet(_sheet_title(sheet_title))
        _write_sheet(
            ws, title, subtitle, table, note=balance_note() if index == 0 else ""
        )
    workbook.properties.title = title
    workbook.properties.creator = "Lắng Nghe"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------
# CSV and JSON
# --------------------------------------------------------------------------


def _csv_value(value):
    if isinstance(value, float):
        return f"{value:.1f}"
    return "" if value is None else value


def summary_csv(summary: Summary) -> bytes:
    """Every table one after the other, each under its title line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_report_title(summary)])
    writer.writerow([_as_of_note(summary)])
    writer.writerow([balance_note()])
    for sheet_title, (header, rows, total) in summary_tables(summary):
        writer.writerow([])
        writer.writerow([sheet_title])
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_value(value) for value in row])
        if total is not None:
            writer.writerow([_csv_value(value) for value in total])
    return buffer.getvalue().encode("utf-8-sig")


def summary_json(summary: Summary) -> bytes:
    return json.dumps(
        summary.as_dict(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    ).encode("utf-8")


# --------------------------------------------------------------------------
# Case lists (no identities)
# --------------------------------------------------------------------------


def case_columns() -> list[str]:
    return [
        _("Tracking code"),
        _("Kind"),
        _("Field"),
        _("Channel"),
        _("Title"),
        _("Responsible unit"),
        _("Received on"),
        _("Final due date"),
        _("Status"),
        _("Resolved on"),
        _("Outcome"),
    ]


def _local_day(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y") if moment else ""


def case_row(case: Case) -> list[str]:
    return [
        case.display_code,
        case.get_kind_display(),
        case.field.name,
        case.get_channel_display(),
        case.title,
        case.responsible_unit.name,
        _local_day(case.received_at),
        case.final_due_on.strftime("%d/%m/%Y") if case.final_due_on else "",
        case.get_status_display(),
        _local_day(case.resolved_at),
        case.get_outcome_display() if case.outcome else "",
    ]


def cases_csv(
    cases: Iterable[Case], *, progress: Callable[[int], None] | None = None
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(case_columns())
    for count, case in enumerate(cases, start=1):
        writer.writerow(case_row(case))
        if progress is not None and count % 1000 == 0:
            progress(count)
    return buffer.getvalue().encode("utf-8-sig")


def cases_xlsx(
    cases: Iterable[Case],
    *,
    title: str,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_sheet_title(_("Cases")))
    ws.freeze_panes = "A3"
    ws.append([title])
    ws.append(case_columns())
    for count, case in enumerate(cases, start=1):
        ws.append(case_row(case))
        if progress is not None and count % 1000 == 0:
            progress(count)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
