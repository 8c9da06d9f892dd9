"""What every platform's sender promises, so the outbox treats Telegram and Zalo alike."""

from __future__ import annotations

from typing import Protocol

from handlers.types import Reply


class DeliveryError(Exception):
    """A message could not be delivered now."""


class RetryLater(DeliveryError):
    """The platform asked us to slow down (HTTP 429) or failed for a moment; try again later."""

    def __init__(self, retry_after: float, reason: str = "rate limited"):
        super().__init__(f"{reason}; retry after {retry_after:.1f} s")
        self.retry_after = retry_after
        self.reason = reason

    def delay(self, attempts: int) -> float:
        """Return the seconds to wait before the next try, after `attempts` tries already made."""
        return self.retry_after


class ChatUnreachable(DeliveryError):
    """The platform says plainly that this chat refuses the bot (Telegram: "bot was blocked by the user")."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Messenger(Protocol):
    """Send a reply to a chat on one platform; return the ids of the messages sent."""

    platform: str

    async def send(self, chat_id: str, reply: Reply) -> list[str]: ...
