"""Help is built from the one registry of commands: who may use each, what it does, one example."""

import pytest

from handlers.conversation import Audience, Command, Conversation
from handlers.types import Incoming, Reply


async def nothing(msg: Incoming, args: str) -> list[Reply]:
    return []


def conversation() -> Conversation:
    return Conversation(engine=None, clock=None)  # type: ignore[arg-type]  # help needs neither


def test_a_command_registered_twice_is_a_wiring_mistake():
    chat = conversation()
    with pytest.raises(ValueError, match="/hoi"):
        chat.register(Command("hoi", nothing, Audience.ANYONE, "again"))


def test_help_shows_each_level_up_to_the_senders_own():
    chat = conversation()
    chat.register(Command("viec", nothing, Audience.MEMBER, "việc của tôi", "<mã>", "/viec ii-1"))
    chat.register(Command("nguoi", nothing, Audience.AGENCY_ADMIN, "người của cơ quan"))
    chat.register(Command("quantri", nothing, Audience.ADMIN, "quản trị"))
    anyone, member, agency_admin, admin = (chat.help_text(a) for a in Audience)
    assert "/hoi <câu hỏi>" in anyone and "/viec" not in anyone and "/dangky" in anyone
    assert "• /viec <mã> — việc của tôi\n  Ví dụ: /viec ii-1" in member and "/quantri" not in member
    assert "/nguoi" not in member
    assert "/viec" in agency_admin and "/nguoi" in agency_admin and "/quantri" not in agency_admin
    assert "/quantri" in admin
    assert admin.index("/hoi") < admin.index("/viec") < admin.index("/nguoi") < admin.index("/quantri")
    assert "/start" not in admin  # /help is the same list

