"""Zalo's documented error codes and what the bot does about each: the one table, and its state.

The Zalo Bot Platform answers a refusal with ``{"ok": false, "error_code": N, "description": ...}``.
Its documentation lists six codes; ``ERRORS`` below keeps the documentation's wording beside the
rule the bot follows. Nothing documents a code for "this user blocked the bot", so no code here
ever marks a member unreachable: only the outbox may conclude that, from evidence (the same chat
failing for days while other chats receive their messages; see bot/dispatcher.py).

Codes the documentation does not list are treated conservatively: 5xx and network failures as
transient (retried with back-off, message kept), any other code as a plain refusal that the outbox
retries a limited number of times with its own back-off. No ``retry_after`` is documented for 429;
should Zalo send one, it is honoured as a lower bound, never as a reason to go faster.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.membership import is_department_admin
from handlers.ports import Clock, MemberView
from handlers.reminders import KIND_ESCALATION, payload
from handlers.types import Reply

log = logging.getLogger(__name__)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Rule(Enum):
    """What the bot does when Zalo answers with a code."""

    REFUSED = "refused"  # our request is wrong: logged; the outbox retries a few times, then gives up
    TOKEN = "token"  # one alarm; no more sends until the token works again (probed now and then)
    TRANSIENT = "transient"  # retried with exponential back-off and jitter; the message is kept
    QUOTA = "quota"  # every send paused, with a growing delay and a cap; the alarm once if it lasts


@dataclass(frozen=True)
class Documented:
    """One row of Zalo's error table: the code, the documentation's wording, and our rule."""

    code: int
    wording: str
    rule: Rule
    why: str


ERRORS: dict[int, Documented] = {d.code: d for d in (
    Documented(400, "Bad request", Rule.REFUSED, "the request itself is wrong (empty or too long text…)"),
    Documented(401, "Token expired or invalid", Rule.TOKEN, "nothing can be sent until it is replaced"),
    Documented(403, "Internal server error", Rule.TRANSIENT,
               "Zalo's own failure, not a user who blocked the bot"),
    Documented(404, "Not found", Rule.REFUSED, "an unknown method or object"),
    Documented(408, "Request timeout", Rule.TRANSIENT, "on getUpdates: nothing arrived during the long poll"),
    Documented(429, "Quota exceeded", Rule.QUOTA, "the bot's sending quota is spent for now"),
)}


def rule_for(code: int) -> Rule:
    """Return the rule for an error code; undocumented codes are read conservatively."""
    documented = ERRORS.get(code)
    if documented is not None:
        return documented.rule
    if code >= 500 or code == 0:  # 0: no answer at all (network error)
        return Rule.TRANSIENT
    return Rule.REFUSED


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off with jitter: the n-th wait lies in [d/2, d], d = first·2ⁿ up to cap."""

    first: float
    cap: float

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Return the seconds to wait after `attempt` earlier failures (0 for the first)."""
        ceiling = min(self.cap, self.first * 2 ** min(attempt, 30))
        # Jitter spreads the retries of many rows (and instances) that failed at the same moment.
        return (rng or random).uniform(ceiling / 2, ceiling)


# The outbox's retries of a message that met a transient error (403, 408, 5xx, network).
TRANSIENT_BACKOFF = Backoff(first=20.0, cap=3600.0)
# A user waiting for an answer: a few quick tries (the adapter waits at most MAX_PATIENT_WAIT).
PATIENT_BACKOFF = Backoff(first=1.0, cap=8.0)
# Quota exceeded: every Zalo send waits 30–60 s at first, so never more than a few tries a minute.
QUOTA_BACKOFF = Backoff(first=60.0, cap=1800.0)
QUOTA_ALARM_AFTER = dt.timedelta(minutes=30)
# While Zalo refuses the token, one send is let through this often to see whether it works again.
TOKEN_PROBE_EVERY = dt.timedelta(minutes=5)

MSG_TOKEN_ALARM = (
    "Zalo từ chối mã truy cập (token) của bot: mã đã hết hạn hoặc không hợp lệ. Bot tạm dừng gửi tin "
    "trên Zalo và giữ lại các tin chờ gửi. Xin cấp lại mã trong Zalo Bot Creator và cập nhật "
    "TCPL_ZALO_TOKEN; bot sẽ tự gửi tiếp khi mã dùng được."
)
MSG_QUOTA_ALARM = (
    "Zalo báo bot đã hết hạn mức gửi tin (Quota exceeded) từ {since}. Bot đang gửi chậm lại và giữ "
    "các tin chờ gửi; tin nhắc việc trên Zalo có thể đến muộn."
)

Alarm = Callable[[str, str], Awaitable[None]]  # (kind, Vietnamese text for the administrators)


class ZaloHealth:
    """What Zalo's last answers say about the bot as a whole: its token and its sending quota.

    Sends (methods addressed to a chat) ask `wait_before_send()` first: while the token is refused
    or the quota is spent, they wait without calling Zalo, so a queue of reminders never turns into
    a loop of refused calls. Any accepted call clears the state.
    """

    def __init__(self, clock: Clock, alarm: Alarm | None = None, rng: random.Random | None = None):
        self.clock = clock
        self.alarm = alarm
        self.rng = rng
        self.token_refused_since: dt.datetime | None = None
        self._next_probe: dt.datetime | None = None
        self.quota_since: dt.datetime | None = None
        self._quota_hits = 0
        self._quota_until: dt.datetime | None = None
        self._quota_alarmed = False

    def wait_before_send(self) -> tuple[Rule, float] | None:
        """Return (why, seconds) a send must wait now, or None when it may go."""
        now = self.clock.now()
        if self.token_refused_since is not None:
            assert self._next_probe is not None
            if now < self._next_probe:
                return Rule.TOKEN, (self._next_probe - now).total_seconds()
            self._next_probe = now + TOKEN_PROBE_EVERY  # this send is the probe
        if self._quota_until is not None:
            if now < self._quota_until:
                return Rule.QUOTA, (self._quota_until - now).total_seconds()
            # The pause is over: one send goes to see whether the quota is back; the others wait
            # for its answer (a 429 pauses again, a success ends the pause).
            self._quota_until = now + dt.timedelta(seconds=QUOTA_BACKOFF.first)
        return None

    def accepted(self, sent: bool = True) -> None:
        """Record an answer that proves the token works (and, for a send, that the quota is not spent)."""
        if self.token_refused_since is not None:
            log.warning("Zalo accepts the bot token again; sending resumes")
            self.token_refused_since = self._next_probe = None
        if sent and self.quota_since is not None:
            log.warning("Zalo quota available again; sending resumes at the normal pace")
            self.quota_since = self._quota_until = None
            self._quota_hits = 0
            self._quota_alarmed = False

    async def token_refused(self, method: str, sent: bool = True) -> float:
        """Record a 401; raise the alarm once per outage. Return the seconds until the next probe.

        A refused poll (not a send) does not put the next send probe off: it is a probe of its own.
        """
        now = self.clock.now()
        if self.token_refused_since is None:
            self._next_probe = now + TOKEN_PROBE_EVERY
            self.token_refused_since = now
            log.critical("Zalo refused the bot token (401 on %s): sending on Zalo stops until it is "
                         "replaced (TCPL_ZALO_TOKEN); queued messages are kept", method)
            await self._raise_alarm("token", MSG_TOKEN_ALARM)
        if sent:
            self._next_probe = now + TOKEN_PROBE_EVERY
        return TOKEN_PROBE_EVERY.total_seconds()

    async def quota_exceeded(self, hint: float | None) -> float:
        """Record a 429: pause every send for a growing delay. Return the pause in seconds."""
        now = self.clock.now()
        if self.quota_since is None:
            self.quota_since = now
            log.error("Zalo quota exceeded (429): sends paused with a growing delay")
        pause = max(QUOTA_BACKOFF.delay(self._quota_hits, self.rng), hint or 0.0)
        self._quota_hits += 1
        self._quota_until = now + dt.timedelta(seconds=pause)
        if not self._quota_alarmed and now - self.quota_since >= QUOTA_ALARM_AFTER:
            self._quota_alarmed = True
            local = self.quota_since.astimezone(VIETNAM)
            await self._raise_alarm("quota", MSG_QUOTA_ALARM.format(since=local.strftime("%H:%M %d/%m/%Y")))
        return pause

    async def _raise_alarm(self, kind: str, text: str) -> None:
        if self.alarm is None:
            return
        try:
            await self.alarm(kind, text)
        except Exception:  # the log line above already said it; the database may be away
            log.exception("the administrators could not be told about Zalo (%s)", kind)


class Members(Protocol):
    async def all(self) -> Sequence[MemberView]: ...


class Outbox(Protocol):
    async def enqueue(self, *, dedup_key: str, platform: str, chat_id: str, payload: dict[str, object],
                      not_before: dt.datetime, kind: str, occurrence_id: int | None) -> bool: ...


class AdminAlarm:
    """Tell the Department's administrators on the other platforms, through the outbox, once a day."""

    def __init__(self, members: Members, outbox: Outbox, clock: Clock, platform: str = "zalo"):
        self.members = members
        self.outbox = outbox
        self.clock = clock
        self.platform = platform

    async def __call__(self, kind: str, text: str) -> None:
        """Queue the alarm for every administrator who is not on the failing platform."""
        now = self.clock.now()
        reply = Reply(title=f"Sự cố gửi tin trên {self.platform.capitalize()}", text=text)
        day = now.date().isoformat()
        for admin in await self.members.all():
            if admin.platform == self.platform or not is_department_admin(admin):
                continue
            await self.outbox.enqueue(
                dedup_key=f"platform-alarm:{self.platform}:{kind}:{day}:{admin.platform}:{admin.chat_id}",
                platform=admin.platform, chat_id=admin.chat_id, payload=payload(reply), not_before=now,
                kind=KIND_ESCALATION, occurrence_id=None,
            )

