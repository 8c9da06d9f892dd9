"""The intake of one platform: updates stored in the inbox before they are acknowledged, handled
with bounded concurrency, then marked handled; updates a dead worker left behind are taken over.

The platform adapter decides when the platform counts an update as delivered (the next getUpdates
offset, the webhook's 200) and calls receive() before that moment: once receive() returns, the
update is in the database, and whatever happens to this process, it will be handled.

What "handled" promises: the update's effects (a registration, a progress report) are recorded
once, since those records carry the update's key; its replies are sent at least once — a crash
after a reply went out and before the mark sends it again when the update is handled anew.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from handlers.ports import Clock
from storage.inbox import Unhandled

T = TypeVar("T")
DEFAULT_LEASE = dt.timedelta(seconds=30)
DRAIN_SECONDS = 10.0
CLAIM_BATCH = 100

log = logging.getLogger(__name__)


class InboxStore(Protocol):
    """What the intake needs of the inbox (storage.inbox.Inbox)."""

    async def receive(self, platform: str, updates: Sequence[tuple[str, dict[str, Any]]], now: dt.datetime,
                      worker: str, lease: dt.timedelta) -> list[bool]: ...
    async def handled(self, platform: str, update_id: str, now: dt.datetime) -> None: ...
    async def renew(self, worker: str, now: dt.datetime, lease: dt.timedelta) -> int: ...
    async def release(self, worker: str, now: dt.datetime) -> int: ...
    async def claim(self, platform: str, now: dt.datetime, lease: dt.timedelta, worker: str,
                    limit: int = CLAIM_BATCH) -> Sequence[Unhandled]: ...


def worker_name() -> str:
    """Name this process among every instance that shares the database."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Intake(Generic[T]):
    """Store, handle and mark the updates of one platform; take over what a dead worker left."""

    def __init__(self, inbox: InboxStore, platform: str, handle: Callable[[T], Awaitable[None]],
                 parse: Callable[[dict[str, Any]], T], clock: Clock, *, max_concurrent: int,
                 lease: dt.timedelta = DEFAULT_LEASE, worker: str | None = None):
        self.inbox = inbox
        self.platform = platform
        self.handle = handle
        self.parse = parse
        self.clock = clock
        self.lease = lease
        self.worker = worker or worker_name()
        self._slots = asyncio.Semaphore(max_concurrent)
        self._tasks: set[asyncio.Task[None]] = set()
        self._unmarked: list[str] = []  # handled, but the mark failed (database away): retried

    async def receive(self, updates: Sequence[tuple[str, dict[str, Any], T]]) -> list[bool]:
        """Store the updates, then start handling the new ones; return, for each, whether it was new.

        Returns once they are stored (raises if they could not be: then do not acknowledge them).
        Waits for a free handling slot, which slows the platform down when the bot is saturated.
        """
        fresh = await self.inbox.receive(self.platform, [(key, payload) for key, payload, _ in updates],
                                         self.clock.now(), self.worker, self.lease)
        for (key, _, item), new in zip(updates, fresh, strict=True):
            if new:
                await self._start(key, item)
            else:
                log.info("duplicate %s update %s ignored", self.platform, key)
        return fresh

    async def _start(self, key: str, item: T) -> None:
        # Nothing awaits between here and the task's creation once a slot is free, so updates
        # start in the order they arrived (Zalo relies on it: a "1" after the menu it answers).
        await self._slots.acquire()
        task = asyncio.create_task(self._handle(key, item))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, key: str, item: T) -> None:
        try:
            try:
                await self.handle(item)
            except Exception:
                # The adapters answer failures themselves; this is a bug. Handling it again would
                # fail again, so it is marked handled like any other.
                log.exception("error while handling %s update %s", self.platform, key)
            await self._mark(key)
        finally:
            self._slots.release()

    async def _mark(self, key: str) -> None:
        try:
            await self.inbox.handled(self.platform, key, self.clock.now())
        except Exception as exc:
            log.warning("%s update %s handled but not marked yet (%s); retrying", self.platform, key,
                        type(exc).__name__)
            self._unmarked.append(key)

    async def run(self, stop: asyncio.Event) -> None:
        """Until stopped: keep this worker's leases, retry failed marks, take over abandoned updates."""
        every = max(self.lease.total_seconds() / 3, 0.1)
        while not stop.is_set():
            try:
                await self.keep_house()
            except Exception as exc:  # a database restart: try again at the next pass
                log.warning("%s inbox housekeeping failed (%s); retrying", self.platform, type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    async def keep_house(self) -> int:
        """Renew leases, retry failed marks, claim and start abandoned updates; return how many."""
        now = self.clock.now()
        await self.inbox.renew(self.worker, now, self.lease)
        unmarked, self._unmarked = self._unmarked, []
        for key in unmarked:
            await self._mark(key)
        claimed = await self.inbox.claim(self.platform, now, self.lease, self.worker, CLAIM_BATCH)
        if claimed:
            log.info("taking over %d unhandled %s update(s)", len(claimed), self.platform)
        for row in claimed:
            try:
                item = self.parse(row.payload)
            except Exception:
                log.exception("stored %s update %s cannot be read; dropped", self.platform, row.update_id)
                await self._mark(row.update_id)
                continue
            await self._start(row.update_id, item)
        return len(claimed)

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:  # noqa: ASYNC109 - a shutdown deadline
        """Let the updates in hand finish; cancel what is still running after `timeout` (it stays
        unhandled in the inbox, for the next start)."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                log.warning("%d %s update(s) left for the next start", len(pending), self.platform)
                await asyncio.gather(*pending, return_exceptions=True)
        with contextlib.suppress(Exception):  # the database away: the leases simply run out
            for key in self._unmarked:
                await self.inbox.handled(self.platform, key, self.clock.now())
            self._unmarked.clear()
            # What is left is free for the next start (or another instance) at once.
            await self.inbox.release(self.worker, self.clock.now())
