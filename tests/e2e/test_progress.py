"""Progress replies to reminders: buttons, free-text replies, /capnhat, /nhiemvu, and who may answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.membership import MSG_NOT_REGISTERED
from handlers.progress import MSG_ASK_NOTE, MSG_ASK_PERCENT, MSG_FORBIDDEN, MSG_UNKNOWN, MSG_UNSURE
from knowledge.codes import task_id_of
from storage.records import OccurrenceRecord
from tests.e2e.conftest import FakeClock
from tests.e2e.reminder_harness import (
    ALICE,
    CAROL,
    DAVE,
    Arrival,
    ReminderBot,
    Timeline,
    buttons,
    local,
    reminder_bot,
)

DONE, DOING, BLOCKED, NOT_YET = "✅ Hoàn thành", "⏳ Đang thực hiện", "⚠️ Gặp vướng mắc", "🕘 Chưa bắt đầu"


@pytest.fixture
async def bot(tmp_path: Path) -> ReminderBot:
    async with reminder_bot(tmp_path / "bot.db", FakeClock()) as running:
        await running.register(ALICE, "stp", name="Alice")
        await running.register(CAROL, "ubnd-cap-xa", name="Carol")
        yield running


async def first_reminders(bot: ReminderBot, timeline: Timeline) -> dict[tuple[int, str], Arrival]:
    """Deliver the reminders of Monday 30/11/2026 08:00 (14 days before 14/12); key them by chat and task."""
    arrived = await timeline.at(local(2026, 11, 30, 8, 0))
    out = {}
    for a in arrived:
        task_id = task_id_of(a.text.rsplit("Mã nhiệm vụ: ", 1)[1].strip())
        out[(a.chat_id, task_id)] = a
    return out


def button(arrival_or_record: Arrival | dict, label: str) -> str:
    record = arrival_or_record.record if isinstance(arrival_or_record, Arrival) else arrival_or_record
    [data] = [d for text, d in buttons(record) if text == label]
    return data


def occurrence_id(arrival: Arrival) -> int:
    return int(button(arrival, DONE).split(":")[1])


async def occurrence(bot: ReminderBot, arrival: Arrival) -> OccurrenceRecord:
    occ = await bot.tg.stores.occurrences.get(occurrence_id(arrival))
    assert occ is not None
    return occ


async def history(bot: ReminderBot, arrival: Arrival) -> list[tuple[str, str, int | None, str | None]]:
    return [(h.who, h.status, h.percent, h.note)
            for h in await bot.tg.stores.occurrences.history(occurrence_id(arrival))]


async def test_answers_by_button_are_recorded_and_done_stops_the_reminders(bot: ReminderBot) -> None:
    timeline = Timeline(bot)
    reminders = await first_reminders(bot, timeline)
    ii3a, ii3b, ii3c = reminders[ALICE, "ii-3a"], reminders[ALICE, "ii-3b"], reminders[ALICE, "ii-3c"]
    assert [label for label, _ in buttons(ii3b.record)] == [DONE, DOING, BLOCKED, NOT_YET]

    # Đang thực hiện → the percentages → recorded.
    [ask] = await bot.press(ALICE, button(ii3a, DOING), ii3a.record["message_id"])
    assert ask["plain_text"] == MSG_ASK_PERCENT
    assert [label for label, _ in buttons(ask)] == ["25%", "50%", "75%", "90%"]
    [ack] = await bot.press(ALICE, button(ask, "75%"), ask["message_id"])
    assert "II.3.a" in ack["plain_text"] and "đang thực hiện 75%" in ack["plain_text"]
    assert await history(bot, ii3a) == [("Alice", "in_progress", 75, None)]

    # Gặp vướng mắc → the bot asks for a note → the next text is the note.
    [ask] = await bot.press(ALICE, button(ii3c, BLOCKED), ii3c.record["message_id"])
    assert ask["plain_text"] == MSG_ASK_NOTE
    note = "Chưa có kinh phí in tài liệu <2027>"  # shown back escaped: Telegram accepts the HTML
    [ack] = await bot.say(ALICE, note)
    assert f"gặp vướng mắc; ghi chú: {note}" in ack["plain_text"]
    occ = await occurrence(bot, ii3c)
    assert (occ.status, occ.note, occ.updated_by) == ("blocked", note, "Alice")
    # The note was taken once: the next text is a question again, not another note.
    await bot.say(ALICE, "Tiêu chí 1 gồm những chỉ tiêu nào?")
    assert len(await history(bot, ii3c)) == 1

    # Hoàn thành: recorded as done 100% ...
    [ack] = await bot.press(ALICE, button(ii3b, DONE), ii3b.record["message_id"])
    assert "hoàn thành" in ack["plain_text"] and "không nhắc nhiệm vụ này nữa" in ack["plain_text"]
    occ = await occurrence(bot, ii3b)
    assert (occ.status, occ.percent, occ.next_step_at) == ("done", 100, None)

    # ... and no further reminder of II.3.b reaches Sở Tư pháp; the others still come, blocked or not.
    for moment in (local(2026, 12, 11, 8, 0), local(2026, 12, 14, 8, 0), local(2026, 12, 17, 8, 0)):
        arrived = await timeline.at(moment)

        def tasks(chat: int, arrived: list[Arrival] = arrived) -> set[str]:
            return {task_id_of(a.text.rsplit("Mã nhiệm vụ: ", 1)[1].strip()) for a in arrived
                    if a.chat_id == chat}

        assert tasks(ALICE) == {"ii-1", "ii-2a", "ii-3a", "ii-3c", "ii-7a"}
        assert tasks(CAROL) == {"ii-1", "ii-5"}  # another agency's occurrences are untouched


async def test_free_text_replies_and_capnhat_keep_every_update(bot: ReminderBot) -> None:
    timeline = Timeline(bot)
    reminders = await first_reminders(bot, timeline)
    ii1 = reminders[ALICE, "ii-1"]
    reply_to = ii1.record["message_id"]

    # An unclear reply gets the buttons back and records nothing.
    [unsure] = await bot.say(ALICE, "hôm qua đã họp với phòng", reply_to_message_id=reply_to)
    assert unsure["plain_text"] == MSG_UNSURE
    assert [label for label, _ in buttons(unsure)] == [DONE, DOING, BLOCKED, NOT_YET]
    assert button(unsure, DONE) == button(ii1, DONE)
    assert await history(bot, ii1) == []

    [ack] = await bot.say(ALICE, "đang làm 60%", reply_to_message_id=reply_to)
    assert "đang thực hiện 60%" in ack["plain_text"]
    bot.clock.advance(minutes=5)
    [ack] = await bot.say(ALICE, "vướng: chưa có kinh phí", reply_to_message_id=reply_to)
    assert "gặp vướng mắc; ghi chú: chưa có kinh phí" in ack["plain_text"]
    bot.clock.advance(minutes=5)
    [ack] = await bot.say(ALICE, "đã xong", reply_to_message_id=reply_to)
    assert "hoàn thành" in ack["plain_text"]
    assert await history(bot, ii1) == [
        ("Alice", "in_progress", 60, None),
        ("Alice", "blocked", None, "chưa có kinh phí"),
        ("Alice", "done", 100, None),
    ]
    updates = await bot.tg.stores.occurrences.history(occurrence_id(ii1))
    assert updates[0].at < updates[1].at < updates[2].at  # when each was said, by the fake clock
    occ = await occurrence(bot, ii1)
    assert (occ.status, occ.percent, occ.note) == ("done", 100, None)

    # The same text without replying to a reminder is a question for the handbook, not an update.
    ii2a = reminders[ALICE, "ii-2a"]
    await bot.say(ALICE, "đang làm 60%")
    assert await history(bot, ii2a) == []

    # By command, for the agency's nearest open deadline of the task.
    [ack] = await bot.say(CAROL, "/capnhat ii-1 dang 40%")
    assert "II.1" in ack["plain_text"] and "hạn 14/12/2026 — đang thực hiện 40%" in ack["plain_text"]
    carol_ii1 = reminders[CAROL, "ii-1"]
    assert await history(bot, carol_ii1) == [("Carol", "in_progress", 40, None)]
    assert (await occurrence(bot, ii1)).status == "done"  # Sở Tư pháp's II.1 is another occurrence
    [how] = await bot.say(CAROL, "/capnhat ii-1")
    assert how["plain_text"].startswith("Cách dùng: /capnhat")

    # /nhiemvu lists the agency's open deadlines with their state; done ones drop out once past.
    [mine] = await bot.say(CAROL, "/nhiemvu")
    text = mine["plain_text"]
    assert "Nhiệm vụ của Ủy ban nhân dân cấp xã" in text
    assert "nhiệm vụ II.1 (" in text and "Hạn 14/12/2026: đang thực hiện 40%" in text
    assert "nhiệm vụ II.5 (" in text and "Hạn 14/12/2026: chưa báo cáo" in text
    assert "Nhiệm vụ chủ trì chưa có hạn cụ thể" in text and "• II.4.e " in text
    bot.clock.set(local(2026, 12, 20, 9, 0))
    [alices] = await bot.say(ALICE, "/nhiemvu")
    text = alices["plain_text"]
    assert "Hạn 14/12/2026: đang thực hiện" not in text
    assert "nhiệm vụ II.1 (" in text and "Hạn 14/12/2027" in text  # next year's II.1 is open
    assert "nhiệm vụ II.2.a (" in text and "Hạn 14/12/2026: chưa báo cáo — QUÁ HẠN" in text
    assert "Hạn 14/12/2026: hoàn thành" not in text  # Sở Tư pháp's II.1 of 2026 is done and past


async def test_only_members_of_the_responsible_agency_may_answer(bot: ReminderBot) -> None:
    timeline = Timeline(bot)
    reminders = await first_reminders(bot, timeline)
    ii3b = reminders[ALICE, "ii-3b"]
    forged = button(ii3b, DONE)  # p:<id>:d

    [refused] = await bot.press(DAVE, forged, message_id=ii3b.record["message_id"])
    assert refused["plain_text"] == MSG_NOT_REGISTERED
    [refused] = await bot.press(CAROL, forged, message_id=ii3b.record["message_id"])
    assert refused["plain_text"] == MSG_FORBIDDEN
    [refused] = await bot.press(CAROL, f"p:{occurrence_id(ii3b)}:i:100", message_id=1)
    assert refused["plain_text"] == MSG_FORBIDDEN
    [refused] = await bot.say(CAROL, "/capnhat ii-3b xong")
    assert refused["plain_text"] == MSG_FORBIDDEN
    [unknown] = await bot.press(ALICE, "p:987654:d", message_id=ii3b.record["message_id"])
    assert unknown["plain_text"] == MSG_UNKNOWN
    # A reply in Carol's own chat that quotes a message id of Alice's chat finds no reminder there.
    [answer] = await bot.say(CAROL, "đã xong", reply_to_message_id=ii3b.record["message_id"])
    assert answer["plain_text"] != MSG_FORBIDDEN and "Đã ghi nhận" not in answer["plain_text"]

    occ = await occurrence(bot, ii3b)
    assert (occ.status, occ.percent, occ.note, occ.updated_by) == (None, None, None, None)
    assert await history(bot, ii3b) == []
    # The occurrence is still reminded.
    arrived = await timeline.at(local(2026, 12, 11, 8, 0))
    assert any("II.3.b" in a.text for a in arrived if a.chat_id == ALICE)
