"""Group commit: small writes that arrive together share one transaction and one statement.

Under a burst of messages every update needs the same few tiny writes (mark it processed, take a
pending question). Done one transaction each, they queue for the database
connection and the bot waits on round trips, not on work: SQLite has one writer, and a PostgreSQL
pool has a few connections. Here the first caller leads: it takes every request queued so far and
runs them in one transaction with one statement per kind; callers that arrive meanwhile queue for
the next round. An idle bot still commits each write at once — a batch of one — so latency does
not grow; under load the number of transactions stays flat while the number of updates grows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

In = TypeVar("In")
Out = TypeVar("Out")

# One statement carries at most this many rows: it bounds the SQL size and the bound parameters
# (SQLite allows 32,766 per statement; four columns × 1,000 rows stay far below).
MAX_BATCH = 1000

BatchRunner = Callable[[AsyncSession, Sequence[In]], Awaitable[Sequence[Out]]]


class GroupCommit(Generic[In, Out]):
    """Run requests in batches, one transaction per batch; each caller gets its own result."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], run: BatchRunner[In, Out],
                 max_batch: int = MAX_BATCH) -> None:
        self._sessions = sessions
        self._run = run
        self._max_batch = max_batch
        self._queue: list[tuple[In, asyncio.Future[Out]]] = []
        self._turn = asyncio.Lock()  # one batch in flight at a time, leaders served in arrival order

    async def submit(self, request: In) -> Out:
        """Queue the request, lead a batch if nobody took it yet, and return its result."""
        done: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        entry = (request, done)
        self._queue.append(entry)
        try:
            while not done.done():
                async with self._turn:
                    if not done.done():
                        await self._lead()
        except asyncio.CancelledError:
            # A caller that went away (shutdown) must not have its write done behind its back.
            if entry in self._queue:
                self._queue.remove(entry)
            raise
        return done.result()

    async def _lead(self) -> None:
        """Run the queued requests in one transaction; afterwards every one of them has its outcome."""
        batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch:]
        try:
            async with self._sessions() as session, session.begin():
                results = await self._run(session, [request for request, _ in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"a batch of {len(batch)} requests gave {len(results)} results")
        except asyncio.CancelledError:
            # The leader's caller went away and the transaction rolled back: the others' requests
            # go back to the front of the queue for the next leader.
            self._queue[:0] = [(r, f) for r, f in batch if not f.done()]
            raise
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
