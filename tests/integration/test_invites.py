"""Invite codes: create, redeem once, expiry, and races between redeemers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.records import AgencyRecord
from storage.repositories import INVITE_ALPHABET, AgencyStore, InviteStore, MemberStore

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def invites(sessionmaker: async_sessionmaker[AsyncSession], agencies: list[AgencyRecord]) -> InviteStore:
    return InviteStore(sessionmaker)


async def test_create_makes_a_short_unambiguous_code(invites: InviteStore) -> None:
    invite = await invites.create("ubnd-xa-a", "member", "admin-1", NOW, DAY)
    assert len(invite.code) == 8 and set(invite.code) <= set(INVITE_ALPHABET)
    assert (invite.agency_id, invite.role, invite.created_by) == ("ubnd-xa-a", "member", "admin-1")
    assert (invite.created_at, invite.expires_at, invite.used_at) == (NOW, NOW + DAY, None)
    assert await invites.get(invite.code) == invite
    codes = {(await invites.create("ubnd-xa-a", "member", None, NOW, DAY)).code for _ in range(20)}
    assert len(codes) == 20


async def test_create_for_unknown_agency_fails(invites: InviteStore) -> None:
    with pytest.raises(IntegrityError):
        await invites.create("no-such-agency", "member", None, NOW, DAY)


async def test_redeem_once(invites: InviteStore) -> None:
    invite = await invites.create("ubnd-xa-a", "admin", None, NOW, DAY)
    later = NOW + timedelta(hours=1)
    # People type codes in lower case and with spaces.
    redeemed = await invites.redeem(f" {invite.code[:4].lower()} {invite.code[4:]} ", later)
    assert redeemed is not None and redeemed.code == invite.code and redeemed.used_at == later
    assert await invites.redeem(invite.code, later) is None


async def test_expired_or_unknown_codes_are_refused(invites: InviteStore) -> None:
    invite = await invites.create("ubnd-xa-a", "member", None, NOW, DAY)
    assert await invites.redeem(invite.code, NOW + DAY) is None
    assert await invites.redeem("ZZZZZZZZ", NOW) is None
    still = await invites.get(invite.code)
    assert still is not None and still.used_at is None


async def test_redeem_and_register(
    sessionmaker: async_sessionmaker[AsyncSession], invites: InviteStore
) -> None:
    invite = await invites.create("so-tu-phap", "admin", None, NOW, DAY)
    member = await invites.redeem_and_register(invite.code, NOW, "zalo", "c1", "u1", "Hà")
    assert member is not None
    assert (member.platform, member.chat_id, member.user_id, member.display_name) == (
        "zalo",
        "c1",
        "u1",
        "Hà",
    )
    assert (member.agency_id, member.role, member.joined_at) == ("so-tu-phap", "admin", NOW)
    used = await invites.get(invite.code)
    assert used is not None and used.used_at == NOW and used.used_by_member_id == member.id

    assert await invites.redeem_and_register(invite.code, NOW, "zalo", "c2", "u2", "Hải") is None
    assert [m.user_id for m in await MemberStore(sessionmaker).all()] == ["u1"]


async def test_code_of_a_deactivated_agency_is_refused(
    sessionmaker: async_sessionmaker[AsyncSession], invites: InviteStore, agencies: list[AgencyRecord]
) -> None:
    invite = await invites.create("ubnd-cap-xa", "member", None, NOW, DAY)
    await AgencyStore(sessionmaker).sync(agencies[:2])
    assert await invites.redeem_and_register(invite.code, NOW, "telegram", "1", "1", "Tú") is None
    assert await MemberStore(sessionmaker).all() == []


async def test_concurrent_redeems_register_exactly_one(
    sessionmaker: async_sessionmaker[AsyncSession], invites: InviteStore
) -> None:
    for _ in range(3):
        invite = await invites.create("ubnd-xa-a", "member", None, NOW, DAY)
        results = await asyncio.gather(
            *(
                invites.redeem_and_register(invite.code, NOW, "telegram", f"c{n}", f"{invite.code}-{n}", "Ai")
                for n in range(4)
            )
        )
        winners = [r for r in results if r is not None]
        assert len(winners) == 1
        used = await invites.get(invite.code)
        assert used is not None and used.used_by_member_id == winners[0].id
    assert len(await MemberStore(sessionmaker).all()) == 3


async def test_concurrent_plain_redeems_succeed_once(invites: InviteStore) -> None:
    invite = await invites.create("ubnd-xa-a", "member", None, NOW, DAY)
    results = await asyncio.gather(*(invites.redeem(invite.code, NOW) for _ in range(5)))
    assert sum(r is not None for r in results) == 1


async def test_same_user_with_two_codes_at_once_stays_one_member(
    sessionmaker: async_sessionmaker[AsyncSession], invites: InviteStore
) -> None:
    first = await invites.create("ubnd-xa-a", "member", None, NOW, DAY)
    second = await invites.create("so-tu-phap", "member", None, NOW, DAY)
    results = await asyncio.gather(
        invites.redeem_and_register(first.code, NOW, "telegram", "9", "9", "Nam"),
        invites.redeem_and_register(second.code, NOW, "telegram", "9", "9", "Nam"),
    )
    assert all(r is not None for r in results)
    assert len({r.id for r in results if r}) == 1
    assert len(await MemberStore(sessionmaker).all()) == 1
