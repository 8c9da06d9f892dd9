"""The outbox dispatcher: claim due rows, send them at the configured rates, record the outcome."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.delivery import ChatUnreachable, Messenger, RetryLater
from handlers.ports import Clock
from handlers.types import Choice, Reply
from knowledge.calendar import WorkingCalendar

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A chat the platform says plainly refuses the bot (Telegram: blocked) is tried again on the next
# working mornings, since the user may write to the bot meanwhile; administrators hear of it at once.
UNREACHABLE_ATTEMPTS = 3
# Without such a word (Zalo documents none), a chat is judged unreachable only from evidence: its
# messages failing for this long, at least EVIDENCE_ATTEMPTS times, while other chats of the same
# platform received theirs. One error code never decides it.
UNREACHABLE_AFTER = dt.timedelta(days=3)
EVIDENCE_ATTEMPTS = 3
# The bot writes first only on working days in office hours (issue: reminders and escalations alike).
OFFICE_HOURS_KINDS = frozenset({"reminder", "escalation"})


class OutboxRowView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def platform(self) -> str: ...
    @property
    def chat_id(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def kind(self) -> str: ...
    @property
    def attempts(self) -> int: ...


class OutboxQueue(Protocol):
    async def claim(self, now: dt.datetime, limit: int, lease: dt.timedelta, worker: str
                    ) -> Sequence[OutboxRowView]: ...
    async def mark_sent(self, row_id: int, message_ids: Sequence[str], now: dt.datetime) -> None: ...
    async def reschedule(self, row_id: int, not_before: dt.datetime, error: str | None,
                         count_attempt: bool) -> None: ...
    async def mark_failed(self, row_id: int, error: str, now: dt.datetime) -> None: ...


class Unreachable(Protocol):
    async def chat_unreachable(self, platform: str, chat_id: str, reason: str, now: dt.datetime) -> None:
        """Record a chat that cannot be written to, and tell the administrators."""
        ...


def reply_from_payload(payload: Mapping[str, Any]) -> Reply:
    """Rebuild the Reply that handlers.reminders.payload() stored."""
    return Reply(text=str(payload.get("text") or ""), title=payload.get("title"), note=payload.get("note"),
                 choices=tuple(Choice(str(label), str(data)) for label, data in payload.get("choices") or ()))


class RateLimiter:
    """A token bucket: at most `rate` sends per second overall, with a small burst."""

    def __init__(self, rate: float, burst: float = 1.0):
        self.rate = rate
        self.capacity = max(1.0, burst)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


@dataclass
class DispatchStats:
    sent: int = 0
    retried: int = 0
    unreachable: int = 0
    failed: int = 0
    deferred: int = 0


class Dispatcher:
    """Deliver outbox rows through each platform's messenger; safe to run on several instances."""

    def __init__(self, queue: OutboxQueue, messengers: Mapping[str, Messenger], unreachable: Unreachable,
                 calendar: WorkingCalendar, clock: Clock, *, global_rate: float = 30.0,
                 per_chat_rate: float = 1.0, lease: dt.timedelta = dt.timedelta(minutes=2),
                 batch: int = 100, concurrency: int = 8, worker: str = "worker",
                 office_hours_kinds: frozenset[str] = OFFICE_HOURS_KINDS):
        self.queue = queue
        self.messengers = messengers
        self.unreachable = unreachable
        self.calendar = calendar
        self.clock = clock
        self.limiter = RateLimiter(global_rate, burst=min(global_rate, 5.0))
        self.chat_gap = 1.0 / per_chat_rate
        self.lease = lease
        self.batch = batch
        self.concurrency = concurrency
        self.worker = worker
        self.office_hours_kinds = office_hours_kinds
        self._last_to_chat: dict[tuple[str, str], float] = {}
        # The evidence, in memory: a restart forgets it, which only delays a conclusion.
        self._failing_since: dict[tuple[str, str], dt.datetime] = {}
        self._delivered_at: dict[str, dt.datetime] = {}
        self.stats = DispatchStats()

    async def run_once(self) -> int:
        """Claim and process one batch; return how many rows were claimed."""
        now = self.clock.now()
        rows = await self.queue.claim(now, self.batch, self.lease, self.worker)
        if not rows:
            return 0
        semaphore = asyncio.Semaphore(self.concurrency)

        async def one(row: OutboxRowView) -> None:
            async with semaphore:
                await self._deliver(row)

        async with asyncio.TaskGroup() as group:
            for row in rows:
                group.create_task(one(row))
        return len(rows)

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Dispatch until `stop` is set, resting `idle` seconds when nothing is due."""
        while not stop.is_set():
            try:
                claimed = await self.run_once()
            except Exception:  # a database restart must not end the worker: log, rest, retry
                log.exception("outbox dispatch failed; retrying")
                claimed = 0
            if not claimed:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=idle)
                except TimeoutError:
                    pass

    async def _deliver(self, row: OutboxRowView) -> None:
        now = self.clock.now()
        if row.kind in self.office_hours_kinds and not self.calendar.is_open(now):
            await self.queue.reschedule(row.id, self.calendar.next_open(now), None, count_attempt=False)
            self.stats.deferred += 1
            return
        messenger = self.messengers.get(row.platform)
        if messenger is None:
            # A platform configured on another instance: leave the row to it, look again later.
            await self.queue.reschedule(row.id, now + dt.timedelta(minutes=1), None, count_attempt=False)
            self.stats.deferred += 1
            return
        chat = (row.platform, row.chat_id)
        last = self._last_to_chat.get(chat)
        wait = 0.0 if last is None else last + self.chat_gap - time.monotonic()
        if wait > 0:
            # Another message to this chat went out less than a second ago: don't hold a worker.
            await self.queue.reschedule(row.id, now + dt.timedelta(seconds=wait), None, count_attempt=False)
            self.stats.deferred += 1
            return
        self._last_to_chat[chat] = time.monotonic()
        await self.limiter.acquire()
        try:
            ids = await messenger.send(row.chat_id, reply_from_payload(row.payload))
        except RetryLater as exc:
            now = self.clock.now()
            if self._evidently_unreachable(row, now):
                await self._unreachable(row, f"no delivery since {self._failing_since[chat]:%Y-%m-%d %H:%M} "
                                             f"UTC while other chats received theirs; last: {exc.reason}",
                                        now, give_up=True, notify=True)
                return
            self.stats.retried += 1
            await self.queue.reschedule(row.id, now + dt.timedelta(seconds=exc.delay(row.attempts)),
                                        exc.reason, count_attempt=True)
            return
        except ChatUnreachable as exc:
            await self._unreachable(row, exc.reason, self.clock.now(),
                                    give_up=row.attempts + 1 >= UNREACHABLE_ATTEMPTS,
                                    notify=row.attempts == 0)  # once, not at every retry
            return
        except Exception as exc:  # an unexpected answer: retry with backoff, give up after MAX_ATTEMPTS
            log.warning("outbox row %s: %s", row.id, type(exc).__name__)
            self._failing_since.setdefault(chat, self.clock.now())
            if row.attempts + 1 >= MAX_ATTEMPTS:
                self.stats.failed += 1
                await self.queue.mark_failed(row.id, type(exc).__name__, self.clock.now())
            else:
                self.stats.retried += 1
                backoff = dt.timedelta(seconds=min(3600, 30 * 2 ** row.attempts))
                await self.queue.reschedule(row.id, self.clock.now() + backoff, type(exc).__name__,
                                            count_attempt=True)
            return
        self.stats.sent += 1
        self._failing_since.pop(chat, None)
        self._delivered_at[row.platform] = self.clock.now()
        await self.queue.mark_sent(row.id, ids, self.clock.now())

    def _evidently_unreachable(self, row: OutboxRowView, now: dt.datetime) -> bool:
        """Record this failure; tell whether the chat has failed for days while others received messages."""
        since = self._failing_since.setdefault((row.platform, row.chat_id), now)
        delivered = self._delivered_at.get(row.platform)
        return (row.attempts + 1 >= EVIDENCE_ATTEMPTS and now - since >= UNREACHABLE_AFTER
                and delivered is not None and delivered >= since)

    async def _unreachable(self, row: OutboxRowView, reason: str, now: dt.datetime, *,
                           give_up: bool, notify: bool) -> None:
        """Give up on the row (or try again next working morning); tell the administrators if asked."""
        self.stats.unreachable += 1
        error = f"unreachable: {reason}"
        if give_up:
            await self.queue.mark_failed(row.id, error, now)
        else:
            next_morning = self.calendar.morning(self.calendar.local(now).date() + dt.timedelta(days=1))
            await self.queue.reschedule(row.id, next_morning, error, count_attempt=True)
        if notify:
            await self.unreachable.chat_unreachable(row.platform, row.chat_id, reason, now)
