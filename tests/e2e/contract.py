"""One conversation, three platforms: a driver per platform that talks to the bot as a user would.

Every driver speaks the same small interface, so one test suite runs unchanged on each platform:

- ``await say(user, text)`` sends a message and returns the plain texts of the bot's replies to it;
- ``choices(user)`` reads the choices of the last message the bot sent to that user;
- ``await choose(user, n)`` picks the n-th of them the platform's way — a button press on Telegram,
  the number typed on the console and on Zalo — and returns the replies.

The console driver runs the real ``bot.console.run_console`` on real text streams (a pipe for stdin,
a recording text stream for stdout); the Telegram driver drives the real PTB application against
FakeTelegramAPI, and the Zalo driver the real ZaloAdapter against FakeZaloAPI, both over loopback
HTTP. ``running_harness`` wires any set of platforms to one bot over one SQLite file, with the
outbox dispatcher that sends reminders through each platform's messenger.

Waiting is exact, never a sleep: the console writes and flushes once per line it reads, and the
Telegram and Zalo adapters are subclassed only to say when they have finished with an update.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from telegram import Update
from telegram.ext import ContextTypes

from bot.app import Bot, build_bot
from bot.config import Settings
from bot.console import run_console
from bot.delivery import Messenger
from bot.dispatcher import Dispatcher
from bot.services import Stores, open_stores
from bot.telegram import TelegramAdapter
from bot.zalo import ZaloAdapter, ZaloClient
from bot.zalo_errors import AdminAlarm
from handlers.conversation import Conversation
from handlers.flood import FloodGuard
from knowledge.deadlines import ReminderPolicy
from knowledge.engine import Engine
from knowledge.loader import Knowledge
from storage.records import OccurrenceRecord
from tests.e2e.conftest import FakeClock
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.zalo_api import FakeZaloAPI
from tests.plans import in_force_plan

PLATFORMS = ("console", "telegram", "zalo")
TELEGRAM_TOKEN = "424242:CONTRACT-telegram-token"
ZALO_TOKEN = "1618033988:contract-zalo-token"
CHOICE_HINT = "(Gõ số để chọn.)"
WAIT = 10.0  # seconds: generous, since a pass never waits for it
# The FakeClock stands still while a test talks, so the production flood limit (5 messages in
# 3 s) would see every conversation as a flood; flooding has its own tests.
FLOOD_LIMIT = 10_000

Loaded = tuple[Knowledge, Engine, ReminderPolicy]
_NUMBERED = re.compile(r"^(\d+)\. (.*)$")


class Driver(Protocol):
    """A user's side of one platform."""

    platform: str
    messenger: Messenger | None  # what the outbox sends through; None where it cannot deliver
    sends_files: bool

    def chat_id(self, user: str) -> str:
        """Return the id the bot knows this user's private chat (and the user) by."""
        ...

    async def say(self, user: str, text: str) -> list[str]:
        """Send a text as the user; return the plain texts of the bot's replies to it."""
        ...

    async def choose(self, user: str, n: int) -> list[str]:
        """Pick the n-th choice (from 1) of the last message to the user; return the replies."""
        ...

    def choices(self, user: str) -> list[str]:
        """Return the labels of the choices the last message to the user offers."""
        ...

    def received(self, user: str) -> list[str]:
        """Return every text the bot sent to the user, oldest first (reminders included)."""
        ...

    def documents(self, user: str) -> list[tuple[str, bytes]]:
        """Return the files (name, content) the bot sent to the user."""
        ...


# -- helpers shared by the drivers and the tests ---------------------------------------------------


def numbered_choices(text: str) -> list[str]:
    """Return the labels of the numbered lines that end a plain-text reply (console, Zalo)."""
    lines = text.rstrip().splitlines()
    if not lines or lines[-1].strip() != CHOICE_HINT:
        return []
    numbered: list[tuple[int, str]] = []
    for line in reversed(lines[:-1]):  # the block of numbered lines just above the hint
        match = _NUMBERED.match(line)
        if match is None:
            break
        numbered.append((int(match.group(1)), match.group(2)))
        if match.group(1) == "1":
            break
    numbered.reverse()
    assert [n for n, _ in numbered] == list(range(1, len(numbered) + 1)), f"badly numbered: {text!r}"
    return [label for _, label in numbered]


def title(text: str) -> str:
    """Return the first line of a reply without the plain-text title mark."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first.removeprefix("» ")


def shows(reply: list[str], label: str) -> bool:
    """Say whether a reply opens what a choice labelled `label` points to (Telegram shortens labels)."""
    return bool(reply) and title(reply[0]).startswith(label.removesuffix("…"))


def position(labels: list[str], wanted: str) -> int:
    """Return the number (from 1) of the first choice whose label contains `wanted`."""
    for n, label in enumerate(labels, start=1):
        if wanted in label:
            return n
    raise AssertionError(f"no choice contains {wanted!r}: {labels}")


class _Changes:
    """Let a test wait for a condition that some callback makes true."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def until(self, condition: Callable[[], bool], what: str,
                    broken: Callable[[], BaseException | None] = lambda: None) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while not condition():
            problem = broken()
            if problem is not None:
                raise AssertionError(f"stopped while waiting for {what}") from problem
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"waited {WAIT:.0f} s for {what}")
            event = self._event
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, 0.5)):
                    await event.wait()


# -- console ---------------------------------------------------------------------------------------


class _Transcript(io.StringIO):
    """The stdout of one console session: run_console writes each reply once and flushes once a turn."""

    def __init__(self, changes: _Changes):
        super().__init__()
        self.replies: list[str] = []
        self.turns = 0
        self._changes = changes

    def write(self, s: str) -> int:
        self.replies.append(s.rstrip("\n"))
        return super().write(s)

    def flush(self) -> None:
        super().flush()
        self.turns += 1
        self._changes.notify()


@dataclass
class _ConsoleSession:
    typing: TextIO  # the test's end of the pipe
    stdin: TextIO  # the console's end
    transcript: _Transcript
    task: asyncio.Task[None]


class ConsoleDriver:
    """Each user is a console session: run_console reading a pipe, writing to a transcript."""

    platform = "console"
    messenger: Messenger | None = None
    sends_files = False

    def __init__(self, conversation: Conversation):
        self.conversation = conversation
        self.changes = _Changes()
        self._sessions: dict[str, _ConsoleSession] = {}

    def chat_id(self, user: str) -> str:
        return user

    async def _session(self, user: str) -> _ConsoleSession:
        session = self._sessions.get(user)
        if session is None:
            read_fd, write_fd = os.pipe()
            stdin = os.fdopen(read_fd, "r", encoding="utf-8")
            transcript = _Transcript(self.changes)
            task = asyncio.create_task(run_console(self.conversation, stdin, transcript, user_id=user))
            session = self._sessions[user] = _ConsoleSession(
                os.fdopen(write_fd, "w", encoding="utf-8"), stdin, transcript, task)
            await self._turn(session, 0, "the console greeting")
        return session

    async def _turn(self, session: _ConsoleSession, before: int, what: str) -> None:
        def broken() -> BaseException | None:
            if not session.task.done():
                return None
            return session.task.exception() or RuntimeError("the console session ended")

        await self.changes.until(lambda: session.transcript.turns > before, what, broken)

    async def say(self, user: str, text: str) -> list[str]:
        assert "\n" not in text, "the console reads one line at a time"
        session = await self._session(user)
        turns, seen = session.transcript.turns, len(session.transcript.replies)
        session.typing.write(text + "\n")
        session.typing.flush()
        await self._turn(session, turns, f"the console's answer to {text!r}")
        return session.transcript.replies[seen:]

    async def choose(self, user: str, n: int) -> list[str]:
        labels = self.choices(user)
        assert 1 <= n <= len(labels), f"no choice {n} in {labels}"
        return await self.say(user, str(n))

    def choices(self, user: str) -> list[str]:
        replies = self.received(user)
        return numbered_choices(replies[-1]) if replies else []

    def received(self, user: str) -> list[str]:
        session = self._sessions.get(user)
        return list(session.transcript.replies) if session else []

    def documents(self, user: str) -> list[tuple[str, bytes]]:
        return []

    async def aclose(self) -> None:
        """End every session the way a user does: end of input."""
        for session in self._sessions.values():
            session.typing.close()
        for session in self._sessions.values():
            try:
                await asyncio.wait_for(session.task, WAIT)
            finally:
                session.stdin.close()
                session.transcript.close()


@contextlib.asynccontextmanager
async def console_driver(bot: Bot, stores: Stores, clock: FakeClock) -> AsyncIterator[ConsoleDriver]:
    driver = ConsoleDriver(bot.conversation)
    try:
        yield driver
    finally:
        await driver.aclose()


# -- Telegram --------------------------------------------------------------------------------------


class _ObservedTelegramAdapter(TelegramAdapter):
    """The real Telegram adapter, which also says when it has finished with an update."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.finished: set[int] = set()
        self.changes = _Changes()

    def _done(self, update: Update) -> None:
        self.finished.add(update.update_id)
        self.changes.notify()

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await super().on_text(update, context)
        finally:
            self._done(update)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await super().on_callback(update, context)
        finally:
            self._done(update)


def _buttons(record: dict[str, Any]) -> list[tuple[str, str]]:
    markup = record.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


class TelegramDriver:
    """Users of the real PTB application, played through FakeTelegramAPI."""

    platform = "telegram"
    sends_files = True

    def __init__(self, api: FakeTelegramAPI, adapter: _ObservedTelegramAdapter, messenger: Messenger):
        self.api = api
        self.adapter = adapter
        self.messenger: Messenger | None = messenger
        self._ids: dict[str, int] = {}

    def _id(self, user: str) -> int:
        return self._ids.setdefault(user, 1001 + len(self._ids))

    def chat_id(self, user: str) -> str:
        return str(self._id(user))

    def _messages(self, user: str) -> list[dict[str, Any]]:
        return [r for r in self.api.sent_messages(self._id(user)) if r["method"] == "sendMessage"]

    async def _exchange(self, user: str, update: dict[str, Any], what: str) -> list[str]:
        seen = len(self._messages(user))
        update_id = self.api.push_update(update)["update_id"]
        await self.adapter.changes.until(lambda: update_id in self.adapter.finished, what)
        return [r["plain_text"] for r in self._messages(user)[seen:]]

    async def say(self, user: str, text: str) -> list[str]:
        update = self.api.message_update(self._id(user), text, first_name=user)
        return await self._exchange(user, update, f"Telegram's answer to {text!r}")

    async def choose(self, user: str, n: int) -> list[str]:
        messages = self._messages(user)
        assert messages, f"nothing was sent to {user}"
        buttons = _buttons(messages[-1])
        assert 1 <= n <= len(buttons), f"no button {n} in {buttons}"
        label, data = buttons[n - 1]
        update = self.api.callback_update(self._id(user), data, messages[-1]["message_id"], first_name=user)
        return await self._exchange(user, update, f"Telegram's answer to the button {label!r}")

    def choices(self, user: str) -> list[str]:
        messages = self._messages(user)
        return [label for label, _ in _buttons(messages[-1])] if messages else []

    def received(self, user: str) -> list[str]:
        return [r["plain_text"] for r in self._messages(user)]

    def documents(self, user: str) -> list[tuple[str, bytes]]:
        return [(r["filename"], r["content"]) for r in self.api.sent_messages(self._id(user))
                if r["method"] == "sendDocument"]


@contextlib.asynccontextmanager
async def telegram_driver(bot: Bot, stores: Stores, clock: FakeClock) -> AsyncIterator[TelegramDriver]:
    async with FakeTelegramAPI(token=TELEGRAM_TOKEN) as api:
        adapter = _ObservedTelegramAdapter(bot.conversation, stores.inbox, stores.members,
                                           FloodGuard(clock, limit=FLOOD_LIMIT), clock)
        application = adapter.build(TELEGRAM_TOKEN, f"http://127.0.0.1:{api.port}")
        async with adapter.running(application) as messenger:
            await adapter.connected.wait()
            yield TelegramDriver(api, adapter, messenger)


# -- Zalo ------------------------------------------------------------------------------------------


class _ObservedZaloAdapter(ZaloAdapter):
    """The real Zalo adapter, which also says when it has finished with an update."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.finished: set[str] = set()
        self.changes = _Changes()

    async def handle_update(self, update: dict[str, Any]) -> None:
        try:
            await super().handle_update(update)
        finally:
            self.finished.add(str((update.get("message") or {}).get("message_id")))
            self.changes.notify()


class ZaloDriver:
    """Users of the real ZaloAdapter, played through FakeZaloAPI; choices are answered by number."""

    platform = "zalo"
    sends_files = False

    def __init__(self, api: FakeZaloAPI, adapter: _ObservedZaloAdapter, messenger: Messenger):
        self.api = api
        self.adapter = adapter
        self.messenger: Messenger | None = messenger

    def chat_id(self, user: str) -> str:
        return hashlib.sha256(user.encode("utf-8")).hexdigest()[:16]

    async def say(self, user: str, text: str) -> list[str]:
        chat = self.chat_id(user)
        seen = len(self.api.texts(chat))
        update = self.api.push_text(chat, text, display_name=user)
        message_id = str(update["message"]["message_id"])
        await self.adapter.changes.until(lambda: message_id in self.adapter.finished,
                                         f"Zalo's answer to {text!r}")
        return self.api.texts(chat)[seen:]

    async def choose(self, user: str, n: int) -> list[str]:
        labels = self.choices(user)
        assert 1 <= n <= len(labels), f"no choice {n} in {labels}"
        return await self.say(user, str(n))

    def choices(self, user: str) -> list[str]:
        texts = self.received(user)
        return numbered_choices(texts[-1]) if texts else []

    def received(self, user: str) -> list[str]:
        return self.api.texts(self.chat_id(user))

    def documents(self, user: str) -> list[tuple[str, bytes]]:
        return []


@contextlib.asynccontextmanager
async def zalo_driver(bot: Bot, stores: Stores, clock: FakeClock) -> AsyncIterator[ZaloDriver]:
    # The client shares the harness's clock: Zalo's pauses (429, 401) end when the test moves it.
    alarm = AdminAlarm(stores.members, stores.outbox, clock)
    async with (FakeZaloAPI(token=ZALO_TOKEN) as api,
                ZaloClient(ZALO_TOKEN, api.base_url, clock=clock, alarm=alarm) as client):
        adapter = _ObservedZaloAdapter(bot.conversation, stores.inbox,
                                       FloodGuard(clock, limit=FLOOD_LIMIT), clock, client, stores.choices,
                                       outbox=stores.outbox,
                                       poll_timeout=1, backoff=(0.05, 0.2))
        async with adapter.running() as messenger:
            yield ZaloDriver(api, adapter, messenger)


STARTERS: dict[str, Callable[[Bot, Stores, FakeClock], contextlib.AbstractAsyncContextManager[Any]]] = {
    "console": console_driver,
    "telegram": telegram_driver,
    "zalo": zalo_driver,
}


# -- the running bot -------------------------------------------------------------------------------


@dataclass
class Harness:
    """One bot (one SQLite file) served on some platforms, with its outbox dispatcher."""

    knowledge: Knowledge
    stores: Stores
    bot: Bot
    clock: FakeClock
    dispatcher: Dispatcher
    drivers: dict[str, Driver] = field(default_factory=dict)

    @property
    def driver(self) -> Driver:
        """Return the driver of a single-platform harness."""
        [only] = self.drivers.values()
        return only

    async def invite(self, agency_id: str, role: str = "member") -> str:
        """Create a one-time invite code, as an administrator or the CLI would."""
        invite = await self.stores.invites.create(agency_id, role, "test", self.clock.now(),
                                                  dt.timedelta(hours=1))
        return invite.code

    async def first_reminder_of(self, agency_id: str) -> OccurrenceRecord:
        """Move the clock to the first reminder moment of the agency's earliest deadline; return it."""
        planned = [o for o in await self.stores.occurrences.for_agency(agency_id) if o.next_step_at]
        assert planned, f"no deadline of {agency_id} is planned"
        occurrence = min(planned, key=lambda o: (o.next_step_at, o.id))
        assert occurrence.next_step_at is not None
        self.clock.set(occurrence.next_step_at)
        return occurrence

    async def tick(self) -> int:
        """Queue the reminders due now; return how many messages were queued."""
        return await self.bot.reminders.tick()

    async def dispatch(self) -> int:
        """Send the outbox through each platform's messenger until nothing more is due."""
        claimed = 0
        for _ in range(20):
            batch = await self.dispatcher.run_once()
            if not batch:
                break
            claimed += batch
            # A second row to one chat is put off by the per-chat gap; the frozen clock must move
            # for it to come due.
            self.clock.advance(seconds=2)
        return claimed


@contextlib.asynccontextmanager
async def running_harness(database: Path | str, clock: FakeClock, loaded: Loaded,
                          platforms: Iterable[str], data_dir: Path | None = None) -> AsyncIterator[Harness]:
    """Open a SQLite file (or a database URL), wire the bot, plan the deadlines and serve the platforms.

    The instance's data folder (the Department's files) is `data_dir`, by default the database's folder.
    """
    knowledge, engine, policy = loaded
    url = database if isinstance(database, str) else f"sqlite+aiosqlite:///{database}"
    folder = data_dir or (Path(database).parent if not isinstance(database, str) else None)
    settings = Settings(database_url=url, plan_path=str(in_force_plan()), _env_file=None,
                        **({"data_dir": folder} if folder else {}))
    async with open_stores(settings, knowledge.plans) as stores, contextlib.AsyncExitStack() as stack:
        bot = build_bot(settings, knowledge, engine, policy, stores, clock)
        await bot.reminders.plan_occurrences()
        drivers: dict[str, Driver] = {}
        for platform in platforms:
            drivers[platform] = await stack.enter_async_context(STARTERS[platform](bot, stores, clock))
        messengers = {p: d.messenger for p, d in drivers.items() if d.messenger is not None}
        dispatcher = Dispatcher(stores.outbox, messengers, bot.reminders, policy.calendar(), clock,
                                global_rate=1000, per_chat_rate=1000)
        yield Harness(knowledge, stores, bot, clock, dispatcher, drivers)
