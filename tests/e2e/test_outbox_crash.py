"""A dispatcher process killed mid-dispatch, then another one after the lease: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import select

from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import OutboxMessageRow, OutboxRow
from storage.tracking import OutboxStore
from tests.e2e.conftest import TOKEN
from tests.e2e.reminder_harness import local
from tests.fakes.telegram_api import FakeTelegramAPI

ROOT = Path(__file__).resolve().parents[2]
ROWS = 40
CHATS = 8
PASSED = 10  # sendMessage calls answered before the fake Bot API starts holding them
CONCURRENCY = 8
LEASE_SECONDS = 2.0
START = local(2026, 12, 1, 9, 0)  # a Tuesday morning: reminders may go out


def text_of(n: int) -> str:
    return f"Tin nhắc số {n:02d}"


async def spawn_worker(api: FakeTelegramAPI, db: Path, worker: str, start: dt.datetime,
                       log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.e2e.dispatch_worker", "--db", str(db),
        "--api", f"http://127.0.0.1:{api.port}", "--token", TOKEN, "--start", start.isoformat(),
        "--worker", worker, "--lease", str(LEASE_SECONDS), "--batch", str(ROWS),
        "--concurrency", str(CONCURRENCY),
        cwd=ROOT, stdout=log.open("wb"), stderr=asyncio.subprocess.STDOUT,
    )


async def eventually(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll another process's progress (the database it writes): no event can tell us."""
    for _ in range(1000):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting until {what}")


async def test_a_killed_worker_loses_nothing_and_the_next_sends_nothing_twice(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    url = f"sqlite+aiosqlite:///{db}"
    await upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    outbox = OutboxStore(sessions)

    async def rows() -> list[OutboxRow]:
        async with sessions() as session:
            return list(await session.scalars(select(OutboxRow).order_by(OutboxRow.id)))

    try:
        for n in range(ROWS):
            assert await outbox.enqueue(
                dedup_key=f"crash:{n:02d}", platform="telegram", chat_id=str(3000 + n % CHATS),
                payload={"title": "Nhắc hạn", "text": text_of(n), "note": None, "choices": []},
                not_before=START.astimezone(dt.UTC), kind="reminder", occurrence_id=None,
            )
        async with FakeTelegramAPI(token=TOKEN) as api:
            api.stall("sendMessage", after=PASSED)
            first = await spawn_worker(api, db, "w1", START, tmp_path / "w1.log")
            try:
                # The first PASSED rows are delivered and recorded; the worker's next sends are held.
                async def first_worker_stuck() -> bool:
                    if first.returncode is not None:
                        raise AssertionError((tmp_path / "w1.log").read_text())
                    sent = sum(r.status == "sent" for r in await rows())
                    return sent == PASSED and api.held_requests == CONCURRENCY

                await eventually(first_worker_stuck, "the first worker has sent 10 rows and is held")
            finally:
                if first.returncode is None:
                    first.send_signal(signal.SIGKILL)
                await first.wait()
            assert first.returncode == -signal.SIGKILL

            # The held requests lose their client: nothing of them was processed, nothing delivered.
            await api.wait_held(0)
            api.release("sendMessage")
            abandoned = [e for e in api.exchanges if e.method == "sendMessage" and e.status is None]
            assert len(abandoned) == CONCURRENCY
            assert len(api.sent_messages()) == PASSED

            stuck = await rows()
            assert Counter(r.status for r in stuck) == {"sent": PASSED, "sending": ROWS - PASSED}
            assert {r.claimed_by for r in stuck} == {"w1"}
            lease_until = max(r.lease_until for r in stuck if r.lease_until is not None)
            # While the lease runs, nobody else may take the rows.
            assert await outbox.claim(lease_until - dt.timedelta(seconds=0.5), ROWS,
                                      dt.timedelta(seconds=LEASE_SECONDS), "early") == []

            # A second worker whose clock is past the lease finishes the job.
            later = lease_until.astimezone(START.tzinfo) + dt.timedelta(seconds=1)
            second = await spawn_worker(api, db, "w2", later, tmp_path / "w2.log")
            await asyncio.wait_for(second.wait(), timeout=30)
            assert second.returncode == 0, (tmp_path / "w2.log").read_text()

            # Every row reached its chat exactly once: counted at the Bot API, by text and by chat.
            delivered = Counter((r["chat_id"], r["plain_text"]) for r in api.sent_messages())
            assert delivered == Counter({(3000 + n % CHATS, f"Nhắc hạn\n\n{text_of(n)}"): 1
                                         for n in range(ROWS)})
            ok = [e for e in api.exchanges if e.method == "sendMessage" and e.ok]
            assert len(ok) == ROWS

        final = await rows()
        assert Counter(r.status for r in final) == {"sent": ROWS}
        assert Counter(r.claimed_by for r in final) == {"w1": PASSED, "w2": ROWS - PASSED}
        # The lapsed lease counts as one attempt of the rows the dead worker held.
        assert Counter(r.attempts for r in final) == {0: PASSED, 1: ROWS - PASSED}
        async with sessions() as session:
            links = list(await session.scalars(select(OutboxMessageRow)))
        assert Counter(link.outbox_id for link in links) == Counter({r.id: 1 for r in final})
    finally:
        await engine.dispose()
