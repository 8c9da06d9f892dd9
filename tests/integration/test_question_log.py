"""Question log: declined questions grouped by normalised text."""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import QuestionLogRow
from storage.repositories import QuestionLog, normalise_question

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def test_normalise_question() -> None:
    decomposed = unicodedata.normalize("NFD", "Chuẩn TIẾP cận")
    assert normalise_question(f"  {decomposed}\t là   gì? ") == "chuẩn tiếp cận là gì?"


async def test_unanswered_groups_and_counts(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    log = QuestionLog(sessionmaker)
    declined = [
        "Chuẩn tiếp cận là gì?",
        "  chuẩn tiếp   cận là gì? ",
        unicodedata.normalize("NFD", "CHUẨN TIẾP CẬN LÀ GÌ?"),
        "Hạn nộp báo cáo?",
        "hạn nộp báo cáo?",
        "Ai chấm điểm?",
    ]
    for n, question in enumerate(declined):
        await log.record("telegram", str(n), question, False, None, 0.1, NOW + timedelta(minutes=n))
    await log.record("telegram", "9", "Chuẩn tiếp cận là gì?", True, "tcpl.dinh-nghia", 0.9, NOW)
    await log.record("zalo", None, "Chuẩn tiếp cận là gì?", False, None, 0.2, NOW - timedelta(days=10))

    since = NOW - timedelta(days=1)
    assert await log.unanswered(since, 10) == [
        ("chuẩn tiếp cận là gì?", 3),
        ("hạn nộp báo cáo?", 2),
        ("ai chấm điểm?", 1),
    ]
    assert await log.unanswered(since, 1) == [("chuẩn tiếp cận là gì?", 3)]
    assert await log.unanswered(NOW + timedelta(days=1), 10) == []


async def _stored(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(QuestionLogRow)) or 0)


async def test_questions_are_written_behind_in_one_transaction(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    log = QuestionLog(sessionmaker)
    transactions = [0]

    def begun(_connection: object) -> None:
        transactions[0] += 1

    event.listen(engine.sync_engine, "begin", begun)
    await asyncio.gather(*(log.record("telegram", str(i), f"câu hỏi số {i}", False, None, 0.1, NOW)
                           for i in range(200)))
    assert transactions[0] == 0  # nobody waited on the database for the log

    assert await log.flush() == 200
    assert transactions[0] == 1
    assert await _stored(sessionmaker) == 200
    assert await log.flush() == 0


async def test_a_long_queue_is_written_without_waiting_for_the_flush(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    log = QuestionLog(sessionmaker)
    for i in range(QuestionLog.FLUSH_AT):
        await log.record("zalo", str(i), "câu hỏi", False, None, 0.1, NOW)
    assert await _stored(sessionmaker) == QuestionLog.FLUSH_AT


async def test_questions_survive_a_failed_flush(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    log = QuestionLog(sessionmaker)
    await log.record("telegram", "1", "Hạn nộp báo cáo?", False, None, 0.1, NOW)
    async with sessionmaker() as session, session.begin():
        await session.execute(text("ALTER TABLE question_log RENAME TO question_log_away"))
    with pytest.raises(DBAPIError):
        await log.flush()  # as during a database restart
    # A full queue tries to write itself; failing, it keeps the rows and the caller carries on.
    for n in range(QuestionLog.FLUSH_AT):
        await log.record("telegram", str(n), "Hạn nộp báo cáo?", False, None, 0.1, NOW)
    async with sessionmaker() as session, session.begin():
        await session.execute(text("ALTER TABLE question_log_away RENAME TO question_log"))

    expected = [("hạn nộp báo cáo?", QuestionLog.FLUSH_AT + 1)]
    assert await log.unanswered(NOW - timedelta(days=1), 5) == expected
