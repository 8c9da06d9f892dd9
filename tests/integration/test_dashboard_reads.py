"""The dashboard's own queries: deliveries of an occurrence's reminders and weekly activity."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage.dashboard import DashboardReads
from storage.repositories import MemberStore, QuestionLog
from storage.tracking import OccurrenceStore, OutboxStore

NOW = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)


class Due:
    def __init__(self, task_id: str, agency_id: str, due: date):
        self.task_id, self.agency_id, self.due, self.source = task_id, agency_id, due, "plan"
        self.plan_id, self.period = "kh", str(due.year)


async def plan(occurrences: OccurrenceStore, due: Due) -> None:
    await occurrences.reconcile([due], {(due.plan_id, due.task_id)}, {due.period}, {due.due: NOW}, NOW)


async def test_deliveries_name_the_member_and_keep_the_outcome(sessionmaker, agencies):
    occurrences, outbox = OccurrenceStore(sessionmaker), OutboxStore(sessionmaker)
    await MemberStore(sessionmaker).upsert("zalo", "z1", "z1", "Lê Văn Cường", "ubnd-xa-a", "member", NOW)
    await plan(occurrences, Due("t1", "ubnd-xa-a", date(2026, 12, 14)))
    [occ] = await occurrences.for_agency("ubnd-xa-a")
    for i, chat in enumerate(("z1", "z2")):
        await outbox.enqueue(dedup_key=f"rem:{occ.id}:{i}", platform="zalo", chat_id=chat, payload={},
                             not_before=NOW + timedelta(minutes=i), kind="reminder", occurrence_id=occ.id)
    [first, second] = await outbox.claim(NOW + timedelta(hours=1), 10, timedelta(minutes=5), "w")
    await outbox.mark_sent(first.id, ["m1"], NOW + timedelta(hours=1))
    await outbox.reschedule(second.id, NOW + timedelta(days=1), "user has not interacted", True)
    await outbox.enqueue(dedup_key="esc:t1:2026-12-14:telegram:7", platform="telegram", chat_id="7",
                         payload={}, not_before=NOW + timedelta(days=2), kind="escalation",
                         occurrence_id=None)

    reads = DashboardReads(sessionmaker)
    sent, refused = await reads.deliveries(occ.id)
    assert (sent.who, sent.status, sent.sent_at) == ("Lê Văn Cường", "sent", NOW + timedelta(hours=1))
    assert (refused.who, refused.status, refused.attempts) == (None, "pending", 1)
    assert refused.last_error == "user has not interacted"
    assert (await reads.latest_deliveries([occ.id, 999]))[occ.id].chat_id == "z2"
    escalation = await reads.latest_by_key_prefix("esc:t1:2026-12-14:")
    assert escalation is not None and escalation.kind == "escalation"
    assert await reads.latest_by_key_prefix("esc:t1:2026-12-1_:") is None  # LIKE wildcards are literal


async def test_progress_times_and_declined_questions(sessionmaker, agencies):
    occurrences = OccurrenceStore(sessionmaker)
    member = await MemberStore(sessionmaker).upsert("telegram", "1", "1", "An", "ubnd-xa-a", "member", NOW)
    await plan(occurrences, Due("t1", "ubnd-xa-a", date(2026, 12, 14)))
    [occ] = await occurrences.for_agency("ubnd-xa-a")
    await occurrences.record_progress(occ.id, member.id, "in_progress", 50, None, NOW)
    await occurrences.record_progress(occ.id, member.id, "done", None, None, NOW + timedelta(days=8))
    reads = DashboardReads(sessionmaker)
    assert await reads.progress_times(NOW + timedelta(days=1)) == [(NOW + timedelta(days=8), "ubnd-xa-a")]

    questions = QuestionLog(sessionmaker)
    for i, text in enumerate(("Giá vàng?", "giá  VÀNG?", "Thời tiết?")):
        await questions.record("telegram", "1", text, False, None, 0.0, NOW + timedelta(hours=i))
    declined = await questions.declined(NOW - timedelta(days=1), 10)
    assert [(d.question, d.count, d.last_asked) for d in declined] == [
        ("giá vàng?", 2, NOW + timedelta(hours=1)), ("thời tiết?", 1, NOW + timedelta(hours=2))]
    assert await questions.unanswered(NOW - timedelta(days=1), 10) == [("giá vàng?", 2), ("thời tiết?", 1)]
