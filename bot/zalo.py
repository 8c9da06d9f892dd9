"""Zalo adapter: a small Bot API client on httpx, a webhook (production) or long polling, numbered choices.

The Zalo Bot Platform answers ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": "..."}``. Every refusal raises ZaloAPIError; what the
bot does about each code is the table in bot/zalo_errors.py, with the documentation's wording:

- 401 (token expired or invalid) → ZaloTokenRefused: one alarm, no sends until the token works again;
- 403 ("Internal server error"), 408, 5xx, timeouts and network errors → ZaloUnavailable: retried with
  exponential back-off and jitter, the message kept;
- 429 ("Quota exceeded") → ZaloRateLimited: every send paused with a growing delay and a cap;
- anything else (400 bad request, 404…) → plain ZaloAPIError.

No single code means "this user blocked the bot": only the outbox concludes that, from evidence.
getUpdates answers 408 when nothing arrived during the long poll: that is not an error (None).
The token is part of every URL, so nothing here logs a URL or lets an httpx exception through.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import httpx

from bot.clock import SystemClock
from bot.delivery import RetryLater
from bot.intake import DEFAULT_LEASE, InboxStore, Intake
from bot.logs import RedactSecrets
from bot.render import MSG_NO_SUCH_CHOICE, choice_number, chosen
from bot.zalo_errors import PATIENT_BACKOFF, TRANSIENT_BACKOFF, Alarm, Outbox, Rule, ZaloHealth, rule_for
from bot.zalo_render import with_document_notice, zalo_messages
from handlers.conversation import Conversation, split_command
from handlers.flood import MSG_SLOW_DOWN, FloodGuard
from handlers.ports import Clock
from handlers.reminders import payload
from handlers.types import Choice, Incoming, Reply

if TYPE_CHECKING:
    from aiohttp import web

PLATFORM = "zalo"
DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
TEXT_EVENT = "message.text.received"
GROUP = "GROUP"
SEND_ATTEMPTS = 4
MAX_PATIENT_WAIT = 30.0  # a user waiting for an answer is not kept waiting longer than this
MIN_EMPTY_POLL = 0.5
MAX_CONCURRENT_UPDATES = 32
MAX_WEBHOOK_BODY = 256 * 1024
DRAIN_SECONDS = 10.0
KIND_REPLY = "reply"  # an answer the outbox delivers later: not held to office hours like a reminder
MSG_TEXT_ONLY = (
    "Xin lỗi, tôi chỉ đọc được tin nhắn chữ, chưa xem được hình ảnh, nhãn dán hay tệp. "
    "Bạn vui lòng gõ câu hỏi bằng chữ."
)
MSG_PRIVATE_ONLY = (
    "Trong nhóm, tôi chỉ trả lời câu hỏi. Việc đăng ký, cập nhật tiến độ và xem báo cáo xin bạn "
    "nhắn riêng cho tôi."
)
# What a group may use: questions and browsing. Registration, progress and reports stay private,
# so that one official's codes and answers are not shown to the whole group.
GROUP_COMMANDS = frozenset({"start", "help", "hoi", "tieuchi", "kehoach", "vanban"})

log = logging.getLogger(__name__)


class ZaloAPIError(Exception):
    """Zalo refused a call (ok is false), or gave no Bot API answer."""

    def __init__(self, error_code: int, description: str, method: str = ""):
        self.error_code = error_code
        self.description = description
        self.method = method
        # Exception.__init__ directly: the delivery-error mixin below takes other arguments.
        Exception.__init__(self, f"{self._where()} refused: error {error_code}: {description}")

    def _where(self) -> str:
        return f"Zalo {self.method}" if self.method else "Zalo API"


class ZaloRateLimited(ZaloAPIError, RetryLater):
    """Zalo's quota is spent (429): every send waits `retry_after` seconds, which grow while it lasts."""

    def __init__(self, error_code: int, description: str, method: str, retry_after: float):
        ZaloAPIError.__init__(self, error_code, description, method)
        self.retry_after = retry_after
        self.reason = f"quota exceeded (error {error_code})"


class ZaloTokenRefused(ZaloAPIError, RetryLater):
    """Zalo refuses the token (401): nothing is sent until it works again; messages are kept."""

    def __init__(self, error_code: int, description: str, method: str, retry_after: float):
        ZaloAPIError.__init__(self, error_code, description, method)
        self.retry_after = retry_after
        self.reason = f"token refused (error {error_code})"


class ZaloUnavailable(ZaloAPIError, RetryLater):
    """Zalo failed for a moment (403 "Internal server error", 408, 5xx, timeout, network error)."""

    def __init__(self, error_code: int, description: str, method: str, hint: float | None = None):
        ZaloAPIError.__init__(self, error_code, description, method)
        self.hint = hint or 0.0
        self.retry_after = TRANSIENT_BACKOFF.first
        self.reason = f"Zalo unavailable (error {error_code}): {description}"
        self.args = (f"{self._where()} unavailable: error {error_code}: {description}",)

    def delay(self, attempts: int) -> float:
        """Back off exponentially with jitter from the attempts already made; a hint is a floor."""
        return max(self.hint, TRANSIENT_BACKOFF.delay(attempts))


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _retry_after(answer: Any, response: httpx.Response) -> float | None:
    # Undocumented for Zalo: honoured only as a lower bound should it ever come.
    candidates: list[Any] = []
    if isinstance(answer, dict):
        parameters = answer.get("parameters")
        if isinstance(parameters, dict):
            candidates.append(parameters.get("retry_after"))
        candidates.append(answer.get("retry_after"))
    candidates.append(response.headers.get("Retry-After"))
    for value in candidates:
        try:
            return max(float(value), 0.0)
        except (TypeError, ValueError):
            continue
    return None


def classify(method: str, error_code: int, description: str, retry_after: float | None = None
             ) -> ZaloAPIError:
    """Turn one refusal into the ZaloAPIError subclass that its rule (bot/zalo_errors.py) calls for."""
    rule = rule_for(error_code)
    if rule is Rule.QUOTA:
        return ZaloRateLimited(error_code, description, method, retry_after or 0.0)
    if rule is Rule.TOKEN:
        return ZaloTokenRefused(error_code, description, method, 0.0)
    if rule is Rule.TRANSIENT:
        return ZaloUnavailable(error_code, description, method, retry_after)
    return ZaloAPIError(error_code, description, method)


class ZaloClient:
    """Call the Zalo Bot API over httpx; every refusal raises ZaloAPIError (see the module doc)."""

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, *, timeout: float = 15.0,
                 http: httpx.AsyncClient | None = None, clock: Clock | None = None,
                 alarm: Alarm | None = None):
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        # The token and the quota belong to the bot, not to a chat: one state for every send.
        self.health = ZaloHealth(clock or SystemClock(), alarm)
        self.api_url = api_url.rstrip("/")
        self._base = f"{self.api_url}/bot{token}/"
        self._timeout = timeout
        self._http = http if http is not None else httpx.AsyncClient(timeout=timeout)
        self._owns_http = http is None
        # httpx logs each request URL at INFO; mask the token there even if logging is set up
        # differently from bot.logs (tests, a library user).
        self._mask = RedactSecrets([token])
        logging.getLogger("httpx").addFilter(self._mask)
        # Zalo documents one update per getUpdates answer; should a list come, none of it is lost.
        self._pending: deque[dict[str, Any]] = deque()

    def __repr__(self) -> str:
        return f"ZaloClient(api_url={self.api_url!r})"

    async def aclose(self) -> None:
        """Close the HTTP connections if this client opened them."""
        logging.getLogger("httpx").removeFilter(self._mask)
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***")

    async def call(self, method: str, payload: dict[str, Any] | None = None, *,
                   http_timeout: float | None = None) -> Any:
        """Call one Bot API method with a JSON body; return its result or raise ZaloAPIError."""
        body = payload or {}
        to_chat = "chat_id" in body
        if to_chat:
            self._check_may_send(method)
        try:
            response = await self._http.post(self._base + method, json=body,
                                             timeout=http_timeout or self._timeout)
        except httpx.ReadTimeout:
            raise ZaloUnavailable(408, "timed out waiting for the answer", method) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # `from None`: the httpx exception holds the request, whose URL holds the token.
            raise ZaloUnavailable(0, self._scrub(f"{type(exc).__name__}: {exc}"), method) from None
        status = response.status_code
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if isinstance(answer, dict) and answer.get("ok") is True:
            self.health.accepted(sent=to_chat)
            return answer.get("result")
        if isinstance(answer, dict):
            code = _int(answer.get("error_code"), status if status != 200 else 0)
            description = self._scrub(str(answer.get("description") or f"HTTP {status}"))
        else:
            code, description = status, f"HTTP {status} without a Bot API answer"
        error = classify(method, code, description, _retry_after(answer, response))
        if isinstance(error, ZaloTokenRefused):
            error.retry_after = await self.health.token_refused(method, sent=to_chat)
        elif isinstance(error, ZaloRateLimited) and to_chat:
            error.retry_after = await self.health.quota_exceeded(error.retry_after)
        raise error

    def _check_may_send(self, method: str) -> None:
        """Raise without calling Zalo while the token is refused or the quota is spent."""
        waiting = self.health.wait_before_send()
        if waiting is None:
            return
        rule, seconds = waiting
        if rule is Rule.TOKEN:
            raise ZaloTokenRefused(401, "token refused earlier; waiting for the next probe", method, seconds)
        raise ZaloRateLimited(429, "quota exceeded earlier; sends paused", method, seconds)

    async def get_me(self) -> dict[str, Any]:
        """Return the bot's own account."""
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_updates(self, timeout: int = 30) -> dict[str, Any] | None:  # noqa: ASYNC109 - sent to Zalo
        """Wait up to `timeout` seconds for one update; None when nothing arrived."""
        if self._pending:
            return self._pending.popleft()
        try:
            # The documentation types `timeout` as a string.
            result = await self.call("getUpdates", {"timeout": str(timeout)}, http_timeout=timeout + 10)
        except ZaloAPIError as exc:
            if exc.error_code == 408:
                return None
            raise
        if isinstance(result, list):
            self._pending.extend(u for u in result if isinstance(u, dict) and u)
            return self._pending.popleft() if self._pending else None
        return result if isinstance(result, dict) and result else None

    async def send_message(self, chat_id: str, text: str) -> str:
        """Send one text (at most 2,000 characters); return Zalo's message id."""
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return "" if message_id is None else str(message_id)

    async def set_webhook(self, url: str, secret: str) -> Any:
        """Have Zalo POST updates to `url` with the secret in the X-Bot-Api-Secret-Token header."""
        return await self.call("setWebhook", {"url": url, "secret_token": secret})

    async def delete_webhook(self) -> Any:
        """Stop webhook delivery so getUpdates works."""
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        """Return the webhook Zalo has on record."""
        result = await self.call("getWebhookInfo")
        return result if isinstance(result, dict) else {}


class ZaloMessenger:
    """Send replies through the Zalo Bot API as plain text, at most 2,000 characters a message.

    Patient senders (interactive replies) wait out rate limits and brief failures; impatient ones
    (the outbox) raise RetryLater at once so the row is rescheduled instead of holding a worker.
    """

    platform = PLATFORM

    def __init__(self, client: ZaloClient, patient: bool = False,
                 on_choices: Callable[[str, tuple[Choice, ...]], Awaitable[None]] | None = None):
        self.client = client
        self.patient = patient
        # Zalo has no buttons: a number typed later must find the choices this message showed.
        self.on_choices = on_choices

    async def send(self, chat_id: str, reply: Reply) -> list[str]:
        """Send one reply (split as needed); return the message ids."""
        ids = [await self._send_text(chat_id, text) for text in zalo_messages(reply)]
        if reply.choices and self.on_choices is not None:
            await self.on_choices(chat_id, reply.choices)
        return ids

    async def _send_text(self, chat_id: str, text: str) -> str:
        attempts = SEND_ATTEMPTS if self.patient else 1
        for attempt in range(attempts):
            try:
                return await self.client.send_message(chat_id, text)
            except RetryLater as exc:
                # A brief failure is retried quickly; a paused quota or token is waited out only
                # if the pause is short.
                quick = isinstance(exc, ZaloUnavailable)
                delay = PATIENT_BACKOFF.delay(attempt) if quick else exc.retry_after
                if attempt + 1 == attempts or delay > MAX_PATIENT_WAIT:
                    raise
                log.warning("sendMessage: %s; retrying in %.1f s", exc.reason, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


class ShownChoices(Protocol):
    """The numbered choices last shown per chat, in the database so that any instance reads "2"."""

    async def remember(self, platform: str, chat_id: str, choices: Sequence[tuple[str, str]],
                       at: dt.datetime) -> None: ...
    async def recall(self, platform: str, chat_id: str) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class ZaloEvent:
    """The parts of a Zalo update the bot uses."""

    name: str
    chat_id: str
    user_id: str
    message_id: str
    text: str | None
    display_name: str
    sent_at: dt.datetime | None
    from_bot: bool
    in_group: bool = False

    @property
    def key(self) -> str | None:
        """Return the de-duplication key; chat-scoped so that ids unique per chat also work."""
        if self.message_id:
            return f"{self.chat_id}:{self.message_id}"
        if self.sent_at is not None:
            return f"{self.chat_id}:@{self.sent_at.timestamp():.3f}"
        return None


def _id(value: Any) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()[:128]


def message_time(value: Any) -> dt.datetime | None:
    """Read Zalo's message date (milliseconds since the epoch) as UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = value / 1000 if value > 10**11 else value  # tolerate seconds, as Telegram sends
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def inbox_key(update: dict[str, Any]) -> str:
    """Return the key an update is stored under in the inbox: its message's, or its content's hash."""
    event = parse_event(update)
    if event is not None and event.key is not None:
        return event.key
    return "#" + hashlib.sha256(json.dumps(update, sort_keys=True, default=str).encode()).hexdigest()[:32]


def unwrap(body: Any) -> dict[str, Any] | None:
    """Return the event from a webhook body, bare or wrapped as {"ok": true, "result": event}."""
    if isinstance(body, dict) and isinstance(body.get("result"), dict) and "message" not in body:
        body = body["result"]
    return body if isinstance(body, dict) else None


def parse_event(update: Any) -> ZaloEvent | None:
    """Read a Zalo update; None when it carries no message from a chat."""
    if not isinstance(update, dict) or not isinstance(update.get("message"), dict):
        return None
    message = update["message"]
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    chat_id = _id(chat.get("id")) or _id(sender.get("id"))
    if not chat_id:
        return None
    text = message.get("text")
    name = sender.get("display_name") or sender.get("name") or ""
    return ZaloEvent(
        name=str(update.get("event_name") or ""),
        chat_id=chat_id,
        user_id=_id(sender.get("id")) or chat_id,
        message_id=_id(message.get("message_id")),
        text=text if isinstance(text, str) else None,
        display_name=str(name)[:128],
        sent_at=message_time(message.get("date")),
        from_bot=sender.get("is_bot") is True,
        in_group=str(chat.get("chat_type") or "").upper() == GROUP,
    )


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0


class ZaloAdapter:
    """Turn Zalo events into Incoming messages and send the conversation's replies."""

    def __init__(self, conversation: Conversation, inbox: InboxStore, flood: FloodGuard, clock: Clock,
                 client: ZaloClient, shown: ShownChoices, *, outbox: Outbox | None = None,
                 poll_timeout: int = 30, backoff: tuple[float, float] = (1.0, 60.0),
                 max_concurrent: int = MAX_CONCURRENT_UPDATES, lease: dt.timedelta = DEFAULT_LEASE):
        self.conversation = conversation
        # Every update is stored before it is handled (and before a webhook call is answered).
        self.intake: Intake[dict[str, Any]] = Intake(inbox, PLATFORM, self.handle_update, dict, clock,
                                                     max_concurrent=max_concurrent, lease=lease)
        self.flood = flood
        self.clock = clock
        self.client = client
        self.messenger = ZaloMessenger(client, patient=True)
        self.poll_timeout = poll_timeout
        self.backoff = backoff
        self.shown = shown
        # A reply Zalo would not take now (quota, token, a lasting failure) waits in the outbox.
        self.outbox = outbox
        self._turns: dict[str, _Turn] = {}
        self._stopping = asyncio.Event()

    # -- running ---------------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask run() or serve_webhook() to finish the events in hand and return; final."""
        self._stopping.set()

    @contextlib.asynccontextmanager
    async def running(self, *, webhook_url: str | None = None, webhook_secret: str | None = None,
                      listen: str = "0.0.0.0", port: int = 8444) -> AsyncIterator[ZaloMessenger]:
        """Poll (or serve the webhook) while the block runs; yield the outbox's messenger."""
        if webhook_url and not webhook_secret:
            raise ValueError("a Zalo webhook needs a secret")
        if webhook_url:
            assert webhook_secret is not None
            work = asyncio.create_task(self.serve_webhook(webhook_url, webhook_secret, listen, port))
        else:
            work = asyncio.create_task(self.run())
        work.add_done_callback(_report_failure)
        keeper = asyncio.create_task(self.intake.run(self._stopping))  # takes over what a dead worker left
        keeper.add_done_callback(_report_failure)
        try:
            # The outbox's reminders offer numbered choices too: remember them for this chat.
            yield ZaloMessenger(self.client, patient=False, on_choices=self._remember)
        finally:
            self.stop()
            with contextlib.suppress(Exception):  # a failure was reported when it happened
                await asyncio.wait_for(work, DRAIN_SECONDS + self.poll_timeout)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(keeper, DRAIN_SECONDS)

    async def run(self) -> None:
        """Long-poll getUpdates and answer each event until stop() or cancellation."""
        await self._drop_webhook()
        loop = asyncio.get_running_loop()
        delay = self.backoff[0]
        log.info("Zalo polling started")
        try:
            while not self._stopping.is_set():
                started = loop.time()
                try:
                    update = await self._next_update()
                except Exception as exc:
                    # Zalo unavailable, its quota spent, a refused token (already alarmed), or a bug:
                    # keep the bot alive, but back off.
                    # Our errors are token-free; a bug's traceback is worth having.
                    log.error("getUpdates failed, polling again in %.1f s: %s", delay, exc,
                              exc_info=not isinstance(exc, ZaloAPIError))
                    await self._pause(delay)
                    delay = min(delay * 2, self.backoff[1])
                    continue
                delay = self.backoff[0]
                if update is None:
                    # A server that answers "nothing" at once must not turn this into a busy loop.
                    if loop.time() - started < MIN_EMPTY_POLL:
                        await self._pause(MIN_EMPTY_POLL)
                    continue
                await self._store_polled(update)
        finally:
            await self._drain()
            log.info("Zalo polling stopped")

    async def _store_polled(self, update: dict[str, Any]) -> None:
        """Store a polled update, retrying while the database is away: Zalo will not send it again."""
        delay = self.backoff[0]
        while True:
            try:
                await self._dispatch(update)
                return
            except Exception as exc:
                if self._stopping.is_set():
                    log.error("Zalo update lost at shutdown: the database is unavailable (%s)",
                              type(exc).__name__)
                    return
                log.warning("Zalo update not stored yet (%s); retrying in %.1f s", type(exc).__name__, delay)
                await self._pause(delay)
                delay = min(delay * 2, self.backoff[1])

    async def serve_webhook(self, url: str, secret: str, listen: str = "0.0.0.0", port: int = 8444,
                            path: str | None = None) -> None:
        """Register the webhook with Zalo and answer its calls until stop() or cancellation."""
        from aiohttp import web  # here, so that polling deployments need no web server

        path = path or urlsplit(url).path or "/"
        runner = web.AppRunner(self.webhook_app(secret, path), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, listen, port).start()
            await self.client.set_webhook(url, secret)
            log.info("Zalo webhook listening on %s:%s%s", listen, port, path)
            await self._stopping.wait()
        finally:
            await runner.cleanup()
            log.info("Zalo webhook stopped")

    def webhook_app(self, secret: str, path: str = "/zalo") -> web.Application:
        """Build the aiohttp app that takes Zalo's webhook calls at `path` (403 on a wrong secret)."""
        from aiohttp import web

        if not secret:
            raise ValueError("a webhook secret is required")
        expected = secret.encode("utf-8")

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
            if not hmac.compare_digest(given, expected):
                log.warning("Zalo webhook call with a wrong or missing secret refused")
                return web.Response(status=403)
            try:
                update = unwrap(await request.json())
            except ValueError:
                update = None
            if update is None:
                return web.Response(status=400, text="expected a JSON object")
            try:
                await self._dispatch(update)
            except Exception as exc:
                # Not stored, so not acknowledged: Zalo may send it again (the database is away).
                log.error("Zalo webhook update not stored (%s): answered 503", type(exc).__name__)
                return web.Response(status=503)
            # 200 only now that the update is in the inbox: a crash from here on loses nothing.
            return web.json_response({"ok": True})

        async def drain(app: web.Application) -> None:
            await self._drain()

        app = web.Application(client_max_size=MAX_WEBHOOK_BODY)
        app.router.add_post(path, receive)
        app.on_cleanup.append(drain)
        return app

    async def _drop_webhook(self) -> None:
        """Leave webhook mode: Zalo serves getUpdates only while no webhook is set."""
        try:
            url = str((await self.client.get_webhook_info()).get("url") or "")
        except ZaloAPIError as exc:
            log.warning("getWebhookInfo failed (%s); deleting any webhook before polling", exc)
            url = "?"
        if not url:
            return
        log.warning("a Zalo webhook is set (%s): it blocks polling, so it is deleted", url)
        try:
            await self.client.delete_webhook()
        except ZaloAPIError as exc:
            log.error("the Zalo webhook (%s) blocks polling and could not be deleted: %s; polling "
                      "receives nothing until it is (deleteWebhook), or set TCPL_ZALO_WEBHOOK_URL", url, exc)

    async def _next_update(self) -> dict[str, Any] | None:
        """Wait for one update, or for stop(); an update that already arrived is never dropped."""
        poll = asyncio.ensure_future(self.client.get_updates(self.poll_timeout))
        stopped = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({poll, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (poll, stopped):
                task.cancel()
            await asyncio.gather(poll, stopped, return_exceptions=True)
        if poll.cancelled():
            return None
        return poll.result()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _dispatch(self, update: dict[str, Any]) -> None:
        # Stored first (a redelivery is dropped there), then handled concurrently but a bounded
        # number at once: one slow chat does not hold the others.
        await self.intake.receive([(inbox_key(update), update, update)])

    async def _drain(self) -> None:
        """Let the events in hand finish; what still runs after DRAIN_SECONDS waits in the inbox."""
        await self.intake.drain(DRAIN_SECONDS)

    # -- one event -------------------------------------------------------------------------------

    async def handle_update(self, update: dict[str, Any]) -> None:
        """Answer one Zalo update; never raises, so one bad event cannot stop the loop."""
        event = parse_event(update)
        if event is None:
            log.info("Zalo update without a chat message ignored (%s)",
                     str(update.get("event_name"))[:60] if isinstance(update, dict) else "?")
            return
        if event.from_bot:
            return
        async with self._turn(event.chat_id):
            try:
                await self._answer(event)
            except Exception:
                log.exception("error while handling Zalo message %s", event.message_id or "?")

    @contextlib.asynccontextmanager
    async def _turn(self, chat_id: str) -> AsyncIterator[None]:
        """Take one chat's events in arrival order: a "1" must be read after the menu it answers."""
        # Nothing awaits before the lock, so tasks queue on it in the order they were created.
        turn = self._turns.get(chat_id)
        if turn is None:
            turn = self._turns[chat_id] = _Turn()
        turn.holders += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.holders -= 1
            if turn.holders == 0:
                del self._turns[chat_id]

    async def _answer(self, event: ZaloEvent) -> None:
        verdict = self.flood.check(f"{PLATFORM}:{event.user_id}")
        if not verdict.allowed:
            if verdict.warn:
                await self.send(event.chat_id, Reply(text=MSG_SLOW_DOWN))
            return
        if event.name != TEXT_EVENT or event.text is None:
            await self.send(event.chat_id, Reply(text=MSG_TEXT_ONLY))
            return
        if event.in_group and not in_group_scope(event.text.strip()):
            await self.send(event.chat_id, Reply(text=MSG_PRIVATE_ONLY))
            return
        n = choice_number(event.text)
        # Only a bare number can pick a choice: other messages do not need to look them up.
        choices = await self._shown_in(event.chat_id) if n is not None else ()
        if choices and n is not None and not 1 <= n <= len(choices):
            # A bare number after a menu is a mistyped choice, not a question worth searching for.
            await self.send(event.chat_id, Reply(text=MSG_NO_SUCH_CHOICE.format(n=n, count=len(choices))))
            return
        for n, reply in enumerate(await self.conversation.handle(self.incoming(event, choices))):
            if reply.choices:
                await self._remember(event.chat_id, reply.choices)
            keep_as = f"zalo-reply:{event.key}:{n}" if event.key else None
            await self.send(event.chat_id, reply, keep_as=keep_as)

    def incoming(self, event: ZaloEvent, choices: tuple[Choice, ...] = ()) -> Incoming:
        """Build the Incoming message; a bare number picks from the chat's last choices."""
        text = event.text or ""
        choice = chosen(text, choices)
        if event.in_group and not choice and split_command(text.strip()) is None:
            # In a group every text is a question: a progress phrase or an awaited note is taken
            # only in a private chat, where the bot knows who is answering for which agency.
            text = f"/hoi {text}"
        extras = {"sent_at": event.sent_at.isoformat()} if event.sent_at else {}
        return Incoming(
            platform=PLATFORM,
            chat_id=event.chat_id,
            user_id=event.user_id,
            text="" if choice else text,
            choice=choice.data if choice else None,
            display_name=event.display_name,
            extras=extras,
            update_id=event.key,
        )

    async def _shown_in(self, chat_id: str) -> tuple[Choice, ...]:
        return tuple(Choice(label, data) for label, data in await self.shown.recall(PLATFORM, chat_id))

    async def _remember(self, chat_id: str, choices: tuple[Choice, ...]) -> None:
        try:
            await self.shown.remember(PLATFORM, chat_id, [(c.label, c.data) for c in choices],
                                      self.clock.now())
        except Exception:
            # The reply still goes out; only answering it by number will not work.
            log.warning("choices for Zalo chat %s not remembered", chat_id, exc_info=True)

    async def send(self, chat_id: str, reply: Reply, keep_as: str | None = None) -> list[str]:
        """Answer a user now; a refusal is logged, never raised (and never read as a blocked user).

        A reply Zalo will not take now goes to the outbox under `keep_as` (its dedup key), when given.
        """
        try:
            return await self.messenger.send(chat_id, reply)
        except RetryLater as exc:
            if self.outbox is not None and keep_as is not None:
                # At least once: parts of a long reply that did go out are sent again with the rest.
                await self.outbox.enqueue(dedup_key=keep_as, platform=PLATFORM, chat_id=chat_id,
                                          payload=payload(with_document_notice(reply)),
                                          not_before=self.clock.now() + dt.timedelta(seconds=exc.retry_after),
                                          kind=KIND_REPLY, occurrence_id=None)
                log.warning("reply to Zalo chat %s kept in the outbox: %s", chat_id, exc)
                return []
            log.warning("reply to Zalo chat %s dropped: %s", chat_id, exc)
        except ZaloAPIError as exc:
            log.error("reply to Zalo chat %s failed: %s", chat_id, exc)
        return []


def in_group_scope(text: str) -> bool:
    """Tell whether a group may use this text: questions, numbers and the browsing commands."""
    command = split_command(text)
    return command is None or command[0] in GROUP_COMMANDS


def _report_failure(task: asyncio.Task[None]) -> None:
    # The adapter runs beside the scheduler: say at once if it died, not only at shutdown.
    if not task.cancelled() and task.exception() is not None:
        exc = task.exception()
        log.critical("Zalo adapter stopped: %s", exc if isinstance(exc, ZaloAPIError) else repr(exc))
