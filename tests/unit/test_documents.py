"""Reading official texts: header, structure, verbatim units, in every format the Department receives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from knowledge.documents.library import Corrections, LoadedDocument, adopt, build_library, load_library
from knowledge.documents.reading import UnreadableText, read_source
from knowledge.documents.schema import UnitKind
from knowledge.documents.store import dump_document, parse_document
from knowledge.documents.structure import read_document
from knowledge.loader import InvalidKnowledge, load_handbook
from tests.fakes.documents import (
    CIRCULAR,
    DECISION_BODY,
    HEADER_LEFT,
    HEADER_RIGHT,
    PLAN,
    decision_lines,
    write_docx,
    write_html,
    write_pdf,
    write_scanned_pdf,
    write_txt,
)

SEED_PLAN = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "ke-hoach-soc-trang-qd25-2021.txt"
WRITERS = {
    "txt": lambda p: write_txt(p, decision_lines()),
    "docx": lambda p: write_docx(p, DECISION_BODY, (HEADER_LEFT, HEADER_RIGHT)),
    "html": lambda p: write_html(p, decision_lines()),
    "pdf": lambda p: write_pdf(p, decision_lines()),
}


def texts(parsed) -> list[str]:
    return [line for u in parsed.file.walk() for line in u.text.split("\n")]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_decision_reads_the_same_in_every_format(tmp_path, fmt):
    path = WRITERS[fmt](tmp_path / f"qd.{fmt}")
    source = read_source(path)
    assert source.paragraphs == decision_lines()  # PDF lines wrapped by the page are joined back
    parsed = read_document(source, path.name)
    info = parsed.file.document
    assert (info.type, info.number, info.issued, info.place) == (
        "Quyết định", "99/2099/QĐ-BTN", dt.date(2099, 8, 4), "Hà Nội")
    assert info.issuer == "BỘ THỬ NGHIỆM PHẦN MỀM"
    assert info.title.startswith("Quy định thí điểm về việc nuôi cá cảnh")
    assert info.name == "Quyết định 99/2099/QĐ-BTN" and info.id == "qd-99-2099"
    assert info.effective == dt.date(2100, 1, 1)
    assert parsed.replaces_numbers == ["98/2098/QĐ-BTN"]
    counts = parsed.counts()
    assert (counts["chapter"], counts["article"], counts["clause"], counts["point"], counts["annex"]) == (
        2, 4, 8, 3, 1)
    assert texts(parsed) == source.paragraphs, "every paragraph is in exactly one unit, in order"


def test_units_hold_their_text_verbatim_and_in_place(tmp_path):
    parsed = read_document(read_source(write_txt(tmp_path / "qd.txt", decision_lines())))
    file = parsed.file
    chapter = next(u for u in file.units if u.kind is UnitKind.CHAPTER)
    assert (chapter.number, chapter.title) == ("I", "QUY ĐỊNH CHUNG")
    article2 = next(u for u in file.walk() if u.kind is UnitKind.ARTICLE and u.number == "2")
    assert article2.title == "Điều kiện nuôi cá cảnh"
    clause2 = article2.units[1]
    assert [p.number for p in clause2.units] == ["a", "b", "c"]
    assert clause2.full_text() == "\n".join(DECISION_BODY[10:14])
    article3 = next(u for u in file.walk() if u.kind is UnitKind.ARTICLE and u.number == "3")
    # "5." after khoản 2 does not follow on: it stays words of khoản 2.
    assert [c.number for c in article3.units] == ["1", "2"]
    assert article3.units[1].text.endswith("là lời văn của khoản 2.")
    closing = next(u for u in file.units if u.kind is UnitKind.CLOSING)
    assert closing.text.startswith("Nơi nhận:") and "Nguyễn Văn Thử" in closing.text
    annex = file.units[-1]
    assert (annex.kind, annex.number, annex.title) == (UnitKind.ANNEX, "I", "MẪU ĐƠN ĐĂNG KÝ NUÔI CÁ CẢNH")
    assert [c.number for c in annex.units] == ["1", "2"]


def test_a_circular_effective_from_signing(tmp_path):
    parsed = read_document(read_source(write_docx(tmp_path / "tt.docx", CIRCULAR)))
    info = parsed.file.document
    assert (info.type, info.number, info.id) == ("Thông tư", "7/2099/TT-BTN", "tt-7-2099")
    assert info.effective == info.issued == dt.date(2099, 9, 15)
    assert parsed.counts()["article"] == 2
    assert texts(parsed) == CIRCULAR


def test_a_plan_reads_as_parts_items_and_sub_items(tmp_path):
    parsed = read_document(read_source(write_pdf(tmp_path / "kh.pdf", PLAN)))
    info = parsed.file.document
    assert (info.type, info.number, info.issued) == ("Kế hoạch", "5/KH-UBND", dt.date(2099, 10, 20))
    parts = [u for u in parsed.file.units if u.kind is UnitKind.PART]
    assert [(p.number, p.title) for p in parts] == [("I", "MỤC ĐÍCH, YÊU CẦU"), ("II", "NỘI DUNG THỰC HIỆN")]
    item = parts[1].units[0]
    assert [p.number for p in item.units] == ["a", "b"]
    assert item.units[1].text == "\n".join(PLAN[13:16])  # the bullet lines belong to their sub-item
    assert texts(parsed) == PLAN


def test_the_seed_plan_reads_into_its_sections_and_items():
    source = read_source(SEED_PLAN)
    parsed = read_document(source, SEED_PLAN.name)
    parts = [u for u in parsed.file.units if u.kind is UnitKind.PART]
    assert [p.number for p in parts] == ["I", "II", "III"]
    assert [u.number for u in parts[1].units] == [str(n) for n in range(1, 9)]
    assert [u.number for u in parts[1].units[2].units] == ["a", "b", "c"]  # "- c) Tổ chức tập huấn…"
    assert [u.number for u in parts[1].units[3].units] == ["a", "b", "c", "d", "đ", "e"]
    assert [u.number for u in parts[2].units[0].units] == ["a", "b", "c", "d", "đ"]
    assert parsed.file.units[-1].kind is UnitKind.CLOSING
    assert texts(parsed) == source.paragraphs
    library = build_library([], load_handbook().documents)
    loaded = LoadedDocument.of(adopt(parsed, library, Corrections(), dt.date(2026, 12, 1)), SEED_PLAN, b"")
    point = next(i for i, u in enumerate(loaded.nodes) if u.text.startswith("- c) Tổ chức tập huấn"))
    assert loaded.address(point) == "mục II.3.c"


def test_a_scanned_pdf_is_refused_clearly(tmp_path):
    with pytest.raises(UnreadableText, match="không có lớp chữ"):
        read_source(write_scanned_pdf(tmp_path / "scan.pdf"))


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("a.doc", b"x", "chỉ nhận .docx"),
    ("a.docx", b"not a zip", "không phải tệp Word"),
    ("a.pdf", b"%PDF-garbage", "không phải tệp PDF"),
    ("a.txt", "Đạt chuẩn".encode("utf-16-le"), "UTF-8"),
    ("a.txt", b"   \n\n", "không có chữ"),
])
def test_files_that_are_not_texts_are_refused_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableText, match=reason):
        read_source(path)


def test_a_text_without_structure_is_refused(tmp_path):
    with pytest.raises(ValueError, match="Không thấy"):
        read_document(read_source(write_txt(tmp_path / "note.txt", ["Một ghi chú", "không có điều khoản"])))


def test_the_yaml_file_round_trips(tmp_path):
    parsed = read_document(read_source(write_txt(tmp_path / "qd.txt", decision_lines())), "qd.txt")
    path = tmp_path / "qd-99-2099.yaml"
    path.write_text(dump_document(parsed.file), encoding="utf-8")
    assert parse_document(path) == parsed.file


@pytest.mark.parametrize(("edit", "message"), [
    (("kind: point", "kind: chapter"), "cannot hold a chapter"),
    (("kind: closing", "kind: signature"), "kind"),
    (("  id: qd-99-2099", "  id: QĐ 99"), "document.id"),
])
def test_a_broken_yaml_file_is_reported_with_its_line(tmp_path, edit, message):
    parsed = read_document(read_source(write_txt(tmp_path / "qd.txt", decision_lines())), "qd.txt")
    path = tmp_path / "qd-99-2099.yaml"
    text = dump_document(parsed.file)
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(InvalidKnowledge) as caught:
        parse_document(path)
    [problem] = caught.value.problems[:1]
    assert problem.path == path and problem.line > 1 and message in problem.message


def _library(tmp_path, *lines_by_name, handbook=None):
    docs = tmp_path / "documents"
    docs.mkdir(exist_ok=True)
    for name, lines, corrections in lines_by_name:
        parsed = read_document(read_source(write_txt(tmp_path / name, lines)), name)
        file = adopt(parsed, load_library(docs, handbook or {}), corrections, dt.date(2099, 12, 1))
        (docs / f"{file.document.id}.yaml").write_text(dump_document(file), encoding="utf-8")
    return load_library(docs, handbook or {})


def test_citations_name_point_clause_article_and_document(tmp_path):
    library = _library(tmp_path, ("qd.txt", decision_lines(), Corrections()))
    doc = library.documents["qd-99-2099"]
    at = doc.find("2", "2", "b")
    assert at is not None and doc.citation(at) == "điểm b khoản 2 Điều 2 Quyết định 99/2099/QĐ-BTN"
    assert doc.citation(doc.find("4", "1")) == "khoản 1 Điều 4 Quyết định 99/2099/QĐ-BTN"
    assert doc.find("9") is None and doc.find("2", "7") is None
    annex_item = next(i for i, u in enumerate(doc.nodes) if u.text == "2. Số lượng và dung tích bể cá.")
    assert doc.citation(annex_item) == "mục 2 Phụ lục I Quyết định 99/2099/QĐ-BTN"


def test_a_replaced_document_carries_the_replacement_note(tmp_path):
    old = [line.replace("99/2099", "98/2098") for line in decision_lines()[:-12]]
    library = _library(tmp_path, ("old.txt", old, Corrections()), ("qd.txt", decision_lines(), Corrections()))
    new = library.documents["qd-99-2099"]
    assert new.info.replaces == ["qd-98-2098"]  # read from "thay thế Quyết định số 98/2098/QĐ-BTN"
    notes = library.notes("qd-98-2098", dt.date(2100, 6, 1))
    assert notes and "đã được thay thế bởi Quyết định 99/2099/QĐ-BTN" in notes[0]
    assert "01/01/2100" in notes[0]
    assert library.notes("qd-99-2099", dt.date(2099, 12, 1)) == [
        "Lưu ý: Quyết định 99/2099/QĐ-BTN có hiệu lực từ ngày 01/01/2100."]
    assert library.notes("qd-99-2099", dt.date(2100, 1, 1)) == []


def test_a_document_the_handbook_knows_takes_its_id_and_validity(tmp_path):
    handbook = load_handbook().documents
    lines = [line.replace("99/2099/QĐ-BTN", "25/2021/QĐ-TTg") for line in CIRCULAR]
    library = _library(tmp_path, ("qd25.txt", lines, Corrections(number="25/2021/QĐ-TTg")), handbook=handbook)
    assert "qd-25-2021" in library.documents
    notes = library.notes("qd-25-2021", dt.date(2026, 12, 1))
    assert notes and "đã được thay thế bởi Quyết định 27/2025/QĐ-TTg" in notes[0]


def test_two_files_with_one_id_are_refused(tmp_path):
    docs = tmp_path / "documents"
    docs.mkdir()
    parsed = read_document(read_source(write_txt(tmp_path / "qd.txt", decision_lines())), "qd.txt")
    for name in ("a.yaml", "b.yaml"):
        (docs / name).write_text(dump_document(parsed.file), encoding="utf-8")
    with pytest.raises(InvalidKnowledge, match="also used by a.yaml"):
        load_library(docs, {})
