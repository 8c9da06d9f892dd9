"""Members: register, move, uniqueness per platform, listings and blocking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.records import AgencyRecord
from storage.repositories import MemberStore

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


@pytest.fixture
def members(sessionmaker: async_sessionmaker[AsyncSession], agencies: list[AgencyRecord]) -> MemberStore:
    return MemberStore(sessionmaker)


async def test_upsert_registers_and_get_finds(members: MemberStore) -> None:
    created = await members.upsert("telegram", "100", "100", "Lan", "ubnd-xa-a", "member", NOW)
    assert created.id > 0
    assert (created.platform, created.agency_id, created.role, created.joined_at) == (
        "telegram", "ubnd-xa-a", "member", NOW,
    )  # fmt: skip
    assert created.blocked_at is None
    assert await members.get("telegram", "100") == created
    assert await members.get("telegram", "999") is None


async def test_registering_again_moves_the_member(members: MemberStore) -> None:
    first = await members.upsert("telegram", "100", "100", "Lan", "ubnd-xa-a", "member", NOW)
    later = NOW + timedelta(days=1)
    moved = await members.upsert("telegram", "100", "100", "Lan (Sở)", "so-tu-phap", "admin", later)
    assert moved.id == first.id
    assert (moved.display_name, moved.agency_id, moved.role, moved.joined_at) == (
        "Lan (Sở)", "so-tu-phap", "admin", later,
    )  # fmt: skip
    assert await members.by_agency("ubnd-xa-a") == []
    assert len(await members.all()) == 1


async def test_same_user_id_on_another_platform_is_another_member(members: MemberStore) -> None:
    telegram = await members.upsert("telegram", "7", "7", "Minh", "ubnd-xa-a", "member", NOW)
    zalo = await members.upsert("zalo", "7", "7", "Minh", "ubnd-xa-a", "member", NOW)
    assert telegram.id != zalo.id


async def test_unknown_agency_is_refused(members: MemberStore) -> None:
    with pytest.raises(IntegrityError):
        await members.upsert("telegram", "1", "1", "Ai", "no-such-agency", "member", NOW)


async def test_listings_are_ordered(members: MemberStore) -> None:
    await members.upsert("telegram", "1", "1", "Bình", "ubnd-xa-a", "member", NOW)
    await members.upsert("telegram", "2", "2", "An", "ubnd-xa-a", "admin", NOW)
    await members.upsert("zalo", "3", "3", "Cúc", "so-tu-phap", "admin", NOW)

    assert [m.display_name for m in await members.all()] == ["Cúc", "An", "Bình"]
    assert [m.display_name for m in await members.by_agency("ubnd-xa-a")] == ["An", "Bình"]
    assert [m.display_name for m in await members.admins()] == ["An", "Cúc"]


async def test_mark_blocked_and_registration_clears_it(members: MemberStore) -> None:
    await members.upsert("telegram", "1", "1", "Bình", "ubnd-xa-a", "member", NOW)
    await members.upsert("zalo", "1", "1", "Bình", "ubnd-xa-a", "member", NOW)
    blocked_at = NOW + timedelta(hours=3)

    assert await members.mark_blocked("telegram", "1", blocked_at) == 1
    assert await members.mark_blocked("telegram", "1", blocked_at + timedelta(hours=1)) == 0
    blocked = await members.get("telegram", "1")
    assert blocked is not None and blocked.blocked_at == blocked_at
    other = await members.get("zalo", "1")
    assert other is not None and other.blocked_at is None

    again = await members.upsert("telegram", "1", "1", "Bình", "ubnd-xa-a", "member", NOW)
    assert again.blocked_at is None
