"""One way to produce a report file, shared by the pages, the API, the command
line, the worker and the submission of a report.

``summary_file`` renders the statistics of a unit and period as XLSX, CSV,
JSON or the DOCX report draft; ``cases_file`` renders the cases behind a
figure as CSV or XLSX (without identities).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from feedback.errors import InvalidInputError
from feedback.models import Unit
from reports import documents, exports
from reports.periods import Period
from reports.selectors import report_cases, report_settings_for
from reports.statistics import FIGURE_LABELS, Summary, report_summary

SUMMARY_FORMATS = ("xlsx", "csv", "json", "docx")
CASE_FORMATS = ("csv", "xlsx")


@dataclass
class ReportFile:
    content: bytes
    filename: str
    content_type: str
    summary: Summary | None = None


def render_summary(
    summary: Summary, file_format: str, *, issued_on: dt.date
) -> ReportFile:
    """The file of an already computed summary."""
    if file_format == "xlsx":
        content = exports.summary_xlsx(summary)
    elif file_format == "csv":
        content = exports.summary_csv(summary)
    elif file_format == "json":
        content = exports.summary_json(summary)
    elif file_format == "docx":
        settings = report_settings_for(
            unit=summary.unit, on=issued_on, with_recipients=True
        )
        content = documents.dvcq_docx(
            summary,
            letterhead=documents.letterhead_for(summary.unit, settings),
            issued_on=issued_on,
        )
    else:
        raise InvalidInputError(fields={"format": _("Unknown file format.")})
    prefix = "bao-cao-dvcq" if file_format == "docx" else "thong-ke"
    return ReportFile(
        content=content,
        filename=exports.export_filename(summary, file_format, prefix=prefix),
        content_type=exports.CONTENT_TYPES[file_format],
        summary=summary,
    )


def summary_file(
    *,
    user,
    unit: Unit,
    period: Period,
    file_format: str,
    today: dt.date,
    issued_on: dt.date | None = None,
) -> ReportFile:
    if file_format not in SUMMARY_FORMATS:
        raise InvalidInputError(fields={"format": _("Unknown file format.")})
    summary = report_summary(user=user, unit=unit, period=period, today=today)
    return render_summary(summary, file_format, issued_on=issued_on or today)


CHUNK_SIZE = 2000


def streamed(cases: QuerySet) -> Iterator:
    """The cases in order, a chunk at a time, in constant memory.

    PostgreSQL reads them through one server-side cursor: one snapshot.
    SQLite cannot: a connection that holds a read snapshot open fails at
    once ("database is locked") when it then writes — the job's progress —
    after anyone else has written.  There the ordered keys are read first
    and the rows fetched a chunk at a time, each in a statement of its own.
    """
    if connections[cases.db].vendor != "sqlite":
        yield from cases.iterator(chunk_size=CHUNK_SIZE)
        return
    keys = list(cases.values_list("pk", flat=True))
    for start in range(0, len(keys), CHUNK_SIZE):
        chunk = keys[start : start + CHUNK_SIZE]
        by_key = cases.order_by().in_bulk(chunk)
        yield from (by_key[key] for key in chunk if key in by_key)


def cases_file(
    *,
    user,
    unit: Unit,
    period: Period,
    figure: str,
    file_format: str,
    today: dt.date,
    filters: dict,
    progress: Callable[[int], None] | None = None,
) -> ReportFile:
    """The cases behind one figure, streamed from the database in chunks."""
    if file_format not in CASE_FORMATS:
        raise InvalidInputError(fields={"format": _("Unknown file format.")})
    cases = report_cases(
        user=user, unit=unit, period=period, figure=figure, today=today, **filters
    )
    # Only what the file shows: no parties are read at all.
    rows = streamed(
        cases.select_related(None)
        .select_related("field", "responsible_unit")
        .prefetch_related(None)
    )
    label = FIGURE_LABELS.get(figure, figure)
    title = _("%(unit)s — %(figure)s — %(period)s") % {
        "unit": unit.name,
        "figure": label,
        "period": period.full_label,
    }
    if file_format == "csv":
        content = exports.cases_csv(rows, progress=progress)
    else:
        content = exports.cases_xlsx(rows, title=title, progress=progress)
    period_code = period.code.replace("..", "_")
    return ReportFile(
        content=content,
        filename=(
            f"ho-so_{exports.safe_name(unit.code)}_{figure}_{period_code}.{file_format}"
        ),
        content_type=exports.CONTENT_TYPES[file_format],
    )
