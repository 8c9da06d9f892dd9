"""The dashboard's access records: one-time login links, browser sessions and the login log.

Tokens are random and only their SHA-256 is stored: a copy of the database opens no session. Every
check that decides (a link used once, a session still valid) is one statement, so two instances
reading the same token at the same moment cannot both win.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlmodel import col

from storage.models import LoginAttemptRow, LoginTokenRow, MemberRow, WebSessionRow
from storage.records import MemberRecord
from storage.repositories import Sessions, _member, _rowcount

# Why a link did not open a session; also the outcomes the login log keeps.
LOGIN_OK = "ok"
LINK_UNKNOWN = "unknown"
LINK_USED = "used"
LINK_EXPIRED = "expired"
LINK_VALID = "valid"  # only as the answer of link_state(): not used yet, not expired
RATE_LIMITED = "rate_limited"
FAILED_OUTCOMES = (LINK_UNKNOWN, LINK_USED, LINK_EXPIRED, RATE_LIMITED)


def new_token() -> str:
    """Return a random, URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: who (None: the server's operator, from `tcpl web link`) and its CSRF token."""

    member: MemberRecord | None
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Login:
    """The outcome of using a login link: a new session token, or why there is none."""

    outcome: str
    member_id: int | None = None
    session_token: str | None = None


class WebAccessStore:
    """Login links, sessions and the login log of the dashboard."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def create_link(self, member_id: int | None, created_by: str, now: datetime, ttl: timedelta) -> str:
        """Return a new one-time login token for a member (None: the operator), valid for ttl."""
        token = new_token()
        async with self._sessions() as session, session.begin():
            session.add(LoginTokenRow(token_hash=token_hash(token), member_id=member_id,
                                      created_by=created_by, created_at=now, expires_at=now + ttl))
        return token

    async def link_state(self, token: str, now: datetime) -> str:
        """Tell whether a link would open a session now (LINK_VALID), without using it."""
        async with self._sessions() as session:
            row = await session.get(LoginTokenRow, token_hash(token))
        if row is None:
            return LINK_UNKNOWN
        if row.used_at is not None:
            return LINK_USED
        return LINK_EXPIRED if row.expires_at <= now else LINK_VALID

    async def login(self, token: str, now: datetime, session_ttl: timedelta) -> Login:
        """Use a link once and open a session in the same transaction; or say why not."""
        digest = token_hash(token)
        async with self._sessions() as session, session.begin():
            # One conditional UPDATE decides: of two concurrent uses only one sees used_at IS NULL.
            claimed = await session.execute(
                update(LoginTokenRow)
                .where(col(LoginTokenRow.token_hash) == digest, col(LoginTokenRow.used_at).is_(None),
                       col(LoginTokenRow.expires_at) > now)
                .values(used_at=now)
            )
            row = await session.get(LoginTokenRow, digest, populate_existing=True)
            if row is None:
                return Login(LINK_UNKNOWN)
            if _rowcount(claimed) != 1:
                return Login(LINK_USED if row.used_at is not None else LINK_EXPIRED, row.member_id)
            session_token = new_token()
            session.add(WebSessionRow(token_hash=token_hash(session_token), member_id=row.member_id,
                                      csrf_token=new_token(), created_at=now, expires_at=now + session_ttl))
            return Login(LOGIN_OK, row.member_id, session_token)

    async def session(self, token: str, now: datetime) -> WebSession | None:
        """Return the session of this cookie value while it has not expired."""
        stmt = (
            select(WebSessionRow, MemberRow)
            .outerjoin(MemberRow, col(MemberRow.id) == col(WebSessionRow.member_id))
            .where(col(WebSessionRow.token_hash) == token_hash(token), col(WebSessionRow.expires_at) > now)
        )
        async with self._sessions() as session:
            found = (await session.execute(stmt)).first()
        if found is None:
            return None
        row, member = found
        if row.member_id is not None and member is None:
            return None  # the member was removed: the session goes with them
        return WebSession(_member(member) if member is not None else None, row.csrf_token, row.created_at,
                          row.expires_at)

    async def logout(self, token: str) -> None:
        """End a session at once."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(WebSessionRow).where(col(WebSessionRow.token_hash) == token_hash(token)))

    async def record_attempt(self, client: str, outcome: str, member_id: int | None, at: datetime) -> None:
        """Keep one use of a login link in the log."""
        async with self._sessions() as session, session.begin():
            session.add(LoginAttemptRow(client=client[:100], outcome=outcome, member_id=member_id, at=at))

    async def failed_attempts(self, client: str, since: datetime) -> int:
        """Count this client's failed uses of login links since a moment."""
        stmt = select(func.count()).where(
            col(LoginAttemptRow.client) == client[:100],
            col(LoginAttemptRow.at) >= since,
            col(LoginAttemptRow.outcome).in_(FAILED_OUTCOMES),
        )
        async with self._sessions() as session:
            return int(await session.scalar(stmt) or 0)

    async def prune(self, now: datetime, keep_log: timedelta) -> int:
        """Delete expired sessions and links, and login log rows older than keep_log; return how many."""
        removed = 0
        async with self._sessions() as session, session.begin():
            for stmt in (
                delete(WebSessionRow).where(col(WebSessionRow.expires_at) <= now),
                delete(LoginTokenRow).where(col(LoginTokenRow.expires_at) <= now - keep_log),
                delete(LoginAttemptRow).where(col(LoginAttemptRow.at) < now - keep_log),
            ):
                removed += _rowcount(await session.execute(stmt))
        return removed


__all__ = ["Login", "WebAccessStore", "WebSession"]
