"""Render a Reply for Zalo: plain text in parts of at most 2,000 characters, choices as numbered lines."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.render import plain_text
from handlers.types import Reply

MAX_MESSAGE = 2000

MSG_NO_FILES_ON_ZALO = (
    "Zalo không cho phép bot gửi tệp. Quản trị viên có thể lấy sổ Excel qua Telegram (lệnh /baocao) "
    "hoặc bằng dòng lệnh: tcpl report --year {year} --format xlsx -o {filename}"
)

# Coarsest boundary first: a part is cut at a paragraph if it can be, else at a line, a sentence,
# a word, and only a single word longer than a message is cut in the middle.
_PARAGRAPHS = re.compile(r"\n\s*\n")
_LINES = re.compile(r"\n")
_SENTENCES = re.compile(r"(?<=[.!?…;:])\s+")
_WORDS = re.compile(r"[ \t]+")
_LEVELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_PARAGRAPHS, "\n\n"),
    (_LINES, "\n"),
    (_SENTENCES, " "),
    (_WORDS, " "),
)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split text into parts of at most `limit` characters at the coarsest boundary that fits."""
    if limit < 1:
        raise ValueError("limit must be positive")
    parts = [p.strip() for p in _split(text.strip(), limit, 0)]
    return [p for p in parts if p]


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_LEVELS):
        return [text[i:i + limit] for i in range(0, len(text), limit)]
    pattern, joiner = _LEVELS[level]
    parts: list[str] = []
    current = ""
    for piece in pattern.split(text):
        piece = piece.strip()
        if not piece:
            continue
        candidate = f"{current}{joiner}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        smaller = _split(piece, limit, level + 1)
        # The last piece may still share a message with what follows.
        parts.extend(smaller[:-1])
        current = smaller[-1]
    if current:
        parts.append(current)
    return parts


def document_notice(filename: str) -> str:
    """Say how an administrator gets the workbook that Zalo cannot carry."""
    match = _YEAR.search(filename)
    year = match.group(1) if match else "NĂM"
    return MSG_NO_FILES_ON_ZALO.format(year=year, filename=filename or "bao-cao.xlsx")


def with_document_notice(reply: Reply) -> Reply:
    """Return the reply with its document (which Zalo cannot carry) replaced by a notice in its note."""
    if reply.document is None:
        return reply
    notice = document_notice(reply.document.filename)
    note = f"{reply.note}\n\n{notice}" if reply.note else notice
    return replace(reply, note=note, document=None)


def zalo_messages(reply: Reply, limit: int = MAX_MESSAGE) -> list[str]:
    """Return the reply as Zalo text messages, each at most `limit` characters."""
    return split_text(plain_text(with_document_notice(reply)), limit) or ["…"]
