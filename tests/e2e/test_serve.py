"""`tcpl run` as an operator starts it: every configured platform in one process, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from handlers.conversation import MSG_WELCOME
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.zalo_api import FakeZaloAPI

TCPL = Path(sys.executable).with_name("tcpl")
TELEGRAM_TOKEN = "987654:SERVE-telegram-token-never-logged"
ZALO_TOKEN = "5772156649:serve-zalo-token-never-logged"
TELEGRAM_USER, ZALO_USER = 4242, "b7e1c0ffee5a1e55"
STARTUP = 30.0  # seconds: loading the handbook and the database, on a slow machine
SHUTDOWN = 5.0
DECLINED = "Giá vàng hôm nay bao nhiêu?"  # out of scope: declined, so `tcpl questions` lists it


def declined_questions(env: dict[str, str], cwd: Path) -> str:
    """Run `tcpl questions --unanswered` (another process) and return what it prints."""
    out = subprocess.run([str(TCPL), "questions", "--unanswered"], env=env, cwd=cwd, capture_output=True,
                         text=True, encoding="utf-8", timeout=STARTUP, check=True)
    return out.stdout


def environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The process environment with only these TCPL_ settings (the caller's own are left out)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCPL_")}
    env["TCPL_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env.update(settings)
    return env


async def test_tcpl_run_serves_telegram_and_zalo_in_one_process_and_stops_cleanly(tmp_path):
    async with FakeTelegramAPI(token=TELEGRAM_TOKEN) as telegram, FakeZaloAPI(token=ZALO_TOKEN) as zalo:
        env = environment(
            tmp_path,
            TCPL_TELEGRAM_TOKEN=TELEGRAM_TOKEN,
            TCPL_TELEGRAM_API_URL=f"http://127.0.0.1:{telegram.port}",
            TCPL_ZALO_TOKEN=ZALO_TOKEN,
            TCPL_ZALO_API_URL=f"http://127.0.0.1:{zalo.port}",
            TCPL_LOG_LEVEL="DEBUG",  # the most the process can say, and still no token
        )
        # cwd: no .env file of the developer's is read.
        process = await asyncio.create_subprocess_exec(
            str(TCPL), "run", env=env, cwd=tmp_path, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        stderr = asyncio.ensure_future(process.stderr.read())  # drained all along: a full pipe blocks
        try:
            telegram.push_update(telegram.message_update(TELEGRAM_USER, "/help"))
            zalo.push_text(ZALO_USER, "/help")
            await telegram.wait_for("sendMessage", chat_id=TELEGRAM_USER, timeout=STARTUP)
            await zalo.wait_for("sendMessage", chat_id=ZALO_USER, timeout=STARTUP)
            [to_telegram] = telegram.sent_messages(TELEGRAM_USER)
            assert "/tieuchi" in to_telegram["plain_text"]
            assert "/tieuchi" in zalo.texts(ZALO_USER)[0]

            # The question log is written behind the replies, by the scheduler, within a second or so.
            telegram.push_update(telegram.message_update(TELEGRAM_USER, DECLINED))
            await telegram.wait_for("sendMessage", count=2, chat_id=TELEGRAM_USER, timeout=STARTUP)
            for _ in range(50):
                if "giá vàng" in await asyncio.to_thread(declined_questions, env, tmp_path):
                    break
                await asyncio.sleep(0.2)
            else:
                pytest.fail("the declined question never reached the question log")
            # Asked just before the stop: written when the process shuts down.
            zalo.push_text(ZALO_USER, DECLINED)
            await zalo.wait_for("sendMessage", count=2, chat_id=ZALO_USER, timeout=STARTUP)

            process.send_signal(signal.SIGTERM)
            try:
                code = await asyncio.wait_for(process.wait(), SHUTDOWN)
            except TimeoutError:
                pytest.fail(f"tcpl run did not exit within {SHUTDOWN:.0f} s of SIGTERM")
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        logged = (await stderr).decode("utf-8", "replace")
    assert code == 0, logged[-3000:]
    assert "Telegram polling started" in logged and "Zalo polling started" in logged
    assert "Traceback" not in logged, logged[-3000:]
    for token in (TELEGRAM_TOKEN, ZALO_TOKEN):
        assert token not in logged and token.split(":")[1] not in logged
    assert declined_questions(env, tmp_path).splitlines()[0] == f"2\t{DECLINED.lower()}"


def test_tcpl_run_without_a_token_chats_on_the_console_and_ends_with_its_input(tmp_path):
    env = environment(tmp_path)
    out = subprocess.run(
        [str(TCPL), "run"], env=env, cwd=tmp_path, input=DECLINED + "\n",
        capture_output=True, text=True, encoding="utf-8", timeout=STARTUP, check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert MSG_WELCOME in out.stdout
    assert out.stdout.rstrip().endswith("Tạm biệt!")
    assert "polling started" not in out.stderr  # no platform was configured, none was served
    assert declined_questions(env, tmp_path).splitlines() == [f"1\t{DECLINED.lower()}"]
