"""A running bot for the reminder tests, and a timeline that moves the fake clock and records arrivals.

The bot is wired exactly as tests/e2e/conftest.running_telegram_bot wires it (real PTB client over
HTTP against the fake Bot API, a real SQLite file); only the knowledge is loaded once per test session,
because building the answer engine dominates the start-up time of every test.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_bot
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.services import open_stores
from bot.telegram import TelegramAdapter
from bot.wiring import load_all
from handlers.flood import FloodGuard
from knowledge.deadlines import ReminderPolicy
from knowledge.engine import Engine
from knowledge.loader import Knowledge
from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxRow
from tests.e2e.conftest import TOKEN, FakeClock, TelegramBot, settings_for
from tests.fakes.telegram_api import FakeTelegramAPI

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

# Telegram users (and their private chats) of the reminder tests.
ALICE = 2001  # member of Sở Tư pháp (stp)
BOB = 2002  # administrator (Sở Tư pháp)
CAROL = 2003  # member of the commune-level people's committees (ubnd-cap-xa)
DAVE = 2004  # not registered


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """Return a moment given in Asia/Ho_Chi_Minh time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL)


@functools.cache
def loaded() -> tuple[Knowledge, Engine, ReminderPolicy]:
    """Load handbook, plan, synonyms and policy once: every test reads the same default files."""
    return load_all(settings_for("sqlite+aiosqlite:///unused.db"))


def buttons(record: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (label, callback data) of every inline button of a sent-message record."""
    markup = record.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class ReminderBot:
    """The running bot plus what the reminder tests inspect: the settings and the outbox table."""

    tg: TelegramBot
    settings: Settings
    policy: ReminderPolicy
    inspect: async_sessionmaker[AsyncSession]

    @property
    def api(self) -> FakeTelegramAPI:
        return self.tg.api

    @property
    def clock(self) -> FakeClock:
        return self.tg.clock

    async def register(self, user_id: int, agency_id: str, role: str = "member", name: str = "") -> None:
        """Register a Telegram user with an invite code, as an official would."""
        code = await self.tg.invite(agency_id, role)
        [reply] = await self.say(user_id, f"/dangky {code}", first_name=name or f"User {user_id}")
        assert "Đăng ký thành công" in reply["plain_text"], reply["plain_text"]

    async def say(self, user_id: int, text: str, count: int = 1, **kw: Any) -> list[dict[str, Any]]:
        """Send a text as a user and return what the bot sent back (documents included)."""
        return await self._act(user_id, self.api.message_update(user_id, text, **kw), count)

    async def press(self, user_id: int, data: str, message_id: int) -> list[dict[str, Any]]:
        """Press a button under a message in the user's chat and return what the bot sent back."""
        return await self._act(user_id, self.api.callback_update(user_id, data, message_id), 1)

    async def _act(self, user_id: int, update: dict[str, Any], count: int) -> list[dict[str, Any]]:
        # A second passes first, so the flood guard (on the fake clock) never trips.
        self.clock.advance(seconds=1)
        records = self.api.sent_messages(user_id)
        texts = sum(r["method"] == "sendMessage" for r in records)
        self.api.push_update(update)
        # Wait for text messages only: a document (the report) is sent before its text.
        await self.api.wait_for("sendMessage", count=texts + count, chat_id=user_id)
        return self.api.sent_messages(user_id)[len(records):]

    async def outbox_rows(self) -> list[OutboxRow]:
        async with self.inspect() as session:
            return list(await session.scalars(select(OutboxRow).order_by(OutboxRow.id)))

    async def due_soon(self, within: dt.timedelta) -> bool:
        """Tell whether a pending row falls due within `within` (a per-chat pause, a short retry)."""
        horizon = self.clock.now() + within
        return any(r.status == "pending" and r.not_before <= horizon for r in await self.outbox_rows())


@asynccontextmanager
async def reminder_bot(db_path: Path, clock: FakeClock) -> AsyncIterator[ReminderBot]:
    """Start the fake Bot API, open the database, wire the bot and poll until the block ends."""
    url = f"sqlite+aiosqlite:///{db_path}"
    settings = settings_for(url)
    knowledge, engine, policy = loaded()
    async with FakeTelegramAPI(token=TOKEN) as api, open_stores(settings, knowledge.plans) as stores:
        bot = build_bot(settings, knowledge, engine, policy, stores, clock)
        await bot.reminders.plan_occurrences()
        adapter = TelegramAdapter(
            bot.conversation, stores.inbox, stores.members, FloodGuard(clock, limit=5, window=3.0), clock
        )
        application = adapter.build(TOKEN, f"http://127.0.0.1:{api.port}")
        inspect_engine = make_engine(url)
        try:
            async with adapter.running(application) as messenger:
                await adapter.connected.wait()
                dispatcher = Dispatcher(stores.outbox, {"telegram": messenger}, bot.reminders,
                                        policy.calendar(), clock, global_rate=1000, per_chat_rate=1000)
                tg = TelegramBot(api, stores, knowledge, application, adapter, bot.reminders, dispatcher,
                                 clock)
                yield ReminderBot(tg, settings, policy, make_sessionmaker(inspect_engine))
        finally:
            await inspect_engine.dispose()


@dataclass(frozen=True)
class Arrival:
    """A message the outbox delivered, with the local time of the fake clock when it arrived."""

    at: dt.datetime
    chat_id: int
    record: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.record["plain_text"])

    @property
    def stamp(self) -> str:
        return self.at.strftime("%d/%m/%Y %H:%M")


class Timeline:
    """Move the fake clock to chosen instants; at each, queue due reminders and run the outbox dry."""

    def __init__(self, bot: ReminderBot):
        self.bot = bot
        self.arrivals: list[Arrival] = []
        self._seen = 0

    async def at(self, moment: dt.datetime, *, replan: bool = False) -> list[Arrival]:
        """Set the clock, (re)plan when asked, tick the reminders, drain the outbox; return the arrivals."""
        self.bot.clock.set(moment)
        if replan:
            await self.bot.tg.reminders.plan_occurrences()
        await self.bot.tg.reminders.tick()
        return await self.drain()

    async def drain(self, max_pauses: int = 60) -> list[Arrival]:
        """Run the dispatcher until it claims nothing; a per-chat pause moves the clock on by a second."""
        self._seen = len(self.bot.api.sent_messages())  # interactive replies were awaited already
        start = len(self.arrivals)
        stats = self.bot.tg.dispatcher.stats
        for _ in range(max_pauses):
            deferred = stats.deferred
            while await self.bot.tg.dispatcher.run_once():
                self._collect()
            self._collect()
            # Only a deferral (a per-chat pause) can leave a row due within the next moment; a 429's
            # retry_after is left to the test, which moves the clock past it on purpose.
            if stats.deferred == deferred or not await self.bot.due_soon(dt.timedelta(seconds=0.5)):
                break
            self.bot.clock.advance(seconds=1)
        else:
            raise AssertionError("the outbox kept deferring rows due within a second")
        return self.arrivals[start:]

    def _collect(self) -> None:
        sent = self.bot.api.sent_messages()
        at = self.bot.clock.now().astimezone(LOCAL)
        self.arrivals += [Arrival(at, int(r["chat_id"]), r) for r in sent[self._seen:]]
        self._seen = len(sent)

    def to(self, chat_id: int) -> list[Arrival]:
        return [a for a in self.arrivals if a.chat_id == chat_id]
