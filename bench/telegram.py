"""Telegram benchmark: updates per second and handling latency through PTB and the fake Bot API."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from bot.app import build_conversation
from bot.clock import SystemClock
from bot.config import Settings
from bot.services import open_stores
from bot.telegram import TelegramAdapter
from bot.wiring import load_checked
from handlers.flood import FloodGuard
from tests.fakes.telegram_api import FakeTelegramAPI, running_application
from tests.integration.databases import DatabaseUnavailable, postgres_database

TOKEN = "4242:BENCH"


class TimedAPI(FakeTelegramAPI):
    """The fake Bot API, noting when each reply arrives."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.arrivals: dict[int, float] = {}

    async def _send_message(self, params, request):  # type: ignore[no-untyped-def]
        result = await super()._send_message(params, request)
        self.arrivals.setdefault(int(params["chat_id"]), time.perf_counter())
        return result


async def _run(url: str, n_burst: int, n_paced: int, rate: float) -> dict[str, float]:
    settings = Settings(database_url=url, telegram_token=TOKEN, _env_file=None)
    knowledge, engine = load_checked(settings)
    questions = [q for e in engine.entries for q in e.questions]
    clock = SystemClock()
    async with AsyncExitStack() as stack:
        api = await stack.enter_async_context(TimedAPI(token=TOKEN))
        stores = await stack.enter_async_context(open_stores(settings, knowledge.plan))
        conversation = build_conversation(settings, knowledge, engine, stores, clock)
        adapter = TelegramAdapter(conversation, stores.updates, stores.members, FloodGuard(clock), clock)
        application = adapter.build(TOKEN, f"http://127.0.0.1:{api.port}")
        await stack.enter_async_context(running_application(application))

        # Throughput: a burst of updates from distinct users (one message each, so flood control is idle).
        pushed: dict[int, float] = {}
        start = time.perf_counter()
        for i in range(n_burst):
            user = 10_000 + i
            pushed[user] = time.perf_counter()
            api.push_update(api.message_update(user, questions[i % len(questions)]))
        await api.wait_for("sendMessage", count=n_burst, timeout=300)
        burst_seconds = max(api.arrivals[u] for u in pushed) - start

        # Latency: updates at a steady rate well below capacity, timed from push to reply.
        latencies = []
        for i in range(n_paced):
            user = 100_000 + i
            t = time.perf_counter()
            api.push_update(api.message_update(user, questions[i % len(questions)]))
            pushed[user] = t
            await asyncio.sleep(1 / rate)
        await api.wait_for("sendMessage", count=n_burst + n_paced, timeout=300)
        for i in range(n_paced):
            user = 100_000 + i
            latencies.append((api.arrivals[user] - pushed[user]) * 1000)
    latencies.sort()
    return {
        "updates_per_s": n_burst / burst_seconds,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
    }


async def run_all(n_burst: int = 2000, n_paced: int = 250, rate: float = 25.0) -> str:
    lines = [f"Telegram (PTB 22 → fake Bot API on 127.0.0.1): burst of {n_burst} updates for throughput, "
             f"{n_paced} updates at {rate:.0f}/s for latency"]
    with tempfile.TemporaryDirectory() as tmp:
        r = await _run(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", n_burst, n_paced, rate)
        lines.append(f"  SQLite      {r['updates_per_s']:7.0f} updates/s   p50 {r['p50_ms']:6.1f} ms   "
                     f"p99 {r['p99_ms']:6.1f} ms")
    try:
        async with postgres_database() as url:
            r = await _run(url, n_burst, n_paced, rate)
            lines.append(f"  PostgreSQL  {r['updates_per_s']:7.0f} updates/s   p50 {r['p50_ms']:6.1f} ms   "
                         f"p99 {r['p99_ms']:6.1f} ms")
    except DatabaseUnavailable as exc:
        lines.append(f"  PostgreSQL  skipped: {exc}")
    return "\n".join(lines)


def run() -> str:
    return asyncio.run(run_all())
