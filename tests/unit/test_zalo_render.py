"""Zalo rendering: numbered choices, parts of at most 2,000 characters cut at natural boundaries."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.delivery import ChatUnreachable, RetryLater
from bot.render import chosen
from bot.zalo import (
    ZaloRateLimited,
    ZaloTokenRefused,
    ZaloUnavailable,
    classify,
    message_time,
    parse_event,
    unwrap,
)
from bot.zalo_errors import ERRORS, QUOTA_BACKOFF, TOKEN_PROBE_EVERY, Backoff, Rule, ZaloHealth, rule_for
from bot.zalo_render import MAX_MESSAGE, document_notice, split_text, zalo_messages
from handlers.types import Choice, Document, Reply


def words(text: str) -> list[str]:
    return text.split()


def test_short_text_is_one_part():
    assert split_text("  Xin chào!  ") == ["Xin chào!"]
    assert split_text("") == []


def test_paragraphs_are_kept_whole_when_they_fit():
    paras = [f"Đoạn {i}. " + "chữ " * 200 for i in range(6)]  # ~ 800 characters: two fit a message
    parts = split_text("\n\n".join(p.strip() for p in paras))
    assert all(len(p) <= MAX_MESSAGE for p in parts)
    assert len(parts) == 3
    for part in parts:
        assert all(chunk.startswith("Đoạn ") for chunk in part.split("\n\n"))


def test_a_long_paragraph_is_cut_at_lines_then_sentences_never_mid_word():
    lines = "\n".join(f"Dòng {i}: " + "pháp luật " * 30 for i in range(20))
    for part in split_text(lines):
        assert len(part) <= MAX_MESSAGE
        assert part.startswith("Dòng ")
    sentences = " ".join(f"Câu số {i} nói về tiêu chí tiếp cận pháp luật." for i in range(120))
    parts = split_text(sentences)
    assert len(parts) > 1 and all(len(p) <= MAX_MESSAGE for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert words(" ".join(parts)) == words(sentences)


def test_one_line_without_punctuation_is_cut_between_words():
    text = " ".join(f"từ{i}" for i in range(1500))
    parts = split_text(text, limit=500)
    assert all(len(p) <= 500 for p in parts)
    assert words(" ".join(parts)) == words(text)


def test_only_a_word_longer_than_a_message_is_cut_inside():
    giant = "x" * 4500
    parts = split_text(f"đầu {giant} cuối")
    assert all(len(p) <= MAX_MESSAGE for p in parts)
    assert "".join(parts).replace(" ", "") == f"đầu{giant}cuối"
    assert parts[0] == "đầu"


@pytest.mark.parametrize("limit", [1, 7, 50, 2000])
def test_no_part_is_ever_over_the_limit(limit):
    text = ("Một câu ngắn. " * 40 + "\n" + "z" * 120 + "\n\n" + "dòng\n" * 30) * 3
    parts = split_text(text, limit=limit)
    assert parts and all(0 < len(p) <= limit for p in parts)


def test_choices_become_numbered_lines_answered_with_a_number():
    reply = Reply(text="Chọn một mục:", title="Kế hoạch",
                  choices=(Choice("Nhiệm vụ I.1", "e:i-1"), Choice("Nhiệm vụ I.2", "e:i-2")))
    [message] = zalo_messages(reply)
    assert message.startswith("» Kế hoạch\n\nChọn một mục:")
    assert "1. Nhiệm vụ I.1\n2. Nhiệm vụ I.2" in message
    assert message.endswith("(Gõ số để chọn.)")
    assert chosen("2", reply.choices) == reply.choices[1]
    assert chosen(" 1. ", reply.choices) == reply.choices[0]
    assert chosen("3", reply.choices) is None
    assert chosen("0", reply.choices) is None
    assert chosen("1 và 2", reply.choices) is None
    assert chosen("1", ()) is None


def test_a_long_reply_keeps_its_choices_in_the_last_part():
    reply = Reply(text="\n\n".join("Đoạn văn dài. " * 60 for _ in range(4)),
                  choices=(Choice("Xem thêm", "e:x"),))
    parts = zalo_messages(reply)
    assert len(parts) > 1 and all(len(p) <= MAX_MESSAGE for p in parts)
    assert parts[-1].endswith("1. Xem thêm\n(Gõ số để chọn.)")


def test_a_document_is_replaced_by_how_to_get_the_workbook():
    reply = Reply(text="Đã xong 3/5 nhiệm vụ.", title="Báo cáo tiến độ năm 2026",
                  document=Document("bao-cao-tcpl-2026.xlsx", b"PK...", "Báo cáo"))
    [message] = zalo_messages(reply)
    assert "Đã xong 3/5 nhiệm vụ." in message
    assert "Telegram (lệnh /baocao)" in message
    assert "tcpl report --year 2026 --format xlsx -o bao-cao-tcpl-2026.xlsx" in message
    assert "NĂM" in document_notice("bao-cao.xlsx")


def test_an_empty_reply_still_sends_something():
    assert zalo_messages(Reply(text="")) == ["…"]


def test_zalo_events_are_read_with_millisecond_dates():
    update = {"event_name": "message.text.received", "message": {
        "from": {"id": "u1", "display_name": "Lan", "is_bot": False},
        "chat": {"id": "c1", "chat_type": "PRIVATE"},
        "text": "xin chào", "message_id": "m1", "date": 1750316131602}}
    event = parse_event(update)
    assert event is not None
    assert (event.chat_id, event.user_id, event.text, event.display_name) == ("c1", "u1", "xin chào", "Lan")
    assert event.sent_at == dt.datetime(2025, 6, 19, 6, 55, 31, 602000, tzinfo=dt.UTC)
    assert event.key == "c1:m1"
    assert unwrap({"ok": True, "result": update}) == update
    assert unwrap(update) == update
    assert parse_event({"event_name": "x"}) is None
    assert message_time("soon") is None


def test_refusals_map_to_delivery_errors_as_the_documentation_reads_them():
    assert isinstance(classify("sendMessage", 429, "Quota exceeded"), ZaloRateLimited)
    assert isinstance(classify("sendMessage", 401, "Token expired or invalid"), ZaloTokenRefused)
    # 403 is Zalo's "Internal server error": retried, never a user who blocked the bot.
    for code in (403, 408, 500, 502, 0):
        error = classify("sendMessage", code, "Internal server error")
        assert isinstance(error, ZaloUnavailable) and isinstance(error, RetryLater), code
    for code in (400, 404, 418):  # a bad request, and a code no documentation lists
        error = classify("sendMessage", code, "Bad request")
        assert type(error).__name__ == "ZaloAPIError" and not isinstance(error, RetryLater | ChatUnreachable)
    refused = classify("sendMessage", 400, "Bad request")
    assert str(refused) == "Zalo sendMessage refused: error 400: Bad request"


def test_every_documented_code_has_its_wording_and_a_rule():
    assert {code: d.wording for code, d in ERRORS.items()} == {
        400: "Bad request", 401: "Token expired or invalid", 403: "Internal server error",
        404: "Not found", 408: "Request timeout", 429: "Quota exceeded"}
    assert rule_for(403) is Rule.TRANSIENT and rule_for(401) is Rule.TOKEN and rule_for(429) is Rule.QUOTA
    assert rule_for(503) is Rule.TRANSIENT and rule_for(409) is Rule.REFUSED  # undocumented: conservative


def test_back_off_grows_with_jitter_up_to_its_cap():
    rng = random.Random(7)
    backoff = Backoff(first=20.0, cap=3600.0)
    for attempt in range(12):
        ceiling = min(3600.0, 20.0 * 2 ** attempt)
        delays = {backoff.delay(attempt, rng) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(delays) > 1


class MovingClock:
    def __init__(self) -> None:
        self.moment = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)


async def test_quota_pauses_every_send_with_a_growing_delay_and_alarms_once_if_it_lasts():
    clock = MovingClock()
    alarms: list[tuple[str, str]] = []

    async def alarm(kind: str, text: str) -> None:
        alarms.append((kind, text))

    health = ZaloHealth(clock, alarm, random.Random(1))
    pauses = []
    for _ in range(8):
        pauses.append(await health.quota_exceeded(None))
        waiting = health.wait_before_send()
        assert waiting is not None and waiting[0] is Rule.QUOTA
        clock.advance(seconds=pauses[-1])
        assert health.wait_before_send() is None
    health.accepted()
    await health.quota_exceeded(None)
    assert 30 <= pauses[0] <= 60 and max(pauses) <= QUOTA_BACKOFF.cap
    assert sum(pauses[:4]) > 4 * 60  # four tries take more than four minutes: never a tight loop
    assert [kind for kind, _ in alarms] == ["quota"]  # once, although the quota ran out twice
    assert "Quota exceeded" in alarms[0][1]


async def test_a_refused_token_alarms_once_and_lets_one_probe_through_now_and_then():
    clock = MovingClock()
    alarms: list[str] = []

    async def alarm(kind: str, text: str) -> None:
        alarms.append(kind)

    health = ZaloHealth(clock, alarm)
    await health.token_refused("sendMessage")
    await health.token_refused("getUpdates")
    assert health.wait_before_send() == (Rule.TOKEN, TOKEN_PROBE_EVERY.total_seconds())
    clock.advance(seconds=TOKEN_PROBE_EVERY.total_seconds())
    assert health.wait_before_send() is None  # the probe
    assert health.wait_before_send() is not None  # and only one
    health.accepted()
    assert health.wait_before_send() is None
    assert alarms == ["token"]
