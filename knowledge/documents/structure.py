"""Read the structure of a Vietnamese legal text or plan from its paragraphs.

Every paragraph ends up, unchanged, in exactly one unit, in order: joining the units' texts gives the
paragraphs back. Numbers must follow on (khoản 1, 2, 3; điểm a, b, c, d, đ; parts I, II, III), so a
line that merely starts with "2025." or "c)" inside a sentence stays the text it is.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from knowledge.documents.reading import SourceText
from knowledge.documents.schema import CHILDREN, TOP_LEVEL, DocumentFile, DocumentInfo, Unit, UnitKind
from knowledge.text import fold

POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"  # the Vietnamese alphabet as points use it (no f, j, w, z)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
         "XVI", "XVII", "XVIII", "XIX", "XX")

# Document types, as the header prints them, with the short form ids are made of.
TYPES = {
    "THÔNG TƯ LIÊN TỊCH": ("Thông tư liên tịch", "ttlt"),
    "QUYẾT ĐỊNH": ("Quyết định", "qd"),
    "THÔNG TƯ": ("Thông tư", "tt"),
    "BỘ LUẬT": ("Bộ luật", "bl"),
    "LUẬT": ("Luật", "luat"),
    "NGHỊ ĐỊNH": ("Nghị định", "nd"),
    "NGHỊ QUYẾT": ("Nghị quyết", "nq"),
    "PHÁP LỆNH": ("Pháp lệnh", "pl"),
    "KẾ HOẠCH": ("Kế hoạch", "kh"),
    "CHỈ THỊ": ("Chỉ thị", "ct"),
    "HƯỚNG DẪN": ("Hướng dẫn", "hd"),
    "QUY ĐỊNH": ("Quy định", "qdinh"),
    "QUY CHẾ": ("Quy chế", "qc"),
}
_ATTACHED = ("QUY ĐỊNH", "QUY CHẾ", "ĐIỀU LỆ", "HƯỚNG DẪN", "CHƯƠNG TRÌNH")

_BULLET = re.compile(r"^[-–•*]\s*")
_CHAPTER = re.compile(r"^(?:Chương|CHƯƠNG)\s+([IVXLC]+|\d+)\b\.?:?\s*(.*)$")
_SECTION = re.compile(r"^(?:Mục|MỤC)\s+(\d+)\b\.?:?\s*(.*)$")
_ARTICLE = re.compile(r"^Điều\s+(\d+[a-z]?)(?:\s*[.:]\s*|\s*$)(.*)$")
_ANNEX = re.compile(r"^(?:PHỤ LỤC|Phụ lục)(?:\s+(?:SỐ|số)\s*)?\s*([IVXLC]+|\d+)?\b\.?:?\s*(.*)$")
_PART = re.compile(r"^([IVXLC]+)\.\s*(\S.*)$")
_CLAUSE = re.compile(r"^(\d{1,3})\.(?!\d)\s*(\S.*)$")
_POINT = re.compile(r"^([a-zđ])\)\s*(.*)$")
_CLOSING = re.compile(r"^(Nơi nhận\s*:?|(KT|TM|TL|TUQ|Q)\.\s*\S.*)$")
_MOTTO = re.compile(r"^(CỘNG HÒA|CỘNG HOÀ|Độc lập|ĐỘC LẬP)|^[-_=.*\s]+$")
_NUMBER = re.compile(r"\b[Ss]ố\s*:?\s*(\d[\w/.\-]*\w)")
_DATE_LINE = re.compile(r"^(?P<place>[^,\d]{2,60}),\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+"
                        r"(?P<y>\d{4})")
# Where the title ends: the legal bases, or the enacting line of an older text ("BỘ TRƯỞNG BỘ …").
_PREAMBLE = re.compile(
    r"^(Căn cứ|Theo đề nghị|Xét đề nghị|THỦ TƯỚNG|BỘ TRƯỞNG|CHỦ TỊCH|CHÍNH PHỦ|QUỐC HỘI)\b")
_EFFECTIVE = re.compile(
    r"có hiệu lực(?: thi hành)?(?: kể)? từ ngày\s+(?:(?P<d>\d{1,2}) tháng (?P<m>\d{1,2}) năm (?P<y>\d{4})"
    r"|(?P<d2>\d{1,2})/(?P<m2>\d{1,2})/(?P<y2>\d{4})|(?P<signed>ký))"
)
_REPLACES = re.compile(r"thay thế[^.;]*?(?:số\s*)?(\d+/\d{4}/[\w\-]+)")


@dataclass
class _Node:
    kind: UnitKind
    number: str | None
    title: str | None
    lines: list[str]
    units: list[_Node] = field(default_factory=list)
    wants_title: bool = False  # "Chương II" alone: the next paragraph is its title

    def last_number(self, kind: UnitKind) -> str | None:
        for u in reversed(self.units):
            if u.kind is kind:
                return u.number
        return None

    def freeze(self) -> Unit:
        return Unit(kind=self.kind, number=self.number, title=self.title, text="\n".join(self.lines),
                    units=[u.freeze() for u in self.units])


@dataclass
class ParsedDocument:
    """A document as read, with what a person should check."""

    file: DocumentFile
    replaces_numbers: list[str]  # numbers the text says it replaces ("25/2021/QĐ-TTg")

    def counts(self) -> dict[str, int]:
        out = {k.value: 0 for k in UnitKind}
        for u in self.file.walk():
            out[u.kind.value] += 1
        return out


def _follows(previous: str | None, number: str, sequence: tuple[str, ...] | str) -> bool:
    if previous is None:
        return number == sequence[0]
    try:
        return sequence.index(number) == sequence.index(previous) + 1
    except ValueError:
        return False


def _next_int(previous: str | None, number: str) -> bool:
    return int(number) == (int(previous) + 1 if previous is not None else 1)


class _Reader:
    def __init__(self) -> None:
        self.root = _Node(UnitKind.HEADER, None, None, [])  # a container only; never frozen itself
        self.header = _Node(UnitKind.HEADER, None, None, [])
        self.stack: list[_Node] = [self.root]
        self.notes: list[str] = []
        self.closed = False  # past the signature block: only annexes open units
        self.last_article: dict[int, int] = {}  # per article scope (the document, an annex): its last number

    @property
    def top(self) -> _Node:
        return self.stack[-1]

    def _container(self, kinds: frozenset[UnitKind]) -> int | None:
        for i in range(len(self.stack) - 1, -1, -1):
            node = self.stack[i]
            allowed = TOP_LEVEL if node is self.root else CHILDREN[node.kind]
            if allowed & kinds:
                return i
        return None

    def _open(self, at: int, node: _Node) -> None:
        del self.stack[at + 1:]
        self.stack[at].units.append(node)
        self.stack.append(node)

    def _article_scope(self) -> _Node:
        """Articles number on through chapters: within the document, or within an attached annex."""
        for node in reversed(self.stack):
            if node.kind is UnitKind.ANNEX:
                return node
        return self.root

    def feed(self, line: str) -> None:
        if self.top.wants_title and not self._structural(line):
            self.top.title = line.strip("* ")
            self.top.wants_title = False
            self.top.lines.append(line)
            return
        self.top.wants_title = False
        if not self._open_unit(line):
            target = self.top if self.top is not self.root else self.header
            target.lines.append(line)

    def _structural(self, line: str) -> bool:
        return any(p.match(line) for p in (_CHAPTER, _SECTION, _ARTICLE, _ANNEX)) or bool(
            _PART.match(line) or _CLAUSE.match(_BULLET.sub("", line)))

    def _open_unit(self, line: str) -> bool:
        if m := _ANNEX.match(line):
            if line.startswith("PHỤ LỤC") or m.group(1):
                self._open(0, _Node(UnitKind.ANNEX, m.group(1), m.group(2) or None, [line],
                                    wants_title=not m.group(2)))
                self.closed = False
                return True
        if self.closed:
            if line.isupper() and line.startswith(_ATTACHED):
                # A regulation issued with the decision ("QUY ĐỊNH … ban hành kèm theo …").
                self._open(0, _Node(UnitKind.ANNEX, None, line, [line]))
                self.closed = False
                return True
            return False
        if _CLOSING.match(line) and self.root.units:
            self._open(0, _Node(UnitKind.CLOSING, None, None, [line]))
            self.closed = True
            return True
        if m := _CHAPTER.match(line):
            at = self._container(frozenset({UnitKind.CHAPTER}))
            if at is not None:
                self._open(at, _Node(UnitKind.CHAPTER, m.group(1), m.group(2) or None, [line],
                                     wants_title=not m.group(2)))
                return True
        if m := _SECTION.match(line):
            at = self._container(frozenset({UnitKind.SECTION}))
            if at is not None:
                self._open(at, _Node(UnitKind.SECTION, m.group(1), m.group(2) or None, [line],
                                     wants_title=not m.group(2)))
                return True
        if m := _ARTICLE.match(line):
            number = m.group(1)
            scope = id(self._article_scope())
            previous = self.last_article.get(scope, 0)
            if int(re.sub(r"\D", "", number)) > previous or not number.isdigit():
                at = self._container(frozenset({UnitKind.ARTICLE}))
                if at is not None:
                    if number.isdigit() and int(number) != previous + 1:
                        self.notes.append(f"Sau Điều {previous} là Điều {number}: "
                                          "kiểm tra xem có thiếu điều nào.")
                    self._open(at, _Node(UnitKind.ARTICLE, number, m.group(2).strip() or None, [line]))
                    self.last_article[scope] = max(previous, int(re.sub(r"\D", "", number)))
                    return True
        if m := _PART.match(line):
            at = self._container(frozenset({UnitKind.PART}))
            if at is not None and _follows(self.stack[at].last_number(UnitKind.PART), m.group(1), ROMAN):
                self._open(at, _Node(UnitKind.PART, m.group(1), m.group(2).strip("* ") or None, [line]))
                return True
        bare = _BULLET.sub("", line)
        if m := _CLAUSE.match(bare):
            at = self._container(frozenset({UnitKind.CLAUSE}))
            if at is not None and _next_int(self.stack[at].last_number(UnitKind.CLAUSE), m.group(1)):
                self._open(at, _Node(UnitKind.CLAUSE, m.group(1), None, [line]))
                return True
        if m := _POINT.match(bare):
            at = self._point_container()
            if at is not None and _follows(self.stack[at].last_number(UnitKind.POINT), m.group(1),
                                           POINT_LETTERS):
                self._open(at, _Node(UnitKind.POINT, m.group(1), None, [line]))
                return True
        return False

    def _point_container(self) -> int | None:
        # Points belong to the nearest clause, or to an article that has no clauses.
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].kind in (UnitKind.CLAUSE, UnitKind.ARTICLE):
                return i
            if self.stack[i].kind is not UnitKind.POINT:
                return None
        return None


# ---------------------------------------------------------------- the header


@dataclass
class Header:
    type: str | None = None
    abbreviation: str | None = None
    number: str | None = None
    issuer: str | None = None
    place: str | None = None
    issued: dt.date | None = None
    title: str | None = None


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def read_header(lines: list[str], notes: list[str]) -> Header:
    """Find the issuer, number, place and date, type and title among the header's paragraphs."""
    h = Header()
    type_at: int | None = None
    issuer: list[str] = []
    for i, raw in enumerate(lines):
        line = raw.strip("* ")
        if type_at is None:
            if h.number is None and (m := _NUMBER.search(line)) and len(line) < 80:
                h.number = m.group(1).rstrip(".-/")
                continue
            if (m := _DATE_LINE.match(line)) and h.issued is None:
                h.place = m.group("place").strip()
                h.issued = _date(m.group("y"), m.group("m"), m.group("d"))
                if h.issued is None:
                    notes.append(f"Ngày ban hành không hợp lệ: «{line}».")
                continue
            kind = next((k for k in TYPES if line.isupper() and (line == k or line.startswith(k + " "))),
                        None)
            if kind is not None:
                h.type, h.abbreviation = TYPES[kind]
                type_at = i
                rest = line[len(kind):].strip()
                if rest:
                    h.title = rest
                continue
            if _MOTTO.match(line):
                continue
            if line.isupper() and h.number is None and h.issued is None:
                issuer.append(line)
        else:
            if _PREAMBLE.search(line) or _DATE_LINE.match(line):
                break
            h.title = f"{h.title} {line}" if h.title else line
    if h.title:
        h.title = h.title.replace("**", "").strip()
    if issuer:
        h.issuer = " ".join(issuer)
    return h


def _effective(file_units: list[Unit], issued: dt.date | None) -> dt.date | None:
    for u in (u for top in file_units for u in top.walk()):
        if u.kind is UnitKind.HEADER:
            continue
        m = _EFFECTIVE.search(u.text)
        if m is None:
            continue
        if m.group("signed"):
            return issued
        if m.group("y"):
            return _date(m.group("y"), m.group("m"), m.group("d"))
        return _date(m.group("y2"), m.group("m2"), m.group("d2"))
    return None


def slug(text: str, limit: int = 40) -> str:
    """Return an id-safe slug: folded, lower case, words joined by dashes, at most `limit` characters."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    out = ""
    for w in words:
        candidate = f"{out}-{w}" if out else w
        if len(candidate) > limit:
            break
        out = candidate
    return out or "van-ban"


def document_id(abbreviation: str | None, number: str | None, title: str) -> str:
    """Make an id the way the handbook names its documents: "qd-27-2025", "kh-123-kh-ubnd"."""
    abbr = abbreviation or "vb"
    if number:
        m = re.match(r"^(\d+)/(\d{4})/", number)
        if m:
            return f"{abbr}-{m.group(1)}-{m.group(2)}"
        return slug(f"{abbr} {number}")
    return slug(f"{abbr} {title}")


def display_type(type_: str | None) -> str:
    return type_ or "Văn bản"


def read_document(source: SourceText, source_name: str | None = None) -> ParsedDocument:
    """Read the structure and particulars of a text; raise ValueError if it has no unit at all."""
    reader = _Reader()
    for line in source.paragraphs:
        reader.feed(line)
    notes = list(source.notes) + reader.notes
    header = read_header(reader.header.lines, notes)
    units: list[Unit] = []
    if reader.header.lines:
        units.append(reader.header.freeze())
    units += [u.freeze() for u in reader.root.units]
    if not any(u.kind not in (UnitKind.HEADER, UnitKind.CLOSING) for u in units):
        raise ValueError("Không thấy chương, điều, khoản hay mục nào: văn bản có đúng là văn bản pháp luật "
                         "hoặc kế hoạch không?")
    title = (header.title or "").strip("* ") or (source_name or "Văn bản")
    type_ = display_type(header.type)
    if header.number:
        name = f"{type_} {header.number}"
    else:
        # "Kế hoạch Thực hiện Quyết định…" reads as "Kế hoạch thực hiện Quyết định…".
        name = f"{type_} {title if title.isupper() else title[:1].lower() + title[1:]}"
        if len(name) > 120:
            name = name[:119].rsplit(" ", 1)[0] + "…"
    if header.type is None:
        notes.append("Không thấy loại văn bản (QUYẾT ĐỊNH, THÔNG TƯ, LUẬT, KẾ HOẠCH…) ở phần đầu.")
    if header.number is None:
        notes.append("Không thấy số hiệu văn bản («Số: …»): dùng --number để ghi.")
    if header.issued is None:
        notes.append("Không thấy ngày ban hành («…, ngày … tháng … năm …»): dùng --issued để ghi.")
    if header.issuer is None:
        notes.append("Không thấy cơ quan ban hành ở phần đầu.")
    effective = _effective(units, header.issued)
    if effective is None:
        notes.append("Văn bản không nêu ngày có hiệu lực đọc được: dùng --effective để ghi.")
    replaces: list[str] = []
    for u in (u for top in units if top.kind is not UnitKind.HEADER for u in top.walk()):
        replaces += [n.rstrip(".,;") for n in _REPLACES.findall(u.text)]
    info = DocumentInfo(
        id=document_id(header.abbreviation, header.number, title), type=type_, number=header.number,
        name=name, title=title, issuer=header.issuer, place=header.place, issued=header.issued,
        effective=effective, source=source_name, unread=notes,
    )
    return ParsedDocument(DocumentFile(document=info, units=units), list(dict.fromkeys(replaces)))
