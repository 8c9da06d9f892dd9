"""The conversation: route a user's message or choice to the use case that answers it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from handlers.answers import answer
from handlers.browse import MENU_PREFIX, MSG_STALE_CHOICE, menu_reply, open_choice
from handlers.ports import Clock, PendingInput, QuestionLog
from handlers.types import Choice, Incoming, Reply
from knowledge.documents.library import Library
from knowledge.engine import Engine
from knowledge.sources import Sources

MAX_MESSAGE_CHARS = 1000

MSG_WELCOME = (
    "Xin chào! Tôi là trợ lý hỏi đáp về chuẩn tiếp cận pháp luật của xã, phường. "
    "Bạn cứ gõ câu hỏi bằng tiếng Việt, có dấu hay không dấu đều được."
)
MSG_HELP = (
    "Các lệnh:\n"
    "/hoi <câu hỏi> — hỏi đáp (hoặc gõ câu hỏi trực tiếp)\n"
    "/tieuchi — xem tiêu chí, chỉ tiêu\n"
    "/kehoach — xem các nhiệm vụ của Kế hoạch thực hiện của tỉnh\n"
    "/help — xem hướng dẫn này"
)
MSG_UNKNOWN_COMMAND = "Tôi không hiểu lệnh «{cmd}». Gõ /help để xem các lệnh."
MSG_TOO_LONG = (
    "Tin nhắn dài {n} ký tự, quá dài để xử lý. Bạn hãy gửi một câu hỏi ngắn gọn "
    "(dưới {limit} ký tự)."
)
MSG_ASK_WHAT = "Bạn hãy gõ câu hỏi sau lệnh, ví dụ: /hoi điều kiện công nhận đạt chuẩn là gì"

CommandHandler = Callable[[Incoming, str], Awaitable[list[Reply]]]
# Handles the text a user types after the bot asked for it; gets the data stored with the question.
AwaitedText = Callable[[Incoming, str], Awaitable[list[Reply]]]
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def split_command(text: str) -> tuple[str, str] | None:
    """Split "/hoi@tcpl_bot câu hỏi" into ("hoi", "câu hỏi"); None when the text is not a command."""
    if not text.startswith("/"):
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return name, rest.strip()


class Conversation:
    """One bot for every platform: plain messages in, plain replies out."""

    def __init__(self, engine: Engine, clock: Clock, questions: QuestionLog | None = None,
                 pending: PendingInput | None = None, library: Library | None = None, tz: ZoneInfo = VIETNAM):
        self.engine = engine
        self.library = library or Library(validity=dict(engine.handbook.documents))
        self.clock = clock
        self.questions = questions
        self.pending = pending
        self.tz = tz
        # One visible place where every command is registered; later use cases add theirs.
        self.commands: dict[str, CommandHandler] = {
            "start": self._start,
            "help": self._help,
            "hoi": self._ask_command,
            "tieuchi": self._menu("tieuchi"),
            "kehoach": self._menu("kehoach"),
        }
        # Use cases that may claim a button press or a free text before it is read as a question
        # (a progress button, a reply to a reminder); each returns None to pass.
        self.choice_handlers: list[Callable[[Incoming], Awaitable[list[Reply] | None]]] = []
        self.text_handlers: list[Callable[[Incoming], Awaitable[list[Reply] | None]]] = []
        # What the bot asked a user to type (stored as "kind:data" in the pending input, where every
        # instance sees it), by kind: the note of a blocked task, the Department's answer being written…
        self.awaiting: dict[str, AwaitedText] = {}

    def use(self, sources: Sources) -> None:
        """Answer from new sources from the next message on (the Department changed its knowledge)."""
        self.engine = sources.engine
        self.library = sources.library

    def today(self) -> dt.date:
        """Return today's date where the officials are."""
        return self.clock.now().astimezone(self.tz).date()

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Answer one incoming message or choice."""
        if msg.choice is not None:
            return await self._choice(msg)
        text = msg.text.strip()
        if len(text) > MAX_MESSAGE_CHARS:
            return [Reply(text=MSG_TOO_LONG.format(n=f"{len(text):,}".replace(",", "."),
                                                   limit=f"{MAX_MESSAGE_CHARS:,}".replace(",", ".")))]
        command = split_command(text)
        if command is not None:
            name, args = command
            handler = self.commands.get(name)
            if handler is None:
                return [Reply(text=MSG_UNKNOWN_COMMAND.format(cmd="/" + name[:30]))]
            return await handler(msg, args)
        if self.pending is not None:
            # One look-up per message, whatever use case asked: taking it also forgets it.
            waiting = await self.pending.take(msg.platform, msg.user_id, self.clock.now())
            if waiting is not None:
                kind, _, data = waiting.partition(":")
                handler = self.awaiting.get(kind)
                if handler is not None:
                    return await handler(msg, data)
        for claim in self.text_handlers:
            replies = await claim(msg)
            if replies is not None:
                return replies
        return await self._ask(msg, text)

    async def _choice(self, msg: Incoming) -> list[Reply]:
        data = msg.choice or ""
        reply = open_choice(self.engine.handbook, data)
        if reply is not None:
            return [reply]
        for handler in self.choice_handlers:
            replies = await handler(msg)
            if replies is not None:
                return replies
        return [Reply(text=MSG_STALE_CHOICE)]

    async def _start(self, msg: Incoming, args: str) -> list[Reply]:
        choices = (Choice("Tiêu chí, chỉ tiêu", MENU_PREFIX + "tieuchi"),
                   Choice("Kế hoạch của tỉnh", MENU_PREFIX + "kehoach"))
        return [Reply(text=MSG_WELCOME + "\n\n" + MSG_HELP, choices=choices)]

    async def _help(self, msg: Incoming, args: str) -> list[Reply]:
        return [Reply(text=MSG_HELP)]

    def _menu(self, menu_id: str) -> CommandHandler:
        async def show(msg: Incoming, args: str) -> list[Reply]:
            return [menu_reply(self.engine.handbook, menu_id)]
        return show

    async def _ask_command(self, msg: Incoming, args: str) -> list[Reply]:
        if not args:
            return [Reply(text=MSG_ASK_WHAT)]
        return await self._ask(msg, args)

    async def _ask(self, msg: Incoming, question: str) -> list[Reply]:
        result = answer(self.engine, question, self.library, self.today())
        if self.questions is not None:
            await self.questions.record(
                platform=msg.platform, user_id=msg.user_id, question=question[:MAX_MESSAGE_CHARS],
                found=result.found, entry_id=result.entry_id, score=result.score, at=self.clock.now(),
            )
        return [result.reply]
