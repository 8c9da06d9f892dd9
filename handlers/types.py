"""Plain types that cross the line between the platform adapters and the handlers."""

from __future__ import annotations

from dataclasses import dataclass, field


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
