"""Turn the engine's conclusion about a question into what the official reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from handlers import quotes
from handlers.types import Choice, Reply
from knowledge.documents.library import Library
from knowledge.engine import Engine, Outcome, Result
from knowledge.loader import Handbook
from knowledge.schema import Confidence, Entry

ENTRY_PREFIX = "e:"  # callback data of a button that opens a handbook entry
MAX_SEE_ALSO = 4

SCOPE = (
    "Tôi trả lời các câu hỏi về đánh giá, công nhận xã, phường đạt chuẩn tiếp cận pháp luật: "
    "tiêu chí, chỉ tiêu, điều kiện, trình tự, thủ tục, hồ sơ, thời hạn (Quyết định 27/2025/QĐ-TTg "
    "đang áp dụng và Quyết định 25/2021/QĐ-TTg trước đây), việc sắp xếp đơn vị hành chính năm 2025 "
    "và Kế hoạch thực hiện của tỉnh. Gõ /tieuchi hoặc /kehoach để xem danh mục."
)

MSG_EMPTY = "Bạn hãy gõ câu hỏi, ví dụ: «Điều kiện công nhận xã đạt chuẩn tiếp cận pháp luật là gì?»"
MSG_NO_MATCH = (
    "Xin lỗi, sổ tay chưa có câu trả lời chắc chắn cho câu hỏi này, nên tôi không đoán. "
    "Bạn có thể hỏi lại cụ thể hơn hoặc liên hệ Sở Tư pháp.\n\n" + SCOPE
)
MSG_AMBIGUOUS = "Câu hỏi của bạn gần với vài mục trong sổ tay. Ý bạn là:"
MSG_OUT_OF_SCOPE = "Câu hỏi về «{topic}» nằm ngoài phạm vi của tôi.\n\n" + SCOPE
MSG_SMALL_TALK = "Xin chào! Tôi là trợ lý hỏi đáp của Sở Tư pháp.\n\n" + SCOPE


@dataclass(frozen=True)
class Answer:
    """A composed answer: the reply to show plus the fields of the CLI's JSON contract."""

    reply: Reply
    found: bool
    entry_id: str | None
    score: float
    citations: tuple[str, ...]
    suggestions: tuple[Entry, ...]

    @property
    def text(self) -> str:
        """Return the whole answer as plain text, as the CLI prints it."""
        parts = [p for p in (self.reply.title, self.reply.text, self.reply.note) if p]
        return "\n\n".join(parts)


def entry_body(handbook: Handbook, entry: Entry) -> str:
    """Return the answer of an entry, with the replacement warning when its document was replaced."""
    body = entry.answer.strip()
    doc = handbook.documents[entry.document]
    if doc.replaced_by:
        new = handbook.documents[doc.replaced_by]
        warning = f"⚠️ Lưu ý: {doc.name} đã được thay thế bởi {new.name}."
        if doc.replaced_note:
            warning += f" {doc.replaced_note.strip()}"
        body += "\n\n" + warning
    return body


def entry_note(entry: Entry) -> str:
    """Cite the source, and say when it is only a secondary one."""
    note = f"Căn cứ: {entry.citation}"
    if entry.confidence is Confidence.SECONDARY:
        note += " (nguồn thứ cấp, cần đối chiếu văn bản gốc)"
    if entry.added_on is not None:
        note += f"\n{provenance(entry.added_on)}"
    return note


def provenance(day: dt.date) -> str:
    """Say that an answer is the Department's own, and from when."""
    return f"Nội dung do Sở Tư pháp bổ sung ngày {day.strftime('%d/%m/%Y')}."


def entry_reply(handbook: Handbook, entry: Entry, extra: tuple[Entry, ...] = ()) -> Reply:
    """Show one entry with buttons to all its sub-entries, then a few alternatives and related entries."""
    children = handbook.children(entry.id)
    others: list[Entry] = []
    for e in (*extra, *(handbook.entries[r] for r in entry.related)):
        if e.id != entry.id and e not in children and e not in others:
            others.append(e)
    shown = [*children, *others[:MAX_SEE_ALSO]]
    return Reply(
        text=entry_body(handbook, entry),
        title=entry.title,
        note=entry_note(entry),
        choices=tuple(Choice(e.title, ENTRY_PREFIX + e.id) for e in shown),
    )


def compose(handbook: Handbook, result: Result) -> Answer:
    """Build the reply for an engine result; only an ANSWER commits to a fact."""
    if result.outcome is Outcome.ANSWER and result.entry is not None:
        alternatives = tuple(c.entry for c in result.candidates)
        return Answer(
            reply=entry_reply(handbook, result.entry, alternatives),
            found=True,
            entry_id=result.entry.id,
            score=result.score,
            citations=(result.entry.citation,),
            suggestions=alternatives,
        )
    suggestions: tuple[Entry, ...] = ()
    if result.outcome is Outcome.AMBIGUOUS:
        suggestions = tuple(c.entry for c in result.candidates)
        text = MSG_AMBIGUOUS
    elif result.outcome is Outcome.OUT_OF_SCOPE:
        text = MSG_OUT_OF_SCOPE.format(topic=result.off_topic or "")
    elif result.outcome is Outcome.SMALL_TALK:
        text = MSG_SMALL_TALK
    elif result.outcome is Outcome.EMPTY:
        text = MSG_EMPTY
    else:
        text = MSG_NO_MATCH
    choices = tuple(Choice(e.title, ENTRY_PREFIX + e.id) for e in suggestions)
    return Answer(
        reply=Reply(text=text, choices=choices),
        found=False,
        entry_id=None,
        score=result.score,
        citations=(),
        suggestions=suggestions,
    )


def answer(engine: Engine, question: str, library: Library | None = None, today: dt.date | None = None
           ) -> Answer:
    """Answer a question with the engine and compose the reply; with loaded official texts, an article
    the question names is shown, and a clause answers where the handbook has no good answer."""
    if library is None or library.index is None or not library.documents or today is None:
        return compose(engine.handbook, engine.ask(question))
    return quotes.answer_with_texts(engine, library, question, today, compose)
