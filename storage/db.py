"""Async engine, sessions and schema upgrades for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import filelock
from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.defaults import DEFAULT_URL

__all__ = ["DEFAULT_URL", "OPENING_ERRORS", "DatabaseUnavailable", "make_engine", "make_sessionmaker",
           "redact", "schema_revisions", "unavailable", "upgrade"]
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Alembic keeps its migration context in a module global: one upgrade at a time in a process.
_UPGRADE_LOCK = threading.Lock()
MIGRATION_LOCK_WAIT = 300.0  # seconds: another process's upgrade of a large file may take a while

# WAL lets readers work while the bot writes; busy_timeout makes a second writer wait instead of failing.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",  # other processes (CLI, a second worker) wait their turn
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


class DatabaseUnavailable(Exception):
    """The database cannot be opened or written: its URL (password hidden) and the reason, in one line."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database schema up to the given revision (head by default).

    Raises DatabaseUnavailable when the database cannot be reached, opened or written.
    """
    # env.py runs its own event loop, so Alembic must not run on the caller's loop thread.
    def run() -> None:
        with _UPGRADE_LOCK, _file_lock(url):
            command.upgrade(alembic_config(url), revision)

    try:
        await asyncio.to_thread(run)
    except OPENING_ERRORS as exc:
        raise unavailable(url, exc) from exc


# What opening a database may meet: a missing folder or file lock, a refused connection, a database
# that does not exist or is read-only, a schema newer than this program, a lock held too long.
OPENING_ERRORS = (OSError, DBAPIError, CommandError, filelock.Timeout)


def unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    """Say in one line which database failed (password hidden) and why: the driver's first line."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return DatabaseUnavailable(redact(url), text[:300])


@contextlib.contextmanager
def _file_lock(url: str) -> Iterator[None]:
    """Hold a lock file beside a SQLite database while its schema is upgraded.

    Processes starting together on a fresh file (several `tcpl db upgrade`, or the bot and a
    command) would otherwise each find no tables and each create them. PostgreSQL takes an
    advisory lock instead (see migrations/env.py).
    """
    parsed = _parse(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        yield
        return
    path = Path(database).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(f"{path}.migrate.lock", timeout=MIGRATION_LOCK_WAIT):
        yield


async def schema_revisions(url: str) -> tuple[str | None, str | None]:
    """Return the database's schema revision (None before the first upgrade) and the code's latest one.

    Reads only: a health check must not change the database it looks at.
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            current = await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision())
    finally:
        await engine.dispose()
    return current, head


def _parse(url: str | URL) -> URL:
    return url if isinstance(url, URL) else make_url(url)


def _sqlite_engine(url: URL) -> AsyncEngine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # One connection per process: SQLite has a single writer anyway, and queueing in the pool is fair
    # and cheap, where many connections would spin on the file lock under a burst of updates.
    engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=120)
    event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _begin_immediate(connection: Any) -> None:
    # SQLite has one writer. A deferred transaction that reads, then writes, can find the lock taken
    # and fail at once with "database is locked" (busy_timeout does not help an upgrade). Taking the
    # write lock at BEGIN makes every writer wait its turn instead, which is what the bot needs under
    # a burst of updates.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()
