"""SQLModel tables of the bot's database; every timestamp is stored and returned as aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Dialect, ForeignKey, MetaData, Text, UniqueConstraint
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


class AgencyRow(StorageModel, table=True):
    """An agency of the plan; removed agencies turn inactive so members and invites keep their link."""

    __tablename__ = "agency"

    id: str = Field(primary_key=True)
    name: str
    level: str
    is_group: bool = False
    active: bool = True


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


class ProcessedUpdateRow(StorageModel, table=True):
    """A platform update already handled, so a redelivery is ignored."""

    __tablename__ = "processed_update"

    platform: str = Field(primary_key=True)
    update_id: str = Field(primary_key=True)
    processed_at: datetime = Field(sa_type=UTCDateTime, index=True)


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


metadata = StorageModel.metadata

__all__ = [
    "AgencyRow",
    "InviteRow",
    "MemberRow",
    "ProcessedUpdateRow",
    "QuestionLogRow",
    "UTCDateTime",
    "metadata",
]
