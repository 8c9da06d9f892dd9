"""A fake Telegram Bot API server for end-to-end tests with the real python-telegram-bot client.

The server speaks HTTP on 127.0.0.1 (random port) and answers the way the Bot API does, including
the errors a careless bot meets in production: over-long or empty text, malformed HTML, callback
data over 64 bytes, flood control (429) and users who blocked the bot (403).

    async with FakeTelegramAPI(token="123:ABC") as api:
        application = api.application_builder().build()
        application.add_handler(...)
        async with running_application(application):
            api.push_update(api.message_update(user_id=42, text="/start"))
            [call] = await api.wait_for("sendMessage", chat_id=42)

Known simplifications: one message_id counter for all chats; MarkdownV2 text is not validated;
URLs given as documents are refused because nothing leaves the machine; the length limits count
Python characters, not UTF-16 code units.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import logging
import re
import ssl
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from aiohttp import web
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from tests.fakes.loopback import LoopbackServer

logger = logging.getLogger(__name__)

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_POLL_SECONDS = 1.0
MAX_COMMANDS = 100

# Values of these parameters are strings in the Bot API; PTB sends them raw, never JSON-encoded,
# so "123" as a text must stay a string.
_STRING_PARAMETERS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "language_code",
        "business_connection_id",
        "message_effect_id",
        "action",
        "name",
        "description",
        "short_description",
        "title",
        "emoji",
        "file_id",
        "document",
        "photo",
        "audio",
        "video",
        "voice",
        "sticker",
        "animation",
        "thumbnail",
        "question",
        "explanation",
        "address",
        "first_name",
        "last_name",
        "phone_number",
    }
)

# Methods PTB or a bot may call that need no state here; they answer True and are logged.
HARMLESS_METHODS = frozenset(
    {
        "sendChatAction",
        "deleteMessage",
        "deleteMessages",
        "setMyDescription",
        "setMyShortDescription",
        "setMyName",
        "setChatMenuButton",
        "setMyDefaultAdministratorRights",
        "setMessageReaction",
        "pinChatMessage",
        "unpinChatMessage",
        "close",
        "logOut",
    }
)

# Update types Telegram leaves out unless allowed_updates asks for them explicitly.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[^\s=<>\"'/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'<>]+))?)*)\s*>"
)
_ATTRIBUTE_RE = re.compile(r"([^\s=<>\"'/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'<>]+))?")
_HTML_ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LOOPBACK_HTTP_RE = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)")

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class BotAPIError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes = field(repr=False)
    mime_type: str | None = None

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {len(self.content)} bytes, {self.mime_type!r})"


class Call(NamedTuple):
    """One request to the Bot API: the method name and its decoded parameters."""

    method: str
    params: JSON


@dataclass
class Exchange:
    """One request and the answer it got; status is None when the client left before the answer."""

    method: str
    params: JSON
    status: int | None = None
    response: JSON | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class _Queued:
    update: JSON
    redelivery: bool


@dataclass
class _OpenTag:
    name: str
    start: int
    entity: JSON | None


class _ClientGone(Exception):
    """The long-polling client disconnected; nobody reads the answer."""


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Parse Bot API HTML into plain text and message entities, or raise a 400 BotAPIError."""
    plain: list[str] = []
    entities: list[JSON] = []
    stack: list[_OpenTag] = []
    utf16 = 0
    i = 0

    def fail(reason: str) -> BotAPIError:
        return BotAPIError(400, f"Bad Request: can't parse entities: {reason}")

    def byte_offset(position: int) -> int:
        return len(text[:position].encode("utf-8"))

    while i < len(text):
        char = text[i]
        if char == "<":
            match = _TAG_RE.match(text, i)
            if match is None:
                if ">" not in text[i:]:
                    raise fail(f"Unclosed start tag at byte offset {byte_offset(i)}")
                name_match = re.match(r"</?([^\s<>/]*)", text[i:])
                name = name_match.group(1) if name_match else ""
                raise fail(f'Unsupported start tag "{name}" at byte offset {byte_offset(i)}')
            closing, name, attribute_text = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1].name != name:
                    raise fail(f"Unexpected end tag at byte offset {byte_offset(i)}")
                opened = stack.pop()
                length = utf16 - opened.start
                if opened.entity is not None and length > 0:
                    entities.append({**opened.entity, "offset": opened.start, "length": length})
            else:
                attributes = {
                    key.lower(): html.unescape(value.strip("\"'")) if value else ""
                    for key, value in _ATTRIBUTE_RE.findall(attribute_text)
                }
                entity = _entity_for_tag(name, attributes, stack, fail, byte_offset(i))
                stack.append(_OpenTag(name, utf16, entity))
            i = match.end()
            continue
        if char == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            if match is None:
                raise fail(f'Character "&" at byte offset {byte_offset(i)} does not start an HTML entity')
            decoded = html.unescape(match.group(0))
            plain.append(decoded)
            utf16 += _utf16_length(decoded)
            i = match.end()
            continue
        plain.append(char)
        utf16 += _utf16_length(char)
        i += 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(plain), entities


def _entity_for_tag(
    name: str,
    attributes: dict[str, str],
    stack: list[_OpenTag],
    fail: Callable[[str], BotAPIError],
    position: int,
) -> JSON | None:
    if name not in _HTML_ENTITY_TYPES or (name == "span" and attributes.get("class") != "tg-spoiler"):
        raise fail(f'Unsupported start tag "{name}" at byte offset {position}')
    if name == "a":
        href = attributes.get("href")
        return {"type": "text_link", "url": href} if href else None
    if name == "blockquote" and "expandable" in attributes:
        return {"type": "expandable_blockquote"}
    if name == "code" and stack and stack[-1].name == "pre" and stack[-1].entity is not None:
        language = attributes.get("class", "")
        if language.startswith("language-"):
            stack[-1].entity["language"] = language.removeprefix("language-")
        return None
    return {"type": _HTML_ENTITY_TYPES[name]}


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_reply_markup(markup: Any) -> None:
    """Raise the Bot API's 400 error for an inline keyboard Telegram would refuse."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise BotAPIError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise BotAPIError(400, "Bad Request: can't parse inline keyboard button: expected an array of rows")
    if sum(len(row) for row in keyboard) > MAX_INLINE_BUTTONS:
        raise BotAPIError(400, "Bad Request: reply markup is too long")
    for button in itertools.chain.from_iterable(keyboard):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise BotAPIError(400, "Bad Request: can't parse inline keyboard button: Text must be a String")
        if not any(action in button for action in _BUTTON_ACTIONS):
            raise BotAPIError(
                400,
                "Bad Request: can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard",
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise BotAPIError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in button and not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
            raise BotAPIError(400, "Bad Request: BUTTON_URL_INVALID")


def _decode_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMETERS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _chat_key(chat_id: Any) -> int | str:
    if isinstance(chat_id, bool):
        raise BotAPIError(400, "Bad Request: chat not found")
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id).strip()
    try:
        return int(text)
    except ValueError:
        return text


class FakeTelegramAPI(LoopbackServer):
    """An in-process Telegram Bot API server with controls for tests.

    Attributes after start(): port, base_url ("http://127.0.0.1:PORT/bot", PTB appends the token)
    and base_file_url. Set allow_duplicates to push an update whose update_id was pushed before.
    """

    client_max_size = 64 * 1024 * 1024  # room for the documents a bot uploads

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "tcpl_test_bot",
        bot_first_name: str = "TCPL Test Bot",
        allow_duplicates: bool = False,
        strict_chats: bool = False,
        max_poll_seconds: float = MAX_POLL_SECONDS,
    ) -> None:
        super().__init__()
        self.token = token
        bot_id = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(bot_id) if bot_id.isdigit() else 1,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.allow_duplicates = allow_duplicates
        # With strict_chats, sending to a chat no update came from answers "chat not found".
        self.strict_chats = strict_chats
        # Long polls wait at most this long, whatever timeout the bot asks for.
        self.max_poll_seconds = max_poll_seconds


        self._exchanges: list[Exchange] = []
        self._sent: list[JSON] = []
        self._failures: defaultdict[str, deque[BotAPIError]] = defaultdict(deque)
        self._blocked: set[int | str] = set()
        self._garbled: defaultdict[str, int] = defaultdict(int)
        # Stalled methods: how many more calls may still pass before requests are held.
        self._stalls: dict[str, int] = {}
        self._held = 0

        self._queue: list[_Queued] = []
        self._seen_update_ids: set[int] = set()
        self._last_update_id = 0
        self._poll_generation = 0
        self._allowed_updates: list[str] | None = None
        self._webhook: JSON | None = None

        self._chats: dict[int | str, JSON] = {}
        self._messages: dict[tuple[int | str, int], JSON] = {}
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callback_queries: set[str] = set()
        self._answered_callback_queries: list[JSON] = []
        self._files: dict[str, tuple[UploadedFile, str]] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}

        self._methods: dict[str, Callable[[JSON, web.Request], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
        }
        # Bot API method names are case-insensitive.
        self._canonical = {name.lower(): name for name in [*self._methods, *HARMLESS_METHODS]}

    # -- lifecycle -------------------------------------------------------------------------------

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)

    @property
    def base_url(self) -> str:
        return f"{self._root_url()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self._root_url()}/file/bot"

    def _root_url(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeTelegramAPI is not started")
        return f"http://127.0.0.1:{self.port}"

    def application_builder(self, *, own_requests: bool = True) -> ApplicationBuilder:
        """Return an ApplicationBuilder with this server's token and URLs.

        With own_requests the builder gets local_request() objects (PTB's own HTTPXRequest),
        which start faster; pass False to configure the requests on the builder yourself.
        """
        builder = ApplicationBuilder().token(self.token).base_url(self.base_url)
        builder = builder.base_file_url(self.base_file_url)
        if own_requests:
            builder = builder.request(local_request())
            builder = builder.get_updates_request(local_request(connection_pool_size=1))
        return builder

    def bot(self) -> Bot:
        """Return an uninitialized PTB Bot that talks to this server (use `async with`)."""
        return Bot(
            self.token,
            base_url=self.base_url,
            base_file_url=self.base_file_url,
            request=local_request(),
            get_updates_request=local_request(connection_pool_size=1),
        )

    # -- test controls: updates ------------------------------------------------------------------

    def push_update(self, update: JSON, *, redeliver: bool = False) -> JSON:
        """Queue an update for getUpdates; assign update_id if missing and return the update.

        Pushing an update_id again (needs allow_duplicates or redeliver=True) simulates Telegram
        redelivering an update whose confirmation was lost: it is delivered once more even if
        its id is below the offset the bot has confirmed.
        """
        update = dict(update)
        if "update_id" not in update:
            self._last_update_id += 1
            update["update_id"] = self._last_update_id
        update_id = update["update_id"]
        duplicate = update_id in self._seen_update_ids
        if duplicate and not (redeliver or self.allow_duplicates):
            raise ValueError(
                f"update_id {update_id} was pushed before; set allow_duplicates to simulate redelivery"
            )
        if not duplicate and update_id < self._last_update_id:
            raise ValueError(f"update_id {update_id} must be greater than {self._last_update_id}")
        self._last_update_id = max(self._last_update_id, update_id)
        self._seen_update_ids.add(update_id)
        self._remember_update(update)
        self._queue.append(_Queued(update, redelivery=duplicate))
        self._notify()
        return update

    def message_update(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        first_name: str = "Tester",
        username: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """Build an update with a text message from a user (a private chat unless chat_id is given)."""
        user = self._user(user_id, first_name, username)
        chat = self._chat(user_id if chat_id is None else chat_id, user)
        message: JSON = {
            "message_id": next(self._message_ids),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_length(command)}]
        if reply_to_message_id is not None:
            message["reply_to_message"] = dict(
                self._messages.get(
                    (chat["id"], reply_to_message_id),
                    {"message_id": reply_to_message_id, "date": int(time.time()), "chat": chat},
                )
            )
        return {"message": message}

    def callback_update(
        self,
        user_id: int,
        data: str,
        message_id: int,
        chat_id: int | None = None,
        first_name: str = "Tester",
        username: str | None = None,
    ) -> JSON:
        """Build an update with a callback query from a button under message_id."""
        user = self._user(user_id, first_name, username)
        chat = self._chat(user_id if chat_id is None else chat_id, user)
        # A copy: later edits must not change an update that is already queued.
        message = dict(
            self._messages.get(
                (chat["id"], message_id),
                {"message_id": message_id, "from": self.bot_user, "chat": chat, "date": int(time.time())},
            )
        )
        return {
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": user,
                "chat_instance": f"instance-{chat['id']}",
                "message": message,
                "data": data,
            }
        }

    def add_file(self, content: bytes, filename: str, mime_type: str | None = None) -> JSON:
        """Store a file a user sent; return its Document dict for a message update."""
        return self._store_file(UploadedFile(filename, content, mime_type))

    def add_chat(self, chat: JSON) -> None:
        """Make a chat known, as if it had talked to the bot (matters with strict_chats)."""
        self._chats[_chat_key(chat["id"])] = dict(chat)

    @property
    def pending_updates(self) -> list[JSON]:
        return [queued.update for queued in self._queue]

    # -- test controls: faults -------------------------------------------------------------------

    def fail_next(self, method: str, times: int = 1, retry_after: float = 1) -> None:
        """Answer the next `times` calls of method with 429 flood control."""
        error = BotAPIError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )
        self._failures[self._method_name(method)].extend([error] * times)

    def fail_with(self, method: str, status: int, description: str, times: int = 1) -> None:
        """Answer the next `times` calls of method with the given HTTP status and description."""
        error = BotAPIError(status, description)
        self._failures[self._method_name(method)].extend([error] * times)

    def garble(self, method: str, times: int = 1) -> None:
        """Answer the next `times` calls of method with a broken status line ("HTTP/1.1 2x0 WHAT")."""
        self._garbled[self._method_name(method)] += times

    def block_chat(self, chat_id: int | str) -> None:
        """Answer sends to chat_id with 403, as when the user blocked the bot."""
        self._blocked.add(_chat_key(chat_id))

    def unblock_chat(self, chat_id: int | str) -> None:
        self._blocked.discard(_chat_key(chat_id))

    def stall(self, method: str, *, after: int = 0) -> None:
        """Hold calls of method (after letting `after` more pass) until release() or the client leaves.

        A held call is not processed: when its client disconnects (a killed process), it is answered
        with nothing, recorded as an exchange with status None, and the message counts as not sent.
        A call released while its client is still connected is processed and answered as usual.
        """
        self._stalls[self._method_name(method)] = after

    def release(self, method: str) -> None:
        """Stop holding calls of method; held calls whose client is still there are processed."""
        self._stalls.pop(self._method_name(method), None)
        self._notify()

    @property
    def held_requests(self) -> int:
        """How many requests are being held by stall() right now."""
        return self._held

    async def wait_held(self, count: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until exactly `count` requests are held (0: every held client has gone or been released)."""
        if not await self._wait_until(lambda: self._held == count, timeout):
            raise AssertionError(f"expected {count} held request(s) within {timeout}s, got {self._held}")

    def clear(self) -> None:
        """Forget recorded calls, sent messages, injected faults and blocks; keep updates and ids."""
        self._exchanges.clear()
        self._sent.clear()
        self._failures.clear()
        self._garbled.clear()
        self._blocked.clear()
        self._stalls.clear()
        self._answered_callback_queries.clear()

    # -- test controls: observations -------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every request in arrival order, getUpdates included, failed ones included."""
        return [Call(exchange.method, exchange.params) for exchange in self._exchanges]

    @property
    def exchanges(self) -> list[Exchange]:
        return list(self._exchanges)

    def errors(self) -> list[Exchange]:
        """Requests that were answered with an error."""
        return [e for e in self._exchanges if e.status is not None and e.status != 200]

    def sent_messages(self, chat_id: int | str | None = None) -> list[JSON]:
        """Successful sendMessage, editMessageText and sendDocument calls, oldest first.

        Each record has method, chat_id, message_id, text (as sent), plain_text (tags removed),
        parse_mode, reply_markup, caption, filename, content, mime_type and message (the result).
        """
        if chat_id is None:
            return list(self._sent)
        key = _chat_key(chat_id)
        return [record for record in self._sent if record["chat_id"] == key]

    @property
    def answered_callback_queries(self) -> list[JSON]:
        return list(self._answered_callback_queries)

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the test, not an I/O timeout
        chat_id: int | str | None = None,
        *,
        include_failed: bool = False,
    ) -> list[Call]:
        """Wait until `count` successful calls of method (to chat_id) arrived and return them all."""
        method = self._method_name(method)
        key = None if chat_id is None else _chat_key(chat_id)

        def matching() -> list[Call]:
            return [
                Call(e.method, e.params)
                for e in self._exchanges
                if e.method == method
                and (e.ok or (include_failed and e.status is not None))
                and (key is None or _safe_chat_key(e.params.get("chat_id")) == key)
            ]

        if await self._wait_until(lambda: len(matching()) >= count, timeout):
            return matching()
        received = "\n".join(
            f"  {e.method} -> {e.status}: {_short(e.params)}"
            for e in self._exchanges
            if e.method != "getUpdates"
        )
        where = "" if key is None else f" to chat {key}"
        raise AssertionError(
            f"expected {count} successful {method} call(s){where} within {timeout}s, "
            f"got {len(matching())}; received:\n{received or '  (nothing but getUpdates)'}"
        )

    # -- HTTP ------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            logger.warning("fake Telegram API: request with a wrong token")
            return web.json_response(BotAPIError(401, "Unauthorized").body(), status=401)
        params = await self._read_params(request)
        method = self._method_name(request.match_info["method"])
        exchange = Exchange(method, params)
        self._exchanges.append(exchange)
        self._notify()
        if self._garbled[method] > 0:
            self._garbled[method] -= 1
            assert request.transport is not None
            request.transport.write(b"HTTP/1.1 2x0 WHAT\r\nContent-Length: 0\r\n\r\n")
            request.transport.close()
            exchange.status = 0
            self._notify()
            return web.Response(status=499)
        if method in self._stalls and not await self._pass_stall(method, request):
            # The client left while held: nothing was processed, nobody reads an answer.
            self._notify()
            return web.Response(status=499)
        try:
            failures = self._failures.get(method)
            if failures:
                raise failures.popleft()
            handler = self._methods.get(method)
            if handler is not None:
                result = await handler(params, request)
            elif method in HARMLESS_METHODS:
                logger.info("fake Telegram API: %s answered with True", method)
                result = True
            else:
                raise BotAPIError(404, "Not Found")
            status, body = 200, {"ok": True, "result": result}
        except BotAPIError as error:
            status, body = error.status, error.body()
        except _ClientGone:
            self._notify()
            return web.Response(status=499)
        exchange.status, exchange.response = status, body
        self._notify()
        return web.json_response(body, status=status)

    async def _pass_stall(self, method: str, request: web.Request) -> bool:
        """Let a call pass, or hold it; return False when its client disconnected while held."""
        if self._stalls[method] > 0:
            self._stalls[method] -= 1
            return True
        self._held += 1
        self._notify()
        try:
            while method in self._stalls and not self._closing:
                if request.transport is None or request.transport.is_closing():
                    return False
                await asyncio.sleep(0.01)
            return not (request.transport is None or request.transport.is_closing())
        finally:
            self._held -= 1
            self._notify()

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(BotAPIError(401, "Unauthorized").body(), status=401)
        path = request.match_info["file_path"]
        for stored, file_path in self._files.values():
            if file_path == path:
                return web.Response(body=stored.content, content_type="application/octet-stream")
        return web.json_response(BotAPIError(404, "Not Found").body(), status=404)

    async def _read_params(self, request: web.Request) -> JSON:
        params: JSON = {name: _decode_value(name, value) for name, value in request.query.items()}
        if request.method != "POST" or not request.body_exists:
            return params
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
            return params
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                params[name] = UploadedFile(value.filename, value.file.read(), value.content_type)
            else:
                params[name] = _decode_value(name, str(value))
        return params

    # -- methods ---------------------------------------------------------------------------------

    async def _get_me(self, params: JSON, request: web.Request) -> JSON:
        return dict(self.bot_user)

    async def _get_updates(self, params: JSON, request: web.Request) -> list[JSON]:
        if self._webhook is not None:
            raise BotAPIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # wakes an older long poll, which then answers 409 like Telegram does
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(float(params.get("timeout") or 0), self.max_poll_seconds)
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or [])
        self._confirm(offset)

        def superseded() -> bool:
            return generation != self._poll_generation

        if timeout > 0:
            await self._wait_until(
                lambda: bool(self._deliverable(offset)) or superseded() or self._closing, timeout
            )
        if request.transport is None or request.transport.is_closing():
            raise _ClientGone
        if superseded():
            raise BotAPIError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        batch = self._deliverable(offset)[:limit]
        for queued in batch:
            if queued.redelivery:
                self._queue.remove(queued)
        return [queued.update for queued in batch]

    async def _send_message(self, params: JSON, request: web.Request) -> JSON:
        chat_id = self._target_chat(params)
        text = params.get("text")
        text = "" if text is None else str(text)
        plain, entities = self._formatted(text, params)
        if not plain.strip():
            raise BotAPIError(400, "Bad Request: message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise BotAPIError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        message = self._new_bot_message(chat_id, params, {"text": plain}, entities, "entities", markup)
        self._record_sent("sendMessage", chat_id, message, params, text=text)
        return message

    async def _edit_message_text(self, params: JSON, request: web.Request) -> JSON | bool:
        text = params.get("text")
        text = "" if text is None else str(text)
        plain, entities = self._formatted(text, params)
        if not plain.strip():
            raise BotAPIError(400, "Bad Request: message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise BotAPIError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        if params.get("inline_message_id"):
            self._sent.append(self._record("editMessageText", None, None, params, text=text))
            return True
        chat_id, stored = self._editable_message(params)
        if "text" not in stored:
            raise BotAPIError(400, "Bad Request: there is no text in the message to edit")
        new_markup = markup if _is_inline(markup) else None
        if (
            stored.get("text") == plain
            and stored.get("entities", []) == entities
            and stored.get("reply_markup") == new_markup
        ):
            raise BotAPIError(400, _NOT_MODIFIED)
        stored["text"] = plain
        _set_or_drop(stored, "entities", entities)
        _set_or_drop(stored, "reply_markup", new_markup)
        stored["edit_date"] = int(time.time())
        self._record_sent("editMessageText", chat_id, stored, params, text=text)
        return dict(stored)

    async def _edit_message_reply_markup(self, params: JSON, request: web.Request) -> JSON | bool:
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        if params.get("inline_message_id"):
            return True
        _, stored = self._editable_message(params)
        new_markup = markup if _is_inline(markup) else None
        if stored.get("reply_markup") == new_markup:
            raise BotAPIError(400, _NOT_MODIFIED)
        _set_or_drop(stored, "reply_markup", new_markup)
        stored["edit_date"] = int(time.time())
        return dict(stored)

    async def _answer_callback_query(self, params: JSON, request: web.Request) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callback_queries:
            raise BotAPIError(400, _QUERY_INVALID)
        self._callback_queries.discard(query_id)
        self._answered_callback_queries.append(dict(params))
        return True

    async def _send_document(self, params: JSON, request: web.Request) -> JSON:
        chat_id = self._target_chat(params)
        document = params.get("document")
        if isinstance(document, UploadedFile):
            file_info = self._store_file(document)
        elif isinstance(document, str) and document in self._files:
            stored, _ = self._files[document]
            file_info = self._document_dict(document, stored)
        elif document is None:
            raise BotAPIError(400, "Bad Request: there is no document in the request")
        else:
            raise BotAPIError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = params.get("caption")
        caption = None if caption is None else str(caption)
        plain, entities = self._formatted(caption or "", params)
        if len(plain) > MAX_CAPTION_LENGTH:
            raise BotAPIError(400, "Bad Request: message caption is too long")
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        content: JSON = {"document": file_info}
        if plain:
            content["caption"] = plain
        message = self._new_bot_message(chat_id, params, content, entities, "caption_entities", markup)
        stored_file, _ = self._files[file_info["file_id"]]
        self._record_sent("sendDocument", chat_id, message, params, caption=caption, upload=stored_file)
        return message

    async def _get_file(self, params: JSON, request: web.Request) -> JSON:
        file_id = str(params.get("file_id") or "")
        if file_id not in self._files:
            raise BotAPIError(400, "Bad Request: invalid file_id")
        stored, file_path = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"unique-{file_id}",
            "file_size": len(stored.content),
            "file_path": file_path,
        }

    async def _set_webhook(self, params: JSON, request: web.Request) -> bool:
        url = str(params.get("url") or "")
        if not url:
            self._webhook = None
            return True
        if not url.startswith("https://") and not _LOOPBACK_HTTP_RE.match(url):
            # Telegram demands HTTPS; plain HTTP to this machine is let through so webhook mode
            # can be tested without certificates.
            raise BotAPIError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {"url": url, "secret_token": params.get("secret_token")}
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or [])
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _delete_webhook(self, params: JSON, request: web.Request) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _get_webhook_info(self, params: JSON, request: web.Request) -> JSON:
        info: JSON = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _set_my_commands(self, params: JSON, request: web.Request) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise BotAPIError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise BotAPIError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or "description" not in command:
                raise BotAPIError(
                    400, "Bad Request: can't parse BotCommand: Can't find field \"description\""
                )
            if not _COMMAND_RE.match(str(command.get("command", ""))):
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not str(command["description"]).strip():
                raise BotAPIError(400, "Bad Request: command description must be non-empty")
        self._commands[self._commands_key(params)] = [dict(command) for command in commands]
        return True

    async def _delete_my_commands(self, params: JSON, request: web.Request) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    async def _get_my_commands(self, params: JSON, request: web.Request) -> list[JSON]:
        return [dict(command) for command in self._commands.get(self._commands_key(params), [])]

    # -- helpers ---------------------------------------------------------------------------------

    def _method_name(self, name: str) -> str:
        return self._canonical.get(name.lower(), name)


    def _confirm(self, offset: Any) -> None:
        if offset is None:
            return
        offset = int(offset)
        if offset < 0:
            del self._queue[: max(len(self._queue) + offset, 0)]
            return
        self._queue = [q for q in self._queue if q.redelivery or q.update["update_id"] >= offset]

    def _deliverable(self, offset: Any) -> list[_Queued]:
        allowed = self._allowed_updates
        kept: list[_Queued] = []
        for queued in self._queue:
            kind = next((key for key in queued.update if key != "update_id"), "")
            if (kind in allowed) if allowed else (kind not in _OPT_IN_UPDATE_TYPES):
                kept.append(queued)
            else:
                logger.info("fake Telegram API: drops a %s update that allowed_updates excludes", kind)
        self._queue = kept
        minimum = int(offset) if offset is not None and int(offset) > 0 else None
        ready = [q for q in kept if q.redelivery or minimum is None or q.update["update_id"] >= minimum]
        return sorted(ready, key=lambda q: q.update["update_id"])

    def _remember_update(self, update: JSON) -> None:
        for key in ("message", "edited_message", "channel_post"):
            message = update.get(key)
            if isinstance(message, dict):
                self._remember_message(message)
        query = update.get("callback_query")
        if isinstance(query, dict):
            self._callback_queries.add(str(query["id"]))
            if isinstance(query.get("message"), dict):
                chat = query["message"].get("chat")
                if isinstance(chat, dict):
                    self._chats.setdefault(_chat_key(chat["id"]), chat)

    def _remember_message(self, message: JSON) -> None:
        chat = message.get("chat")
        if not isinstance(chat, dict):
            return
        key = _chat_key(chat["id"])
        self._chats[key] = chat
        self._messages.setdefault((key, int(message["message_id"])), message)

    def _user(self, user_id: int, first_name: str, username: str | None) -> JSON:
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}
        if username is not None:
            user["username"] = username
        return user

    def _chat(self, chat_id: int, user: JSON) -> JSON:
        key = _chat_key(chat_id)
        if key in self._chats:
            return dict(self._chats[key])
        if isinstance(key, int) and key > 0:
            chat = {"id": key, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
            return chat
        kind = "supergroup" if str(key).startswith("-100") else "group"
        return {"id": key, "type": kind, "title": "Test group"}

    def _target_chat(self, params: JSON) -> int | str:
        if params.get("chat_id") in (None, ""):
            raise BotAPIError(400, "Bad Request: chat_id is empty")
        key = _chat_key(params["chat_id"])
        if key in self._blocked:
            raise BotAPIError(403, "Forbidden: bot was blocked by the user")
        if self.strict_chats and key not in self._chats:
            raise BotAPIError(400, "Bad Request: chat not found")
        return key

    def _chat_for_reply(self, key: int | str) -> JSON:
        if key in self._chats:
            return dict(self._chats[key])
        if isinstance(key, int) and key > 0:
            return {"id": key, "type": "private", "first_name": "Tester"}
        if isinstance(key, str):
            return {"id": -1000000000001, "type": "channel", "title": key, "username": key.lstrip("@")}
        return self._chat(key, {"first_name": "Tester"})

    def _formatted(self, text: str, params: JSON) -> tuple[str, list[JSON]]:
        parse_mode = str(params.get("parse_mode") or "")
        if parse_mode.lower() == "html":
            return parse_html(text)
        entities = params.get("entities") or params.get("caption_entities") or []
        return text, list(entities) if isinstance(entities, list) else []

    def _editable_message(self, params: JSON) -> tuple[int | str, JSON]:
        if params.get("chat_id") in (None, "") or params.get("message_id") in (None, ""):
            raise BotAPIError(400, "Bad Request: message identifier is not specified")
        chat_id = self._target_chat(params)
        stored = self._messages.get((chat_id, int(params["message_id"])))
        if stored is None:
            raise BotAPIError(400, "Bad Request: message to edit not found")
        if stored.get("from", {}).get("id") != self.bot_user["id"]:
            raise BotAPIError(400, "Bad Request: message can't be edited")
        return chat_id, stored

    def _new_bot_message(
        self,
        chat_id: int | str,
        params: JSON,
        content: JSON,
        entities: list[JSON],
        entities_key: str,
        markup: Any,
    ) -> JSON:
        message: JSON = {
            "message_id": next(self._message_ids),
            "from": dict(self.bot_user),
            "chat": self._chat_for_reply(chat_id),
            "date": int(time.time()),
            **content,
        }
        if entities:
            message[entities_key] = entities
        reply_to = params.get("reply_to_message_id")
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id", reply_to)
            allow_missing = reply_parameters.get("allow_sending_without_reply", False)
        else:
            allow_missing = params.get("allow_sending_without_reply", False)
        if reply_to is not None:
            replied = self._messages.get((chat_id, int(reply_to)))
            if replied is not None:
                message["reply_to_message"] = dict(replied)
            elif not allow_missing:
                raise BotAPIError(400, "Bad Request: message to be replied not found")
        if _is_inline(markup):
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        return dict(message)

    def _record(
        self,
        method: str,
        chat_id: int | str | None,
        message: JSON | None,
        params: JSON,
        *,
        text: str | None = None,
        caption: str | None = None,
        upload: UploadedFile | None = None,
    ) -> JSON:
        return {
            "method": method,
            "chat_id": chat_id,
            "message_id": None if message is None else message["message_id"],
            "text": text,
            "plain_text": None if message is None else message.get("text", message.get("caption")),
            "parse_mode": params.get("parse_mode"),
            "reply_markup": params.get("reply_markup"),
            "caption": caption,
            "filename": None if upload is None else upload.filename,
            "content": None if upload is None else upload.content,
            "mime_type": None if upload is None else upload.mime_type,
            "message": None if message is None else dict(message),
            "params": params,
        }

    def _record_sent(
        self, method: str, chat_id: int | str, message: JSON, params: JSON, **kwargs: Any
    ) -> None:
        self._sent.append(self._record(method, chat_id, message, params, **kwargs))

    def _store_file(self, upload: UploadedFile) -> JSON:
        number = next(self._file_ids)
        file_id = f"file-{number}"
        suffix = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "bin"
        self._files[file_id] = (upload, f"documents/file_{number}.{suffix}")
        return self._document_dict(file_id, upload)

    @staticmethod
    def _document_dict(file_id: str, upload: UploadedFile) -> JSON:
        document: JSON = {
            "file_id": file_id,
            "file_unique_id": f"unique-{file_id}",
            "file_name": upload.filename,
            "file_size": len(upload.content),
        }
        if upload.mime_type:
            document["mime_type"] = upload.mime_type
        return document

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


def _is_inline(markup: Any) -> bool:
    return isinstance(markup, dict) and "inline_keyboard" in markup


def _set_or_drop(target: JSON, key: str, value: Any) -> None:
    if value:
        target[key] = value
    else:
        target.pop(key, None)


def _safe_chat_key(chat_id: Any) -> int | str | None:
    if chat_id is None:
        return None
    try:
        return _chat_key(chat_id)
    except BotAPIError:
        return None


def _short(params: JSON, limit: int = 160) -> str:
    text = repr(params)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_TLS_CONTEXT: list[ssl.SSLContext] = []


def local_request(*, connection_pool_size: int = 256, **kwargs: Any) -> HTTPXRequest:
    """Return PTB's HTTPXRequest with one shared TLS context.

    Every new httpx client otherwise loads the CA bundle again (about 50 ms), which adds up over a
    test suite; plain HTTP to 127.0.0.1 never uses it.
    """
    if not _TLS_CONTEXT:
        _TLS_CONTEXT.append(ssl.create_default_context())
    return HTTPXRequest(
        connection_pool_size=connection_pool_size, httpx_kwargs={"verify": _TLS_CONTEXT[0]}, **kwargs
    )


@contextlib.asynccontextmanager
async def running_application(
    application: Application, *, poll_timeout: int = 1
) -> AsyncIterator[Application]:
    """Run application with polling for the duration of the block, then stop it cleanly."""
    updater = application.updater
    if updater is None:
        raise ValueError("the application has no Updater; build it without .updater(None)")
    async with application:
        await application.start()
        try:
            await updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
            try:
                yield application
            finally:
                if updater.running:
                    await updater.stop()
        finally:
            if application.running:
                await application.stop()


def texts(records: Iterable[JSON]) -> list[str | None]:
    """Return the plain text of each sent-message record, for compact assertions."""
    return [record["plain_text"] for record in records]
