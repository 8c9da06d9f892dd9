"""Deadlines from the plan's schedules, and the reminder steps the policy derives from each one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator

from knowledge.calendar import WorkingCalendar
from knowledge.loader import PACKAGE_DIR, InvalidKnowledge, PlanData, problems_of, read_yaml
from knowledge.schema import Agency, ScheduleKind, Strict, Task

DEFAULT_POLICY_PATH = PACKAGE_DIR / "reminders.yaml"


def _day_month(v: str) -> tuple[int, int]:
    day, month = (int(x) for x in v.split("/"))
    dt.date(2024, month, day)  # raises for 31/02; 2024 is a leap year so 29/02 passes
    return day, month


class SendWindow(Strict):
    start: dt.time
    end: dt.time

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> SendWindow:
        if self.end <= self.start:
            raise ValueError("the sending window must end after it starts (e.g. 08:00 to 17:00)")
        return self


class Overdue(Strict):
    every_working_days: int = Field(ge=1, le=30)
    times: int = Field(ge=0, le=20)


class Rates(Strict):
    global_per_second: float = Field(gt=0, le=1000)
    per_chat_per_second: float = Field(gt=0, le=100)


class ReminderPolicy(Strict):
    """When reminders go out; every value here is a local choice, not the plan's."""

    timezone: str = "Asia/Ho_Chi_Minh"
    send_window: SendWindow
    before_days: list[int] = Field(default=[14, 3, 1])
    on_the_day: bool = True
    overdue: Overdue
    escalate_after_working_days: int = Field(ge=1, le=60)
    yearly_default_deadline: str = "14/12"
    after_event_days: int = Field(default=30, ge=1, le=366)
    extra_holidays: list[dt.date] = []
    extra_working_days: list[dt.date] = []
    rates: Rates

    @field_validator("before_days")
    @classmethod
    def _positive_days(cls, v: list[int]) -> list[int]:
        if any(d < 1 or d > 366 for d in v):
            raise ValueError("before_days are between 1 and 366")
        return sorted(set(v), reverse=True)

    @field_validator("yearly_default_deadline")
    @classmethod
    def _valid_day(cls, v: str) -> str:
        try:
            _day_month(v)
        except ValueError as exc:
            raise ValueError("write the yearly deadline as dd/mm, e.g. 14/12") from exc
        return v

    @field_validator("timezone")
    @classmethod
    def _valid_tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            # ZoneInfoNotFoundError is a KeyError, which pydantic would not report as a problem.
            raise ValueError(f"unknown time zone {v!r} (an IANA name, e.g. Asia/Ho_Chi_Minh)") from exc
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def yearly_deadline(self, year: int) -> dt.date:
        day, month = _day_month(self.yearly_default_deadline)
        return dt.date(year, month, min(day, 28) if (month, day) == (2, 29) else day)

    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.tz, self.send_window.start, self.send_window.end,
                               self.extra_holidays, self.extra_working_days)


def load_policy(path: Path = DEFAULT_POLICY_PATH) -> ReminderPolicy:
    """Read the reminder policy; raise InvalidKnowledge with file and line on a bad file."""
    data, located, problems = read_yaml(path)
    if problems:
        raise InvalidKnowledge(problems)
    try:
        return ReminderPolicy.model_validate(data or {})
    except ValidationError as exc:
        raise InvalidKnowledge(problems_of(exc, path, located)) from exc


# ---------------------------------------------------------------- deadlines


class Source(StrEnum):
    """Where a deadline comes from: officials must know which dates the plan itself set."""

    PLAN = "plan"  # the plan gives the day
    LOCAL_DEFAULT = "local_default"  # the plan gives a year or "yearly": the policy's default day
    ADMIN = "admin"  # set by an administrator (/hanchot) for a task the plan gives no time
    EVENT = "event"  # an administrator recorded the event the task waits for (/sukien)


# The period of an "after an event" task: one event per task, recorded again to correct it.
EVENT_PERIOD = "event"
EARLIEST_YEAR = 2000  # nothing of this standard is dated earlier: a smaller year is a typing slip
MAX_YEARS_AHEAD = 3  # a deadline further ahead than this is a typing slip, not a plan


@dataclass(frozen=True)
class Deadline:
    """One deadline of one task of one plan for one responsible agency, in one period.

    The period (the year, or "event") identifies it: a new date for the same period replaces the old.
    """

    plan_id: str
    task_id: str
    agency_id: str
    period: str
    due: dt.date
    source: Source


@dataclass(frozen=True)
class AdminDeadline:
    plan_id: str
    task_id: str
    due: dt.date


@dataclass(frozen=True)
class TaskEvent:
    plan_id: str
    task_id: str
    happened_on: dt.date


@dataclass(frozen=True)
class PlanningFailure:
    """A task that could not be planned: it is skipped, every other task is planned."""

    plan_id: str
    task_id: str
    error: str


@dataclass(frozen=True)
class Planned:
    """The deadlines of a planning run, the tasks it covered, and the tasks it had to skip."""

    deadlines: list[Deadline]
    tasks: set[tuple[str, str]]  # (plan id, task id) planned without error
    failures: list[PlanningFailure]


def period_of(task: Task, due: dt.date) -> str:
    """Return the period a deadline of this task belongs to: its year, or the event."""
    return EVENT_PERIOD if task.schedule.kind is ScheduleKind.AFTER_EVENT else str(due.year)


def responsible_agencies(plan: PlanData, task: Task, due: dt.date,
                         communes: Sequence[Agency] = ()) -> list[Agency]:
    """Return the lead agencies that receive reminders: groups expanded, agencies not acting then left out."""
    out: list[Agency] = []
    seen: set[str] = set()
    for agency_id in task.lead:
        for agency in plan.expand(agency_id, communes):
            if agency.id in seen or not plan.acts_on(agency, due):
                continue
            seen.add(agency.id)
            out.append(agency)
    return out


def _task_dates(task: Task, years: Sequence[int], policy: ReminderPolicy) -> list[tuple[dt.date, Source]]:
    s = task.schedule
    if s.kind is ScheduleKind.YEARLY:
        return [(policy.yearly_deadline(y), Source.LOCAL_DEFAULT) for y in years]
    if s.kind is ScheduleKind.FROM_DATE and s.start is not None:
        return [(policy.yearly_deadline(y), Source.LOCAL_DEFAULT) for y in years if y >= s.start.year]
    if s.kind is ScheduleKind.EVERY_N_YEARS and s.every_years and s.first_year is not None:
        return [(policy.yearly_deadline(y), Source.LOCAL_DEFAULT) for y in years
                if y >= s.first_year and (y - s.first_year) % s.every_years == 0]
    if s.kind is ScheduleKind.ONCE:
        return [(o.date, Source.PLAN) if o.date else (policy.yearly_deadline(o.year), Source.LOCAL_DEFAULT)
                for o in s.occasions if o.year in years]
    # AFTER_EVENT, NONE, and every-N-years without a first year: the plan gives no date to count from.
    return []


def task_deadlines(plan: PlanData, task: Task, years: Sequence[int], policy: ReminderPolicy,
                   admin_days: Sequence[dt.date] = (), event_day: dt.date | None = None,
                   communes: Sequence[Agency] = ()) -> list[Deadline]:
    """Derive one task's deadlines: one per responsible agency and period, none after the plan ended."""
    by_period: dict[str, tuple[dt.date, Source]] = {}
    for due, source in _task_dates(task, years, policy):
        by_period.setdefault(period_of(task, due), (due, source))
    for due in admin_days:
        if due.year in years:
            # An administrator's date replaces the plan's default date of that period.
            by_period[period_of(task, due)] = (due, Source.ADMIN)
    if event_day is not None and task.schedule.kind is ScheduleKind.AFTER_EVENT:
        # Planned whatever the years: the event's deadline stays one row until it is corrected.
        by_period[EVENT_PERIOD] = (event_day + dt.timedelta(days=policy.after_event_days), Source.EVENT)
    out: list[Deadline] = []
    for period, (due, source) in by_period.items():
        if not plan.in_force_on(due):
            continue
        out += [Deadline(plan.id, task.id, a.id, period, due, source)
                for a in responsible_agencies(plan, task, due, communes)]
    return out


def plan_deadlines(plans: PlanData | Iterable[PlanData], years: Sequence[int], policy: ReminderPolicy,
                   admin_deadlines: Iterable[AdminDeadline] = (), events: Iterable[TaskEvent] = (),
                   communes: Sequence[Agency] = ()) -> Planned:
    """Derive every deadline of the given years, task by task; a task that fails is skipped and named."""
    admin: dict[tuple[str, str], list[dt.date]] = {}
    for d in admin_deadlines:
        admin.setdefault((d.plan_id, d.task_id), []).append(d.due)
    event_of = {(e.plan_id, e.task_id): e.happened_on for e in events}
    out: list[Deadline] = []
    planned: set[tuple[str, str]] = set()
    failures: list[PlanningFailure] = []
    for plan in [plans] if isinstance(plans, PlanData) else plans:
        for task in plan.tasks.values():
            key = (plan.id, task.id)
            try:
                out += task_deadlines(plan, task, years, policy, admin.get(key, ()), event_of.get(key),
                                      communes)
            except Exception as exc:  # one bad date must never stop planning for everyone
                failures.append(PlanningFailure(plan.id, task.id, f"{type(exc).__name__}: {exc}"))
                continue
            planned.add(key)
    return Planned(out, planned, failures)


def check_day(plan: PlanData, day: dt.date, today: dt.date) -> str | None:
    """Return why a deadline or event day cannot be taken for this plan (in Vietnamese), or None."""
    latest = dt.date(today.year + MAX_YEARS_AHEAD, 12, 31)
    if day.year < EARLIEST_YEAR or day > latest:
        # Written out: strftime's %Y drops the leading zeros of years before 1000 on Linux.
        typed = f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
        return (f"Ngày {typed} không hợp lý. Xin nhập một ngày từ năm {EARLIEST_YEAR} "
                f"đến hết năm {latest.year}.")
    first, ended = plan.plan.first_day, plan.plan.ended_on
    if ended is not None and day >= ended:
        return (f"Kế hoạch «{plan.plan.title}» đã hết hiệu lực từ ngày {ended:%d/%m/%Y}, nên không nhận "
                f"ngày {day:%d/%m/%Y}.")
    if first is not None and day < first:
        return (f"Ngày {day:%d/%m/%Y} ở trước ngày Kế hoạch «{plan.plan.title}» bắt đầu áp dụng "
                f"({first:%d/%m/%Y}).")
    return None


# ---------------------------------------------------------------- reminder steps


class StepKind(StrEnum):
    BEFORE = "before"
    ON_THE_DAY = "on_the_day"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class Step:
    """One reminder of one deadline: what kind, its number, and when it goes out (UTC)."""

    kind: StepKind
    number: int  # days before, or the n-th overdue reminder
    send_at: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.kind.value}{self.number}"


def reminder_steps(due: dt.date, policy: ReminderPolicy, calendar: WorkingCalendar) -> list[Step]:
    """Return every reminder of a deadline in time order, moved to working mornings, without repeats."""
    steps: list[Step] = []
    on_day = calendar.morning(due)
    for days in policy.before_days:
        at = calendar.morning(due - dt.timedelta(days=days))
        # A weekend or holiday can push a "before" reminder onto the deadline; the day's own one covers it.
        if at < on_day:
            steps.append(Step(StepKind.BEFORE, days, at))
    if policy.on_the_day:
        steps.append(Step(StepKind.ON_THE_DAY, 0, on_day))
    day = calendar.next_working_day(due)
    for n in range(1, policy.overdue.times + 1):
        day = calendar.add_working_days(day, policy.overdue.every_working_days)
        steps.append(Step(StepKind.OVERDUE, n, calendar.morning(day)))
    escalation_day = calendar.add_working_days(day, policy.escalate_after_working_days)
    steps.append(Step(StepKind.ESCALATION, 1, calendar.morning(escalation_day)))
    unique: dict[dt.datetime, Step] = {}
    for s in steps:
        unique.setdefault(s.send_at, s)
    return sorted(unique.values(), key=lambda s: s.send_at)
