"""Deadline reminders end to end: a simulated winter on the fake clock, office hours, 429s, blocked chats."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge.codes import task_id_of
from storage.models import OutboxMessageRow, OutboxRow
from tests.e2e.conftest import FakeClock
from tests.e2e.reminder_harness import (
    ALICE,
    BOB,
    CAROL,
    LOCAL,
    Arrival,
    ReminderBot,
    Timeline,
    buttons,
    local,
    reminder_bot,
)

# The yearly tasks Sở Tư pháp leads: all due on the local default day 14/12.
STP_YEARLY = {"ii-1", "ii-2a", "ii-3a", "ii-3b", "ii-3c", "ii-7a"}
XA_YEARLY = {"ii-1", "ii-5"}  # the commune-level committees lead II.1 and II.5 (from 01/01/2022)
# The reminder steps of 14/12/2026 (knowledge.deadlines.reminder_steps, tests/unit/test_deadlines.py).
II3B_STEPS = [
    ("30/11/2026 08:00", "Nhắc hạn", "còn 14 ngày"),
    ("11/12/2026 08:00", "Nhắc hạn", "còn 3 ngày"),  # 13/12 (1 day before) is a Sunday: dropped
    ("14/12/2026 08:00", "Nhắc hạn", "hạn là hôm nay"),
    ("17/12/2026 08:00", "Quá hạn", "đã quá hạn 3 ngày"),
    ("22/12/2026 08:00", "Quá hạn", "đã quá hạn 8 ngày"),
    ("25/12/2026 08:00", "Quá hạn", "đã quá hạn 11 ngày"),
]
ESCALATION_DAY = "30/12/2026 08:00"

_TASK = re.compile(r"Mã nhiệm vụ: (\S+)|/baocao (\S+)")


def task_of(arrival: Arrival) -> str | None:
    """Return the task id a reminder or an escalation is about (None for other notices)."""
    m = _TASK.search(arrival.text)
    return task_id_of(m.group(1) or m.group(2)) if m else None


def kind_of(arrival: Arrival) -> str:
    return arrival.text.split(":", 1)[0]


def deadline_line(arrival: Arrival) -> str:
    """Return what a reminder says after "Hạn: " — the date and how far it is."""
    return arrival.text.split("Hạn: ", 1)[1].split("\n", 1)[0]


def days_of_simulation(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.fixture
async def bot(tmp_path: Path) -> ReminderBot:
    async with reminder_bot(tmp_path / "bot.db", FakeClock()) as running:
        await running.register(ALICE, "stp", name="Alice")
        await running.register(BOB, "stp", "admin", name="Bob")
        await running.register(CAROL, "ubnd-cap-xa", name="Carol")
        yield running


async def test_a_winter_of_reminders_arrives_on_working_mornings_only(bot: ReminderBot) -> None:
    calendar = bot.policy.calendar()
    # A task the plan gives no time, due during Tết 2027 (Thứ Hai, mùng 3 Tết).
    [set_deadline] = await bot.say(BOB, "/hanchot ii-2b 08/02/2027")
    assert "Đã đặt hạn 08/02/2027 cho nhiệm vụ II.2.b" in set_deadline["plain_text"]
    assert "Hạn này áp dụng cho 1 cơ quan chủ trì" in set_deadline["plain_text"]

    timeline = Timeline(bot)
    for day in days_of_simulation(dt.date(2026, 11, 2), dt.date(2027, 2, 12)):
        # Working days: just before and at the opening of the sending window, and at its close.
        # Other days: the opening hour and midday, when a weekday would send.
        instants = [(7, 59), (8, 0), (17, 0)] if calendar.is_working_day(day) else [(8, 0), (12, 0)]
        for n, (hour, minute) in enumerate(instants):
            # Re-plan once a day, as the scheduler does: the new year brings next year's deadlines.
            arrived = await timeline.at(local(day.year, day.month, day.day, hour, minute), replan=n == 0)
            if day == dt.date(2026, 11, 30) and arrived:
                # Alice reports II.1 done from its first reminder: her agency is not reminded again.
                [ii1] = [a for a in arrived if a.chat_id == ALICE and task_of(a) == "ii-1"]
                [done_button] = [data for label, data in buttons(ii1.record) if "Hoàn thành" in label]
                [ack] = await bot.press(ALICE, done_button, ii1.record["message_id"])
                assert "Đã ghi nhận" in ack["plain_text"] and "hoàn thành" in ack["plain_text"]

    arrivals = timeline.arrivals
    assert arrivals, "the simulation delivered reminders"
    # Never outside 08:00–17:00 local, never on a weekend or a holiday: here, always right at 08:00.
    for a in arrivals:
        assert calendar.is_open(a.at), a.stamp
        assert a.at.strftime("%H:%M") == "08:00", a.stamp
    assert {a.at.date() for a in arrivals} == {
        dt.date(2026, 11, 30), dt.date(2026, 12, 11), dt.date(2026, 12, 14), dt.date(2026, 12, 17),
        dt.date(2026, 12, 22), dt.date(2026, 12, 25), dt.date(2026, 12, 30),
        dt.date(2027, 1, 25), dt.date(2027, 2, 11),
    }

    # II.3.b (yearly, local default 14/12): exact days, hours and wording, to each member of Sở Tư pháp.
    for member in (ALICE, BOB):
        got = [(a.stamp, kind_of(a)) for a in timeline.to(member) if task_of(a) == "ii-3b"
               and kind_of(a) != "Cần đôn đốc"]
        assert got == [(stamp, kind) for stamp, kind, _ in II3B_STEPS]
    for a, (_, _, when) in zip([a for a in timeline.to(ALICE) if task_of(a) == "ii-3b"], II3B_STEPS,
                               strict=True):
        assert "Hạn: 14/12/2026 (" + when + ")" in a.text
        assert "Kế hoạch không nêu ngày; đây là hạn chung do Sở Tư pháp chọn" in a.text
        assert [label for label, _ in buttons(a.record)] == ["✅ Hoàn thành", "⏳ Đang thực hiện",
                                                            "⚠️ Gặp vướng mắc", "🕘 Chưa bắt đầu"]
    assert not [a for a in timeline.to(CAROL) if task_of(a) == "ii-3b"]  # not her agency's task

    # Every step reminds every yearly task of each agency, once per member; II.1 stops after "done".
    per_day = Counter((a.chat_id, a.at.strftime("%d/%m"), task_of(a)) for a in arrivals
                      if kind_of(a) != "Cần đôn đốc")
    assert set(per_day.values()) == {1}
    for stamp, _, _ in II3B_STEPS:
        day = stamp[:5]
        expected_stp = STP_YEARLY if day == "30/11" else STP_YEARLY - {"ii-1"}
        for member in (ALICE, BOB):
            assert {t for (chat, d, t) in per_day if chat == member and d == day} == expected_stp
        assert {t for (chat, d, t) in per_day if chat == CAROL and d == day} == XA_YEARLY

    # Escalation: to administrators only, on 30/12, listing the agencies that have not reported done.
    escalations = [a for a in arrivals if kind_of(a) == "Cần đôn đốc"]
    assert {a.chat_id for a in escalations} == {BOB}
    assert {a.stamp for a in escalations} == {ESCALATION_DAY}
    by_task = {task_of(a): a.text for a in escalations}
    assert set(by_task) == STP_YEARLY | XA_YEARLY | {"iii-3"}
    assert "nhiệm vụ II.3.b quá hạn 14/12/2026" in by_task["ii-3b"]
    assert "Các cơ quan chưa báo cáo hoàn thành (1):\n• Sở Tư pháp: chưa trả lời" in by_task["ii-3b"]
    # II.1: Sở Tư pháp reported done, so only the commune-level committees are listed.
    assert "(1):\n• Ủy ban nhân dân cấp xã (xã, phường, thị trấn): chưa trả lời" in by_task["ii-1"]
    assert "Sở Tư pháp" not in by_task["ii-1"].split("(1):")[1]
    # III.3: five lead agencies, none registered, none answered: all are named.
    assert "(5):" in by_task["iii-3"] and "Công an tỉnh: chưa trả lời" in by_task["iii-3"]

    # II.2.b, due Monday 08/02/2027 (Tết): 14 days before on 25/01, then the day's reminder moves to
    # the first working morning after Tết, Thursday 11/02, and calls that day the deadline day.
    ii2b = [a for a in timeline.to(ALICE) if task_of(a) == "ii-2b"]
    assert [(a.stamp, kind_of(a)) for a in ii2b] == [
        ("25/01/2027 08:00", "Nhắc hạn"),
        ("11/02/2027 08:00", "Nhắc hạn"),
    ]
    assert "Hạn: 08/02/2027 (còn 14 ngày)" in ii2b[0].text
    assert "hạn do quản trị viên Sở Tư pháp đặt" in ii2b[0].text
    assert "Hạn: 08/02/2027 (hạn rơi vào ngày nghỉ" in ii2b[1].text

    # The outbox delivered each row exactly once, and nothing is left in it.
    assert await bot.tg.stores.outbox.counts() == {"pending": 0, "sending": 0, "sent": len(arrivals),
                                                   "failed": 0}
    assert len({r.dedup_key for r in await bot.outbox_rows()}) == len(arrivals)


async def test_reminders_queued_out_of_hours_wait_for_a_working_morning(bot: ReminderBot) -> None:
    timeline = Timeline(bot)
    reminded = 2 * len(STP_YEARLY) + len(XA_YEARLY)  # Alice and Bob (Sở Tư pháp), Carol (communes)

    # The instance was down and comes back on Friday 11/12 at 17:30. The "3 days before" reminder could
    # only go out on Monday, when the deadline-day one is due: it is not queued at all.
    assert await timeline.at(local(2026, 12, 11, 17, 30)) == []
    assert await bot.outbox_rows() == []
    assert await timeline.at(local(2026, 12, 14, 7, 59)) == []
    monday = await timeline.at(local(2026, 12, 14, 8, 0))
    assert len(monday) == reminded and {a.stamp for a in monday} == {"14/12/2026 08:00"}
    assert {deadline_line(a) for a in monday} == {"14/12/2026 (hạn là hôm nay)"}

    # Down again until Friday 25/12, 17:30: the last overdue reminder is queued, and waits out the
    # evening and the weekend for Monday's opening, worded for the day it arrives.
    assert await timeline.at(local(2026, 12, 25, 17, 30)) == []
    rows = [r for r in await bot.outbox_rows() if r.status != "sent"]
    assert len(rows) == reminded
    monday_morning = local(2026, 12, 28, 8, 0).astimezone(dt.UTC)
    assert {(r.status, r.not_before) for r in rows} == {("pending", monday_morning)}
    for moment in (local(2026, 12, 25, 23, 0), local(2026, 12, 26, 8, 0), local(2026, 12, 27, 12, 0),
                   local(2026, 12, 28, 7, 59)):
        assert await timeline.at(moment) == []
    late = await timeline.at(local(2026, 12, 28, 8, 0))
    assert len(late) == reminded and {a.stamp for a in late} == {"28/12/2026 08:00"}
    assert {kind_of(a) for a in late} == {"Quá hạn"}
    assert {deadline_line(a) for a in late} == {"14/12/2026 (đã quá hạn 14 ngày)"}
    assert await bot.tg.stores.outbox.counts() == {"pending": 0, "sending": 0, "sent": 2 * reminded,
                                                   "failed": 0}


async def test_a_429_storm_reschedules_rows_and_every_reminder_arrives_once(bot: ReminderBot) -> None:
    bot.clock.set(local(2026, 11, 30, 8, 0))
    queued = await bot.tg.reminders.tick()
    assert queued == 2 * len(STP_YEARLY) + len(XA_YEARLY)
    # A retry_after longer than the per-chat pauses that drain() steps the clock over.
    bot.api.fail_next("sendMessage", times=5, retry_after=60)
    timeline = Timeline(bot)

    await timeline.drain()
    retried = [r for r in await bot.outbox_rows() if r.attempts]
    assert retried, "the first sends met the 429s"
    for row in retried:
        assert row.status == "pending" and row.last_error == "rate limited"
        assert row.not_before > bot.clock.now()  # after retry_after, by the fake clock

    for _ in range(10):
        if not any(r.status == "pending" for r in await bot.outbox_rows()):
            break
        bot.clock.advance(seconds=61)  # past retry_after
        await timeline.drain()

    assert [e.status for e in bot.api.errors() if e.method == "sendMessage"] == [429] * 5
    rows = await bot.outbox_rows()
    assert {r.status for r in rows} == {"sent"}
    assert sum(r.attempts for r in rows) == 5
    delivered = Counter((a.chat_id, task_of(a)) for a in timeline.arrivals)
    assert delivered == Counter({(chat, task): 1 for chat, tasks in
                                 ((ALICE, STP_YEARLY), (BOB, STP_YEARLY), (CAROL, XA_YEARLY))
                                 for task in tasks})
    # A second tick at the same moment finds every dedup key queued already: nothing more is sent.
    assert await bot.tg.reminders.tick() == 0
    assert await timeline.drain() == []


async def test_a_blocked_chat_is_marked_and_reported_and_no_key_is_sent_twice(bot: ReminderBot) -> None:
    bot.api.block_chat(ALICE)
    timeline = Timeline(bot)
    await timeline.at(local(2026, 11, 30, 8, 0))
    refused = "unreachable: Telegram: Forbidden: bot was blocked by the user"

    def alices(rows: list[OutboxRow]) -> set[tuple[str, int, str | None]]:
        return {(r.status, r.attempts, r.last_error) for r in rows if r.chat_id == str(ALICE)}

    rows = await bot.outbox_rows()
    assert len([r for r in rows if r.chat_id == str(ALICE)]) == len(STP_YEARLY)
    # Refused: tried again on the next working mornings (the user may unblock the bot meanwhile).
    assert alices(rows) == {("pending", 1, refused)}
    assert {r.not_before for r in rows if r.chat_id == str(ALICE)} == {
        local(2026, 12, 1, 8, 0).astimezone(dt.UTC)
    }
    alice = await bot.tg.stores.members.get("telegram", str(ALICE))
    assert alice is not None and alice.blocked_at == local(2026, 11, 30, 8, 0).astimezone(dt.UTC)

    def notices() -> list[tuple[int, dt.date]]:
        return [(a.chat_id, a.at.date()) for a in timeline.arrivals
                if a.text.startswith("Không gửi được tin nhắc")]

    assert notices() == [(BOB, dt.date(2026, 11, 30))]  # once per chat and day, to the administrators
    [notice] = [a for a in timeline.arrivals if a.text.startswith("Không gửi được tin nhắc")]
    assert "Alice (Sở Tư pháp)" in notice.text
    assert not timeline.to(ALICE)
    assert Counter(a.chat_id for a in timeline.arrivals if task_of(a)) == {BOB: len(STP_YEARLY),
                                                                          CAROL: len(XA_YEARLY)}

    # The same moment again: every dedup key is taken, nothing is queued or sent twice.
    assert await timeline.at(local(2026, 11, 30, 8, 30)) == []
    # The next two working mornings: refused again; the third refusal marks the rows failed.
    await timeline.at(local(2026, 12, 1, 8, 0))
    assert alices(await bot.outbox_rows()) == {("pending", 2, refused)}
    await timeline.at(local(2026, 12, 2, 8, 0))
    assert {(status, error) for status, _, error in alices(await bot.outbox_rows())} == {("failed", refused)}
    assert notices() == [(BOB, dt.date(2026, 11, 30))]  # the retries did not tell the administrators again
    # The next step: Alice is still blocked; the administrators hear of it again, once for the new day.
    await timeline.at(local(2026, 12, 11, 8, 0))
    assert notices() == [(BOB, dt.date(2026, 11, 30)), (BOB, dt.date(2026, 12, 11))]
    assert not timeline.to(ALICE)
    to_alice = [e.status for e in bot.api.exchanges if e.method == "sendMessage"
                and str(e.params.get("chat_id")) == str(ALICE)]
    # Only the registration's answer got through; then 3 tries of each row, and 11/12's first tries.
    assert to_alice == [200] + [403] * (3 * len(STP_YEARLY) + len(STP_YEARLY))

    rows = await bot.outbox_rows()
    assert len({r.dedup_key for r in rows}) == len(rows)
    async with bot.inspect() as session:
        links = list(await session.scalars(select(OutboxMessageRow)))
    sent_rows = [r for r in rows if r.status == "sent"]
    # One platform message per sent row, and the fake received exactly those messages, each once.
    assert Counter(link.outbox_id for link in links) == Counter({r.id: 1 for r in sent_rows})
    delivered = Counter((str(a.chat_id), str(a.record["message_id"])) for a in timeline.arrivals)
    assert delivered == Counter({(link.chat_id, link.message_id): 1 for link in links})
    assert all(a.at.tzinfo == LOCAL for a in timeline.arrivals)
