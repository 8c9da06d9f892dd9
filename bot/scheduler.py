"""The background work of one instance: plan deadlines, queue reminders each minute, send the outbox,
write the question log behind the conversation, and forget old update ids and old questions."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Protocol

from bot.dispatcher import Dispatcher
from handlers.ports import Clock
from handlers.reminders import Reminders

log = logging.getLogger(__name__)

FLUSH_EVERY = 1.0  # seconds between writes of the queued question log
PRUNE_EVERY = dt.timedelta(hours=1)
# Telegram stops redelivering an update after 24 hours; two days of update ids is a safe margin.
KEEP_UPDATE_IDS = dt.timedelta(days=2)


class QueuedLog(Protocol):
    async def flush(self) -> int: ...
    async def prune(self, older_than: dt.datetime) -> int: ...


class UpdateIds(Protocol):
    async def prune(self, older_than: dt.datetime) -> int: ...


class Housekeeping:
    """Write the question log queued behind the conversation; hourly, forget old update ids and the
    questions older than the retention period the users are told of (/start, README: Privacy)."""

    def __init__(self, questions: QueuedLog, updates: UpdateIds, clock: Clock, keep_questions: dt.timedelta):
        self.questions = questions
        self.updates = updates
        self.clock = clock
        self.keep_questions = keep_questions
        self._pruned_at: dt.datetime | None = None

    async def once(self) -> None:
        """Flush the queued questions; prune when an hour has passed since the last time."""
        await self.questions.flush()
        now = self.clock.now()
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            pruned = await self.updates.prune(now - KEEP_UPDATE_IDS)
            if pruned:
                log.info("forgot %d old update ids", pruned)
            questions = await self.questions.prune(now - self.keep_questions)
            if questions:
                log.info("deleted %d questions older than %d days", questions, self.keep_questions.days)
            self._pruned_at = now

    async def run(self, stop: asyncio.Event) -> None:
        """Keep house every FLUSH_EVERY seconds until stopped; errors never end the loop."""
        while not stop.is_set():
            try:
                await self.once()
            except Exception:  # a database restart: the queued rows stay queued for the next pass
                log.exception("housekeeping failed; retrying")
            try:
                await asyncio.wait_for(stop.wait(), timeout=FLUSH_EVERY)
            except TimeoutError:
                pass


class Scheduler:
    """Run the reminder planner and the outbox dispatcher until stopped; errors never end the loops."""

    def __init__(self, reminders: Reminders, dispatcher: Dispatcher, housekeeping: Housekeeping,
                 clock: Clock, tick_every: float = 60.0, replan_every: dt.timedelta = dt.timedelta(hours=6)):
        self.reminders = reminders
        self.dispatcher = dispatcher
        self.housekeeping = housekeeping
        self.clock = clock
        self.tick_every = tick_every
        self.replan_every = replan_every
        self._planned_at: dt.datetime | None = None

    async def tick_once(self) -> int:
        """Re-plan when due (new year, new admin deadlines), then queue the reminders due now."""
        now = self.clock.now()
        if self._planned_at is None or now - self._planned_at >= self.replan_every:
            planned = await self.reminders.plan_occurrences()
            self._planned_at = now
            if planned.added or planned.changed or planned.withdrawn:
                log.info("planned deadlines: %d added, %d changed, %d withdrawn",
                         planned.added, planned.changed, planned.withdrawn)
        return await self.reminders.tick()

    async def _tick_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                queued = await self.tick_once()
                if queued:
                    log.info("queued %d reminders", queued)
            except Exception:  # a database restart must not stop reminders for good
                log.exception("reminder tick failed; retrying at the next tick")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.tick_every)
            except TimeoutError:
                pass

    async def run(self, stop: asyncio.Event) -> None:
        """Run the loops; they are awaited together, so none is left unsupervised."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self._tick_loop(stop))
            group.create_task(self.dispatcher.run(stop))
            group.create_task(self.housekeeping.run(stop))
