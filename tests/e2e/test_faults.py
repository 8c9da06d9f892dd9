"""The fault suite: `tcpl run` killed mid-burst, a Bot API that answers garbage, 5xx or nothing, a
platform unreachable at start. Real processes, real databases, fake platforms on 127.0.0.1.

Nothing is lost: after a SIGKILL and a restart every question is answered and every progress
report recorded exactly once; a reply may come twice only when the process died between sending it
and marking its update handled. No log line of the bot holds a token or a secret.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.config import DEFAULT_POLICY_PATH, Settings
from bot.services import open_stores
from bot.wiring import load_all
from storage.models import ProgressUpdateRow, QuestionLogRow
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.zalo_api import FakeZaloAPI
from tests.integration.conftest import db_url  # noqa: F401 - the fixture: SQLite and PostgreSQL
from tests.plans import write_plan, write_yaml, yearly

TCPL = Path(sys.executable).with_name("tcpl")
TOKEN = "271828:FAULT-telegram-token-never-logged"
ZALO_TOKEN = "3141592653:fault-zalo-token-never-logged"
QUESTION = "Cơ quan nào chủ trì biên soạn sổ tay hướng dẫn đánh giá?"
BURST = 200
KILL_AFTER = 40
LEASE = "2"  # seconds: how soon a restarted instance takes over what the killed one left
WAIT = 90.0  # seconds: a deadline for the test on a busy machine, never a pace


@dataclass
class Bot:
    """One `tcpl run` process and its log."""

    process: asyncio.subprocess.Process
    log: Path

    def logged(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def environment(url: str, api: FakeTelegramAPI | None, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCPL_")}
    env.update(TCPL_DATABASE_URL=url, TCPL_INBOX_LEASE_SECONDS=LEASE, TCPL_LOG_LEVEL="DEBUG")
    if api is not None:
        env.update(TCPL_TELEGRAM_TOKEN=TOKEN, TCPL_TELEGRAM_API_URL=f"http://127.0.0.1:{api.port}")
    env.update(settings)
    return env


async def start(env: dict[str, str], workdir: Path, name: str) -> Bot:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:  # the child keeps its own descriptor
        process = await asyncio.create_subprocess_exec(
            str(TCPL), "run", env=env, cwd=workdir, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)
    return Bot(process, log)


async def stop(bot: Bot) -> None:
    if bot.process.returncode is None:
        bot.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(bot.process.wait(), 30)
        except TimeoutError:
            bot.process.kill()
            await bot.process.wait()


async def until(condition: Callable[[], Awaitable[bool] | bool], what: str, *bots: Bot) -> None:
    """Wait for what another process does; fail with its log if it died or took too long."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        outcome = condition()
        if outcome if isinstance(outcome, bool) else await outcome:
            return
        for bot in bots:
            if bot.process.returncode is not None:
                raise AssertionError(f"the bot exited ({bot.process.returncode}) while waiting until "
                                     f"{what}:\n{bot.logged()[-3000:]}")
        if loop.time() > deadline:
            logs = "\n".join(bot.logged()[-2000:] for bot in bots)
            raise AssertionError(f"waited {WAIT:.0f} s until {what}\n{logs}")
        await asyncio.sleep(0.05)


def assert_clean(*bots: Bot, secrets: tuple[str, ...] = (TOKEN, ZALO_TOKEN)) -> None:
    """No token (nor its secret half) in any log line or traceback, and no traceback at all."""
    for bot in bots:
        logged = bot.logged()
        for secret in secrets:
            assert secret not in logged and secret.split(":")[1] not in logged, bot.log
        assert "Traceback" not in logged, logged[-3000:]


def answered(api: FakeTelegramAPI, chats: range) -> Counter[int]:
    """Count the bot's delivered messages per chat."""
    count = Counter(int(m["chat_id"]) for m in api.sent_messages() if m["method"] == "sendMessage")
    return Counter({chat: count[chat] for chat in chats if count[chat]})


@asynccontextmanager
async def killed_mid_burst(tmp_path: Path, url: str, updates: list[dict], replies_before_kill: int,
                           **settings: str) -> AsyncIterator[FakeTelegramAPI]:
    """Hand a burst to `tcpl run`, SIGKILL it once it has sent some replies, restart it; yield the API."""
    async with FakeTelegramAPI(token=TOKEN) as api:
        env = environment(url, api, **settings)
        first = await start(env, tmp_path, "first")
        try:
            await until(lambda: any(e.method == "getUpdates" for e in api.exchanges), "it polls", first)
            api.stall("sendMessage", after=replies_before_kill)
            for update in updates:
                api.push_update(update)
            await until(lambda: len(api.sent_messages()) >= replies_before_kill and api.held_requests > 0,
                        f"{replies_before_kill} replies went out and the next ones are held", first)
        finally:
            if first.process.returncode is None:
                first.process.send_signal(signal.SIGKILL)
            await first.process.wait()
        assert first.process.returncode == -signal.SIGKILL
        await api.wait_held(0)  # the dead process's requests are gone, unprocessed
        api.release("sendMessage")
        second = await start(env, tmp_path, "second")
        try:
            yield api
        finally:
            await stop(second)
        assert_clean(first, second)


@pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
async def test_a_burst_of_questions_survives_a_kill(tmp_path: Path, db_url: str) -> None:  # noqa: F811
    chats = range(50_000, 50_000 + BURST)
    async with FakeTelegramAPI(token=TOKEN) as maker:
        updates = [maker.message_update(chat, QUESTION) for chat in chats]
    async with killed_mid_burst(tmp_path, db_url, updates, KILL_AFTER) as api:
        await until(lambda: len(answered(api, chats)) == BURST, "every question is answered")
    delivered = answered(api, chats)
    assert all("Sở Tư pháp" in m["plain_text"] for m in api.sent_messages())
    # At least once: a second copy only where the kill fell between a send and its mark.
    assert sum(delivered.values()) - BURST <= KILL_AFTER
    # Every question of a handled update is in the log the Department reads (/chuatraloi).
    settings = Settings(database_url=db_url, _env_file=None)
    knowledge, _, _ = load_all(settings)
    async with open_stores(settings, knowledge.plans) as stores:
        async with stores.inbox._sessions() as session:  # noqa: SLF001 - a look at the history
            logged = set((await session.execute(select(QuestionLogRow.user_id))).scalars())
    assert logged >= {str(chat) for chat in chats}


def no_reminders(folder: Path) -> Path:
    """The shipped reminder policy with no reminder at all: whatever the day and hour of the run, the
    only messages are the replies to the reports (a reminder of the test's deadline would be counted)."""
    policy = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    policy.update(before_days=[], on_the_day=False, overdue={**policy["overdue"], "times": 0})
    return write_yaml(folder / "no-reminders.yaml", policy)


@pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
async def test_progress_reports_survive_a_kill_and_are_recorded_once(tmp_path: Path,
                                                                     db_url: str) -> None:  # noqa: F811
    members = range(60_000, 60_060)
    # A plan in force with one yearly task of the Department: its deadline exists from the start.
    plans = write_plan(tmp_path / "plans", "kh-su-co", [yearly("ii-1", "II.1", ["stp"])])
    settings = Settings(database_url=db_url, plan_path=str(plans), _env_file=None)
    knowledge, _, _ = load_all(settings)
    async with open_stores(settings, knowledge.plans) as stores:
        for member in members:
            await stores.members.upsert("telegram", str(member), str(member), f"Cán bộ {member}", "stp",
                                        "member", dt.datetime.now(dt.UTC))
    async with FakeTelegramAPI(token=TOKEN) as maker:
        updates = [maker.message_update(m, f"/capnhat II.1 dang {m % 100}%") for m in members]
    async with killed_mid_burst(tmp_path, db_url, updates, 20, TCPL_PLAN_PATH=str(plans),
                                TCPL_REMINDER_POLICY_PATH=str(no_reminders(tmp_path))) as api:
        await until(lambda: len(answered(api, members)) == len(members), "every report is answered")
    assert all("Đã ghi nhận" in m["plain_text"] for m in api.sent_messages())
    async with open_stores(settings, knowledge.plans) as stores:
        async with stores.inbox._sessions() as session:  # noqa: SLF001 - a look at the history
            history = (await session.execute(select(ProgressUpdateRow.member_id, ProgressUpdateRow.percent,
                                                    ProgressUpdateRow.update_key))).all()
        assert await stores.inbox.unhandled() == 0
        by_name = {m.id: int(m.user_id) for m in await stores.members.by_agency("stp")}
    # Each report recorded exactly once, with what its sender said.
    assert Counter(by_name[member_id] for member_id, _, _ in history) == Counter(dict.fromkeys(members, 1))
    assert all(percent == by_name[member_id] % 100 for member_id, percent, _ in history)


async def test_a_bot_api_answering_garbage_5xx_and_stalls_loses_nothing_and_leaks_nothing(
        tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with FakeTelegramAPI(token=TOKEN) as api:
        api.garble("getMe")  # the first start attempt meets a broken status line…
        api.fail_with("getMe", 502, "Bad Gateway")  # …the second a 502
        bot = await start(environment(url, api), tmp_path, "bot")
        try:
            await until(lambda: any(e.method == "getUpdates" and e.ok for e in api.exchanges), "it polls",
                        bot)
            api.garble("getUpdates")
            api.fail_with("getUpdates", 502, "Bad Gateway")
            api.push_update(api.message_update(7001, QUESTION))
            await api.wait_for("sendMessage", chat_id=7001, timeout=WAIT)

            api.fail_with("sendMessage", 502, "Bad Gateway")  # a reply meets a 502: tried again
            api.push_update(api.message_update(7002, "/help"))
            await api.wait_for("sendMessage", chat_id=7002, timeout=WAIT)

            api.stall("sendMessage")  # a reply that hangs: timed out, then tried again
            api.push_update(api.message_update(7003, QUESTION))
            await api.wait_held(1, timeout=WAIT)
            await until(lambda: api.held_requests == 0, "the stalled request is given up", bot)
            api.release("sendMessage")
            await api.wait_for("sendMessage", chat_id=7003, timeout=WAIT)

            # A button press whose acknowledgement fails four times is handled all the same.
            [menu] = [m for m in api.sent_messages(7002)]
            api.fail_with("answerCallbackQuery", 502, "Bad Gateway", times=4)
            api.push_update(api.callback_update(7002, "m:tieuchi", menu["message_id"]))
            await api.wait_for("sendMessage", count=2, chat_id=7002, timeout=WAIT)
        finally:
            await stop(bot)
    logged = bot.logged()
    assert "Telegram not reachable" in logged and "Telegram updates not fetched" in logged
    assert_clean(bot)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_an_unreachable_bot_api_at_start_is_retried_while_zalo_serves(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    telegram = FakeTelegramAPI(token=TOKEN)
    telegram.listen_port = _free_port()  # where the bot looks; nothing listens there yet
    async with FakeZaloAPI(token=ZALO_TOKEN) as zalo:
        env = environment(url, None, TCPL_TELEGRAM_TOKEN=TOKEN,
                          TCPL_TELEGRAM_API_URL=f"http://127.0.0.1:{telegram.listen_port}",
                          TCPL_ZALO_TOKEN=ZALO_TOKEN, TCPL_ZALO_API_URL=zalo.base_url)
        bot = await start(env, tmp_path, "bot")
        try:
            zalo.push_text("b7e1c0ffee5a1e55", "/help")
            await zalo.wait_for("sendMessage", chat_id="b7e1c0ffee5a1e55", timeout=WAIT)
            await until(lambda: bot.logged().count("Telegram not reachable") >= 2, "it retried twice", bot)
            async with telegram:  # Telegram comes back
                telegram.push_update(telegram.message_update(7100, "/help"))
                await telegram.wait_for("sendMessage", chat_id=7100, timeout=WAIT)
        finally:
            await stop(bot)
    assert bot.process.returncode == 0, bot.logged()[-3000:]
    lines = [line for line in bot.logged().splitlines() if "Telegram not reachable" in line]
    assert all("trying again in" in line for line in lines)  # one clear line per attempt
    assert_clean(bot)
