"""Dispatch a SQLite outbox through a Bot API until it is empty: the process that the crash test kills.

    python -m tests.e2e.dispatch_worker --db FILE --api http://127.0.0.1:PORT --token T --start ISO ...

The worker's clock starts at --start and runs at real speed, so a second worker can be started "after
the lease" by giving it a later start. It exits 0 when no row is pending or being sent.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import time

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.dispatcher import Dispatcher
from bot.telegram import TelegramMessenger
from knowledge.deadlines import load_policy
from storage.db import make_engine, make_sessionmaker
from storage.tracking import OutboxStore

log = logging.getLogger("dispatch_worker")


class RunningClock:
    """A clock that starts at a chosen moment and then runs with the machine's monotonic clock."""

    def __init__(self, start: dt.datetime):
        self.start = start
        self.started = time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.started)


class LoggedUnreachable:
    async def chat_unreachable(self, platform: str, chat_id: str, reason: str, now: dt.datetime) -> None:
        log.warning("chat %s:%s unreachable: %s", platform, chat_id, reason)


async def dispatch(args: argparse.Namespace) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{args.db}")
    outbox = OutboxStore(make_sessionmaker(engine))
    request = HTTPXRequest(connection_pool_size=args.concurrency + 2, read_timeout=60, pool_timeout=60)
    bot = Bot(args.token, base_url=f"{args.api}/bot", base_file_url=f"{args.api}/file/bot", request=request)
    try:
        async with bot:
            dispatcher = Dispatcher(
                outbox, {"telegram": TelegramMessenger(bot)}, LoggedUnreachable(), load_policy().calendar(),
                RunningClock(dt.datetime.fromisoformat(args.start)), global_rate=10_000,
                per_chat_rate=1_000_000, lease=dt.timedelta(seconds=args.lease), batch=args.batch,
                concurrency=args.concurrency, worker=args.worker,
            )
            while True:
                if await dispatcher.run_once():
                    continue
                counts = await outbox.counts()
                if counts["pending"] == 0 and counts["sending"] == 0:
                    break
                await asyncio.sleep(0.05)
            log.info("worker %s done: %s", args.worker, dispatcher.stats)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="SQLite file with the outbox")
    parser.add_argument("--api", required=True, help="Bot API root, e.g. http://127.0.0.1:PORT")
    parser.add_argument("--token", required=True)
    parser.add_argument("--start", required=True, help="the clock's first moment, ISO 8601 with offset")
    parser.add_argument("--worker", default="worker")
    parser.add_argument("--lease", type=float, default=2.0, help="lease of claimed rows, seconds")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the token
    asyncio.run(dispatch(args))


if __name__ == "__main__":
    main()
