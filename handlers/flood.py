"""Per-user flood control: a user who sends too much is slowed; everyone else is not."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from handlers.ports import Clock

MSG_SLOW_DOWN = "Bạn gửi tin nhắn quá nhanh. Vui lòng chờ vài giây rồi gửi tiếp."


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    warn: bool  # tell the user once per burst, not for every dropped message


class FloodGuard:
    """Allow at most `limit` messages per user in a sliding window of `window` seconds."""

    def __init__(self, clock: Clock, limit: int = 5, window: float = 3.0, max_users: int = 100_000):
        self.clock = clock
        self.limit = limit
        self.window = window
        self.max_users = max_users
        self._seen: dict[str, deque[float]] = {}
        self._warned: dict[str, float] = {}

    def check(self, user_key: str) -> Verdict:
        """Record one message from a user and say whether to handle it."""
        now = self.clock.now().timestamp()
        stamps = self._seen.get(user_key)
        if stamps is None:
            if len(self._seen) >= self.max_users:
                self._forget_idle(now)
            stamps = self._seen[user_key] = deque()
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        if len(stamps) < self.limit:
            stamps.append(now)
            return Verdict(True, False)
        last_warning = self._warned.get(user_key)
        warn = last_warning is None or now - last_warning > self.window
        if warn:
            self._warned[user_key] = now
        return Verdict(False, warn)

    def _forget_idle(self, now: float) -> None:
        # Bounded memory: forget users whose last message is older than the window.
        for key in [k for k, s in self._seen.items() if not s or now - s[-1] > self.window]:
            self._seen.pop(key, None)
            self._warned.pop(key, None)
