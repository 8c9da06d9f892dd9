"""The Department's own handbook: answers its administrators add where the bot could not answer.

It lives in one YAML file in the data folder, apart from the shipped handbook (which is never edited),
and is checked like the shipped files before the bot serves it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field, StringConstraints, ValidationError

from knowledge.documents.library import number_key
from knowledge.loader import Handbook, InvalidKnowledge, Problem, problems_of, read_yaml
from knowledge.schema import Document, Entry, Id, Regime, Strict, Text

ENTRY_PREFIX = "stp-"
# Entries whose citation names no document the bot knows belong to this one.
DEPARTMENT_DOCUMENT = Document(
    id="so-tu-phap-bo-sung", name="Sở Tư pháp", title="Nội dung do Sở Tư pháp bổ sung", issuer="Sở Tư pháp",
    regime=Regime.NONE,
)
MAX_QUESTION = 1000  # as long as a message the bot reads
MAX_ANSWER = 3000
MAX_CITATION = 300

FILE_COMMENT = (
    "# Sổ tay bổ sung của Sở Tư pháp: các câu trả lời do quản trị viên của Sở thêm (/traloi, /sotay,\n"
    "# tcpl handbook add). Có thể sửa tay; bot kiểm tra tệp trước khi dùng và báo lỗi kèm số dòng.\n"
)

DepartmentId = Annotated[str, StringConstraints(pattern=r"^stp-[0-9]+$")]


class DepartmentEntry(Strict):
    """One answer the Department added: the question as officials asked it, the answer, its basis."""

    id: DepartmentId
    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUESTION)]
    questions: list[Text] = []  # other phrasings, added by hand
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANSWER)]
    citation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CITATION)]
    document: Id | None = None  # the document the citation names, when the bot knows it
    added: dt.date
    added_by: str | None = None
    updated: dt.date | None = None

    def entry(self) -> Entry:
        """Return the handbook entry the engine ranks."""
        # Checked as a DepartmentEntry already; the shipped schema asks for two phrasings, and an answer
        # the Department adds to one declined question has one.
        return Entry.model_construct(
            id=self.id, title=self.question, document=self.document or DEPARTMENT_DOCUMENT.id,
            questions=[self.question, *self.questions], answer=self.answer, citation=self.citation,
            keywords=[], related=[], parent=None, order=0, topic=None, added_on=self.updated or self.added,
            confidence=Entry.model_fields["confidence"].default,
        )


class DepartmentFile(Strict):
    # "answers", not "entries": `tcpl validate` tells this file from the shipped handbook by its keys.
    answers: list[DepartmentEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class DepartmentHandbook:
    """The Department's entries, with the line each starts on (for messages about them)."""

    path: Path | None
    entries: tuple[DepartmentEntry, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)

    def get(self, entry_id: str) -> DepartmentEntry | None:
        return next((e for e in self.entries if e.id == entry_id), None)


def load_department(path: Path | None) -> DepartmentHandbook:
    """Read the Department's handbook file (none yet: no entries); raise InvalidKnowledge when invalid."""
    if path is None or not path.exists():
        return DepartmentHandbook(path)
    data, located, problems = read_yaml(path)
    if problems:
        raise InvalidKnowledge(problems)
    if data is None:
        return DepartmentHandbook(path)
    if not isinstance(data, dict):
        raise InvalidKnowledge([Problem(path, 1, "the file must be a YAML mapping")])
    try:
        parsed = DepartmentFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidKnowledge(problems_of(exc, path, located)) from exc
    seen: dict[str, int] = {}
    for i, e in enumerate(parsed.answers):
        if e.id in seen:
            problems.append(Problem(path, located.line(["answers", i]), f"duplicate id {e.id!r}"))
        seen[e.id] = i
    if problems:
        raise InvalidKnowledge(problems)
    lines = {e.id: located.line(["answers", i]) for i, e in enumerate(parsed.answers)}
    return DepartmentHandbook(path, tuple(parsed.answers), lines)


def dump_department(entries: Iterable[DepartmentEntry]) -> str:
    """Return the YAML text of the Department's handbook file."""
    data: list[dict[str, Any]] = [e.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
                                  for e in entries]
    return FILE_COMMENT + yaml.safe_dump({"answers": data}, allow_unicode=True, sort_keys=False, width=100)


FIELD_NAMES = {"question": "câu hỏi", "answer": "câu trả lời", "citation": "căn cứ", "document": "mã văn bản",
               "id": "mã mục"}


def invalid_fields(exc: ValidationError) -> str:
    """Say in Vietnamese which fields of an entry are empty, too long or malformed."""
    names = [FIELD_NAMES.get(str(e["loc"][0]), str(e["loc"][0])) for e in exc.errors() if e["loc"]]
    return (f"{', '.join(dict.fromkeys(names))} trống, quá dài (câu hỏi tối đa {MAX_QUESTION}, câu trả lời "
            f"{MAX_ANSWER}, căn cứ {MAX_CITATION} ký tự) hoặc không đúng dạng")


def next_id(entries: Iterable[DepartmentEntry]) -> str:
    """Return the next free id: stp-1, stp-2, …"""
    used = [int(e.id.removeprefix(ENTRY_PREFIX)) for e in entries]
    return f"{ENTRY_PREFIX}{max(used, default=0) + 1}"


def merge_handbook(shipped: Handbook, documents: Mapping[str, Document], department: DepartmentHandbook
                   ) -> Handbook:
    """Return the shipped handbook with the Department's entries, over the given document table."""
    problems = []
    merged = Handbook(documents={**documents, DEPARTMENT_DOCUMENT.id: DEPARTMENT_DOCUMENT},
                      entries=dict(shipped.entries), menus=shipped.menus)
    where = department.path or Path(".")
    for e in department.entries:
        line = department.lines.get(e.id, 1)
        if e.id in merged.entries:
            problems.append(Problem(where, line, f"{e.id}: the id is already used"))
        elif e.document is not None and e.document not in merged.documents:
            problems.append(Problem(where, line, f"{e.id}: unknown document {e.document!r}"))
        else:
            merged.entries[e.id] = e.entry()
    if problems:
        raise InvalidKnowledge(problems)
    return merged


def document_named(citation: str, documents: Mapping[str, Document]) -> str | None:
    """Return the id of the document a citation names by its number ("… Quyết định 27/2025/QĐ-TTg")."""
    cited = number_key(citation)
    for doc in documents.values():
        number = number_key(doc.name.split()[-1])
        if len(number) >= 6 and number in cited:
            return doc.id
    return None
