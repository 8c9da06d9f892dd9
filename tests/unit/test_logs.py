"""Secrets never reach a log line: not in messages, tracebacks, stacks or reprs, on any logger."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator

import pytest

from bot.logs import MASK, configure_logging

TOKEN = "123456:SECRET-token-in-a-url"
WEBHOOK_SECRET = "webhook-secret-value"


@pytest.fixture
def masked() -> Iterator[io.StringIO]:
    """Configure logging as `tcpl run` does; return a stream a library's own handler writes to."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogRecordFactory(), sys.excepthook
    configure_logging("DEBUG", [TOKEN, WEBHOOK_SECRET])
    stream = io.StringIO()
    library = logging.getLogger("some.library")
    library.propagate = False  # a library logger with a handler of its own, outside ours
    own = logging.StreamHandler(stream)
    library.addHandler(own)
    try:
        yield stream
    finally:
        library.removeHandler(own)
        library.propagate = True
        root.handlers[:], level, factory, sys.excepthook = saved
        root.setLevel(level)
        logging.setLogRecordFactory(factory)


def _request_failure() -> Exception:
    try:
        try:
            raise ConnectionError(f"Invalid status code, url='http://127.0.0.1/bot{TOKEN}/getUpdates'")
        except ConnectionError as cause:
            raise RuntimeError("network error") from cause
    except RuntimeError as exc:
        return exc


def test_a_traceback_attached_to_a_record_is_masked(masked: io.StringIO) -> None:
    logging.getLogger("some.library").error("polling failed", exc_info=_request_failure())
    written = masked.getvalue()
    assert "Traceback" in written and "getUpdates" in written  # the traceback is there…
    assert TOKEN not in written and TOKEN.split(":")[1] not in written  # …without the token
    assert MASK in written


def test_messages_reprs_and_stacks_are_masked_on_every_logger(masked: io.StringIO) -> None:
    library = logging.getLogger("some.library")
    library.warning("settings: %r", {"secret": WEBHOOK_SECRET})
    library.info("calling %s", f"http://127.0.0.1/bot{TOKEN.replace(':', '%3A')}/getMe")  # URL-encoded
    library.debug("where am I", stack_info=True, extra={"note": "stack"})
    written = masked.getvalue()
    assert WEBHOOK_SECRET not in written and "SECRET-token" not in written
    assert written.count(MASK) >= 2


def test_an_uncaught_exception_is_logged_masked() -> None:
    program = (
        "from bot.logs import configure_logging\n"
        f"configure_logging('INFO', [{TOKEN!r}])\n"
        f"raise RuntimeError('could not reach http://127.0.0.1/bot{TOKEN}/getMe')\n"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert out.returncode == 1
    assert "RuntimeError" in out.stderr and "Traceback" in out.stderr
    assert TOKEN not in out.stderr and TOKEN.split(":")[1] not in out.stderr
