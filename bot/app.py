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
from bot.knowledge_files import KnowledgeFiles
from bot.knowledge_sync import KnowledgeSync
from bot.scheduler import Housekeeping, Scheduler
from bot.services import Stores, open_stores
from bot.telegram import TelegramAdapter, Webhook
from bot.workbook import ExcelWorkbook
from bot.zalo import ZaloAdapter, ZaloClient
from bot.zalo_errors import AdminAlarm
from handlers.browse import PlanBrowser
from handlers.conversation import Conversation
from handlers.department import DepartmentAnswers
from handlers.documents import Documents
from handlers.flood import FloodGuard
from handlers.membership import Membership
from handlers.ports import Clock
from handlers.privacy import Privacy
from handlers.progress import Progress
from handlers.reminders import Reminders
from handlers.reports import Reports, WorkbookWriter
from handlers.task_refs import no_plan_in_force
from handlers.web_login import WebLogin
from knowledge.deadlines import ReminderPolicy
from knowledge.department import load_department
from knowledge.documents.library import load_library
from knowledge.engine import Engine
from knowledge.loader import Knowledge
from knowledge.sources import Sources

log = logging.getLogger(__name__)


@dataclass
class Bot:
    """Everything one instance runs, wired once."""

    conversation: Conversation
    reminders: Reminders
    stores: Stores
    membership: Membership
    knowledge: KnowledgeSync  # the Department's documents and answers, kept in step across instances


def build_bot(settings: Settings, knowledge: Knowledge, engine: Engine, policy: ReminderPolicy,
              stores: Stores, clock: Clock, workbook: WorkbookWriter | None = None,
              sources: Sources | None = None) -> Bot:
    """Wire every use case into one conversation shared by all platforms, plus the reminders.

    `sources` are what load_sources() read; without them the given engine serves, with the
    Department's files as they are on disk.
    """
    tz = settings.tz
    files = knowledge_files(settings, knowledge, engine)
    if sources is None:
        library = load_library(files.documents_dir, knowledge.handbook.documents)
        sources = Sources(engine.handbook, engine, library, load_department(files.department_path))
    conversation = Conversation(sources.engine, clock, stores.questions, stores.pending, sources.library,
                                tz=tz)
    sync = KnowledgeSync(files, stores.knowledge, clock, sources, conversation.use)
    membership = Membership(knowledge.plans, stores.members, stores.invites, clock, tz,
                            dt.timedelta(hours=settings.invite_ttl_hours))
    membership.setup(conversation)
    Documents(conversation).setup()
    DepartmentAnswers(conversation, membership, stores.questions, sync, stores.pending, clock, tz).setup()
    reminders = Reminders(knowledge.plans, policy, stores.occurrences, stores.task_dates, stores.members,
                          stores.outbox, clock, stores.agencies)
    PlanBrowser(knowledge.plans, knowledge.handbook, clock, tz).setup(conversation)
    Progress(knowledge.plans, membership, stores.occurrences, stores.outbox, stores.pending, clock,
             tz).setup(conversation)
    Reports(knowledge.plans, membership, stores.occurrences, stores.task_dates,
            workbook if workbook is not None else ExcelWorkbook(), clock, tz,
            replan=reminders.plan_occurrences).setup(conversation)
    WebLogin(membership, stores.web, clock, settings.dashboard_url()).setup(conversation)
    Privacy(stores.personal_data, stores.pending, clock, settings.question_log_days).setup(conversation)
    return Bot(conversation, reminders, stores, membership, sync)


def knowledge_files(settings: Settings, knowledge: Knowledge, engine: Engine) -> KnowledgeFiles:
    """Return where this instance keeps the Department's files, over the shipped handbook."""
    assert settings.documents_dir is not None and settings.department_handbook_path is not None
    return KnowledgeFiles(settings.documents_dir, settings.department_handbook_path, knowledge.handbook,
                          engine.lexicon, engine.recognition)


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


def stop_on_signals() -> asyncio.Event:
    """Return an event set by SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def serve(settings: Settings, knowledge: Knowledge, engine: Engine, policy: ReminderPolicy,
                sources: Sources | None = None) -> None:
    """Run until stopped: Telegram and Zalo when configured (console chat when neither), the scheduler,
    and the knowledge sync that serves the Department's changes without a restart."""
    clock = SystemClock()
    async with open_stores(settings, knowledge.plans) as stores:
        bot = build_bot(settings, knowledge, engine, policy, stores, clock, sources=sources)
        # Deadlines the plans date exist from the start, in every mode (the console too), so /nhiemvu
        # and /capnhat work at once; the scheduler re-plans every few hours after this.
        planned = await bot.reminders.plan_occurrences()
        log.info("planned deadlines: %d added, %d changed, %d withdrawn",
                 planned.added, planned.changed, planned.withdrawn)
        notice = no_plan_in_force(knowledge.plans, clock.now().astimezone(settings.tz).date())
        if notice:
            # Without a plan in force the bot answers questions but reminds no one: say so at once
            # (the console chat also says it in its greeting).
            log.warning("%s", notice)
        # The handbook index and the loaded libraries live as long as the process. Frozen, they are
        # left out of the garbage collector's full passes, which otherwise walk them all and stall
        # every conversation for ~100 ms each time (measured with `make bench`).
        gc.freeze()
        stop = stop_on_signals()
        sync = asyncio.create_task(bot.knowledge.run(stop))
        try:
            await _serve_platforms(settings, knowledge, bot, stores, policy, clock, stop)
        finally:
            stop.set()
            await sync


async def _serve_platforms(settings: Settings, knowledge: Knowledge, bot: Bot, stores: Stores,
                           policy: ReminderPolicy, clock: Clock, stop: asyncio.Event) -> None:
    """Serve the dashboard, Telegram and Zalo (with the scheduler) until stopped, or the console chat."""
    async with contextlib.AsyncExitStack() as stack:
        if settings.web_port is not None:
            # The dashboard shares this event loop and these stores; it stops with the bots.
            from bot.web_server import build_dashboard, serve_web

            dashboard = build_dashboard(settings, knowledge, bot, clock)
            await stack.enter_async_context(serve_web(settings, dashboard))
        messengers: dict[str, Messenger] = {}
        if settings.telegram_token is not None:
            messengers["telegram"] = await stack.enter_async_context(
                serve_telegram(settings, bot.conversation, stores, clock))
        if settings.zalo_token is not None:
            messengers["zalo"] = await stack.enter_async_context(
                serve_zalo(settings, bot.conversation, stores, clock))
        if not messengers:
            # The console chat: reminders to console users are printed by no one, so no scheduler.
            # Ctrl-C (SIGINT) ends it as Ctrl-D does; an input that ends at once is a mistake.
            await run_console(bot.conversation, stop=stop, require_input=True)
            return
        scheduler = Scheduler(bot.reminders,
                              make_dispatcher(settings, policy, stores, bot.reminders, messengers, clock),
                              Housekeeping(stores.questions, stores.inbox, clock, settings.keep_questions),
                              clock)
        await scheduler.run(stop)


@contextlib.asynccontextmanager
async def serve_telegram(settings: Settings, conversation: Conversation, stores: Stores,
                         clock: Clock) -> AsyncIterator[Messenger]:
    """Poll Telegram (or listen for webhook calls) while the block runs; yield its outbox messenger.

    An unreachable Bot API is retried with back-off in the background, so the other platforms and
    the scheduler serve meanwhile.
    """
    assert settings.telegram_token is not None
    flood = FloodGuard(clock, settings.flood_messages, settings.flood_window_seconds)
    adapter = TelegramAdapter(conversation, stores.inbox, stores.members, flood, clock,
                              lease=settings.inbox_lease)
    application = adapter.build(settings.telegram_token.get_secret_value(), settings.telegram_api_url)
    webhook = None
    if settings.webhook_url:
        assert settings.webhook_secret is not None  # the settings refuse a webhook without one
        webhook = Webhook(settings.webhook_url, settings.webhook_secret.get_secret_value(),
                          settings.webhook_listen, settings.webhook_port)
    async with adapter.running(application, webhook) as messenger:
        yield messenger


@contextlib.asynccontextmanager
async def serve_zalo(settings: Settings, conversation: Conversation, stores: Stores,
                     clock: Clock) -> AsyncIterator[Messenger]:
    """Poll Zalo (or listen for its webhook calls) while the block runs; yield its outbox messenger."""
    assert settings.zalo_token is not None
    flood = FloodGuard(clock, settings.flood_messages, settings.flood_window_seconds)
    secret = settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else None
    alarm = AdminAlarm(stores.members, stores.outbox, clock)  # a refused token, a lasting 429
    async with ZaloClient(settings.zalo_token.get_secret_value(), settings.zalo_api_url, clock=clock,
                          alarm=alarm) as client:
        adapter = ZaloAdapter(conversation, stores.inbox, flood, clock, client,
                              stores.choices, outbox=stores.outbox, lease=settings.inbox_lease)
        async with adapter.running(webhook_url=settings.zalo_webhook_url, webhook_secret=secret,
                                   listen=settings.zalo_webhook_listen,
                                   port=settings.zalo_webhook_port) as messenger:
            yield messenger
