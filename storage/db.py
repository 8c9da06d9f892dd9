"""Async engine, sessions and schema upgrades for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# Relative to the working directory, like the bot's other local data (data/ is git-ignored).
DEFAULT_URL = "sqlite+aiosqlite:///data/tcpl.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# WAL lets readers work while the bot writes; busy_timeout makes a second writer wait instead of failing.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
)


def make_engine(url: str) -> AsyncEngine:
    """Create an async engine for a sqlite+aiosqlite or postgresql+asyncpg URL."""
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        # pre_ping replaces connections that a server restart or an admin's kill left dead in the pool.
        return create_async_engine(parsed, pool_pre_ping=True)
    raise ValueError(f"unsupported database URL {redact(url)}: use sqlite+aiosqlite or postgresql+asyncpg")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return a session factory whose objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def redact(url: str | URL) -> str:
    """Return the URL with its password masked, fit for logs."""
    try:
        return _parse(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # An unparseable URL may still hold a secret somewhere: show none of it.
        return "<unparseable database URL>"


def alembic_config(url: str) -> Config:
    """Build an Alembic configuration for this package's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    # Passed as an attribute, not an option: ConfigParser would choke on a '%' in an encoded password.
    config.attributes["url"] = url
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database schema up to the given revision (head by default)."""
    # env.py runs its own event loop, so Alembic must not run on the caller's loop thread.
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


def _parse(url: str | URL) -> URL:
    return url if isinstance(url, URL) else make_url(url)


def _sqlite_engine(url: URL) -> AsyncEngine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url)
    event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    return engine


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()
