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
    async def mark_blocked(self, platform: str, chat_id: str, at: dt.datetime) -> int: ...


class Invites(Protocol):
    """One-time, expiring invitation codes for an agency and a role."""

    async def create(self, agency_id: str, role: str, created_by: str | None, now: dt.datetime,
                     ttl: dt.timedelta) -> InviteView: ...

    async def redeem_and_register(self, code: str, now: dt.datetime, platform: str, chat_id: str,
                                  user_id: str, display_name: str) -> MemberView | None: ...


class UnansweredQuestions(Protocol):
    async def unanswered(self, since: dt.datetime, limit: int) -> Sequence[tuple[str, int]]: ...


# ---------------------------------------------------------------- deadlines, progress, outbox


class OccurrenceView(Protocol):
    """One deadline of one task for one agency, with the latest progress reported on it."""

    @property
    def id(self) -> int: ...
    @property
    def task_id(self) -> str: ...
    @property
    def agency_id(self) -> str: ...
    @property
    def due(self) -> dt.date: ...
    @property
    def source(self) -> str: ...
    @property
    def status(self) -> str | None: ...  # None until someone answers; then done/in_progress/blocked
    @property
    def percent(self) -> int | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def updated_at(self) -> dt.datetime | None: ...
    @property
    def updated_by(self) -> str | None: ...  # display name of the member who last reported
    @property
    def next_step_at(self) -> dt.datetime | None: ...


class NewOccurrence(Protocol):
    @property
    def task_id(self) -> str: ...
    @property
    def agency_id(self) -> str: ...
    @property
    def due(self) -> dt.date: ...
    @property
    def source(self) -> str: ...


class Occurrences(Protocol):
    """Deadline occurrences (task × agency × due date) and their progress."""

    async def ensure(self, items: Sequence[NewOccurrence], first_step: dict[dt.date, dt.datetime | None]
                     ) -> int:
        """Insert the missing ones (idempotent); `first_step` gives each due date's first send time."""
        ...

    async def due_for_reminder(self, now: dt.datetime, limit: int) -> Sequence[OccurrenceView]: ...
    async def advance(self, occurrence_id: int, next_step_at: dt.datetime | None) -> None: ...
    async def get(self, occurrence_id: int) -> OccurrenceView | None: ...
    async def for_agency(self, agency_id: str) -> Sequence[OccurrenceView]: ...
    async def for_year(self, year: int, task_id: str | None = None) -> Sequence[OccurrenceView]: ...
    async def in_window(self, start: dt.date, end: dt.date) -> Sequence[OccurrenceView]: ...

    async def record_progress(self, occurrence_id: int, member_id: int, status: str, percent: int | None,
                              note: str | None, at: dt.datetime, key: str | None = None) -> None:
        """Keep the update in the history and make it the occurrence's latest; "done" ends reminders.

        A report carried by the update `key` is recorded once, however often that update is handled.
        """
        ...


class TaskDates(Protocol):
    """Deadlines set by administrators and events recorded for "after an event" tasks."""

    async def set_deadline(self, task_id: str, due: dt.date, by: str, at: dt.datetime) -> None: ...
    async def record_event(self, task_id: str, happened_on: dt.date, by: str, at: dt.datetime) -> None: ...
    async def deadlines(self) -> Sequence[tuple[str, dt.date]]: ...
    async def events(self) -> Sequence[tuple[str, dt.date]]: ...


class Outbox(Protocol):
    """Messages the bot sends on its own; each dedup key is sent at most once."""

    async def enqueue(self, *, dedup_key: str, platform: str, chat_id: str, payload: dict[str, object],
                      not_before: dt.datetime, kind: str, occurrence_id: int | None) -> bool: ...

    async def occurrence_of_message(self, platform: str, chat_id: str, message_id: str) -> int | None: ...


class PendingInput(Protocol):
    """What the bot asked a user to type next (a note for a blocked task), per user."""

    async def expect(self, platform: str, user_id: str, what: str, until: dt.datetime) -> None: ...
    async def take(self, platform: str, user_id: str, now: dt.datetime, key: str | None = None
                   ) -> str | None: ...
