"""Async repositories over the bot's tables; each call is one short transaction returning plain records."""

from __future__ import annotations

import asyncio
import logging
import secrets
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete, false, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from storage.models import (
    AGENCY_FROM_PLAN,
    AGENCY_IMPORTED,
    AgencyRow,
    InviteRow,
    MemberRow,
    QuestionLogRow,
)
from storage.records import AgencyRecord, DeclinedQuestion, InviteRecord, MemberRecord

log = logging.getLogger(__name__)

# No I, O, 0 or 1: a code read off a screen and typed on a phone must not be ambiguous.
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 8

Sessions = async_sessionmaker[AsyncSession]


def _insert(session: AsyncSession, table: Any) -> Any:
    """Return the dialect's INSERT, which knows ON CONFLICT."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {dialect!r}")


def _rowcount(result: Result[Any]) -> int:
    """Return how many rows a DML statement touched."""
    return int(cast(CursorResult[Any], result).rowcount)


def _agency(row: AgencyRow) -> AgencyRecord:
    return AgencyRecord(id=row.id, name=row.name, level=row.level, is_group=row.is_group, active=row.active,
                        source=row.source, code=row.code, area_code=row.area_code,
                        started_on=row.started_on, ended_on=row.ended_on)


def _member(row: MemberRow) -> MemberRecord:
    assert row.id is not None
    return MemberRecord(
        id=row.id,
        platform=row.platform,
        chat_id=row.chat_id,
        user_id=row.user_id,
        display_name=row.display_name,
        agency_id=row.agency_id,
        role=row.role,
        joined_at=row.joined_at,
        blocked_at=row.blocked_at,
    )


def _invite(row: InviteRow) -> InviteRecord:
    return InviteRecord(
        code=row.code,
        agency_id=row.agency_id,
        role=row.role,
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        used_by_member_id=row.used_by_member_id,
    )


_AGENCY_FIELDS = ("name", "level", "is_group", "active", "source", "code", "area_code", "started_on",
                  "ended_on")


class AgencyStore:
    """The agencies of the plans, and the communes imported beside them."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def sync(self, agencies: Iterable[AgencyRecord]) -> None:
        """Upsert the plans' agencies and mark every other agency from a plan inactive.

        Imported communes are left alone: they come from `tcpl agencies import`, not from the plans.
        """
        by_id = {a.id: {"id": a.id, **{f: getattr(a, f) for f in _AGENCY_FIELDS}, "source": AGENCY_FROM_PLAN}
                 for a in agencies}
        async with self._sessions() as session, session.begin():
            await self._upsert(session, list(by_id.values()))
            # Deactivate rather than delete: members and invites still point at the old agency.
            await session.execute(
                update(AgencyRow)
                .where(col(AgencyRow.id).not_in(list(by_id)), col(AgencyRow.source) == AGENCY_FROM_PLAN)
                .values(active=False)
            )

    async def import_units(self, agencies: Sequence[AgencyRecord]) -> tuple[int, int]:
        """Add or update imported units; return (added, changed). Importing again changes nothing."""
        wanted = {a.id: {"id": a.id, **{f: getattr(a, f) for f in _AGENCY_FIELDS}, "source": AGENCY_IMPORTED}
                  for a in agencies}
        async with self._sessions() as session, session.begin():
            stored = {row.id: row for row in await session.scalars(
                select(AgencyRow).where(col(AgencyRow.id).in_(list(wanted))))}
            added = [v for k, v in wanted.items() if k not in stored]
            changed = [v for k, v in wanted.items() if k in stored
                       and any(getattr(stored[k], f) != v[f] for f in _AGENCY_FIELDS)]
            clash = [k for k in wanted if k in stored and stored[k].source != AGENCY_IMPORTED]
            if clash:
                raise ValueError(f"agency ids already used by a plan: {', '.join(sorted(clash)[:5])}")
            await self._upsert(session, added + changed)
        return len(added), len(changed)

    @staticmethod
    async def _upsert(session: AsyncSession, values: list[dict[str, Any]]) -> None:
        if not values:
            return
        stmt = _insert(session, AgencyRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=[col(AgencyRow.id)],
            set_={name: stmt.excluded[name] for name in _AGENCY_FIELDS},
        )
        await session.execute(stmt, values)

    async def get(self, agency_id: str) -> AgencyRecord | None:
        """Return the agency with this id, active or not."""
        async with self._sessions() as session:
            row = await session.get(AgencyRow, agency_id)
            return _agency(row) if row else None

    async def all(self, active_only: bool = True) -> list[AgencyRecord]:
        """Return the agencies ordered by name."""
        stmt = select(AgencyRow).order_by(AgencyRow.name, AgencyRow.id)
        if active_only:
            stmt = stmt.where(col(AgencyRow.active))
        async with self._sessions() as session:
            return [_agency(row) for row in await session.scalars(stmt)]

    async def imported(self) -> list[AgencyRecord]:
        """Return the active imported units ordered by official code."""
        stmt = (select(AgencyRow)
                .where(col(AgencyRow.active), col(AgencyRow.source) == AGENCY_IMPORTED)
                .order_by(col(AgencyRow.code), col(AgencyRow.id)))
        async with self._sessions() as session:
            return [_agency(row) for row in await session.scalars(stmt)]


async def _upsert_member(session: AsyncSession, values: dict[str, Any]) -> MemberRow:
    """Insert a member or move the existing (platform, user_id) to the new values."""
    stmt = _insert(session, MemberRow)
    moved = ("chat_id", "display_name", "agency_id", "role", "joined_at", "blocked_at")
    # A user who registers again is reachable again, so a former block no longer holds.
    stmt = stmt.on_conflict_do_update(
        index_elements=[col(MemberRow.platform), col(MemberRow.user_id)],
        set_={name: stmt.excluded[name] for name in moved},
    )
    await session.execute(stmt, {**values, "blocked_at": None})
    row = await session.scalar(
        select(MemberRow)
        .where(col(MemberRow.platform) == values["platform"], col(MemberRow.user_id) == values["user_id"])
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


class MemberStore:
    """Registered chat users."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def get(self, platform: str, user_id: str) -> MemberRecord | None:
        """Return the member with this platform user id."""
        stmt = select(MemberRow).where(col(MemberRow.platform) == platform, col(MemberRow.user_id) == user_id)
        async with self._sessions() as session:
            row = await session.scalar(stmt)
            return _member(row) if row else None

    async def upsert(
        self,
        platform: str,
        chat_id: str,
        user_id: str,
        display_name: str,
        agency_id: str,
        role: str,
        joined_at: datetime,
    ) -> MemberRecord:
        """Register a member, or move an already registered one to this agency and role."""
        values = {
            "platform": platform,
            "chat_id": chat_id,
            "user_id": user_id,
            "display_name": display_name,
            "agency_id": agency_id,
            "role": role,
            "joined_at": joined_at,
        }
        async with self._sessions() as session, session.begin():
            return _member(await _upsert_member(session, values))

    async def by_agency(self, agency_id: str) -> list[MemberRecord]:
        """Return the members of one agency ordered by name."""
        stmt = (
            select(MemberRow)
            .where(col(MemberRow.agency_id) == agency_id)
            .order_by(col(MemberRow.display_name), col(MemberRow.id))
        )
        return await self._list(stmt)

    async def all(self) -> list[MemberRecord]:
        """Return every member ordered by agency, then name."""
        stmt = select(MemberRow).order_by(
            col(MemberRow.agency_id), col(MemberRow.display_name), col(MemberRow.id)
        )
        return await self._list(stmt)

    async def admins(self) -> list[MemberRecord]:
        """Return the members with the admin role ordered by name."""
        stmt = (
            select(MemberRow)
            .where(col(MemberRow.role) == "admin")
            .order_by(col(MemberRow.display_name), col(MemberRow.id))
        )
        return await self._list(stmt)

    async def mark_blocked(self, platform: str, chat_id: str, at: datetime) -> int:
        """Record that this chat blocked the bot; return how many members it concerns."""
        stmt = (
            update(MemberRow)
            .where(
                col(MemberRow.platform) == platform,
                col(MemberRow.chat_id) == chat_id,
                col(MemberRow.blocked_at).is_(None),
            )
            .values(blocked_at=at)
        )
        async with self._sessions() as session, session.begin():
            result = await session.execute(stmt)
            return _rowcount(result)

    async def _list(self, stmt: Any) -> list[MemberRecord]:
        async with self._sessions() as session:
            return [_member(row) for row in await session.scalars(stmt)]


def new_invite_code() -> str:
    """Return a random 8-character code from an alphabet without look-alike characters."""
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def normalise_invite_code(text: str) -> str:
    """Return the code as stored: upper case, without the spaces or dashes people add."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


class InviteStore:
    """One-time registration codes."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def create(
        self, agency_id: str, role: str, created_by: str | None, now: datetime, ttl: timedelta
    ) -> InviteRecord:
        """Create a fresh code for this agency and role that expires after ttl."""
        for _ in range(5):
            row = InviteRow(
                code=new_invite_code(),
                agency_id=agency_id,
                role=role,
                created_by=created_by,
                created_at=now,
                expires_at=now + ttl,
            )
            try:
                async with self._sessions() as session, session.begin():
                    session.add(row)
                return _invite(row)
            except IntegrityError:
                # Either the code clashed (rare among 32**8) and another try helps, or the agency is unknown.
                if await self._agency_missing(agency_id):
                    raise
        raise RuntimeError("could not find a free invite code")

    async def get(self, code: str) -> InviteRecord | None:
        """Return the invite with this code, used or not."""
        async with self._sessions() as session:
            row = await session.get(InviteRow, normalise_invite_code(code))
            return _invite(row) if row else None

    async def redeem(self, code: str, now: datetime) -> InviteRecord | None:
        """Mark the code used if it is valid now; return it, or None if unknown, used or expired."""
        async with self._sessions() as session, session.begin():
            return await self._claim(session, normalise_invite_code(code), now)

    async def redeem_and_register(
        self, code: str, now: datetime, platform: str, chat_id: str, user_id: str, display_name: str
    ) -> MemberRecord | None:
        """Redeem the code and register its holder in one transaction; None if the code is not valid."""
        async with self._sessions() as session, session.begin():
            invite = await self._claim(session, normalise_invite_code(code), now)
            if invite is None:
                # The same person's /dangky handled again (after a crash): the code is theirs already.
                return await self._redeemed_by(session, normalise_invite_code(code), platform, user_id)
            values = {
                "platform": platform,
                "chat_id": chat_id,
                "user_id": user_id,
                "display_name": display_name,
                "agency_id": invite.agency_id,
                "role": invite.role,
                "joined_at": now,
            }
            member = await _upsert_member(session, values)
            await session.execute(
                update(InviteRow)
                .where(col(InviteRow.code) == invite.code)
                .values(used_by_member_id=member.id)
            )
            return _member(member)

    @staticmethod
    async def _claim(session: AsyncSession, code: str, now: datetime) -> InviteRecord | None:
        # One conditional UPDATE decides: of two concurrent redeems only one can see used_at IS NULL.
        active_agency = select(col(AgencyRow.id)).where(col(AgencyRow.active))
        claimed = await session.execute(
            update(InviteRow)
            .where(
                col(InviteRow.code) == code,
                col(InviteRow.used_at).is_(None),
                col(InviteRow.expires_at) > now,
                col(InviteRow.agency_id).in_(active_agency),
            )
            .values(used_at=now)
        )
        if _rowcount(claimed) != 1:
            return None
        row = await session.get(InviteRow, code, populate_existing=True)
        return _invite(row) if row else None

    @staticmethod
    async def _redeemed_by(session: AsyncSession, code: str, platform: str, user_id: str
                           ) -> MemberRecord | None:
        row = await session.scalar(
            select(MemberRow)
            .join(InviteRow, col(InviteRow.used_by_member_id) == col(MemberRow.id))
            .where(col(InviteRow.code) == code, col(MemberRow.platform) == platform,
                   col(MemberRow.user_id) == user_id, col(MemberRow.agency_id) == col(InviteRow.agency_id))
        )
        return _member(row) if row is not None else None

    async def _agency_missing(self, agency_id: str) -> bool:
        async with self._sessions() as session:
            return await session.get(AgencyRow, agency_id) is None


def normalise_question(text: str) -> str:
    """Return the question in the form used to group repeats: NFC, lower case, single spaces."""
    # Vietnamese keyboards send composed or decomposed accents; NFC makes both the same text.
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


class QuestionLog:
    """Questions asked of the handbook, to find what it lacks.

    Written behind the conversation: record() queues the row and the reply goes out at once, as the
    log serves the handbook's editors, not the official waiting for an answer. Queued rows reach the
    database together in flush(): every second from the instance's scheduler, as soon as FLUSH_AT
    rows wait, before every read, and when the stores close. A crash can lose the last second's log
    rows; it never loses a reply, a registration or a progress report. Rows whose flush failed (a
    database restart) stay queued for the next one.
    """

    FLUSH_AT = 500

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self._queued: list[dict[str, Any]] = []
        self._flushing = asyncio.Lock()

    async def record(
        self,
        platform: str,
        user_id: str | None,
        question: str,
        found: bool,
        entry_id: str | None,
        score: float,
        at: datetime,
    ) -> None:
        """Queue one question and the answer engine's verdict for the next flush."""
        self._queued.append({"platform": platform, "user_id": user_id, "question": question,
                             "found": found, "entry_id": entry_id, "score": score, "asked_at": at})
        if len(self._queued) >= self.FLUSH_AT:
            try:
                await self.flush()
            except Exception:
                # The official still gets the answer; the rows stay queued for the next flush.
                log.warning("question log not written yet (%d queued)", len(self._queued), exc_info=True)

    async def flush(self) -> int:
        """Write the queued questions in one transaction; return how many."""
        async with self._flushing:
            rows, self._queued = self._queued, []
            if not rows:
                return 0
            try:
                async with self._sessions() as session, session.begin():
                    await session.execute(insert(QuestionLogRow), rows)
            except BaseException:
                self._queued[:0] = rows
                raise
            return len(rows)

    async def prune(self, older_than: datetime) -> int:
        """Delete the questions asked before this moment, queued ones included; return how many."""
        async with self._flushing:
            queued = len(self._queued)
            self._queued = [row for row in self._queued if row["asked_at"] >= older_than]
            dropped = queued - len(self._queued)
        stmt = delete(QuestionLogRow).where(col(QuestionLogRow.asked_at) < older_than)
        async with self._sessions() as session, session.begin():
            return dropped + _rowcount(await session.execute(stmt))

    async def unanswered(self, since: datetime, limit: int = 20) -> list[tuple[str, int]]:
        """Return declined questions since a moment, grouped by normalised text, most frequent first."""
        return [(d.question, d.count) for d in await self.declined(since, limit)]

    async def declined(self, since: datetime, limit: int = 20) -> list[DeclinedQuestion]:
        """Return declined questions since a moment, with counts and last time asked, most asked first."""
        await self.flush()
        stmt = select(col(QuestionLogRow.question), col(QuestionLogRow.asked_at)).where(
            col(QuestionLogRow.found) == false(),
            col(QuestionLogRow.asked_at) >= since,
        )
        counts: Counter[str] = Counter()
        last: dict[str, datetime] = {}
        async with self._sessions() as session:
            # Grouped here, not in SQL: collapsing whitespace and Unicode forms is not portable SQL.
            for question, asked_at in await session.execute(stmt):
                key = normalise_question(question)
                counts[key] += 1
                last[key] = max(asked_at, last.get(key, asked_at))
        counts.pop("", None)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [DeclinedQuestion(q, n, last[q]) for q, n in ranked]


__all__ = ["AgencyStore", "InviteStore", "MemberStore", "QuestionLog"]
