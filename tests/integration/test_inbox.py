"""The inbox: updates stored once, handled, taken over when their worker died, pruned when old."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.inbox import MAX_ATTEMPTS, Inbox
from storage.models import QuestionLogRow
from storage.repositories import QuestionLog

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


async def first_time(inbox: Inbox, platform: str, update_id: str, now: datetime = NOW,
                     worker: str = "w1") -> bool:
    [fresh] = await inbox.receive(platform, [(update_id, {"update_id": update_id})], now, worker, LEASE)
    return fresh


async def test_an_update_is_new_once_per_platform(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    inbox = Inbox(sessionmaker)
    assert await first_time(inbox, "telegram", "42") is True
    assert await first_time(inbox, "telegram", "42", NOW + timedelta(seconds=5)) is False
    assert await first_time(inbox, "zalo", "42") is True


async def test_concurrent_redeliveries_are_new_once(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    inbox = Inbox(sessionmaker)
    results = await asyncio.gather(*(first_time(inbox, "telegram", "7") for _ in range(8)))
    assert results.count(True) == 1
    batch = await inbox.receive("telegram", [("8", {}), ("8", {}), ("9", {})], NOW, "w1", LEASE)
    assert batch == [True, False, True]


async def test_an_update_whose_worker_died_is_taken_over_after_the_lease(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessionmaker)
    await inbox.receive("telegram", [("1", {"update_id": 1}), ("2", {"update_id": 2})], NOW, "dead", LEASE)
    await inbox.handled("telegram", "1", NOW)
    assert await inbox.unhandled("telegram") == 1
    # While the lease runs nobody else takes it; afterwards one worker does, and only one.
    assert await inbox.claim("telegram", NOW + LEASE - timedelta(seconds=1), LEASE, "w2") == []
    later = NOW + LEASE + timedelta(seconds=1)
    [row] = await inbox.claim("telegram", later, LEASE, "w2")
    assert (row.update_id, row.payload, row.attempts) == ("2", {"update_id": 2}, 2)
    assert await inbox.claim("telegram", later, LEASE, "w3") == []
    assert await inbox.claim("zalo", later + LEASE * 2, LEASE, "w3") == []  # another platform's rows


async def test_a_living_worker_keeps_its_updates_by_renewing_the_lease(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessionmaker)
    await first_time(inbox, "zalo", "slow", worker="alive")
    assert await inbox.renew("alive", NOW + LEASE, LEASE) == 1
    assert await inbox.claim("zalo", NOW + LEASE + timedelta(seconds=1), LEASE, "other") == []
    await inbox.handled("zalo", "slow", NOW + LEASE)
    assert await inbox.renew("alive", NOW + LEASE, LEASE) == 0


async def test_an_update_that_keeps_failing_is_given_up(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessionmaker)
    await first_time(inbox, "telegram", "poison")
    moment = NOW
    for attempt in range(2, MAX_ATTEMPTS + 1):
        moment += LEASE + timedelta(seconds=1)
        [row] = await inbox.claim("telegram", moment, LEASE, f"w{attempt}")
        assert row.attempts == attempt
    assert await inbox.claim("telegram", moment + LEASE * 2, LEASE, "last") == []
    assert await inbox.unhandled() == 0


async def test_prune_forgets_old_handled_updates_only(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    inbox = Inbox(sessionmaker)
    for update_id in ("old", "new", "unhandled"):
        await first_time(inbox, "telegram", update_id, NOW - timedelta(days=3))
    await inbox.handled("telegram", "old", NOW - timedelta(days=3))
    await inbox.handled("telegram", "new", NOW)
    assert await inbox.prune(NOW - timedelta(days=1)) == 1
    assert await first_time(inbox, "telegram", "old") is True
    assert await first_time(inbox, "telegram", "new") is False
    assert await inbox.unhandled() == 2  # "unhandled", and "old" received again


async def test_a_worker_that_stops_releases_what_it_holds(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessionmaker)
    await first_time(inbox, "telegram", "left", worker="stopping")
    assert await inbox.release("stopping", NOW + timedelta(seconds=1)) == 1
    [row] = await inbox.claim("telegram", NOW + timedelta(seconds=2), LEASE, "next")
    assert row.update_id == "left"


async def test_the_mark_writes_the_questions_its_handling_logged(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    log = QuestionLog(sessionmaker)
    inbox = Inbox(sessionmaker, log)
    assert await first_time(inbox, "telegram", "5")
    await log.record("telegram", "u5", "Tiêu chí 1 là gì?", True, "qd27-tc1", 0.9, NOW)
    await inbox.handled("telegram", "5", NOW)
    # Written in the mark's transaction: nothing left in memory for a crash to lose.
    assert log.take() == [] and await inbox.unhandled() == 0
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(QuestionLogRow))).scalar() == 1


async def test_a_failed_mark_keeps_the_questions_for_the_next_write(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    log = QuestionLog(sessionmaker)
    inbox = Inbox(sessionmaker, log)
    assert await first_time(inbox, "telegram", "6")
    await log.record("telegram", "u6", "Ai công nhận xã đạt chuẩn?", False, None, 0.1, NOW)
    async with sessionmaker() as session, session.begin():
        await session.execute(text("DROP TABLE inbox"))  # the mark fails as on a lost database
    with pytest.raises(DBAPIError):
        await inbox.handled("telegram", "6", NOW)
    assert await log.flush() == 1  # the row was queued again, not lost with the failed mark
