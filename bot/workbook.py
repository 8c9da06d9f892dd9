"""The Excel workbook and CSV file of a progress report, with Vietnamese headers."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from handlers.reports import COLUMN_LABEL, COLUMNS, DetailRow, ProgressReport
from handlers.types import clean_text

DETAIL_HEADERS = ("Mã mục", "Mã nhiệm vụ", "Nhiệm vụ", "Cơ quan", "Hạn", "Tình trạng", "Tỷ lệ (%)",
                  "Cập nhật lần cuối", "Ghi chú", "Người cập nhật", "Quá hạn")
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


def _as_text(cells) -> None:  # type: ignore[no-untyped-def]
    """Keep text that looks like a formula as text, shown as typed (Excel's leading apostrophe)."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True


def _detail_values(d: DetailRow, tz: ZoneInfo) -> list[object]:
    updated = d.updated_at.astimezone(tz).replace(tzinfo=None) if d.updated_at else None
    return [d.task_code, d.task_id, d.task_title, d.agency, d.due, d.status, d.percent, updated, d.note,
            d.who, "Có" if d.overdue else ""]


def _append(ws, values) -> None:  # type: ignore[no-untyped-def]
    ws.append([_text(v) for v in values])
    _as_text(ws[ws.max_row])


def _header(ws, values) -> None:  # type: ignore[no-untyped-def]
    _append(ws, values)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


class ExcelWorkbook:
    """Write a summary sheet and a detail sheet that open in Excel and LibreOffice."""

    def workbook(self, report: ProgressReport, tz: ZoneInfo) -> bytes:
        wb = Workbook()
        summary = wb.active
        summary.title = "Tổng hợp"
        summary.append([f"Báo cáo tiến độ thực hiện Kế hoạch — năm {report.year}"])
        summary["A1"].font = Font(bold=True, size=13)
        summary.append([f"Lập lúc {report.generated_at.astimezone(tz):%H:%M ngày %d/%m/%Y}"])
        summary.append([])
        for heading, rows in (("Theo nhiệm vụ", report.by_task), ("Theo cơ quan", report.by_agency)):
            summary.append([heading])
            summary.cell(summary.max_row, 1).font = BOLD
            _header(summary, ["Nhiệm vụ" if rows is report.by_task else "Cơ quan", "Tổng số hạn",
                              *(COLUMN_LABEL[c] for c in COLUMNS)])
            for r in rows:
                _append(summary, [r.label, r.total, *(r.counts[c] for c in COLUMNS)])
            summary.append([])
        summary.column_dimensions["A"].width = 70
        for col in range(2, 3 + len(COLUMNS)):
            summary.column_dimensions[get_column_letter(col)].width = 15

        detail = wb.create_sheet("Chi tiết")
        _header(detail, DETAIL_HEADERS)
        for d in report.details:
            _append(detail, _detail_values(d, tz))
            row = detail.max_row
            detail.cell(row, 5).number_format = "DD/MM/YYYY"
            detail.cell(row, 8).number_format = "DD/MM/YYYY HH:MM"
            if d.overdue:
                for cell in detail[row]:
                    cell.fill = LATE_FILL
        widths = (9, 12, 50, 40, 12, 16, 10, 18, 40, 22, 9)
        for i, w in enumerate(widths, start=1):
            detail.column_dimensions[get_column_letter(i)].width = w
        detail.freeze_panes = "A2"
        detail.auto_filter.ref = detail.dimensions
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
        values[4] = d.due.strftime("%d/%m/%Y")
        values[7] = values[7].strftime("%d/%m/%Y %H:%M") if values[7] else ""  # type: ignore[attr-defined]
        writer.writerow([_csv_field(v) for v in values])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_field(value: object) -> object:
    if value is None:
        return ""
    value = _text(value)
    # A leading apostrophe makes a spreadsheet show the field as text instead of running it.
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value
