"""Deadline reminders: plan the occurrences, and on each tick put due reminders in the outbox."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from handlers.membership import is_department_admin
from handlers.ports import (
    AgencyView,
    Clock,
    ImportedAgencies,
    Members,
    MemberView,
    Occurrences,
    OccurrenceView,
    Outbox,
    ReconciledView,
    TaskDates,
)
from handlers.progress import STATUS_LABEL, progress_choices
from handlers.task_refs import shown_code
from handlers.types import Reply
from knowledge.calendar import WorkingCalendar
from knowledge.deadlines import (
    EVENT_PERIOD,
    AdminDeadline,
    Planned,
    PlanningFailure,
    ReminderPolicy,
    Source,
    Step,
    StepKind,
    TaskEvent,
    plan_deadlines,
    reminder_steps,
)
from knowledge.loader import Plans
from knowledge.schema import Agency, AgencyLevel

KIND_REMINDER = "reminder"
KIND_ESCALATION = "escalation"
TICK_BATCH = 5000
# Platforms on which the bot can write first; a console session cannot receive a reminder.
PROACTIVE_PLATFORMS = frozenset({"telegram", "zalo"})
MAX_NAMES = 15  # agencies named in one escalation; the rest are counted

log = logging.getLogger(__name__)

SOURCE_NOTE = {
    Source.PLAN: "hạn theo Kế hoạch",
    Source.LOCAL_DEFAULT: "Kế hoạch không nêu ngày; đây là hạn chung do Sở Tư pháp chọn",
    Source.ADMIN: "hạn do quản trị viên Sở Tư pháp đặt",
    Source.EVENT: "hạn tính từ ngày sự kiện do quản trị viên ghi nhận",
}


def date_vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def escalation_key_prefix(plan_id: str, task_id: str, due: dt.date) -> str:
    """Return how the outbox keys of one deadline's escalations begin (one key per administrator)."""
    return f"esc:{plan_id}:{task_id}:{due.isoformat()}:"


def payload(reply: Reply) -> dict[str, object]:
    """Serialise a reply for the outbox (JSON), so any instance can send it later."""
    return {"title": reply.title, "text": reply.text, "note": reply.note,
            "choices": [[c.label, c.data] for c in reply.choices]}


def names_list(names: Sequence[str], limit: int = MAX_NAMES) -> str:
    """Return up to `limit` names joined by commas, and how many more."""
    shown = ", ".join(names[:limit])
    return shown + (f" và {len(names) - limit} đơn vị khác" if len(names) > limit else "")


def as_agency(unit: AgencyView) -> Agency:
    """Return an imported unit as the plans' agencies are: a commune of a province, with its life."""
    return Agency(id=unit.id, name=unit.name, level=AgencyLevel(unit.level), area_code=unit.area_code,
                  started_on=unit.started_on, ended_on=unit.ended_on)


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder or escalation that the policy would send (for the preview)."""

    send_at: dt.datetime
    plan_id: str
    agency_id: str
    task_id: str
    due: dt.date
    kind: StepKind


class Reminders:
    """Turn the plans' deadlines into reminders for lead agencies and escalations for administrators."""

    def __init__(self, plans: Plans, policy: ReminderPolicy, occurrences: Occurrences,
                 dates: TaskDates, members: Members, outbox: Outbox, clock: Clock,
                 agencies: ImportedAgencies | None = None):
        self.plans = plans
        self.policy = policy
        self.calendar: WorkingCalendar = policy.calendar()
        self.occurrences = occurrences
        self.dates = dates
        self.members = members
        self.outbox = outbox
        self.clock = clock
        self.agencies = agencies
        self._steps = lru_cache(maxsize=4096)(self._compute_steps)

    def _compute_steps(self, due: dt.date) -> tuple[Step, ...]:
        return tuple(reminder_steps(due, self.policy, self.calendar))

    def steps(self, due: dt.date) -> tuple[Step, ...]:
        """Return every reminder step of a due date (cached: thousands of deadlines share a few dates)."""
        return self._steps(due)

    def today(self) -> dt.date:
        return self.calendar.local(self.clock.now()).date()

    def years(self) -> list[int]:
        this_year = self.today().year
        return [this_year, this_year + 1]

    async def refresh_agencies(self) -> None:
        """Read the imported communes again, so planning and invitations see the latest import."""
        if self.agencies is not None:
            self.plans.set_imported(as_agency(a) for a in await self.agencies.imported())

    async def deadlines(self, years: Sequence[int]) -> Planned:
        """Derive the deadlines of these years from the plans, the administrators' dates and the events."""
        await self.refresh_agencies()
        admin = [AdminDeadline(d.plan_id, d.task_id, d.day) for d in await self.dates.deadlines()]
        events = [TaskEvent(e.plan_id, e.task_id, e.day) for e in await self.dates.events()]
        planned = plan_deadlines(self.plans, years, self.policy, admin, events, self.plans.imported)
        return self._with_steps(planned)

    def _with_steps(self, planned: Planned) -> Planned:
        """Leave out, task by task, the deadlines whose reminder steps cannot be computed."""
        failures = list(planned.failures)
        broken: set[tuple[str, str]] = set()
        for d in planned.deadlines:
            key = (d.plan_id, d.task_id)
            if key in broken:
                continue
            try:
                self.steps(d.due)
            except Exception as exc:  # an absurd date stored by an older version: skip that task only
                broken.add(key)
                failures.append(PlanningFailure(d.plan_id, d.task_id, f"{type(exc).__name__}: {exc}"))
        for f in failures:
            log.error("planning skipped task %s of plan %s: %s", f.task_id, f.plan_id, f.error)
        if not broken:
            return Planned(planned.deadlines, planned.tasks, failures)
        kept = [d for d in planned.deadlines if (d.plan_id, d.task_id) not in broken]
        return Planned(kept, planned.tasks - broken, failures)

    async def plan_occurrences(self) -> ReconciledView:
        """Make the occurrences of this year and the next match the plans (idempotent)."""
        years = self.years()
        planned = await self.deadlines(years)
        first = {d.due: self._first_step_at(d.due) for d in planned.deadlines}
        periods = [str(y) for y in years] + [EVENT_PERIOD]
        return await self.occurrences.reconcile(planned.deadlines, planned.tasks, periods, first,
                                                self.clock.now())

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

    def _known(self, occ: OccurrenceView) -> bool:
        plan = self.plans.by_id.get(occ.plan_id)
        return plan is not None and occ.task_id in plan.tasks

    async def tick(self) -> int:
        """Put every reminder that is due now in the outbox; return how many messages were queued."""
        now = self.clock.now()
        queued = 0
        members_by_agency: dict[str, list[MemberView]] | None = None
        escalations: dict[tuple[str, str, dt.date], list[OccurrenceView]] = defaultdict(list)
        while True:
            batch = await self.occurrences.due_for_reminder(now, TICK_BATCH)
            if not batch:
                break
            if members_by_agency is None:
                members_by_agency = defaultdict(list)
                for m in await self.members.all():
                    members_by_agency[m.agency_id].append(m)
            for occ in batch:
                if not self._known(occ):
                    # Its plan is no longer loaded: nothing can be said about it, so nothing is sent.
                    log.warning("occurrence %s of unloaded plan %s task %s: no reminder",
                                occ.id, occ.plan_id, occ.task_id)
                    await self.occurrences.advance(occ.id, None)
                    continue
                step, next_at = self._current_step(occ.due, now)
                if step is not None and occ.status != "done":
                    if step.kind is StepKind.ESCALATION:
                        escalations[(occ.plan_id, occ.task_id, occ.due)].append(occ)
                    elif not self._superseded(occ.due, step, now):
                        queued += await self._remind(occ, step, members_by_agency.get(occ.agency_id, []))
                await self.occurrences.advance(occ.id, next_at)
            if len(batch) < TICK_BATCH:
                break
        if escalations:
            admins = [m for ms in (members_by_agency or {}).values() for m in ms if is_department_admin(m)]
            for (plan_id, task_id, due), occs in escalations.items():
                queued += await self._escalate(plan_id, task_id, due, occs, admins)
        return queued

    async def _remind(self, occ: OccurrenceView, step: Step, members: Sequence[MemberView]) -> int:
        reply = self.reminder_reply(occ, step)
        queued = 0
        for m in members:
            if m.platform not in PROACTIVE_PLATFORMS:
                continue
            queued += await self.outbox.enqueue(
                # The due date is part of the key: a deadline moved by an administrator is reminded anew.
                dedup_key=f"rem:{occ.id}:{occ.due.isoformat()}:{step.key}:{m.platform}:{m.chat_id}",
                platform=m.platform, chat_id=m.chat_id, payload=payload(reply),
                not_before=step.send_at, kind=KIND_REMINDER, occurrence_id=occ.id,
            )
        return queued

    def agency_name(self, agency_id: str) -> str:
        agency = self.plans.agencies.get(agency_id)
        return agency.name if agency else agency_id

    def reminder_reply(self, occ: OccurrenceView, step: Step) -> Reply:
        """Write the reminder a lead agency receives, with the buttons to answer it."""
        plan = self.plans.by_id[occ.plan_id]
        task = plan.tasks[occ.task_id]
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
        code = shown_code(self.plans, plan.id, task)
        title = ("Quá hạn: " if days < 0 and not moved else "Nhắc hạn: ") + f"nhiệm vụ {code}"
        timing = task.schedule.plan_text
        source = SOURCE_NOTE[Source(occ.source)]
        text = (f"{task.title}\nKế hoạch: {plan.plan.title}\nCơ quan: {self.agency_name(occ.agency_id)}\n"
                f"Hạn: {date_vn(occ.due)} ({when})\n"
                f"Ghi chú về hạn: {source}" + (f" (Kế hoạch ghi: «{timing}»)." if timing else ".") +
                "\n\nXin cập nhật tiến độ bằng các nút dưới đây, hoặc trả lời tin nhắn này, ví dụ: "
                "«đã xong», «đang làm 60%», «chưa làm», «vướng: chưa có kinh phí».")
        return Reply(text=text, title=title, note=f"Mã nhiệm vụ: {task.code}",
                     choices=progress_choices(occ.id))

    async def _escalate(self, plan_id: str, task_id: str, due: dt.date, occs: list[OccurrenceView],
                        admins: Sequence[MemberView]) -> int:
        plan = self.plans.by_id[plan_id]
        task = plan.tasks[task_id]
        imported = self.plans.imported_ids
        by_name = sorted(occs, key=lambda o: self.agency_name(o.agency_id))
        communes = [o for o in by_name if o.agency_id in imported]
        others = [o for o in by_name if o.agency_id not in imported]
        lines = []
        for o in others:
            state = STATUS_LABEL.get(o.status or "", "chưa trả lời")
            if o.status == "in_progress" and o.percent is not None:
                state += f" {o.percent}%"
            if o.note:
                state += f" — {o.note}"
            lines.append(f"• {self.agency_name(o.agency_id)}: {state}")
        if communes:
            # One line per status for the communes: 103 lines would drown the message.
            by_state: dict[str, list[str]] = defaultdict(list)
            for o in communes:
                state = STATUS_LABEL.get(o.status or "", "chưa trả lời")
                by_state[state].append(self.agency_name(o.agency_id))
            lines.append(f"• {len(communes)} xã, phường chưa báo cáo hoàn thành:")
            lines += [f"  – {state} ({len(names)}): {names_list(names)}" for state, names in by_state.items()]
        code = shown_code(self.plans, plan_id, task)
        reply = Reply(
            title=f"Cần đôn đốc: nhiệm vụ {code} quá hạn {date_vn(due)}",
            text=f"{task.title}\n\nCác cơ quan chưa báo cáo hoàn thành ({len(occs)}):\n" + "\n".join(lines),
            note=f"Gõ /baocao {task.code} để xem chi tiết.",
        )
        now = self.clock.now()
        queued = 0
        for a in admins:
            queued += await self.outbox.enqueue(
                dedup_key=escalation_key_prefix(plan_id, task_id, due) + f"{a.platform}:{a.chat_id}",
                platform=a.platform, chat_id=a.chat_id, payload=payload(reply), not_before=now,
                kind=KIND_ESCALATION, occurrence_id=None,
            )
        return queued

    async def chat_unreachable(self, platform: str, chat_id: str, reason: str, now: dt.datetime) -> None:
        """Record a chat the bot cannot write to and tell the administrators, once a day per chat."""
        await self.members.mark_blocked(platform, chat_id, now)
        affected = [m for m in await self.members.all() if m.platform == platform and m.chat_id == chat_id]
        who = ", ".join(f"{m.display_name} ({self.agency_name(m.agency_id)})" for m in affected)
        reply = Reply(
            title="Không gửi được tin nhắc",
            text=(f"Bot không gửi được tin nhắn tới {who or 'một cuộc trò chuyện'} trên {platform}: "
                  "người dùng đã chặn bot, hoặc tin nhắn tới họ liên tục không gửi được. "
                  "Xin liên hệ trực tiếp để nhắc việc, và đề nghị họ nhắn cho bot để mở lại kênh."),
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
        done = {(o.plan_id, o.task_id, o.agency_id, o.period) for o in await self.occurrences.in_window(
            dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)) if o.status == "done"}
        out: list[PlannedReminder] = []
        for d in (await self.deadlines(years)).deadlines:
            if (d.plan_id, d.task_id, d.agency_id, d.period) in done:
                continue
            for step in self.steps(d.due):
                if window_start <= step.send_at < window_end:
                    out.append(PlannedReminder(step.send_at, d.plan_id, d.agency_id, d.task_id, d.due,
                                               step.kind))
        out.sort(key=lambda r: (r.send_at, r.plan_id, r.task_id, r.agency_id))
        return out
