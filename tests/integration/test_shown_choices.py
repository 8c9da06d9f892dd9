"""Shown choices: the numbered choices last shown in a chat, replaced by newer ones, per platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.tracking import ShownChoicesStore

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def test_the_latest_choices_of_each_chat_are_recalled(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    shown = ShownChoicesStore(sessionmaker)
    assert await shown.recall("zalo", "c1") == []

    await shown.remember("zalo", "c1", [("Tiêu chí 1: Ban hành văn bản", "e:qd25.tc1"),
                                        ("Kế hoạch của tỉnh", "m:kehoach")], NOW)
    await shown.remember("zalo", "c2", [("Đã xong", "p:7:done")], NOW)
    assert await shown.recall("zalo", "c1") == [("Tiêu chí 1: Ban hành văn bản", "e:qd25.tc1"),
                                                ("Kế hoạch của tỉnh", "m:kehoach")]

    await shown.remember("zalo", "c1", [("Vướng mắc", "p:7:blocked")], NOW + timedelta(minutes=1))
    assert await shown.recall("zalo", "c1") == [("Vướng mắc", "p:7:blocked")]
    assert await shown.recall("zalo", "c2") == [("Đã xong", "p:7:done")]
    assert await shown.recall("telegram", "c1") == []
