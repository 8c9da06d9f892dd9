"""Serve the bot: every configured platform, the reminder scheduler and the outbox, in one process."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import signal
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.clock import SystemClock
from bot.config import Settings
from bot.console import run_console
from bot.delivery import Messenger
from bot.dispatcher import Dispatcher
from bot.scheduler import Housekeeping, Scheduler
from bot.services import Stores, open_stores
from bot.telegram import TelegramAdapter, TelegramMessenger
from bot.workbook import ExcelWorkbook
from bot.zalo import ZaloAdapter, ZaloClient
from handlers.conversation import Conversation
from handlers.documents import Documents
from handlers.flood import FloodGuard
from handlers.membership import Membership
from handlers.ports import Clock
from handlers.progress import Progress
from handlers.reminders import Reminders
from handlers.reports import Reports, WorkbookWriter
from knowledge.deadlines import ReminderPolicy
from knowledge.documents.library import Library
from knowledge.engine import Engine
from knowledge.loader import Knowledge

log = logging.getLogger(__name__)


@dataclass
class Bot:
    """Everything one instance runs, wired once."""

    conversation: Conversation
    reminders: Reminders
    stores: Stores


def build_bot(settings: Settings, knowledge: Knowledge, engine: Engine, policy: ReminderPolicy,
              stores: Stores, clock: Clock, workbook: WorkbookWriter | None = None,
              library: Library | None = None) -> Bot:
    """Wire every use case into one conversation shared by all platforms, plus the reminders."""
    tz = settings.tz
    conversation = Conversation(engine, clock, stores.questions, stores.pending, library, tz=tz)
    membership = Membership(knowledge.plan, stores.members, stores.invites, stores.questions, clock, tz,
                            dt.timedelta(hours=settings.invite_ttl_hours))
    membership.setup(conversation)
    Documents(conversation).setup()
    reminders = Reminders(knowledge.plan, policy, stores.occurrences, stores.task_dates, stores.members,
                          stores.outbox, clock)
    Progress(knowledge.plan, membership, stores.occurrences, stores.outbox, stores.pending, clock,
             tz).setup(conversation)
    Reports(knowledge.plan, membership, stores.occurrences, stores.task_dates,
            workbook if workbook is not None else ExcelWorkbook(), clock, tz,
            replan=reminders.plan_occurrences).setup(conversation)
    return Bot(conversation, reminders, stores)


def build_conversation(settings: Settings, knowledge: Knowledge, engine: Engine, stores: Stores,
                       clock: Clock, policy: ReminderPolicy | None = None) -> Conversation:
    """Return just the conversation (tests and benchmarks that do not need the scheduler)."""
    from knowledge.deadlines import load_policy

    return build_bot(settings, knowledge, engine, policy or load_policy(settings.reminder_policy_path),
                     stores, clock).conversation


def make_dispatcher(settings: Settings, policy: ReminderPolicy, stores: Stores, reminders: Reminders,
                    messengers: dict[str, Messenger], clock: Clock) -> Dispatcher:
    return Dispatcher(stores.outbox, messengers, reminders, policy.calendar(), clock,
                      global_rate=policy.rates.global_per_second,
                      per_chat_rate=policy.rates.per_chat_per_second,
                      worker=f"{socket.gethostname()}:{id(clock):x}")


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def serve(settings: Settings, knowledge: Knowledge, engine: Engine, policy: ReminderPolicy) -> None:
    """Run until stopped: Telegram and Zalo when configured (console chat when neither), and the scheduler."""
    clock = SystemClock()
    async with open_stores(settings, knowledge.plan) as stores:
        bot = build_bot(settings, knowledge, engine, policy, stores, clock)
        # The handbook index and the loaded libraries live as long as the process. Frozen, they are
        # left out of the garbage collector's full passes, which otherwise walk them all and stall
        # every conversation for ~100 ms each time (measured with `make bench`).
        gc.freeze()
        stop = _stop_on_signals()
        async with contextlib.AsyncExitStack() as stack:
            messengers: dict[str, Messenger] = {}
            if settings.telegram_token is not None:
                messengers["telegram"] = await stack.enter_async_context(
                    serve_telegram(settings, bot.conversation, stores, clock))
            if settings.zalo_token is not None:
                messengers["zalo"] = await stack.enter_async_context(
                    serve_zalo(settings, bot.conversation, stores, clock))
            if not messengers:
                # The console chat: reminders to console users are printed by no one, so no scheduler.
                await run_console(bot.conversation)
                return
            scheduler = Scheduler(bot.reminders,
                                  make_dispatcher(settings, policy, stores, bot.reminders, messengers, clock),
                                  Housekeeping(stores.questions, stores.updates, clock), clock)
            await scheduler.run(stop)


@contextlib.asynccontextmanager
async def serve_telegram(settings: Settings, conversation: Conversation, stores: Stores,
                         clock: Clock) -> AsyncIterator[Messenger]:
    """Poll Telegram (or listen for webhook calls) while the block runs; yield its outbox messenger."""
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
            yield TelegramMessenger(application.bot, patient=False)
        finally:
            await application.updater.stop()
            await application.stop()


@contextlib.asynccontextmanager
async def serve_zalo(settings: Settings, conversation: Conversation, stores: Stores,
                     clock: Clock) -> AsyncIterator[Messenger]:
    """Poll Zalo (or listen for its webhook calls) while the block runs; yield its outbox messenger."""
    assert settings.zalo_token is not None
    flood = FloodGuard(clock, settings.flood_messages, settings.flood_window_seconds)
    secret = settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else None
    async with ZaloClient(settings.zalo_token.get_secret_value(), settings.zalo_api_url) as client:
        adapter = ZaloAdapter(conversation, stores.updates, stores.members, flood, clock, client,
                              stores.choices)
        async with adapter.running(webhook_url=settings.zalo_webhook_url, webhook_secret=secret,
                                   listen=settings.zalo_webhook_listen,
                                   port=settings.zalo_webhook_port) as messenger:
            yield messenger
