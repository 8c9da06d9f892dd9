"""Answer from a loaded official text, word for word, with the exact citation and the text's validity."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from handlers.types import Choice, Reply
from knowledge.documents.clauses import CLAUSE_LEAD, ClauseIndex, ClauseMatch
from knowledge.documents.library import Library, LoadedDocument
from knowledge.documents.schema import UnitKind
from knowledge.engine import Engine, Outcome, Result
from knowledge.loader import Handbook
from knowledge.query import as_asked
from knowledge.schema import Confidence

if TYPE_CHECKING:
    from handlers.answers import Answer

PREFIX = "v:"  # callback data of /vanban's choices: "v:<document>:<digest>:<unit>[:<page>]"
TOP = "-"  # the document itself, above its units
QUOTE = "Theo {citation} (trích nguyên văn):\n«{text}»"
ARTICLE_NOTE = "Trích nguyên văn {citation}."
SEE_TEXT = "Xem nguyên văn: {address}"
NOT_IN_TEXT = ("Xin lỗi, tôi không tìm thấy quy định nào trong {names} trả lời câu hỏi này, nên tôi "
               "không trả lời thay bằng văn bản khác. Bạn có thể gõ /vanban để đọc toàn văn hoặc liên hệ "
               "Sở Tư pháp.")
_LABEL = re.compile(r"^(?:[-–•*]\s*)?(?:\d{1,3}\.|[a-zđ]\))\s*")


def unit_choice(doc: LoadedDocument, index: int | str, page: int = 0) -> str:
    """Return the callback data of a unit (ids only: within Telegram's 64 bytes)."""
    return f"{PREFIX}{doc.id}:{doc.digest}:{index}" + (f":{page}" if page else "")


def quoted_text(doc: LoadedDocument, index: int) -> str:
    """Return a unit verbatim with everything under it; the clause's own "1." or "a)" is in the citation."""
    unit = doc.nodes[index]
    text = unit.full_text()
    if unit.kind in (UnitKind.CLAUSE, UnitKind.POINT):
        text = _LABEL.sub("", text, count=1)
    return text


def quote_reply(library: Library, doc: LoadedDocument, index: int, today: dt.date) -> Reply:
    """Quote a clause (or an article without clauses, a plan item) with its citation and notes."""
    citation = doc.citation(index)
    article = next((a for a in [index, *doc.ancestors(index)] if doc.nodes[a].kind is UnitKind.ARTICLE), None)
    title = doc.label(article) if article is not None else doc.info.name
    notes = library.notes(doc.id, today)
    return Reply(text=QUOTE.format(citation=citation, text=quoted_text(doc, index)), title=title,
                 note="\n".join(notes) or None,
                 choices=(Choice(SEE_TEXT.format(address=doc.label(article)), unit_choice(doc, article)),)
                 if article is not None and article != index else ())


def article_reply(library: Library, doc: LoadedDocument, index: int, today: dt.date) -> Reply:
    """Show the article (clause, point) a question names, verbatim."""
    notes = library.notes(doc.id, today)
    return Reply(text=doc.nodes[index].full_text(), title=f"{doc.info.name} — {doc.label(index)}",
                 note="\n".join([ARTICLE_NOTE.format(citation=doc.citation(index)), *notes]))


def handbook_declined(result: Result) -> bool:
    """Tell whether the handbook has no good answer, so a loaded text may answer instead: the engine
    declined, or its best entry only says the handbook holds no verified answer."""
    if result.outcome in (Outcome.NO_MATCH, Outcome.AMBIGUOUS, Outcome.OUT_OF_SCOPE, Outcome.NOT_HELD):
        return True
    return result.entry is not None and result.entry.confidence is Confidence.NOT_IN_HANDBOOK


def source_choice(library: Library, document_id: str, citation: str) -> Choice | None:
    """A button to the article a handbook entry cites, when that document's text is loaded."""
    found = library.cited_unit(document_id, citation)
    if found is None:
        return None
    doc, index = found
    return Choice(SEE_TEXT.format(address=doc.address(index)), unit_choice(doc, index))


def clause_first(index: ClauseIndex, match: ClauseMatch, result: Result,
                 texts: list[LoadedDocument] | None) -> bool:
    """Tell whether a clause answers before the handbook: the handbook has no good answer, or its entry is
    about another text than the one the question names, or the clause holds clearly more of the question
    than the entry does (a weak entry that shares only the handbook's common words)."""
    if handbook_declined(result) or not about_texts(result, texts):
        return True
    assert result.entry is not None
    return index.lead(match, result.entry) >= CLAUSE_LEAD


def about_texts(result: Result, texts: list[LoadedDocument] | None) -> bool:
    """Tell whether the handbook's answer may stand for the loaded texts a question names: it names none,
    or the entry speaks for one of them (a Department entry on that text)."""
    if not texts:
        return True
    return result.entry is not None and result.entry.document in {d.id for d in texts}


def answer_with_texts(engine: Engine, library: Library, question: str, today: dt.date,
                      compose: Callable[[Handbook, Result], Answer]) -> Answer:
    """The order of answers once texts are loaded: a named article; a handbook entry that answers well
    (with a button to the article it cites); a clause quoted word for word; the handbook's decline.

    A question that names a loaded text ("Theo Quyết định 99/2099/QĐ-BTN, …") is answered from that text
    or declined: an entry about another document is no answer to it.
    """
    from handlers.answers import Answer  # answers.py calls this module: imported here, not at the top

    index = library.index
    assert index is not None
    question = as_asked(question)  # the texts are searched for what the message means, as the handbook is
    named = index.reference(question)
    if named is not None:
        reply = article_reply(library, named.document, named.index, today)
        return Answer(reply, True, None, 1.0, (named.document.citation(named.index),), ())
    result = engine.ask(question)
    texts = index.named(question)
    match = index.find(question)
    if match is not None and clause_first(index, match, result, texts):
        reply = quote_reply(library, match.document, match.index, today)
        citation = match.document.citation(match.index)
        return Answer(reply, True, None, round(match.score, 4), (citation,), ())
    if texts and not about_texts(result, texts):
        names = ", ".join(d.info.name for d in texts)
        return Answer(Reply(text=NOT_IN_TEXT.format(names=names)), False, None, 0.0, (), ())
    composed = compose(engine.handbook, result)
    if result.entry is not None and composed.found:
        extra = source_choice(library, result.entry.document, result.entry.citation)
        if extra is not None:
            choices = (extra, *composed.reply.choices)
            composed = replace(composed, reply=replace(composed.reply, choices=choices))
    return composed
