"""Telegram adapter on python-telegram-bot 22: updates in, rendered replies out."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

# Opt in to PTB's coming behaviour (RetryAfter.retry_after as a timedelta) instead of a deprecation
# warning on every 429; retry_seconds() reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Update  # noqa: E402
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.delivery import ChatUnreachable, RetryLater
from bot.telegram_http import AiohttpRequest
from bot.telegram_render import html_chunks, keyboard
from handlers.conversation import Conversation
from handlers.flood import MSG_SLOW_DOWN, FloodGuard
from handlers.ports import Clock
from handlers.types import Incoming, Reply

PLATFORM = "telegram"
SEND_ATTEMPTS = 4
MSG_TEXT_ONLY = "Tôi chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi."
MSG_CHOICE_ACK = "Đã nhận."

log = logging.getLogger(__name__)
T = TypeVar("T")


class UpdateLog(Protocol):
    async def first_time(self, platform: str, update_id: str, now: dt.datetime) -> bool: ...


class BlockedChats(Protocol):
    async def mark_blocked(self, platform: str, chat_id: str, at: dt.datetime) -> None: ...


def retry_seconds(exc: RetryAfter) -> float:
    """Read RetryAfter's delay whether PTB gives it as seconds or as a timedelta."""
    value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


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


class TelegramAdapter:
    """Turn PTB updates into Incoming messages and send the conversation's replies."""

    def __init__(self, conversation: Conversation, updates: UpdateLog, blocked: BlockedChats,
                 flood: FloodGuard, clock: Clock):
        self.conversation = conversation
        self.updates = updates
        self.blocked = blocked
        self.flood = flood
        self.clock = clock

    def build(self, token: str, api_url: str) -> Application:  # type: ignore[type-arg]
        """Build the PTB application with every handler registered in one place."""
        api = api_url.rstrip("/")
        application = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .concurrent_updates(True)
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(connections=1))
            .build()
        )
        application.add_handler(CallbackQueryHandler(self.on_callback))
        application.add_handler(MessageHandler(filters.TEXT & ~filters.UpdateType.EDITED, self.on_text))
        application.add_handler(MessageHandler(~filters.TEXT & ~filters.UpdateType.EDITED, self.on_other))
        application.add_error_handler(self.on_error)
        return application

    async def _admit(self, update: Update) -> bool:
        """Handle each update once, and slow down a user who floods the bot."""
        if not await self.updates.first_time(PLATFORM, str(update.update_id), self.clock.now()):
            log.info("duplicate update %s ignored", update.update_id)
            return False
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
        )
        for reply in await self.conversation.handle(incoming):
            await self.send(context.bot, incoming.chat_id, reply)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a button press; forged or stale data gets a clear message, never an exception."""
        query = update.callback_query
        if query is None or not await self._admit(update):
            return
        await with_retry(lambda: query.answer(MSG_CHOICE_ACK), "answerCallbackQuery")
        chat_id = str(query.message.chat.id) if query.message else str(query.from_user.id)
        incoming = Incoming(
            platform=PLATFORM,
            chat_id=chat_id,
            user_id=str(query.from_user.id),
            choice=(query.data or "")[:64],
            reply_to=str(query.message.message_id) if query.message else None,
            display_name=query.from_user.full_name,
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
        markup = keyboard(reply)
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            msg = await self._call(lambda c=chunk, last=last: bot.send_message(
                chat_id=chat_id, text=c, parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None, disable_web_page_preview=True),
                "sendMessage")
            ids.append(str(msg.message_id))
        return ids
