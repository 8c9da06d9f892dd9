"""Logging set-up: secrets never reach the logs, whatever a library decides to print."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterable
from pathlib import Path

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


class RedactingFormatter(logging.Formatter):
    """Mask every configured secret in the whole formatted record, the traceback included."""

    def __init__(self, fmt: str, secrets: Iterable[str]):
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for s in self.secrets:
            text = text.replace(s, MASK)
        return text


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE_BYTES = 1_000_000  # then rotated, three old files kept
LOG_FILE_BACKUPS = 3


def configure_logging(level: str, secrets: Iterable[str], *, log_file: Path | None = None,
                      to_stderr: bool = True) -> Path | None:
    """Log to stderr and/or a rotating file; keep httpx quiet (its request lines carry the bot token).

    Return the log file actually opened, or None (no file asked, or it could not be opened: then the
    log goes to stderr, so that nothing is lost silently).
    """
    secrets = list(secrets)
    handlers: list[logging.Handler] = []
    opened: Path | None = None
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(logging.handlers.RotatingFileHandler(
                log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"))
            opened = log_file
        except OSError:
            to_stderr = True
    if to_stderr:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(RedactingFormatter(LOG_FORMAT, secrets))
        handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return opened
