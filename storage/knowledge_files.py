"""The Department's knowledge files in the database, so every instance serves the same ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import col

from storage.models import KnowledgeFileRow, KnowledgeRevisionRow
from storage.repositories import Sessions, _insert


@dataclass(frozen=True, slots=True)
class KnowledgeFileRecord:
    key: str
    content: str | None  # None: the file was removed
    revision: int
    updated_at: datetime
    updated_by: str | None


class KnowledgeFileStore:
    """Publish changed files with a new revision; hand each instance the changes it has not seen."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def publish(self, files: Mapping[str, str | None], by: str | None, at: datetime) -> int:
        """Store these files (None = removed) under the next revision, in one transaction; return it."""
        async with self._sessions() as session, session.begin():
            # One counter row: its update is serialised by the database, so revisions never repeat.
            revision = await session.scalar(
                update(KnowledgeRevisionRow).where(col(KnowledgeRevisionRow.id) == 1)
                .values(revision=col(KnowledgeRevisionRow.revision) + 1)
                .returning(col(KnowledgeRevisionRow.revision))
            )
            assert revision is not None, "migration 0006 creates the revision row"
            for key, content in files.items():
                stmt = _insert(session, KnowledgeFileRow).values(
                    key=key, content=content, revision=revision, updated_at=at, updated_by=by)
                await session.execute(stmt.on_conflict_do_update(
                    index_elements=[col(KnowledgeFileRow.key)],
                    set_={"content": stmt.excluded.content, "revision": stmt.excluded.revision,
                          "updated_at": stmt.excluded.updated_at, "updated_by": stmt.excluded.updated_by},
                ))
            return int(revision)

    async def revision(self) -> int:
        """Return the latest revision (0 before any change)."""
        async with self._sessions() as session:
            value = await session.scalar(select(col(KnowledgeRevisionRow.revision))
                                         .where(col(KnowledgeRevisionRow.id) == 1))
            return int(value or 0)

    async def since(self, revision: int) -> Sequence[KnowledgeFileRecord]:
        """Return the files changed after a revision, oldest change first."""
        async with self._sessions() as session:
            rows = await session.scalars(select(KnowledgeFileRow)
                                         .where(col(KnowledgeFileRow.revision) > revision)
                                         .order_by(col(KnowledgeFileRow.revision)))
            return [KnowledgeFileRecord(r.key, r.content, r.revision, r.updated_at, r.updated_by)
                    for r in rows]
