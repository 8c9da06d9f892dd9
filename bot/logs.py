"""Logging set-up: secrets never reach the logs, whatever a library decides to print."""

from __future__ import annotations

import logging
from collections.abc import Iterable

MASK = "***"


class RedactSecrets(logging.Filter):
    """Replace every configured secret in a log record's final message."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = message
        for s in self.secrets:
            redacted = redacted.replace(s, MASK)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    """Log to stderr; keep httpx quiet (its request lines carry the bot token in the URL)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
