"""`tcpl web [--port P]`: serve the dashboard alone; `tcpl web link`: a one-time login link."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from bot.cli.common import EXIT_FAILURE, fail, fail_invalid, number_in_range, settings_or_exit, with_bot
from bot.clock import SystemClock
from bot.logs import configure_logging
from bot.wiring import load_all
from handlers.web_login import LINK_TTL, login_url
from knowledge.loader import InvalidKnowledge

DEFAULT_PORT = 8080

web_app = typer.Typer(help="The Department's dashboard.")


@web_app.callback(invoke_without_command=True)
def web(
    ctx: typer.Context,
    port: Annotated[int | None, typer.Option("--port", help="Default: TCPL_WEB_PORT, else 8080.")] = None,
) -> None:
    """Serve the dashboard alone (the bots keep running in `tcpl run`, or not at all)."""
    if ctx.invoked_subcommand is not None:
        return
    if port is not None:
        number_in_range("--port", port, 0, 65535)  # 0: any free port, named in the first line printed
    settings = settings_or_exit()
    configure_logging(settings.log_level, settings.secrets())
    try:
        knowledge, engine, policy = load_all(settings)
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        return
    chosen = next(p for p in (port, settings.web_port, DEFAULT_PORT) if p is not None)
    if settings.web_port is None:
        settings = settings.model_copy(update={"web_port": chosen})
    from bot.app import build_bot, stop_on_signals
    from bot.services import open_stores
    from bot.web_server import build_dashboard, serve_web

    async def serve() -> None:
        clock = SystemClock()
        async with open_stores(settings, knowledge.plans) as stores:
            bot = build_bot(settings, knowledge, engine, policy, stores, clock)
            stop = stop_on_signals()
            dashboard = build_dashboard(settings, knowledge, bot, clock)
            async with serve_web(settings, dashboard, port=chosen) as bound:
                typer.echo(f"Trang theo dõi: http://{settings.web_listen}:{bound}/ (Ctrl+C để dừng). "
                           "Lấy đường dẫn đăng nhập: tcpl web link", err=True)
                await stop.wait()

    try:
        asyncio.run(serve())
    except RuntimeError as exc:  # the port is taken, or the address is not this machine's
        fail(f"Không mở được trang theo dõi trên {settings.web_listen}:{chosen} "
             f"(cổng đang được dùng hoặc địa chỉ không hợp lệ): {exc}", EXIT_FAILURE)


@web_app.command("link")
def link() -> None:
    """Print a one-time login link (10 minutes) for whoever runs the server, alone on the last line."""
    settings = settings_or_exit()
    base = settings.dashboard_url() or f"http://127.0.0.1:{DEFAULT_PORT}"

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        return await bot.stores.web.create_link(None, "cli", SystemClock().now(), LINK_TTL)

    token = with_bot(settings, work)
    typer.echo("Đường dẫn đăng nhập trang theo dõi (dùng một lần, hết hạn sau 10 phút):")
    typer.echo(login_url(base, token))
