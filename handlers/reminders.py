"""Deadline reminders: plan the occurrences, and on each tick put due reminders in the outbox."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from handlers.membership import is_department_admin
from handlers.ports import Clock, Members, MemberView, Occurrences, OccurrenceView, Outbox, TaskDates
from handlers.progress import STATUS_LABEL, progress_choices
from handlers.types import Reply
from knowledge.calendar import WorkingCalendar
from knowledge.deadlines import (
    AdminDeadline,
    Deadline,
    ReminderPolicy,
    Source,
    Step,
    StepKind,
    TaskEvent,
    plan_deadlines,
    reminder_steps,
)
from knowledge.loader import PlanData

KIND_REMINDER = "reminder"
KIND_ESCALATION = "escalation"
TICK_BATCH = 5000
# Platforms on which the bot can write first; a console session cannot receive a reminder.
PROACTIVE_PLATFORMS = frozenset({"telegram", "zalo"})

SOURCE_NOTE = {
    Source.PLAN: "hạn theo Kế hoạch",
    Source.LOCAL_DEFAULT: "Kế hoạch không nêu ngày; đây là hạn chung do Sở Tư pháp chọn",
    Source.ADMIN: "hạn do quản trị viên Sở Tư pháp đặt",
    Source.EVENT: "hạn tính từ ngày sự kiện do quản trị viên ghi nhận",
}


def date_vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def escalation_key_prefix(task_id: str, due: dt.date) -> str:
    """Return how the outbox keys of one deadline's escalations begin (one key per administrator)."""
    return f"esc:{task_id}:{due.isoformat()}:"


def payload(reply: Reply) -> dict[str, object]:
    """Serialise a reply for the outbox (JSON), so any instance can send it later."""
    return {"title": reply.title, "text": reply.text, "note": reply.note,
            "choices": [[c.label, c.data] for c in reply.choices]}


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder or escalation that the policy would send (for the preview)."""

    send_at: dt.datetime
    agency_id: str
    task_id: str
    due: dt.date
    kind: StepKind


class Reminders:
    """Turn the plan's deadlines into reminders for lead agencies and escalations for administrators."""

    def __init__(self, plan: PlanData, policy: ReminderPolicy, occurrences: Occurrences,
                 dates: TaskDates, members: Members, outbox: Outbox, clock: Clock):
        self.plan = plan
        self.policy = policy
        self.calendar: WorkingCalendar = policy.calendar()
        self.occurrences = occurrences
        self.dates = dates
        self.members = members
        self.outbox = outbox
        self.clock = clock
        self._steps = lru_cache(maxsize=4096)(self._compute_steps)

    def _compute_steps(self, due: dt.date) -> tuple[Step, ...]:
        return tuple(reminder_steps(due, self.policy, self.calendar))

    def steps(self, due: dt.date) -> tuple[Step, ...]:
        """Return every reminder step of a due date (cached: thousands of deadlines share a few dates)."""
        return self._steps(due)

    def years(self) -> list[int]:
        this_year = self.calendar.local(self.clock.now()).year
        return [this_year, this_year + 1]

    async def deadlines(self, years: Sequence[int]) -> list[Deadline]:
        admin = [AdminDeadline(t, d) for t, d in await self.dates.deadlines()]
        events = [TaskEvent(t, d) for t, d in await self.dates.events()]
        return plan_deadlines(self.plan, years, self.policy, admin, events)

    async def plan_occurrences(self) -> int:
        """Create the occurrences of this year and the next (idempotent); return how many are new."""
        deadlines = await self.deadlines(self.years())
        first = {d.due: self._first_step_at(d.due) for d in deadlines}
        return await self.occurrences.ensure(deadlines, first)

    def _first_step_at(self, due: dt.date) -> dt.datetime | None:
        steps = self.steps(due)
        return steps[0].send_at if steps else None

    def _current_step(self, due: dt.date, now: dt.datetime) -> tuple[Step | None, dt.datetime | None]:
        """Return the latest step already due (missed older ones are not sent late) and the next one."""
        current = None
        for step in self.steps(due):
            if step.send_at <= now:
                current = step
            else:
                return current, step.send_at
        return current, None

    def _superseded(self, due: dt.date, step: Step, now: dt.datetime) -> bool:
        """Tell whether a reminder can no longer go out before the agency's next one is due.

        A tick outside office hours (the instance was down) would otherwise deliver this reminder on the
        next working morning together with the newer one, e.g. "3 days left" beside "due today".
        """
        later = [s for s in self.steps(due) if s.send_at > step.send_at and s.kind is not StepKind.ESCALATION]
        return bool(later) and self.calendar.next_open(now) >= later[0].send_at

    async def tick(self) -> int:
        """Put every reminder that is due now in the outbox; return how many messages were queued."""
        now = self.clock.now()
        queued = 0
        members_by_agency: dict[str, list[MemberView]] | None = None
        escalations: dict[tuple[str, dt.date], list[OccurrenceView]] = defaultdict(list)
        while True:
            batch = await self.occurrences.due_for_reminder(now, TICK_BATCH)
            if not batch:
                break
            if members_by_agency is None:
                members_by_agency = defaultdict(list)
                for m in await self.members.all():
                    members_by_agency[m.agency_id].append(m)
            for occ in batch:
                step, next_at = self._current_step(occ.due, now)
                if step is not None and occ.status != "done":
                    if step.kind is StepKind.ESCALATION:
                        escalations[(occ.task_id, occ.due)].append(occ)
                    elif not self._superseded(occ.due, step, now):
                        queued += await self._remind(occ, step, members_by_agency.get(occ.agency_id, []))
                await self.occurrences.advance(occ.id, next_at)
            if len(batch) < TICK_BATCH:
                break
        if escalations:
            admins = [m for ms in (members_by_agency or {}).values() for m in ms if is_department_admin(m)]
            for (task_id, due), occs in escalations.items():
                queued += await self._escalate(task_id, due, occs, admins)
        return queued

    async def _remind(self, occ: OccurrenceView, step: Step, members: Sequence[MemberView]) -> int:
        reply = self.reminder_reply(occ, step)
        queued = 0
        for m in members:
            if m.platform not in PROACTIVE_PLATFORMS:
                continue
            queued += await self.outbox.enqueue(
                dedup_key=f"rem:{occ.id}:{step.key}:{m.platform}:{m.chat_id}",
                platform=m.platform, chat_id=m.chat_id, payload=payload(reply),
                not_before=step.send_at, kind=KIND_REMINDER, occurrence_id=occ.id,
            )
        return queued

    def reminder_reply(self, occ: OccurrenceView, step: Step) -> Reply:
        """Write the reminder a lead agency receives, with the buttons to answer it."""
        task = self.plan.tasks[occ.task_id]
        agency = self.plan.agencies[occ.agency_id]
        # Count the days from when the reminder can go out: queued out of hours, it waits for the morning.
        today = self.calendar.local(max(step.send_at, self.calendar.next_open(self.clock.now()))).date()
        days = (occ.due - today).days
        # A deadline on a weekend or holiday is reminded on the next working morning: that reminder is
        # the deadline-day one, not an overdue one.
        moved = days < 0 and today == self.calendar.next_working_day(occ.due)
        if days > 0:
            when = f"còn {days} ngày"
        elif days == 0:
            when = "hạn là hôm nay"
        elif moved:
            when = "hạn rơi vào ngày nghỉ; hôm nay là ngày làm việc đầu tiên sau hạn"
        else:
            when = f"đã quá hạn {-days} ngày"
        title = ("Quá hạn: " if days < 0 and not moved else "Nhắc hạn: ") + f"nhiệm vụ {task.code}"
        timing = task.schedule.plan_text
        source = SOURCE_NOTE[Source(occ.source)]
        text = (f"{task.title}\nCơ quan: {agency.name}\nHạn: {date_vn(occ.due)} ({when})\n"
                f"Ghi chú về hạn: {source}" + (f" (Kế hoạch ghi: «{timing}»)." if timing else ".") +
                "\n\nXin cập nhật tiến độ bằng các nút dưới đây, hoặc trả lời tin nhắn này, ví dụ: "
                "«đã xong», «đang làm 60%», «vướng: chưa có kinh phí».")
        return Reply(text=text, title=title, note=f"Mã nhiệm vụ: {task.id}",
                     choices=progress_choices(occ.id))

    async def _escalate(self, task_id: str, due: dt.date, occs: list[OccurrenceView],
                        admins: Sequence[MemberView]) -> int:
        task = self.plan.tasks[task_id]
        lines = []
        for o in sorted(occs, key=lambda o: self.plan.agencies[o.agency_id].name):
            state = STATUS_LABEL.get(o.status or "", "chưa trả lời")
            if o.status == "in_progress" and o.percent is not None:
                state += f" {o.percent}%"
            if o.note:
                state += f" — {o.note}"
            lines.append(f"• {self.plan.agencies[o.agency_id].name}: {state}")
        reply = Reply(
            title=f"Cần đôn đốc: nhiệm vụ {task.code} quá hạn {date_vn(due)}",
            text=f"{task.title}\n\nCác cơ quan chưa báo cáo hoàn thành ({len(occs)}):\n" + "\n".join(lines),
            note=f"Gõ /baocao {task.id} để xem chi tiết.",
        )
        now = self.clock.now()
        queued = 0
        for a in admins:
            queued += await self.outbox.enqueue(
                dedup_key=escalation_key_prefix(task_id, due) + f"{a.platform}:{a.chat_id}",
                platform=a.platform, chat_id=a.chat_id, payload=payload(reply), not_before=now,
                kind=KIND_ESCALATION, occurrence_id=None,
            )
        return queued

    async def chat_unreachable(self, platform: str, chat_id: str, reason: str, now: dt.datetime) -> None:
        """Record a chat the bot cannot write to and tell the administrators, once a day per chat."""
        await self.members.mark_blocked(platform, chat_id, now)
        affected = [m for m in await self.members.all() if m.platform == platform and m.chat_id == chat_id]
        who = ", ".join(f"{m.display_name} ({self.plan.agencies[m.agency_id].name})"
                        if m.agency_id in self.plan.agencies else m.display_name for m in affected)
        reply = Reply(
            title="Không gửi được tin nhắc",
            text=(f"Bot không gửi được tin nhắn tới {who or 'một cuộc trò chuyện'} trên {platform}: "
                  "người dùng đã chặn bot hoặc nền tảng từ chối gửi. Xin liên hệ trực tiếp để nhắc việc, "
                  "và đề nghị họ nhắn cho bot để mở lại kênh."),
            note=f"Chi tiết kỹ thuật: {reason[:200]}",
        )
        for admin in await self.members.all():
            if not is_department_admin(admin) or (admin.platform, admin.chat_id) == (platform, chat_id):
                continue
            await self.outbox.enqueue(
                dedup_key=f"unreachable:{platform}:{chat_id}:{self.calendar.local(now).date().isoformat()}:"
                          f"{admin.platform}:{admin.chat_id}",
                platform=admin.platform, chat_id=admin.chat_id, payload=payload(reply), not_before=now,
                kind=KIND_ESCALATION, occurrence_id=None,
            )

    async def preview(self, start: dt.date, days: int) -> list[PlannedReminder]:
        """List every reminder and escalation the policy would send in a window, sending nothing."""
        end = start + dt.timedelta(days=days)
        window_start = dt.datetime.combine(start, dt.time(0), tzinfo=self.calendar.tz)
        window_end = dt.datetime.combine(end, dt.time(0), tzinfo=self.calendar.tz)
        # Deadlines up to ~3 months after the window still remind inside it; escalations come later.
        years = sorted({start.year - 1, start.year, end.year, end.year + 1})
        done = {(o.task_id, o.agency_id, o.due) for o in await self.occurrences.in_window(
            dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)) if o.status == "done"}
        out: list[PlannedReminder] = []
        for d in await self.deadlines(years):
            if (d.task_id, d.agency_id, d.due) in done:
                continue
            for step in self.steps(d.due):
                if window_start <= step.send_at < window_end:
                    out.append(PlannedReminder(step.send_at, d.agency_id, d.task_id, d.due, step.kind))
        out.sort(key=lambda r: (r.send_at, r.task_id, r.agency_id))
        return out
