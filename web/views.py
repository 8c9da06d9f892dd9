"""What each page shows, computed from the stores' records and the handlers' rules (no HTTP here)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from handlers.ports import OccurrenceView
from handlers.progress_text import BLOCKED, DONE, IN_PROGRESS
from handlers.reports import COLUMN_LABEL, COLUMNS, NOT_ANSWERED, OVERDUE, STATUS_TEXT, status_buckets
from knowledge.loader import PlanData, Plans
from knowledge.schema import Agency

# A short CSS class per report column; a cell shows its status by colour and by a sign.
STATUS_CLASS = {DONE: "d", IN_PROGRESS: "i", BLOCKED: "b", NOT_ANSWERED: "n", OVERDUE: "o"}
STATUS_SIGN = {DONE: "✓", IN_PROGRESS: "…", BLOCKED: "!", NOT_ANSWERED: "–"}


def status_class(status: str) -> str:
    # A status added later (e.g. "not started") still gets a class of its own.
    return STATUS_CLASS.get(status, status.replace("_", "-"))


def column_label(status: str) -> str:
    return COLUMN_LABEL.get(status, status)


def status_text(status: str | None) -> str:
    return STATUS_TEXT.get(status, status or "")


@dataclass(frozen=True)
class Filters:
    """The choices at the top of a page, read from its query string."""

    plan: str
    year: int
    status: str = ""  # one of the report's columns, or "" for all
    group: str = ""  # a group agency's id, or "" for all


def default_plan(plans: Plans, today: dt.date) -> PlanData:
    """Return the plan a page shows unless one is chosen: the first in force, else the first loaded."""
    in_force = plans.in_force(today)
    return in_force[0] if in_force else next(iter(plans))


def read_filters(query: dict[str, str], plans: Plans, today: dt.date) -> Filters:
    """Read the filters from a query string; anything unknown falls back to its default."""
    this_year = today.year
    chosen = plans.by_id.get(query.get("plan", ""))
    plan = chosen if chosen is not None else default_plan(plans, today)
    year_text = query.get("year", "")
    # isascii: "²⁰²⁶" passes isdigit() but is no number int() reads.
    plain = year_text.isascii() and year_text.isdigit() and len(year_text) == 4
    year = int(year_text) if plain and 2000 <= int(year_text) <= 2100 else this_year
    status = query.get("status", "")
    group = query.get("group", "")
    return Filters(
        plan=plan.plan.id,
        year=year,
        status=status if status in COLUMNS else "",
        group=group if group in groups(plan) else "",
    )


def groups(plan: PlanData) -> dict[str, str]:
    """Return the plan's agency groups that list their members: id → name."""
    return {a.id: a.name for a in plan.agencies.values() if a.group and a.members}


def year_choices(this_year: int) -> list[int]:
    return list(range(this_year - 3, this_year + 2))


# ---------------------------------------------------------------------------------------------- Tiến độ


@dataclass(frozen=True, slots=True)
class Cell:
    occurrence_id: int
    css: str
    sign: str


@dataclass(frozen=True, slots=True)
class MatrixRow:
    agency_id: str
    agency: str
    cells: list[list[Cell]]  # one list per column: the deadlines of that task in the year (usually one)
    done: int
    total: int


@dataclass(frozen=True)
class Matrix:
    """Tasks as columns, agencies (each commune on its own) as rows."""

    tasks: list[tuple[str, str, str]]  # (task id, code, title)
    rows: list[MatrixRow]
    counts: Counter[str] = field(default_factory=Counter)


def progress_matrix(plan: PlanData, agencies: dict[str, Agency], occurrences: Sequence[OccurrenceView],
                    today: dt.date, filters: Filters) -> Matrix:
    """Arrange a year's deadlines of one plan as a task × agency matrix (each commune on its own row),
    keeping only what the filters ask for; `agencies` names every agency, imported communes included."""
    members = set(plan.agencies[filters.group].members) if filters.group else None
    task_order = {task_id: i for i, task_id in enumerate(plan.tasks)}
    by_agency: dict[str, dict[str, list[Cell]]] = {}
    totals: Counter[str] = Counter()
    done: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for occ in occurrences:
        if occ.plan_id != plan.id or occ.task_id not in plan.tasks:
            continue
        if members is not None and occ.agency_id not in members:
            continue
        buckets = status_buckets(occ, today)
        if filters.status and filters.status not in buckets:
            continue
        counts.update(buckets)
        totals[occ.agency_id] += 1
        done[occ.agency_id] += buckets[0] == DONE
        sign = STATUS_SIGN.get(buckets[0], "·")
        if buckets[0] == IN_PROGRESS and occ.percent is not None:
            sign = f"{occ.percent}%"
        css = status_class(buckets[0]) + (" late" if OVERDUE in buckets else "")
        by_agency.setdefault(occ.agency_id, {}).setdefault(occ.task_id, []).append(
            Cell(occ.id, css, sign))
    task_ids = sorted({t for cells in by_agency.values() for t in cells}, key=lambda t: task_order.get(t, 0))
    tasks = [(t, plan.tasks[t].code, plan.tasks[t].title) for t in task_ids]
    rows = [
        MatrixRow(agency_id, agencies[agency_id].name if agency_id in agencies else agency_id,
                  [cells.get(t, []) for t in task_ids],
                  done[agency_id], totals[agency_id])
        for agency_id, cells in by_agency.items()
    ]
    rows.sort(key=lambda r: r.agency)
    return Matrix(tasks, rows, counts)


# ---------------------------------------------------------------------------------------------- Tổng quan


@dataclass(frozen=True)
class WeekCount:
    start: dt.date
    count: int


def weekly_counts(moments: Iterable[dt.datetime], today: dt.date, tz: ZoneInfo, weeks: int = 12
                  ) -> list[WeekCount]:
    """Count progress reports per local week (Monday to Sunday), the last `weeks` weeks up to today."""
    this_monday = today - dt.timedelta(days=today.weekday())
    first = this_monday - dt.timedelta(weeks=weeks - 1)
    counts: Counter[dt.date] = Counter()
    for moment in moments:
        day = moment.astimezone(tz).date()
        monday = day - dt.timedelta(days=day.weekday())
        if first <= monday <= this_monday:
            counts[monday] += 1
    return [WeekCount(first + dt.timedelta(weeks=i), counts[first + dt.timedelta(weeks=i)])
            for i in range(weeks)]


def week_label(start: dt.date) -> str:
    return f"{start:%d/%m}"
