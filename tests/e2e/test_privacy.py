"""What users are told, and their data: the same conversation on the console, Telegram and Zalo.

/start and /help say the bot is automated, what its answers are worth and what it keeps; /xoadulieu
deletes what it keeps about the sender once they confirm, and only then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.wiring import load_all
from handlers.conversation import MSG_ABOUT
from handlers.membership import MSG_NOT_REGISTERED
from handlers.privacy import LABEL_ERASE, LABEL_KEEP, MSG_KEPT, MSG_NOTHING, stored_notice
from handlers.types import Incoming
from tests.e2e.conftest import FakeClock
from tests.e2e.contract import PLATFORMS, Harness, Loaded, running_harness

LAN = "Nguyễn Thị Lan"
HOA = "Trần Văn Hòa"
DECLINED = "Giá vàng hôm nay bao nhiêu?"  # out of scope: it lands among the unanswered questions
EVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
STALE = "không còn hiệu lực"


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    from tests.plans import in_force_plan

    return load_all(Settings(plan_path=str(in_force_plan()), _env_file=None))


@pytest.fixture(params=PLATFORMS)
async def harness(request, tmp_path: Path, clock: FakeClock, loaded: Loaded) -> AsyncIterator[Harness]:
    async with running_harness(tmp_path / "bot.db", clock, loaded, [request.param]) as running:
        yield running


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


async def register(harness: Harness, user: str, agency_id: str = "cong-an-tinh") -> None:
    code = await harness.invite(agency_id)
    assert "Đăng ký thành công" in joined(await harness.driver.say(user, f"/dangky {code}"))


async def asked(harness: Harness) -> dict[str, int]:
    """Return how often each declined question was asked, as the question log keeps them."""
    return dict(await harness.stores.questions.unanswered(EVER))


async def test_start_and_help_say_the_bot_is_automated_and_what_it_keeps(harness):
    chat = harness.driver
    for command in ("/start", "/help"):
        reply = joined(await chat.say(LAN, command))
        assert MSG_ABOUT in reply, command
        assert "trợ lý tự động của Sở Tư pháp" in reply and "tham khảo" in reply
        assert "không phải quyết định của cơ quan có thẩm quyền" in reply
        assert stored_notice(90) in reply and "90 ngày" in reply and "/xoadulieu" in reply
    assert "/xoadulieu" in joined(await chat.say(LAN, "/help")).split(MSG_ABOUT)[0]  # listed as a command


async def test_a_member_erases_their_data_after_confirming(harness):
    chat = harness.driver
    await register(harness, LAN)
    await register(harness, HOA)
    await chat.say(LAN, DECLINED)
    await chat.say(HOA, DECLINED)
    assert await asked(harness) == {DECLINED.lower(): 2}

    confirm = joined(await chat.say(LAN, "/xoadulieu"))
    assert "Báo cáo tiến độ bạn đã gửi vẫn được giữ" in confirm
    assert chat.choices(LAN) == [LABEL_ERASE, LABEL_KEEP]
    assert await harness.stores.members.get(chat.platform, chat.chat_id(LAN)) is not None  # not yet

    done = joined(await chat.choose(LAN, 1))
    assert "Đã xóa dữ liệu của bạn: 1 câu hỏi và thông tin đăng ký." in done
    assert await harness.stores.members.get(chat.platform, chat.chat_id(LAN)) is None
    assert await asked(harness) == {DECLINED.lower(): 1}  # Hoa's stays
    assert joined(await chat.say(LAN, "/toi")) == MSG_NOT_REGISTERED
    assert await harness.stores.members.get(chat.platform, chat.chat_id(HOA)) is not None


async def test_someone_never_registered_erases_their_questions(harness):
    chat = harness.driver
    await chat.say(LAN, "/xoadulieu")
    assert joined(await chat.choose(LAN, 1)) == MSG_NOTHING
    await chat.say(LAN, DECLINED)
    await chat.say(LAN, "/xoadulieu")
    done = joined(await chat.choose(LAN, 1))
    assert "Đã xóa dữ liệu của bạn: 1 câu hỏi." in done
    assert await asked(harness) == {}


async def test_keeping_a_stale_or_a_forged_confirmation_deletes_nothing(harness):
    chat = harness.driver
    await register(harness, LAN)
    await chat.say(LAN, DECLINED)

    await chat.say(LAN, "/xoadulieu")
    assert joined(await chat.choose(LAN, 2)) == MSG_KEPT

    await chat.say(LAN, "/xoadulieu")
    harness.clock.advance(minutes=11)  # the confirmation waits ten minutes
    assert STALE in joined(await chat.choose(LAN, 1))

    # A confirmation made up or carried over from another request: only the sender's current one works.
    await chat.say(LAN, "/xoadulieu")
    forged = await harness.bot.conversation.handle(Incoming(
        platform=chat.platform, chat_id=chat.chat_id(LAN), user_id=chat.chat_id(LAN), choice="x:ok:00000000"))
    assert STALE in forged[0].text
    someone_else = await harness.bot.conversation.handle(Incoming(
        platform=chat.platform, chat_id=chat.chat_id(HOA), user_id=chat.chat_id(HOA), choice="x:ok:00000000"))
    assert STALE in someone_else[0].text

    assert await harness.stores.members.get(chat.platform, chat.chat_id(LAN)) is not None
    assert await asked(harness) == {DECLINED.lower(): 1}
