"""Plain types that cross the line between the platform adapters and the handlers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

# What a message may not carry further: NUL and the other C0 controls but tab, line feed and carriage
# return (XML, hence the workbook, refuses them, and PostgreSQL refuses NUL), XML's two
# non-characters, and lone surrogates (no UTF-8 encoder takes them; a valid pair is one code point).
_UNFIT = re.compile("[\x00-\x1f\ufffe\uffff\ud800-\udfff]")
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_KEPT = frozenset("\t\n\r")


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    if char in _KEPT:
        return char
    if char in "\x0b\x0c":  # Word's line break (vertical tab) and the form feed: line breaks
        return "\n"
    return "\ufffd" if "\ud800" <= char <= "\udfff" else ""


def clean_text(text: str) -> str:
    """Return the text without the characters storage and files cannot hold, otherwise unchanged."""
    # One search of the whole text first: almost every message has nothing to clean.
    if not _NEEDS_CLEANING.search(text):
        return text
    return _UNFIT.sub(_replacement, text)


@dataclass(frozen=True)
class Choice:
    """A button (Telegram) or a numbered line (console, Zalo); `data` is short and holds ids only."""

    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    """One message to show: an optional bold title, the body, an optional footnote and choices.

    Text is plain: each adapter escapes and styles it for its platform.
    """

    text: str
    title: str | None = None
    note: str | None = None
    choices: tuple[Choice, ...] = ()
    document: Document | None = None


@dataclass(frozen=True)
class Document:
    """A file to send (the Excel report)."""

    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class Incoming:
    """One user action: a message (`text`) or a button press / numbered choice (`choice`)."""

    platform: str
    chat_id: str
    user_id: str
    text: str = ""
    choice: str | None = None
    reply_to: str | None = None  # id of the bot message the user replied to, if any
    display_name: str = ""
    extras: dict[str, str] = field(default_factory=dict)
    # The platform update that carried it (None on the console): handled again after a crash, the
    # same update records its effects once.
    update_id: str | None = None

    @property
    def key(self) -> str | None:
        """Return the update's key across platforms, or None when it came from no platform update."""
        return f"{self.platform}:{self.update_id}" if self.update_id else None

    def __post_init__(self) -> None:
        # The one boundary every platform's text crosses: cleaned here, it is fit for the database,
        # the question log, the workbook and every reply that repeats it.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                object.__setattr__(self, f.name, clean_text(value))
        object.__setattr__(self, "extras", {clean_text(k): clean_text(v) for k, v in self.extras.items()})
