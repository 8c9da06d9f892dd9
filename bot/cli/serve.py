"""`tcpl run`: serve the configured platforms, or the console chat."""

from __future__ import annotations

import asyncio

from bot.cli.common import fail_invalid, settings_or_exit
from bot.logs import configure_logging
from bot.wiring import load_sources
from knowledge.loader import InvalidKnowledge


def run() -> None:
    """Start the bot: Telegram when a token is set, otherwise the console chat."""
    settings = settings_or_exit()
    configure_logging(settings.log_level, settings.secrets())
    try:
        knowledge, sources, policy = load_sources(settings)
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        return
    from bot.app import serve  # imports the database and platform libraries only when serving

    asyncio.run(serve(settings, knowledge, sources.engine, policy, sources))
