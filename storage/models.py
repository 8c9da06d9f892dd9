"""SQLModel tables of the bot's database; every timestamp is stored and returned as aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Named constraints let later migrations drop or alter them, also in SQLite batch mode.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC and hand them back aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # A naive datetime is a bug at the caller: guessing its zone would corrupt data silently.
            raise ValueError(f"naive datetime {value!r}: pass an aware (UTC) datetime")
        value = value.astimezone(UTC)
        # SQLite keeps text without an offset; storing UTC wall time keeps comparisons correct.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StorageModel(SQLModel, registry=registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))):
    """Base of the bot's tables, with its own metadata so nothing else shares it."""


AGENCY_FROM_PLAN = "plan"
AGENCY_IMPORTED = "import"


class AgencyRow(StorageModel, table=True):
    """An agency of a plan or an imported commune; removed ones turn inactive so members keep their link."""

    __tablename__ = "agency"

    id: str = Field(primary_key=True)
    name: str
    level: str
    is_group: bool = False
    active: bool = True
    # "plan": synced from the plan files at start; "import": added by `tcpl agencies import`.
    source: str = Field(default=AGENCY_FROM_PLAN, sa_column_kwargs={"server_default": AGENCY_FROM_PLAN})
    code: str | None = None  # the official code of an imported administrative unit
    area_code: str | None = None  # its province's official code
    started_on: date | None = None
    ended_on: date | None = None


class MemberRow(StorageModel, table=True):
    """A chat user registered for an agency."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    chat_id: str
    user_id: str
    display_name: str
    agency_id: str = Field(foreign_key="agency.id", index=True)
    role: str = "member"
    joined_at: datetime = Field(sa_type=UTCDateTime)
    blocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InviteRow(StorageModel, table=True):
    """A one-time registration code for an agency."""

    __tablename__ = "invite_code"

    code: str = Field(primary_key=True)
    agency_id: str = Field(foreign_key="agency.id")
    role: str = "member"
    created_by: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by_member_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("member.id", ondelete="SET NULL"), nullable=True)
    )


class InboxRow(StorageModel, table=True):
    """A platform update, stored before the platform is told it arrived, until it has been handled.

    The key (platform, update id) also de-duplicates: a redelivered update finds its row. A row
    not yet handled belongs to the worker that received or claimed it until lease_until; after that
    (the worker died) another one claims it.
    """

    __tablename__ = "inbox"

    platform: str = Field(primary_key=True)
    update_id: str = Field(primary_key=True)
    payload: dict[str, Any] | None = Field(default=None, sa_type=JSON)  # None: received before 0004
    received_at: datetime = Field(sa_type=UTCDateTime)
    # NULL until handled: the claim scan and the pruning both go through this index.
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    claimed_by: str | None = None
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0


class QuestionLogRow(StorageModel, table=True):
    """A question asked of the handbook and whether it was answered."""

    __tablename__ = "question_log"

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    user_id: str | None = None
    question: str = Field(sa_type=Text)
    found: bool
    entry_id: str | None = None
    score: float
    asked_at: datetime = Field(sa_type=UTCDateTime, index=True)


# Stamped by the database: the rows that carry it are written by calls that take no clock.
WRITTEN_AT = {"server_default": text("CURRENT_TIMESTAMP")}


class OccurrenceRow(StorageModel, table=True):
    """One deadline of one task of a plan for one agency in one period (the year, or the event).

    The period, not the date, identifies it: a new date for the same period replaces the old one,
    so a deadline can never double. A row no longer wanted (a deadline removed, a plan ended) is
    withdrawn, not deleted: its progress history stays, and it comes back if the deadline does.
    """

    __tablename__ = "occurrence"
    __table_args__ = (UniqueConstraint("plan_id", "task_id", "agency_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str
    task_id: str
    agency_id: str = Field(foreign_key="agency.id", index=True)
    period: str
    due: date = Field(index=True)
    source: str
    status: str | None = None
    percent: int | None = None
    note: str | None = Field(default=None, sa_type=Text)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_by: str | None = None
    # NULL once nothing more is to be sent, so the reminder scan skips finished rows through the index.
    next_step_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime, sa_column_kwargs=WRITTEN_AT)


class ProgressUpdateRow(StorageModel, table=True):
    """One progress report on an occurrence; every report is kept as its history."""

    __tablename__ = "progress_update"

    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="occurrence.id", index=True)
    # NULL once its author deleted their data (/xoadulieu): the agency's report stays, nameless.
    member_id: int | None = Field(default=None, foreign_key="member.id")
    status: str
    percent: int | None = None
    note: str | None = Field(default=None, sa_type=Text)
    at: datetime = Field(sa_type=UTCDateTime)
    # The update that carried the report: handling it again after a crash records nothing twice.
    update_key: str | None = Field(default=None, unique=True)


class TaskDateRow(StorageModel, table=True):
    """A deadline an administrator set for a period, or the day the event a task waits for happened.

    One row per task and period: setting a date again replaces it.
    """

    __tablename__ = "task_date"
    __table_args__ = (UniqueConstraint("plan_id", "task_id", "kind", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str
    task_id: str
    kind: str  # "deadline" or "event"
    period: str  # the year of a deadline; "event" for an event
    day: date
    set_by: str
    set_at: datetime = Field(sa_type=UTCDateTime)


class OutboxRow(StorageModel, table=True):
    """A message the bot sends on its own, queued until a dispatcher delivers it."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedup_key"),
        # The claim query filters on status and orders by not_before.
        Index("ix_outbox_status_not_before", "status", "not_before"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str
    platform: str
    chat_id: str
    payload: dict[str, Any] = Field(sa_type=JSON)
    kind: str
    occurrence_id: int | None = Field(default=None, foreign_key="occurrence.id")
    status: str = "pending"  # pending, sending, sent or failed
    not_before: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = None
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime, sa_column_kwargs=WRITTEN_AT)


class OutboxMessageRow(StorageModel, table=True):
    """A platform message that an outbox row produced, so a reply to it finds its occurrence."""

    __tablename__ = "outbox_message"

    platform: str = Field(primary_key=True)
    chat_id: str = Field(primary_key=True)
    message_id: str = Field(primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id")
    occurrence_id: int | None = Field(default=None, foreign_key="occurrence.id")


class PendingInputRow(StorageModel, table=True):
    """What the bot asked a user to type next, until a deadline."""

    __tablename__ = "pending_input"

    platform: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)
    what: str
    until: datetime = Field(sa_type=UTCDateTime)
    # The update that took the question: handled again after a crash, it takes it again.
    taken_by: str | None = None


class ShownChoicesRow(StorageModel, table=True):
    """The numbered choices last shown in a chat (Zalo has no buttons), so any instance reads "2"."""

    __tablename__ = "shown_choices"

    platform: str = Field(primary_key=True)
    chat_id: str = Field(primary_key=True)
    choices: list[list[str]] = Field(sa_type=JSON)  # [[label, data], ...]
    shown_at: datetime = Field(sa_type=UTCDateTime)


class LoginTokenRow(StorageModel, table=True):
    """A one-time link into the dashboard; only its hash is kept, so a database copy opens nothing."""

    __tablename__ = "web_login_token"

    token_hash: str = Field(primary_key=True)
    # NULL: made by `tcpl web link` for whoever runs the server, not for a registered official.
    member_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("member.id", ondelete="CASCADE"), nullable=True)
    )
    created_by: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSessionRow(StorageModel, table=True):
    """A signed-in browser of the dashboard; kept in the database so every instance knows it."""

    __tablename__ = "web_session"

    token_hash: str = Field(primary_key=True)
    member_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("member.id", ondelete="CASCADE"), nullable=True)
    )
    csrf_token: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class LoginAttemptRow(StorageModel, table=True):
    """One use of a login link, good or bad: the log that rate limiting counts."""

    __tablename__ = "web_login_attempt"
    __table_args__ = (Index("ix_web_login_attempt_client_at", "client", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    client: str
    outcome: str
    member_id: int | None = None  # no foreign key: the log outlives the member
    at: datetime = Field(sa_type=UTCDateTime, index=True)


class KnowledgeFileRow(StorageModel, table=True):
    """A file of the Department's knowledge (a loaded document, its handbook), shared by every instance.

    `content` None is a removal that instances must still hear about. `revision` orders the changes.
    """

    __tablename__ = "knowledge_file"

    key: str = Field(primary_key=True)  # "department" or "document:<file name>"
    content: str | None = Field(default=None, sa_type=Text)
    revision: int = Field(index=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by: str | None = None


class KnowledgeRevisionRow(StorageModel, table=True):
    """One row counting the changes to the knowledge files: instances compare it with what they loaded."""

    __tablename__ = "knowledge_revision"

    id: int = Field(primary_key=True)
    revision: int = 0


metadata = StorageModel.metadata

__all__ = [
    "AgencyRow",
    "InboxRow",
    "InviteRow",
    "KnowledgeFileRow",
    "KnowledgeRevisionRow",
    "LoginAttemptRow",
    "LoginTokenRow",
    "MemberRow",
    "OccurrenceRow",
    "OutboxMessageRow",
    "OutboxRow",
    "PendingInputRow",
    "ProgressUpdateRow",
    "QuestionLogRow",
    "ShownChoicesRow",
    "TaskDateRow",
    "UTCDateTime",
    "WebSessionRow",
    "metadata",
]
