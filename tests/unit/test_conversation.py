"""Every input gets a reply: a failing use case answers with an apology, never with silence."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from handlers.conversation import MSG_FAILED, Audience, Command, Conversation
from handlers.types import Incoming, Reply


class Clock:
    def now(self) -> dt.datetime:
        return dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


async def test_a_failing_command_gets_an_apology_and_the_error_is_logged(caplog: pytest.LogCaptureFixture):
    conversation = Conversation(engine=None, clock=Clock())  # type: ignore[arg-type]

    async def broken(msg: Incoming, args: str) -> list[Reply]:
        raise OverflowError("date value out of range")

    conversation.register(Command("hong", broken, Audience.ANYONE, "hỏng"))
    with caplog.at_level(logging.ERROR):
        replies = await conversation.handle(Incoming(platform="telegram", chat_id="1", user_id="1",
                                                     text="/hong 31/12/9999"))
    assert replies == [Reply(text=MSG_FAILED)]
    assert "OverflowError" in caplog.text
