"""A fake Zalo Bot Platform API for end-to-end tests with the real Zalo client over loopback HTTP.

The server listens on 127.0.0.1 (random port) at /bot<TOKEN>/<method> and answers like Zalo:
{"ok": true, "result": ...} or {"ok": false, "error_code": N, "description": "..."}, including the
errors a careless bot meets: a wrong token (401), text over 2,000 characters (400), a user the bot
may not write to (403), flood control (429), and getUpdates answering 408 when nothing arrived.

    async with FakeZaloAPI(token="zalo-token") as api:
        client = ZaloClient("zalo-token", api.base_url)
        api.push_text("u1", "/start")
        [call] = await api.wait_for("sendMessage", chat_id="u1")

Known simplifications: getUpdates hands out one queued update per call and forgets it (no
acknowledgement); pushing the same update again simulates a redelivery; while a webhook is set,
getUpdates is refused with 409 and pushed updates wait in the queue (post them with
deliver_to_webhook); message ids are one counter for every chat.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import httpx
from aiohttp import web

from tests.fakes.loopback import LoopbackServer

logger = logging.getLogger(__name__)

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 2000
MAX_POLL_SECONDS = 1.0
SECRET_HEADER = "X-Bot-Api-Secret-Token"
REFUSAL = "Not allowed: the user has not interacted with the bot recently"


class ZaloError(Exception):
    """An ok:false answer, with the HTTP status it travels with."""

    def __init__(self, error_code: int, description: str, status: int | None = None,
                 extra: JSON | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.status = status if status is not None else (error_code if 400 <= error_code < 600 else 200)
        self.extra = extra or {}

    def body(self) -> JSON:
        return {"ok": False, "error_code": self.error_code, "description": self.description, **self.extra}


class Call(NamedTuple):
    method: str
    params: JSON


@dataclass
class Exchange:
    """One request and how it was answered (status None while a long poll is still waiting)."""

    method: str
    params: JSON
    status: int | None = None
    response: JSON | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))


class FakeZaloAPI(LoopbackServer):
    """An in-process Zalo Bot API server with controls for tests."""

    def __init__(self, token: str = "zalo-test-token", *, max_poll_seconds: float = MAX_POLL_SECONDS,
                 bot_name: str = "TCPL Zalo Bot", strict_chats: bool = False) -> None:
        super().__init__()
        self.token = token
        self.bot = {"id": "bot-1", "account_name": "tcpl.bot", "account_type": "BASIC",
                    "display_name": bot_name, "can_join_groups": False}
        self.max_poll_seconds = max_poll_seconds
        # With strict_chats, sending to a chat no message came from is refused like a silent user.
        self.strict_chats = strict_chats
        self.webhook: JSON | None = None

        self._queue: deque[JSON] = deque()
        self._exchanges: list[Exchange] = []
        self._sent: list[JSON] = []
        self._failures: defaultdict[str, deque[ZaloError]] = defaultdict(deque)
        self._refused: dict[str, str] = {}
        self._known_chats: set[str] = set()
        self._message_ids = itertools.count(1)
        self._methods: dict[str, Callable[[JSON, web.Request], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
        }

    # -- lifecycle -------------------------------------------------------------------------------

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._handle)

    @property
    def base_url(self) -> str:
        """The API root to give the client ("http://127.0.0.1:PORT"); it appends /bot<TOKEN>/."""
        if self.port is None:
            raise RuntimeError("FakeZaloAPI is not started")
        return f"http://127.0.0.1:{self.port}"

    # -- test controls: updates ------------------------------------------------------------------

    def text_update(self, user_id: str, text: str, *, display_name: str = "Tester",
                    chat_id: str | None = None, message_id: str | None = None) -> JSON:
        """Build a message.text.received update from a user (a private chat unless chat_id is given)."""
        return self.event_update("message.text.received", user_id, display_name=display_name,
                                 chat_id=chat_id, message_id=message_id, text=text)

    def event_update(self, event_name: str, user_id: str, *, display_name: str = "Tester",
                     chat_id: str | None = None, message_id: str | None = None, **fields: Any) -> JSON:
        """Build an update of any event (message.sticker.received, message.image.received…)."""
        chat = str(chat_id if chat_id is not None else user_id)
        message: JSON = {
            "from": {"id": str(user_id), "display_name": display_name, "is_bot": False},
            "chat": {"id": chat, "chat_type": "PRIVATE" if chat == str(user_id) else "GROUP"},
            "message_id": message_id or f"msg-{next(self._message_ids):06d}",
            "date": int(time.time() * 1000),
            **fields,
        }
        return {"event_name": event_name, "message": message}

    def push_update(self, update: JSON) -> JSON:
        """Queue an update for getUpdates; pushing one again simulates Zalo redelivering it."""
        message = update.get("message") or {}
        chat = (message.get("chat") or {}).get("id")
        if chat is not None:
            self._known_chats.add(str(chat))
        self._queue.append(update)
        self._notify()
        return update

    def push_text(self, user_id: str, text: str, display_name: str = "Tester", **kw: Any) -> JSON:
        """Queue a text message from a user; return the update."""
        return self.push_update(self.text_update(user_id, text, display_name=display_name, **kw))

    def push_event(self, event_name: str, user_id: str, **kw: Any) -> JSON:
        """Queue a non-text event (a sticker, an image…) from a user; return the update."""
        return self.push_update(self.event_update(event_name, user_id, **kw))

    @property
    def pending_updates(self) -> list[JSON]:
        return list(self._queue)

    async def deliver_to_webhook(self, update: JSON, url: str | None = None,
                                 secret: str | None = None) -> int:
        """POST an update to a webhook the way Zalo does; return the HTTP status.

        Without url/secret, uses the webhook set through setWebhook. secret=None sends no header.
        """
        if url is None:
            if self.webhook is None:
                raise RuntimeError("no webhook is set; pass url")
            url, secret = self.webhook["url"], secret or self.webhook.get("secret_token")
        message = update.get("message") or {}
        chat = (message.get("chat") or {}).get("id")
        if chat is not None:
            self._known_chats.add(str(chat))
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.post(url, json=update, headers=headers)
        return response.status_code

    # -- test controls: faults -------------------------------------------------------------------

    def fail_next(self, method: str, error_code: int = 500, description: str = "Internal server error",
                  *, status: int | None = None, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next `times` calls of method with ok:false error_code (HTTP status as given)."""
        extra = {} if retry_after is None else {"parameters": {"retry_after": retry_after}}
        error = ZaloError(error_code, description, status, extra)
        self._failures[method].extend([error] * times)

    def refuse_chat(self, chat_id: str, description: str = REFUSAL) -> None:
        """Refuse every sendMessage to chat_id, as Zalo does for a user the bot may not write to."""
        self._refused[str(chat_id)] = description

    def allow_chat(self, chat_id: str) -> None:
        self._refused.pop(str(chat_id), None)

    def clear(self) -> None:
        """Forget recorded calls, sent messages, injected faults and refusals; keep queued updates."""
        self._exchanges.clear()
        self._sent.clear()
        self._failures.clear()
        self._refused.clear()

    # -- test controls: observations -------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every request in arrival order, getUpdates and failed ones included."""
        return [Call(e.method, e.params) for e in self._exchanges]

    @property
    def exchanges(self) -> list[Exchange]:
        return list(self._exchanges)

    def errors(self) -> list[Exchange]:
        """Requests answered with ok:false (getUpdates' 408 "nothing arrived" included)."""
        return [e for e in self._exchanges if e.status is not None and not e.ok]

    def sent_messages(self, chat_id: str | None = None) -> list[JSON]:
        """Accepted sendMessage calls, oldest first: {chat_id, text, message_id, date}."""
        return [m for m in self._sent if chat_id is None or m["chat_id"] == str(chat_id)]

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [m["text"] for m in self.sent_messages(chat_id)]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the test, not an I/O timeout
        chat_id: str | None = None,
        *,
        include_failed: bool = False,
    ) -> list[Call]:
        """Wait until `count` successful calls of method (to chat_id) were answered; return them."""

        def matching() -> list[Call]:
            return [
                Call(e.method, e.params)
                for e in self._exchanges
                if e.method == method
                and (e.ok or (include_failed and e.status is not None))
                and (chat_id is None or str(e.params.get("chat_id")) == str(chat_id))
            ]

        if await self._wait_until(lambda: len(matching()) >= count, timeout):
            return matching()
        received = "\n".join(
            f"  {e.method} -> {e.status}: {_short(e.params)}" for e in self._exchanges
            if e.method != "getUpdates"
        )
        where = "" if chat_id is None else f" to chat {chat_id}"
        raise AssertionError(
            f"expected {count} successful {method} call(s){where} within {timeout}s, "
            f"got {len(matching())}; received:\n{received or '  (nothing but getUpdates)'}"
        )

    # -- HTTP ------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._read_params(request)
        exchange = Exchange(method, params)
        self._exchanges.append(exchange)
        self._notify()
        try:
            if request.match_info["token"] != self.token:
                logger.warning("fake Zalo API: %s with a wrong token", method)
                raise ZaloError(401, "Unauthorized: invalid bot token")
            failures = self._failures.get(method)
            if failures:
                raise failures.popleft()
            handler = self._methods.get(method)
            if handler is None:
                raise ZaloError(404, f"Not Found: method {method} does not exist")
            result = await handler(params, request)
            status, body = 200, {"ok": True, "result": result}
        except ZaloError as error:
            status, body = error.status, error.body()
        exchange.status, exchange.response = status, body
        self._notify()
        return web.json_response(body, status=status)

    async def _read_params(self, request: web.Request) -> JSON:
        params: JSON = dict(request.query)
        if request.method == "POST" and request.body_exists:
            try:
                body = json.loads(await request.text())
            except ValueError:
                body = None
            if isinstance(body, dict):
                params.update(body)
        return params

    # -- methods ---------------------------------------------------------------------------------

    async def _get_me(self, params: JSON, request: web.Request) -> JSON:
        return dict(self.bot)

    async def _get_updates(self, params: JSON, request: web.Request) -> JSON:
        if self.webhook is not None:
            raise ZaloError(409, "Conflict: getUpdates is not available while a webhook is set")
        try:
            timeout = float(params.get("timeout") or 0)
        except (TypeError, ValueError):
            raise ZaloError(400, "Bad Request: timeout must be a number") from None
        await self._wait_until(lambda: bool(self._queue) or self._closing,
                               min(max(timeout, 0.0), self.max_poll_seconds))
        if request.transport is None or request.transport.is_closing():
            # The bot gave up on this poll (it is stopping): keep the update for the next one.
            raise ZaloError(499, "client closed the request")
        if not self._queue:
            raise ZaloError(408, "Request timeout")
        return self._queue.popleft()

    async def _send_message(self, params: JSON, request: web.Request) -> JSON:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise ZaloError(400, "Bad Request: chat_id is required")
        chat_id = str(chat_id)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ZaloError(400, "Bad Request: text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise ZaloError(400, f"Bad Request: text is longer than {MAX_TEXT_LENGTH} characters")
        if chat_id in self._refused:
            raise ZaloError(403, self._refused[chat_id])
        if self.strict_chats and chat_id not in self._known_chats:
            raise ZaloError(403, REFUSAL)
        message = {"message_id": f"bot-{next(self._message_ids):06d}", "date": int(time.time() * 1000)}
        self._sent.append({"chat_id": chat_id, "text": text, **message})
        return message

    async def _set_webhook(self, params: JSON, request: web.Request) -> JSON:
        url = params.get("url")
        secret = params.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("https://", "http://127.0.0.1")):
            raise ZaloError(400, "Bad Request: url must be an HTTPS URL")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise ZaloError(400, "Bad Request: secret_token must be 8 to 256 characters")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": int(time.time() * 1000)}
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    async def _delete_webhook(self, params: JSON, request: web.Request) -> JSON:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _get_webhook_info(self, params: JSON, request: web.Request) -> JSON:
        if self.webhook is None:
            return {"url": "", "updated_at": None}
        return {"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]}

    # -- helpers ---------------------------------------------------------------------------------



def _short(params: JSON, limit: int = 160) -> str:
    text = repr(params)
    return text if len(text) <= limit else text[: limit - 3] + "..."
