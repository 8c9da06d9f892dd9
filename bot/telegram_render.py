"""Render a Reply for Telegram: escaped HTML in chunks of at most 4,096 characters, inline buttons."""

from __future__ import annotations

import html
import logging
from typing import Any

from handlers.types import Reply

MAX_MESSAGE = 4096
MAX_CALLBACK_BYTES = 64
MAX_BUTTON_LABEL = 60

log = logging.getLogger(__name__)


def _pieces(text: str, limit: int) -> list[str]:
    """Split plain text so each piece, once escaped, fits in `limit`: lines first, then words."""
    # html.escape works character by character, so escaped lengths add up: each unit is escaped
    # once instead of the growing piece again for every unit.
    if len(html.escape(text)) <= limit:  # almost every paragraph: one piece, as the loop would make
        return [text.strip("\n")] if text.strip() else []
    out: list[str] = []
    current, size = "", 0
    for unit in _units(text):
        unit_size = len(html.escape(unit))
        if size + unit_size <= limit:
            current, size = current + unit, size + unit_size
            continue
        if current:
            out.append(current)
        current, size = unit, unit_size
        while size > limit:
            # A single unit longer than a message: cut it where the escaped text still fits.
            cut = limit
            while len(html.escape(current[:cut])) > limit:
                cut -= 1
            out.append(current[:cut])
            current = current[cut:]
            size = len(html.escape(current))
    if current:
        out.append(current)
    return [p.strip("\n") for p in out if p.strip()]


def _units(text: str) -> list[str]:
    units: list[str] = []
    for line in text.splitlines(keepends=True):
        if len(line) <= 500:
            units.append(line)
        else:
            units.extend(w + " " for w in line.split(" "))
    return units


def html_chunks(reply: Reply) -> list[str]:
    """Return the reply as HTML messages, each at most 4,096 characters, never cutting a tag."""
    blocks: list[str] = []
    if reply.title:
        blocks += [f"<b>{html.escape(p)}</b>" for p in _pieces(reply.title, MAX_MESSAGE - 7)]
    for para in reply.text.split("\n\n"):
        blocks += [html.escape(p) for p in _pieces(para, MAX_MESSAGE)]
    if reply.note:
        blocks += [f"<i>{html.escape(p)}</i>" for p in _pieces(reply.note, MAX_MESSAGE - 7)]
    chunks: list[str] = []
    current = ""
    for block in blocks:
        joined = f"{current}\n\n{block}" if current else block
        if len(joined) <= MAX_MESSAGE:
            current = joined
        else:
            chunks.append(current)
            current = block
    if current:
        chunks.append(current)
    return chunks or ["…"]


def keyboard(reply: Reply) -> dict[str, Any] | None:
    """The reply's inline keyboard as the Bot API's reply_markup, one button per row; a choice whose
    data would not fit Telegram's 64 bytes is left out.

    Plain JSON rather than PTB's InlineKeyboardMarkup: it is only ever serialised, and building the
    objects and turning them back into dicts cost more than rendering the text (`make bench`).
    """
    rows = []
    for c in reply.choices:
        if len(c.data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            log.error("callback data too long, button dropped: %r", c.data[:80])
            continue
        label = c.label if len(c.label) <= MAX_BUTTON_LABEL else c.label[: MAX_BUTTON_LABEL - 1] + "…"
        rows.append([{"text": label, "callback_data": c.data}])
    return {"inline_keyboard": rows} if rows else None
