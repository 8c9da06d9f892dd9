"""Real conversations through python-telegram-bot and the fake Bot API over loopback HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import httpx
import pytest

from bot.app import build_conversation
from bot.clock import SystemClock
from bot.logs import configure_logging
from bot.services import open_stores
from bot.telegram import SECRET_HEADER, TelegramAdapter, Webhook
from bot.wiring import load_checked
from handlers.conversation import MSG_TOO_LONG
from handlers.flood import MSG_SLOW_DOWN, FloodGuard
from handlers.membership import MSG_ADMIN_ONLY, MSG_BAD_CODE, MSG_NOT_REGISTERED
from handlers.progress import MSG_UNKNOWN
from handlers.reports import MSG_REPORT_HOW
from tests.e2e.conftest import TOKEN, settings_for
from tests.fakes.telegram_api import FakeTelegramAPI

ALICE, BOB, CAROL = 1001, 1002, 1003


def buttons(record: dict) -> list[tuple[str, str]]:
    markup = record.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


async def test_registration_with_an_invite_code_then_whoami(telegram_bot):
    code = await telegram_bot.invite("ubnd-h-ke-sach")
    [reply] = await telegram_bot.say(ALICE, f"/dangky {code}", first_name="Nguyễn Thị Lan")
    assert "Đăng ký thành công" in reply["plain_text"]
    assert "Ủy ban nhân dân huyện Kế Sách" in reply["plain_text"]
    [me] = await telegram_bot.say(ALICE, "/toi")
    assert "Nguyễn Thị Lan" in me["plain_text"] and "ubnd-h-ke-sach" in me["plain_text"]
    # The code is single-use.
    [again] = await telegram_bot.say(BOB, f"/dangky {code}")
    assert again["plain_text"] == MSG_BAD_CODE
    assert await telegram_bot.stores.members.get("telegram", str(BOB)) is None


async def test_question_with_and_without_diacritics_get_the_same_answer(telegram_bot):
    [accented] = await telegram_bot.say(ALICE, "Cơ quan nào chủ trì biên soạn sổ tay hướng dẫn đánh giá?")
    [folded] = await telegram_bot.say(ALICE, "co quan nao chu tri bien soan so tay huong dan danh gia")
    assert accented["parse_mode"] == "HTML"
    assert accented["text"].startswith("<b>")
    assert "Sở Tư pháp" in accented["plain_text"]
    assert accented["plain_text"] == folded["plain_text"]
    assert "Căn cứ:" in accented["plain_text"]


async def test_pressing_a_suggestion_button_opens_that_entry(telegram_bot):
    [menu] = await telegram_bot.say(ALICE, "/tieuchi")
    choices = buttons(menu)
    assert choices, "the plan menu shows buttons"
    label, data = choices[0]
    [opened] = await telegram_bot.press(ALICE, data, menu["message_id"])
    assert opened["plain_text"].startswith(label.rstrip("…"))
    answered = telegram_bot.api.answered_callback_queries
    assert answered, "the button press is acknowledged"


@pytest.mark.parametrize("forged", ["e:khong-ton-tai", "zz:1", "", "e:" + "a" * 62, "m:../../etc/passwd"])
async def test_forged_callback_data_gets_a_clear_message(telegram_bot, forged):
    [reply] = await telegram_bot.press(ALICE, forged, message_id=999)
    assert "không hợp lệ" in reply["plain_text"]
    assert not [e for e in telegram_bot.api.errors() if e.method != "getUpdates"]


async def test_a_redelivered_update_changes_nothing_and_sends_nothing(telegram_bot):
    code = await telegram_bot.invite("stp")
    update = telegram_bot.api.push_update(telegram_bot.api.message_update(ALICE, f"/dangky {code}"))
    await telegram_bot.api.wait_for("sendMessage", count=1, chat_id=ALICE)
    telegram_bot.api.push_update(update, redeliver=True)
    # A later message proves the redelivered one was read and skipped, not merely still queued.
    [later] = await telegram_bot.say(ALICE, "/toi")
    assert "Sở Tư pháp" in later["plain_text"]
    assert len(telegram_bot.api.sent_messages(ALICE)) == 2


async def test_a_429_during_a_reply_is_waited_out_and_the_reply_arrives_once(telegram_bot):
    telegram_bot.api.fail_next("sendMessage", times=1, retry_after=1)
    [reply] = await telegram_bot.say(ALICE, "/help")
    assert "/tieuchi" in reply["plain_text"]
    statuses = [e.status for e in telegram_bot.api.exchanges if e.method == "sendMessage"]
    assert statuses == [429, 200]


async def test_bad_input_gets_clear_messages(telegram_bot):
    [long] = await telegram_bot.say(ALICE, "hỏi " * 1300)
    assert long["plain_text"].startswith(MSG_TOO_LONG.split("{")[0])
    [unknown] = await telegram_bot.say(ALICE, "/lenhla")
    assert "/help" in unknown["plain_text"]
    [emoji] = await telegram_bot.say(ALICE, "🙂🙂🙂")
    assert emoji["plain_text"]
    [html_like] = await telegram_bot.say(ALICE, "<b>tiêu chí</b> & <script>")
    assert html_like["parse_mode"] == "HTML"  # accepted by the fake's strict HTML parser


async def test_roles_unregistered_member_and_admin(telegram_bot):
    [nobody] = await telegram_bot.say(CAROL, "/nhiemvu")
    assert nobody["plain_text"] == MSG_NOT_REGISTERED
    [refused] = await telegram_bot.say(CAROL, "/moi stp admin")
    assert refused["plain_text"] == MSG_ADMIN_ONLY

    await telegram_bot.say(ALICE, f"/dangky {await telegram_bot.invite('ubnd-cap-xa')}")
    [tasks] = await telegram_bot.say(ALICE, "/nhiemvu")
    assert "II.1" in tasks["plain_text"]  # commune-level units lead II.1
    assert "II.4.đ" not in tasks["plain_text"]  # led by the provincial office, not communes
    [refused] = await telegram_bot.say(ALICE, "/moi ubnd-cap-xa admin")
    assert refused["plain_text"] == MSG_ADMIN_ONLY  # a member cannot make invites, not even for itself

    await telegram_bot.say(BOB, f"/dangky {await telegram_bot.invite('stp', 'admin')}")
    [ended] = await telegram_bot.say(BOB, "/moi ubnd-h-my-tu")
    assert "đã kết thúc hoạt động" in ended["plain_text"]  # no invites for a former district
    [created] = await telegram_bot.say(BOB, "/moi cong-an-tinh")
    code = created["plain_text"].split("Mã mời: ")[1].split()[0]
    await telegram_bot.say(CAROL, f"/dangky {code}")
    [members] = await telegram_bot.say(BOB, "/thanhvien")
    assert "cấp xã" in members["plain_text"] and "Công an tỉnh" in members["plain_text"]
    # Carol acts for the provincial police only: her tasks are theirs (II.4.đ), not the communes'.
    [me] = await telegram_bot.say(CAROL, "/toi")
    assert "cong-an-tinh" in me["plain_text"] and "ubnd-cap-xa" not in me["plain_text"]
    [carols] = await telegram_bot.say(CAROL, "/nhiemvu")
    assert "II.4.đ" in carols["plain_text"] and "II.1 " not in carols["plain_text"]


async def test_unanswered_questions_are_listed_for_administrators(telegram_bot):
    await telegram_bot.say(BOB, f"/dangky {await telegram_bot.invite('stp', 'admin')}")
    for _ in range(2):
        await telegram_bot.say(ALICE, "Thủ tục cấp giấy phép xây dựng nhà ở nông thôn?")
    [listing] = await telegram_bot.say(BOB, "/chuatraloi")
    assert "1. thủ tục cấp giấy phép xây dựng nhà ở nông thôn? (2 lần)" in listing["plain_text"]


async def test_a_flooding_user_is_slowed_others_are_not(telegram_bot):
    for i in range(20):
        telegram_bot.api.push_update(telegram_bot.api.message_update(ALICE, f"/help {i}"))
    [other] = await telegram_bot.say(BOB, "/help")
    assert "/tieuchi" in other["plain_text"]
    await asyncio.sleep(0.5)
    to_alice = telegram_bot.api.sent_messages(ALICE)
    assert len(to_alice) == 6  # five answers and one warning
    assert sum(m["plain_text"] == MSG_SLOW_DOWN for m in to_alice) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_rejects_a_wrong_secret_and_accepts_the_right_one(tmp_path, capfd):
    port = _free_port()
    settings = settings_for(
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_secret="s3cret-value",
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    knowledge, engine = load_checked(settings)
    clock = SystemClock()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("DEBUG", settings.secrets())
    async with FakeTelegramAPI(token=TOKEN) as api, open_stores(settings, knowledge.plans) as stores:
        adapter = TelegramAdapter(build_conversation(settings, knowledge, engine, stores, clock),
                                  stores.inbox, stores.members, FloodGuard(clock), clock)
        application = adapter.build(TOKEN, f"http://127.0.0.1:{api.port}")
        webhook = Webhook(settings.webhook_url, "s3cret-value", "127.0.0.1", port)
        async with adapter.running(application, webhook):
            await adapter.connected.wait()
            await api.wait_for("setWebhook")
            await _until_listening(port)
            update = {"update_id": 77, **api.message_update(ALICE, "/help")}
            async with httpx.AsyncClient() as client:
                wrong = await client.post(f"http://127.0.0.1:{port}/telegram", json=update,
                                          headers={SECRET_HEADER: "wrong"})
                missing = await client.post(f"http://127.0.0.1:{port}/telegram", json=update)
                assert wrong.status_code == 403 and missing.status_code == 403
                assert await stores.inbox.unhandled() == 0 and api.sent_messages(ALICE) == []
                right = await client.post(f"http://127.0.0.1:{port}/telegram", json=update,
                                          headers={SECRET_HEADER: "s3cret-value"})
                assert right.status_code == 200
            await api.wait_for("sendMessage", chat_id=ALICE)
    root.handlers[:], level = saved
    root.setLevel(level)
    logged = capfd.readouterr().err
    assert "getMe" in logged  # PTB's debug lines were written…
    assert TOKEN not in logged and "s3cret-value" not in logged  # …with the secrets masked


async def _until_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.02)
            continue
        writer.close()
        return
    raise AssertionError(f"nothing listens on port {port}")


@pytest.mark.parametrize("args", ["0000", "²²²²", "1999", "٢٠٢٦", "99999999999999999999"])
async def test_a_report_for_an_impossible_year_gets_the_usage(telegram_bot, args):
    await telegram_bot.say(BOB, f"/dangky {await telegram_bot.invite('stp', 'admin')}")
    [reply] = await telegram_bot.say(BOB, f"/baocao {args}")
    assert reply["plain_text"] == MSG_REPORT_HOW


@pytest.mark.parametrize("forged", ["p:²:d", "p:99999999999999999999:d", "p:1:i:²",
                                    "p:1:i:99999999999999999999", "p:-1:d", "p::d"])
async def test_malformed_progress_buttons_get_a_clear_message(telegram_bot, forged):
    await telegram_bot.say(ALICE, f"/dangky {await telegram_bot.invite('stp')}")
    [reply] = await telegram_bot.press(ALICE, forged, message_id=999)
    assert reply["plain_text"] == MSG_UNKNOWN


async def test_an_agency_administrator_manages_its_own_people_only(telegram_bot):
    # The Department's administrator makes Alice an administrator of the Department of Finance.
    await telegram_bot.say(BOB, f"/dangky {await telegram_bot.invite('stp', 'admin')}")
    [created] = await telegram_bot.say(BOB, "/moi stc admin")
    code = created["plain_text"].split("Mã mời: ")[1].split()[0]
    await telegram_bot.say(ALICE, f"/dangky {code}")

    for attempt in ("/moi stp admin", "/moi stc admin", "/moi cong-an-tinh"):
        telegram_bot.clock.advance(seconds=1)  # slower than the flood limit
        [refused] = await telegram_bot.say(ALICE, attempt)
        assert "chỉ mời được thành viên cho cơ quan mình" in refused["plain_text"], attempt
    for department_only in ("/baocao", "/baocao ii-1 2026", "/hanchot ii-4a 15/03/2027", "/chuatraloi",
                            "/coquan", "/sukien ii-6 15/03/2027"):
        telegram_bot.clock.advance(seconds=1)
        [refused] = await telegram_bot.say(ALICE, department_only)
        assert refused["plain_text"] == MSG_ADMIN_ONLY, department_only

    telegram_bot.clock.advance(seconds=10)
    [own] = await telegram_bot.say(ALICE, "/moi stc")
    own_code = own["plain_text"].split("Mã mời: ")[1].split()[0]
    [registered] = await telegram_bot.say(CAROL, f"/dangky {own_code}")
    assert "thành viên của Sở Tài chính" in registered["plain_text"]
    [members] = await telegram_bot.say(ALICE, "/thanhvien")
    assert "Sở Tài chính" in members["plain_text"] and "Sở Tư pháp" not in members["plain_text"]
    [everyone] = await telegram_bot.say(BOB, "/thanhvien")
    assert "Sở Tài chính" in everyone["plain_text"] and "Sở Tư pháp" in everyone["plain_text"]


@pytest.fixture
async def webhook(telegram_bot):
    """The bot's webhook app (the real one) listening on 127.0.0.1; yields its URL."""
    from aiohttp import web

    assert telegram_bot.adapter.intake is not None
    app = telegram_bot.adapter.webhook_app(telegram_bot.application, telegram_bot.adapter.intake,
                                           "s3cret-value", "/telegram")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
    finally:
        await runner.cleanup()


async def _post_endless(url: str, headers: dict[str, str], declared: int) -> int:
    """POST a body that never finishes after its first megabyte; return the status the server gave."""
    import aiohttp

    sent_first = asyncio.Event()
    never = asyncio.Event()

    async def body():
        yield b"{" + b" " * (1024 * 1024)
        sent_first.set()
        await never.wait()  # a server that reads the body before answering never answers

    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body(), headers={**headers, "Content-Length": str(declared)},
                                timeout=aiohttp.ClientTimeout(total=30)) as response:
            return response.status


async def test_the_webhook_checks_the_secret_before_reading_a_body(webhook, telegram_bot):
    huge = 95 * 1024 * 1024
    assert await _post_endless(webhook, {}, huge) == 403
    assert await _post_endless(webhook, {SECRET_HEADER: "wrong"}, huge) == 403
    # With the right secret, a body over the cap is refused from its declared length alone.
    assert await _post_endless(webhook, {SECRET_HEADER: "s3cret-value"}, huge) == 413
    assert await telegram_bot.stores.inbox.unhandled() == 0


async def test_a_chunked_body_over_the_cap_is_refused(webhook):
    async def body():
        for _ in range(3):
            yield b" " * (1024 * 1024)

    async with httpx.AsyncClient() as client:
        response = await client.post(webhook, content=body(), headers={SECRET_HEADER: "s3cret-value"})
    assert response.status_code == 413
