"""Reports for the Department of Justice: who has done what, per task and per agency."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.conversation import Audience, Command, Conversation
from handlers.membership import MSG_ADMIN_ONLY, Membership
from handlers.ports import Clock, Occurrences, OccurrenceView, TaskDates
from handlers.progress_text import BLOCKED, DONE, IN_PROGRESS
from handlers.types import Document, Incoming, Reply
from knowledge.loader import PlanData

NOT_ANSWERED = "not_answered"
OVERDUE = "overdue"
COLUMNS = (DONE, IN_PROGRESS, BLOCKED, NOT_ANSWERED, OVERDUE)
COLUMN_LABEL = {DONE: "Hoàn thành", IN_PROGRESS: "Đang thực hiện", BLOCKED: "Vướng mắc",
                NOT_ANSWERED: "Chưa trả lời", OVERDUE: "Quá hạn"}
STATUS_TEXT = {DONE: "Hoàn thành", IN_PROGRESS: "Đang thực hiện", BLOCKED: "Gặp vướng mắc",
               None: "Chưa trả lời"}

MSG_REPORT_HOW = "Cách dùng: /baocao [mã nhiệm vụ] [năm], ví dụ: /baocao hoặc /baocao ii-1 2026"
MSG_DATE_HOW = "Cách dùng: /{cmd} <mã nhiệm vụ> <ngày dd/mm/yyyy>, ví dụ: /{cmd} ii-6 15/03/2027"
_YEAR = re.compile(r"^20[0-9]{2}$")  # ASCII digits only: "²²²²".isdigit() is true
MSG_NO_SUCH_DAY = "Ngày không hợp lệ: {text} không có trên lịch."
MSG_NOT_A_DAY = "Ngày không hợp lệ: «{text}». Hãy viết ngày theo dạng dd/mm/yyyy, ví dụ 15/03/2027."
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")


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
    """One line of the detail sheet: one deadline of one agency."""

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
class ProgressReport:
    year: int
    generated_at: dt.datetime
    by_task: list[SummaryRow]
    by_agency: list[SummaryRow]
    details: list[DetailRow]


class WorkbookWriter(Protocol):
    """Turn a report into an Excel workbook (bytes); lives at the edge, where openpyxl may be used."""

    def workbook(self, report: ProgressReport, tz: ZoneInfo) -> bytes: ...


def status_buckets(occ: OccurrenceView, today: dt.date) -> list[str]:
    """Return the report columns an occurrence counts in: its status, and overdue when it is late."""
    base = occ.status if occ.status in (DONE, IN_PROGRESS, BLOCKED) else NOT_ANSWERED
    return [base, OVERDUE] if occ.status != DONE and occ.due < today else [base]


def build_report(plan: PlanData, occurrences: Sequence[OccurrenceView], year: int, now: dt.datetime,
                 tz: ZoneInfo) -> ProgressReport:
    """Count statuses per task and per agency, and list every deadline (overdue: due before today)."""
    today = now.astimezone(tz).date()
    per_task: dict[str, Counter[str]] = {}
    per_agency: dict[str, Counter[str]] = {}
    details: list[DetailRow] = []
    for o in sorted(occurrences, key=lambda o: (plan.tasks[o.task_id].code, o.due,
                                                  plan.agencies[o.agency_id].name)):
        buckets = status_buckets(o, today)
        per_task.setdefault(o.task_id, Counter()).update(buckets + ["total"])
        per_agency.setdefault(o.agency_id, Counter()).update(buckets + ["total"])
        task = plan.tasks[o.task_id]
        details.append(DetailRow(
            task_code=task.code, task_id=task.id, task_title=task.title,
            agency=plan.agencies[o.agency_id].name, due=o.due,
            status=STATUS_TEXT.get(o.status, o.status or ""),
            percent=o.percent, updated_at=o.updated_at, note=o.note or "", who=o.updated_by or "",
            overdue=OVERDUE in buckets,
        ))

    def rows(counts: dict[str, Counter[str]], label: dict[str, str]) -> list[SummaryRow]:
        return [SummaryRow(k, label[k], {c: n[c] for c in COLUMNS}, n["total"]) for k, n in counts.items()]

    task_labels = {t.id: f"{t.code} {t.title}" for t in plan.tasks.values()}
    agency_labels = {a.id: a.name for a in plan.agencies.values()}
    by_agency = sorted(rows(per_agency, agency_labels), key=lambda r: r.label)
    return ProgressReport(year, now, rows(per_task, task_labels), by_agency, details)


def summary_text(report: ProgressReport, task_id: str | None = None) -> str:
    """Write the report as short text for a chat message."""
    if not report.details:
        return f"Chưa có hạn nhiệm vụ nào trong năm {report.year}."
    heads = ", ".join(f"{COLUMN_LABEL[c].lower()}" for c in COLUMNS)
    lines = [f"Mỗi dòng: {heads}."]
    for r in report.by_task:
        c = r.counts
        lines.append(f"• {r.label}: {c[DONE]}/{r.total} xong, {c[IN_PROGRESS]} đang làm, {c[BLOCKED]} vướng, "
                     f"{c[NOT_ANSWERED]} chưa trả lời, {c[OVERDUE]} quá hạn")
    if task_id is not None:
        lines.append("")
        for d in report.details:
            pct = f" {d.percent}%" if d.percent is not None and d.status != STATUS_TEXT[DONE] else ""
            late = " (quá hạn)" if d.overdue else ""
            note = f" — {d.note}" if d.note else ""
            lines.append(f"– {d.agency}, hạn {d.due:%d/%m/%Y}: {d.status}{pct}{late}{note}")
    return "\n".join(lines)


class Reports:
    """The administrators' commands: reports, deadlines and events."""

    def __init__(self, plan: PlanData, membership: Membership, occurrences: Occurrences, dates: TaskDates,
                 workbook: WorkbookWriter | None, clock: Clock, tz: ZoneInfo,
                 replan: ReplanHook | None = None):
        self.plan = plan
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
                    "[mã nhiệm vụ] [năm]", "/baocao ii-1 2026"),
            Command("hanchot", self.set_deadline, admin, "đặt hạn cho nhiệm vụ mà Kế hoạch không nêu ngày",
                    "<mã nhiệm vụ> <dd/mm/yyyy>", "/hanchot ii-4a 15/03/2027"),
            Command("sukien", self.record_event, admin,
                    "ghi nhận sự kiện mà nhiệm vụ chờ (hạn tính từ ngày đó)",
                    "<mã nhiệm vụ> <dd/mm/yyyy>", "/sukien ii-6 15/03/2027"),
        ):
            conversation.register(command)

    async def report(self, msg: Incoming, args: str) -> list[Reply]:
        """/baocao [task] [year]: counts per task (and per agency for one task), with the workbook."""
        if await self.membership.admin(msg) is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        task_id: str | None = None
        year = self.clock.now().astimezone(self.tz).year
        for part in args.split():
            if _YEAR.match(part):
                year = int(part)
            elif part.lower() in self.plan.tasks:
                task_id = part.lower()
            else:
                return [Reply(text=MSG_REPORT_HOW)]
        occs = await self.occurrences.for_year(year, task_id)
        report = build_report(self.plan, occs, year, self.clock.now(), self.tz)
        title = f"Báo cáo tiến độ năm {year}"
        if task_id:
            title += f" — nhiệm vụ {self.plan.tasks[task_id].code}"
        document = None
        if self.workbook is not None and report.details:
            name = f"bao-cao-tcpl-{year}" + (f"-{task_id}" if task_id else "") + ".xlsx"
            document = Document(name, self.workbook.workbook(report, self.tz), title)
        return [Reply(text=summary_text(report, task_id), title=title, document=document)]

    async def _task_and_day(self, msg: Incoming, args: str, cmd: str) -> tuple[str, dt.date] | Reply:
        if await self.membership.admin(msg) is None:
            return Reply(text=MSG_ADMIN_ONLY)
        parts = args.split()
        if len(parts) != 2:
            return Reply(text=MSG_DATE_HOW.format(cmd=cmd))
        day = parse_day(parts[1])
        if day is None:
            return Reply(text=day_problem(parts[1]))
        if parts[0].lower() not in self.plan.tasks:
            return Reply(text=f"Không có nhiệm vụ mã «{parts[0][:20]}». Gõ /kehoach để xem các nhiệm vụ.")
        return parts[0].lower(), day

    async def set_deadline(self, msg: Incoming, args: str) -> list[Reply]:
        """/hanchot <task> <date>: give a task without a date in the plan a deadline (administrators)."""
        parsed = await self._task_and_day(msg, args, "hanchot")
        if isinstance(parsed, Reply):
            return [parsed]
        task_id, day = parsed
        await self.dates.set_deadline(task_id, day, f"{msg.platform}:{msg.user_id}", self.clock.now())
        added = await self.replan() if self.replan else 0
        task = self.plan.tasks[task_id]
        return [Reply(text=f"Đã đặt hạn {day:%d/%m/%Y} cho nhiệm vụ {task.code} ({task.title}). "
                           f"Đã tạo {added} hạn mới cho các cơ quan chủ trì; bot sẽ nhắc theo lịch.")]

    async def record_event(self, msg: Incoming, args: str) -> list[Reply]:
        """/sukien <task> <date>: record the event an "after an event" task waits for (administrators)."""
        parsed = await self._task_and_day(msg, args, "sukien")
        if isinstance(parsed, Reply):
            return [parsed]
        task_id, day = parsed
        task = self.plan.tasks[task_id]
        if task.schedule.kind.value != "after_event":
            return [Reply(text=f"Nhiệm vụ {task.code} không chờ sự kiện nào; dùng /hanchot để đặt hạn.")]
        await self.dates.record_event(task_id, day, f"{msg.platform}:{msg.user_id}", self.clock.now())
        added = await self.replan() if self.replan else 0
        return [Reply(text=f"Đã ghi nhận sự kiện «{task.schedule.event}» ngày {day:%d/%m/%Y} cho nhiệm vụ "
                           f"{task.code}. Đã tạo {added} hạn mới; bot sẽ nhắc theo lịch.")]


class ReplanHook(Protocol):
    async def __call__(self) -> int: ...
