"""Getting into the dashboard: /web in chat (Telegram, Zalo, console), `tcpl web link`, and `tcpl run`."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.clock import SystemClock
from bot.config import Settings
from bot.web_server import build_dashboard, serve_web
from bot.wiring import load_all
from handlers.membership import MSG_ADMIN_ONLY
from handlers.types import Incoming
from handlers.web_login import MSG_NO_DASHBOARD, MSG_PRIVATE_ONLY, WebLogin
from tests.e2e.conftest import FakeClock
from tests.e2e.contract import Harness, Loaded, running_harness
from tests.e2e.dashboard_harness import sign_in
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.plans import in_force_plan

TCPL = Path(sys.executable).with_name("tcpl")
STARTUP = 30.0
URL = re.compile(r"(http://127\.0\.0\.1:\d+/dang-nhap/[A-Za-z0-9_-]+)")
HOA = "Trần Văn Hòa"
LAN = "Nguyễn Thị Lan"


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return load_all(Settings(plan_path=str(in_force_plan()), _env_file=None))


@pytest.fixture
async def served(tmp_path: Path, loaded: Loaded) -> AsyncIterator[tuple[Harness, str]]:
    """Telegram and Zalo through their fake servers, and the dashboard, over one database."""
    clock = FakeClock()
    async with running_harness(tmp_path / "bot.db", clock, loaded, ["telegram", "zalo"]) as harness:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", _env_file=None)
        dashboard = build_dashboard(settings, harness.knowledge, harness.bot, clock)
        async with serve_web(settings, dashboard, port=0) as port:
            base = f"http://127.0.0.1:{port}"
            # /web names the dashboard's public address, known only now that it listens.
            web_login = harness.bot.conversation.commands["web"].run.__self__  # type: ignore[attr-defined]
            assert isinstance(web_login, WebLogin)
            web_login.base_url = base
            yield harness, base


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
async def test_web_in_chat_gives_an_administrator_a_link_that_works_once(served, platform):
    harness, base = served
    chat = harness.drivers[platform]
    for user, role in ((HOA, "admin"), (LAN, "member")):
        code = await harness.invite("stp", role)
        assert "Đăng ký thành công" in "\n".join(await chat.say(user, f"/dangky {code}"))
    assert MSG_ADMIN_ONLY in "\n".join(await chat.say(LAN, "/web"))

    reply = "\n".join(await chat.say(HOA, "/web"))
    found = URL.search(reply)
    assert found and found.group(1).startswith(base), reply
    assert "10 phút" in reply and "một lần" in reply
    link = found.group(1)
    async with httpx.AsyncClient(base_url=base, follow_redirects=False) as browser:
        assert (await sign_in(browser, link)).status_code == 303
        overview = await browser.get("/")
        assert overview.status_code == 200 and HOA in overview.text
    async with httpx.AsyncClient(base_url=base, follow_redirects=False) as second:
        assert (await second.get(link)).status_code == 410
        assert (await second.get("/")).status_code == 303


async def test_web_says_when_the_dashboard_is_not_configured(tmp_path, loaded):
    from bot.app import build_bot
    from bot.services import open_stores

    knowledge, engine, policy = loaded
    for extra, expected in (({}, MSG_NO_DASHBOARD), ({"web_url": "https://tcpl.example.gov.vn/"},
                                                     "https://tcpl.example.gov.vn/dang-nhap/")):
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        settings = Settings(database_url=url, _env_file=None, **extra)
        async with open_stores(settings, knowledge.plans) as stores:
            bot = build_bot(settings, knowledge, engine, policy, stores, FakeClock())
            await stores.members.upsert("console", "1", "1", HOA, "stp", "admin", FakeClock().now())
            [reply] = await bot.conversation.handle(Incoming("console", "1", "1", text="/web"))
            assert expected in reply.text
            if "web_url" in extra:
                [group] = await bot.conversation.handle(Incoming("console", "-100", "1", text="/web"))
                assert group.text == MSG_PRIVATE_ONLY


def _environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCPL_")}
    env["TCPL_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env.update(settings)
    return env


async def test_tcpl_web_link_prints_a_link_that_opens_the_dashboard_once(tmp_path, loaded):
    env = _environment(tmp_path, TCPL_WEB_URL="http://127.0.0.1:9")  # the base is replaced below
    out = await asyncio.to_thread(subprocess.run, [str(TCPL), "web", "link"], env=env, cwd=tmp_path,
                                  capture_output=True, text=True, timeout=STARTUP, check=True)
    last = out.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"http://127\.0\.0\.1:9/dang-nhap/[A-Za-z0-9_-]{40,}", last), out.stdout
    from bot.app import build_bot
    from bot.services import open_stores

    knowledge, engine, policy = loaded
    settings = Settings(database_url=env["TCPL_DATABASE_URL"], _env_file=None)
    clock = SystemClock()  # the link was made by another process, at the real time
    async with open_stores(settings, knowledge.plans) as stores:
        bot = build_bot(settings, knowledge, engine, policy, stores, clock)
        async with serve_web(settings, build_dashboard(settings, knowledge, bot, clock), port=0) as port:
            link = last.replace("http://127.0.0.1:9", f"http://127.0.0.1:{port}")
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as browser:
                assert (await sign_in(browser, link)).status_code == 303
                page = await browser.get("/")
                assert page.status_code == 200 and "Người quản lý máy chủ" in page.text
                assert (await browser.get(link)).status_code == 410


async def test_tcpl_run_serves_the_dashboard_beside_the_bot_in_one_process(tmp_path):
    token = "111:WEB-serve-token"
    async with FakeTelegramAPI(token=token) as telegram:
        env = _environment(tmp_path, TCPL_TELEGRAM_TOKEN=token,
                           TCPL_TELEGRAM_API_URL=f"http://127.0.0.1:{telegram.port}", TCPL_WEB_PORT="0")
        process = await asyncio.create_subprocess_exec(
            str(TCPL), "run", env=env, cwd=tmp_path, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        assert process.stderr is not None
        logged: list[str] = []
        try:
            port = None
            async with asyncio.timeout(STARTUP):
                while port is None:
                    line = (await process.stderr.readline()).decode("utf-8", "replace")
                    assert line, "tcpl run ended before serving the dashboard:\n" + "".join(logged)
                    logged.append(line)
                    if match := re.search(r"dashboard listening on http://127\.0\.0\.1:(\d+)", line):
                        port = int(match.group(1))
            drain = asyncio.ensure_future(process.stderr.read())
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as browser:
                response = await browser.get("/", follow_redirects=False)
                assert (response.status_code, response.headers["location"]) == (303, "/dang-nhap")
            # The bot answers in the same process.
            telegram.push_update(telegram.message_update(4242, "/help"))
            await telegram.wait_for("sendMessage", chat_id=4242, timeout=STARTUP)
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 10)
            logged.append((await drain).decode("utf-8", "replace"))
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    text = "".join(logged)
    assert code == 0, text[-3000:]
    assert "Traceback" not in text and "/dang-nhap/" not in text
