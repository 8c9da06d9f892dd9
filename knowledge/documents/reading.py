"""Read the paragraphs of an official text from .docx, .pdf (with a text layer), .html or .txt."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".docx", ".pdf", ".html", ".htm", ".txt")
MAX_BYTES = 20 * 1024 * 1024  # a decree with annexes is a few MB; past this it is not a text

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PAGE_NUMBER = re.compile(r"^(trang\s*)?\d{1,4}(\s*/\s*\d{1,4})?$", re.IGNORECASE)

# A PDF gives visual lines: a line that starts one of these opens a new paragraph.
_OPENS_PARAGRAPH = re.compile(
    r"^(Chương\s|Mục\s+\d|Điều\s+\d|Phần\s|PHỤ LỤC|Phụ lục\s|[IVXLC]+\.\s|\d{1,3}\.|[a-zđ]\)|[-–+•*]\s"
    r"|Căn cứ\s|Theo đề nghị|Xét đề nghị|Nơi nhận|Số\s*:|CỘNG HÒA|Độc lập)"
)
_ENDS_SENTENCE = re.compile(r"[.;:!?…]$")
WRAPPED = 0.75  # a line at least this share of the page's longest line was wrapped by the page width


class UnreadableText(Exception):
    """The file cannot give a text the bot can quote (scanned PDF, wrong format, broken file)."""


@dataclass
class SourceText:
    """The paragraphs of a file, cleaned only of invisible characters and repeated spaces."""

    paragraphs: list[str]
    notes: list[str] = field(default_factory=list)  # what was left out or could not be read


def clean_line(text: str) -> str:
    """Return one paragraph as the bot keeps it: NFC, no invisible or control characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def paragraphs_of(lines: list[str]) -> list[str]:
    """Clean lines and drop the empty ones."""
    return [c for c in (clean_line(x) for x in lines) if c]


def read_source(path: Path) -> SourceText:
    """Read a file by its suffix; raise UnreadableText with a Vietnamese reason."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableText(f"Không đọc được tệp «{path.name}»: chỉ nhận .docx, .pdf, .html hoặc .txt.")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableText(f"Không mở được tệp «{path.name}»: {exc.strerror or exc}.") from exc
    if size > MAX_BYTES:
        raise UnreadableText(f"Tệp «{path.name}» quá lớn ({size // 1_000_000} MB); giới hạn 20 MB.")
    data = path.read_bytes()
    if suffix == ".docx":
        source = _docx(data, path.name)
    elif suffix == ".pdf":
        source = _pdf(data, path.name)
    elif suffix in (".html", ".htm"):
        source = _html(_decode(data, path.name))
    else:
        source = SourceText(paragraphs_of(_decode(data, path.name).splitlines()))
    if not source.paragraphs:
        raise UnreadableText(f"Tệp «{path.name}» không có chữ nào đọc được.")
    return source


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableText(
            f"Tệp «{name}» không phải văn bản Unicode (UTF-8). Hãy lưu lại với bảng mã Unicode rồi thử lại."
        ) from exc


def _docx(data: bytes, name: str) -> SourceText:
    import io
    import zipfile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableText(f"Tệp «{name}» không phải tệp Word .docx hợp lệ.") from exc
    lines: list[str] = []
    auto_numbered = 0

    def paragraph(p: Paragraph) -> None:
        nonlocal auto_numbered
        if p._p.pPr is not None and p._p.pPr.numPr is not None and p.text.strip():
            auto_numbered += 1  # Word draws the number; the text does not hold it
        lines.extend(p.text.split("\n"))

    def table(t: Table) -> None:
        # The header of a decision is a two-column table (issuer and number | motto and date).
        seen: set[int] = set()
        for row in t.rows:
            for cell in row.cells:
                if id(cell._tc) in seen:  # a merged cell repeats in every row and column it spans
                    continue
                seen.add(id(cell._tc))
                for block in cell.iter_inner_content():
                    paragraph(block) if isinstance(block, Paragraph) else table(block)

    for block in document.iter_inner_content():
        paragraph(block) if isinstance(block, Paragraph) else table(block)
    notes = []
    if auto_numbered:
        notes.append(f"{auto_numbered} đoạn dùng đánh số tự động của Word: số thứ tự của các đoạn này "
                     "không có trong văn bản đọc được, cần đối chiếu bản gốc.")
    return SourceText(paragraphs_of(lines), notes)


def _pdf(data: bytes, name: str) -> SourceText:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableText(f"Tệp PDF «{name}» có mật khẩu; hãy gửi bản không đặt mật khẩu.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UnreadableText(f"Tệp «{name}» không phải tệp PDF hợp lệ.") from exc
    letters = sum(ch.isalpha() for text in pages for ch in text)
    if letters < 20 * max(len(pages), 1) // 2:
        raise UnreadableText(
            f"Tệp PDF «{name}» không có lớp chữ (có thể là bản quét ảnh), nên không thể trích nguyên văn. "
            "Hãy dùng bản .docx, bản PDF xuất từ Word, hoặc bản HTML của văn bản."
        )
    paragraphs: list[str] = []
    dropped = 0
    previous = ""  # the last line as the page printed it (a paragraph may go on over the page)
    for text in pages:
        lines = [clean_line(raw) for raw in text.splitlines()]
        full = max((len(x) for x in lines), default=0)
        for line in lines:
            if not line:
                continue
            if _PAGE_NUMBER.match(line):
                dropped += 1
                continue
            wrapped = len(previous) >= WRAPPED * full and not _ENDS_SENTENCE.search(previous)
            if paragraphs and wrapped and not _OPENS_PARAGRAPH.match(line):
                paragraphs[-1] = f"{paragraphs[-1]} {line}"  # the page width broke this paragraph
            else:
                paragraphs.append(line)
            previous = line
    notes = [f"Bỏ {dropped} dòng chỉ có số trang."] if dropped else []
    notes.append("Văn bản PDF: các dòng bị ngắt theo khổ giấy đã được nối lại thành đoạn; "
                 "cần đối chiếu bản gốc.")
    return SourceText(paragraphs, notes)


_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table", "section",
           "article", "blockquote", "pre", "ul", "ol", "dd", "dt", "header", "footer", "title")


def _html(text: str) -> SourceText:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "head"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    # Block elements end a paragraph; inline ones (<b>, <span>, <a>) stay inside it.
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return SourceText(paragraphs_of(soup.get_text().split("\n")))
