"""The conversation: route a user's message or choice to the use case that answers it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import IntEnum
from zoneinfo import ZoneInfo

from handlers.answers import answer
from handlers.browse import MENU_PREFIX, MSG_STALE_CHOICE, PLAN_PREFIX, menu_reply, open_choice
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
# Zalo's terms ask a bot to say it is automated and not to stand for a competent expert's decision.
MSG_ABOUT = (
    "Đây là trợ lý tự động của Sở Tư pháp, không phải cán bộ trả lời trực tiếp. Câu trả lời chỉ để "
    "tham khảo và có dẫn văn bản chính thức; không phải quyết định của cơ quan có thẩm quyền."
)
MSG_HELP_TITLE = "Các lệnh bạn dùng được"
MSG_HELP_FREE_TEXT = "Bạn cũng có thể gõ thẳng câu hỏi, có dấu hay không dấu đều được."
MSG_HELP_REGISTER = (
    "Cán bộ của cơ quan được giao nhiệm vụ: đăng ký bằng mã mời (/dangky) để dùng thêm các lệnh "
    "về nhiệm vụ và tiến độ."
)
MSG_UNKNOWN_COMMAND = "Tôi không hiểu lệnh «{cmd}». Gõ /help để xem các lệnh."
MSG_TOO_LONG = (
    "Tin nhắn dài {n} ký tự, quá dài để xử lý. Bạn hãy gửi một câu hỏi ngắn gọn "
    "(dưới {limit} ký tự)."
)
MSG_FAILED = (
    "Xin lỗi, tôi gặp lỗi khi xử lý tin nhắn này. Bạn hãy thử lại sau ít phút; nếu vẫn lỗi, "
    "xin báo quản trị viên của Sở Tư pháp."
)
MSG_ASK_WHAT = "Bạn hãy gõ câu hỏi sau lệnh, ví dụ: /hoi điều kiện công nhận đạt chuẩn là gì"

CommandHandler = Callable[[Incoming, str], Awaitable[list[Reply]]]
# Handles the text a user types after the bot asked for it; gets the data stored with the question.
AwaitedText = Callable[[Incoming, str], Awaitable[list[Reply]]]
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

log = logging.getLogger(__name__)


class Audience(IntEnum):
    """Who may use a command; each level may also use every command of the levels below it."""

    ANYONE = 0
    MEMBER = 1  # an official registered for an agency
    AGENCY_ADMIN = 2  # an administrator of an agency: its own people (the Department's admins too)
    ADMIN = 3  # an administrator of the Department of Justice


AUDIENCE_HEADING = {
    Audience.ANYONE: "Mọi người",
    Audience.MEMBER: "Cán bộ đã đăng ký",
    Audience.AGENCY_ADMIN: "Quản trị viên của cơ quan",
    Audience.ADMIN: "Quản trị viên của Sở Tư pháp",
}


@dataclass(frozen=True)
class Command:
    """A chat command and what /help says of it: who may use it, what it does, one example."""

    name: str
    run: CommandHandler
    audience: Audience
    summary: str  # what it does, in a few Vietnamese words
    usage: str = ""  # its arguments, e.g. "<mã nhiệm vụ> <dd/mm/yyyy>"
    example: str = ""  # one full example when it takes arguments, e.g. "/hanchot ii-6 15/03/2027"
    listed: bool = True  # /start is not listed: /help is the same list

    def help_line(self) -> str:
        head = f"/{self.name} {self.usage}".rstrip()
        line = f"• {head} — {self.summary}"
        return f"{line}\n  Ví dụ: {self.example}" if self.example else line


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
        self.library = library or Library()  # no loaded texts: the handbook alone answers
        self.clock = clock
        self.questions = questions
        self.pending = pending
        self.tz = tz
        # One registry of commands: each use case registers its own with what /help says of it.
        self.commands: dict[str, Command] = {}
        # Who the sender is, for /help; the membership use case answers it once it is set up.
        self.audience_of: Callable[[Incoming], Awaitable[Audience]] = _anyone
        for command in (
            Command("start", self._start, Audience.ANYONE, "lời chào và các lệnh", listed=False),
            Command("help", self._help, Audience.ANYONE, "xem các lệnh bạn dùng được"),
            Command("hoi", self._ask_command, Audience.ANYONE, "hỏi đáp về chuẩn tiếp cận pháp luật",
                    "<câu hỏi>", "/hoi điều kiện công nhận xã đạt chuẩn là gì"),
            Command("tieuchi", self._menu("tieuchi"), Audience.ANYONE, "xem tiêu chí, chỉ tiêu"),
            # /kehoach is the plan browser's (handlers/browse.py): it reads the loaded plans.
        ):
            self.register(command)
        # What the bot keeps and for how long, said by /start and /help (the privacy use case sets it).
        self.stored_notice: str | None = None
        # Notes the greeting (/start) adds, each when it has something to say (no plan in force).
        self.greeting_notes: list[Callable[[], str | None]] = []
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

    def register(self, command: Command) -> None:
        """Add a command; two use cases claiming one name is a wiring mistake."""
        if command.name in self.commands:
            raise ValueError(f"command /{command.name} is registered twice")
        self.commands[command.name] = command

    def help_text(self, audience: Audience) -> str:
        """List the commands a sender of this audience may use, grouped by who may use them."""
        blocks = []
        for level in Audience:
            if level > audience:
                break
            lines = [c.help_line() for c in self.commands.values() if c.audience == level and c.listed]
            if lines:
                blocks.append(f"{AUDIENCE_HEADING[level]}:\n" + "\n".join(lines))
        blocks.append(MSG_HELP_FREE_TEXT if audience > Audience.ANYONE
                      else MSG_HELP_FREE_TEXT + "\n" + MSG_HELP_REGISTER)
        return "\n\n".join(blocks)

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Answer one incoming message or choice; every input gets a reply, a failure an apology."""
        try:
            return await self._handle(msg)
        except Exception:
            # A bug or an unavailable database must not leave the official without an answer.
            log.exception("error while answering a %s message from user %s", msg.platform, msg.user_id)
            return [Reply(text=MSG_FAILED)]

    async def _handle(self, msg: Incoming) -> list[Reply]:
        if msg.choice is not None:
            return await self._choice(msg)
        text = msg.text.strip()
        if len(text) > MAX_MESSAGE_CHARS:
            return [Reply(text=MSG_TOO_LONG.format(n=f"{len(text):,}".replace(",", "."),
                                                   limit=f"{MAX_MESSAGE_CHARS:,}".replace(",", ".")))]
        command = split_command(text)
        if command is not None:
            name, args = command
            registered = self.commands.get(name)
            if registered is None:
                return [Reply(text=MSG_UNKNOWN_COMMAND.format(cmd="/" + name[:30]))]
            return await registered.run(msg, args)
        if self.pending is not None:
            # One look-up per message, whatever use case asked: taking it also forgets it.
            waiting = await self.pending.take(msg.platform, msg.user_id, self.clock.now(), key=msg.key)
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
                   Choice("Kế hoạch", PLAN_PREFIX))
        help_text = self.help_text(await self.audience_of(msg))
        notes = [n for n in (note() for note in self.greeting_notes) if n]
        return [Reply(text="\n\n".join([MSG_WELCOME, self.about(), *notes, help_text]), choices=choices)]

    async def _help(self, msg: Incoming, args: str) -> list[Reply]:
        return [Reply(text=self.help_text(await self.audience_of(msg)) + "\n\n" + self.about(),
                      title=MSG_HELP_TITLE)]

    def about(self) -> str:
        """Say that the bot is automated, what its answers are worth, and what it keeps."""
        return "\n".join(line for line in (MSG_ABOUT, self.stored_notice) if line)

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


async def _anyone(msg: Incoming) -> Audience:
    return Audience.ANYONE
