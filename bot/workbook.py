"""The Excel workbook and CSV file of a progress report, with Vietnamese headers."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from handlers.reports import COLUMN_LABEL, COLUMNS, DetailRow, ProgressReport
from handlers.types import clean_text

DETAIL_HEADERS = ("Kế hoạch", "Mã mục", "Mã nhiệm vụ", "Nhiệm vụ", "Cơ quan", "Hạn", "Tình trạng",
                  "Tỷ lệ (%)", "Cập nhật lần cuối", "Ghi chú", "Người cập nhật", "Quá hạn")
DUE_COLUMN, UPDATED_COLUMN = 6, 9  # 1-based, for the date formats
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
LATE_FILL = PatternFill("solid", fgColor="FCE4D6")
# A cell or CSV field starting with one of these is read as a formula by Excel or LibreOffice
# (OWASP "CSV injection"); such text is written as text, never as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> object:
    """Return text fit for a cell: without the characters XML refuses (rows written before the
    input was cleaned may hold them); other values unchanged."""
    return clean_text(value) if isinstance(value, str) else value


def _detail_values(d: DetailRow, tz: ZoneInfo) -> list[object]:
    updated = d.updated_at.astimezone(tz).replace(tzinfo=None) if d.updated_at else None
    return [d.plan_id, d.task_code, d.task_id, d.task_title, d.agency, d.due, d.status, d.percent, updated,
            d.note, d.who, "Có" if d.overdue else ""]


def _row(ws, values, font=None, fill=None, number_formats=None):  # type: ignore[no-untyped-def]
    """Return a row for a write-only sheet: text cleaned, formula-like text kept as text, styles applied.

    Only cells that need it become cell objects; plain values stay values (a styled cell costs ~20
    times more to write, and a report has thousands of rows).
    """
    row: list[object] = []
    for i, value in enumerate(values, start=1):
        value = _text(value)
        formula_like = isinstance(value, str) and value.startswith(FORMULA_START)
        number_format = (number_formats or {}).get(i)
        if font is None and fill is None and not formula_like and number_format is None:
            row.append(value)
            continue
        cell = WriteOnlyCell(ws, value=value)
        if formula_like:
            # Shown as typed (Excel's leading apostrophe), never run.
            cell.data_type = "s"
            cell.quotePrefix = True
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if number_format is not None:
            cell.number_format = number_format
        row.append(cell)
    return row


def _header(ws, values) -> None:  # type: ignore[no-untyped-def]
    row = _row(ws, values, BOLD, HEADER_FILL)
    for cell in row:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append(row)


class ExcelWorkbook:
    """Write a summary sheet and a detail sheet that open in Excel and LibreOffice.

    Written in openpyxl's write-only mode, row by row: a report of 103 communes × 24 tasks has
    2,500 detail rows, which the ordinary mode took seconds to lay out.
    """

    def workbook(self, report: ProgressReport, tz: ZoneInfo) -> bytes:
        wb = Workbook(write_only=True)
        summary = wb.create_sheet("Tổng hợp")
        summary.column_dimensions["A"].width = 70
        for col in range(2, 3 + len(COLUMNS)):
            summary.column_dimensions[get_column_letter(col)].width = 15
        summary.append(_row(summary, [f"Báo cáo tiến độ thực hiện Kế hoạch — năm {report.year}"],
                            Font(bold=True, size=13)))
        summary.append([f"Lập lúc {report.generated_at.astimezone(tz):%H:%M ngày %d/%m/%Y}"])
        summary.append([])
        for heading, rows in (("Theo nhiệm vụ", report.by_task), ("Theo cơ quan", report.by_agency)):
            summary.append(_row(summary, [heading], BOLD))
            _header(summary, ["Nhiệm vụ" if rows is report.by_task else "Cơ quan", "Tổng số hạn",
                              *(COLUMN_LABEL[c] for c in COLUMNS)])
            for r in rows:
                summary.append(_row(summary, [r.label, r.total, *(r.counts[c] for c in COLUMNS)]))
            summary.append([])
        if report.by_group:
            summary.append(_row(summary, ["Theo nhóm xã, phường"], BOLD))
            _header(summary, ["Nhiệm vụ", "Hạn", "Số xã, phường", "Đã hoàn thành", "Quá hạn", "Tóm tắt"])
            for g in report.by_group:
                summary.append(_row(summary, [g.task_code, g.due, g.total, g.done, len(g.late), g.text()],
                                    number_formats={2: "DD/MM/YYYY"}))
            summary.append([])

        detail = wb.create_sheet("Chi tiết")
        widths = (18, 9, 12, 50, 40, 12, 16, 10, 18, 40, 22, 9)
        for i, w in enumerate(widths, start=1):
            detail.column_dimensions[get_column_letter(i)].width = w
        detail.freeze_panes = "A2"
        detail.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_HEADERS))}{len(report.details) + 1}"
        _header(detail, DETAIL_HEADERS)
        formats = {DUE_COLUMN: "DD/MM/YYYY", UPDATED_COLUMN: "DD/MM/YYYY HH:MM"}
        due_only = {DUE_COLUMN: formats[DUE_COLUMN]}
        for d in report.details:
            # Empty cells are left out of the file (None), which also keeps them empty in Excel.
            values = [None if v == "" else v for v in _detail_values(d, tz)]
            detail.append(_row(detail, values, fill=LATE_FILL if d.overdue else None,
                               number_formats=formats if d.updated_at else due_only))
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def report_csv(report: ProgressReport, tz: ZoneInfo) -> bytes:
    """Write the detail rows as CSV (UTF-8 with BOM, so Excel shows the diacritics)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(DETAIL_HEADERS)
    for d in report.details:
        values = _detail_values(d, tz)
        values[DUE_COLUMN - 1] = d.due.strftime("%d/%m/%Y")
        updated = values[UPDATED_COLUMN - 1]
        values[UPDATED_COLUMN - 1] = updated.strftime("%d/%m/%Y %H:%M") if updated else ""  # type: ignore[attr-defined]
        writer.writerow([_csv_field(v) for v in values])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_field(value: object) -> object:
    if value is None:
        return ""
    value = _text(value)
    # A leading apostrophe makes a spreadsheet show the field as text instead of running it.
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value
