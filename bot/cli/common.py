"""What every command shares: settings, knowledge loading, the database, dates and error lines."""

from __future__ import annotations

import asyncio
import datetime as dt

import typer

from bot.clock import SystemClock
from bot.config import Settings
from bot.wiring import load_all, load_checked
from knowledge.loader import InvalidKnowledge, Knowledge


def settings_or_exit() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's message names the bad variable, never a secret's value
        typer.echo(f"Cấu hình không hợp lệ: {exc}", err=True)
        raise typer.Exit(2) from exc


def fail_invalid(exc: InvalidKnowledge) -> None:
    for p in exc.problems:
        typer.echo(str(p), err=True)
    typer.echo(f"{len(exc.problems)} lỗi: sổ tay hoặc kế hoạch không hợp lệ, bot không khởi động.", err=True)
    raise typer.Exit(1)


def knowledge_or_exit(settings: Settings) -> Knowledge:
    try:
        return load_checked(settings)[0]
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        raise


def with_bot(settings: Settings, work):  # type: ignore[no-untyped-def]
    """Open the database, wire the use cases, and run `work(bot, knowledge)`."""
    from bot.app import build_bot
    from bot.services import open_stores

    try:
        knowledge, engine, policy = load_all(settings)
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        raise

    async def go():  # type: ignore[no-untyped-def]
        async with open_stores(settings, knowledge.plans) as stores:
            bot = build_bot(settings, knowledge, engine, policy, stores, SystemClock())
            return await work(bot, knowledge)

    return asyncio.run(go())


def day_or_exit(text: str) -> dt.date:
    from handlers.reports import parse_day

    day = parse_day(text)
    if day is None:
        typer.echo(f"Ngày không hợp lệ: {text!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd).", err=True)
        raise typer.Exit(2)
    return day
