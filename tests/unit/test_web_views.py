"""The dashboard's pure parts: filters read from a query string, the matrix, weekly counts, SVG charts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bench.reminders import national_plan
from knowledge.loader import Plans
from storage.records import OccurrenceRecord
from web import charts
from web.views import Filters, progress_matrix, read_filters, weekly_counts

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PLAN = national_plan(3, 2)  # communes xa-0000..xa-0002 in group cap-xa, tasks ii-1 and ii-2
PLANS = Plans([PLAN])
TODAY = dt.date(2026, 11, 20)


def occurrence(i: int, task: str, agency: str, status: str | None, due: dt.date, percent: int | None = None
               ) -> OccurrenceRecord:
    return OccurrenceRecord(i, PLAN.id, task, agency, str(due.year), due, "plan", status, percent, None, None,
                            None, None)


def test_filters_fall_back_to_their_defaults():
    assert read_filters({"year": "2025", "status": "blocked", "group": "cap-xa"}, PLANS, TODAY) == Filters(
        PLAN.plan.id, 2025, "blocked", "cap-xa")
    for year in ("1999", "²⁰²⁶", "2026.0", "x"):
        assert read_filters({"year": year, "status": "drop table", "group": "x"}, PLANS, TODAY) == Filters(
            PLAN.plan.id, 2026)


def test_the_matrix_has_communes_as_rows_and_filters_cells():
    due, today = dt.date(2026, 12, 14), dt.date(2026, 12, 20)
    occs = [occurrence(1, "ii-1", "xa-0002", "done", due),
            occurrence(2, "ii-2", "xa-0002", "in_progress", due, 40),
            occurrence(3, "ii-1", "xa-0001", None, due),
            occurrence(4, "ii-2", "xa-0000", "blocked", due)]
    matrix = progress_matrix(PLAN, PLAN.agencies, occs, today, Filters(PLAN.plan.id, 2026))
    assert [t[0] for t in matrix.tasks] == ["ii-1", "ii-2"]
    assert [r.agency for r in matrix.rows] == ["UBND xã 0", "UBND xã 1", "UBND xã 2"]
    last = matrix.rows[2]
    assert [[(c.occurrence_id, c.css, c.sign) for c in cells] for cells in last.cells] == [
        [(1, "d", "✓")], [(2, "i late", "40%")]]
    assert (last.done, last.total) == (1, 2)
    assert matrix.counts["overdue"] == 3

    overdue_only = progress_matrix(PLAN, PLAN.agencies, occs, today,
                                   Filters(PLAN.plan.id, 2026, status="not_answered"))
    assert [r.agency for r in overdue_only.rows] == ["UBND xã 1"] and overdue_only.tasks == [
        ("ii-1", "II.1", "Nhiệm vụ 1")]
    before = progress_matrix(PLAN, PLAN.agencies, occs, dt.date(2026, 12, 1),
                             Filters(PLAN.plan.id, 2026, status="overdue"))
    assert before.rows == []


def test_weekly_counts_use_local_weeks():
    today = dt.date(2026, 11, 20)  # a Friday
    moments = [dt.datetime(2026, 11, 15, 18, tzinfo=dt.UTC),  # Monday 16/11 01:00 in Hanoi
               dt.datetime(2026, 11, 15, 16, tzinfo=dt.UTC),  # Sunday 15/11 23:00 in Hanoi
               dt.datetime(2020, 1, 1, tzinfo=dt.UTC)]
    weeks = weekly_counts(moments, today, TZ, weeks=3)
    assert [(w.start, w.count) for w in weeks] == [
        (dt.date(2026, 11, 2), 0), (dt.date(2026, 11, 9), 1), (dt.date(2026, 11, 16), 1)]


def test_charts_are_svg_with_escaped_labels():
    bars = charts.stacked_bars("Tình trạng", [("<II.1>", [("d", 1), ("n", 3)]), ("II.2", [("d", 0)])])
    assert bars.startswith("<svg") and "&lt;II.1&gt;" in bars and "<II.1>" not in bars
    assert bars.count("<rect") == 2  # empty parts draw nothing
    columns = charts.column_bars("Mỗi tuần", [("02/11", 0), ("09/11", 4)])
    assert columns.count('class="bar"') == 2 and ">4</text>" in columns
