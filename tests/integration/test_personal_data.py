"""Erasing a person (/xoadulieu): what names them goes, the agency's record stays without them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from storage.models import (
    InviteRow,
    LoginTokenRow,
    MemberRow,
    OutboxMessageRow,
    OutboxRow,
    PendingInputRow,
    ProgressUpdateRow,
    QuestionLogRow,
    ShownChoicesRow,
    TaskDateRow,
)
from storage.privacy import ERASED_KEY, PersonalDataStore
from storage.records import AgencyRecord
from storage.repositories import InviteStore, MemberStore, QuestionLog
from storage.tracking import OccurrenceStore, OutboxStore, PendingInputStore, ShownChoicesStore, TaskDateStore
from storage.web import WebAccessStore

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
EVER = datetime(2000, 1, 1, tzinfo=UTC)
LAN, HOA = "101", "202"  # user ids: Lan erases her data, Hoa does not


class Item:
    plan_id, task_id, agency_id, period = "kh", "t1", "ubnd-xa-a", "2026"
    due, source = date(2026, 3, 31), "plan"


async def _count(sessions: async_sessionmaker[AsyncSession], table: type, *where: object) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def test_erasing_a_member_deletes_what_names_them_and_keeps_the_agency_report(
    sessionmaker: async_sessionmaker[AsyncSession], agencies: list[AgencyRecord],
) -> None:
    members, invites = MemberStore(sessionmaker), InviteStore(sessionmaker)
    questions, occurrences = QuestionLog(sessionmaker), OccurrenceStore(sessionmaker)
    outbox, pending = OutboxStore(sessionmaker), PendingInputStore(sessionmaker)
    erasure = PersonalDataStore(sessionmaker, questions)
    for user, name in ((LAN, "Nguyễn Thị Lan"), (HOA, "Trần Văn Hòa")):
        invite = await invites.create("ubnd-xa-a", "admin", "test", NOW, timedelta(hours=1))
        assert await invites.redeem_and_register(invite.code, NOW, "telegram", user, user, name)
        await questions.record("telegram", user, f"Câu hỏi của {name}?", False, None, 0.0, NOW)
        await pending.expect("telegram", user, "note:1", NOW + timedelta(hours=1))
        await ShownChoicesStore(sessionmaker).remember("telegram", user, [("Xong", "p:1:d")], NOW)
    lan = await members.get("telegram", LAN)
    assert lan is not None
    await questions.record("zalo", LAN, "Cùng số, nền tảng khác?", False, None, 0.0, NOW)  # another person
    made = await invites.create("ubnd-xa-a", "member", f"telegram:{LAN}", NOW, timedelta(hours=1))
    await TaskDateStore(sessionmaker).set_deadline("kh", "t1", date(2026, 3, 31), f"telegram:{LAN}", NOW)
    await WebAccessStore(sessionmaker).create_link(lan.id, f"telegram:{LAN}", NOW, timedelta(minutes=10))
    await occurrences.reconcile([Item()], {("kh", "t1")}, {"2026"}, {Item.due: NOW}, NOW)
    [occ] = await occurrences.for_agency("ubnd-xa-a")
    await occurrences.record_progress(occ.id, lan.id, "blocked", None, "Thiếu kinh phí", NOW)
    for key, status in (("sent", "sent"), ("queued", "pending")):
        assert await outbox.enqueue(dedup_key=f"rem:{key}:telegram:{LAN}", platform="telegram", chat_id=LAN,
                                    payload={"text": "Nhắc hạn"}, not_before=NOW, kind="reminder",
                                    occurrence_id=occ.id)
        if status == "sent":
            [claimed] = await outbox.claim(NOW, 10, timedelta(minutes=1), "w")
            await outbox.mark_sent(claimed.id, ["77"], NOW)

    erased = await erasure.erase("telegram", LAN)

    assert (erased.questions, erased.registered, erased.reports_kept) == (1, True, 1)
    assert await members.get("telegram", LAN) is None
    assert await members.get("telegram", HOA) is not None
    asked = {q for q, _ in await questions.unanswered(EVER)}
    assert asked == {"câu hỏi của trần văn hòa?", "cùng số, nền tảng khác?"}
    assert await _count(sessionmaker, PendingInputRow, col(PendingInputRow.user_id) == LAN) == 0
    assert await _count(sessionmaker, PendingInputRow, col(PendingInputRow.user_id) == HOA) == 1
    assert await _count(sessionmaker, ShownChoicesRow, col(ShownChoicesRow.chat_id) == LAN) == 0
    assert await _count(sessionmaker, ShownChoicesRow, col(ShownChoicesRow.chat_id) == HOA) == 1
    # The agency's report stays, with its note, and nobody's name.
    [report] = await occurrences.history(occ.id)
    assert (report.who, report.status, report.note) == ("", "blocked", "Thiếu kinh phí")
    kept = await occurrences.get(occ.id)
    assert kept is not None and kept.status == "blocked" and kept.updated_by is None
    assert await _count(sessionmaker, ProgressUpdateRow, col(ProgressUpdateRow.member_id).is_(None)) == 1
    # Who made an invite or set a date is no longer said; the invite and the date stay.
    async with sessionmaker() as session:
        assert (await session.get(InviteRow, made.code)).created_by is None  # type: ignore[union-attr]
        assert (await session.scalar(select(col(TaskDateRow.set_by)))) == ""
        used_by = await session.scalars(select(col(InviteRow.used_by_member_id)))
        assert lan.id not in set(used_by)
    # What was queued for her is dropped; what was sent stays, without her chat.
    async with sessionmaker() as session:
        rows = (await session.execute(select(col(OutboxRow.chat_id), col(OutboxRow.dedup_key),
                                             col(OutboxRow.status)))).all()
    assert [(chat, key.startswith(ERASED_KEY), status) for chat, key, status in rows] == [("", True, "sent")]
    assert await _count(sessionmaker, OutboxMessageRow) == 0
    assert await _count(sessionmaker, LoginTokenRow) == 0  # her dashboard link
    assert await _count(sessionmaker, MemberRow) == 1

    again = await erasure.erase("telegram", LAN)  # nothing is left to erase
    assert (again.questions, again.registered, again.reports_kept) == (0, False, 0)


async def test_erasing_someone_never_registered_deletes_their_questions(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    questions = QuestionLog(sessionmaker)
    await questions.record("zalo", "555", "Hồ sơ công nhận gồm gì?", False, None, 0.0, NOW)
    await questions.flush()
    await questions.record("zalo", "555", "Còn câu này chưa ghi?", False, None, 0.0, NOW)  # still queued
    await questions.record("zalo", "556", "Câu của người khác?", False, None, 0.0, NOW)

    erased = await PersonalDataStore(sessionmaker, questions).erase("zalo", "555")

    assert (erased.questions, erased.registered) == (2, False)
    assert await _count(sessionmaker, QuestionLogRow) == 1
