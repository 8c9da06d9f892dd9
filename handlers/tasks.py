"""An agency's own plan tasks: only its registered members see them."""

from __future__ import annotations

from handlers.conversation import Conversation
from handlers.membership import MSG_NOT_REGISTERED, Membership
from handlers.types import Incoming, Reply
from knowledge.loader import PlanData

ROLE_LABEL = {"lead": "chủ trì", "cooperating": "phối hợp"}


def timing_text(plan: PlanData, task_id: str) -> str:
    """Say when a task is due in the plan's own words, or that the plan gives no time."""
    s = plan.tasks[task_id].schedule
    return s.plan_text or "Kế hoạch không nêu thời gian thực hiện"


class AgencyTasks:
    """List the plan tasks of the sender's agency."""

    def __init__(self, plan: PlanData, membership: Membership):
        self.plan = plan
        self.membership = membership

    def setup(self, conversation: Conversation) -> None:
        conversation.commands["nhiemvu"] = self.list_tasks

    async def list_tasks(self, msg: Incoming, args: str) -> list[Reply]:
        """Show the tasks the sender's agency leads or cooperates on."""
        member = await self.membership.member(msg)
        if member is None:
            return [Reply(text=MSG_NOT_REGISTERED)]
        rows = self.plan.tasks_for(member.agency_id)
        name = self.membership.agency_name(member.agency_id)
        if not rows:
            return [Reply(text=f"{name} không có nhiệm vụ nào trong Kế hoạch.")]
        lines = [f"• {t.code} ({t.id}) — {t.title}\n  Vai trò: {ROLE_LABEL[role]}; thời gian: "
                 f"{timing_text(self.plan, t.id)}" for t, role in rows]
        return [Reply(text="\n".join(lines), title=f"Nhiệm vụ của {name}")]
