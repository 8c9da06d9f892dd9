"""Render a platform-neutral Reply as plain text with numbered choices (console, Zalo)."""

from __future__ import annotations

from handlers.types import Reply


def plain_text(reply: Reply) -> str:
    """Return the reply as plain text; choices become numbered lines answered with the number."""
    parts = [p for p in (reply.title and f"» {reply.title}", reply.text, reply.note) if p]
    text = "\n\n".join(parts)
    if reply.choices:
        lines = [f"{i}. {c.label}" for i, c in enumerate(reply.choices, start=1)]
        text += "\n\n" + "\n".join(lines) + "\n(Gõ số để chọn.)"
    return text
