"""/vanban: browse the official texts the Department loaded — documents → articles → clauses, verbatim."""

from __future__ import annotations

from handlers.conversation import Audience, Command, Conversation
from handlers.quotes import PREFIX, TOP, unit_choice
from handlers.types import Choice, Incoming, Reply
from knowledge.documents.library import LoadedDocument
from knowledge.documents.schema import UnitKind

PAGE = 20  # choices per message: a law's 300 articles come in pages

MSG_NONE = ("Sở Tư pháp chưa nạp văn bản nào để tra cứu nguyên văn. "
            "Bạn có thể đặt câu hỏi trực tiếp hoặc gõ /tieuchi, /kehoach.")
MSG_PICK_DOCUMENT = "Chọn văn bản để xem nguyên văn:"
MSG_PICK = "Chọn phần để xem:"
MSG_STALE = "Văn bản này đã được cập nhật hoặc gỡ bỏ. Gõ /vanban để xem danh sách mới."
QUOTE_NOTE = "Trích nguyên văn: {citation}."
MORE = "Xem tiếp ▸"
ALL_DOCUMENTS = "◂ Danh sách văn bản"
# Units a reader picks on the way down; the header and the signature block are not shown as choices.
BROWSABLE = frozenset(UnitKind) - {UnitKind.HEADER, UnitKind.CLOSING}


class Documents:
    """Browse the loaded documents from the conversation's current library."""

    def __init__(self, conversation: Conversation):
        self.conversation = conversation

    def setup(self) -> None:
        """Register /vanban and its choices."""
        self.conversation.register(Command("vanban", self.command, Audience.ANYONE,
                                           "đọc nguyên văn các văn bản Sở Tư pháp đã nạp"))
        self.conversation.choice_handlers.append(self.on_choice)

    async def command(self, msg: Incoming, args: str) -> list[Reply]:
        """/vanban: the documents; /vanban <id> opens one."""
        library = self.conversation.library
        if args.strip() in library.documents:
            return [self.show(library.documents[args.strip()], TOP, 0)]
        return [self.documents()]

    def documents(self) -> Reply:
        docs = list(self.conversation.library.documents.values())
        if not docs:
            return Reply(text=MSG_NONE)
        return Reply(text=MSG_PICK_DOCUMENT, title="Văn bản",
                     choices=tuple(Choice(d.info.name, unit_choice(d, TOP)) for d in docs))

    async def on_choice(self, msg: Incoming) -> list[Reply] | None:
        """Open a document or a unit; None when the data is not a /vanban choice."""
        data = msg.choice or ""
        if not data.startswith(PREFIX):
            return None
        parts = data[len(PREFIX):].split(":")
        if parts == ["all"]:
            return [self.documents()]
        doc = self.conversation.library.documents.get(parts[0]) if len(parts) in (3, 4) else None
        if doc is None or parts[1] != doc.digest:
            return [Reply(text=MSG_STALE)]
        where = parts[2]
        page = int(parts[3]) if len(parts) == 4 and parts[3].isdigit() else 0
        if where != TOP and not (where.isdigit() and int(where) < len(doc.nodes)):
            return [Reply(text=MSG_STALE)]
        return [self.show(doc, where if where == TOP else int(where), page)]

    def show(self, doc: LoadedDocument, where: int | str, page: int) -> Reply:
        """Show a document's parts, or a unit verbatim with the units under it as choices."""
        index = None if where == TOP else int(where)
        notes = self.conversation.library.notes(doc.id, self.conversation.today())
        children = [i for i in doc.children(index) if doc.nodes[i].kind in BROWSABLE]
        shown = children[page * PAGE:(page + 1) * PAGE]
        choices = [Choice(doc.label(i), unit_choice(doc, i)) for i in shown]
        if len(children) > (page + 1) * PAGE:
            choices.append(Choice(MORE, unit_choice(doc, where, page + 1)))
        if index is None:
            text = doc.info.title + ("\n\n" + MSG_PICK if choices else "")
            choices.append(Choice(ALL_DOCUMENTS, f"{PREFIX}all"))
            return Reply(text=text, title=doc.info.name, note="\n".join(notes) or None,
                         choices=tuple(choices))
        unit = doc.nodes[index]
        quoted = unit.kind in (UnitKind.ARTICLE, UnitKind.CLAUSE, UnitKind.POINT)
        # An article, clause or point is shown whole; a chapter or a part shows its heading and a menu.
        text = unit.full_text() if quoted else unit.text + ("\n\n" + MSG_PICK if choices else "")
        if quoted and unit.kind is not UnitKind.ARTICLE:
            choices = []  # its points are in the text already
        parent = doc.parents[index]
        choices.append(Choice("◂ " + (doc.label(parent) if parent is not None else doc.info.name),
                              unit_choice(doc, parent if parent is not None else TOP)))
        note = [QUOTE_NOTE.format(citation=doc.citation(index))] if quoted else []
        return Reply(text=text, title=f"{doc.info.name} — {doc.label(index)}",
                     note="\n".join(note + notes) or None, choices=tuple(choices))
