"""Erase what the bot keeps about one person (/xoadulieu), in one transaction.

What the person gave or what names them goes: their questions, their registration, what the bot
waits for them to type, the choices last shown to them, their dashboard logins, the messages still
queued for them. What the Department keeps as the record of an agency's work stays without their
name: progress reports (the agency reported), the deadlines an administrator set, the reminders
that were sent (the agency was reminded). See README, "Privacy".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, and_, cast, delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import (
    InviteRow,
    LoginAttemptRow,
    LoginTokenRow,
    MemberRow,
    OccurrenceRow,
    OutboxMessageRow,
    OutboxRow,
    PendingInputRow,
    ProgressUpdateRow,
    QuestionLogRow,
    ShownChoicesRow,
    TaskDateRow,
    WebSessionRow,
)
from storage.repositories import QuestionLog, Sessions, _rowcount
from storage.tracking import FAILED, PENDING, SENT

ERASED_KEY = "erased:"  # the dedup key of a kept outbox row once its chat id is gone


@dataclass(frozen=True, slots=True)
class Erased:
    """What one erasure deleted, and how many of the agency's reports it left without a name."""

    questions: int
    registered: bool
    reports_kept: int


class PersonalDataStore:
    """Find and erase what the bot keeps about one person of one platform."""

    def __init__(self, sessions: Sessions, questions: QuestionLog) -> None:
        self._sessions = sessions
        self._questions = questions

    async def erase(self, platform: str, user_id: str) -> Erased:
        """Delete the person's data and strip their identity from what the agency's record keeps.

        Idempotent: erasing again finds nothing. Questions another instance has queued in the last
        second reach the database after this and are deleted by the next erasure or by the pruning.
        """
        # This instance's queued questions reach the database first, so the delete below sees them.
        await self._questions.flush()
        identity = f"{platform}:{user_id}"  # how invites and admin-set dates name who made them
        async with self._sessions() as session, session.begin():
            questions = _rowcount(await session.execute(delete(QuestionLogRow).where(
                col(QuestionLogRow.platform) == platform, col(QuestionLogRow.user_id) == user_id)))
            await session.execute(delete(PendingInputRow).where(
                col(PendingInputRow.platform) == platform, col(PendingInputRow.user_id) == user_id))
            # In a private chat the chat is the person on every platform; a group's chat is not theirs.
            await session.execute(delete(ShownChoicesRow).where(
                col(ShownChoicesRow.platform) == platform, col(ShownChoicesRow.chat_id) == user_id))
            await self._forget_chat(session, platform, user_id)
            await session.execute(update(InviteRow).where(col(InviteRow.created_by) == identity)
                                  .values(created_by=None))
            await session.execute(update(TaskDateRow).where(col(TaskDateRow.set_by) == identity)
                                  .values(set_by=""))
            member = (await session.execute(select(col(MemberRow.id), col(MemberRow.display_name)).where(
                col(MemberRow.platform) == platform, col(MemberRow.user_id) == user_id))).first()
            if member is None:
                return Erased(questions, registered=False, reports_kept=0)
            member_id, name = member
            reported = select(col(ProgressUpdateRow.occurrence_id)).where(
                col(ProgressUpdateRow.member_id) == member_id)
            await session.execute(update(OccurrenceRow).where(
                col(OccurrenceRow.id).in_(reported), col(OccurrenceRow.updated_by) == name)
                .values(updated_by=None))
            kept = _rowcount(await session.execute(update(ProgressUpdateRow).where(
                col(ProgressUpdateRow.member_id) == member_id).values(member_id=None)))
            await session.execute(update(InviteRow).where(col(InviteRow.used_by_member_id) == member_id)
                                  .values(used_by_member_id=None))
            await session.execute(update(LoginAttemptRow).where(col(LoginAttemptRow.member_id) == member_id)
                                  .values(member_id=None))
            await session.execute(delete(WebSessionRow).where(col(WebSessionRow.member_id) == member_id))
            await session.execute(delete(LoginTokenRow).where(col(LoginTokenRow.member_id) == member_id))
            await session.execute(delete(MemberRow).where(col(MemberRow.id) == member_id))
            return Erased(questions, registered=True, reports_kept=kept)

    @staticmethod
    async def _forget_chat(session: AsyncSession, platform: str, chat_id: str) -> None:
        """Drop the messages still queued for a private chat; keep the sent ones (the agency was
        reminded) without the chat's id. A group's messages are the group's: they stay."""
        to_chat = and_(col(OutboxRow.platform) == platform, col(OutboxRow.chat_id) == chat_id)
        await session.execute(delete(OutboxMessageRow).where(
            col(OutboxMessageRow.platform) == platform, col(OutboxMessageRow.chat_id) == chat_id))
        await session.execute(delete(OutboxRow).where(to_chat, col(OutboxRow.status) == PENDING))
        # A row being sent this very second is left to its dispatcher, which records it by id.
        await session.execute(update(OutboxRow).where(to_chat, col(OutboxRow.status).in_((SENT, FAILED)))
                              .values(chat_id="", dedup_key=literal(ERASED_KEY).concat(
                                  cast(col(OutboxRow.id), String))))


__all__ = ["Erased", "PersonalDataStore"]
