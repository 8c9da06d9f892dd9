"""Read-only queries the dashboard needs beyond the stores the chat uses: deliveries and weekly activity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.models import MemberRow, OccurrenceRow, OutboxRow, ProgressUpdateRow
from storage.records import DeliveryRecord
from storage.repositories import Sessions

_DELIVERY_COLUMNS = (
    col(OutboxRow.kind),
    col(OutboxRow.platform),
    col(OutboxRow.chat_id),
    col(MemberRow.display_name),
    col(OutboxRow.status),
    col(OutboxRow.not_before),
    col(OutboxRow.sent_at),
    col(OutboxRow.attempts),
    col(OutboxRow.last_error),
    col(OutboxRow.occurrence_id),
)


def _deliveries() -> Any:
    # A chat can hold several members (a group chat): the first by id names it.
    other = aliased(MemberRow)
    first_member = (
        select(other.id)
        .where(other.platform == col(OutboxRow.platform), other.chat_id == col(OutboxRow.chat_id))
        .order_by(other.id)
        .limit(1)
        .correlate(OutboxRow)
        .scalar_subquery()
    )
    return select(*_DELIVERY_COLUMNS).outerjoin(MemberRow, col(MemberRow.id) == first_member)


class DashboardReads:
    """Queries over the outbox and the progress history, for the dashboard's pages."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def deliveries(self, occurrence_id: int) -> list[DeliveryRecord]:
        """Return every message queued about an occurrence, oldest first."""
        stmt = (_deliveries().where(col(OutboxRow.occurrence_id) == occurrence_id)
                .order_by(col(OutboxRow.not_before), col(OutboxRow.id)))
        return await self._list(stmt)

    async def latest_deliveries(self, occurrence_ids: Iterable[int]) -> dict[int, DeliveryRecord]:
        """Return the most recent message queued about each of these occurrences."""
        ids = sorted(set(occurrence_ids))
        latest: dict[int, DeliveryRecord] = {}
        for start in range(0, len(ids), 500):  # bounded IN lists
            stmt = (_deliveries().where(col(OutboxRow.occurrence_id).in_(ids[start:start + 500]))
                    .order_by(col(OutboxRow.not_before), col(OutboxRow.id)))
            for record in await self._list(stmt):
                assert record.occurrence_id is not None
                latest[record.occurrence_id] = record
        return latest

    async def latest_by_key_prefix(self, prefix: str) -> DeliveryRecord | None:
        """Return the most recent outbox message whose dedup key starts with prefix (an escalation's)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = (_deliveries().where(col(OutboxRow.dedup_key).like(escaped + "%", escape="\\"))
                .order_by(col(OutboxRow.not_before).desc(), col(OutboxRow.id).desc()).limit(1))
        found = await self._list(stmt)
        return found[0] if found else None

    async def progress_times(self, since: datetime) -> list[tuple[datetime, str]]:
        """Return (moment, agency id) of every progress report since a moment."""
        stmt = (
            select(col(ProgressUpdateRow.at), col(OccurrenceRow.agency_id))
            .join(OccurrenceRow, col(OccurrenceRow.id) == col(ProgressUpdateRow.occurrence_id))
            .where(col(ProgressUpdateRow.at) >= since)
        )
        async with self._sessions() as session:
            return [(at, agency_id) for at, agency_id in await session.execute(stmt)]

    async def _list(self, stmt: Any) -> list[DeliveryRecord]:
        async with self._sessions() as session:
            return [DeliveryRecord(*row) for row in await session.execute(stmt)]


__all__ = ["DashboardReads"]
