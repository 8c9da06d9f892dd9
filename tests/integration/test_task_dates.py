"""Task dates: administrators' deadlines and recorded events, each stored once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from storage.models import TaskDateRow
from storage.tracking import TaskDateStore

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def test_deadlines_and_events_are_idempotent_and_apart(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    dates = TaskDateStore(sessionmaker)
    await dates.set_deadline("t2", date(2026, 9, 30), "telegram:1", NOW)
    await dates.set_deadline("t1", date(2026, 6, 30), "telegram:1", NOW)
    await dates.set_deadline("t1", date(2026, 6, 30), "zalo:2", NOW + timedelta(hours=1))  # again
    await dates.set_deadline("t1", date(2027, 6, 30), "telegram:1", NOW)
    await dates.record_event("t1", date(2026, 3, 1), "telegram:1", NOW)
    await dates.record_event("t1", date(2026, 3, 1), "telegram:1", NOW + timedelta(days=1))  # again

    assert await dates.deadlines() == [
        ("t1", date(2026, 6, 30)),
        ("t1", date(2027, 6, 30)),
        ("t2", date(2026, 9, 30)),
    ]
    assert await dates.events() == [("t1", date(2026, 3, 1))]

    async with sessionmaker() as session:
        first = await session.scalar(
            select(TaskDateRow).where(
                col(TaskDateRow.kind) == "deadline", col(TaskDateRow.day) == date(2026, 6, 30)
            )
        )
    assert first is not None and (first.set_by, first.set_at) == ("telegram:1", NOW)


async def test_nothing_recorded(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    dates = TaskDateStore(sessionmaker)
    assert await dates.deadlines() == []
    assert await dates.events() == []
