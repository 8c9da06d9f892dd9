"""Plain types that cross the line between the platform adapters and the handlers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

# What a message may not carry further: NUL and the other C0 controls but tab, line feed and carriage
# return (XML, hence the workbook, refuses them, and PostgreSQL refuses NUL), XML's two
# non-characters, and lone surrogates (no UTF-8 encoder takes them; a valid pair is one code point).
_UNFIT = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Word's line break (vertical tab) and the form feed are line breaks to the reader.
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def clean_text(text: str) -> str:
    """Return the text without the characters storage and files cannot hold, otherwise unchanged."""
    text = text.translate(_BREAKS)
    return _UNFIT.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else "", text)


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

    def __post_init__(self) -> None:
        # The one boundary every platform's text crosses: cleaned here, it is fit for the database,
        # the question log, the workbook and every reply that repeats it.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                object.__setattr__(self, f.name, clean_text(value))
        object.__setattr__(self, "extras", {clean_text(k): clean_text(v) for k, v in self.extras.items()})
