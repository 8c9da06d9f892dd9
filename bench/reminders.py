"""Reminder benchmark: plan a national year of deadlines, then deliver reminders at the configured rate."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from bot.clock import SystemClock
from bot.dispatcher import Dispatcher
from bot.telegram import TelegramMessenger
from knowledge.deadlines import load_policy, plan_deadlines
from knowledge.loader import PlanData
from knowledge.schema import Agency, AgencyLevel, Plan, Schedule, ScheduleKind, Task
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.records import AgencyRecord
from storage.repositories import AgencyStore
from storage.tracking import OccurrenceStore, OutboxStore
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.integration.databases import DatabaseUnavailable, postgres_database

TOKEN = "4343:BENCH"


def national_plan(n_agencies: int = 3400, n_tasks: int = 20) -> PlanData:
    """A plan the size of the country after 2025: every commune-level unit leads 20 yearly tasks."""
    agencies = {f"xa-{i:04d}": Agency(id=f"xa-{i:04d}", name=f"UBND xã {i}", level=AgencyLevel.COMMUNE)
                for i in range(n_agencies)}
    group = Agency(id="cap-xa", name="Cấp xã", level=AgencyLevel.COMMUNE, group=True,
                   members=list(agencies))
    tasks = {f"ii-{t}": Task(id=f"ii-{t}", code=f"II.{t}", title=f"Nhiệm vụ {t}", lead=["cap-xa"],
                             schedule=Schedule(kind=ScheduleKind.YEARLY, plan_text="Hàng năm"))
             for t in range(1, n_tasks + 1)}
    plan = Plan(id="kh-bench", title="Kế hoạch", implements="qd-27-2025", issuer="UBND", signed_by="—")
    return PlanData(plan=plan, agencies={**agencies, "cap-xa": group}, tasks=tasks)


async def plan_figures(url: str) -> tuple[int, float, float]:
    """Return (occurrences, seconds to derive them, seconds to store them) for one year."""
    plan = national_plan()
    policy = load_policy()
    start = time.perf_counter()
    deadlines = plan_deadlines(plan, [2027], policy)
    derived = time.perf_counter() - start
    await upgrade(url)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        await AgencyStore(sessions).sync(AgencyRecord(a.id, a.name, a.level.value, a.group)
                                         for a in plan.agencies.values())
        first = {d.due: dt.datetime(2027, 11, 30, 1, tzinfo=dt.UTC) for d in deadlines}
        start = time.perf_counter()
        inserted = await OccurrenceStore(sessions).ensure(deadlines, first)
        stored = time.perf_counter() - start
        again = await OccurrenceStore(sessions).ensure(deadlines, first)
        assert inserted == len(deadlines) and again == 0, "planning must be idempotent"
    finally:
        await engine.dispose()
    return len(deadlines), derived, stored


class CountingAPI(FakeTelegramAPI):
    async def _send_message(self, params, request):  # type: ignore[no-untyped-def]
        result = await super()._send_message(params, request)
        self.delivered[str(params["text"])] += 1
        return result

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.delivered: Counter[str] = Counter()


async def dispatch_figures(url: str, n: int, rate: float) -> tuple[float, int, int]:
    """Deliver n reminders through PTB to the fake Bot API; return (rate achieved, delivered, duplicates)."""
    await upgrade(url)
    engine = make_engine(url)
    clock = SystemClock()
    policy = load_policy()
    try:
        outbox = OutboxStore(make_sessionmaker(engine))
        now = clock.now()
        for i in range(n):
            await outbox.enqueue(dedup_key=f"bench:{i}", platform="telegram", chat_id=str(10_000 + i % 3400),
                                 payload={"text": f"Nhắc hạn số {i}"}, not_before=now, kind="notice",
                                 occurrence_id=None)
        async with CountingAPI(token=TOKEN) as api:
            bot = api.bot()
            async with bot:
                dispatcher = Dispatcher(outbox, {"telegram": TelegramMessenger(bot)}, _NoAdmins(),
                                        policy.calendar(), clock, global_rate=rate, per_chat_rate=1.0)
                start = time.perf_counter()
                while sum(api.delivered.values()) < n:
                    if not await dispatcher.run_once():
                        await asyncio.sleep(0.05)
                elapsed = time.perf_counter() - start
        duplicates = sum(c - 1 for c in api.delivered.values() if c > 1)
        return n / elapsed, sum(api.delivered.values()), duplicates
    finally:
        await engine.dispose()


class _NoAdmins:
    async def chat_unreachable(self, platform: str, chat_id: str, reason: str, now: dt.datetime) -> None:
        raise AssertionError(f"unexpected unreachable chat {chat_id}: {reason}")


async def run_all() -> str:
    n = int(os.environ.get("BENCH_REMINDERS", "10000"))
    rate = float(os.environ.get("BENCH_RATE", "30"))
    lines = ["Reminders: plan 3,400 agencies × 20 tasks for one year; deliver via PTB to the fake Bot API"]
    with tempfile.TemporaryDirectory() as tmp:
        count, derived, stored = await plan_figures(f"sqlite+aiosqlite:///{Path(tmp) / 'plan.db'}")
        lines.append(f"  planning  SQLite      {count:,} occurrences: derived in {derived:.2f} s, "
                     f"stored in {stored:.2f} s, total {derived + stored:.2f} s")
    try:
        async with postgres_database() as url:
            count, derived, stored = await plan_figures(url)
            lines.append(f"  planning  PostgreSQL  {count:,} occurrences: derived in {derived:.2f} s, "
                         f"stored in {stored:.2f} s, total {derived + stored:.2f} s")
    except DatabaseUnavailable as exc:
        lines.append(f"  planning  PostgreSQL  skipped: {exc}")
    with tempfile.TemporaryDirectory() as tmp:
        achieved, delivered, dupes = await dispatch_figures(f"sqlite+aiosqlite:///{Path(tmp) / 'out.db'}",
                                                            n, rate)
    lines.append(f"  delivery  SQLite      {delivered:,} of {n:,} reminders at {achieved:.1f}/s "
                 f"({achieved / rate:.0%} of the configured {rate:.0f}/s), {dupes} duplicates")
    return "\n".join(lines)


def run() -> str:
    return asyncio.run(run_all())
