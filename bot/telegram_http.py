"""PTB's connection to the Bot API over aiohttp, through PTB's own extension point (BaseRequest).

PTB's default transport is httpx. Its connection pool checks every pooled connection for each
request it places, so under a burst of replies — a few hundred handlers sending at once — the
pool bookkeeping cost more than answering the questions (measured with `make bench`). aiohttp,
already used for the webhook and Zalo servers, keeps idle connections in a queue instead. The
errors keep PTB's meaning: a timeout is TimedOut, any other transport failure NetworkError.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# Bot API calls in flight at once; more wait for a free connection (PTB's default is 256).
CONNECTIONS = 32


class AiohttpRequest(BaseRequest):
    """Make PTB's Bot API requests with one pooled aiohttp session."""

    def __init__(self, connections: int = CONNECTIONS, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = None, media_write_timeout: float | None = 20.0) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        # No separate pool timeout by default: under a burst a reply waits its turn for a connection
        # instead of failing after PTB's usual 1 s; the request's overall deadline still bounds it.
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                # PTB reads the body itself and maps every status; aiohttp must not raise on them.
                raise_for_status=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            # Not connected yet (the Bot API was unreachable at start): a send is put off, not lost.
            raise NetworkError("not connected to the Bot API yet")
        body: Any = None
        headers = {"User-Agent": self.USER_AGENT}
        files = request_data.multipart_data if request_data and request_data.contains_files else None
        if files:
            assert request_data is not None
            # Unquoted: Telegram shows a file name as sent, and aiohttp would percent-encode
            # "báo-cáo.xlsx" into "b%C3%A1o-c%C3%A1o.xlsx" (httpx, PTB's default, sends UTF-8 too).
            form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
            for name, (filename, content, mime_type) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            body = form
        elif request_data is not None and request_data.parameters:
            # JSON, which the Bot API takes for every call without a file: Vietnamese text goes as
            # UTF-8 (a form would percent-encode each letter into six to nine bytes) and a reply's
            # keyboard as an object, with no urlencoding pass over the whole answer.
            try:
                body = json.dumps(request_data.parameters, ensure_ascii=False,
                                  separators=(",", ":")).encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate past the cleaning: escaped, never a crash here
                body = json.dumps(request_data.parameters, separators=(",", ":")).encode("ascii")
            headers["Content-Type"] = "application/json"
        write = self._chosen(write_timeout, self._media_write_timeout if files else self._write_timeout)
        read = self._chosen(read_timeout, self._read_timeout)
        connect = self._chosen(connect_timeout, self._connect_timeout)
        pool = self._chosen(pool_timeout, self._pool_timeout)
        # aiohttp has no write timeout of its own, so the sum of the deadlines bounds the whole
        # exchange (waiting for a connection included); sock_read bounds each wait for the answer.
        total = None if read is None or write is None else read + write + (connect or 0) + (pool or 0)
        timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read,
                                        connect=None if pool is None or connect is None else pool + connect)
        try:
            async with self._session.request(method, url, data=body, timeout=timeout,
                                             headers=headers) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # The class name helps when the message is empty; URLs are not included (they hold the token).
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc

    @staticmethod
    def _chosen(value: Any, default: float | None) -> float | None:
        """Return the caller's timeout, or this request's default when PTB passed none."""
        return default if isinstance(value, DefaultValue) else value


class UpdatesRequest(AiohttpRequest):
    """The connection PTB polls getUpdates on, keeping each answer as Telegram sent it.

    The inbox stores an update as it came; PTB hands back parsed objects only. Polls run one at a
    time on this connection, so the last answer is the batch get_updates() just returned.
    """

    def __init__(self) -> None:
        super().__init__(connections=1)
        self.last_answer: list[dict[str, Any]] = []

    async def post(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().post(*args, **kwargs)
        self.last_answer = [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []
        return result
