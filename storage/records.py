"""Plain values that the repositories return: never ORM objects, so callers need no session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    """An agency of the province plan as the bot knows it."""

    id: str
    name: str
    level: str
    is_group: bool = False
    active: bool = True


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
