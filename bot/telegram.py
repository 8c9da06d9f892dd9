"""Telegram adapter on python-telegram-bot 22: updates in through the inbox, rendered replies out.

PTB's Application holds the Bot API client and the handlers; PTB's Updater is not used. It would
confirm an update to Telegram (the next getUpdates offset) or answer a webhook call before the
update is handled, and lose it if the process died in between. Here an update is stored in the
inbox first (bot.intake), then acknowledged: polling moves its offset past a batch only once the
batch is stored, and the webhook answers 200 only once the update is stored. The webhook also
checks its secret before it reads a body, and caps the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

# Opt in to PTB's coming behaviour (RetryAfter.retry_after as a timedelta) instead of a deprecation
# warning on every 429; retry_seconds() reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Update  # noqa: E402
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import RequestData

# RequestData, public, is built from these; PTB keeps their module private.
from telegram.request._requestparameter import RequestParameter

from bot.delivery import ChatUnreachable, RetryLater
from bot.intake import DEFAULT_LEASE, InboxStore, Intake
from bot.logs import format_exception_line
from bot.telegram_http import AiohttpRequest, UpdatesRequest
from bot.telegram_render import html_chunks, keyboard
from handlers.conversation import Conversation
from handlers.flood import MSG_SLOW_DOWN, FloodGuard
from handlers.ports import Clock
from handlers.types import Incoming, Reply

if TYPE_CHECKING:
    from aiohttp import web

PLATFORM = "telegram"
SEND_ATTEMPTS = 4
POLL_TIMEOUT = 10  # seconds Telegram may hold a getUpdates call open
MAX_CONCURRENT_UPDATES = 256  # PTB's own default for concurrent updates
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_WEBHOOK_BODY = 1024 * 1024  # an update is a few kilobytes; Telegram's own limits keep it far below
BACKOFF = (1.0, 60.0)  # seconds between attempts to reach the Bot API: first, and at most
MSG_TEXT_ONLY = "Tôi chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi."
MSG_CHOICE_ACK = "Đã nhận."
NO_PREVIEW = {"is_disabled": True}  # answers cite links; a preview card would bury the text

log = logging.getLogger(__name__)
T = TypeVar("T")


class BlockedChats(Protocol):
    async def mark_blocked(self, platform: str, chat_id: str, at: dt.datetime) -> Any: ...


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates (webhook mode), and the secret it sends with each call."""

    url: str
    secret: str
    listen: str = "0.0.0.0"
    port: int = 8443

    @property
    def path(self) -> str:
        # The last part of the public URL: a reverse proxy may put any prefix before it.
        return "/" + self.url.rstrip("/").rsplit("/", 1)[-1]


def retry_seconds(exc: RetryAfter) -> float:
    """Read RetryAfter's delay whether PTB gives it as seconds or as a timedelta."""
    value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def why(exc: BaseException) -> str:
    """Say in one line why a Bot API call failed (never with the token: PTB puts it in some messages)."""
    if isinstance(exc, InvalidToken):
        return "the Bot API refused the token (check TCPL_TELEGRAM_TOKEN)"
    return format_exception_line(exc)


async def with_retry(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Call the Bot API, waiting out 429s and brief network errors; other errors propagate."""
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == SEND_ATTEMPTS:
                raise
            delay = retry_seconds(exc)
            log.warning("%s: rate limited, retrying in %.1f s", what, delay)
            await asyncio.sleep(delay)
        except (TimedOut, NetworkError) as exc:
            if attempt == SEND_ATTEMPTS or isinstance(exc, BadRequest | Forbidden):
                raise
            await asyncio.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


async def _until(stop: asyncio.Event, work: Awaitable[T]) -> T | None:
    """Await the work, or return None as soon as `stop` is set (the work is cancelled)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in (task, stopped):
            t.cancel()
        await asyncio.gather(task, stopped, return_exceptions=True)
    return None if task.cancelled() else task.result()


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


class TelegramAdapter:
    """Take Telegram updates through the inbox, turn them into Incoming messages, send the replies."""

    def __init__(self, conversation: Conversation, inbox: InboxStore, blocked: BlockedChats,
                 flood: FloodGuard, clock: Clock, *, lease: dt.timedelta = DEFAULT_LEASE,
                 poll_timeout: int = POLL_TIMEOUT, backoff: tuple[float, float] = BACKOFF):
        self.conversation = conversation
        self.inbox = inbox
        self.blocked = blocked
        self.flood = flood
        self.clock = clock
        self.lease = lease
        self.poll_timeout = poll_timeout
        self.backoff = backoff
        self.intake: Intake[Update] | None = None
        self.connected = asyncio.Event()  # set once the Bot API answered and the delivery mode is set
        self.updates_request = UpdatesRequest()

    def build(self, token: str, api_url: str) -> Application:  # type: ignore[type-arg]
        """Build the PTB application with every handler registered in one place."""
        api = api_url.rstrip("/")
        application = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .updater(None)  # see the module doc: updates come in through the inbox
            .request(AiohttpRequest())
            .get_updates_request(self.updates_request)
            .build()
        )
        application.add_handler(CallbackQueryHandler(self.on_callback))
        application.add_handler(MessageHandler(filters.TEXT & ~filters.UpdateType.EDITED, self.on_text))
        application.add_handler(MessageHandler(~filters.TEXT & ~filters.UpdateType.EDITED, self.on_other))
        application.add_error_handler(self.on_error)
        return application

    # -- running -----------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self, application: Application, webhook: Webhook | None = None,  # type: ignore[type-arg]
                      ) -> AsyncIterator[TelegramMessenger]:
        """Connect (retrying with back-off), then poll or serve the webhook while the block runs.

        Yields at once the outbox's messenger: until Telegram is reached its sends are put off
        (RetryLater), while the other platforms and the scheduler go on.
        """
        def parse(data: dict[str, Any]) -> Update:
            return Update.de_json(data, application.bot)

        intake: Intake[Update] = Intake(self.inbox, PLATFORM, application.process_update, parse, self.clock,
                                        max_concurrent=MAX_CONCURRENT_UPDATES, lease=self.lease)
        self.intake = intake
        stop = asyncio.Event()
        work = asyncio.create_task(self._serve(application, intake, webhook, stop))
        work.add_done_callback(_report_failure)
        try:
            yield TelegramMessenger(application.bot, patient=False)
        finally:
            stop.set()
            # Polling and the webhook end at once; a start attempt still waiting for the Bot API is cut short.
            with contextlib.suppress(Exception):  # a failure was reported when it happened
                await asyncio.wait_for(work, self.poll_timeout + 5)
            await intake.drain()
            if application._initialized:  # noqa: SLF001 - PTB offers no public flag
                await application.shutdown()
            else:
                await application.bot.shutdown()  # its connections, opened by a failed start

    async def _serve(self, application: Application, intake: Intake[Update],  # type: ignore[type-arg]
                     webhook: Webhook | None, stop: asyncio.Event) -> None:
        if not await self._connect(application, webhook, stop):
            return
        async with asyncio.TaskGroup() as group:
            group.create_task(intake.run(stop))
            if webhook is None:
                group.create_task(self._poll(application, intake, stop))
            else:
                group.create_task(self._listen(application, intake, webhook, stop))

    async def _connect(self, application: Application, webhook: Webhook | None,  # type: ignore[type-arg]
                       stop: asyncio.Event) -> bool:
        """Reach the Bot API and set the delivery mode, retrying with back-off; False if stopped first."""
        delay = self.backoff[0]
        while not stop.is_set():
            try:
                await application.initialize()
                if webhook is None:
                    # getUpdates is refused while a webhook is set.
                    await application.bot.delete_webhook(drop_pending_updates=False)
                else:
                    await application.bot.set_webhook(webhook.url, secret_token=webhook.secret,
                                                      drop_pending_updates=False)
                self.connected.set()
                return True
            except TelegramError as exc:
                log.warning("Telegram not reachable: %s; trying again in %.0f s", why(exc), delay)
            await _pause(stop, delay)
            delay = min(delay * 2, self.backoff[1])
        return False

    async def _poll(self, application: Application, intake: Intake[Update],  # type: ignore[type-arg]
                    stop: asyncio.Event) -> None:
        """Long-poll getUpdates; move the offset past a batch only once the batch is stored."""
        log.info("Telegram polling started")
        offset: int | None = None
        delay = self.backoff[0]
        while not stop.is_set():
            try:
                updates = await _until(stop, application.bot.get_updates(
                    offset=offset, timeout=self.poll_timeout, limit=100))
                if updates:
                    # Stored as Telegram sent them: to_dict() of a parsed update costs more than handling it.
                    raw = self.updates_request.last_answer
                    if len(raw) != len(updates):
                        raw = [u.to_dict() for u in updates]
                    # Until this returns, Telegram keeps the batch: a crash here loses nothing.
                    await intake.receive([(str(u.update_id), data, u)
                                          for u, data in zip(updates, raw, strict=True)])
                    offset = updates[-1].update_id + 1
                delay = self.backoff[0]
            except TimedOut:
                continue  # a long poll that outlived the connection: ask again at once
            except Exception as exc:  # the Bot API or the database, briefly away: back off
                log.warning("Telegram updates not fetched: %s; trying again in %.0f s", why(exc), delay)
                await _pause(stop, delay)
                delay = min(delay * 2, self.backoff[1])
        log.info("Telegram polling stopped")

    async def _listen(self, application: Application, intake: Intake[Update],  # type: ignore[type-arg]
                      webhook: Webhook, stop: asyncio.Event) -> None:
        from aiohttp import web  # here, so that polling deployments start no web server

        runner = web.AppRunner(self.webhook_app(application, intake, webhook.secret, webhook.path),
                               access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, webhook.listen, webhook.port).start()
            log.info("Telegram webhook listening on port %s", webhook.port)
            await stop.wait()
        finally:
            await runner.cleanup()

    def webhook_app(self, application: Application, intake: Intake[Update],  # type: ignore[type-arg]
                    secret: str, path: str) -> web.Application:
        """Build the aiohttp app that takes Telegram's webhook calls (403 wrong secret, 413 too big)."""
        from aiohttp import web

        expected = secret.encode("utf-8")

        async def receive(request: web.Request) -> web.Response:
            # The secret first: a stranger's body is never read, whatever its size.
            given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
            if not hmac.compare_digest(given, expected):
                log.warning("Telegram webhook call with a wrong or missing secret refused")
                return web.Response(status=403)
            if request.content_length is not None and request.content_length > MAX_WEBHOOK_BODY:
                return web.Response(status=413)
            try:
                data = await request.json()  # client_max_size caps a body sent without a length
                update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
            except web.HTTPRequestEntityTooLarge:
                return web.Response(status=413)
            except Exception:
                update = None
            if update is None:
                return web.Response(status=400, text="expected a Telegram update")
            # Stored before the 200: if this fails, Telegram gets a 500 and calls again.
            await intake.receive([(str(update.update_id), data, update)])
            return web.Response(status=200)

        app = web.Application(client_max_size=MAX_WEBHOOK_BODY)
        app.router.add_post(path, receive)
        return app

    # -- one update ----------------------------------------------------------------------------------

    async def _admit(self, update: Update) -> bool:
        """Slow down a user who floods the bot (the inbox already dropped redeliveries)."""
        user = update.effective_user
        chat = update.effective_chat
        if user is None or chat is None:
            return False
        verdict = self.flood.check(f"{PLATFORM}:{user.id}")
        if not verdict.allowed:
            if verdict.warn:
                await self.send(update.get_bot(), str(chat.id), Reply(text=MSG_SLOW_DOWN))
            return False
        return True

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a text message or a command."""
        message = update.effective_message
        if message is None or not await self._admit(update):
            return
        user = update.effective_user
        assert user is not None
        incoming = Incoming(
            platform=PLATFORM,
            chat_id=str(message.chat_id),
            user_id=str(user.id),
            text=message.text or "",
            reply_to=str(message.reply_to_message.message_id) if message.reply_to_message else None,
            display_name=user.full_name,
            update_id=str(update.update_id),
        )
        for reply in await self.conversation.handle(incoming):
            await self.send(context.bot, incoming.chat_id, reply)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a button press; forged or stale data gets a clear message, never an exception."""
        query = update.callback_query
        if query is None or not await self._admit(update):
            return
        try:
            # One try: the acknowledgement only stops the button's spinner; the press itself must
            # be handled even when it fails ("query is too old" after a restart, a 502…).
            await query.answer(MSG_CHOICE_ACK)
        except TelegramError as exc:
            log.info("button press %s not acknowledged: %s", update.update_id, why(exc))
        chat_id = str(query.message.chat.id) if query.message else str(query.from_user.id)
        incoming = Incoming(
            platform=PLATFORM,
            chat_id=chat_id,
            user_id=str(query.from_user.id),
            choice=(query.data or "")[:64],
            reply_to=str(query.message.message_id) if query.message else None,
            display_name=query.from_user.full_name,
            update_id=str(update.update_id),
        )
        for reply in await self.conversation.handle(incoming):
            await self.send(context.bot, chat_id, reply)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Tell the user that only text is understood (stickers, photos, voice…)."""
        chat = update.effective_chat
        if chat is None or not await self._admit(update):
            return
        await self.send(context.bot, str(chat.id), Reply(text=MSG_TEXT_ONLY))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Log the error type and update id only: messages may hold personal data, and the token
        # must never be printed (PTB's exceptions do not include it).
        update_id = getattr(update, "update_id", None)
        log.error("error while handling update %s: %r", update_id, context.error)

    async def send(self, bot: Any, chat_id: str, reply: Reply) -> list[str]:
        """Answer a user now, waiting out brief 429s; a chat that blocked the bot is recorded."""
        try:
            return await TelegramMessenger(bot, patient=True).send(chat_id, reply)
        except ChatUnreachable:
            log.warning("chat %s blocked the bot", chat_id)
            await self.blocked.mark_blocked(PLATFORM, chat_id, self.clock.now())
        except RetryLater as exc:
            log.warning("reply to chat %s dropped: %s", chat_id, exc)
        return []


class TelegramMessenger:
    """Send replies through the Bot API, translating its errors into delivery errors.

    Patient senders (interactive replies) wait out 429s; impatient ones (the outbox) raise
    RetryLater at once so the row is rescheduled instead of holding a worker.
    """

    platform = PLATFORM

    def __init__(self, bot: Any, patient: bool = False):
        self.bot = bot
        self.patient = patient

    async def _call(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        try:
            return await (with_retry(call, what) if self.patient else call())
        except RetryAfter as exc:
            raise RetryLater(retry_seconds(exc)) from exc
        except Forbidden as exc:
            raise ChatUnreachable(f"Telegram: {exc.message}") from exc
        except BadRequest:
            raise
        except (TimedOut, NetworkError) as exc:
            raise RetryLater(5.0, f"network error: {type(exc).__name__}") from exc

    async def send(self, chat_id: str, reply: Reply) -> list[str]:
        """Send one reply (split as needed); return the message ids."""
        ids: list[str] = []
        bot = self.bot
        if reply.document is not None:
            doc = reply.document
            msg = await self._call(lambda: bot.send_document(
                chat_id=chat_id, document=doc.content, filename=doc.filename,
                caption=doc.caption[:1024] or None), "sendDocument")
            ids.append(str(msg.message_id))
        chunks = html_chunks(reply)
        buttons = keyboard(reply)
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            params: dict[str, Any] = {"chat_id": chat_id, "text": chunk, "parse_mode": ParseMode.HTML.value,
                                      "link_preview_options": NO_PREVIEW}
            if last and buttons is not None:
                params["reply_markup"] = buttons
            ids.append(await self._call(lambda p=params: self._send_message(p), "sendMessage"))
        return ids

    async def _send_message(self, params: dict[str, Any]) -> str:
        """Call sendMessage on PTB's connection and return the new message's id.

        Not bot.send_message(): it turns Telegram's answer, the whole sent message with its entities
        and keyboard, into PTB objects, and for a rich answer that cost more CPU than finding it
        (measured with `make bench`); only the id is needed. PTB's request still maps every error
        (RetryAfter, Forbidden, BadRequest, TimedOut) as it does for its own methods.
        """
        data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])
        result = await self.bot.request.post(f"{self.bot.base_url}/sendMessage", request_data=data)
        return str(result["message_id"])


def _report_failure(task: asyncio.Task[None]) -> None:
    # The adapter runs beside the scheduler: say at once if it died, not only at shutdown.
    if not task.cancelled() and task.exception() is not None:
        log.critical("Telegram adapter stopped: %s", why(task.exception()))  # type: ignore[arg-type]
