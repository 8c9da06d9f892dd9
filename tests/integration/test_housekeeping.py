"""Housekeeping: the queued question log reaches the database; old update ids are forgotten hourly."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduler import KEEP_UPDATE_IDS, Housekeeping
from storage.inbox import Inbox
from storage.repositories import QuestionLog
from tests.e2e.conftest import FakeClock
from tests.integration.test_inbox import first_time


async def test_housekeeping_flushes_questions_and_prunes_update_ids_hourly(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FakeClock()
    questions, updates = QuestionLog(sessionmaker), Inbox(sessionmaker)
    house = Housekeeping(questions, updates, clock)
    for update_id, at in (("old", clock.now() - KEEP_UPDATE_IDS - timedelta(minutes=1)),
                          ("recent", clock.now() - timedelta(hours=1))):
        await first_time(updates, "telegram", update_id, at)
        await updates.handled("telegram", update_id, at)
    await questions.record("telegram", "1", "Giá vàng hôm nay?", False, None, 0.0, clock.now())

    await house.once()

    assert await questions.flush() == 0  # already written
    assert await first_time(updates, "telegram", "old", clock.now()) is True  # forgotten, so new again
    assert await first_time(updates, "telegram", "recent", clock.now()) is False

    # Days later, what has grown old goes too.
    clock.advance(days=3)
    await house.once()
    assert await first_time(updates, "telegram", "recent", clock.now()) is True


async def test_housekeeping_runs_until_stopped(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    clock = FakeClock()
    questions = QuestionLog(sessionmaker)
    house = Housekeeping(questions, Inbox(sessionmaker), clock)
    stop = asyncio.Event()
    running = asyncio.create_task(house.run(stop))
    await questions.record("zalo", "1", "Giá vàng hôm nay?", False, None, 0.0, clock.now())
    reader = QuestionLog(sessionmaker)  # another instance: it sees only what reached the database
    since = clock.now() - timedelta(days=1)
    for _ in range(40):
        await asyncio.sleep(0.1)
        if await reader.unanswered(since):
            break
    stop.set()
    await asyncio.wait_for(running, 5)
    assert await reader.unanswered(since) == [("giá vàng hôm nay?", 1)]
