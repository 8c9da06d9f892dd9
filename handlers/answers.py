"""Turn the engine's conclusion about a question into what the official reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from handlers import quotes
from handlers.types import Choice, Reply
from knowledge.documents.library import Library
from knowledge.engine import Engine, Outcome, Result
from knowledge.loader import Handbook
from knowledge.schema import Confidence, Entry, Regime

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
MSG_CLOSING = "Rất vui được giúp bạn. Khi cần, bạn cứ hỏi tiếp về chuẩn tiếp cận pháp luật."
MSG_NOT_HELD = "{notice} Tôi không trả lời thay bằng thông tin khác."
MSG_NOT_HELD_SEE = " Mục có liên quan trong sổ tay ở bên dưới."


CURRENT_RULES = "Theo quy định hiện hành (Quyết định 27/2025/QĐ-TTg, Thông tư 15/2025/TT-BTP)"
PREVIOUS_RULES = ("Theo quy định trước đây (Quyết định 25/2021/QĐ-TTg, Thông tư 09/2021/TT-BTP, đã được thay "
                  "thế; đã áp dụng cho các năm đánh giá 2022–2024)")
MSG_OTHER_PARTS = "Các ý khác trong câu hỏi của bạn: xem các mục bên dưới."
MSG_CURRENT_UNVERIFIED = "Quy định hiện hành về nội dung này sổ tay chưa có thông tin đã xác minh."


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


def validity_warning(handbook: Handbook, entry: Entry) -> str | None:
    """Say once that an entry's document was replaced (or rests on a replaced one), by what, since when.

    Nothing is added when the answer itself already says what replaced it: once, not twice.
    """
    doc = handbook.documents[entry.document]
    if doc.replaced_by:
        new = handbook.documents[doc.replaced_by]
        if _says_replaced(entry, new.name):
            return None
        return "⚠️ " + " ".join((doc.replaced_note or f"{doc.name} đã được thay thế bởi {new.name}.").split())
    base = handbook.documents.get(doc.based_on) if doc.based_on else None
    if base is not None and base.replaced_by:
        new = handbook.documents[base.replaced_by]
        if _says_replaced(entry, new.name):
            return None
        warning = f"Văn bản này được xây dựng theo {base.name}, đã được thay thế bởi {new.name}."
        if doc.status_note:
            warning += " " + doc.status_note
        return "⚠️ " + " ".join(warning.split())
    if doc.status_note:
        return "⚠️ " + " ".join(doc.status_note.split())
    return None


def _says_replaced(entry: Entry, replacement: str) -> bool:
    return replacement in entry.answer and ("thay thế" in entry.answer or "lỗi thời" in entry.answer)


def is_replaced(handbook: Handbook, entry: Entry) -> bool:
    """Tell whether an entry speaks for a replaced document (or one built on a replaced document)."""
    doc = handbook.documents[entry.document]
    base = handbook.documents.get(doc.based_on) if doc.based_on else None
    return bool(doc.replaced_by or (base is not None and base.replaced_by))


def entry_body(handbook: Handbook, entry: Entry) -> str:
    """Return the answer of an entry, with the replacement warning when its document was replaced."""
    body = entry.answer.strip()
    warning = validity_warning(handbook, entry)
    return f"{body}\n\n{warning}" if warning else body


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


def _choices(handbook: Handbook, entry: Entry, extra: tuple[Entry, ...]) -> tuple[Choice, ...]:
    """Buttons to an entry's sub-entries, then a few alternatives and related entries."""
    children = handbook.children(entry.id)
    others: list[Entry] = []
    for e in (*extra, *(handbook.entries[r] for r in entry.related)):
        if e.id != entry.id and e not in children and e not in others:
            others.append(e)
    shown = [*children, *others[:MAX_SEE_ALSO]]
    return tuple(Choice(e.title, ENTRY_PREFIX + e.id) for e in shown)


def entry_reply(handbook: Handbook, entry: Entry, extra: tuple[Entry, ...] = ()) -> Reply:
    """Show one entry with buttons to all its sub-entries, then a few alternatives and related entries."""
    return Reply(text=entry_body(handbook, entry), title=entry.title, note=entry_note(entry),
                 choices=_choices(handbook, entry, extra))


def _result_text(handbook: Handbook, result: Result) -> tuple[str, str]:
    """Compose the body and the citation line of a committed answer."""
    entry = result.entry
    assert entry is not None
    previous = result.previous
    note = entry_note(entry)
    if result.verdict is not None:
        body = result.verdict.text
        if result.previous_verdict is not None:
            body = f"{CURRENT_RULES}: {body}\n\n{PREVIOUS_RULES}: {result.previous_verdict.text}"
        elif warning := validity_warning(handbook, entry):
            body += "\n\n" + warning
        if result.verdict.citations:
            note = "Căn cứ: " + "; ".join(result.verdict.citations)
        if result.previous_verdict is not None:
            note += "; quy định trước đây: " + "; ".join(result.previous_verdict.citations)
    elif previous is not None:
        body = (f"{CURRENT_RULES}: {entry.answer.strip()}\n\n{PREVIOUS_RULES}: {previous.answer.strip()}")
        note += f"; quy định trước đây: {previous.citation}"
    else:
        body = entry.answer.strip()
        warning = validity_warning(handbook, entry)
        if warning:
            old = handbook.documents[entry.document].regime is Regime.QD25
            if old and result.regime is not Regime.QD25:
                # The official named no regime, or asked for the rules in force ("theo quy định hiện nay")
                # and only the replaced rule holds an answer: say where the rule in force stands.
                current = result.current
                if current is not None and current.confidence is not Confidence.NOT_IN_HANDBOOK:
                    warning += f" Quy định hiện hành: xem mục «{current.title}»."
                else:
                    warning += " " + MSG_CURRENT_UNVERIFIED
            body += "\n\n" + warning
    if result.notice:
        body = f"{result.notice}\n\n{body}"
    if result.other_parts:
        body += "\n\n" + MSG_OTHER_PARTS
    return body, note


def compose(handbook: Handbook, result: Result) -> Answer:
    """Build the reply for an engine result; only an ANSWER commits to a fact."""
    if result.outcome is Outcome.ANSWER and result.entry is not None:
        entry = result.entry
        alternatives = tuple(c.entry for c in result.candidates)
        shown = (*result.other_parts, *(e for e in (result.previous, result.current) if e), *alternatives)
        body, note = _result_text(handbook, result)
        citations = (entry.citation, *((result.previous.citation,) if result.previous else ()))
        return Answer(
            reply=Reply(text=body, title=entry.title, note=note, choices=_choices(handbook, entry, shown)),
            found=True,
            entry_id=entry.id,
            score=result.score,
            citations=citations,
            suggestions=tuple({e.id: e for e in shown}.values()),
        )
    suggestions: tuple[Entry, ...] = ()
    if result.outcome is Outcome.AMBIGUOUS:
        suggestions = tuple(c.entry for c in result.candidates)
        text = MSG_AMBIGUOUS
    elif result.outcome is Outcome.NOT_HELD:
        suggestions = tuple(c.entry for c in result.candidates)
        text = MSG_NOT_HELD.format(notice=result.notice or "") + (MSG_NOT_HELD_SEE if suggestions else "")
    elif result.outcome is Outcome.OUT_OF_SCOPE and result.pointer:
        text = f"{result.pointer}\n\n{SCOPE}"
    elif result.outcome is Outcome.OUT_OF_SCOPE:
        text = MSG_OUT_OF_SCOPE.format(topic=result.off_topic or "")
    elif result.outcome is Outcome.SMALL_TALK:
        text = MSG_CLOSING if result.closing else MSG_SMALL_TALK
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
