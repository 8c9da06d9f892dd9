"""`tcpl run`: serve the configured platforms, or the console chat."""

from __future__ import annotations

import asyncio

import typer

from bot.cli.common import fail_invalid, settings_or_exit
from bot.logs import configure_logging
from bot.wiring import load_all
from knowledge.loader import InvalidKnowledge


def run() -> None:
    """Start the bot: Telegram when a token is set, otherwise the console chat."""
    settings = settings_or_exit()
    configure_logging(settings.log_level, settings.secrets())
    try:
        knowledge, engine, policy = load_all(settings)
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        return
    from bot.app import serve  # imports the database and platform libraries only when serving
    from bot.clock import SystemClock
    from handlers.task_refs import no_plan_in_force

    notice = no_plan_in_force(knowledge.plans, SystemClock().now().astimezone(settings.tz).date())
    if notice:
        # Said before anything starts: without a plan in force the bot answers but reminds no one.
        typer.echo(notice, err=True)

    asyncio.run(serve(settings, knowledge, engine, policy))
