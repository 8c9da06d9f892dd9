"""`tcpl run`: serve the configured platforms, or the console chat."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from bot.cli.common import EXIT_USAGE, fail, fail_invalid, settings_or_exit
from bot.logs import configure_logging
from bot.wiring import load_sources
from knowledge.loader import InvalidKnowledge

MSG_NOTHING_TO_SERVE = (
    "Chưa cấu hình nền tảng nào và không có ai gõ vào cửa sổ dòng lệnh: hãy đặt TCPL_TELEGRAM_TOKEN "
    "hoặc TCPL_ZALO_TOKEN (xem .env.example), hoặc chạy tcpl run trong một cửa sổ dòng lệnh để trò chuyện."
)


def run(
    verbose: Annotated[bool, typer.Option("-v", "--verbose",
                                          help="Also print log lines on stderr (console chat).")] = False,
) -> None:
    """Start the bot: Telegram and Zalo when a token is set, otherwise the console chat."""
    settings = settings_or_exit()
    console = not settings.platforms()
    # In the console chat, log lines would land between the questions and the answers: they go to
    # the data folder's log file (and to stderr too with -v). A platform server logs to stderr.
    configure_logging(settings.log_level, settings.secrets(),
                      log_file=settings.log_file if console else None, to_stderr=verbose or not console)
    try:
        knowledge, sources, policy = load_sources(settings)
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        return
    from bot.app import serve  # imports the database and platform libraries only when serving
    from bot.console import NoConsoleInput

    try:
        asyncio.run(serve(settings, knowledge, sources.engine, policy, sources))
    except NoConsoleInput:
        fail(MSG_NOTHING_TO_SERVE, EXIT_USAGE)
