"""Plain values that the repositories return: never ORM objects, so callers need no session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    """An agency of a plan, or an imported commune, as the bot knows it."""

    id: str
    name: str
    level: str
    is_group: bool = False
    active: bool = True
    source: str = "plan"  # "plan" (a plan file) or "import" (tcpl agencies import)
    code: str | None = None  # official code of an imported administrative unit
    area_code: str | None = None  # its province's official code
    started_on: date | None = None
    ended_on: date | None = None


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A registered chat user and the agency they speak for."""

    id: int
    platform: str
    chat_id: str
    user_id: str
    display_name: str
    agency_id: str
    role: str
    joined_at: datetime
    blocked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class InviteRecord:
    """A one-time code that registers its holder for an agency."""

    code: str
    agency_id: str
    role: str
    created_by: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by_member_id: int | None = None


@dataclass(frozen=True, slots=True)
class OccurrenceRecord:
    """One deadline of one task of a plan for one agency in one period, with its latest progress."""

    id: int
    plan_id: str
    task_id: str
    agency_id: str
    period: str  # the year ("2026"), or "event" for a task that waits for an event
    due: date
    source: str
    status: str | None
    percent: int | None
    note: str | None
    updated_at: datetime | None
    updated_by: str | None
    next_step_at: datetime | None


@dataclass(frozen=True, slots=True)
class TaskDateRecord:
    """A deadline an administrator set for a period, or the day of the event a task waits for."""

    plan_id: str
    task_id: str
    period: str
    day: date


@dataclass(frozen=True, slots=True)
class Reconciled:
    """What a planning run changed: occurrences added, moved to a new date, withdrawn."""

    added: int
    changed: int
    withdrawn: int


@dataclass(frozen=True, slots=True)
class ProgressRecord:
    """One progress report on an occurrence, with the display name of the member who made it."""

    who: str
    status: str
    percent: int | None
    note: str | None
    at: datetime
    platform: str = ""  # where the report came from: telegram, zalo, console


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """A queued message as a dispatcher sends it or a report lists it."""

    id: int
    dedup_key: str
    platform: str
    chat_id: str
    payload: dict[str, Any]
    kind: str
    attempts: int
    occurrence_id: int | None
    status: str
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """What became of one message the bot sent on its own (a reminder, an escalation), and to whom."""

    kind: str
    platform: str
    chat_id: str
    who: str | None  # the member of that chat, when one is registered
    status: str  # pending, sending, sent or failed
    not_before: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    occurrence_id: int | None


@dataclass(frozen=True, slots=True)
class DeclinedQuestion:
    """A question the bot declined, grouped with its repeats."""

    question: str
    count: int
    last_asked: datetime
