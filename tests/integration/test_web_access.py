"""The dashboard's login links, sessions and login log, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.models import LoginTokenRow, WebSessionRow
from storage.repositories import MemberStore
from storage.web import (
    LINK_EXPIRED,
    LINK_UNKNOWN,
    LINK_USED,
    LINK_VALID,
    LOGIN_OK,
    RATE_LIMITED,
    WebAccessStore,
    token_hash,
)

NOW = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
TEN_MINUTES = timedelta(minutes=10)
DAY = timedelta(hours=10)


async def _admin(sessionmaker, agencies):
    members = MemberStore(sessionmaker)
    return await members.upsert("telegram", "7", "7", "Trần Thị Bình", "so-tu-phap", "admin", NOW)


async def test_a_link_opens_one_session_once(sessionmaker, agencies):
    store = WebAccessStore(sessionmaker)
    admin = await _admin(sessionmaker, agencies)
    token = await store.create_link(admin.id, "telegram:7", NOW, TEN_MINUTES)
    assert await store.link_state(token, NOW) == LINK_VALID

    first = await store.login(token, NOW + timedelta(minutes=1), DAY)
    assert (first.outcome, first.member_id) == (LOGIN_OK, admin.id)
    assert first.session_token
    again = await store.login(token, NOW + timedelta(minutes=2), DAY)
    assert (again.outcome, again.session_token) == (LINK_USED, None)
    assert await store.link_state(token, NOW) == LINK_USED

    session = await store.session(first.session_token, NOW + timedelta(hours=9))
    assert session is not None and session.member is not None
    assert session.member.display_name == "Trần Thị Bình"
    assert len(session.csrf_token) >= 40
    # After a working day the session is gone.
    assert await store.session(first.session_token, NOW + timedelta(minutes=1) + DAY) is None


async def test_only_hashes_are_stored(sessionmaker, agencies):
    store = WebAccessStore(sessionmaker)
    token = await store.create_link(None, "cli", NOW, TEN_MINUTES)
    login = await store.login(token, NOW, DAY)
    assert login.session_token is not None
    async with sessionmaker() as session:
        links = list(await session.scalars(select(LoginTokenRow.token_hash)))
        sessions = list(await session.scalars(select(WebSessionRow.token_hash)))
    assert links == [token_hash(token)] and token not in links
    assert sessions == [token_hash(login.session_token)]


async def test_expired_and_unknown_links_are_refused(sessionmaker, agencies):
    store = WebAccessStore(sessionmaker)
    token = await store.create_link(None, "cli", NOW, TEN_MINUTES)
    assert await store.link_state(token, NOW + TEN_MINUTES) == LINK_EXPIRED
    assert (await store.login(token, NOW + TEN_MINUTES, DAY)).outcome == LINK_EXPIRED
    assert (await store.login("not-a-token", NOW, DAY)).outcome == LINK_UNKNOWN
    assert await store.link_state("not-a-token", NOW) == LINK_UNKNOWN


async def test_two_uses_at_once_open_one_session(sessionmaker, agencies):
    store = WebAccessStore(sessionmaker)
    token = await store.create_link(None, "cli", NOW, TEN_MINUTES)
    results = await asyncio.gather(*(store.login(token, NOW, DAY) for _ in range(5)))
    assert sorted(r.outcome for r in results) == [LOGIN_OK] + [LINK_USED] * 4


async def test_operator_session_has_no_member_and_logout_ends_it(sessionmaker, agencies):
    store = WebAccessStore(sessionmaker)
    login = await store.login(await store.create_link(None, "cli", NOW, TEN_MINUTES), NOW, DAY)
    assert login.session_token is not None
    session = await store.session(login.session_token, NOW)
    assert session is not None and session.member is None
    await store.logout(login.session_token)
    assert await store.session(login.session_token, NOW) is None


async def test_failed_attempts_are_counted_per_client_and_window(sessionmaker, agencies):
    store = WebAccessStore(sessionmaker)
    for i in range(3):
        await store.record_attempt("10.0.0.1", LINK_UNKNOWN, None, NOW + timedelta(minutes=i))
    await store.record_attempt("10.0.0.1", LOGIN_OK, 1, NOW)
    await store.record_attempt("10.0.0.1", RATE_LIMITED, None, NOW)
    await store.record_attempt("10.0.0.2", LINK_USED, None, NOW)
    assert await store.failed_attempts("10.0.0.1", NOW) == 4
    assert await store.failed_attempts("10.0.0.1", NOW + timedelta(minutes=2)) == 1
    assert await store.failed_attempts("10.0.0.2", NOW) == 1


async def test_prune_removes_expired_sessions_and_old_log(sessionmaker, agencies):
    store = WebAccessStore(sessionmaker)
    login = await store.login(await store.create_link(None, "cli", NOW, TEN_MINUTES), NOW, DAY)
    await store.record_attempt("10.0.0.1", LINK_UNKNOWN, None, NOW)
    assert await store.prune(NOW + timedelta(hours=1), timedelta(days=90)) == 0
    # Expired session (1) now; the link (1) and the log row (1) once older than the kept period.
    assert await store.prune(NOW + DAY, timedelta(days=90)) == 1
    assert await store.prune(NOW + timedelta(days=91), timedelta(days=90)) == 2
    assert login.session_token is not None
    assert await store.session(login.session_token, NOW) is None
