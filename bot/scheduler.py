"""The background work of one instance: plan deadlines daily, queue reminders each minute, send the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from bot.dispatcher import Dispatcher
from handlers.ports import Clock
from handlers.reminders import Reminders

log = logging.getLogger(__name__)


class Scheduler:
    """Run the reminder planner and the outbox dispatcher until stopped; errors never end the loops."""

    def __init__(self, reminders: Reminders, dispatcher: Dispatcher, clock: Clock,
                 tick_every: float = 60.0, replan_every: dt.timedelta = dt.timedelta(hours=6)):
        self.reminders = reminders
        self.dispatcher = dispatcher
        self.clock = clock
        self.tick_every = tick_every
        self.replan_every = replan_every
        self._planned_at: dt.datetime | None = None

    async def tick_once(self) -> int:
        """Re-plan when due (new year, new admin deadlines), then queue the reminders due now."""
        now = self.clock.now()
        if self._planned_at is None or now - self._planned_at >= self.replan_every:
            added = await self.reminders.plan_occurrences()
            self._planned_at = now
            if added:
                log.info("planned %d new deadline occurrences", added)
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
        """Run both loops; they are awaited together, so neither is left unsupervised."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self._tick_loop(stop))
            group.create_task(self.dispatcher.run(stop))
