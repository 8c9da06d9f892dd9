"""What the handlers need from the outside world, as small protocols the composition root fills."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol


class Clock(Protocol):
    """The current time; injected so tests can move it without sleeping."""

    def now(self) -> dt.datetime:
        """Return the current time, timezone-aware UTC."""
        ...


class QuestionLog(Protocol):
    """Where asked questions are kept so the handbook can grow where officials need it."""

    async def record(
        self, *, platform: str, user_id: str | None, question: str, found: bool,
        entry_id: str | None, score: float, at: dt.datetime,
    ) -> None: ...


class MemberView(Protocol):
    """A registered official, as the storage returns it."""

    @property
    def id(self) -> int: ...
    @property
    def platform(self) -> str: ...
    @property
    def chat_id(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def agency_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def joined_at(self) -> dt.datetime: ...


class InviteView(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def agency_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def expires_at(self) -> dt.datetime: ...


class Members(Protocol):
    """Registered officials by platform identity and by agency."""

    async def get(self, platform: str, user_id: str) -> MemberView | None: ...
    async def by_agency(self, agency_id: str) -> Sequence[MemberView]: ...
    async def all(self) -> Sequence[MemberView]: ...


class Invites(Protocol):
    """One-time, expiring invitation codes for an agency and a role."""

    async def create(self, agency_id: str, role: str, created_by: str | None, now: dt.datetime,
                     ttl: dt.timedelta) -> InviteView: ...

    async def redeem_and_register(self, code: str, now: dt.datetime, platform: str, chat_id: str,
                                  user_id: str, display_name: str) -> MemberView | None: ...


class UnansweredQuestions(Protocol):
    async def unanswered(self, since: dt.datetime, limit: int) -> Sequence[tuple[str, int]]: ...
