"""A fake Zalo Bot Platform API for end-to-end tests with the real Zalo client over loopback HTTP.

The server listens on 127.0.0.1 (random port) at /bot<TOKEN>/<method> and answers as Zalo's Bot
Platform documentation says: {"ok": true, "result": ...} or {"ok": false, "error_code": N,
"description": "..."}, with only the documented codes and wording (DOCUMENTED): 400 for a bad request
(text over 2,000 characters…), 401 for a wrong or revoked token, 404 for an unknown method, 408 from
getUpdates when nothing arrived; 403 ("Internal server error") and 429 ("Quota exceeded") are
injected by tests (fail_next, fail_chat).

    async with FakeZaloAPI(token="zalo-token") as api:
        client = ZaloClient("zalo-token", api.base_url)
        api.push_text("u1", "/start")
        [call] = await api.wait_for("sendMessage", chat_id="u1")

As documented: getUpdates hands out one update per call and forgets it once returned (there is no
offset); dates are milliseconds; webhook calls carry {"ok": true, "result": update} and the secret
in X-Bot-Api-Secret-Token. Where the documentation is silent the fake is silent too: while a webhook
is set, getUpdates simply receives nothing (408) and pushed updates wait in the queue (post them with
deliver_to_webhook); no code says "this user blocked the bot", and no retry_after comes with a 429.
Pushing the same update again simulates a redelivery; message ids are one counter for every chat.
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
# Zalo's error table: the only codes and descriptions this fake answers with.
DOCUMENTED = {
    400: "Bad request",
    401: "Token expired or invalid",
    403: "Internal server error",
    404: "Not found",
    408: "Request timeout",
    429: "Quota exceeded",
}


class ZaloError(Exception):
    """An ok:false answer, with the HTTP status it travels with."""

    def __init__(self, error_code: int, description: str | None = None, status: int | None = None):
        description = description or DOCUMENTED.get(error_code)
        if description is None:
            raise ValueError(f"error {error_code} is not in Zalo's documentation: give its description")
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.status = status if status is not None else (error_code if 400 <= error_code < 600 else 200)

    def body(self) -> JSON:
        return {"ok": False, "error_code": self.error_code, "description": self.description}


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
                 bot_name: str = "TCPL Zalo Bot") -> None:
        super().__init__()
        self.token = token
        self.bot = {"id": "bot-1", "account_name": "tcpl.bot", "account_type": "BASIC",
                    "display_name": bot_name, "can_join_groups": False}
        self.max_poll_seconds = max_poll_seconds
        self.webhook: JSON | None = None
        self.token_revoked = False

        self._queue: deque[JSON] = deque()
        self._exchanges: list[Exchange] = []
        self._sent: list[JSON] = []
        self._failures: defaultdict[str, deque[ZaloError]] = defaultdict(deque)
        self._failing_chats: dict[str, int] = {}
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
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        body = update if "ok" in update else {"ok": True, "result": update}  # as Zalo wraps it
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.post(url, json=body, headers=headers)
        return response.status_code

    # -- test controls: faults -------------------------------------------------------------------

    def fail_next(self, method: str, error_code: int = 403, description: str | None = None,
                  *, status: int | None = None, times: int = 1) -> None:
        """Answer the next `times` calls of method with ok:false error_code and its documented text."""
        error = ZaloError(error_code, description, status)
        self._failures[method].extend([error] * times)

    def fail_chat(self, chat_id: str, error_code: int = 403) -> None:
        """Answer every sendMessage to chat_id with a documented error until allow_chat."""
        ZaloError(error_code)  # only a documented code
        self._failing_chats[str(chat_id)] = error_code

    def allow_chat(self, chat_id: str) -> None:
        self._failing_chats.pop(str(chat_id), None)

    def revoke_token(self) -> None:
        """Answer every call with 401, as for an expired token, until restore_token."""
        self.token_revoked = True

    def restore_token(self) -> None:
        self.token_revoked = False

    def clear(self) -> None:
        """Forget recorded calls, sent messages and injected faults; keep queued updates."""
        self._exchanges.clear()
        self._sent.clear()
        self._failures.clear()
        self._failing_chats.clear()
        self.token_revoked = False

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
            if request.match_info["token"] != self.token or self.token_revoked:
                logger.warning("fake Zalo API: %s with a wrong or revoked token", method)
                raise ZaloError(401)
            failures = self._failures.get(method)
            if failures:
                raise failures.popleft()
            handler = self._methods.get(method)
            if handler is None:
                raise ZaloError(404)
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
        try:
            timeout = float(params.get("timeout") or 0)
        except (TypeError, ValueError):
            raise ZaloError(400) from None
        # The documentation says only that getUpdates does not work while a webhook is set.
        webhook_set = self.webhook is not None
        await self._wait_until(lambda: (bool(self._queue) and not webhook_set) or self._closing,
                               min(max(timeout, 0.0), self.max_poll_seconds))
        if request.transport is None or request.transport.is_closing():
            # The bot gave up on this poll (it is stopping): keep the update for the next one.
            raise ZaloError(499, "client closed the request")
        if not self._queue or webhook_set:
            raise ZaloError(408)
        return self._queue.popleft()

    async def _send_message(self, params: JSON, request: web.Request) -> JSON:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise ZaloError(400)
        chat_id = str(chat_id)
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT_LENGTH:
            raise ZaloError(400)  # documented: 1 to 2,000 characters
        if chat_id in self._failing_chats:
            raise ZaloError(self._failing_chats[chat_id])
        message = {"message_id": f"bot-{next(self._message_ids):06d}", "date": int(time.time() * 1000)}
        self._sent.append({"chat_id": chat_id, "text": text, **message})
        return message

    async def _set_webhook(self, params: JSON, request: web.Request) -> JSON:
        url = params.get("url")
        secret = params.get("secret_token")
        # Documented: an HTTPS URL; plain http is let through on loopback only, for the tests.
        if not isinstance(url, str) or not url.startswith(("https://", "http://127.0.0.1")):
            raise ZaloError(400)
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise ZaloError(400)
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
