"""The workbook and the CSV hold what officials typed as text: no live formula, no broken file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl

from bot.workbook import ExcelWorkbook, report_csv
from handlers.reports import COLUMNS, DetailRow, ProgressReport, SummaryRow

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FORMULAS = ["=1+1", '=HYPERLINK("http://example.org/x","bấm vào đây")', "+1+1", "-2+3", "@SUM(A1)",
            "\t=1+1"]


def report(notes: list[str], who: str = "Lan") -> ProgressReport:
    details = [DetailRow(plan_id="kh", task_code="II.1", task_id="ii-1", task_title="Phổ biến",
                         agency="Sở Tư pháp",
                         due=dt.date(2026, 12, 14), status="Gặp vướng mắc", percent=None,
                         updated_at=dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), note=note, who=who,
                         overdue=False)
               for note in notes]
    counts = dict.fromkeys(COLUMNS, 0)
    return ProgressReport(2026, dt.datetime(2026, 12, 2, tzinfo=dt.UTC),
                          [SummaryRow("ii-1", "=II.1 Phổ biến", counts, len(notes))],
                          [SummaryRow("stp", "Sở Tư pháp", counts, len(notes))], details)


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    content = ExcelWorkbook().workbook(report(FORMULAS, who='=HYPERLINK("http://x")'), TZ)
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no live formula anywhere"
    notes = [row[9] for row in book["Chi tiết"].iter_rows(min_row=2, values_only=True)]
    assert notes == FORMULAS  # shown exactly as typed
    assert all(c.quotePrefix for c in cells if str(c.value).startswith(("=", "+", "-", "@", "\t")))


def test_csv_fields_that_look_like_formulas_start_with_an_apostrophe() -> None:
    rows = list(csv.reader(io.StringIO(report_csv(report(FORMULAS), TZ).decode("utf-8-sig"))))
    assert [row[9] for row in rows[1:]] == ["'" + f for f in FORMULAS]
    assert rows[1][10] == "Lan" and rows[1][7] == ""


def test_control_characters_in_stored_notes_do_not_break_the_workbook() -> None:
    # Notes written before the input was cleaned may hold a bell or Word's vertical tab.
    content = ExcelWorkbook().workbook(report(["chưa có\x07 kinh phí\x0bdòng hai", "NUL\x00"]), TZ)
    book = openpyxl.load_workbook(io.BytesIO(content))
    notes = [row[9] for row in book["Chi tiết"].iter_rows(min_row=2, values_only=True)]
    assert notes == ["chưa có kinh phí\ndòng hai", "NUL"]
    rows = list(csv.reader(io.StringIO(report_csv(report(["a\x07b"]), TZ).decode("utf-8-sig"))))
    assert rows[1][9] == "ab"
