"""A running bot (real PTB client, real SQLite file) against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.app import build_bot
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.services import Stores, open_stores
from bot.telegram import TelegramAdapter
from bot.wiring import load_all
from handlers.flood import FloodGuard
from handlers.reminders import Reminders
from knowledge.loader import Knowledge
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.plans import in_force_plan

TOKEN = "123456:TEST-TOKEN-never-logged"


@dataclass
class TelegramBot:
    api: FakeTelegramAPI
    stores: Stores
    knowledge: Knowledge
    application: Application
    adapter: TelegramAdapter
    reminders: Reminders
    dispatcher: Dispatcher
    clock: FakeClock

    async def invite(self, agency_id: str, role: str = "member") -> str:
        inv = await self.stores.invites.create(
            agency_id, role, "test", self.clock.now(), dt.timedelta(hours=1)
        )
        return inv.code

    async def say(self, user_id: int, text: str, **kw) -> list[dict]:
        """Send a text as a user and return the bot's messages to that chat that it caused."""
        before = len(self.api.sent_messages(kw.get("chat_id") or user_id))
        self.api.push_update(self.api.message_update(user_id, text, **kw))
        return await self.replies(kw.get("chat_id") or user_id, before)

    async def press(self, user_id: int, data: str, message_id: int) -> list[dict]:
        before = len(self.api.sent_messages(user_id))
        self.api.push_update(self.api.callback_update(user_id, data, message_id))
        return await self.replies(user_id, before)

    async def replies(self, chat_id: int, before: int, count: int = 1) -> list[dict]:
        await self.api.wait_for("sendMessage", count=before + count, chat_id=chat_id)
        return self.api.sent_messages(chat_id)[before:]


def settings_for(url: str, **extra) -> Settings:
    extra.setdefault("plan_path", str(in_force_plan()))
    return Settings(database_url=url, telegram_token=TOKEN, _env_file=None, **extra)


class FakeClock:
    """A clock the test moves; starts at a fixed working-day morning (Hanoi time)."""

    def __init__(self, start: dt.datetime | None = None):
        self.moment = start or dt.datetime(2026, 11, 2, 1, 30, tzinfo=dt.UTC)  # Mon 02/11 08:30 +07

    def now(self) -> dt.datetime:
        return self.moment

    def set(self, moment: dt.datetime) -> None:
        self.moment = moment.astimezone(dt.UTC)

    def advance(self, **kw: float) -> None:
        self.moment += dt.timedelta(**kw)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def telegram_bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[TelegramBot]:
    settings = settings_for(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    async with running_telegram_bot(settings, clock) as bot:
        yield bot


@asynccontextmanager
async def running_telegram_bot(settings: Settings, clock: FakeClock) -> AsyncIterator[TelegramBot]:
    """Start the fake Bot API, open the database, wire the bot and poll until the block ends."""
    knowledge, engine, policy = load_all(settings)
    async with FakeTelegramAPI(token=TOKEN) as api, open_stores(settings, knowledge.plans) as stores:
        bot = build_bot(settings, knowledge, engine, policy, stores, clock)
        await bot.reminders.plan_occurrences()
        adapter = TelegramAdapter(
            bot.conversation, stores.inbox, stores.members, FloodGuard(clock, limit=5, window=3.0), clock
        )
        application = adapter.build(TOKEN, f"http://127.0.0.1:{api.port}")
        async with adapter.running(application) as messenger:
            await adapter.connected.wait()
            dispatcher = Dispatcher(stores.outbox, {"telegram": messenger}, bot.reminders, policy.calendar(),
                                    clock, global_rate=1000, per_chat_rate=1000)
            yield TelegramBot(api, stores, knowledge, application, adapter, bot.reminders, dispatcher, clock)
