"""Question log: declined questions grouped by normalised text."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
