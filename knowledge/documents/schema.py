"""Schema of an official text as the bot keeps it: the document's particulars and its units, verbatim."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from enum import StrEnum

from pydantic import Field, model_validator

from knowledge.schema import Id, Strict, Text


class UnitKind(StrEnum):
    """The parts Vietnamese legal documents and plans share."""

    HEADER = "header"  # issuer, number, place and date, type, title, legal bases
    PART = "part"  # "I. MỤC ĐÍCH, YÊU CẦU" of a plan, "Phần thứ nhất" of a code
    CHAPTER = "chapter"  # "Chương II"
    SECTION = "section"  # "Mục 1"
    ARTICLE = "article"  # "Điều 4. Điều kiện công nhận"
    CLAUSE = "clause"  # "1." in an article (khoản), in a plan part (item)
    POINT = "point"  # "a)", "đ)" (điểm)
    ANNEX = "annex"  # "PHỤ LỤC I"
    CLOSING = "closing"  # signature block and recipients ("Nơi nhận:")


# What may hold what: a misplaced unit in a hand-edited file is an error, not a silent surprise.
CHILDREN: dict[UnitKind, frozenset[UnitKind]] = {
    UnitKind.HEADER: frozenset(),
    UnitKind.PART: frozenset({UnitKind.CHAPTER, UnitKind.ARTICLE, UnitKind.CLAUSE}),
    UnitKind.CHAPTER: frozenset({UnitKind.SECTION, UnitKind.ARTICLE}),
    UnitKind.SECTION: frozenset({UnitKind.ARTICLE}),
    UnitKind.ARTICLE: frozenset({UnitKind.CLAUSE, UnitKind.POINT}),
    UnitKind.CLAUSE: frozenset({UnitKind.POINT}),
    UnitKind.POINT: frozenset(),
    UnitKind.ANNEX: frozenset({UnitKind.PART, UnitKind.ARTICLE, UnitKind.CLAUSE}),
    UnitKind.CLOSING: frozenset(),
}
TOP_LEVEL = frozenset({UnitKind.HEADER, UnitKind.PART, UnitKind.CHAPTER, UnitKind.ARTICLE, UnitKind.CLAUSE,
                       UnitKind.ANNEX, UnitKind.CLOSING})


class Unit(Strict):
    """One unit of a document; `text` is its own lines exactly as the source gives them."""

    kind: UnitKind
    number: str | None = None  # "4", "1", "a", "đ", "II"
    title: str | None = None  # "Điều kiện công nhận" (articles, chapters, annexes, plan parts)
    text: Text
    units: list[Unit] = []

    @model_validator(mode="after")
    def _children_fit(self) -> Unit:
        allowed = CHILDREN[self.kind]
        for child in self.units:
            if child.kind not in allowed:
                raise ValueError(f"a {self.kind.value} cannot hold a {child.kind.value}")
        return self

    def walk(self) -> Iterator[Unit]:
        """Yield this unit and every unit under it, in document order."""
        yield self
        for child in self.units:
            yield from child.walk()

    def full_text(self) -> str:
        """Return the unit with everything under it, verbatim, one source paragraph per line."""
        return "\n".join(u.text for u in self.walk())


class DocumentInfo(Strict):
    """What identifies an official text and when it applies."""

    id: Id
    type: Text  # "Quyết định", "Thông tư", "Luật", "Kế hoạch"…
    number: str | None = None  # "27/2025/QĐ-TTg"
    name: Text  # how citations name it: "Quyết định 27/2025/QĐ-TTg"
    title: Text
    issuer: str | None = None
    place: str | None = None
    issued: dt.date | None = None
    effective: dt.date | None = None  # None: the text does not say and nobody set it
    replaces: list[Id] = []  # documents this one replaces (handbook or loaded)
    source: str | None = None  # the file it was read from
    added: dt.date | None = None
    unread: list[str] = []  # what the reader could not place, for a person to check


class DocumentFile(Strict):
    """The reviewable YAML file of one loaded document."""

    document: DocumentInfo
    units: list[Unit] = Field(min_length=1)

    @model_validator(mode="after")
    def _top_level(self) -> DocumentFile:
        for u in self.units:
            if u.kind not in TOP_LEVEL:
                raise ValueError(f"a {u.kind.value} cannot stand at the top of a document")
        return self

    def walk(self) -> Iterator[Unit]:
        for u in self.units:
            yield from u.walk()
