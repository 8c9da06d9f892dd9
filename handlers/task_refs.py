"""Find the task a command names, across plans, from the code as officials type it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from knowledge.codes import closest, split_task_ref
from knowledge.loader import PlanData, Plans
from knowledge.schema import Task

MSG_NO_PLAN_IN_FORCE = (
    "Hiện chưa có kế hoạch nào đang có hiệu lực được nạp vào bot{ended}. Để nạp kế hoạch đang áp dụng, "
    "quản trị viên đặt tệp kế hoạch (YAML, xem `tcpl plan new`) vào thư mục kế hoạch của bot hoặc "
    "khai báo đường dẫn trong TCPL_PLAN_PATH, rồi khởi động lại bot."
)


@dataclass(frozen=True)
class TaskRef:
    """A task found from a command's words, and the words that follow its code."""

    plan: PlanData
    task: Task
    rest: str


def no_plan_in_force(plans: Plans, today: dt.date) -> str | None:
    """Return a plain message when no loaded plan applies today (saying which ended), else None."""
    if plans.in_force(today):
        return None
    ended = [p.plan for p in plans if p.plan.ended_on is not None and p.plan.ended_on <= today]
    said = ""
    if ended:
        said = " (" + "; ".join(f"«{p.title}» đã hết hiệu lực từ {p.ended_on:%d/%m/%Y}" for p in ended
                                 if p.ended_on is not None) + ")"
    return MSG_NO_PLAN_IN_FORCE.format(ended=said)


def shown_code(plans: Plans, plan_id: str, task: Task) -> str:
    """Return a task's code as shown: with its plan when several plans are loaded."""
    return task.code if len(plans) < 2 else f"{task.code} [{plan_id}]"


def resolve_task(plans: Plans, args: str, today: dt.date,
                 among: Collection[tuple[str, str]] | None = None) -> TaskRef | str:
    """Return the task the first words of `args` name, or why none (in Vietnamese, with the closest codes).

    `among` limits the search to some (plan id, task id) pairs, e.g. an agency's own tasks. A code that
    several plans share is taken from the plan in force today when only one of them is.
    """
    known = {(p.id, t) for p in plans for t in p.tasks}
    if among is not None:
        known &= set(among)
    ref = split_task_ref(args, {t for _, t in known})
    if not ref.typed:
        return "Xin ghi mã nhiệm vụ, ví dụ II.1 hoặc ii-1. Gõ /kehoach để xem các nhiệm vụ."
    if ref.plan_id is not None and ref.plan_id not in plans.by_id:
        names = ", ".join(plans.by_id)
        return f"Không có kế hoạch mã «{ref.plan_id[:40]}». Các kế hoạch đã nạp: {names}."
    candidates = [plans.by_id[p] for p, t in sorted(known)
                  if t == ref.task_id and (ref.plan_id is None or p == ref.plan_id)]
    if not candidates:
        pool = {t: plans.by_id[p].tasks[t].code for p, t in known
                if ref.plan_id is None or p == ref.plan_id}
        near = closest(ref.task_id or ref.typed.lower(), pool)
        hint = f" Có phải bạn muốn: {', '.join(near)}?" if near else ""
        return f"Không có nhiệm vụ mã «{ref.typed[:30]}».{hint} Gõ /kehoach để xem các nhiệm vụ."
    if len(candidates) > 1:
        in_force = [p for p in candidates if p.in_force_on(today)]
        if len(in_force) != 1:
            listed = ", ".join(f"{p.id} ({p.plan.title[:60]})" for p in candidates)
            return (f"Mã «{ref.typed[:30]}» có trong nhiều kế hoạch: {listed}. Xin ghi rõ kế hoạch, "
                    f"ví dụ: {candidates[0].id}/{ref.typed.replace(' ', '')}")
        candidates = in_force
    plan = candidates[0]
    assert ref.task_id is not None
    return TaskRef(plan, plan.tasks[ref.task_id], ref.rest)
