"""Throw-away test databases (SQLite file or fresh PostgreSQL database) as async context managers."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import make_engine, make_sessionmaker, redact, upgrade

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


class DatabaseUnavailable(RuntimeError):
    """The PostgreSQL server for tests cannot be reached."""


def postgres_server_url() -> str:
    """Return the URL of the server that test databases are created on."""
    return os.environ.get("TCPL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def postgres_required() -> bool:
    """Tell whether a missing PostgreSQL server must fail the run instead of skipping."""
    return os.environ.get("TCPL_REQUIRE_POSTGRES") == "1"


def asyncpg_dsn(url: str) -> str:
    """Turn a SQLAlchemy URL into the plain DSN that asyncpg.connect takes."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def sqlite_database(directory: Path) -> AsyncIterator[str]:
    """Yield the URL of a fresh SQLite file in this directory."""
    yield f"sqlite+aiosqlite:///{directory / 'tcpl-test.db'}"


@asynccontextmanager
async def postgres_database(server_url: str | None = None) -> AsyncIterator[str]:
    """Create a uniquely named database, yield its URL and drop it afterwards."""
    server_url = server_url or postgres_server_url()
    name = f"tcpl_test_{secrets.token_hex(6)}"
    try:
        admin = await asyncpg.connect(asyncpg_dsn(server_url), timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        raise DatabaseUnavailable(
            f"PostgreSQL not reachable at {redact(server_url)} : {type(exc).__name__}: {exc}"
        ) from exc
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(asyncpg_dsn(server_url), timeout=5)
        try:
            # FORCE ends connections a failed test left open (PostgreSQL 13+).
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@asynccontextmanager
async def migrated_engine(url: str) -> AsyncIterator[AsyncEngine]:
    """Upgrade the database to head and yield an engine on it, disposed afterwards."""
    await upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


@asynccontextmanager
async def migrated_sessionmaker(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Upgrade the database to head and yield a session factory on it."""
    async with migrated_engine(url) as engine:
        yield make_sessionmaker(engine)
