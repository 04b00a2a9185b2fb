"""The draft of the government mass-mobilisation (DVCQ) report as a DOCX, in
the administrative format of Nghị định 30/2020/NĐ-CP, Appendix I.

A4, Times New Roman; top left the parent and issuing bodies and "Số: …/BC-…";
top right the national title and motto, then the place and date in italics;
"BÁO CÁO" and the subject; the body in sections I–V, where sections II.3–II.6
are written from the statistics (sentences and tables) and everything a
person must write is a "[…]" placeholder; "Nơi nhận:" bottom left and the
signature block bottom right. Heading, recipients and signer come from the
unit's ``ReportSettings`` valid on the issue date.

The document is an official Vietnamese text: it is always rendered in
Vietnamese, whatever the reader's language.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.apps import apps
from django.utils import formats, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from feedback.models import CaseKind, Unit
from reports.models import ReportSettings
from reports.periods import Period, PeriodKind
from reports.statistics import FIGURE_LABELS, Row, Summary

PLACEHOLDER = "[…]"
# The text area of A4 with 30 mm and 15 mm side margins is 16.5 cm wide.
LEFT_WIDTH = 6.5
RIGHT_WIDTH = 10.0
FONT = "Times New Roman"
BLACK = RGBColor(0, 0, 0)


@dataclass
class Letterhead:
    """What the heading, recipients and signature say."""

    parent_body: str
    issuing_body: str
    symbol: str
    place: str
    signer_authority: str
    signer_position: str
    signer_name: str
    recipients: list[tuple[str, str]] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)


def letterhead_for(unit: Unit, settings: ReportSettings | None) -> Letterhead:
    """From the unit's settings, or placeholders where a person must write."""
    if settings is None:
        parent = unit.parent.name.upper() if unit.parent_id else ""
        return Letterhead(
            parent_body=parent,
            issuing_body=unit.name,
            symbol=PLACEHOLDER,
            place=PLACEHOLDER,
            signer_authority="",
            signer_position=PLACEHOLDER,
            signer_name=PLACEHOLDER,
        )
    recipients = list(settings.recipients.all())
    return Letterhead(
        parent_body=settings.parent_body,
        issuing_body=settings.issuing_body,
        symbol=settings.symbol,
        place=settings.place,
        signer_authority=settings.signer_authority,
        signer_position=settings.signer_position,
        signer_name=settings.signer_name,
        recipients=[(r.name, r.purpose) for r in recipients],
        addressees=[r.name for r in recipients if r.is_addressee],
    )


# --------------------------------------------------------------------------
# Words from numbers
# --------------------------------------------------------------------------


def _number(value) -> str:
    return formats.number_format(value, force_grouping=True)


def _rate(value) -> str:
    if value is None:
        return PLACEHOLDER
    return f"{formats.number_format(value, decimal_pos=1)}%"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def period_phrase(period: Period) -> str:
    return period.label


def subject_line(period: Period) -> str:
    """The report's subject under "BÁO CÁO"."""
    if period.kind == PeriodKind.HALF_YEAR and period.part == 1:
        return _(
            "Preliminary review of government mass-mobilisation work in the first "
            "6 months of %(year)s; directions and tasks for the last 6 months"
        ) % {"year": period.year}
    if period.kind == PeriodKind.YEAR:
        return _(
            "Review of government mass-mobilisation work in %(year)s; directions "
            "and tasks for %(next)s"
        ) % {"year": period.year, "next": period.year + 1}
    return _("Results of government mass-mobilisation work in %(period)s") % {
        "period": period.label
    }


def place_and_date(place: str, day: dt.date) -> str:
    """ "Xuân Thành, ngày 05 tháng 01 năm 2024": day and month zero-padded."""
    return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": place,
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}",
        "year": day.year,
    }


def _kind_row(summary: Summary, kind: str) -> Row | None:
    return next((row for row in summary.by_kind if row.key == kind), None)


def cases_paragraphs(summary: Summary, body: str) -> list[str]:
    """Sentences of section II.3 written from the figures."""
    figures = summary.total.figures
    rates = summary.total.rates
    kinds = "; ".join(
        f"{_lower_first(str(row.label))} {_number(row.figures['received'])}"
        for row in summary.by_kind
        if row.figures["received"]
    )
    paragraphs = [
        _(
            "In %(period)s, %(body)s received %(received)s letters and petitions "
            "(%(carried)s carried over from the previous period; %(in_hand)s in "
            "total to process)%(kinds)s."
        )
        % {
            "period": period_phrase(summary.period),
            "body": body,
            "received": _number(figures["received"]),
            "carried": _number(figures["carried_over"]),
            "in_hand": _number(figures["in_hand"]),
            "kinds": (_(", of which: %(list)s") % {"list": kinds}) if kinds else "",
        },
        _(
            "%(accepted)s were accepted for resolution; %(not_accepted)s were not "
            "accepted (%(returned)s returned with guidance, %(transferred)s "
            "transferred to the competent body, %(archived)s archived); "
            "%(withdrawn)s were withdrawn."
        )
        % {
            "accepted": _number(figures["accepted"]),
            "not_accepted": _number(figures["not_accepted"]),
            "returned": _number(figures["returned"]),
            "transferred": _number(figures["transferred"]),
            "archived": _number(figures["archived"]),
            "withdrawn": _number(figures["withdrawn"]),
        },
        _(
            "%(resolved)s cases were resolved, a resolution rate of %(rate)s: "
            "%(on_time)s on time and %(late)s late (on-time rate %(on_time_rate)s). "
            "Of the complaints and denunciations decided, %(upheld)s were upheld, "
            "%(partly)s partly upheld and %(rejected)s rejected."
        )
        % {
            "resolved": _number(figures["resolved"]),
            "rate": _rate(rates["resolution_rate"]),
            "on_time": _number(figures["resolved_on_time"]),
            "late": _number(figures["resolved_late"]),
            "on_time_rate": _rate(rates["on_time_rate"]),
            "upheld": _number(figures["upheld"]),
            "partly": _number(figures["partly_upheld"]),
            "rejected": _number(figures["rejected"]),
        },
        _(
            "%(open)s cases are still being resolved and carry over to the next "
            "period: %(within)s within the deadline, %(overdue)s overdue. The "
            "period had %(mass)s mass cases, %(prolonged)s prolonged or repeated "
            "cases and %(hot)s hot spots."
        )
        % {
            "open": _number(figures["open_end"]),
            "within": _number(figures["open_within"]),
            "overdue": _number(figures["open_overdue"]),
            "mass": _number(figures["mass"]),
            "prolonged": _number(figures["prolonged"]),
            "hot": _number(figures["hot_spot"]),
        },
    ]
    reception = summary.extra.get("reception")
    if reception is not None:
        paragraphs.insert(
            0,
            _(
                "Citizen reception: the desks received %(visits)s visits with "
                "%(people)s people, including %(mass)s mass delegations "
                "(%(mass_people)s people); %(cases)s cases were logged from them."
            )
            % {
                "visits": _number(reception["visits"]),
                "people": _number(reception["visitors"]),
                "mass": _number(reception["mass_visits"]),
                "mass_people": _number(reception["mass_visitors"]),
                "cases": _number(reception["cases_logged"]),
            },
        )
    return paragraphs


def _meeting_row(summary: Summary, kind: str) -> dict | None:
    meetings = summary.extra.get("meetings")
    if meetings is None:
        return None
    return next((row for row in meetings["rows"] if row["key"] == kind), None)


def meeting_paragraphs(summary: Summary, meeting_kind: str, case_kind: str):
    """Sentences of sections II.4 (voter contact) and II.5 (dialogues)."""
    paragraphs = []
    row = _meeting_row(summary, meeting_kind)
    if row is not None:
        figures = row["figures"]
        paragraphs.append(
            _(
                "%(held)s meetings were held with %(people)s people attending; "
                "%(items)s opinions and petitions were raised: %(spot)s answered "
                "on the spot, %(cases)s turned into cases (%(answered)s of them "
                "answered by the end of the period), %(pending)s not yet handled."
            )
            % {
                "held": _number(figures["held"]),
                "people": _number(figures["attendance"]),
                "items": _number(figures["items"]),
                "spot": _number(figures["answered_on_spot"]),
                "cases": _number(figures["to_cases"]),
                "answered": _number(figures["cases_answered"]),
                "pending": _number(figures["pending"]),
            }
        )
    kind_row = _kind_row(summary, case_kind)
    if kind_row is not None:
        figures = kind_row.figures
        paragraphs.append(
            _(
                "%(label)s: %(received)s received in the period, %(carried)s "
                "carried over; %(resolved)s resolved (%(on_time)s on time); "
                "%(open)s still being resolved, %(overdue)s of them overdue."
            )
            % {
                "label": kind_row.label,
                "received": _number(figures["received"]),
                "carried": _number(figures["carried_over"]),
                "resolved": _number(figures["resolved"]),
                "on_time": _number(figures["resolved_on_time"]),
                "open": _number(figures["open_end"]),
                "overdue": _number(figures["open_overdue"]),
            }
        )
    return paragraphs


def administration_paragraphs(summary: Summary) -> list[str]:
    row = next((r for r in summary.by_field if r.key == "administration"), None)
    if row is None:
        return []
    figures = row.figures
    return [
        _(
            "Feedback on administrative procedures and the conduct of officials: "
            "%(received)s received, %(resolved)s resolved, %(open)s still being "
            "resolved."
        )
        % {
            "received": _number(figures["received"]),
            "resolved": _number(figures["resolved"]),
            "open": _number(figures["open_end"]),
        }
    ]


def program_paragraphs(summary: Summary) -> list[str]:
    """Sentences of section II.7 from the work program: tasks done, bright
    spots, inspections (none when the programs app is not installed)."""
    if not apps.is_installed("programs"):
        return []
    from programs.selectors import report_section

    section = report_section(summary.unit, summary.period.start, summary.period.end)
    tasks = section["tasks"]
    spots = section["bright_spots"]
    inspections = section["inspections"]
    paragraphs = []
    if tasks["total"]:
        paragraphs.append(
            _(
                "Of the %(total)s tasks of the work program due in the period, "
                "%(done)s were done and %(overdue)s are overdue."
            )
            % {
                "total": _number(tasks["total"]),
                "done": _number(tasks["done"]),
                "overdue": _number(tasks["overdue"]),
            }
        )
    if spots["registered"]:
        paragraphs.append(
            _(
                '%(registered)s "skilful mass mobilisation" bright spots were '
                "registered and %(approved)s approved: %(titles)s."
            )
            % {
                "registered": _number(len(spots["registered"])),
                "approved": _number(len(spots["approved"])),
                "titles": "; ".join(spots["registered"]),
            }
        )
    if inspections["held"] or inspections["conclusions"]:
        paragraphs.append(
            _(
                "%(held)s inspections were held and %(concluded)s conclusions "
                "issued; %(done)s follow-up actions are done, %(open)s still open."
            )
            % {
                "held": _number(inspections["held"]),
                "concluded": _number(len(inspections["conclusions"])),
                "done": _number(inspections["follow_ups_done"]),
                "open": _number(inspections["follow_ups_open"]),
            }
        )
    return paragraphs


# --------------------------------------------------------------------------
# Word processing
# --------------------------------------------------------------------------


def _font(run, *, size: float = 14, bold=False, italic=False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.color.rgb = BLACK
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)


def _paragraph(
    container,
    text: str = "",
    *,
    size: float = 14,
    bold=False,
    italic=False,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
    space_after: float = 6,
):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Cm(1)
    if text:
        _font(paragraph.add_run(text), size=size, bold=bold, italic=italic)
    return paragraph


def _rule(container, width_cm: float, available: float) -> None:
    """A short centred line ``width_cm`` long in a space ``available`` wide,
    as under the issuing body, the motto and the title."""
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(4)
    margin = max((available - width_cm) / 2, 0)
    fmt.left_indent = Cm(margin)
    fmt.right_indent = Cm(margin)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)
    run = paragraph.add_run("")
    _font(run, size=2)


def _cell(table, row, column):
    cell = table.cell(row, column)
    cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    return cell


def _no_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _heading_block(document, letterhead: Letterhead, issued_on: dt.date) -> None:
    table = document.add_table(rows=2, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = _cell(table, 0, 0), _cell(table, 0, 1)
    center = WD_ALIGN_PARAGRAPH.CENTER
    if letterhead.parent_body:
        _paragraph(
            left, letterhead.parent_body.upper(), size=13, align=center, space_after=0
        )
    _paragraph(
        left,
        letterhead.issuing_body.upper(),
        size=13,
        bold=True,
        align=center,
        space_after=0,
    )
    _rule(left, 2.5, LEFT_WIDTH)
    _paragraph(
        right,
        _("SOCIALIST REPUBLIC OF VIETNAM"),
        size=12,
        bold=True,
        align=center,
        space_after=0,
    )
    _paragraph(
        right,
        _("Independence - Freedom - Happiness"),
        size=13,
        bold=True,
        align=center,
        space_after=0,
    )
    _rule(right, 5.5, RIGHT_WIDTH)
    number_cell, date_cell = _cell(table, 1, 0), _cell(table, 1, 1)
    _paragraph(
        number_cell,
        _("No.: %(blank)s/BC-%(symbol)s")
        % {"blank": "      ", "symbol": letterhead.symbol},
        size=13,
        align=center,
    )
    _paragraph(
        date_cell,
        place_and_date(letterhead.place, issued_on),
        size=14,
        italic=True,
        align=center,
    )
    for row in table.rows:
        row.cells[0].width = Cm(LEFT_WIDTH)
        row.cells[1].width = Cm(RIGHT_WIDTH)


def _statistics_table(document, rows: list[Row], total: Row, heading: str) -> None:
    keys = (
        "carried_over",
        "received",
        "resolved",
        "resolved_on_time",
        "not_accepted",
        "withdrawn",
        "open_end",
        "open_overdue",
    )
    table = document.add_table(rows=1, cols=len(keys) + 1)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    headings = [heading, *(str(FIGURE_LABELS[key]) for key in keys)]
    for column, text in enumerate(headings):
        cell = _cell(table, 0, column)
        _paragraph(
            cell,
            text,
            size=10,
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            space_after=0,
        )
    for row, bold in [*((r, False) for r in rows), (total, True)]:
        cells = table.add_row().cells
        values = [str(row.label), *(_number(row.figures[key]) for key in keys)]
        for column, text in enumerate(values):
            cell = cells[column]
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
            _paragraph(
                cell,
                text,
                size=10,
                bold=bold,
                align=(
                    WD_ALIGN_PARAGRAPH.LEFT if column == 0 else WD_ALIGN_PARAGRAPH.RIGHT
                ),
                space_after=0,
            )
    _paragraph(document, "", space_after=6)


def _reception_table(document, reception: dict) -> None:
    from reports.sources import RECEPTION_FIGURES

    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, label in RECEPTION_FIGURES:
        cells = table.add_row().cells
        for cell, text, align in (
            (cells[0], str(label), WD_ALIGN_PARAGRAPH.LEFT),
            (cells[1], _number(reception[key]), WD_ALIGN_PARAGRAPH.RIGHT),
        ):
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
            _paragraph(cell, text, size=11, align=align, space_after=0)
    _paragraph(document, "", space_after=6)


def _section(document, text: str) -> None:
    _paragraph(document, text, bold=True, indent=True, space_after=6)


def _placeholder(document, hint: str) -> None:
    _paragraph(document, f"{PLACEHOLDER} {hint}", indent=True, italic=True)


def _signature_block(document, letterhead: Letterhead) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = _cell(table, 0, 0), _cell(table, 0, 1)
    _paragraph(
        left,
        _("Recipients:"),
        size=12,
        bold=True,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        space_after=0,
    )
    lines = [
        f"- {name} ({purpose});" if purpose else f"- {name};"
        for name, purpose in letterhead.recipients
    ] or [f"- {PLACEHOLDER};"]
    lines.append(_("- Archive: VT, %(symbol)s.") % {"symbol": letterhead.symbol})
    for line in lines:
        _paragraph(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=0)
    center = WD_ALIGN_PARAGRAPH.CENTER
    if letterhead.signer_authority:
        _paragraph(
            right,
            letterhead.signer_authority.upper(),
            size=13,
            bold=True,
            align=center,
            space_after=0,
        )
    _paragraph(
        right,
        letterhead.signer_position.upper(),
        size=13,
        bold=True,
        align=center,
        space_after=0,
    )
    for _blank in range(4):
        _paragraph(right, "", size=13, align=center, space_after=0)
    _paragraph(right, letterhead.signer_name, size=14, bold=True, align=center)
    left.width = Cm(7.5)
    right.width = Cm(8.5)


def _setup_page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def dvcq_docx(
    summary: Summary,
    *,
    letterhead: Letterhead,
    issued_on: dt.date,
) -> bytes:
    """The DVCQ report draft of ``summary``'s unit and period."""
    with translation.override("vi"):
        return _dvcq_docx(summary, letterhead=letterhead, issued_on=issued_on)


def _dvcq_docx(summary: Summary, *, letterhead: Letterhead, issued_on: dt.date):
    document = Document()
    _setup_page(document)
    document.core_properties.title = subject_line(summary.period)
    document.core_properties.author = "Lắng Nghe"
    _heading_block(document, letterhead, issued_on)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, "", space_after=6)
    _paragraph(document, _("REPORT"), size=14, bold=True, align=center, space_after=0)
    _paragraph(
        document,
        subject_line(summary.period),
        size=14,
        bold=True,
        align=center,
        space_after=0,
    )
    _rule(document, 3, LEFT_WIDTH + RIGHT_WIDTH)
    if letterhead.addressees:
        _paragraph(
            document,
            _("To: %(names)s.") % {"names": "; ".join(letterhead.addressees)},
            align=center,
        )
    body = letterhead.issuing_body or PLACEHOLDER
    period = summary.period

    _section(document, _("I. SITUATION"))
    _placeholder(
        document,
        _("Describe the political, economic and social situation of the area."),
    )
    _section(document, _("II. RESULTS"))
    _section(document, _("1. Leadership and direction"))
    _placeholder(
        document,
        _("Documents issued, dissemination of the Party's and State's policies."),
    )
    _section(document, _("2. Implementing grassroots democracy"))
    _placeholder(document, _("How the Law on Grassroots Democracy was applied."))
    _section(
        document,
        _(
            "3. Citizen reception, handling of letters, resolution of complaints "
            "and denunciations"
        ),
    )
    for text in cases_paragraphs(summary, body):
        _paragraph(document, text, indent=True)
    reception = summary.extra.get("reception")
    if reception is not None:
        _paragraph(
            document,
            _("Table 1. Citizen reception"),
            size=12,
            bold=True,
            align=center,
        )
        _reception_table(document, reception)
    _paragraph(
        document,
        _("Table 2. Letters and petitions by kind"),
        size=12,
        bold=True,
        align=center,
    )
    _statistics_table(document, summary.by_kind, summary.total, _("Kind"))
    if len(summary.by_unit) > 1:
        _paragraph(
            document,
            _("Table 3. Letters and petitions by unit"),
            size=12,
            bold=True,
            align=center,
        )
        _statistics_table(document, summary.by_unit, summary.total, _("Unit"))
    _placeholder(document, _("Assessment of the work and notable cases."))

    _section(document, _("4. Voter contact and answers to voter petitions"))
    for text in meeting_paragraphs(summary, "voter_contact", CaseKind.VOTER_PETITION):
        _paragraph(document, text, indent=True)
    _placeholder(document, _("Main voter concerns and how they were answered."))
    _section(document, _("5. Dialogues with the people and follow-up of conclusions"))
    for text in meeting_paragraphs(summary, "dialogue", CaseKind.DIALOGUE_ISSUE):
        _paragraph(document, text, indent=True)
    _placeholder(document, _("Conclusions of the dialogues and their follow-up."))
    _section(
        document,
        _("6. Administrative reform and feedback on administrative procedures"),
    )
    for text in administration_paragraphs(summary):
        _paragraph(document, text, indent=True)
    _placeholder(document, _("Results of administrative reform, one-stop shop."))
    _section(
        document, _('7. "Skilful mass mobilisation" models and the program\'s tasks')
    )
    for text in program_paragraphs(summary):
        _paragraph(document, text, indent=True)
    _placeholder(document, _("Bright spots registered and built; program tasks done."))

    _section(document, _("III. SHORTCOMINGS AND CAUSES"))
    figures = summary.total.figures
    if figures["open_overdue"] or figures["resolved_late"]:
        _paragraph(
            document,
            _(
                "%(late)s cases were resolved late and %(overdue)s cases are "
                "overdue at the end of the period."
            )
            % {
                "late": _number(figures["resolved_late"]),
                "overdue": _number(figures["open_overdue"]),
            },
            indent=True,
        )
    _placeholder(document, _("Shortcomings, their causes and lessons learnt."))
    _section(
        document,
        _("IV. DIRECTIONS AND TASKS FOR %(next)s")
        % {"next": _next_period_phrase(period).upper()},
    )
    _placeholder(document, _("Tasks for the next period."))
    _section(document, _("V. RECOMMENDATIONS"))
    _placeholder(document, _("Recommendations to the higher levels."))
    _paragraph(
        document,
        _("Above is the report on %(subject)s./.")
        % {"subject": _lower_first(subject_line(period))},
        indent=True,
    )
    _signature_block(document, letterhead)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _next_period_phrase(period: Period) -> str:
    if period.kind == PeriodKind.HALF_YEAR and period.part == 1:
        return _("the last 6 months of %(year)s") % {"year": period.year}
    if period.kind == PeriodKind.YEAR:
        return _("the year %(year)s") % {"year": period.year + 1}
    return _("the next period")
