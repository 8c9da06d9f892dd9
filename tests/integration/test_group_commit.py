"""Group commit: concurrent small writes share transactions, and each caller still gets its own answer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.group_commit import GroupCommit
from storage.inbox import Inbox
from storage.tracking import PendingInputStore
from tests.integration.test_inbox import first_time

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _count_transactions(engine: AsyncEngine) -> list[int]:
    counter = [0]

    def begun(_connection: object) -> None:
        counter[0] += 1

    event.listen(engine.sync_engine, "begin", begun)
    return counter


async def test_a_burst_of_updates_shares_transactions(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    inbox = Inbox(sessionmaker)
    transactions = _count_transactions(engine)
    ids = [str(i) for i in range(300)] + ["7", "7", "150"]  # three redeliveries in the same burst

    fresh = await asyncio.gather(*(first_time(inbox, "telegram", u) for u in ids),
                                 *(inbox.handled("telegram", str(i), NOW) for i in range(100)))

    assert fresh[:300] == [True] * 300
    assert fresh[300:303] == [False, False, False]
    assert transactions[0] < 30  # one per round of arrivals and marks, not one per update
    assert await first_time(inbox, "telegram", "299") is False
    assert await first_time(inbox, "telegram", "300") is True


async def test_two_messages_at_once_take_the_pending_question_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    pending = PendingInputStore(sessionmaker)
    await pending.expect("telegram", "1", "note:5", NOW + timedelta(minutes=10))
    await pending.expect("telegram", "2", "note:6", NOW - timedelta(minutes=1))  # expired

    taken = await asyncio.gather(*(pending.take("telegram", u, NOW) for u in ("1", "1", "2", "3", "1")))

    assert taken.count("note:5") == 1
    assert taken[2] is None and taken[3] is None
    assert await pending.take("telegram", "2", NOW) is None  # the expired one was removed, not kept


async def test_a_failed_batch_reaches_each_caller_and_the_next_batch_works(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async def double(session: AsyncSession, numbers: Sequence[int]) -> list[int]:
        if any(n < 0 for n in numbers):
            raise ValueError("negative")
        return [2 * n for n in numbers]

    batcher: GroupCommit[int, int] = GroupCommit(sessionmaker, double)
    outcomes = await asyncio.gather(*(batcher.submit(n) for n in (1, -1, 2)), return_exceptions=True)
    # The first caller led alone; the two that queued meanwhile shared a batch, which failed whole.
    assert outcomes[0] == 2
    assert all(isinstance(o, ValueError) for o in outcomes[1:])
    assert await batcher.submit(21) == 42


async def test_a_caller_that_leaves_before_its_turn_is_not_written(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    seen: list[int] = []
    release = asyncio.Event()

    async def slow(session: AsyncSession, numbers: Sequence[int]) -> list[None]:
        seen.extend(numbers)
        await release.wait()
        return [None] * len(numbers)

    batcher: GroupCommit[int, None] = GroupCommit(sessionmaker, slow)
    first = asyncio.create_task(batcher.submit(1))
    await asyncio.sleep(0.05)  # the first batch is in flight
    second = asyncio.create_task(batcher.submit(2))
    third = asyncio.create_task(batcher.submit(3))
    await asyncio.sleep(0.01)
    second.cancel()
    release.set()
    await first
    await third
    with pytest.raises(asyncio.CancelledError):
        await second
    assert seen == [1, 3]
