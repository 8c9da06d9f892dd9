"""Console chat: the same conversation as Telegram, in a terminal or driven by a script."""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import replace
from typing import TextIO

from bot.render import plain_text
from handlers.conversation import Conversation
from handlers.types import Choice, Incoming, Reply

PROMPT = "> "
USER_ID = "console"
MSG_NO_FILES_IN_CONSOLE = (
    "Cửa sổ dòng lệnh không nhận được tệp. Quản trị viên lấy sổ Excel bằng lệnh: "
    "tcpl report --year {year} --format xlsx -o {filename}"
)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def console_text(reply: Reply) -> str:
    """Return the reply as printed text; a workbook becomes the command that writes it."""
    if reply.document is not None:
        name = reply.document.filename
        year = _YEAR.search(name)
        notice = MSG_NO_FILES_IN_CONSOLE.format(year=year.group(1) if year else "NĂM", filename=name)
        reply = replace(reply, note=f"{reply.note}\n\n{notice}" if reply.note else notice, document=None)
    return plain_text(reply)


async def _read_line(stream: TextIO) -> str:
    # stdin is blocking; read it off the event loop so other tasks (the scheduler) keep running.
    return await asyncio.to_thread(stream.readline)


async def run_console(conversation: Conversation, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
                      user_id: str = USER_ID) -> None:
    """Chat on stdin/stdout until end of input (Ctrl-D or a closed pipe)."""
    interactive = stdin.isatty()
    choices: tuple[Choice, ...] = ()

    async def send(msg: Incoming) -> None:
        nonlocal choices
        for reply in await conversation.handle(msg):
            stdout.write(console_text(reply) + "\n\n")
            if reply.choices:
                choices = reply.choices
        stdout.flush()

    await send(Incoming(platform="console", chat_id=user_id, user_id=user_id, text="/start"))
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = await _read_line(stdin)
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.isascii() and text.isdigit() and choices:
            n = int(text)
            if 1 <= n <= len(choices):
                await send(Incoming(platform="console", chat_id=user_id, user_id=user_id,
                                    choice=choices[n - 1].data))
                continue
        await send(Incoming(platform="console", chat_id=user_id, user_id=user_id, text=text))
    stdout.write("Tạm biệt!\n")
    stdout.flush()
