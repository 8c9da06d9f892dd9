"""What every fake platform API shares: an aiohttp server on 127.0.0.1 and a way to wait for changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Self

from aiohttp import web


class LoopbackServer:
    """Listen on 127.0.0.1 on a free port; subclasses add their routes in _add_routes().

    _notify() wakes everything waiting in _wait_until(), which re-checks its condition: tests wait
    for what the bot did, long polls wait for updates.
    """

    client_max_size = 1024 * 1024  # aiohttp's default request body limit

    def __init__(self) -> None:
        self.listen_port = 0  # a free port, unless a test needs the server where a bot already looks
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._changed = asyncio.Event()

    def _add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port."""
        if self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        app = web.Application(client_max_size=self.client_max_size)
        self._add_routes(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self.listen_port)
        await site.start()
        self._runner = runner
        self._closing = False
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        """Release waiting long polls and close the server."""
        if self._runner is None:
            return
        self._closing = True
        self._notify()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._changed
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                return condition()
        return True
