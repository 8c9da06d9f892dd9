"""The loaded official texts: where each unit is, how to cite it, and whether its document still applies."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.documents.schema import DocumentFile, DocumentInfo, Unit, UnitKind
from knowledge.documents.store import parse_document
from knowledge.documents.structure import TYPES, ParsedDocument, document_id
from knowledge.loader import InvalidKnowledge, Problem
from knowledge.schema import Document, Regime

if TYPE_CHECKING:
    from knowledge.documents.clauses import ClauseIndex
from knowledge.text import fold

# Units a quote is made of: a clause with its points, or an article that has no clauses.
ANSWERABLE = frozenset({UnitKind.CLAUSE, UnitKind.ARTICLE, UnitKind.POINT})


def number_key(number: str) -> str:
    """Compare document numbers loosely: "27/2025/QĐ-TTg" and "27/2025/qd-ttg" are one number."""
    return re.sub(r"[^a-z0-9]", "", fold(number))


def date_vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class LoadedDocument:
    """One document file, with its units in document order and each unit's parent."""

    info: DocumentInfo
    path: Path
    digest: str  # short hash of the file: a button made for another version of the text is stale
    nodes: tuple[Unit, ...] = field(repr=False)
    parents: tuple[int | None, ...] = field(repr=False)

    @classmethod
    def of(cls, file: DocumentFile, path: Path, content: bytes) -> LoadedDocument:
        nodes: list[Unit] = []
        parents: list[int | None] = []

        def visit(u: Unit, parent: int | None) -> None:
            nodes.append(u)
            parents.append(parent)
            me = len(nodes) - 1
            for child in u.units:
                visit(child, me)

        for top in file.units:
            visit(top, None)
        return cls(file.document, path, hashlib.sha256(content).hexdigest()[:6], tuple(nodes), tuple(parents))

    @property
    def id(self) -> str:
        return self.info.id

    def children(self, index: int | None) -> list[int]:
        """Return the indexes of a unit's children (of the document's top units for None)."""
        return [i for i, p in enumerate(self.parents) if p == index]

    def ancestors(self, index: int) -> list[int]:
        """Return the unit's ancestors, nearest first."""
        out = []
        parent = self.parents[index]
        while parent is not None:
            out.append(parent)
            parent = self.parents[parent]
        return out

    def is_plan(self) -> bool:
        """Tell a plan (parts, items, sub-items) from a legal text (articles)."""
        return all(u.kind is not UnitKind.ARTICLE for u in self.nodes)

    def address(self, index: int) -> str:
        """Name a unit the way Vietnamese texts cite it: "điểm a khoản 1 Điều 4", "mục II.3.b", "Điều 5"."""
        chain = [index, *self.ancestors(index)]
        units = [self.nodes[i] for i in chain]
        article = next((u for u in units if u.kind is UnitKind.ARTICLE), None)
        annex = next((u for u in units if u.kind is UnitKind.ANNEX), None)
        if article is None:
            # A plan: its parts, items and sub-items read as one code, "II.3.b".
            code = ".".join(u.number for u in reversed(units)
                            if u.kind in (UnitKind.PART, UnitKind.CLAUSE, UnitKind.POINT) and u.number)
            head = units[0]
            if code:
                words = f"mục {code}"
            elif head.kind is UnitKind.CHAPTER:
                words = f"Chương {head.number}"
            elif head.kind is UnitKind.ANNEX:
                words = ""
            else:
                words = {UnitKind.HEADER: "phần mở đầu", UnitKind.CLOSING: "phần cuối"}.get(head.kind, "")
        else:
            words = " ".join(
                {UnitKind.POINT: f"điểm {u.number}", UnitKind.CLAUSE: f"khoản {u.number}",
                 UnitKind.ARTICLE: f"Điều {u.number}"}[u.kind]
                for u in units if u.kind in (UnitKind.POINT, UnitKind.CLAUSE, UnitKind.ARTICLE))
        if annex is not None:
            where = f"Phụ lục {annex.number}" if annex.number else "văn bản ban hành kèm theo"
            words = f"{words} {where}".strip()
        return words

    def citation(self, index: int) -> str:
        """Return "khoản 1 Điều 4 Quyết định 27/2025/QĐ-TTg"."""
        return f"{self.address(index)} {self.info.name}".strip()

    def label(self, index: int) -> str:
        """A short label for a browsing choice: "Điều 4. Điều kiện công nhận", "Khoản 2", "II. NỘI DUNG…"."""
        u = self.nodes[index]
        if u.kind is UnitKind.ARTICLE:
            return f"Điều {u.number}. {u.title}" if u.title else f"Điều {u.number}"
        if u.kind is UnitKind.CHAPTER:
            return f"Chương {u.number}. {u.title}" if u.title else f"Chương {u.number}"
        if u.kind is UnitKind.SECTION:
            return f"Mục {u.number}. {u.title}" if u.title else f"Mục {u.number}"
        if u.kind is UnitKind.ANNEX:
            return f"Phụ lục {u.number or ''}. {u.title or ''}".replace(" .", ".").strip(". ")
        if u.kind is UnitKind.HEADER:
            return "Phần mở đầu"
        if u.kind is UnitKind.CLOSING:
            return "Nơi nhận, chữ ký"
        first = u.text.split("\n", 1)[0]
        return first if len(first) <= 60 else first[:59].rstrip() + "…"

    def articles(self) -> dict[str, int]:
        """Return the main text's articles by number (an attached regulation's articles are not here)."""
        out: dict[str, int] = {}
        for i, u in enumerate(self.nodes):
            if u.kind is UnitKind.ARTICLE and u.number and not any(
                    self.nodes[a].kind is UnitKind.ANNEX for a in self.ancestors(i)):
                out.setdefault(u.number, i)
        return out

    def find(self, article: str, clause: str | None = None, point: str | None = None) -> int | None:
        """Return the index of "điểm a khoản 1 Điều 4" (or of the clause, or the article), if present."""
        at = self.articles().get(article)
        if at is None:
            return None
        for kind, number in ((UnitKind.CLAUSE, clause), (UnitKind.POINT, point)):
            if number is None:
                continue
            nxt = next((i for i in self.children(at) if self.nodes[i].kind is kind
                        and self.nodes[i].number == number), None)
            if nxt is None:
                return None
            at = nxt
        return at


_CITED = re.compile(r"Điều\s+(\d+[a-z]?)(?:\s+khoản\s+(\d+))?(?:\s+điểm\s+([a-zđ])\b)?"
                    r"|(?:điểm\s+([a-zđ])\s+)?(?:khoản\s+(\d+)\s+)?Điều\s+(\d+[a-z]?)")


@dataclass
class Library:
    """Every loaded document, and the document table that handbook and quotes share for validity."""

    documents: dict[str, LoadedDocument] = field(default_factory=dict)
    # The handbook's documents plus the loaded ones, with replacements applied both ways: what
    # decides the "replaced" note of a handbook entry and of a quoted clause alike.
    validity: dict[str, Document] = field(default_factory=dict)
    index: ClauseIndex | None = None  # built with the lexicon by build_sources

    def notes(self, document_id: str, today: dt.date) -> list[str]:
        """Say what a reader must know about a document's force: replaced, not yet in force, date unknown."""
        doc = self.validity.get(document_id)
        if doc is None:
            return []
        out = []
        if doc.replaced_by:
            new = self.validity.get(doc.replaced_by)
            name = new.name if new else doc.replaced_by
            note = f"⚠️ Lưu ý: {doc.name} đã được thay thế bởi {name}."
            if doc.replaced_note:
                note += f" {doc.replaced_note.strip()}"
            out.append(note)
        elif doc.effective is None:
            out.append(f"Ngày có hiệu lực của {doc.name} chưa được ghi nhận; đề nghị đối chiếu văn bản gốc.")
        elif doc.effective > today:
            out.append(f"Lưu ý: {doc.name} có hiệu lực từ ngày {date_vn(doc.effective)}.")
        return out

    def cited_unit(self, document_id: str, citation: str) -> tuple[LoadedDocument, int] | None:
        """Find the first article (clause, point) a handbook citation names in a loaded document."""
        loaded = self.documents.get(document_id)
        if loaded is None:
            return None
        for m in _CITED.finditer(citation):
            article, clause, point = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (
                m.group(6), m.group(5), m.group(4))
            at = loaded.find(article, clause, point)
            if at is not None:
                return loaded, at
        return None


def regime_of(info: DocumentInfo, known: Mapping[str, Document]) -> Regime:
    linked = known.get(info.id)
    return linked.regime if linked is not None else Regime.NONE


def handbook_id_for(number: str | None, handbook_documents: Mapping[str, Document]) -> str | None:
    """Return the id of the handbook document with this number ("27/2025/QĐ-TTg" → "qd-27-2025")."""
    if not number:
        return None
    key = number_key(number)
    return next((d.id for d in handbook_documents.values() if number_key(d.name.split()[-1]) == key), None)


def build_library(loaded: Iterable[LoadedDocument], handbook_documents: Mapping[str, Document]) -> Library:
    """Check the loaded documents against each other and the handbook; apply replacements."""
    problems: list[Problem] = []
    documents: dict[str, LoadedDocument] = {}
    for doc in loaded:
        if doc.id in documents:
            problems.append(Problem(doc.path, 1, f"document id {doc.id!r} is also used by "
                                                 f"{documents[doc.id].path.name}"))
            continue
        documents[doc.id] = doc
    validity: dict[str, Document] = dict(handbook_documents)
    for doc in documents.values():
        info = doc.info
        linked = validity.get(info.id)
        same = handbook_id_for(info.number, handbook_documents)
        if linked is None and same is not None:
            problems.append(Problem(doc.path, 1, f"{info.name} is the handbook's document {same!r}: "
                                                 "use that id"))
        validity[info.id] = Document(
            id=info.id, name=linked.name if linked else info.name, title=info.title,
            issuer=info.issuer or (linked.issuer if linked else "không rõ"),
            issued=info.issued or (linked.issued if linked else None),
            effective=info.effective or (linked.effective if linked else None),
            regime=regime_of(info, handbook_documents),
            replaced_by=linked.replaced_by if linked else None,
            replaced_note=linked.replaced_note if linked else None,
        )
    for doc in documents.values():
        for old in doc.info.replaces:
            if old not in validity:
                problems.append(Problem(doc.path, 1, f"replaces names an unknown document {old!r}"))
                continue
            new = validity[doc.id]
            when = f"{new.name} có hiệu lực từ ngày {date_vn(new.effective)}." if new.effective else None
            validity[old] = validity[old].model_copy(update={"replaced_by": doc.id, "replaced_note": when})
    if problems:
        raise InvalidKnowledge(problems)
    return Library(documents, validity)


def read_document_file(path: Path) -> LoadedDocument:
    """Read and check one document file."""
    content = path.read_bytes()
    return LoadedDocument.of(parse_document(path), path, content)


def load_library(directory: Path | None, handbook_documents: Mapping[str, Document]) -> Library:
    """Load every document file of a folder (none when it does not exist); report every problem."""
    problems: list[Problem] = []
    loaded: list[LoadedDocument] = []
    paths = sorted(directory.glob("*.yaml")) if directory is not None and directory.is_dir() else []
    for path in paths:
        try:
            loaded.append(read_document_file(path))
        except InvalidKnowledge as exc:
            problems += exc.problems
        except OSError as exc:
            problems.append(Problem(path, 1, f"cannot read file: {exc}"))
    try:
        library = build_library(loaded, handbook_documents)
    except InvalidKnowledge as exc:
        problems += exc.problems
    if problems:
        raise InvalidKnowledge(problems)
    return library


@dataclass(frozen=True)
class Corrections:
    """What the person adding a document sets or corrects because the text does not say it."""

    id: str | None = None
    number: str | None = None
    issued: dt.date | None = None
    effective: dt.date | None = None
    replaces: tuple[str, ...] = ()


def adopt(parsed: ParsedDocument, library: Library, corrections: Corrections, today: dt.date) -> DocumentFile:
    """Give a parsed document its id (the handbook's, for a document the handbook knows), apply the
    corrections and resolve the documents its text says it replaces."""
    info = parsed.file.document
    unread = list(info.unread)
    number = corrections.number or info.number
    update: dict[str, object] = {"added": today}
    if corrections.number:
        update |= {"number": number, "name": f"{info.type} {number}"}
        unread = [n for n in unread if "--number" not in n]
    if corrections.issued:
        update["issued"] = corrections.issued
        unread = [n for n in unread if "--issued" not in n]
    if corrections.effective:
        update["effective"] = corrections.effective
        unread = [n for n in unread if "--effective" not in n]
    update["id"] = (corrections.id or handbook_id_for(number, library.validity)
                    or (document_id_for_number(info, number) if corrections.number else info.id))
    replaces = list(corrections.replaces)
    for n in parsed.replaces_numbers:
        found = handbook_id_for(n, library.validity)
        if found is None:
            unread.append(f"Văn bản nêu thay thế {n}, nhưng bot chưa có văn bản này: "
                          "dùng --replaces nếu cần.")
        elif found not in replaces and found != update["id"]:
            replaces.append(found)
    update["replaces"] = replaces
    update["unread"] = unread
    # Validated again: a corrected id or number must be as well-formed as one read from the text.
    document = DocumentInfo.model_validate(info.model_dump() | update)
    return DocumentFile(document=document, units=parsed.file.units)


def document_id_for_number(info: DocumentInfo, number: str | None) -> str:
    abbreviation = next((abbr for name, abbr in TYPES.values() if name == info.type), None)
    return document_id(abbreviation, number, info.title)
