"""Housekeeping: the queued question log reaches the database; old update ids and questions are forgotten
hourly."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduler import KEEP_UPDATE_IDS, Housekeeping
from storage.inbox import Inbox
from storage.repositories import QuestionLog
from tests.e2e.conftest import FakeClock
from tests.integration.test_inbox import first_time

KEEP_QUESTIONS = timedelta(days=90)
EVER = datetime(2000, 1, 1, tzinfo=UTC)


async def test_housekeeping_flushes_questions_and_prunes_update_ids_hourly(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FakeClock()
    questions, updates = QuestionLog(sessionmaker), Inbox(sessionmaker)
    house = Housekeeping(questions, updates, clock, KEEP_QUESTIONS)
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
    house = Housekeeping(questions, Inbox(sessionmaker), clock, KEEP_QUESTIONS)
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


async def test_questions_older_than_the_retention_period_are_deleted(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FakeClock()
    questions = QuestionLog(sessionmaker)
    house = Housekeeping(questions, Inbox(sessionmaker), clock, KEEP_QUESTIONS)
    await questions.record("telegram", "1", "Câu hỏi đầu tiên?", False, None, 0.0, clock.now())
    clock.advance(days=60)
    await questions.record("zalo", "2", "Câu hỏi thứ hai?", False, None, 0.0, clock.now())
    await house.once()
    assert {q for q, _ in await questions.unanswered(EVER)} == {"câu hỏi đầu tiên?", "câu hỏi thứ hai?"}

    clock.advance(days=30, minutes=-1)  # the first is 89 days 23:59 old: kept
    await house.once()
    assert len(await questions.unanswered(EVER)) == 2

    clock.advance(minutes=61)  # 90 days and an hour: deleted at the next hourly pass
    await questions.record("zalo", "2", "Câu hỏi mới?", False, None, 0.0, clock.now())
    await house.once()
    assert {q for q, _ in await questions.unanswered(EVER)} == {"câu hỏi thứ hai?", "câu hỏi mới?"}

    clock.advance(days=89)
    await house.once()
    assert {q for q, _ in await questions.unanswered(EVER)} == {"câu hỏi mới?"}
