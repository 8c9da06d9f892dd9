"""Engine settings, URL redaction, aware timestamps and surviving a killed connection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import make_engine, redact
from storage.models import ProcessedUpdateRow
from storage.repositories import AgencyStore, UpdateLog
from tests.integration.databases import asyncpg_dsn

HANOI = timezone(timedelta(hours=7))


def test_redact_hides_the_password() -> None:
    url = "postgresql+asyncpg://bot:s3cr%40t@db.example:5432/tcpl"
    shown = redact(url)
    assert "s3cr" not in shown
    assert shown == "postgresql+asyncpg://bot:***@db.example:5432/tcpl"
    assert redact("sqlite+aiosqlite:///data/tcpl.db") == "sqlite+aiosqlite:///data/tcpl.db"
    assert redact("not a url :// with secret") == "<unparseable database URL>"


def test_unsupported_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        make_engine("mysql+aiomysql://root:pw@localhost/db")


async def test_sqlite_engine_creates_directory_and_sets_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'dir' / 'bot.db'}")
    try:
        async with engine.connect() as connection:
            values = [
                (await connection.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            ]
    finally:
        await engine.dispose()
    assert values == ["wal", 1, 30000, 1]  # synchronous=NORMAL reads back as 1
    assert (tmp_path / "nested" / "dir" / "bot.db").exists()


async def test_timestamps_come_back_aware_utc(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    local = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=HANOI)
    await UpdateLog(sessionmaker).first_time("telegram", "1", local)
    async with sessionmaker() as session:
        stored = await session.scalar(select(ProcessedUpdateRow.processed_at))
    assert stored == local
    assert stored.tzinfo is UTC
    assert stored.hour == 1  # 08:30 in Hanoi is 01:30 UTC


async def test_comparisons_respect_time_zones(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    log = UpdateLog(sessionmaker)
    await log.first_time(
        "zalo", "early", datetime(2026, 3, 1, 6, 0, tzinfo=HANOI)
    )  # 23:00 UTC the day before
    await log.first_time("zalo", "late", datetime(2026, 3, 1, 0, 30, tzinfo=UTC))
    assert await log.prune(datetime(2026, 3, 1, 0, 0, tzinfo=UTC)) == 1
    assert await log.first_time("zalo", "late", datetime(2026, 3, 1, 1, 0, tzinfo=UTC)) is False


async def test_naive_datetime_is_refused(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        await UpdateLog(sessionmaker).first_time("telegram", "1", datetime(2026, 3, 1, 8, 0))


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_engine_survives_killed_connections(
    sessionmaker: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    agencies = AgencyStore(sessionmaker)
    assert await agencies.all() == []  # leaves a live connection in the pool

    killer = await asyncpg.connect(asyncpg_dsn(db_url))
    try:
        killed = await killer.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await killer.close()
    assert killed and all(row[0] for row in killed)

    assert await agencies.all() == []
