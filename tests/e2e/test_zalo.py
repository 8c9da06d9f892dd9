"""Real conversations through the Zalo adapter and the fake Zalo Bot API over loopback HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy

from bot.app import build_conversation
from bot.clock import SystemClock
from bot.config import Settings
from bot.logs import configure_logging
from bot.services import Stores, open_stores
from bot.wiring import load_checked
from bot.zalo import (
    MSG_NO_SUCH_CHOICE,
    MSG_PRIVATE_ONLY,
    MSG_TEXT_ONLY,
    ZaloAdapter,
    ZaloAPIError,
    ZaloClient,
    ZaloMessenger,
)
from bot.zalo_render import MAX_MESSAGE, zalo_messages
from handlers.browse import menu_reply, open_choice
from handlers.conversation import Audience, Command
from handlers.flood import MSG_SLOW_DOWN, FloodGuard
from handlers.membership import MSG_BAD_CODE
from handlers.types import Choice, Incoming, Reply
from knowledge.engine import Engine
from knowledge.loader import Knowledge
from tests.fakes.zalo_api import FakeZaloAPI
from tests.plans import in_force_plan

TOKEN = "3141592653:zalo-TEST-token-never-logged"
SECRET = "zalo-webhook-s3cret"
ALICE, BOB = "7d5bcb1e3b0bd255", "a0f1c2d3e4f5a6b7"


@pytest.fixture(scope="module")
def loaded() -> tuple[Knowledge, Engine]:
    # Loading the handbook takes seconds; the engine is pure, so one per module is enough.
    return load_checked(Settings(plan_path=str(in_force_plan()), _env_file=None))


@dataclass
class ZaloBot:
    api: FakeZaloAPI
    stores: Stores
    knowledge: Knowledge
    adapter: ZaloAdapter
    client: ZaloClient
    outbox: ZaloMessenger | None  # what the scheduler's dispatcher gets, when polling

    async def invite(self, agency_id: str, role: str = "member") -> str:
        inv = await self.stores.invites.create(agency_id, role, "test", SystemClock().now(),
                                               dt.timedelta(hours=1))
        return inv.code

    async def say(self, user_id: str, text: str, count: int = 1, **kw) -> list[str]:
        """Send a text as a user; return the bot's messages to that chat that it caused."""
        before = len(self.api.sent_messages(user_id))
        self.api.push_text(user_id, text, **kw)
        return await self.replies(user_id, before, count)

    async def say_in_group(self, group: str, user_id: str, text: str) -> list[str]:
        """Send a text as a user in a group chat; return the bot's messages to the group."""
        before = len(self.api.sent_messages(group))
        self.api.push_text(user_id, text, chat_id=group)
        return await self.replies(group, before)

    async def replies(self, chat_id: str, before: int, count: int = 1) -> list[str]:
        await self.api.wait_for("sendMessage", count=before + count, chat_id=chat_id)
        return self.api.texts(chat_id)[before:]


@contextlib.asynccontextmanager
async def zalo_bot(tmp_path: Path, loaded: tuple[Knowledge, Engine], *, server_token: str = TOKEN,
                   poll: bool = True, **fake_kw) -> AsyncIterator[ZaloBot]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
                        plan_path=str(in_force_plan()), _env_file=None)
    knowledge, engine = loaded
    clock = SystemClock()
    async with (
        FakeZaloAPI(token=server_token, **fake_kw) as api,
        open_stores(settings, knowledge.plans) as stores,
        ZaloClient(TOKEN, api.base_url) as client,
    ):
        conversation = build_conversation(settings, knowledge, engine, stores, clock)
        adapter = ZaloAdapter(conversation, stores.inbox, FloodGuard(clock, 5, 3.0),
                              clock, client, stores.choices, outbox=stores.outbox, poll_timeout=1,
                              backoff=(0.05, 0.2))
        async with contextlib.AsyncExitStack() as stack:
            outbox = await stack.enter_async_context(adapter.running()) if poll else None
            yield ZaloBot(api, stores, knowledge, adapter, client, outbox)


@pytest.fixture
async def bot(tmp_path, loaded) -> AsyncIterator[ZaloBot]:
    async with zalo_bot(tmp_path, loaded) as running:
        yield running


@contextlib.contextmanager
def logging_to_stderr():
    """Log through the production set-up (no secrets given to the mask), then restore pytest's."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    # No secrets for the redaction filter: the adapter itself must never print them.
    configure_logging("DEBUG", [])
    try:
        yield
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def numbered(text: str) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", text, flags=re.MULTILINE)


async def test_question_with_and_without_diacritics_get_the_same_answer(bot):
    [accented] = await bot.say(ALICE, "Cơ quan nào chủ trì biên soạn sổ tay hướng dẫn đánh giá?")
    [folded] = await bot.say(ALICE, "co quan nao chu tri bien soan so tay huong dan danh gia")
    assert "Sở Tư pháp" in accented and "Căn cứ:" in accented
    assert accented == folded
    assert "<b>" not in accented  # plain text: Zalo shows no HTML


async def test_a_menu_shows_numbered_choices_and_a_number_opens_one(bot):
    [menu] = await bot.say(ALICE, "/tieuchi")
    labels = numbered(menu)
    assert len(labels) >= 2 and menu.endswith("(Gõ số để chọn.)")
    opened = await bot.say(ALICE, "1")
    first = menu_reply(bot.knowledge.handbook, "tieuchi").choices[0]
    assert labels[0] == first.label
    expected = open_choice(bot.knowledge.handbook, first.data)
    assert expected is not None
    assert opened == zalo_messages(expected)[:1]
    assert opened[0].startswith("» " + first.label)
    # Another chat's menu is its own: Bob has none, so his "1" is an ordinary question.
    [bob] = await bot.say(BOB, "1")
    assert bob != opened[0]


async def test_a_number_reaching_another_instance_picks_from_the_same_choices(bot):
    # Behind a load balancer the "1" may reach an instance that did not show the menu.
    [menu] = await bot.say(ALICE, "/tieuchi")
    first = menu_reply(bot.knowledge.handbook, "tieuchi").choices[0]
    async with ZaloClient(TOKEN, bot.api.base_url) as client:
        other = ZaloAdapter(bot.adapter.conversation, bot.stores.inbox,
                            bot.adapter.flood, bot.adapter.clock, client, bot.stores.choices)
        before = len(bot.api.sent_messages(ALICE))
        await other.handle_update(bot.api.text_update(ALICE, "1"))
        [opened] = (await bot.replies(ALICE, before))[:1]
        assert opened.startswith("» " + first.label)

        # Choices offered by a reminder from the outbox are remembered the same way.
        second = menu_reply(bot.knowledge.handbook, "tieuchi").choices[1]
        assert bot.outbox is not None
        await bot.outbox.send(BOB, Reply(text="Nhắc hạn", choices=(Choice(second.label, second.data),)))
        before = len(bot.api.sent_messages(BOB))
        await other.handle_update(bot.api.text_update(BOB, "1"))
        [opened] = (await bot.replies(BOB, before))[:1]
        assert opened.startswith("» " + second.label)


async def test_a_number_out_of_range_gets_a_clear_message(bot):
    [menu] = await bot.say(ALICE, "/tieuchi")
    count = len(numbered(menu))
    [reply] = await bot.say(ALICE, str(count + 5))
    assert reply == MSG_NO_SUCH_CHOICE.format(n=count + 5, count=count)


async def test_registration_with_an_invite_code_then_whoami(bot):
    code = await bot.invite("ubnd-h-ke-sach")
    [reply] = await bot.say(ALICE, f"/dangky {code}", display_name="Nguyễn Thị Lan")
    assert "Đăng ký thành công" in reply and "Ủy ban nhân dân huyện Kế Sách" in reply
    [me] = await bot.say(ALICE, "/toi")
    assert "Nguyễn Thị Lan" in me and "ubnd-h-ke-sach" in me
    member = await bot.stores.members.get("zalo", ALICE)
    assert member is not None and member.chat_id == ALICE
    [again] = await bot.say(BOB, f"/dangky {code}")
    assert again == MSG_BAD_CODE


async def test_a_redelivered_message_is_answered_once(bot):
    code = await bot.invite("stp")
    update = bot.api.push_text(ALICE, f"/dangky {code}")
    await bot.api.wait_for("sendMessage", count=1, chat_id=ALICE)
    bot.api.push_update(update)  # Zalo sends the same message_id again
    # A later message proves the redelivered one was read and skipped, not merely still queued.
    [later] = await bot.say(ALICE, "/toi")
    assert "Sở Tư pháp" in later
    assert len(bot.api.sent_messages(ALICE)) == 2
    assert not bot.api.pending_updates


@pytest.mark.parametrize(("event", "fields"), [
    ("message.sticker.received", {"sticker": "bfe2a0c7"}),
    ("message.image.received", {"photo_url": "https://example.org/a.jpg"}),
    # Sent instead of the content for some protected accounts (children, people with disabilities).
    ("message.unsupported.received", {}),
])
async def test_stickers_images_and_unsupported_messages_get_a_polite_text_only_answer(bot, event, fields):
    before = len(bot.api.sent_messages(ALICE))
    bot.api.push_event(event, ALICE, **fields)
    assert await bot.replies(ALICE, before) == [MSG_TEXT_ONLY]
    assert MSG_TEXT_ONLY.startswith("Xin lỗi") and "chữ" in MSG_TEXT_ONLY


async def test_in_a_group_questions_are_answered_and_private_matters_are_sent_to_a_private_chat(bot):
    group = "group-9f8e7d6c"
    question = "Cơ quan nào chủ trì biên soạn sổ tay hướng dẫn đánh giá?"
    [answer] = await bot.say_in_group(group, ALICE, question)
    assert "Sở Tư pháp" in answer and "Căn cứ:" in answer
    code = await bot.invite("stp")
    for private in (f"/dangky {code}", "/capnhat", "/baocao"):
        assert await bot.say_in_group(group, ALICE, private) == [MSG_PRIVATE_ONLY], private
    assert await bot.stores.members.get("zalo", ALICE) is None  # the code was not used in the group
    # A progress phrase in a group is read as a question, never recorded for anyone.
    [reply] = await bot.say_in_group(group, BOB, "đã xong")
    assert reply != MSG_PRIVATE_ONLY
    [menu] = await bot.say_in_group(group, BOB, "/tieuchi")
    assert numbered(menu)
    # The same user in a private chat registers as usual.
    [registered] = await bot.say(ALICE, f"/dangky {code}")
    assert "Đăng ký thành công" in registered


async def test_a_refused_send_is_logged_clearly_and_the_loop_goes_on(bot, caplog):
    bot.api.fail_next("sendMessage", 400)
    bot.api.push_text(ALICE, "/help")
    await bot.api.wait_for("sendMessage", chat_id=ALICE, include_failed=True)
    [reply] = await bot.say(ALICE, "/help")
    assert "/tieuchi" in reply
    [record] = [r for r in caplog.records if r.name == "bot.zalo" and r.levelno == logging.ERROR]
    assert record.getMessage() == (
        f"reply to Zalo chat {ALICE} failed: Zalo sendMessage refused: error 400: Bad request")


async def test_a_reply_that_meets_one_403_is_delivered_and_nobody_is_marked_blocked(bot):
    await bot.say(ALICE, f"/dangky {await bot.invite('stp')}")
    bot.api.fail_next("sendMessage", 403)  # Zalo's "Internal server error"
    [reply] = await bot.say(ALICE, "/help")
    assert "/tieuchi" in reply
    statuses = [e.status for e in bot.api.exchanges if e.method == "sendMessage"]
    assert statuses[-2:] == [403, 200]
    member = await bot.stores.members.get("zalo", ALICE)
    assert member is not None and member.blocked_at is None


async def test_a_429_pauses_zalo_sends_and_the_replies_wait_in_the_outbox(bot, caplog):
    bot.api.fail_next("sendMessage", 429, times=50)
    bot.api.push_text(ALICE, "/help")
    await bot.api.wait_for("sendMessage", chat_id=ALICE, include_failed=True)
    bot.api.push_text(BOB, "/help")  # another chat, while the quota is spent
    await _until(lambda: any("kept in the outbox" in r.getMessage() and BOB in r.getMessage()
                             for r in caplog.records))
    # One call met the 429; the next send waited without calling Zalo.
    assert [e.status for e in bot.api.exchanges if e.method == "sendMessage"] == [429]
    kept = await bot.stores.outbox.claim(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), 10,
                                         dt.timedelta(minutes=1), "test")
    assert {(r.chat_id, r.kind) for r in kept} == {(ALICE, "reply"), (BOB, "reply")}
    assert all("/tieuchi" in r.payload["text"] for r in kept)
    assert await bot.stores.members.get("zalo", ALICE) is None


async def _until(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_long_answers_are_split_into_parts_of_at_most_2000_characters(bot):
    paragraph = "Ủy ban nhân dân cấp xã tổ chức đánh giá, chấm điểm các chỉ tiêu. " * 13
    long_text = "\n\n".join(f"{i}. {paragraph.strip()}" for i in range(1, 4))  # about 2,500 characters
    assert 2400 < len(long_text) < 2600

    async def long_answer(msg: Incoming, args: str) -> list[Reply]:
        return [Reply(text=long_text, choices=(Choice("Xem tiêu chí", "m:tieuchi"),))]

    bot.adapter.conversation.register(Command("dai", long_answer, Audience.ANYONE, "a long answer"))
    parts = await bot.say(ALICE, "/dai", count=2)
    assert len(parts) == 2 and all(len(p) <= MAX_MESSAGE for p in parts)
    assert "\n\n".join(parts).startswith(long_text + "\n\n1. Xem")  # cut between paragraphs
    assert parts[-1].endswith("1. Xem tiêu chí\n(Gõ số để chọn.)")
    # The numbered line at the end of a split reply still answers to its number.
    [menu] = await bot.say(ALICE, "1")
    assert numbered(menu)

    assert bot.outbox is not None and not bot.outbox.patient
    ids = await bot.outbox.send(BOB, Reply(text="x" * 4500))
    assert len(ids) == 3 and [len(t) for t in bot.api.texts(BOB)] == [2000, 2000, 500]


async def test_a_flooding_user_is_slowed_others_are_not(bot):
    for i in range(12):
        bot.api.push_text(ALICE, f"/help {i}")
    [other] = await bot.say(BOB, "/help")
    assert "/tieuchi" in other
    await bot.api.wait_for("sendMessage", count=6, chat_id=ALICE)
    await asyncio.sleep(0.3)
    to_alice = bot.api.texts(ALICE)
    assert len(to_alice) == 6  # five answers and one warning
    assert to_alice.count(MSG_SLOW_DOWN) == 1


async def test_polling_survives_errors_and_never_spins(tmp_path, loaded):
    # This server answers every long poll with 408 at once: the adapter must pace itself.
    async with zalo_bot(tmp_path, loaded, max_poll_seconds=0) as bot:
        bot.api.fail_next("getUpdates", 500, "Internal server error", times=2)
        [reply] = await bot.say(ALICE, "/help")
        assert "/tieuchi" in reply
        polls = len([c for c in bot.api.calls if c.method == "getUpdates"])
        await asyncio.sleep(0.7)
        idle_polls = len([c for c in bot.api.calls if c.method == "getUpdates"]) - polls
        assert 1 <= idle_polls <= 3  # paced at 0.5 s, where a busy loop would make hundreds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_rejects_a_wrong_or_missing_secret_and_accepts_the_right_one(tmp_path, loaded,
                                                                                     capfd):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/zalo/hook"
    with logging_to_stderr():
        async with (
            zalo_bot(tmp_path, loaded, poll=False) as bot,
            bot.adapter.running(webhook_url=url, webhook_secret=SECRET, listen="127.0.0.1", port=port),
        ):
            await bot.api.wait_for("setWebhook")
            assert bot.api.webhook == {**bot.api.webhook, "url": url, "secret_token": SECRET}
            update = bot.api.text_update(ALICE, "/help")
            assert await bot.api.deliver_to_webhook(update, url, "wrong-secret") == 403
            assert await bot.api.deliver_to_webhook(update, url, None) == 403
            assert bot.api.sent_messages(ALICE) == []  # refused before anything is dispatched
            assert await bot.api.deliver_to_webhook(update) == 200  # the secret Zalo was given
            [reply] = await bot.replies(ALICE, 0)
            assert "/tieuchi" in reply
            # Zalo's retry of the same message (here wrapped in ok/result) is not answered twice;
            # chats are served in arrival order, so once /toi is answered the retry was read.
            assert await bot.api.deliver_to_webhook({"ok": True, "result": update}) == 200
            assert await bot.api.deliver_to_webhook(bot.api.text_update(ALICE, "/toi")) == 200
            [me] = await bot.replies(ALICE, 1)
            assert "chưa đăng ký" in me
            assert len(bot.api.sent_messages(ALICE)) == 2
    logged = capfd.readouterr().err
    assert "Zalo webhook listening" in logged and "wrong or missing secret refused" in logged
    assert SECRET not in logged and TOKEN not in logged


async def test_polling_first_deletes_a_webhook_left_set_and_says_so(tmp_path, loaded, capfd):
    with logging_to_stderr():
        async with zalo_bot(tmp_path, loaded, poll=False) as bot:
            await bot.client.set_webhook("https://tcpl.example.org/zalo", SECRET)
            async with bot.adapter.running():
                [reply] = await bot.say(ALICE, "/help")
            assert "/tieuchi" in reply
            assert bot.api.webhook is None
            methods = [c.method for c in bot.api.calls if c.method != "setWebhook"]
            assert methods[:3] == ["getWebhookInfo", "deleteWebhook", "getUpdates"]
            # The documentation types getUpdates' timeout as a string.
            assert {type(c.params["timeout"]) for c in bot.api.calls if c.method == "getUpdates"} == {str}
    logged = capfd.readouterr().err
    assert ("a Zalo webhook is set (https://tcpl.example.org/zalo): it blocks polling, so it is deleted"
            in logged)


async def test_polling_without_a_webhook_deletes_nothing(bot):
    [reply] = await bot.say(ALICE, "/help")
    assert "/tieuchi" in reply
    assert "deleteWebhook" not in [c.method for c in bot.api.calls]


async def test_a_webhook_call_is_acknowledged_only_once_the_update_is_stored(tmp_path, loaded):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/zalo"
    async with (
        zalo_bot(tmp_path, loaded, poll=False) as bot,
        bot.adapter.running(webhook_url=url, webhook_secret=SECRET, listen="127.0.0.1", port=port),
    ):
        await bot.api.wait_for("setWebhook")
        # The inbox is gone (a broken database): the update is not stored, so Zalo is not told 200.
        # Through the bot's own connection: SQLite has one writer, which the bot may be holding.
        async with bot.stores.inbox._sessions() as session:
            await session.execute(sqlalchemy.text("DROP TABLE inbox"))
            await session.commit()
        assert await bot.api.deliver_to_webhook(bot.api.text_update(ALICE, "/help")) == 503
        assert bot.api.sent_messages(ALICE) == []


class _PollingFailures(logging.Handler):
    """Collects the adapters' "getUpdates failed" lines, so a test can wait for them."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []
        self.logged = asyncio.Event()  # the adapters log from the event loop's thread

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("getUpdates failed"):
            self.lines.append(record.getMessage())
            self.logged.set()

    async def seen(self, *fragments: str) -> None:
        while not all(any(fragment in line for line in self.lines) for fragment in fragments):
            self.logged.clear()
            await self.logged.wait()


async def test_the_token_never_reaches_the_logs(tmp_path, loaded, capfd):
    refused_token = "2718281828:zalo-REFUSED-token"
    with logging_to_stderr():
        async with zalo_bot(tmp_path, loaded) as bot:
            bot.api.fail_next("sendMessage", 400)
            bot.api.push_text(ALICE, "/help")
            await bot.api.wait_for("sendMessage", chat_id=ALICE, include_failed=True)
            await bot.say(ALICE, "Xin chào")
            # A token Zalo refuses (401), and a server that is gone: the adapters back off and
            # say why, without the URL.
            async with (
                ZaloClient(refused_token, bot.api.base_url) as refused,
                ZaloClient(TOKEN, f"http://127.0.0.1:{_free_port()}") as dead,
            ):
                adapters = [ZaloAdapter(bot.adapter.conversation, bot.stores.inbox,
                                        bot.adapter.flood, bot.adapter.clock, client, bot.stores.choices,
                                        poll_timeout=1, backoff=(0.05, 0.1)) for client in (refused, dead)]
                failures = _PollingFailures()
                logging.getLogger("bot.zalo").addHandler(failures)
                try:
                    runners = [asyncio.create_task(adapter.run()) for adapter in adapters]
                    # Wait for the evidence, not for a fixed time: a loaded CI machine is slow.
                    await asyncio.wait_for(failures.seen("error 401", "ConnectError"), 20)
                finally:
                    logging.getLogger("bot.zalo").removeHandler(failures)
                for adapter in adapters:
                    adapter.stop()
                await asyncio.wait_for(asyncio.gather(*runners), 5)
                with pytest.raises(ZaloAPIError, match="error 401") as error:
                    await refused.get_me()
                assert refused_token not in str(error.value) and refused_token not in repr(refused)
    logged = capfd.readouterr().err
    assert "reply to Zalo chat" in logged and "error 400" in logged
    assert "getUpdates failed" in logged and "ConnectError" in logged and "error 401" in logged
    for secret in (TOKEN, refused_token):
        assert secret not in logged and secret.split(":")[1] not in logged


async def test_httpx_request_lines_are_masked_even_without_the_production_set_up(caplog):
    caplog.set_level(logging.INFO, logger="httpx")
    async with FakeZaloAPI(token=TOKEN) as api, ZaloClient(TOKEN, api.base_url) as client:
        assert (await client.get_me())["display_name"]
    assert "getMe" in caplog.text and TOKEN not in caplog.text
