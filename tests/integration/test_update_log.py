"""Processed updates: a redelivered update is seen as a duplicate, also under concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import UpdateLog

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


async def test_first_time_then_duplicate(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    log = UpdateLog(sessionmaker)
    assert await log.first_time("telegram", "42", NOW) is True
    assert await log.first_time("telegram", "42", NOW + timedelta(seconds=5)) is False
    assert await log.first_time("zalo", "42", NOW) is True


async def test_concurrent_duplicates_pass_once(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    log = UpdateLog(sessionmaker)
    results = await asyncio.gather(*(log.first_time("telegram", "7", NOW) for _ in range(8)))
    assert results.count(True) == 1


async def test_prune_forgets_old_updates(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    log = UpdateLog(sessionmaker)
    await log.first_time("telegram", "old", NOW - timedelta(days=3))
    await log.first_time("telegram", "new", NOW)
    assert await log.prune(NOW - timedelta(days=1)) == 1
    assert await log.first_time("telegram", "old", NOW) is True
    assert await log.first_time("telegram", "new", NOW) is False
