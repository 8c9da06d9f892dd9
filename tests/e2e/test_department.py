"""The Department answers what the bot could not, in chat; every instance serves the answer."""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.config import Settings
from bot.wiring import load_all
from handlers.membership import MSG_ADMIN_ONLY
from handlers.types import Incoming
from tests.e2e.conftest import FakeClock
from tests.e2e.contract import Harness, Loaded, running_harness
from tests.integration.databases import DatabaseUnavailable, postgres_database, postgres_required

LAN = "Nguyễn Thị Lan"  # an administrator of another agency
HOA = "Trần Văn Hòa"  # an administrator of the Department of Justice
MINH = "Phạm Văn Minh"  # a member of an agency
QUESTION = "Bể cá cảnh trong trụ sở cơ quan phải thay nước mấy ngày một lần?"
ANSWER = "Ít nhất 07 ngày một lần (câu trả lời thử, không phải quy định thật)."
CITATION = "Thông báo thử số 1 của Sở"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Loaded:
    return load_all(Settings(data_dir=tmp_path_factory.mktemp("empty"), _env_file=None))


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


async def register(harness: Harness, user: str, agency: str, role: str) -> None:
    code = await harness.invite(agency, role)
    assert "Đăng ký thành công" in joined(await harness.driver.say(user, f"/dangky {code}"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request, tmp_path: Path):
    if request.param == "sqlite":
        yield tmp_path / "shared.db"
        return
    async with AsyncExitStack() as stack:
        try:
            url = await stack.enter_async_context(postgres_database())
        except DatabaseUnavailable as exc:
            if postgres_required():
                pytest.fail(str(exc))
            pytest.skip(str(exc))
        yield url


async def test_an_answer_added_with_traloi_is_served_by_another_instance_on_another_platform(
        database, tmp_path: Path, clock: FakeClock, loaded: Loaded):
    async with running_harness(database, clock, loaded, ["telegram"], tmp_path / "a") as a, \
            running_harness(database, clock, loaded, ["zalo"], tmp_path / "b") as b:
        assert "không đoán" in joined(await b.driver.say(LAN, QUESTION))
        await b.stores.questions.flush()  # the housekeeping does it every second
        await register(a, HOA, "stp", "admin")
        await register(b, LAN, "cong-an-tinh", "admin")  # an agency's administrator, not the Department's
        assert joined(await b.driver.say(LAN, "/traloi 1")) == MSG_ADMIN_ONLY
        assert joined(await b.driver.say(LAN, "/chuatraloi")) == MSG_ADMIN_ONLY
        await register(b, MINH, "cong-an-tinh", "member")
        assert joined(await b.driver.say(MINH, "/traloi 1")) == MSG_ADMIN_ONLY

        listing = joined(await a.driver.say(HOA, "/chuatraloi"))
        assert f"1. {QUESTION.lower()} (1 lần)" in listing and "/traloi" in listing  # as the log groups it
        assert QUESTION.lower() in joined(await a.driver.say(HOA, "/traloi 1"))
        assert "căn cứ" in joined(await a.driver.say(HOA, ANSWER))
        preview = joined(await a.driver.say(HOA, CITATION))
        assert ANSWER in preview and CITATION in preview and "bổ sung ngày 02/11/2026" in preview
        assert a.driver.choices(HOA) == ["✅ Lưu", "✖ Hủy"]
        assert "Đã lưu mục stp-1" in joined(await a.driver.choose(HOA, 1))
        assert (tmp_path / "a" / "so-tay-bo-sung.yaml").is_file()

        assert await b.bot.knowledge.once()  # what instance B's sync does every 20 seconds
        served = joined(await b.driver.say(LAN, QUESTION))
        assert ANSWER in served and f"Căn cứ: {CITATION}" in served
        assert "Nội dung do Sở Tư pháp bổ sung ngày 02/11/2026." in served
        assert (tmp_path / "b" / "so-tay-bo-sung.yaml").read_text(encoding="utf-8") == (
            tmp_path / "a" / "so-tay-bo-sung.yaml").read_text(encoding="utf-8")


async def test_entries_are_edited_and_withdrawn_with_sotay(tmp_path: Path, clock: FakeClock, loaded: Loaded):
    async with running_harness(tmp_path / "bot.db", clock, loaded, ["zalo"]) as h:
        chat = h.driver
        await chat.say(HOA, QUESTION)
        await h.stores.questions.flush()
        await register(h, HOA, "stp", "admin")
        await chat.say(HOA, "/traloi 1")
        await chat.say(HOA, ANSWER)
        await chat.say(HOA, CITATION)
        assert "Xin chọn" in joined(await chat.say(HOA, "để tôi xem lại"))  # neither yes nor no: asked again
        assert "Đã lưu mục stp-1" in joined(await chat.say(HOA, "lưu"))

        await chat.say(HOA, "/sotay")
        opened = joined(await chat.choose(HOA, 1))
        assert QUESTION.lower() in opened and ANSWER in opened
        await chat.choose(HOA, 1)  # ✏️ Sửa câu trả lời
        await chat.say(HOA, "Ít nhất 05 ngày một lần (câu trả lời thử đã sửa).")
        assert "Đã lưu mục stp-1" in joined(await chat.choose(HOA, 1))
        assert "05 ngày" in joined(await chat.say(HOA, QUESTION))

        await chat.say(HOA, "/sotay")
        await chat.choose(HOA, 1)
        assert "Thu hồi mục stp-1?" in joined(await chat.choose(HOA, 3))
        assert "Đã thu hồi mục stp-1" in joined(await chat.choose(HOA, 1))
        assert "không đoán" in joined(await chat.say(HOA, QUESTION))
        assert "chưa có mục nào" in joined(await chat.say(HOA, "/sotay"))


async def test_the_dialogue_can_be_cancelled(tmp_path: Path, clock: FakeClock, loaded: Loaded):
    async with running_harness(tmp_path / "bot.db", clock, loaded, ["telegram"]) as h:
        chat = h.driver
        await chat.say(HOA, QUESTION)
        await h.stores.questions.flush()
        await register(h, HOA, "stp", "admin")
        await chat.say(HOA, "/traloi 1")
        await chat.say(HOA, ANSWER)
        await chat.say(HOA, CITATION)
        assert "Đã hủy" in joined(await chat.choose(HOA, 2))
        me = chat.chat_id(HOA)
        # An old "Lưu" button, pressed after the dialogue ended:
        [stale] = await h.bot.conversation.handle(Incoming("telegram", me, me, choice="t:ok"))
        assert "Không có nội dung nào đang chờ lưu" in stale.text
        assert "không đoán" in joined(await chat.say(HOA, QUESTION))
        assert "Không có câu hỏi số 9" in joined(await chat.say(HOA, "/traloi 9"))
        assert "Cách dùng" in joined(await chat.say(HOA, "/traloi abc"))


async def test_a_confirmation_handled_twice_adds_one_entry(tmp_path: Path, clock: FakeClock, loaded: Loaded):
    async with running_harness(tmp_path / "bot.db", clock, loaded, ["console"]) as h:
        chat = h.driver
        await chat.say(HOA, QUESTION)
        await h.stores.questions.flush()
        await register(h, HOA, "stp", "admin")
        await chat.say(HOA, "/traloi 1")
        await chat.say(HOA, ANSWER)
        await chat.say(HOA, CITATION)
        me = chat.chat_id(HOA)
        # The same update handled again after a crash takes the same question (its key) and saves once.
        confirm = Incoming("console", me, me, text="lưu", update_id="42")
        first = await h.bot.conversation.handle(confirm)
        again = await h.bot.conversation.handle(confirm)
        assert "Đã lưu mục stp-1" in first[0].text and "Đã lưu mục stp-1" in again[0].text
        assert [e.id for e in h.bot.knowledge.department().entries] == ["stp-1"]
