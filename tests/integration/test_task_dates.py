"""Task dates: administrators' deadlines (one per task and period) and events (one per task)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from storage.models import TaskDateRow
from storage.records import TaskDateRecord
from storage.tracking import TaskDateStore

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def test_a_date_set_again_replaces_the_one_of_its_period(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    dates = TaskDateStore(sessionmaker)
    assert await dates.set_deadline("kh", "t2", date(2026, 9, 30), "telegram:1", NOW) is None
    assert await dates.set_deadline("kh", "t1", date(2026, 6, 30), "telegram:1", NOW) is None
    replaced = await dates.set_deadline("kh", "t1", date(2026, 7, 15), "zalo:2", NOW + timedelta(hours=1))
    assert replaced == date(2026, 6, 30)
    await dates.set_deadline("kh", "t1", date(2027, 6, 30), "telegram:1", NOW)
    await dates.set_deadline("kh-2", "t1", date(2026, 5, 1), "telegram:1", NOW)  # another plan's t1
    assert await dates.record_event("kh", "t1", date(2026, 3, 1), "telegram:1", NOW) is None
    corrected = await dates.record_event("kh", "t1", date(2026, 3, 5), "telegram:1", NOW + timedelta(days=1))
    assert corrected == date(2026, 3, 1)

    assert await dates.deadlines() == [
        TaskDateRecord("kh", "t1", "2026", date(2026, 7, 15)),
        TaskDateRecord("kh", "t1", "2027", date(2027, 6, 30)),
        TaskDateRecord("kh", "t2", "2026", date(2026, 9, 30)),
        TaskDateRecord("kh-2", "t1", "2026", date(2026, 5, 1)),
    ]
    assert await dates.events() == [TaskDateRecord("kh", "t1", "event", date(2026, 3, 5))]

    async with sessionmaker() as session:
        latest = await session.scalar(
            select(TaskDateRow).where(col(TaskDateRow.kind) == "deadline", col(TaskDateRow.period) == "2026",
                                      col(TaskDateRow.task_id) == "t1", col(TaskDateRow.plan_id) == "kh")
        )
    assert latest is not None and (latest.set_by, latest.set_at) == ("zalo:2", NOW + timedelta(hours=1))


async def test_dates_are_removed(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    dates = TaskDateStore(sessionmaker)
    await dates.set_deadline("kh", "t1", date(2026, 6, 30), "cli", NOW)
    await dates.set_deadline("kh", "t1", date(2027, 6, 30), "cli", NOW)
    await dates.record_event("kh", "t6", date(2026, 3, 1), "cli", NOW)
    assert await dates.clear_deadline("kh", "t1", "2027") == [date(2027, 6, 30)]
    assert await dates.clear_deadline("kh", "t1") == [date(2026, 6, 30)]
    assert await dates.clear_deadline("kh", "t1") == []
    assert await dates.clear_event("kh", "t6") == [date(2026, 3, 1)]
    assert await dates.deadlines() == [] and await dates.events() == []


async def test_nothing_recorded(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    dates = TaskDateStore(sessionmaker)
    assert await dates.deadlines() == []
    assert await dates.events() == []
