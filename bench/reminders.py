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
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.telegram import TelegramMessenger
from handlers.reminders import as_agency
from knowledge.deadlines import load_policy, plan_deadlines
from knowledge.loader import PlanData, Plans, load_plan
from knowledge.schema import Agency, AgencyLevel, Plan, Schedule, ScheduleKind, Task
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.records import AgencyRecord
from storage.repositories import AgencyStore
from storage.tracking import OccurrenceStore, OutboxStore
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.integration.databases import DatabaseUnavailable, postgres_database
from tests.plans import write_plan, yearly

TOKEN = "4343:BENCH"


def national_plan(n_agencies: int = 3400, n_tasks: int = 20) -> PlanData:
    """A test plan whose commune-level group lists its communes as members, each leading every task."""
    agencies = {f"xa-{i:04d}": Agency(id=f"xa-{i:04d}", name=f"UBND xã {i}", level=AgencyLevel.COMMUNE)
                for i in range(n_agencies)}
    group = Agency(id="cap-xa", name="Cấp xã", level=AgencyLevel.COMMUNE, group=True, members=list(agencies))
    tasks = {f"ii-{t}": Task(id=f"ii-{t}", code=f"II.{t}", title=f"Nhiệm vụ {t}", lead=["cap-xa"],
                             schedule=Schedule(kind=ScheduleKind.YEARLY, plan_text="Hàng năm"))
             for t in range(1, n_tasks + 1)}
    plan = Plan(id="kh-bench", title="Kế hoạch kiểm thử", implements="qd-27-2025", issuer="Cơ quan kiểm thử",
                issued=None, signed_by="—", area="địa bàn kiểm thử")
    return PlanData(plan=plan, agencies={**agencies, "cap-xa": group}, tasks=tasks)


def communes(province: str | None = None) -> list[AgencyRecord]:
    """Return the commune-level units of the 2025 map as imported agencies (all, or one province's)."""
    from vietnam_provinces import Ward

    return [AgencyRecord(id=f"ubnd-{int(w.code)}", name=f"UBND {w.name}", level="commune", source="import",
                         code=str(int(w.code)), area_code=str(int(w.province_code)),
                         started_on=dt.date(2025, 7, 1))
            for w in Ward.iter_all() if province is None or int(w.province_code) == int(province)]


def commune_plan(folder: Path, n_tasks: int) -> Path:
    """A test plan whose every task is led by the commune-level group (one deadline per commune)."""
    return write_plan(folder, "kh-bench", [yearly(f"ii-{t}", f"II.{t}", ["ubnd-cap-xa"])
                                           for t in range(1, n_tasks + 1)])


async def plan_figures(url: str) -> tuple[int, float, float, float]:
    """Plan 3,321 communes × 20 tasks for one year; return (occurrences, derive s, store s, re-plan s)."""
    units = communes()
    policy = load_policy()
    with tempfile.TemporaryDirectory() as tmp:
        plans = Plans([load_plan(commune_plan(Path(tmp), 20))])
    plans.set_imported(as_agency(u) for u in units)
    start = time.perf_counter()
    planned = plan_deadlines(plans, [2027], policy, communes=plans.imported)
    derived = time.perf_counter() - start
    await upgrade(url)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        await AgencyStore(sessions).sync([AgencyRecord("ubnd-cap-xa", "Cấp xã", "commune", is_group=True)])
        await AgencyStore(sessions).import_units(units)
        first = {d.due: dt.datetime(2027, 11, 30, 1, tzinfo=dt.UTC) for d in planned.deadlines}
        store = OccurrenceStore(sessions)
        now = dt.datetime.now(dt.UTC)
        start = time.perf_counter()
        done = await store.reconcile(planned.deadlines, planned.tasks, ["2027"], first, now)
        stored = time.perf_counter() - start
        start = time.perf_counter()
        again = await store.reconcile(planned.deadlines, planned.tasks, ["2027"], first, now)
        replanned = time.perf_counter() - start
        assert done.added == len(planned.deadlines) and again.added == again.changed == 0, "idempotent"
    finally:
        await engine.dispose()
    return len(planned.deadlines), derived, stored, replanned


async def report_figures(tmp: Path, n_tasks: int = 24) -> tuple[int, float, int]:
    """Answer /baocao (summary and workbook) for Cần Thơ's 103 communes × 24 tasks on SQLite."""
    from bot.app import build_bot
    from bot.services import open_stores
    from bot.wiring import load_all
    from handlers.membership import DEPARTMENT
    from handlers.types import Incoming

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp / 'report.db'}",
                        plan_path=str(commune_plan(tmp / "plans", n_tasks)), _env_file=None)
    knowledge, engine, policy = load_all(settings)
    clock = SystemClock()
    async with open_stores(settings, knowledge.plans) as stores:
        await stores.agencies.import_units(communes("92"))
        bot = build_bot(settings, knowledge, engine, policy, stores, clock)
        await bot.reminders.plan_occurrences()
        await stores.members.upsert("telegram", "1", "1", "Quản trị viên", DEPARTMENT, "admin",
                                    clock.now())
        ask = Incoming(platform="telegram", chat_id="1", user_id="1", text="/baocao")
        start = time.perf_counter()
        [reply] = await bot.conversation.handle(ask)
        elapsed = time.perf_counter() - start
        rows = len(await stores.occurrences.for_year(clock.now().astimezone(settings.tz).year))
    assert reply.document is not None, reply.text
    return rows, elapsed, len(reply.document.content)


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
    lines = ["Reminders: plan 3,321 communes × 20 tasks for one year (goal ≤ 2 s); /baocao for 103 communes "
             "× 24 tasks (goal ≤ 1 s); deliver via PTB to the fake Bot API"]

    def planning(db: str, figures: tuple[int, float, float, float]) -> str:
        count, derived, stored, again = figures
        return (f"  planning  {db:<11} {count:,} occurrences: derived in {derived:.2f} s, stored in "
                f"{stored:.2f} s, total {derived + stored:.2f} s; re-planning (nothing new) {again:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        lines.append(planning("SQLite", await plan_figures(f"sqlite+aiosqlite:///{Path(tmp) / 'plan.db'}")))
    try:
        async with postgres_database() as url:
            lines.append(planning("PostgreSQL", await plan_figures(url)))
    except DatabaseUnavailable as exc:
        lines.append(f"  planning  PostgreSQL  skipped: {exc}")
    with tempfile.TemporaryDirectory() as tmp:
        rows, elapsed, size = await report_figures(Path(tmp))
    lines.append(f"  /baocao   SQLite      {rows:,} deadlines (103 communes × 24 tasks): summary and "
                 f"workbook ({size / 1024:.0f} KB) in {elapsed:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        achieved, delivered, dupes = await dispatch_figures(f"sqlite+aiosqlite:///{Path(tmp) / 'out.db'}",
                                                            n, rate)
    lines.append(f"  delivery  SQLite      {delivered:,} of {n:,} reminders at {achieved:.1f}/s "
                 f"({achieved / rate:.0%} of the configured {rate:.0f}/s), {dupes} duplicates")
    return "\n".join(lines)


def run() -> str:
    return asyncio.run(run_all())
