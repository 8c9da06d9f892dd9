"""Two dispatchers (two engines, as two instances would have) on one outbox: every row is sent once.

Runs on PostgreSQL (claims with FOR UPDATE SKIP LOCKED) and on one SQLite file (claims in an immediate
transaction). PostgreSQL is skipped, or fails with TCPL_REQUIRE_POSTGRES=1, like every integration test.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.dispatcher import Dispatcher
from bot.telegram import TelegramMessenger
from knowledge.deadlines import load_policy
from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxMessageRow, OutboxRow
from storage.tracking import OutboxStore
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.integration.databases import migrated_engine

TOKEN = "123456:TEST-TOKEN"
ROWS = 120
CHATS = 20
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # a Tuesday morning


class RunningClock:
    """Starts on a working morning and runs with the machine's monotonic clock."""

    def __init__(self, start: dt.datetime):
        self.start = start.astimezone(dt.UTC)
        self.started = time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.started)


class NoChatIsUnreachable:
    async def chat_unreachable(self, platform: str, chat_id: str, reason: str, now: dt.datetime) -> None:
        raise AssertionError(f"chat {chat_id} reported unreachable: {reason}")


def text_of(n: int) -> str:
    return f"Tin nhắc số {n:03d}"


async def test_two_dispatchers_at_once_send_every_row_exactly_once(db_url: str) -> None:
    async with migrated_engine(db_url) as engine_a:
        engine_b = make_engine(db_url)
        try:
            outbox_a = OutboxStore(make_sessionmaker(engine_a))
            outbox_b = OutboxStore(make_sessionmaker(engine_b))
            for n in range(ROWS):
                await outbox_a.enqueue(
                    dedup_key=f"load:{n:03d}", platform="telegram", chat_id=str(4000 + n % CHATS),
                    payload={"title": None, "text": text_of(n), "note": None, "choices": []},
                    not_before=START.astimezone(dt.UTC), kind="reminder", occurrence_id=None,
                )
            calendar = load_policy().calendar()
            clock = RunningClock(START)
            async with FakeTelegramAPI(token=TOKEN) as api, api.bot() as bot_a, api.bot() as bot_b:
                dispatchers = [
                    Dispatcher(outbox, {"telegram": TelegramMessenger(bot)}, NoChatIsUnreachable(), calendar,
                               clock, global_rate=5000, per_chat_rate=500, lease=dt.timedelta(seconds=30),
                               batch=6, concurrency=6, worker=name)
                    for outbox, bot, name in ((outbox_a, bot_a, "a"), (outbox_b, bot_b, "b"))
                ]
                stop = asyncio.Event()

                async def until_all_sent() -> None:
                    for _ in range(1200):
                        if (await outbox_a.counts())["sent"] == ROWS:
                            break
                        await asyncio.sleep(0.05)
                    stop.set()

                async with asyncio.timeout(60), asyncio.TaskGroup() as group:
                    for dispatcher in dispatchers:
                        group.create_task(dispatcher.run(stop, idle=0.01))
                    group.create_task(until_all_sent())

                # Counted at the Bot API: each row's message arrived once, in its own chat.
                delivered = Counter((r["chat_id"], r["plain_text"]) for r in api.sent_messages())
                assert delivered == Counter({(4000 + n % CHATS, text_of(n)): 1 for n in range(ROWS)})
                assert [e.status for e in api.exchanges if e.method == "sendMessage"] == [200] * ROWS

            a, b = (d.stats for d in dispatchers)
            assert a.sent + b.sent == ROWS
            assert a.sent > 0 and b.sent > 0, "both dispatchers took part"
            assert a.failed == b.failed == a.unreachable == b.unreachable == 0
            async with make_sessionmaker(engine_b)() as session:
                rows = list(await session.scalars(select(OutboxRow)))
                links = list(await session.scalars(select(OutboxMessageRow)))
            assert Counter(r.status for r in rows) == {"sent": ROWS}
            assert Counter(r.claimed_by for r in rows) == {"a": a.sent, "b": b.sent}
            assert Counter(link.outbox_id for link in links) == Counter({r.id: 1 for r in rows})
        finally:
            await engine_b.dispose()
