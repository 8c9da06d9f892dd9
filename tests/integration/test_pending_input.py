"""Pending input: what the bot asked a user to type next, taken once, forgotten when expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import PendingInputRow
from storage.tracking import PendingInputStore

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
WAIT = timedelta(minutes=10)


async def _rows(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(PendingInputRow)) or 0)


async def test_take_returns_it_once(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    pending = PendingInputStore(sessionmaker)
    await pending.expect("telegram", "1", "note:5", NOW + WAIT)
    await pending.expect("zalo", "1", "note:6", NOW + WAIT)

    assert await pending.take("telegram", "2", NOW) is None
    assert await pending.take("telegram", "1", NOW + WAIT - timedelta(seconds=1)) == "note:5"
    assert await pending.take("telegram", "1", NOW) is None
    assert await pending.take("zalo", "1", NOW) == "note:6"
    assert await _rows(sessionmaker) == 2  # one row per user at most: kept, taken


async def test_the_same_update_handled_again_takes_it_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # After a crash between taking the question and recording the note, the update comes again.
    pending = PendingInputStore(sessionmaker)
    await pending.expect("telegram", "1", "note:5", NOW + WAIT)
    assert await pending.take("telegram", "1", NOW, key="telegram:77") == "note:5"
    assert await pending.take("telegram", "1", NOW + WAIT * 3, key="telegram:77") == "note:5"
    assert await pending.take("telegram", "1", NOW, key="telegram:78") is None
    await pending.expect("telegram", "1", "note:9", NOW + WAIT)  # a new question is free again
    assert await pending.take("telegram", "1", NOW, key="telegram:78") == "note:9"


async def test_a_new_question_replaces_the_old(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    pending = PendingInputStore(sessionmaker)
    await pending.expect("telegram", "1", "note:5", NOW + WAIT)
    await pending.expect("telegram", "1", "note:7", NOW + 2 * WAIT)
    assert await pending.take("telegram", "1", NOW + WAIT + timedelta(minutes=1)) == "note:7"


async def test_an_expired_question_is_forgotten(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    pending = PendingInputStore(sessionmaker)
    await pending.expect("telegram", "1", "note:5", NOW + WAIT)
    assert await pending.take("telegram", "1", NOW + WAIT) is None
    assert await _rows(sessionmaker) == 0

    await pending.expect("telegram", "1", "note:5", NOW + 2 * WAIT)
    assert await pending.take("telegram", "1", NOW + WAIT) == "note:5"
