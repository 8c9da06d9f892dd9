"""The benchmarks wire use cases by hand: run their measured parts once, so `make bench` keeps working.

Nothing here asserts a time; the figures are `make bench`'s business.
"""

from pathlib import Path

from bench.dashboard import page_figures
from bench.reminders import report_figures


async def test_report_bench_answers_a_department_administrator(tmp_path: Path) -> None:
    rows, _, size = await report_figures(tmp_path)
    assert rows == 103 * 24 and size > 0


async def test_dashboard_bench_builds_the_progress_page(tmp_path: Path) -> None:
    times, size, _, deadlines, reports = await page_figures(f"sqlite+aiosqlite:///{tmp_path / 'd.db'}",
                                                                requests=1)
    assert deadlines == 103 * 24 and reports > 0 and size > 0 and len(times) > 0
