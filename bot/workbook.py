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

DETAIL_HEADERS = ("Kế hoạch", "Mã mục", "Mã nhiệm vụ", "Nhiệm vụ", "Cơ quan", "Hạn", "Tình trạng",
                  "Tỷ lệ (%)", "Cập nhật lần cuối", "Ghi chú", "Người cập nhật", "Quá hạn")
DUE_COLUMN, UPDATED_COLUMN = 6, 9  # 1-based, for the date formats
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
LATE_FILL = PatternFill("solid", fgColor="FCE4D6")


def _detail_values(d: DetailRow, tz: ZoneInfo) -> list[object]:
    updated = d.updated_at.astimezone(tz).replace(tzinfo=None) if d.updated_at else None
    return [d.plan_id, d.task_code, d.task_id, d.task_title, d.agency, d.due, d.status, d.percent, updated,
            d.note, d.who, "Có" if d.overdue else ""]


def _styled(ws, values, font=None, fill=None, number_formats=None):  # type: ignore[no-untyped-def]
    """Return a row for a write-only sheet with a font, a fill and per-column number formats.

    Only styled cells become cell objects; plain values stay values (a styled cell costs ~20 times more).
    """
    row: list[object] = []
    for i, value in enumerate(values, start=1):
        if font is None and fill is None and not (number_formats and i in number_formats):
            row.append(value)
            continue
        cell = WriteOnlyCell(ws, value=value)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if number_formats and i in number_formats:
            cell.number_format = number_formats[i]
        row.append(cell)
    return row


def _header(ws, values) -> None:  # type: ignore[no-untyped-def]
    row = _styled(ws, values, BOLD, HEADER_FILL)
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
        summary.append(_styled(summary, [f"Báo cáo tiến độ thực hiện Kế hoạch — năm {report.year}"],
                               Font(bold=True, size=13)))
        summary.append([f"Lập lúc {report.generated_at.astimezone(tz):%H:%M ngày %d/%m/%Y}"])
        summary.append([])
        for heading, rows in (("Theo nhiệm vụ", report.by_task), ("Theo cơ quan", report.by_agency)):
            summary.append(_styled(summary, [heading], BOLD))
            _header(summary, ["Nhiệm vụ" if rows is report.by_task else "Cơ quan", "Tổng số hạn",
                              *(COLUMN_LABEL[c] for c in COLUMNS)])
            for r in rows:
                summary.append([r.label, r.total, *(r.counts[c] for c in COLUMNS)])
            summary.append([])
        if report.by_group:
            summary.append(_styled(summary, ["Theo nhóm xã, phường"], BOLD))
            _header(summary, ["Nhiệm vụ", "Hạn", "Số xã, phường", "Đã hoàn thành", "Quá hạn", "Tóm tắt"])
            for g in report.by_group:
                summary.append(_styled(summary, [g.task_code, g.due, g.total, g.done, len(g.late), g.text()],
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
            detail.append(_styled(detail, values, fill=LATE_FILL if d.overdue else None,
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
        writer.writerow(["" if v is None else v for v in values])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
