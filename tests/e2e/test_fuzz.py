"""Property: whatever an official types — any Unicode, control characters, commands with any
arguments — every platform answers it, and nothing is logged at ERROR."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.types import clean_text
from tests.e2e.contract import Harness, TelegramDriver
from tests.e2e.test_contract import harness, loaded  # noqa: F401 - the fixtures: every platform

FUZZER = "Người Thử Nghiệm"
COMMANDS = ("start", "help", "hoi", "tieuchi", "kehoach", "dangky", "toi", "coquan", "moi", "thanhvien",
            "chuatraloi", "nhiemvu", "capnhat", "baocao", "hanchot", "sukien", "lenhla")
EXAMPLES = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Any code point but the line breaks the console reads lines by (the Unicode categories include
# controls, surrogates and unassigned ones); a message is never blank once cleaned.
anything = st.text(st.characters(exclude_characters="\n\r"), min_size=1, max_size=80)
numbers = st.from_regex(r"\A[0-9²٣]{1,25}\Z")
words = st.sampled_from(["ii-1", "stp", "admin", "xong", "31/02/2026", "dang 1100%", "-50%", "0000", "2026"])
arguments = st.lists(st.one_of(anything, numbers, words), max_size=3).map(" ".join)
commands = st.builds(lambda name, args: f"/{name} {args}", st.sampled_from(COMMANDS), arguments)
messages = st.one_of(anything, commands, numbers).filter(
    lambda t: clean_text(t).strip() != "" and "\n" not in t and "\r" not in t)


async def _as_department_admin(harness: Harness) -> None:  # noqa: F811
    chat = harness.driver
    if await harness.stores.members.get(chat.platform, chat.chat_id(FUZZER)) is None:
        await chat.say(FUZZER, f"/dangky {await harness.invite('stp', 'admin')}")


@EXAMPLES
@given(conversation=st.lists(messages, min_size=1, max_size=4))
async def test_every_message_gets_a_reply_and_no_error_is_logged(harness: Harness,  # noqa: F811
                                                                  conversation: list[str],
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    await _as_department_admin(harness)
    for text in conversation:
        with caplog.at_level(logging.ERROR):
            replies = await harness.driver.say(FUZZER, text)
        assert replies and all(r.strip() for r in replies), repr(text)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, (text, [r.getMessage() for r in errors])


# What a button may carry: 1 to 64 bytes of UTF-8 (Telegram refuses anything else).
actions = st.sampled_from(["d", "i", "i:50", "x"])
button_data = st.one_of(st.text(st.characters(exclude_categories=["Cs"]), max_size=64),
                        st.builds(lambda a, b: f"p:{a}:{b}", numbers, actions),
                        ).filter(lambda d: 0 < len(d.encode("utf-8")) <= 64)


@EXAMPLES
@given(data=button_data)
@pytest.mark.parametrize("harness", ["telegram"], indirect=True)
async def test_every_forged_button_gets_a_reply(harness: Harness, data: str,  # noqa: F811
                                                caplog: pytest.LogCaptureFixture) -> None:
    await _as_department_admin(harness)
    driver = harness.driver
    assert isinstance(driver, TelegramDriver)
    update = driver.api.callback_update(int(driver.chat_id(FUZZER)), data, message_id=999, first_name=FUZZER)
    with caplog.at_level(logging.ERROR):
        replies = await driver._exchange(FUZZER, update, f"the answer to the button {data!r}")  # noqa: SLF001
    assert replies and all(r.strip() for r in replies), repr(data)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
