"""Repositories for deadline tracking: occurrences and progress, task dates, the outbox, pending input."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, case, column, delete, func, or_, select, table, text, tuple_, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine
from sqlmodel import col

from storage.group_commit import GroupCommit
from storage.models import (
    MemberRow,
    OccurrenceRow,
    OutboxMessageRow,
    OutboxRow,
    PendingInputRow,
    ProgressUpdateRow,
    ShownChoicesRow,
    TaskDateRow,
    metadata,
)
from storage.records import OccurrenceRecord, OutboxRecord, ProgressRecord, Reconciled, TaskDateRecord
from storage.repositories import Sessions, _insert, _rowcount

log = logging.getLogger(__name__)

DONE = "done"
PROGRESS_STATUSES = frozenset({DONE, "in_progress", "blocked", "not_started"})

DEADLINE = "deadline"
EVENT = "event"  # the kind of a task date, and the period of an event's deadline

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
OUTBOX_STATUSES = (PENDING, SENDING, SENT, FAILED)

# Rows per INSERT batch: bounded memory, and each batch is its own short write transaction.
ENSURE_CHUNK = 5000

OCCURRENCE = metadata.tables["occurrence"]

# The occurrence columns as bare names: ensure() reads and writes values already in the stored form,
# which spares SQLAlchemy a type conversion per row (the difference between ~2 s and ~1 s for 70,000).
_OCCURRENCE_KEYS = table(
    "occurrence",
    column("id"),
    column("plan_id"),
    column("task_id"),
    column("agency_id"),
    column("period"),
    column("due"),
    column("source"),
    column("status"),
    column("next_step_at"),
    column("withdrawn_at"),
)


# The columns a planning run inserts, in the order of the raw INSERT statements below.
_INSERTED = ("plan_id", "task_id", "agency_id", "period", "due", "source", "next_step_at")
_SQLITE_INSERT = (
    f"INSERT INTO occurrence ({', '.join(_INSERTED)}) VALUES ({', '.join('?' * len(_INSERTED))}) "
    "ON CONFLICT (plan_id, task_id, agency_id, period) DO NOTHING"
)


class NewOccurrence(Protocol):
    """A deadline to track: what reconcile() needs of each item."""

    @property
    def plan_id(self) -> str: ...
    @property
    def task_id(self) -> str: ...
    @property
    def agency_id(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def due(self) -> date: ...
    @property
    def source(self) -> str: ...


def _stored_form(dialect: Dialect, type_: TypeEngine[Any]) -> Callable[[Any], Any]:
    """Return the type's bind conversion for this dialect, computed once per distinct value."""
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return lambda value: value
    # Thousands of deadlines share a few hundred dates and first-reminder moments.
    return lru_cache(maxsize=None)(process)


_OCCURRENCE_COLUMNS = (
    col(OccurrenceRow.id),
    col(OccurrenceRow.plan_id),
    col(OccurrenceRow.task_id),
    col(OccurrenceRow.agency_id),
    col(OccurrenceRow.period),
    col(OccurrenceRow.due),
    col(OccurrenceRow.source),
    col(OccurrenceRow.status),
    col(OccurrenceRow.percent),
    col(OccurrenceRow.note),
    col(OccurrenceRow.updated_at),
    col(OccurrenceRow.updated_by),
    col(OccurrenceRow.next_step_at),
)

_OUTBOX_COLUMNS = (
    col(OutboxRow.id),
    col(OutboxRow.dedup_key),
    col(OutboxRow.platform),
    col(OutboxRow.chat_id),
    col(OutboxRow.payload),
    col(OutboxRow.kind),
    col(OutboxRow.attempts),
    col(OutboxRow.occurrence_id),
    col(OutboxRow.status),
    col(OutboxRow.last_error),
)


def _occurrence(row: Any) -> OccurrenceRecord:
    # Columns are selected in the record's field order (_OCCURRENCE_COLUMNS): no ORM object per row.
    return OccurrenceRecord(*row)


def _outbox(row: Any) -> OutboxRecord:
    return OutboxRecord(*row[: len(_OUTBOX_COLUMNS)])


class OccurrenceStore:
    """Deadline occurrences (plan × task × agency × period), their latest progress and its history.

    Every read leaves out withdrawn occurrences.
    """

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def reconcile(self, items: Sequence[NewOccurrence], tasks: Collection[tuple[str, str]],
                        periods: Collection[str], first_step: dict[date, datetime | None],
                        now: datetime) -> Reconciled:
        """Make the stored occurrences of these tasks and periods exactly `items`.

        New ones are added, due for their first reminder at first_step[due]; one whose date or source
        changed takes the new date and starts its reminders again (unless done); one no longer
        wanted is withdrawn, and one wanted again comes back. Occurrences of other tasks (a task
        that failed to plan) or other periods (past years) are left as they are.
        """
        async with self._sessions() as session:
            dialect = session.get_bind().dialect
        stored_due = _stored_form(dialect, OCCURRENCE.c.due.type)
        stored_step = _stored_form(dialect, OCCURRENCE.c.next_step_at.type)
        wanted: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        for item in items:
            key = (item.plan_id, item.task_id, item.agency_id, item.period)
            wanted.setdefault(key, {
                "plan_id": item.plan_id, "task_id": item.task_id, "agency_id": item.agency_id,
                "period": item.period, "due": stored_due(item.due), "source": str(item.source),
                "next_step_at": stored_step(first_step[item.due]),
            })
        plan_ids = sorted({plan_id for plan_id, _ in tasks} | {k[0] for k in wanted})
        if not plan_ids or not periods:
            return Reconciled(0, 0, 0)
        k = _OCCURRENCE_KEYS.c
        existing = select(k.id, k.plan_id, k.task_id, k.agency_id, k.period, k.due, k.source, k.status,
                          k.withdrawn_at).where(k.plan_id.in_(plan_ids), k.period.in_(list(periods)))
        changed: list[dict[str, Any]] = []
        withdrawn: list[int] = []
        scope = set(tasks)
        # Reading first keeps a repeated run (the usual case) off the write lock: SQLite has only one.
        async with self._sessions() as session:
            # Plain tuples: a Row compared with a tuple key is several times slower.
            for row_id, plan_id, task_id, agency_id, period, due, source, status, gone in (
                    await session.execute(existing)):
                want = wanted.pop((plan_id, task_id, agency_id, period), None)
                if want is None:
                    if gone is None and (plan_id, task_id) in scope:
                        withdrawn.append(row_id)
                elif gone is not None or due != want["due"] or source != want["source"]:
                    changed.append({"row_id": row_id, "new_due": want["due"], "new_source": want["source"],
                                    "new_step": None if status == DONE else want["next_step_at"]})
        missing = list(wanted.values())
        inserted = await self._insert(dialect, missing)
        if changed or withdrawn:
            async with self._sessions() as session, session.begin():
                if changed:
                    await session.execute(
                        update(_OCCURRENCE_KEYS)
                        .where(k.id == bindparam("row_id"))
                        .values(due=bindparam("new_due"), source=bindparam("new_source"),
                                next_step_at=bindparam("new_step"), withdrawn_at=None),
                        changed,
                    )
                for start in range(0, len(withdrawn), ENSURE_CHUNK):
                    await session.execute(
                        update(OccurrenceRow)
                        .where(col(OccurrenceRow.id).in_(withdrawn[start:start + ENSURE_CHUNK]))
                        .values(withdrawn_at=now, next_step_at=None)
                    )
        return Reconciled(inserted, len(changed), len(withdrawn))

    async def _insert(self, dialect: Dialect, missing: list[dict[str, Any]]) -> int:
        inserted = 0
        for start in range(0, len(missing), ENSURE_CHUNK):
            batch = missing[start : start + ENSURE_CHUNK]
            # Commit per batch: other writers get a turn, and a cut-short run is completed by the next one.
            async with self._sessions() as session, session.begin():
                if dialect.name == "postgresql":
                    inserted += await self._insert_unnest(session, batch)
                    continue
                # A concurrent run may have added some since the read; DO NOTHING skips those. The rows go
                # to the driver as plain tuples: SQLAlchemy's per-row parameter handling cost a third of
                # the time. SQLite counts the rows of an executemany.
                connection = await session.connection()
                result = await connection.exec_driver_sql(_SQLITE_INSERT, [
                    tuple(row[name] for name in _INSERTED) for row in batch])
                inserted += _rowcount(result)
        return inserted

    @staticmethod
    async def _insert_unnest(session: AsyncSession, batch: list[dict[str, Any]]) -> int:
        # On PostgreSQL one INSERT … SELECT FROM unnest(arrays) takes the whole batch: an executemany
        # through asyncpg sends a statement per row (and does not count them), several times slower.
        stmt = text(
            "INSERT INTO occurrence (plan_id, task_id, agency_id, period, due, source, next_step_at) "
            "SELECT * FROM unnest(CAST(:plan_id AS text[]), CAST(:task_id AS text[]), "
            "CAST(:agency_id AS text[]), CAST(:period AS text[]), CAST(:due AS date[]), "
            "CAST(:source AS text[]), CAST(:next_step_at AS timestamptz[])) "
            "ON CONFLICT (plan_id, task_id, agency_id, period) DO NOTHING"
        )
        arrays = {name: [row[name] for row in batch] for name in _INSERTED}
        # Planned rows are derived data: a crash that loses the last commits loses nothing the next
        # planning run does not derive again, so this transaction need not wait for the disk.
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        return _rowcount(await session.execute(stmt, arrays))

    async def due_for_reminder(self, now: datetime, limit: int) -> list[OccurrenceRecord]:
        """Return the occurrences whose next reminder moment has come and that are not done."""
        stmt = (
            select(*_OCCURRENCE_COLUMNS)
            .where(
                col(OccurrenceRow.next_step_at) <= now,
                col(OccurrenceRow.status).is_distinct_from(DONE),
                col(OccurrenceRow.withdrawn_at).is_(None),
            )
            .order_by(col(OccurrenceRow.next_step_at), col(OccurrenceRow.id))
            .limit(limit)
        )
        return await self._list(stmt)

    async def advance(self, occurrence_id: int, next_step_at: datetime | None) -> None:
        """Set the moment of the next reminder; None means nothing more is to be sent."""
        stmt = (
            update(OccurrenceRow)
            .where(col(OccurrenceRow.id) == occurrence_id)
            .values(next_step_at=next_step_at)
        )
        async with self._sessions() as session, session.begin():
            await session.execute(stmt)

    async def get(self, occurrence_id: int) -> OccurrenceRecord | None:
        """Return the occurrence with this id, unless it was withdrawn."""
        stmt = select(*_OCCURRENCE_COLUMNS).where(col(OccurrenceRow.id) == occurrence_id,
                                                  col(OccurrenceRow.withdrawn_at).is_(None))
        async with self._sessions() as session:
            row = (await session.execute(stmt)).first()
            return _occurrence(row) if row else None

    async def for_agency(self, agency_id: str) -> list[OccurrenceRecord]:
        """Return one agency's occurrences ordered by due date and task."""
        return await self._list(self._ordered().where(col(OccurrenceRow.agency_id) == agency_id))

    async def for_year(self, year: int, plan_id: str | None = None,
                       task_id: str | None = None) -> list[OccurrenceRecord]:
        """Return the occurrences due within a calendar year: of every plan, or of one plan or task."""
        stmt = self._ordered().where(col(OccurrenceRow.due).between(date(year, 1, 1), date(year, 12, 31)))
        if plan_id is not None:
            stmt = stmt.where(col(OccurrenceRow.plan_id) == plan_id)
        if task_id is not None:
            stmt = stmt.where(col(OccurrenceRow.task_id) == task_id)
        return await self._list(stmt)

    async def in_window(self, start: date, end: date) -> list[OccurrenceRecord]:
        """Return the occurrences due from start to end, both days included."""
        return await self._list(self._ordered().where(col(OccurrenceRow.due).between(start, end)))

    async def record_progress(
        self,
        occurrence_id: int,
        member_id: int,
        status: str,
        percent: int | None,
        note: str | None,
        at: datetime,
        key: str | None = None,
    ) -> None:
        """Keep the update in the history and make it the occurrence's latest; "done" ends reminders.

        `key` names the platform update that carried the report: the same key again (the update
        handled again after a crash) records nothing.
        """
        if status not in PROGRESS_STATUSES:
            raise ValueError(f"unknown progress status {status!r}")
        latest: dict[str, Any] = {"status": status, "percent": percent, "note": note, "updated_at": at}
        if status == DONE:
            latest["next_step_at"] = None
        # A later status other than done leaves next_step_at alone: only the reminder policy can
        # say when reminders would resume, and it does so through advance().
        async with self._sessions() as session, session.begin():
            who = await session.scalar(
                select(col(MemberRow.display_name)).where(col(MemberRow.id) == member_id)
            )
            if who is None:
                raise LookupError(f"no member with id {member_id}")
            if key is not None and await session.scalar(
                    select(col(ProgressUpdateRow.id)).where(col(ProgressUpdateRow.update_key) == key)):
                log.info("progress of update %s was recorded before", key)
                return
            result = await session.execute(
                update(OccurrenceRow)
                .where(col(OccurrenceRow.id) == occurrence_id)
                .values(**latest, updated_by=who)
            )
            if _rowcount(result) != 1:
                raise LookupError(f"no occurrence with id {occurrence_id}")
            session.add(ProgressUpdateRow(occurrence_id=occurrence_id, member_id=member_id, status=status,
                                          percent=percent, note=note, at=at, update_key=key))

    async def history(self, occurrence_id: int) -> list[ProgressRecord]:
        """Return every progress update of an occurrence, oldest first."""
        stmt = (
            select(
                col(MemberRow.display_name),
                col(ProgressUpdateRow.status),
                col(ProgressUpdateRow.percent),
                col(ProgressUpdateRow.note),
                col(ProgressUpdateRow.at),
                col(MemberRow.platform),
            )
            # Outer: a report whose author deleted their data (/xoadulieu) stays, without a name.
            .outerjoin(MemberRow, col(MemberRow.id) == col(ProgressUpdateRow.member_id))
            .where(col(ProgressUpdateRow.occurrence_id) == occurrence_id)
            .order_by(col(ProgressUpdateRow.at), col(ProgressUpdateRow.id))
        )
        async with self._sessions() as session:
            return [ProgressRecord(who or "", status, percent, note, at, platform or "")
                    for who, status, percent, note, at, platform in await session.execute(stmt)]

    @staticmethod
    def _ordered() -> Any:
        return select(*_OCCURRENCE_COLUMNS).where(col(OccurrenceRow.withdrawn_at).is_(None)).order_by(
            col(OccurrenceRow.due), col(OccurrenceRow.plan_id), col(OccurrenceRow.task_id),
            col(OccurrenceRow.agency_id)
        )

    async def _list(self, stmt: Any) -> list[OccurrenceRecord]:
        async with self._sessions() as session:
            return [_occurrence(row) for row in await session.execute(stmt)]


class TaskDateStore:
    """Deadlines set by administrators (one per task and period) and events (one per task)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def set_deadline(self, plan_id: str, task_id: str, due: date, by: str,
                           at: datetime) -> date | None:
        """Set the deadline of the due date's period (its year), replacing one set before; return that."""
        return await self._put(DEADLINE, plan_id, task_id, str(due.year), due, by, at)

    async def record_event(self, plan_id: str, task_id: str, happened_on: date, by: str,
                           at: datetime) -> date | None:
        """Record the day of the event a task waits for, replacing one recorded before; return that."""
        return await self._put(EVENT, plan_id, task_id, EVENT, happened_on, by, at)

    async def clear_deadline(self, plan_id: str, task_id: str, period: str | None = None) -> list[date]:
        """Remove the administrator's deadlines of a task (of one period, or all); return their days."""
        return await self._clear(DEADLINE, plan_id, task_id, period)

    async def clear_event(self, plan_id: str, task_id: str) -> list[date]:
        """Remove the recorded event of a task; return its day (an empty list if there was none)."""
        return await self._clear(EVENT, plan_id, task_id, EVENT)

    async def deadlines(self) -> list[TaskDateRecord]:
        """Return every administrator's deadline."""
        return await self._days(DEADLINE)

    async def events(self) -> list[TaskDateRecord]:
        """Return every recorded event."""
        return await self._days(EVENT)

    async def _put(self, kind: str, plan_id: str, task_id: str, period: str, day: date, by: str,
                   at: datetime) -> date | None:
        key = (col(TaskDateRow.plan_id) == plan_id, col(TaskDateRow.task_id) == task_id,
               col(TaskDateRow.kind) == kind, col(TaskDateRow.period) == period)
        async with self._sessions() as session, session.begin():
            before = await session.scalar(select(col(TaskDateRow.day)).where(*key))
            stmt = _insert(session, TaskDateRow).values(
                plan_id=plan_id, task_id=task_id, kind=kind, period=period, day=day, set_by=by, set_at=at
            )
            await session.execute(stmt.on_conflict_do_update(
                index_elements=[col(TaskDateRow.plan_id), col(TaskDateRow.task_id), col(TaskDateRow.kind),
                                col(TaskDateRow.period)],
                set_={"day": stmt.excluded.day, "set_by": stmt.excluded.set_by,
                      "set_at": stmt.excluded.set_at},
            ))
            return before

    async def _clear(self, kind: str, plan_id: str, task_id: str, period: str | None) -> list[date]:
        stmt = delete(TaskDateRow).where(col(TaskDateRow.plan_id) == plan_id,
                                         col(TaskDateRow.task_id) == task_id, col(TaskDateRow.kind) == kind)
        if period is not None:
            stmt = stmt.where(col(TaskDateRow.period) == period)
        async with self._sessions() as session, session.begin():
            result = await session.execute(stmt.returning(col(TaskDateRow.day)))
            return sorted(result.scalars())

    async def _days(self, kind: str) -> list[TaskDateRecord]:
        stmt = (
            select(col(TaskDateRow.plan_id), col(TaskDateRow.task_id), col(TaskDateRow.period),
                   col(TaskDateRow.day))
            .where(col(TaskDateRow.kind) == kind)
            .order_by(col(TaskDateRow.plan_id), col(TaskDateRow.task_id), col(TaskDateRow.day))
        )
        async with self._sessions() as session:
            return [TaskDateRecord(*row) for row in await session.execute(stmt)]


class OutboxStore:
    """Messages the bot sends on its own, queued for any number of dispatchers.

    A row moves pending → sending (claimed, under a lease) → sent or failed, or back to pending when
    rescheduled. A claimed row whose lease runs out (its worker died) is claimed again, so delivery is
    at least once. The outcome of a send (mark_sent, reschedule, mark_failed) applies only to a row
    still in 'sending': the first outcome reported wins, and a late report from a worker that outlived
    its lease can never turn a sent row back into pending or failed. mark_sent always records the
    message ids, because those messages did reach the chat and a reply to them must find its occurrence.
    """

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def enqueue(
        self,
        *,
        dedup_key: str,
        platform: str,
        chat_id: str,
        payload: dict[str, object],
        not_before: datetime,
        kind: str,
        occurrence_id: int | None,
    ) -> bool:
        """Queue a message; return False if one with this dedup key was queued before."""
        async with self._sessions() as session, session.begin():
            stmt = _insert(session, OutboxRow).values(
                dedup_key=dedup_key,
                platform=platform,
                chat_id=chat_id,
                payload=payload,
                kind=kind,
                occurrence_id=occurrence_id,
                status=PENDING,
                not_before=not_before,
                attempts=0,
            )
            result = await session.execute(
                stmt.on_conflict_do_nothing(index_elements=[col(OutboxRow.dedup_key)])
            )
            return _rowcount(result) == 1

    async def claim(self, now: datetime, limit: int, lease: timedelta, worker: str) -> list[OutboxRecord]:
        """Take up to `limit` due rows for this worker until now + lease, oldest first."""
        if limit <= 0:
            return []
        abandoned = and_(col(OutboxRow.status) == SENDING, col(OutboxRow.lease_until) < now)
        due = or_(and_(col(OutboxRow.status) == PENDING, col(OutboxRow.not_before) <= now), abandoned)
        picked = (
            select(col(OutboxRow.id))
            .where(due)
            .order_by(col(OutboxRow.not_before), col(OutboxRow.id))
            .limit(limit)
        )
        async with self._sessions() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                # Concurrent claimers pass over each other's locked rows instead of waiting or doubling up.
                picked = picked.with_for_update(skip_locked=True)
            # On SQLite every transaction begins IMMEDIATE (storage.db): a second claimer waits for the
            # write lock (busy_timeout) and then finds these rows already 'sending'.
            stmt = (
                update(OutboxRow)
                .where(col(OutboxRow.id).in_(picked.scalar_subquery()))
                .values(
                    status=SENDING,
                    lease_until=now + lease,
                    claimed_by=worker,
                    # A lapsed lease means a try whose outcome nobody recorded: it counts as an attempt.
                    attempts=col(OutboxRow.attempts) + case((col(OutboxRow.status) == SENDING, 1), else_=0),
                )
                .returning(*_OUTBOX_COLUMNS, col(OutboxRow.not_before))
                .execution_options(synchronize_session=False)
            )
            rows = (await session.execute(stmt)).all()
        # RETURNING keeps no order; the dispatcher should see the oldest first.
        return [_outbox(row) for row in sorted(rows, key=lambda row: (row.not_before, row.id))]

    async def mark_sent(self, row_id: int, message_ids: Sequence[str], now: datetime) -> None:
        """Record a delivered row and the platform messages it became."""
        async with self._sessions() as session, session.begin():
            target = (
                await session.execute(
                    select(
                        col(OutboxRow.platform), col(OutboxRow.chat_id), col(OutboxRow.occurrence_id)
                    ).where(col(OutboxRow.id) == row_id)
                )
            ).first()
            if target is None:
                raise LookupError(f"no outbox row with id {row_id}")
            result = await session.execute(
                self._settle(row_id).values(status=SENT, sent_at=now, lease_until=None)
            )
            self._note_stale(result, row_id, SENT)
            if message_ids:
                links = [
                    {
                        "platform": target.platform,
                        "chat_id": target.chat_id,
                        "message_id": str(message_id),
                        "outbox_id": row_id,
                        "occurrence_id": target.occurrence_id,
                    }
                    for message_id in message_ids
                ]
                await session.execute(_insert(session, OutboxMessageRow).on_conflict_do_nothing(), links)

    async def reschedule(
        self, row_id: int, not_before: datetime, error: str | None, count_attempt: bool
    ) -> None:
        """Put a claimed row back in the queue for not_before; an error, if given, is kept as the last."""
        values: dict[str, Any] = {
            "status": PENDING,
            "not_before": not_before,
            "lease_until": None,
            "claimed_by": None,
        }
        # A deferral (office hours, a chat's rate) passes no error: the last real error stays readable.
        if error is not None:
            values["last_error"] = error
        if count_attempt:
            values["attempts"] = col(OutboxRow.attempts) + 1
        async with self._sessions() as session, session.begin():
            self._note_stale(await session.execute(self._settle(row_id).values(**values)), row_id, PENDING)

    async def mark_failed(self, row_id: int, error: str, now: datetime) -> None:
        """Give up on a claimed row and keep the reason."""
        # The table keeps no failure time: `now` is part of the dispatcher's protocol only.
        del now
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                self._settle(row_id).values(status=FAILED, last_error=error, lease_until=None)
            )
            self._note_stale(result, row_id, FAILED)

    async def occurrence_of_message(self, platform: str, chat_id: str, message_id: str) -> int | None:
        """Return the occurrence a sent message was about, if any."""
        stmt = select(col(OutboxMessageRow.occurrence_id)).where(
            col(OutboxMessageRow.platform) == platform,
            col(OutboxMessageRow.chat_id) == chat_id,
            col(OutboxMessageRow.message_id) == message_id,
        )
        async with self._sessions() as session:
            return await session.scalar(stmt)

    async def counts(self) -> dict[str, int]:
        """Return how many rows are in each status, zero included."""
        stmt = select(col(OutboxRow.status), func.count()).group_by(col(OutboxRow.status))
        async with self._sessions() as session:
            found = {status: int(n) for status, n in await session.execute(stmt)}
        return {**dict.fromkeys(OUTBOX_STATUSES, 0), **found}

    async def failed_rows(self, limit: int = 50) -> list[OutboxRecord]:
        """Return the failed rows, most recently queued first."""
        stmt = (
            select(*_OUTBOX_COLUMNS)
            .where(col(OutboxRow.status) == FAILED)
            .order_by(col(OutboxRow.id).desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            return [_outbox(row) for row in await session.execute(stmt)]

    @staticmethod
    def _settle(row_id: int) -> Any:
        return update(OutboxRow).where(col(OutboxRow.id) == row_id, col(OutboxRow.status) == SENDING)

    @staticmethod
    def _note_stale(result: Any, row_id: int, outcome: str) -> None:
        if _rowcount(result) != 1:
            log.info("outbox row %s was no longer being sent; %s not recorded", row_id, outcome)


class PendingInputStore:
    """What the bot asked a user to type next, one question per user."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        # Every free-text message asks; batching keeps a burst of questions from queueing on it.
        self._takes = GroupCommit(sessions, self._take_all)

    async def expect(self, platform: str, user_id: str, what: str, until: datetime) -> None:
        """Remember what the user's next text answers, replacing an earlier question."""
        async with self._sessions() as session, session.begin():
            stmt = _insert(session, PendingInputRow).values(
                platform=platform, user_id=user_id, what=what, until=until
            )
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[col(PendingInputRow.platform), col(PendingInputRow.user_id)],
                    set_={"what": stmt.excluded.what, "until": stmt.excluded.until, "taken_by": None},
                )
            )

    async def take(self, platform: str, user_id: str, now: datetime, key: str | None = None) -> str | None:
        """Take what the user was asked and return it, or None if nothing, an expired or a taken question.

        `key` names the update that takes it: the same update handled again after a crash takes it
        again, any other update finds it taken.
        """
        return await self._takes.submit((platform, user_id, now, key or f"once:{secrets.token_hex(8)}"))

    @staticmethod
    async def _take_all(session: AsyncSession, requests: Sequence[tuple[str, str, datetime, str]],
                        ) -> list[str | None]:
        keys = list({(p, u) for p, u, _, _ in requests})
        # One SELECT for the whole round; almost always nobody in it was asked anything.
        found = {(row.platform, row.user_id): row for row in await session.execute(
            select(col(PendingInputRow.platform), col(PendingInputRow.user_id), col(PendingInputRow.what),
                   col(PendingInputRow.until), col(PendingInputRow.taken_by))
            .where(tuple_(col(PendingInputRow.platform), col(PendingInputRow.user_id)).in_(keys)))}
        takers: dict[tuple[str, str], str] = {}
        out: list[str | None] = []
        for p, u, now, key in requests:
            row = found.get((p, u))
            if row is not None and row.taken_by is None and row.until <= now:
                await session.execute(delete(PendingInputRow).where(  # expired: forgotten
                    col(PendingInputRow.platform) == p, col(PendingInputRow.user_id) == u,
                    col(PendingInputRow.taken_by).is_(None)))
                found.pop((p, u))
                row = None
            if row is None:
                out.append(None)
                continue
            taker = takers.get((p, u)) or row.taken_by
            if taker is None:
                # Of two messages arriving together, only the first gets the question; the
                # conditional UPDATE decides between instances as well.
                claimed = await session.execute(
                    update(PendingInputRow)
                    .where(col(PendingInputRow.platform) == p, col(PendingInputRow.user_id) == u,
                           col(PendingInputRow.taken_by).is_(None))
                    .values(taken_by=key)
                )
                taker = key if _rowcount(claimed) == 1 else ""
                takers[(p, u)] = taker
            out.append(str(row.what) if taker == key else None)
        return out


class ShownChoicesStore:
    """The numbered choices last shown in each chat, kept where every instance can read them."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def remember(self, platform: str, chat_id: str, choices: Sequence[tuple[str, str]],
                       at: datetime) -> None:
        """Keep these (label, data) choices as the chat's current ones, replacing earlier ones."""
        async with self._sessions() as session, session.begin():
            stmt = _insert(session, ShownChoicesRow).values(
                platform=platform, chat_id=chat_id, choices=[list(c) for c in choices], shown_at=at
            )
            await session.execute(stmt.on_conflict_do_update(
                index_elements=[col(ShownChoicesRow.platform), col(ShownChoicesRow.chat_id)],
                set_={"choices": stmt.excluded.choices, "shown_at": stmt.excluded.shown_at},
            ))

    async def recall(self, platform: str, chat_id: str) -> list[tuple[str, str]]:
        """Return the chat's current (label, data) choices, or none."""
        stmt = select(col(ShownChoicesRow.choices)).where(
            col(ShownChoicesRow.platform) == platform, col(ShownChoicesRow.chat_id) == chat_id
        )
        async with self._sessions() as session:
            stored = await session.scalar(stmt)
        return [(str(label), str(data)) for label, data in stored or []]


__all__ = ["OccurrenceStore", "OutboxStore", "PendingInputStore", "ShownChoicesStore", "TaskDateStore"]
