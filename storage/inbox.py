"""The inbox, the outbox's dual: every platform update is stored before the platform is told it
arrived, and stays until it has been handled, so a crash at any point loses nothing.

- receive() stores a batch of updates in one transaction and says which are new: the key
  (platform, update id) de-duplicates a redelivery. A new row belongs to the receiving worker
  under a lease.
- handled() marks an update done once its replies went out.
- A worker renews the leases of the rows it holds; rows whose lease ran out (their worker died)
  are claimed by another worker (or the restarted one) and handled again. An update that failed
  MAX_ATTEMPTS times is given up, so one poisonous update cannot come back for ever.

receive() and handled() run through one group commit: under a burst, the new updates of a round
and the ones finished meanwhile share a transaction, with one statement per kind.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.group_commit import GroupCommit
from storage.models import InboxRow
from storage.repositories import QuestionLog, Sessions, _insert, _rowcount

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Arrival:
    """Updates one worker received together (one getUpdates answer, one webhook call)."""

    platform: str
    updates: Sequence[tuple[str, dict[str, Any]]]  # (update id, payload)
    at: datetime
    worker: str
    lease_until: datetime


@dataclass(frozen=True)
class Done:
    """An update whose handling is over."""

    platform: str
    update_id: str
    at: datetime
    logged: Sequence[dict[str, Any]] = ()  # question-log rows written in the same transaction


@dataclass(frozen=True)
class Unhandled:
    """A stored update claimed again after its worker died."""

    update_id: str
    payload: dict[str, Any]
    attempts: int


class Inbox:
    """Platform updates between their arrival and the end of their handling."""

    def __init__(self, sessions: Sessions, effects: QuestionLog | None = None) -> None:
        self._sessions = sessions
        # What handling an update queues behind the conversation (the question log) is written
        # before the update is marked handled, so a crash never leaves a handled update without it.
        self._effects = effects
        self._writes: GroupCommit[Arrival | Done, list[bool] | None] = GroupCommit(sessions, self._write_all)

    async def receive(self, platform: str, updates: Sequence[tuple[str, dict[str, Any]]], now: datetime,
                      worker: str, lease: timedelta) -> list[bool]:
        """Store the updates for this worker; return, for each, whether it is new (not a redelivery)."""
        if not updates:
            return []
        fresh = await self._writes.submit(Arrival(platform, updates, now, worker, now + lease))
        assert fresh is not None
        return fresh

    async def handled(self, platform: str, update_id: str, now: datetime) -> None:
        """Mark the update handled, with what its handling queued: nobody will handle it again.

        The question-log rows waiting at this moment (this update's among them) are written in the
        transaction of the mark, so a handled update never lacks its log row; under a burst the
        marks and rows of many updates share one transaction.
        """
        logged = self._effects.take() if self._effects is not None else []
        try:
            await self._writes.submit(Done(platform, update_id, now, logged))
        except BaseException:
            if self._effects is not None:
                self._effects.requeue(logged)  # written by the next mark or flush
            raise

    @staticmethod
    async def _write_all(session: AsyncSession, requests: Sequence[Arrival | Done]
                         ) -> list[list[bool] | None]:
        arrivals = [r for r in requests if isinstance(r, Arrival)]
        inserted: set[tuple[str, str]] = set()
        if arrivals:
            rows = [{"platform": a.platform, "update_id": update_id, "payload": payload,
                     "received_at": a.at, "claimed_by": a.worker, "lease_until": a.lease_until,
                     "attempts": 1}
                    for a in arrivals for update_id, payload in a.updates]
            # Parameters apart from the statement ("insertmanyvalues"): compiled once and cached,
            # whatever the batch size, and still sent as multi-row INSERTs.
            stmt = (_insert(session, InboxRow).on_conflict_do_nothing()
                    .returning(col(InboxRow.platform), col(InboxRow.update_id)))
            inserted = {(row.platform, row.update_id) for row in await session.execute(stmt, rows)}
        done = [r for r in requests if isinstance(r, Done)]
        logged = [row for d in done for row in d.logged]
        if logged:
            await QuestionLog.write(session, logged)
        if done:
            keys = list({(d.platform, d.update_id) for d in done})
            await session.execute(
                update(InboxRow)
                .where(tuple_(col(InboxRow.platform), col(InboxRow.update_id)).in_(keys))
                .values(handled_at=done[-1].at, lease_until=None)
                .execution_options(synchronize_session=False)
            )
        out: list[list[bool] | None] = []
        for request in requests:
            if isinstance(request, Done):
                out.append(None)
                continue
            fresh = []
            for update_id, _ in request.updates:
                # The same update twice in one round (a redelivery racing the original): the first wins.
                key = (request.platform, update_id)
                fresh.append(key in inserted)
                inserted.discard(key)
            out.append(fresh)
        return out

    async def renew(self, worker: str, now: datetime, lease: timedelta) -> int:
        """Extend the lease of every row this worker holds and has not finished; return how many."""
        stmt = (
            update(InboxRow)
            .where(col(InboxRow.handled_at).is_(None), col(InboxRow.claimed_by) == worker)
            .values(lease_until=now + lease)
        )
        async with self._sessions() as session, session.begin():
            return _rowcount(await session.execute(stmt))

    async def release(self, worker: str, now: datetime) -> int:
        """End this worker's leases at once (it is stopping): the next start need not wait them out."""
        stmt = (
            update(InboxRow)
            .where(col(InboxRow.handled_at).is_(None), col(InboxRow.claimed_by) == worker)
            .values(lease_until=now)
        )
        async with self._sessions() as session, session.begin():
            return _rowcount(await session.execute(stmt))

    async def claim(self, platform: str, now: datetime, lease: timedelta, worker: str,
                    limit: int = 100) -> list[Unhandled]:
        """Take up to `limit` unhandled rows whose lease ran out, oldest first, for this worker."""
        abandoned = and_(col(InboxRow.platform) == platform, col(InboxRow.handled_at).is_(None),
                         col(InboxRow.lease_until) < now)
        async with self._sessions() as session, session.begin():
            given_up = await session.execute(
                update(InboxRow)
                .where(abandoned, col(InboxRow.attempts) >= MAX_ATTEMPTS)
                .values(handled_at=now, lease_until=None)
                .returning(col(InboxRow.update_id))
            )
            for (update_id,) in given_up:
                log.warning("%s update %s given up after %d attempts", platform, update_id, MAX_ATTEMPTS)
            picked = (select(col(InboxRow.update_id)).where(abandoned, col(InboxRow.payload).is_not(None))
                      .order_by(col(InboxRow.received_at)).limit(limit))
            if session.get_bind().dialect.name == "postgresql":
                # Concurrent claimers pass over each other's rows instead of waiting or doubling up.
                picked = picked.with_for_update(skip_locked=True)
            rows = await session.execute(
                update(InboxRow)
                .where(col(InboxRow.platform) == platform,
                       col(InboxRow.update_id).in_(picked.scalar_subquery()))
                .values(claimed_by=worker, lease_until=now + lease, attempts=col(InboxRow.attempts) + 1)
                .returning(col(InboxRow.update_id), col(InboxRow.payload), col(InboxRow.attempts),
                           col(InboxRow.received_at))
                .execution_options(synchronize_session=False)
            )
            claimed = sorted(rows, key=lambda row: (row.received_at, row.update_id))
        return [Unhandled(row.update_id, row.payload, row.attempts) for row in claimed]

    async def unhandled(self, platform: str | None = None) -> int:
        """Return how many stored updates are not handled yet."""
        stmt = select(col(InboxRow.update_id)).where(col(InboxRow.handled_at).is_(None))
        if platform is not None:
            stmt = stmt.where(col(InboxRow.platform) == platform)
        async with self._sessions() as session:
            return len((await session.scalars(stmt)).all())

    async def prune(self, older_than: datetime) -> int:
        """Forget updates handled before this moment (Telegram redelivers for 24 hours at most)."""
        stmt = delete(InboxRow).where(col(InboxRow.handled_at) < older_than)
        async with self._sessions() as session, session.begin():
            return _rowcount(await session.execute(stmt))


__all__ = ["MAX_ATTEMPTS", "Inbox", "Unhandled"]
