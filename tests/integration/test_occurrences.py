"""Occurrences: planning (reconcile), reminder scan, progress with its history, and the report queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.records import AgencyRecord, MemberRecord, OccurrenceRecord, ProgressRecord
from storage.repositories import AgencyStore, MemberStore
from storage.tracking import OccurrenceStore

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DUE = date(2026, 3, 31)
LATER = date(2026, 6, 30)


class Source(StrEnum):
    """Like knowledge.deadlines.Source: ensure() must store the plain value."""

    PLAN = "plan"
    ADMIN = "admin"


@dataclass(frozen=True)
class Deadline:
    task_id: str
    agency_id: str
    due: date
    source: str
    plan_id: str = "kh"
    period: str = ""

    def __post_init__(self) -> None:
        if not self.period:
            object.__setattr__(self, "period", str(self.due.year))


async def ensure(store: OccurrenceStore, items: list[Deadline], first: dict, tasks=None) -> int:
    """Plan these items as the planner does: every task and period they name is in scope."""
    scope = tasks if tasks is not None else {(i.plan_id, i.task_id) for i in items}
    result = await store.reconcile(items, scope, {i.period for i in items} or {"2026"}, first, NOW)
    return result.added


@pytest.fixture
def store(sessionmaker: async_sessionmaker[AsyncSession]) -> OccurrenceStore:
    return OccurrenceStore(sessionmaker)


@pytest.fixture
async def member(
    sessionmaker: async_sessionmaker[AsyncSession], agencies: list[AgencyRecord]
) -> MemberRecord:
    """Register an official of UBND xã A."""
    return await MemberStore(sessionmaker).upsert(
        "telegram", "100", "100", "Nguyễn Văn An", "ubnd-xa-a", "member", NOW - timedelta(days=30)
    )


async def _one(store: OccurrenceStore, task_id: str = "t1", agency_id: str = "ubnd-xa-a") -> OccurrenceRecord:
    [occ] = [o for o in await store.for_agency(agency_id) if o.task_id == task_id]
    return occ


async def test_ensure_inserts_only_the_missing(store: OccurrenceStore, agencies: list[AgencyRecord]) -> None:
    first = {DUE: NOW, LATER: None}
    items = [
        Deadline("t1", "ubnd-xa-a", DUE, Source.PLAN),
        Deadline("t1", "so-tu-phap", DUE, Source.PLAN),
        Deadline("t1", "ubnd-xa-a", DUE, Source.PLAN),  # the same deadline twice in one call
        Deadline("t2", "ubnd-xa-a", LATER, Source.ADMIN),
    ]
    assert await ensure(store, items, first) == 3
    assert await ensure(store, items, first) == 0
    assert await ensure(store, [*items, Deadline("t3", "so-tu-phap", DUE, "plan")], first) == 1
    assert await ensure(store, [], first, tasks=set()) == 0

    occ = await _one(store)
    assert occ == OccurrenceRecord(
        id=occ.id,
        plan_id="kh",
        task_id="t1",
        agency_id="ubnd-xa-a",
        period="2026",
        due=DUE,
        source="plan",
        status=None,
        percent=None,
        note=None,
        updated_at=None,
        updated_by=None,
        next_step_at=NOW,
    )
    assert type(occ.source) is str
    assert occ.next_step_at is not None and occ.next_step_at.tzinfo is UTC
    later = await _one(store, "t2")
    assert (later.source, later.next_step_at) == ("admin", None)
    assert await store.get(occ.id) == occ
    assert await store.get(occ.id + 1000) is None


async def test_ensure_keeps_existing_rows_untouched(store: OccurrenceStore, member: MemberRecord) -> None:
    item = Deadline("t1", "ubnd-xa-a", DUE, Source.PLAN)
    await ensure(store, [item], {DUE: NOW})
    occ = await _one(store)
    await store.record_progress(occ.id, member.id, "in_progress", 50, None, NOW)
    await store.advance(occ.id, NOW + timedelta(days=3))

    assert await ensure(store, [item], {DUE: NOW - timedelta(days=9)}) == 0
    again = await _one(store)
    assert (again.status, again.percent, again.next_step_at) == ("in_progress", 50, NOW + timedelta(days=3))


async def test_ensure_in_bulk(sessionmaker: async_sessionmaker[AsyncSession], store: OccurrenceStore) -> None:
    await AgencyStore(sessionmaker).sync(
        [AgencyRecord(id=f"xa-{n:03}", name=f"UBND xã {n:03}", level="commune") for n in range(200)]
    )
    dues = [date(2026, 1, 15) + timedelta(days=7 * n) for n in range(50)]
    first = {due: datetime(due.year, due.month, due.day, 1, tzinfo=UTC) - timedelta(days=7) for due in dues}
    items = [
        Deadline(f"task-{t:03}", f"xa-{a:03}", dues[t % len(dues)], Source.PLAN)
        for t in range(100)
        for a in range(200)
    ]
    assert len(items) == 20_000

    assert await ensure(store, items, first) == 20_000
    assert await ensure(store, items, first) == 0
    assert await ensure(store, [*items, Deadline("task-new", "xa-000", dues[0], Source.PLAN)], first) == 1

    stored = await store.for_year(2026)
    assert len(stored) == 20_001
    assert all(o.next_step_at == first[o.due] for o in stored)
    assert len(await store.for_agency("xa-007")) == 100


async def test_due_for_reminder_and_advance(store: OccurrenceStore, agencies: list[AgencyRecord]) -> None:
    dues = [date(2026, 3, 10), date(2026, 3, 20), date(2026, 3, 30)]
    first = {dues[0]: NOW - timedelta(days=1), dues[1]: NOW, dues[2]: NOW + timedelta(hours=1)}
    await ensure(store,
        [Deadline(f"t{n}", "ubnd-xa-a", due, Source.PLAN) for n, due in enumerate(dues)], first
    )

    due = await store.due_for_reminder(NOW, 10)
    assert [o.task_id for o in due] == ["t0", "t1"]  # oldest next step first; t2 not yet
    assert [o.task_id for o in await store.due_for_reminder(NOW, 1)] == ["t0"]
    assert [o.task_id for o in await store.due_for_reminder(NOW + timedelta(hours=2), 10)] == [
        "t0",
        "t1",
        "t2",
    ]

    await store.advance(due[0].id, NOW + timedelta(days=1))
    await store.advance(due[1].id, None)  # no step left
    assert await store.due_for_reminder(NOW, 10) == []
    assert [o.task_id for o in await store.due_for_reminder(NOW + timedelta(days=2), 10)] == ["t2", "t0"]
    stopped = await store.get(due[1].id)
    assert stopped is not None and stopped.next_step_at is None


async def test_done_stops_reminders_and_history_is_kept(store: OccurrenceStore, member: MemberRecord) -> None:
    await ensure(store,
        [Deadline("t1", "ubnd-xa-a", DUE, Source.PLAN), Deadline("t2", "ubnd-xa-a", DUE, Source.PLAN)],
        {DUE: NOW},
    )
    occ = await _one(store)

    await store.record_progress(occ.id, member.id, "in_progress", 40, None, NOW)
    await store.record_progress(
        occ.id, member.id, "blocked", None, "Chưa có kinh phí", NOW + timedelta(hours=1)
    )
    blocked = await store.get(occ.id)
    assert blocked is not None
    assert (blocked.status, blocked.percent, blocked.note) == ("blocked", None, "Chưa có kinh phí")
    assert (blocked.updated_by, blocked.updated_at) == ("Nguyễn Văn An", NOW + timedelta(hours=1))
    assert blocked.next_step_at == NOW  # still reminded while not done
    assert {o.task_id for o in await store.due_for_reminder(NOW, 10)} == {"t1", "t2"}

    await store.record_progress(occ.id, member.id, "done", 100, None, NOW + timedelta(days=1))
    done = await store.get(occ.id)
    assert done is not None
    assert (done.status, done.percent, done.note, done.next_step_at) == ("done", 100, None, None)
    assert [o.task_id for o in await store.due_for_reminder(NOW + timedelta(days=9), 10)] == ["t2"]

    # Even a next step set later by mistake does not bring a finished occurrence back.
    await store.advance(occ.id, NOW)
    assert [o.task_id for o in await store.due_for_reminder(NOW, 10)] == ["t2"]

    assert await store.history(occ.id) == [
        ProgressRecord("Nguyễn Văn An", "in_progress", 40, None, NOW, "telegram"),
        ProgressRecord("Nguyễn Văn An", "blocked", None, "Chưa có kinh phí", NOW + timedelta(hours=1),
                       "telegram"),
        ProgressRecord("Nguyễn Văn An", "done", 100, None, NOW + timedelta(days=1), "telegram"),
    ]
    assert await store.history((await _one(store, "t2")).id) == []


async def test_record_progress_refuses_unknown_things(store: OccurrenceStore, member: MemberRecord) -> None:
    await ensure(store, [Deadline("t1", "ubnd-xa-a", DUE, Source.PLAN)], {DUE: NOW})
    occ = await _one(store)

    with pytest.raises(ValueError, match="status"):
        await store.record_progress(occ.id, member.id, "finished", 100, None, NOW)
    with pytest.raises(LookupError, match="member"):
        await store.record_progress(occ.id, member.id + 99, "done", 100, None, NOW)
    with pytest.raises(LookupError, match="occurrence"):
        await store.record_progress(occ.id + 99, member.id, "done", 100, None, NOW)
    assert await store.history(occ.id) == []
    assert await store.get(occ.id) == occ


async def test_report_queries(store: OccurrenceStore, agencies: list[AgencyRecord]) -> None:
    items = [
        Deadline("t1", "ubnd-xa-a", date(2025, 12, 31), Source.PLAN),
        Deadline("t1", "ubnd-xa-a", date(2026, 1, 1), Source.PLAN),
        Deadline("t2", "so-tu-phap", date(2026, 6, 30), Source.PLAN),
        Deadline("t1", "so-tu-phap", date(2026, 12, 31), Source.PLAN),
        Deadline("t1", "ubnd-xa-a", date(2027, 1, 1), Source.PLAN),
    ]
    await ensure(store, items, dict.fromkeys((i.due for i in items), None))

    def keys(occs: list[OccurrenceRecord]) -> list[tuple[str, str, date]]:
        return [(o.task_id, o.agency_id, o.due) for o in occs]

    assert keys(await store.for_year(2026)) == [(i.task_id, i.agency_id, i.due) for i in items[1:4]]
    assert keys(await store.for_year(2026, task_id="t1")) == [
        ("t1", "ubnd-xa-a", date(2026, 1, 1)),
        ("t1", "so-tu-phap", date(2026, 12, 31)),
    ]
    assert await store.for_year(2024) == []
    assert [o.due.year for o in await store.for_agency("ubnd-xa-a")] == [2025, 2026, 2027]
    assert await store.for_agency("ubnd-cap-xa") == []
    assert keys(await store.in_window(date(2026, 1, 1), date(2026, 6, 30))) == [
        ("t1", "ubnd-xa-a", date(2026, 1, 1)),
        ("t2", "so-tu-phap", date(2026, 6, 30)),
    ]


async def test_a_new_date_for_a_period_replaces_the_old_one(
    store: OccurrenceStore, member: MemberRecord
) -> None:
    await ensure(store, [Deadline("t1", "ubnd-xa-a", DUE, Source.PLAN)], {DUE: NOW})
    occ = await _one(store)
    await store.record_progress(occ.id, member.id, "in_progress", 40, None, NOW)
    moved = Deadline("t1", "ubnd-xa-a", LATER, Source.ADMIN)
    result = await store.reconcile([moved], {("kh", "t1")}, {"2026"}, {LATER: NOW + timedelta(days=9)}, NOW)
    assert (result.added, result.changed, result.withdrawn) == (0, 1, 0)
    [again] = await store.for_agency("ubnd-xa-a")  # one deadline for the period, never two
    assert (again.id, again.due, again.source, again.status) == (occ.id, LATER, "admin", "in_progress")
    assert again.next_step_at == NOW + timedelta(days=9)
    assert await store.history(occ.id) != []


async def test_a_deadline_no_longer_planned_is_withdrawn_and_comes_back(
    store: OccurrenceStore, member: MemberRecord
) -> None:
    items = [Deadline("t1", "ubnd-xa-a", DUE, Source.PLAN), Deadline("t2", "ubnd-xa-a", DUE, Source.PLAN)]
    await ensure(store, items, {DUE: NOW})
    t1 = await _one(store)
    await store.record_progress(t1.id, member.id, "blocked", None, "chờ", NOW)
    # t1 is no longer wanted; t3 failed to plan (out of scope): its rows are left as they are.
    result = await store.reconcile([items[1]], {("kh", "t1"), ("kh", "t2")}, {"2026"}, {DUE: NOW}, NOW)
    assert (result.added, result.changed, result.withdrawn) == (0, 0, 1)
    assert [o.task_id for o in await store.for_agency("ubnd-xa-a")] == ["t2"]
    assert await store.get(t1.id) is None
    assert [o.task_id for o in await store.due_for_reminder(NOW, 10)] == ["t2"]
    # Planned again (the deadline set again): the same row, with its history.
    result = await store.reconcile(items, {("kh", "t1"), ("kh", "t2")}, {"2026"}, {DUE: NOW}, NOW)
    assert (result.added, result.changed, result.withdrawn) == (0, 1, 0)
    back = await store.get(t1.id)
    assert back is not None and back.status == "blocked" and len(await store.history(t1.id)) == 1


async def test_other_tasks_and_periods_are_left_alone(
    store: OccurrenceStore, agencies: list[AgencyRecord]
) -> None:
    past = Deadline("t1", "ubnd-xa-a", date(2024, 12, 14), Source.PLAN)
    other = Deadline("t9", "ubnd-xa-a", DUE, Source.PLAN)
    await ensure(store, [past, other], {past.due: None, DUE: None})
    result = await store.reconcile([], {("kh", "t1")}, {"2026", "2027"}, {}, NOW)
    assert result.withdrawn == 0
    assert {o.task_id for o in await store.for_agency("ubnd-xa-a")} == {"t1", "t9"}
