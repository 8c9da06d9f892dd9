"""Browse the handbook by menus: criteria → indicators (/tieuchi), plan sections → items (/kehoach)."""

from __future__ import annotations

from handlers.answers import ENTRY_PREFIX, entry_reply
from handlers.types import Choice, Reply
from knowledge.loader import Handbook

MENU_PREFIX = "m:"
MSG_STALE_CHOICE = (
    "Lựa chọn này không hợp lệ hoặc đã cũ. Bạn hãy gõ /tieuchi, /kehoach hoặc đặt câu hỏi trực tiếp."
)


def menu_reply(handbook: Handbook, menu_id: str) -> Reply:
    """Show a menu's first-level entries as choices."""
    menu = handbook.menus.get(menu_id)
    if menu is None:
        return Reply(text=MSG_STALE_CHOICE)
    choices = tuple(Choice(handbook.entries[i].title, ENTRY_PREFIX + i) for i in menu.items)
    return Reply(text="Chọn một mục để xem:", title=menu.title, choices=choices)


def open_choice(handbook: Handbook, data: str) -> Reply | None:
    """Open what a button points to; None when the data is not a browsing choice at all."""
    if data.startswith(ENTRY_PREFIX):
        entry = handbook.entries.get(data[len(ENTRY_PREFIX):])
        return entry_reply(handbook, entry) if entry else Reply(text=MSG_STALE_CHOICE)
    if data.startswith(MENU_PREFIX):
        return menu_reply(handbook, data[len(MENU_PREFIX):])
    return None
