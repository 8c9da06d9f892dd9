"""Logging set-up: secrets never reach the logs, whatever a library decides to print.

Masking happens where every log record is made (the record factory), not in one handler: a
library's own logger and handler, a traceback attached to a record (PTB's and aiohttp's exceptions
carry the request URL, and with it the bot token), the stack and the repr of an exception in the
message are all rewritten before any handler formats them. Uncaught exceptions go through logging
too, so their tracebacks are masked the same way.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

MASK = "***"
MIN_SECRET = 6  # shorter values are too likely to occur by chance to be worth masking

# The factory logging had before we wrapped it; wrapping it again replaces, never stacks, the mask.
_PLAIN_FACTORY = logging.getLogRecordFactory()
log = logging.getLogger(__name__)


class Redactor:
    """Replace every form of the secrets in a text: as given, URL-encoded, a bot token's secret half."""

    def __init__(self, secrets: Iterable[str]):
        forms: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            forms |= {secret, quote(secret, safe="")}
            # A bot token is "<bot id>:<secret>": the id is public, the rest is what must not leak.
            forms.add(secret.partition(":")[2])
        # Longest first, so a form inside another is not masked half-way.
        self.forms = sorted((f for f in forms if len(f) >= MIN_SECRET), key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.forms)

    def __call__(self, text: str) -> str:
        for form in self.forms:
            if form in text:
                text = text.replace(form, MASK)
        return text


def mask_record(record: logging.LogRecord, redact: Redactor) -> logging.LogRecord:
    """Rewrite the record's message, traceback and stack with the secrets masked."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when the record is emitted
        return record
    masked = redact(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        # Formatters use exc_text when it is set, so the traceback is formatted once, masked.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactSecrets(logging.Filter):
    """Mask secrets in the records passing a handler or logger (for set-ups other than ours)."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self.redact = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.redact:
            mask_record(record, self.redact)
        return True


def install_masking(secrets: Iterable[str]) -> None:
    """Mask the secrets in every record any logger makes from now on, and in uncaught exceptions."""
    redact = Redactor(secrets)

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = _PLAIN_FACTORY(*args, **kwargs)
        return mask_record(record, redact) if redact else record

    logging.setLogRecordFactory(factory)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    log.critical("uncaught exception", exc_info=(kind, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE_BYTES = 1_000_000  # then rotated, three old files kept
LOG_FILE_BACKUPS = 3


def configure_logging(level: str, secrets: Iterable[str], *, log_file: Path | None = None,
                      to_stderr: bool = True) -> Path | None:
    """Log to stderr and/or a rotating file, every secret masked; keep httpx quiet (tokens in its URLs).

    Return the log file actually opened, or None (no file asked, or it could not be opened: then the
    log goes to stderr, so that nothing is lost silently).
    """
    install_masking(list(secrets))
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
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return opened


def format_exception_line(exc: BaseException) -> str:
    """Return an exception as one line (its type and first line), for a log line without a traceback."""
    text = traceback.format_exception_only(exc)[-1].strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__: list[str] = ["MASK", "RedactSecrets", "Redactor", "configure_logging", "format_exception_line",
                      "install_masking", "mask_record"]
