"""A running bot (real PTB client, real SQLite file) against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.app import build_conversation
from bot.clock import SystemClock
from bot.config import Settings
from bot.services import Stores, open_stores
from bot.telegram import TelegramAdapter
from bot.wiring import load_checked
from handlers.flood import FloodGuard
from knowledge.loader import Knowledge
from tests.fakes.telegram_api import FakeTelegramAPI, running_application

TOKEN = "123456:TEST-TOKEN-never-logged"


@dataclass
class TelegramBot:
    api: FakeTelegramAPI
    stores: Stores
    knowledge: Knowledge
    application: Application
    adapter: TelegramAdapter

    async def invite(self, agency_id: str, role: str = "member") -> str:
        inv = await self.stores.invites.create(
            agency_id, role, "test", SystemClock().now(), dt.timedelta(hours=1)
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
    return Settings(database_url=url, telegram_token=TOKEN, _env_file=None, **extra)


@pytest.fixture
async def telegram_bot(tmp_path: Path) -> AsyncIterator[TelegramBot]:
    settings = settings_for(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    knowledge, engine = load_checked(settings)
    clock = SystemClock()
    async with FakeTelegramAPI(token=TOKEN) as api, open_stores(settings, knowledge.plan) as stores:
        conversation = build_conversation(settings, knowledge, engine, stores, clock)
        adapter = TelegramAdapter(
            conversation, stores.updates, stores.members, FloodGuard(clock, limit=5, window=3.0), clock
        )
        application = adapter.build(TOKEN, f"http://127.0.0.1:{api.port}")
        async with running_application(application):
            yield TelegramBot(api, stores, knowledge, application, adapter)
