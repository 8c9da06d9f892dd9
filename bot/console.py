"""Console chat: the same conversation as Telegram, in a terminal or driven by a script."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import io
import os
import re
import sys
import threading
from dataclasses import replace
from typing import TextIO

from bot.render import chosen, no_such_choice, plain_text
from handlers.conversation import Conversation, split_command
from handlers.types import Choice, Incoming, Reply

PROMPT = "> "
USER_ID = "console"
MSG_NO_FILES_IN_CONSOLE = (
    "Cửa sổ dòng lệnh không nhận được tệp. Quản trị viên lấy sổ Excel bằng lệnh: "
    "tcpl report --year {year} --format xlsx -o {filename}"
)
MSG_HOW_TO_LEAVE = "Để thoát: nhấn Ctrl-C hoặc Ctrl-D."
MSG_GOODBYE = "Tạm biệt!"
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_READ_SIZE = 4096


class NoConsoleInput(Exception):
    """Standard input ended before any line, and it is no terminal: nobody is there to chat."""


def console_text(reply: Reply) -> str:
    """Return the reply as printed text; a workbook becomes the command that writes it."""
    if reply.document is not None:
        name = reply.document.filename
        year = _YEAR.search(name)
        notice = MSG_NO_FILES_IN_CONSOLE.format(year=year.group(1) if year else "NĂM", filename=name)
        reply = replace(reply, note=f"{reply.note}\n\n{notice}" if reply.note else notice, document=None)
    return plain_text(reply)


class ConsoleInput:
    """The lines typed on the console, read off the event loop by a daemon thread.

    A daemon thread, so that Ctrl-C never waits for a line that will not come; and reading the file
    descriptor itself, not sys.stdin, whose lock a reading thread would hold when the interpreter
    shuts down (CPython then aborts with "could not acquire lock for <stdin>").
    """

    def __init__(self, stream: TextIO):
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        try:
            fd: int | None = stream.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            fd = None  # an in-memory stream: nothing to block on
        source = (lambda: self._read_fd(fd)) if fd is not None else (lambda: self._read_stream(stream))
        threading.Thread(target=source, name="console-input", daemon=True).start()

    async def next(self, stop: asyncio.Event) -> str | None:
        """Return the next line, or None at the end of input or when asked to stop."""
        line = asyncio.ensure_future(self._lines.get())
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({line, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not line.done():
                line.cancel()
        return line.result() if line.done() and not line.cancelled() and not stop.is_set() else None

    def _put(self, line: str | None) -> None:
        # The loop may be gone already when a line arrives as the process ends.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._lines.put_nowait, line)

    def _read_fd(self, fd: int) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        try:
            while chunk := os.read(fd, _READ_SIZE):
                pending += decoder.decode(chunk)
                *lines, pending = pending.split("\n")
                for line in lines:
                    self._put(line + "\n")
            pending += decoder.decode(b"", final=True)
        except OSError:
            pass  # a closed descriptor is the end of input
        if pending:
            self._put(pending)
        self._put(None)

    def _read_stream(self, stream: TextIO) -> None:
        with contextlib.suppress(OSError, ValueError):
            for line in iter(stream.readline, ""):
                self._put(line)
        self._put(None)


async def run_console(conversation: Conversation, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
                      user_id: str = USER_ID, stop: asyncio.Event | None = None,
                      require_input: bool = False) -> None:
    """Chat on stdin/stdout until end of input (Ctrl-D, a closed pipe) or `stop` (Ctrl-C).

    With `require_input`, a standard input that is no terminal and ends before its first line (a
    container started without -i) raises NoConsoleInput before anything is printed.
    """
    interactive = stdin.isatty()
    stop = stop or asyncio.Event()
    lines = ConsoleInput(stdin)
    choices: tuple[Choice, ...] = ()

    async def send(msg: Incoming) -> None:
        nonlocal choices
        for reply in await conversation.handle(msg):
            stdout.write(console_text(reply) + "\n\n")
            if reply.choices:
                choices = reply.choices
        if interactive and msg.text and _is_help(msg.text):
            stdout.write(MSG_HOW_TO_LEAVE + "\n\n")
        stdout.flush()

    def incoming(text: str = "", choice: str | None = None) -> Incoming:
        return Incoming(platform="console", chat_id=user_id, user_id=user_id, text=text, choice=choice)

    first: str | None = None
    if require_input and not interactive:
        first = await lines.next(stop)
        if first is None:
            if stop.is_set():
                return
            raise NoConsoleInput
    await send(incoming("/start"))
    while True:
        if first is not None:
            line: str | None = first
            first = None
        else:
            if interactive:
                stdout.write(PROMPT)
                stdout.flush()
            line = await lines.next(stop)
        if line is None:
            break
        text = line.strip()
        if not text:
            continue
        picked = chosen(text, choices)
        if picked is not None:
            await send(incoming(choice=picked.data))
            continue
        mistyped = no_such_choice(text, choices)
        if mistyped is not None:
            stdout.write(mistyped + "\n\n")
            stdout.flush()
            continue
        await send(incoming(text))
    # At a prompt the cursor still stands after "> " (or after the ^C the terminal echoed).
    stdout.write(("\n" if interactive else "") + MSG_GOODBYE + "\n")
    stdout.flush()


def _is_help(text: str) -> bool:
    command = split_command(text.strip())
    return command is not None and command[0] in ("start", "help")
