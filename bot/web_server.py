"""Serve the dashboard (web/) with uvicorn: beside the bots in `tcpl run`, or alone in `tcpl web`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import uvicorn

from bot.config import Settings
from bot.workbook import ExcelWorkbook, report_csv
from handlers.ports import Clock
from knowledge.loader import Knowledge
from web.app import Dashboard, create_app

if TYPE_CHECKING:
    from bot.app import Bot

log = logging.getLogger(__name__)


def build_dashboard(settings: Settings, knowledge: Knowledge, bot: Bot, clock: Clock) -> Dashboard:
    """Give the dashboard the bot's stores and use cases, so both read and decide the same way."""
    stores = bot.stores
    base = settings.dashboard_url() or ""
    return Dashboard(plans=knowledge.plans, membership=bot.membership, reminders=bot.reminders,
                     occurrences=stores.occurrences, members=stores.members, questions=stores.questions,
                     access=stores.web, reads=stores.dashboard, workbook=ExcelWorkbook(),
                     report_csv=report_csv, clock=clock, tz=settings.tz, secure_cookies=base.startswith("https://"))


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handling: the process's stop event ends it with everything else."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serve_web(settings: Settings, dashboard: Dashboard, port: int | None = None) -> AsyncIterator[int]:
    """Listen for the dashboard while the block runs; yield the port (useful when asked for port 0)."""
    config = uvicorn.Config(
        create_app(dashboard), host=settings.web_listen,
        port=port if port is not None else (settings.web_port or 0),
        # No access log: login links carry their token in the path.
        log_config=None, access_log=False, lifespan="off", server_header=False, proxy_headers=True,
    )
    # The socket is bound here: uvicorn would end the whole process (sys.exit) on a taken port.
    try:
        family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        listening = socket.create_server((config.host, config.port), family=family)
    except OSError as exc:
        raise RuntimeError(f"the dashboard could not listen on {config.host}:{config.port}: {exc}") from exc
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[listening]), name="dashboard")
    while not server.started:
        if task.done():
            listening.close()
            task.result()
            raise RuntimeError("the dashboard stopped while starting")
        await asyncio.sleep(0.02)
    actual = server.servers[0].sockets[0].getsockname()[1]
    log.info("dashboard listening on http://%s:%s", settings.web_listen, actual)
    try:
        yield actual
    finally:
        server.should_exit = True
        await task
