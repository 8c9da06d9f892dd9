"""Serve the bot on the configured platforms (console chat when no token is set)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal

from bot.clock import SystemClock
from bot.config import Settings
from bot.console import run_console
from bot.services import Stores, open_stores
from bot.telegram import TelegramAdapter
from handlers.conversation import Conversation
from handlers.flood import FloodGuard
from handlers.membership import Membership
from handlers.ports import Clock
from handlers.tasks import AgencyTasks
from knowledge.engine import Engine
from knowledge.loader import Knowledge

log = logging.getLogger(__name__)


def build_conversation(settings: Settings, knowledge: Knowledge, engine: Engine, stores: Stores,
                       clock: Clock) -> Conversation:
    """Wire every use case into one conversation, shared by all platforms."""
    conversation = Conversation(engine, clock, stores.questions)
    membership = Membership(knowledge.plan, stores.members, stores.invites, stores.questions, clock,
                            settings.tz, dt.timedelta(hours=settings.invite_ttl_hours))
    membership.setup(conversation)
    AgencyTasks(knowledge.plan, membership).setup(conversation)
    return conversation


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve(settings: Settings, knowledge: Knowledge, engine: Engine) -> None:
    """Run until stopped: Telegram when a token is configured, else the console chat."""
    clock = SystemClock()
    async with open_stores(settings, knowledge.plan) as stores:
        conversation = build_conversation(settings, knowledge, engine, stores, clock)
        if settings.telegram_token is None:
            await run_console(conversation)
            return
        await serve_telegram(settings, conversation, stores, clock)


async def serve_telegram(settings: Settings, conversation: Conversation, stores: Stores,
                         clock: Clock) -> None:
    """Poll Telegram (or listen for webhook calls) until SIGINT or SIGTERM."""
    assert settings.telegram_token is not None
    flood = FloodGuard(clock, settings.flood_messages, settings.flood_window_seconds)
    adapter = TelegramAdapter(conversation, stores.updates, stores.members, flood, clock)
    application = adapter.build(settings.telegram_token.get_secret_value(), settings.telegram_api_url)
    async with application:
        await application.start()
        assert application.updater is not None
        if settings.webhook_url:
            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            path = settings.webhook_url.rstrip("/").rsplit("/", 1)[-1]
            await application.updater.start_webhook(
                listen=settings.webhook_listen, port=settings.webhook_port, url_path=path,
                webhook_url=settings.webhook_url, secret_token=secret,
            )
            log.info("Telegram webhook listening on port %s", settings.webhook_port)
        else:
            await application.updater.start_polling(drop_pending_updates=False)
            log.info("Telegram polling started")
        try:
            await _until_stopped()
        finally:
            await application.updater.stop()
            await application.stop()
