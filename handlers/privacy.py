"""What the bot tells users it keeps, and /xoadulieu: a user deletes what the bot keeps about them.

The deletion waits for a confirmation: /xoadulieu stores a one-time token in the pending input (one
row per user, shared by every instance) and offers it in the confirm button; a button whose token is
not the sender's current one (pressed by someone else, after 10 minutes, after another message, or
made up) deletes nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Protocol

from handlers.conversation import Audience, Command, Conversation
from handlers.ports import Clock, PendingInput
from handlers.types import Choice, Incoming, Reply

DEFAULT_QUESTION_LOG_DAYS = 90
KIND = "xoadulieu"  # the pending-input kind of the confirmation
PREFIX = "x:"
CONFIRM_WAIT = dt.timedelta(minutes=10)

MSG_STORED = (
    "Bot lưu câu hỏi bạn gửi trong {days} ngày và thông tin đăng ký cho đến khi bạn xóa (/xoadulieu); "
    "báo cáo tiến độ được giữ làm hồ sơ công việc của cơ quan."
)
MSG_CONFIRM = (
    "Bạn muốn xóa dữ liệu của mình? Bot sẽ xóa các câu hỏi bạn đã gửi, thông tin đăng ký (nếu có) và "
    "các tin nhắn đang chờ gửi cho bạn. Báo cáo tiến độ bạn đã gửi vẫn được giữ làm hồ sơ công việc của "
    "cơ quan, nhưng không còn kèm tên bạn. Sau khi xóa, muốn dùng lại các lệnh của cán bộ bạn cần mã mời mới."
)
MSG_ERASED = "Đã xóa dữ liệu của bạn: {questions} câu hỏi{registration}."
MSG_ERASED_REGISTRATION = " và thông tin đăng ký"
MSG_REPORTS_KEPT = "{n} báo cáo tiến độ vẫn được giữ cho cơ quan, không kèm tên bạn."
MSG_NOTHING = "Bot không lưu dữ liệu nào của bạn, nên không có gì để xóa."
MSG_KEPT = "Đã hủy. Dữ liệu của bạn vẫn được giữ nguyên."
MSG_STALE = (
    "Yêu cầu xóa này không còn hiệu lực (quá {minutes} phút, đã có tin nhắn khác, hoặc không phải của "
    "bạn), nên chưa có gì bị xóa. Nếu vẫn muốn xóa, xin gõ lại /xoadulieu."
)
LABEL_ERASE = "🗑 Xóa dữ liệu của tôi"
LABEL_KEEP = "✖ Không xóa"


class ErasedView(Protocol):
    @property
    def questions(self) -> int: ...
    @property
    def registered(self) -> bool: ...
    @property
    def reports_kept(self) -> int: ...


class PersonalData(Protocol):
    """What the bot keeps about a person, erasable at their request."""

    async def erase(self, platform: str, user_id: str) -> ErasedView: ...


def stored_notice(days: int) -> str:
    """Say in one line what the bot keeps and for how long."""
    return MSG_STORED.format(days=days)


class Privacy:
    """Tell users what is kept; delete it when they ask."""

    def __init__(self, data: PersonalData, pending: PendingInput, clock: Clock,
                 question_log_days: int = DEFAULT_QUESTION_LOG_DAYS):
        self.data = data
        self.pending = pending
        self.clock = clock
        self.question_log_days = question_log_days

    def setup(self, conversation: Conversation) -> None:
        """Register /xoadulieu and its buttons; /start and /help say what is kept."""
        conversation.register(Command("xoadulieu", self.ask, Audience.ANYONE,
                                      "xóa dữ liệu bot lưu về bạn (có hỏi lại trước khi xóa)"))
        conversation.choice_handlers.append(self.on_choice)
        conversation.stored_notice = stored_notice(self.question_log_days)

    async def ask(self, msg: Incoming, args: str) -> list[Reply]:
        """Ask for a confirmation, with a token only this sender's button carries."""
        token = secrets.token_hex(4)
        await self.pending.expect(msg.platform, msg.user_id, f"{KIND}:{token}",
                                  self.clock.now() + CONFIRM_WAIT)
        choices = (Choice(LABEL_ERASE, f"{PREFIX}ok:{token}"), Choice(LABEL_KEEP, f"{PREFIX}no"))
        return [Reply(text=MSG_CONFIRM, title="Xóa dữ liệu của bạn", choices=choices)]

    async def on_choice(self, msg: Incoming) -> list[Reply] | None:
        """Erase on the sender's own, current confirmation; None for other choices."""
        data = msg.choice or ""
        if not data.startswith(PREFIX):
            return None
        action, _, token = data[len(PREFIX):].partition(":")
        # Taking it also ends it: a button works once, and a "keep" ends the request too.
        waiting = await self.pending.take(msg.platform, msg.user_id, self.clock.now(), key=msg.key)
        if action == "no":
            return [Reply(text=MSG_KEPT)]
        if action != "ok" or not token or waiting != f"{KIND}:{token}":
            return [Reply(text=MSG_STALE.format(minutes=int(CONFIRM_WAIT.total_seconds() // 60)))]
        erased = await self.data.erase(msg.platform, msg.user_id)
        if not (erased.questions or erased.registered or erased.reports_kept):
            return [Reply(text=MSG_NOTHING)]
        text = MSG_ERASED.format(questions=erased.questions,
                                 registration=MSG_ERASED_REGISTRATION if erased.registered else "")
        if erased.reports_kept:
            text += " " + MSG_REPORTS_KEPT.format(n=erased.reports_kept)
        return [Reply(text=text)]
