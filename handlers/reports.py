"""Reports for the Department of Justice: who has done what, per task and per agency."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from handlers.conversation import Audience, Command, Conversation
from handlers.membership import MSG_ADMIN_ONLY, Membership
from handlers.ports import Clock, Occurrences, OccurrenceView, ReconciledView, TaskDates
from handlers.progress_text import BLOCKED, DONE, IN_PROGRESS, NOT_STARTED
from handlers.task_refs import TaskRef, resolve_task, shown_code
from handlers.types import Document, Incoming, Reply
from knowledge.codes import task_id_of
from knowledge.deadlines import EVENT_PERIOD, check_day
from knowledge.loader import Plans
from knowledge.schema import ScheduleKind

NOT_ANSWERED = "not_answered"
OVERDUE = "overdue"
COLUMNS = (DONE, IN_PROGRESS, BLOCKED, NOT_STARTED, NOT_ANSWERED, OVERDUE)
COLUMN_LABEL = {DONE: "Hoàn thành", IN_PROGRESS: "Đang thực hiện", BLOCKED: "Vướng mắc",
                NOT_STARTED: "Chưa bắt đầu", NOT_ANSWERED: "Chưa trả lời", OVERDUE: "Quá hạn"}
STATUS_TEXT = {DONE: "Hoàn thành", IN_PROGRESS: "Đang thực hiện", BLOCKED: "Gặp vướng mắc",
               NOT_STARTED: "Chưa bắt đầu", None: "Chưa trả lời"}
COMMUNES = "xã, phường"
MAX_LATE_NAMES = 10

MSG_REPORT_HOW = "Cách dùng: /baocao [mã nhiệm vụ] [năm], ví dụ: /baocao hoặc /baocao II.1 2026"
MSG_DATE_HOW = (
    "Cách dùng: /{cmd} <mã nhiệm vụ> <ngày dd/mm/yyyy>, ví dụ: /{cmd} II.6 15/03/2027; "
    "để xóa: /{cmd} <mã nhiệm vụ> xoa"
)
_YEAR = re.compile(r"^20[0-9]{2}$")  # ASCII digits only: "²²²²".isdigit() is true
MSG_NO_SUCH_DAY = "Ngày không hợp lệ: {text} không có trên lịch."
MSG_NOT_A_DAY = "Ngày không hợp lệ: «{text}». Hãy viết ngày theo dạng dd/mm/yyyy, ví dụ 15/03/2027."
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")
_CLEAR = {"xoa", "xóa", "huy", "hủy", "--clear"}


def parse_day(text: str) -> dt.date | None:
    """Read 15/03/2027 or 2027-03-15; None for anything else (including 31/02)."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        if m.group(1):
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return dt.date(int(m.group(4)), int(m.group(5)), int(m.group(6)))
    except ValueError:
        return None


def day_problem(text: str) -> str:
    """Say why parse_day refused a text: a day that does not exist (31/02), or no day at all."""
    shown = text.strip()[:30]
    return (MSG_NO_SUCH_DAY if _DATE.match(text.strip()) else MSG_NOT_A_DAY).format(text=shown)


@dataclass(frozen=True)
class DetailRow:
    """One line of the detail sheet: one deadline of one agency (each commune on its own line)."""

    plan_id: str
    task_code: str
    task_id: str
    task_title: str
    agency: str
    due: dt.date
    status: str
    percent: int | None
    updated_at: dt.datetime | None
    note: str
    who: str
    overdue: bool


@dataclass(frozen=True)
class SummaryRow:
    """Counts for one task or one agency."""

    key: str
    label: str
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class GroupSummary:
    """The communes of one task and deadline, counted together: "87/103 xã, phường đã hoàn thành"."""

    plan_id: str
    task_id: str
    task_code: str
    due: dt.date
    done: int
    total: int
    late: tuple[str, ...]  # names of the communes overdue

    def text(self) -> str:
        said = f"{self.done}/{self.total} {COMMUNES} đã hoàn thành"
        if self.late:
            names = ", ".join(self.late[:MAX_LATE_NAMES])
            more = len(self.late) - MAX_LATE_NAMES
            said += f"; {len(self.late)} quá hạn: {names}" + (f" và {more} đơn vị khác" if more > 0 else "")
        return said


@dataclass(frozen=True)
class ProgressReport:
    year: int
    generated_at: dt.datetime
    by_task: list[SummaryRow]
    by_agency: list[SummaryRow]
    details: list[DetailRow]
    by_group: list[GroupSummary] = field(default_factory=list)


class WorkbookWriter(Protocol):
    """Turn a report into an Excel workbook (bytes); lives at the edge, where openpyxl may be used."""

    def workbook(self, report: ProgressReport, tz: ZoneInfo) -> bytes: ...


def status_buckets(occ: OccurrenceView, today: dt.date) -> list[str]:
    """Return the report columns an occurrence counts in: its status, and overdue when it is late."""
    base = occ.status if occ.status in (DONE, IN_PROGRESS, BLOCKED, NOT_STARTED) else NOT_ANSWERED
    return [base, OVERDUE] if occ.status != DONE and occ.due < today else [base]


def build_report(plans: Plans, occurrences: Sequence[OccurrenceView], year: int, now: dt.datetime,
                 tz: ZoneInfo) -> ProgressReport:
    """Count statuses per task and per agency, and list every deadline (overdue: due before today).

    Occurrences of a plan no longer loaded are listed under their ids, never dropped.
    """
    today = now.astimezone(tz).date()
    agencies = plans.agencies
    communes = plans.imported_ids

    def task_of(o: OccurrenceView) -> tuple[str, str]:
        plan = plans.by_id.get(o.plan_id)
        task = plan.tasks.get(o.task_id) if plan else None
        if task is None:
            return o.task_id, o.task_id
        return shown_code(plans, o.plan_id, task), task.title

    def agency_name(agency_id: str) -> str:
        agency = agencies.get(agency_id)
        return agency.name if agency else agency_id

    per_task: dict[tuple[str, str], Counter[str]] = {}
    per_agency: dict[str, Counter[str]] = {}
    groups: dict[tuple[str, str, dt.date], list[OccurrenceView]] = {}
    details: list[DetailRow] = []
    for o in sorted(occurrences, key=lambda o: (o.plan_id, task_of(o)[0], o.due, agency_name(o.agency_id))):
        buckets = status_buckets(o, today)
        per_task.setdefault((o.plan_id, o.task_id), Counter()).update(buckets + ["total"])
        per_agency.setdefault(o.agency_id, Counter()).update(buckets + ["total"])
        if o.agency_id in communes:
            groups.setdefault((o.plan_id, o.task_id, o.due), []).append(o)
        code, title = task_of(o)
        details.append(DetailRow(
            plan_id=o.plan_id, task_code=code, task_id=o.task_id, task_title=title,
            agency=agency_name(o.agency_id), due=o.due, status=STATUS_TEXT.get(o.status, o.status or ""),
            percent=o.percent, updated_at=o.updated_at, note=o.note or "", who=o.updated_by or "",
            overdue=OVERDUE in buckets,
        ))

    def rows(counts: dict[Any, Counter[str]], label: Callable[[Any], str]) -> list[SummaryRow]:
        return [SummaryRow(k if isinstance(k, str) else "/".join(k), label(k), {c: n[c] for c in COLUMNS},
                           n["total"]) for k, n in counts.items()]

    def task_label(key: tuple[str, str]) -> str:
        plan = plans.by_id.get(key[0])
        task = plan.tasks.get(key[1]) if plan else None
        return f"{shown_code(plans, key[0], task)} {task.title}" if task else f"{key[0]}/{key[1]}"

    by_group = [
        GroupSummary(plan_id, task_id, task_of(occs[0])[0], due, sum(o.status == DONE for o in occs),
                     len(occs), tuple(sorted(agency_name(o.agency_id) for o in occs
                                             if o.status != DONE and o.due < today)))
        for (plan_id, task_id, due), occs in groups.items()
    ]
    by_agency = sorted(rows(per_agency, agency_name), key=lambda r: r.label)
    return ProgressReport(year, now, rows(per_task, task_label), by_agency, details, by_group)


def summary_text(report: ProgressReport, detailed: bool = False) -> str:
    """Write the report as short text for a chat message; `detailed` lists every deadline too."""
    if not report.details:
        return f"Chưa có hạn nhiệm vụ nào trong năm {report.year}."
    heads = ", ".join(f"{COLUMN_LABEL[c].lower()}" for c in COLUMNS)
    lines = [f"Mỗi dòng: {heads}."]
    groups: dict[str, list[GroupSummary]] = {}
    for g in report.by_group:
        groups.setdefault(f"{g.plan_id}/{g.task_id}", []).append(g)
    for r in report.by_task:
        c = r.counts
        lines.append(f"• {r.label}: {c[DONE]}/{r.total} xong, {c[IN_PROGRESS]} đang làm, {c[BLOCKED]} vướng, "
                     f"{c[NOT_STARTED]} chưa bắt đầu, {c[NOT_ANSWERED]} chưa trả lời, {c[OVERDUE]} quá hạn")
        lines += [f"  (hạn {g.due:%d/%m/%Y}: {g.text()})" for g in groups.get(r.key, [])]
    if detailed:
        lines.append("")
        for d in report.details:
            pct = f" {d.percent}%" if d.percent is not None and d.status != STATUS_TEXT[DONE] else ""
            late = " (quá hạn)" if d.overdue else ""
            note = f" — {d.note}" if d.note else ""
            lines.append(f"– {d.agency}, hạn {d.due:%d/%m/%Y}: {d.status}{pct}{late}{note}")
    return "\n".join(lines)


class Reports:
    """The administrators' commands: reports, deadlines and events."""

    def __init__(self, plans: Plans, membership: Membership, occurrences: Occurrences, dates: TaskDates,
                 workbook: WorkbookWriter | None, clock: Clock, tz: ZoneInfo,
                 replan: ReplanHook | None = None):
        self.plans = plans
        self.membership = membership
        self.occurrences = occurrences
        self.dates = dates
        self.workbook = workbook
        self.clock = clock
        self.tz = tz
        self.replan = replan

    def setup(self, conversation: Conversation) -> None:
        admin = Audience.ADMIN
        for command in (
            Command("baocao", self.report, admin, "báo cáo tiến độ theo nhiệm vụ và cơ quan, kèm sổ Excel",
                    "[mã nhiệm vụ] [năm]", "/baocao II.1 2026"),
            Command("hanchot", self.set_deadline, admin,
                    "đặt, đổi hoặc xóa hạn của một nhiệm vụ cho năm của ngày đó",
                    "<mã nhiệm vụ> <dd/mm/yyyy | xoa>", "/hanchot II.4.a 15/03/2027"),
            Command("sukien", self.record_event, admin,
                    "ghi nhận, sửa hoặc xóa sự kiện mà nhiệm vụ chờ (hạn tính từ ngày đó)",
                    "<mã nhiệm vụ> <dd/mm/yyyy | xoa>", "/sukien II.6 15/03/2027"),
        ):
            conversation.register(command)

    def today(self) -> dt.date:
        return self.clock.now().astimezone(self.tz).date()

    async def report(self, msg: Incoming, args: str) -> list[Reply]:
        """/baocao [task] [year]: counts per task (and per agency for one task), with the workbook."""
        if await self.membership.admin(msg) is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        year = self.today().year
        words = args.split()
        if words and _YEAR.match(words[-1]):
            year = int(words.pop())
        ref: TaskRef | None = None
        if words and task_id_of(words[0].rpartition("/")[2]) is None:
            return [Reply(text=MSG_REPORT_HOW)]  # neither a year nor a task code
        if words:
            found = resolve_task(self.plans, " ".join(words), self.today())
            if isinstance(found, str):
                return [Reply(text=found)]
            if found.rest:
                return [Reply(text=MSG_REPORT_HOW)]
            ref = found
        occs = await self.occurrences.for_year(year, ref.plan.id if ref else None,
                                               ref.task.id if ref else None)
        report = build_report(self.plans, occs, year, self.clock.now(), self.tz)
        title = f"Báo cáo tiến độ năm {year}"
        if ref is not None:
            title += f" — nhiệm vụ {shown_code(self.plans, ref.plan.id, ref.task)}"
        document = None
        if self.workbook is not None and report.details:
            name = f"bao-cao-tcpl-{year}" + (f"-{ref.task.id}" if ref else "") + ".xlsx"
            document = Document(name, self.workbook.workbook(report, self.tz), title)
        return [Reply(text=summary_text(report, detailed=ref is not None), title=title, document=document)]

    async def _task_and_day(self, msg: Incoming, args: str, cmd: str
                            ) -> tuple[TaskRef, dt.date | None] | Reply:
        """Read "<task> <date>" or "<task> xoa [year]"; the date None means remove."""
        if await self.membership.admin(msg) is None:
            return Reply(text=MSG_ADMIN_ONLY)
        if not args.strip():
            return Reply(text=MSG_DATE_HOW.format(cmd=cmd))
        found = resolve_task(self.plans, args, self.today())
        if isinstance(found, str):
            return Reply(text=found)
        words = found.rest.split()
        if words and words[0].lower() in _CLEAR and len(words) <= 2:
            return found, None
        if len(words) != 1:
            return Reply(text=MSG_DATE_HOW.format(cmd=cmd))
        day = parse_day(words[0])
        if day is None:
            return Reply(text=day_problem(words[0]))
        problem = check_day(found.plan, day, self.today())
        if problem is not None:
            return Reply(text=problem)
        return found, day

    async def _replanned(self, ref: TaskRef, period: str) -> str:
        """Plan again and say how many agencies the task's deadline of this period now concerns."""
        if self.replan is not None:
            await self.replan()
        years = [int(period)] if period.isdigit() else [self.today().year - 1, self.today().year,
                                                          self.today().year + 1]
        count = 0
        for year in years:
            count += sum(o.period == period for o in await self.occurrences.for_year(year, ref.plan.id,
                                                                                     ref.task.id))
        return f"Hạn này áp dụng cho {count} cơ quan chủ trì; bot sẽ nhắc theo lịch."

    async def set_deadline(self, msg: Incoming, args: str) -> list[Reply]:
        """/hanchot <task> <date> | <task> xoa [year]: set, replace or remove a deadline (administrators)."""
        parsed = await self._task_and_day(msg, args, "hanchot")
        if isinstance(parsed, Reply):
            return [parsed]
        ref, day = parsed
        code = shown_code(self.plans, ref.plan.id, ref.task)
        if ref.task.schedule.kind is ScheduleKind.AFTER_EVENT:
            return [Reply(text=f"Nhiệm vụ {code} tính hạn từ một sự kiện; dùng /sukien {ref.task.code} "
                               "<ngày> để ghi nhận sự kiện.")]
        by = f"{msg.platform}:{msg.user_id}"
        if day is None:
            words = ref.rest.split()
            period = words[1] if len(words) == 2 and words[1].isdigit() else None
            removed = await self.dates.clear_deadline(ref.plan.id, ref.task.id, period)
            if not removed:
                return [Reply(text=f"Nhiệm vụ {code} không có hạn nào do quản trị viên đặt"
                                   + (f" trong năm {period}." if period else "."))]
            if self.replan is not None:
                await self.replan()
            days = ", ".join(f"{d:%d/%m/%Y}" for d in removed)
            return [Reply(text=f"Đã xóa hạn {days} của nhiệm vụ {code}. Nhiệm vụ trở lại hạn theo Kế hoạch "
                               "(nếu Kế hoạch có nêu).")]
        before = await self.dates.set_deadline(ref.plan.id, ref.task.id, day, by, self.clock.now())
        said = await self._replanned(ref, str(day.year))
        changed = (f" (thay cho hạn {before:%d/%m/%Y} đặt trước đó)" if before and before != day else "")
        return [Reply(text=f"Đã đặt hạn {day:%d/%m/%Y} cho nhiệm vụ {code} ({ref.task.title}){changed}. "
                           + said)]

    async def record_event(self, msg: Incoming, args: str) -> list[Reply]:
        """/sukien <task> <date> | <task> xoa: record, correct or remove the event a task waits for."""
        parsed = await self._task_and_day(msg, args, "sukien")
        if isinstance(parsed, Reply):
            return [parsed]
        ref, day = parsed
        task = ref.task
        code = shown_code(self.plans, ref.plan.id, task)
        if task.schedule.kind is not ScheduleKind.AFTER_EVENT:
            return [Reply(text=f"Nhiệm vụ {code} không chờ sự kiện nào; dùng /hanchot để đặt hạn.")]
        if day is None:
            removed = await self.dates.clear_event(ref.plan.id, task.id)
            if not removed:
                return [Reply(text=f"Nhiệm vụ {code} chưa có sự kiện nào được ghi nhận.")]
            if self.replan is not None:
                await self.replan()
            return [Reply(text=f"Đã xóa sự kiện ngày {removed[0]:%d/%m/%Y} của nhiệm vụ {code}; "
                               "hạn tính từ sự kiện đó không còn.")]
        before = await self.dates.record_event(ref.plan.id, task.id, day, f"{msg.platform}:{msg.user_id}",
                                               self.clock.now())
        said = await self._replanned(ref, EVENT_PERIOD)
        changed = f" (thay cho ngày {before:%d/%m/%Y} ghi trước đó)" if before and before != day else ""
        return [Reply(text=f"Đã ghi nhận sự kiện «{task.schedule.event}» ngày {day:%d/%m/%Y} cho nhiệm vụ "
                           f"{code}{changed}. " + said)]


class ReplanHook(Protocol):
    async def __call__(self) -> ReconciledView: ...
