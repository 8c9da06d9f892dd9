"""Render a platform-neutral Reply as plain text with numbered choices (console, Zalo)."""

from __future__ import annotations

import re

from handlers.types import Choice, Reply

CHOICE_HINT = "(Gõ số để chọn.)"
MSG_NO_SUCH_CHOICE = "Không có lựa chọn số {n}. Bạn hãy gõ một số từ 1 đến {count}, hoặc gõ câu hỏi."
_CHOICE_NUMBER = re.compile(r"(\d{1,3})\.?")


def plain_text(reply: Reply) -> str:
    """Return the reply as plain text; choices become numbered lines answered with the number."""
    parts = [p for p in (reply.title and f"» {reply.title}", reply.text, reply.note) if p]
    text = "\n\n".join(parts)
    if reply.choices:
        lines = [f"{i}. {c.label}" for i, c in enumerate(reply.choices, start=1)]
        text += "\n\n" + "\n".join(lines) + "\n" + CHOICE_HINT
    return text


def choice_number(text: str) -> int | None:
    """Return the number a message consists of ("2", "2."), or None."""
    match = _CHOICE_NUMBER.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def chosen(text: str, choices: tuple[Choice, ...]) -> Choice | None:
    """Return the choice a message picks by its number, or None."""
    n = choice_number(text)
    return choices[n - 1] if n is not None and 1 <= n <= len(choices) else None


def no_such_choice(text: str, choices: tuple[Choice, ...]) -> str | None:
    """Say which numbers are valid when a bare number picks none of the choices shown; else None.

    A bare number after a menu is a mistyped choice, not a question worth searching the handbook for.
    """
    n = choice_number(text)
    if n is None or not choices or 1 <= n <= len(choices):
        return None
    return MSG_NO_SUCH_CHOICE.format(n=n, count=len(choices))
