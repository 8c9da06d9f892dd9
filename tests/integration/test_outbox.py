"""Outbox: dedup, claiming under a lease, crash recovery, concurrent dispatchers, outcomes, counts."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxRow
from storage.records import AgencyRecord, OutboxRecord
from storage.tracking import OccurrenceStore, OutboxStore

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
PAYLOAD = {
    "title": "Nhắc hạn: nhiệm vụ 1.2",
    "text": "Xin cập nhật tiến độ.",
    "note": None,
    "choices": [["Xong", "p:1:d"]],
}


@pytest.fixture
def outbox(sessionmaker: async_sessionmaker[AsyncSession]) -> OutboxStore:
    return OutboxStore(sessionmaker)


@pytest.fixture
async def occurrence_id(sessionmaker: async_sessionmaker[AsyncSession], agencies: list[AgencyRecord]) -> int:
    """Store one occurrence for the messages to be about."""

    class Item:
        plan_id, task_id, agency_id, period = "kh", "t1", "ubnd-xa-a", "2026"
        due, source = date(2026, 3, 31), "plan"

    store = OccurrenceStore(sessionmaker)
    await store.reconcile([Item()], {("kh", "t1")}, {"2026"}, {Item.due: NOW}, NOW)
    [occ] = await store.for_agency("ubnd-xa-a")
    return occ.id


async def _enqueue(
    outbox: OutboxStore,
    key: str,
    not_before: datetime = NOW,
    occurrence_id: int | None = None,
    chat: str = "7",
) -> bool:
    return await outbox.enqueue(
        dedup_key=key,
        platform="telegram",
        chat_id=chat,
        payload=PAYLOAD,
        not_before=not_before,
        kind="reminder" if occurrence_id else "escalation",
        occurrence_id=occurrence_id,
    )


async def _row(sessionmaker: async_sessionmaker[AsyncSession], row_id: int) -> OutboxRow:
    async with sessionmaker() as session:
        row = await session.get(OutboxRow, row_id)
    assert row is not None
    return row


async def test_enqueue_ignores_a_repeated_dedup_key(outbox: OutboxStore, occurrence_id: int) -> None:
    assert await _enqueue(outbox, "rem:1:d-7:telegram:7", occurrence_id=occurrence_id) is True
    assert await _enqueue(outbox, "rem:1:d-7:telegram:7", NOW + timedelta(days=1)) is False
    assert await _enqueue(outbox, "esc:t1:2026-03-31:telegram:7") is True
    assert await outbox.counts() == {"pending": 2, "sending": 0, "sent": 0, "failed": 0}

    [first, second] = await outbox.claim(NOW, 10, LEASE, "w1")
    assert first == OutboxRecord(
        id=first.id,
        dedup_key="rem:1:d-7:telegram:7",
        platform="telegram",
        chat_id="7",
        payload=PAYLOAD,
        kind="reminder",
        attempts=0,
        occurrence_id=occurrence_id,
        status="sending",
    )
    assert (second.kind, second.occurrence_id) == ("escalation", None)


async def test_claim_respects_not_before_order_and_limit(
    outbox: OutboxStore, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    for n, delay in enumerate([30, 0, 10, 20]):
        await _enqueue(outbox, f"k{n}", NOW + timedelta(minutes=delay))

    assert await outbox.claim(NOW - timedelta(seconds=1), 10, LEASE, "w1") == []
    assert [r.dedup_key for r in await outbox.claim(NOW + timedelta(minutes=25), 2, LEASE, "w1")] == [
        "k1",
        "k2",
    ]
    assert [r.dedup_key for r in await outbox.claim(NOW + timedelta(minutes=25), 10, LEASE, "w1")] == ["k3"]
    assert await outbox.claim(NOW + timedelta(minutes=25), 0, LEASE, "w1") == []
    assert await outbox.counts() == {"pending": 1, "sending": 3, "sent": 0, "failed": 0}

    async with sessionmaker() as session:
        claimed = (await session.scalars(select(OutboxRow).where(col(OutboxRow.status) == "sending"))).all()
    assert {(r.claimed_by, r.lease_until) for r in claimed} == {("w1", NOW + timedelta(minutes=25) + LEASE)}


async def test_an_expired_lease_is_claimed_again(
    outbox: OutboxStore, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _enqueue(outbox, "k")
    [row] = await outbox.claim(NOW, 10, LEASE, "crashed")

    # The worker died without reporting: nobody may take the row while its lease runs.
    assert await outbox.claim(NOW + LEASE - timedelta(seconds=1), 10, LEASE, "w2") == []
    assert await outbox.claim(NOW + LEASE, 10, LEASE, "w2") == []
    [again] = await outbox.claim(NOW + LEASE + timedelta(seconds=1), 10, LEASE, "w2")
    assert again.id == row.id
    assert again.attempts == 1  # the crashed try counts
    stored = await _row(sessionmaker, row.id)
    assert (stored.status, stored.claimed_by) == ("sending", "w2")
    assert stored.lease_until == NOW + 2 * LEASE + timedelta(seconds=1)


async def test_the_first_outcome_wins(
    outbox: OutboxStore, sessionmaker: async_sessionmaker[AsyncSession], occurrence_id: int
) -> None:
    await _enqueue(outbox, "k", occurrence_id=occurrence_id)
    [row] = await outbox.claim(NOW, 10, LEASE, "slow")
    await outbox.claim(NOW + 2 * LEASE, 10, LEASE, "w2")  # the slow worker's lease ran out

    await outbox.mark_sent(row.id, ["501"], NOW + 2 * LEASE)  # w2 delivered
    # The slow worker reports late: a sent row must not go back to the queue or turn failed.
    await outbox.reschedule(row.id, NOW + 3 * LEASE, "timeout", count_attempt=True)
    await outbox.mark_failed(row.id, "unreachable", NOW + 3 * LEASE)
    await outbox.mark_sent(row.id, ["502"], NOW + 3 * LEASE)

    stored = await _row(sessionmaker, row.id)
    assert (stored.status, stored.sent_at, stored.last_error, stored.attempts) == (
        "sent",
        NOW + 2 * LEASE,
        None,
        1,
    )
    # Both messages reached the chat, so a reply to either finds the occurrence.
    assert await outbox.occurrence_of_message("telegram", "7", "501") == occurrence_id
    assert await outbox.occurrence_of_message("telegram", "7", "502") == occurrence_id


async def test_mark_sent_links_messages_to_the_occurrence(
    outbox: OutboxStore, sessionmaker: async_sessionmaker[AsyncSession], occurrence_id: int
) -> None:
    await _enqueue(outbox, "rem", occurrence_id=occurrence_id)
    await _enqueue(outbox, "esc")
    [reminder, escalation] = await outbox.claim(NOW, 10, LEASE, "w1")

    await outbox.mark_sent(reminder.id, ["1001", "1002"], NOW + timedelta(seconds=5))
    await outbox.mark_sent(escalation.id, ["1003"], NOW + timedelta(seconds=6))

    stored = await _row(sessionmaker, reminder.id)
    assert (stored.status, stored.sent_at, stored.lease_until) == ("sent", NOW + timedelta(seconds=5), None)
    assert await outbox.occurrence_of_message("telegram", "7", "1001") == occurrence_id
    assert await outbox.occurrence_of_message("telegram", "7", "1002") == occurrence_id
    assert await outbox.occurrence_of_message("telegram", "7", "1003") is None  # not about an occurrence
    assert await outbox.occurrence_of_message("telegram", "8", "1001") is None  # ids are per chat
    assert await outbox.occurrence_of_message("zalo", "7", "1001") is None
    assert await outbox.counts() == {"pending": 0, "sending": 0, "sent": 2, "failed": 0}
    assert await outbox.claim(NOW + timedelta(days=1), 10, LEASE, "w1") == []
    with pytest.raises(LookupError):
        await outbox.mark_sent(escalation.id + 99, ["1"], NOW)


async def test_reschedule_counts_attempts_only_when_asked(
    outbox: OutboxStore, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _enqueue(outbox, "k")
    [row] = await outbox.claim(NOW, 10, LEASE, "w1")

    await outbox.reschedule(row.id, NOW + timedelta(seconds=30), "RetryAfter 30", count_attempt=True)
    stored = await _row(sessionmaker, row.id)
    assert (stored.status, stored.attempts, stored.last_error) == ("pending", 1, "RetryAfter 30")
    assert (stored.lease_until, stored.claimed_by, stored.not_before) == (
        None,
        None,
        NOW + timedelta(seconds=30),
    )

    assert await outbox.claim(NOW + timedelta(seconds=29), 10, LEASE, "w1") == []
    [row] = await outbox.claim(NOW + timedelta(seconds=30), 10, LEASE, "w1")
    assert row.attempts == 1 and row.last_error == "RetryAfter 30"

    # A deferral (outside office hours) is no error: the count and the last error stay.
    await outbox.reschedule(row.id, NOW + timedelta(hours=6), None, count_attempt=False)
    stored = await _row(sessionmaker, row.id)
    assert (stored.status, stored.attempts, stored.last_error) == ("pending", 1, "RetryAfter 30")
    assert stored.not_before == NOW + timedelta(hours=6)


async def test_mark_failed_and_reports(
    outbox: OutboxStore, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    for key in ("a", "b", "c", "d"):
        await _enqueue(outbox, key)
    [a, b, c, _] = await outbox.claim(NOW, 10, LEASE, "w1")

    await outbox.mark_failed(a.id, "unreachable: blocked by the user", NOW)
    await outbox.mark_failed(b.id, "ServerError", NOW)
    await outbox.mark_sent(c.id, ["9"], NOW)

    stored = await _row(sessionmaker, a.id)
    assert (stored.status, stored.last_error, stored.lease_until) == (
        "failed",
        "unreachable: blocked by the user",
        None,
    )
    assert await outbox.counts() == {"pending": 0, "sending": 1, "sent": 1, "failed": 2}
    failed = await outbox.failed_rows(10)
    assert [(r.dedup_key, r.status, r.last_error) for r in failed] == [
        ("b", "failed", "ServerError"),
        ("a", "failed", "unreachable: blocked by the user"),
    ]
    assert [r.dedup_key for r in await outbox.failed_rows(1)] == ["b"]
    assert await outbox.claim(NOW + timedelta(days=1), 10, LEASE, "w1") != []  # only d, after its lease


async def test_concurrent_claimers_never_share_a_row(
    db_url: str, sessionmaker: async_sessionmaker[AsyncSession], outbox: OutboxStore
) -> None:
    total = 500
    for n in range(total):
        await _enqueue(outbox, f"k{n:03}", NOW - timedelta(seconds=n), chat=str(n % 17))

    other_engine = make_engine(db_url)  # a second process's pool, on the same database
    try:
        queues = [outbox, OutboxStore(make_sessionmaker(other_engine))]
        claimed: list[int] = []
        for _ in range(100):
            batches = await asyncio.gather(
                *(queues[n % 2].claim(NOW, 7, LEASE, f"w{n % 2}") for n in range(24))
            )
            got = [row.id for batch in batches for row in batch]
            if not got:
                break
            claimed += got
    finally:
        await other_engine.dispose()

    assert len(claimed) == len(set(claimed)) == total
    assert await outbox.counts() == {"pending": 0, "sending": total, "sent": 0, "failed": 0}
