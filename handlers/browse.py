"""Browse the handbook by menus: criteria → indicators (/tieuchi), plan sections → items (/kehoach)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from handlers.answers import ENTRY_PREFIX, entry_reply
from handlers.ports import Clock
from handlers.task_refs import no_plan_in_force
from handlers.types import Choice, Incoming, Reply
from knowledge.loader import Handbook, PlanData, Plans
from knowledge.schema import Plan, Task

if TYPE_CHECKING:  # the conversation imports this module for its menus
    from handlers.conversation import Conversation

MENU_PREFIX = "m:"
MSG_STALE_CHOICE = (
    "Lựa chọn này không hợp lệ hoặc đã cũ. Bạn hãy gõ /tieuchi, /kehoach hoặc đặt câu hỏi trực tiếp."
)


def menu_reply(handbook: Handbook, menu_id: str) -> Reply:
    """Show a menu's first-level entries as choices."""
    menu = handbook.menus.get(menu_id)
    if menu is None:
        return Reply(text=MSG_STALE_CHOICE)
    choices = tuple(Choice(handbook.entries[i].title, ENTRY_PREFIX + i) for i in menu.items)
    return Reply(text="Chọn một mục để xem:", title=menu.title, choices=choices)


def open_choice(handbook: Handbook, data: str) -> Reply | None:
    """Open what a button points to; None when the data is not a browsing choice at all."""
    if data.startswith(ENTRY_PREFIX):
        entry = handbook.entries.get(data[len(ENTRY_PREFIX):])
        return entry_reply(handbook, entry) if entry else Reply(text=MSG_STALE_CHOICE)
    if data.startswith(MENU_PREFIX):
        return menu_reply(handbook, data[len(MENU_PREFIX):])
    return None


# ---------------------------------------------------------------- the plans (/kehoach)

# Callback data: "k:" (the plans), "k:p:<plan>", "k:s:<plan>:<section>", "k:t:<plan>:<task>".
PLAN_PREFIX = "k:"
MSG_NO_PLAN = "Bot chưa nạp kế hoạch nào. Quản trị viên xem mẫu tệp kế hoạch bằng lệnh `tcpl plan new`."


def plan_status(plan: Plan, today: dt.date) -> str:
    """Say whether a plan applies, and if it ended, since when and why."""
    if plan.ended_on is not None and plan.ended_on <= today:
        return f"Đã hết hiệu lực từ ngày {plan.ended_on:%d/%m/%Y}. {plan.end_reason or ''}".strip()
    if plan.first_day is not None and today < plan.first_day:
        return f"Áp dụng từ ngày {plan.first_day:%d/%m/%Y}."
    return "Đang áp dụng."


def _header(plan: Plan) -> str:
    issued = f"ngày {plan.issued:%d/%m/%Y}" if plan.issued else "văn bản không ghi ngày ban hành"
    number = f"số {plan.number}, " if plan.number else ""
    return f"{plan.issuer} ({number}{issued}) — địa bàn: {plan.area}"


def _section(task: Task) -> str:
    return task.id.split("-", 1)[0]


class PlanBrowser:
    """Browse the loaded plans: plan → section → task, each plan saying whether it still applies."""

    def __init__(self, plans: Plans, handbook: Handbook, clock: Clock, tz: ZoneInfo):
        self.plans = plans
        self.handbook = handbook
        self.clock = clock
        self.tz = tz

    def setup(self, conversation: Conversation) -> None:
        from handlers.conversation import Audience, Command  # the conversation imports this module

        conversation.register(Command("kehoach", self.command, Audience.ANYONE,
                                      "xem các kế hoạch: mục, nhiệm vụ, cơ quan chủ trì, thời hạn"))
        conversation.greeting_notes.append(lambda: no_plan_in_force(self.plans, self.today()))
        conversation.choice_handlers.append(self.on_choice)

    def today(self) -> dt.date:
        return self.clock.now().astimezone(self.tz).date()

    async def command(self, msg: Incoming, args: str) -> list[Reply]:
        """/kehoach: the loaded plans, or the only one."""
        return [self.root()]

    async def on_choice(self, msg: Incoming) -> list[Reply] | None:
        data = msg.choice or ""
        if not data.startswith(PLAN_PREFIX):
            return None
        kind, _, rest = data[len(PLAN_PREFIX):].partition(":")
        plan_id, _, item = rest.partition(":")
        plan = self.plans.by_id.get(plan_id)
        if kind == "" or (plan is None and kind in ("p", "s", "t")):
            return [self.root()]
        assert plan is not None
        if kind == "p":
            return [self.plan_reply(plan)]
        if kind == "s":
            return [self.section_reply(plan, item)]
        if kind == "t" and item in plan.tasks:
            return [self.task_reply(plan, plan.tasks[item])]
        return [Reply(text=MSG_STALE_CHOICE)]

    def root(self) -> Reply:
        plans = list(self.plans)
        if not plans:
            return Reply(text=MSG_NO_PLAN)
        if len(plans) == 1:
            return self.plan_reply(plans[0])
        today = self.today()
        # Plans in force first: they are what officials work on.
        ordered = sorted(plans, key=lambda p: (not p.in_force_on(today), p.plan.title))
        lines = [f"• {p.plan.title}\n  {plan_status(p.plan, today)}" for p in ordered]
        choices = tuple(Choice(p.plan.title[:60], f"{PLAN_PREFIX}p:{p.id}") for p in ordered)
        return Reply(title="Các kế hoạch", text="\n".join(lines) + "\n\nChọn một kế hoạch để xem:",
                     choices=choices)

    def plan_reply(self, plan: PlanData) -> Reply:
        sections: dict[str, list[Task]] = {}
        for t in plan.tasks.values():
            sections.setdefault(_section(t), []).append(t)
        choices = tuple(Choice(f"Mục {s.upper()} ({len(ts)} nhiệm vụ)", f"{PLAN_PREFIX}s:{plan.id}:{s}")
                        for s, ts in sections.items())
        text = f"{_header(plan.plan)}\n{plan_status(plan.plan, self.today())}\n\nChọn một mục:"
        return Reply(title=plan.plan.title, text=text, choices=choices)

    def section_reply(self, plan: PlanData, section: str) -> Reply:
        tasks = [t for t in plan.tasks.values() if _section(t) == section]
        if not tasks:
            return Reply(text=MSG_STALE_CHOICE)
        choices = tuple(Choice(f"{t.code} {t.title}"[:60], f"{PLAN_PREFIX}t:{plan.id}:{t.id}") for t in tasks)
        return Reply(title=f"Mục {section.upper()} — {plan.plan.title}", text="Chọn một nhiệm vụ để xem:",
                     choices=choices)

    def task_reply(self, plan: PlanData, task: Task) -> Reply:
        agencies = self.plans.agencies

        def names(ids: list[str]) -> str:
            return "; ".join(agencies[i].name if i in agencies else i for i in ids) or "Kế hoạch không nêu"

        when = task.schedule.plan_text or "Kế hoạch không nêu thời hạn"
        text = "\n".join(part for part in (
            task.description or "",
            f"Cơ quan chủ trì: {names(task.lead)}",
            f"Cơ quan phối hợp: {names(task.cooperating)}" if task.cooperating else "",
            f"Thời hạn: {when}",
            f"Mã để cập nhật tiến độ: {task.code}",
            "" if plan.in_force_on(self.today()) else f"\n{plan_status(plan.plan, self.today())}",
        ) if part)
        entry = self.handbook.entries.get(task.entry) if task.entry else None
        choices = (Choice("Giải thích trong sổ tay", ENTRY_PREFIX + entry.id),) if entry else ()
        return Reply(title=f"{task.code} {task.title}", text=text, note=f"Kế hoạch: {plan.plan.title}",
                     choices=choices)
