"""Commands for the knowledge the Department keeps: `tcpl documents …` and `tcpl handbook add|list|remove`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from bot.cli.common import (
    EXIT_USAGE,
    MSG_CANNOT_USE,
    day_or_exit,
    fail,
    fail_invalid,
    os_reason,
    settings_or_exit,
)
from bot.config import Settings
from bot.knowledge_files import DEPARTMENT_KEY, Change, KnowledgeFiles, document_key
from knowledge.department import DepartmentEntry, dump_department, invalid_fields, next_id
from knowledge.documents.library import Corrections, LoadedDocument, adopt
from knowledge.documents.reading import UnreadableText, read_source
from knowledge.documents.schema import DocumentFile, UnitKind
from knowledge.documents.store import dump_document
from knowledge.documents.structure import read_document
from knowledge.loader import InvalidKnowledge
from knowledge.sources import Sources

documents_app = typer.Typer(no_args_is_help=True, help="Official texts the bot quotes (văn bản).")

COUNTED = ((UnitKind.PART, "phần"), (UnitKind.CHAPTER, "chương"), (UnitKind.SECTION, "mục"),
           (UnitKind.ARTICLE, "điều"), (UnitKind.CLAUSE, "khoản/mục"), (UnitKind.POINT, "điểm"),
           (UnitKind.ANNEX, "phụ lục"))


def knowledge_files(settings: Settings) -> tuple[KnowledgeFiles, Sources]:
    """Return the Department's files and what they give now; exit with file:line lines when invalid."""
    from knowledge.lexicon import load_lexicon
    from knowledge.loader import load_handbook
    from knowledge.recognition import load_recognition

    assert settings.documents_dir is not None and settings.department_handbook_path is not None
    try:
        files = KnowledgeFiles(settings.documents_dir, settings.department_handbook_path,
                               load_handbook(settings.handbook_dir), load_lexicon(settings.synonyms_path),
                               load_recognition())
        return files, files.load()
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        raise


def apply_or_exit(settings: Settings, files: KnowledgeFiles, change: Change, by: str) -> Sources:
    """Check and write a change, and publish it to the database for every running instance."""
    try:
        sources = files.apply(change)
    except InvalidKnowledge as exc:
        for p in exc.problems:
            typer.echo(str(p), err=True)
        fail("Thay đổi không hợp lệ nên chưa được lưu; bot vẫn dùng nội dung cũ.", 1)
    publish(settings, change, by)
    return sources


def publish(settings: Settings, change: Change, by: str) -> None:
    """Tell every instance (through the shared database) that these files changed."""
    import asyncio

    from bot.knowledge_sync import publish_change

    try:
        asyncio.run(publish_change(settings, change, by))
    except Exception as exc:  # the file is written; the running bot on this machine also picks it up
        typer.echo(f"Đã lưu tệp nhưng chưa ghi được vào cơ sở dữ liệu ({type(exc).__name__}); "
                   "bot chạy trên máy này vẫn tự nạp trong vòng một phút.", err=True)


def counts(file: DocumentFile) -> str:
    n: dict[UnitKind, int] = {}
    for u in file.walk():
        n[u.kind] = n.get(u.kind, 0) + 1
    return ", ".join(f"{n[k]} {word}" for k, word in COUNTED if n.get(k)) or "không có"


def today(settings: Settings) -> dt.date:
    from bot.clock import SystemClock

    return SystemClock().now().astimezone(settings.tz).date()


def _day(text: str | None) -> dt.date | None:
    return day_or_exit(text) if text else None


def _vn(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "chưa rõ"


@documents_app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help=".docx, .pdf (with a text layer), .html or .txt")],
    doc_id: Annotated[str | None, typer.Option("--id", help="Id to store it under (default: its number).")]
    = None,
    effective: Annotated[str | None, typer.Option("--effective", help="Effective date, dd/mm/yyyy.")] = None,
    replaces: Annotated[list[str] | None, typer.Option("--replaces", help="Id of a document it replaces.")]
    = None,
    number: Annotated[str | None, typer.Option("--number", help="Its number, e.g. 27/2025/QĐ-TTg.")] = None,
    issued: Annotated[str | None, typer.Option("--issued", help="Date issued, dd/mm/yyyy.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Read an official text, show what was found, and store it as a reviewable YAML file."""
    settings = settings_or_exit()
    files, sources = knowledge_files(settings)
    corrections = Corrections(id=doc_id, number=number, issued=_day(issued), effective=_day(effective),
                              replaces=tuple(replaces or ()))
    try:
        file.open("rb").close()
    except OSError as exc:
        fail(MSG_CANNOT_USE.format(path=file, why=os_reason(exc)), EXIT_USAGE)
    try:
        parsed = read_document(read_source(file), file.name)
    except UnreadableText as exc:
        fail(str(exc), 1)
    except ValueError as exc:
        fail(f"Không đọc được cấu trúc của «{file.name}»: {exc}", 1)
    try:
        document = adopt(parsed, sources.library, corrections, today(settings))
    except ValidationError:  # an --id that is not a valid id
        fail("Mã văn bản (--id) không hợp lệ: chỉ dùng chữ thường không dấu, số, dấu chấm và gạch ngang, "
             "tối đa 40 ký tự, ví dụ qd-27-2025.", 2)
    info = document.document
    replaced_before = info.id in sources.library.documents
    new_sources = apply_or_exit(settings, files, {document_key(info.id): dump_document(document)}, "cli")
    loaded = new_sources.library.documents[info.id]
    if as_json:
        typer.echo(json.dumps(describe(loaded, new_sources), ensure_ascii=False, indent=2))
        return
    typer.echo(f"Đã đọc «{file.name}»: {info.name}")
    typer.echo(f"  Loại: {info.type} · Số: {info.number or 'chưa rõ'} · Ngày ban hành: {_vn(info.issued)}"
               + (f" · Nơi ban hành: {info.place}" if info.place else ""))
    typer.echo(f"  Cơ quan ban hành: {info.issuer or 'chưa rõ'}")
    typer.echo(f"  Tiêu đề: {info.title}")
    typer.echo(f"  Hiệu lực: {_vn(info.effective)}"
               + ("" if info.effective else " (dùng --effective để ghi)"))
    if info.replaces:
        typer.echo("  Thay thế: " + ", ".join(new_sources.library.validity[r].name for r in info.replaces))
    typer.echo(f"  Cấu trúc: {counts(document)}")
    if info.unread:
        typer.echo("  Cần kiểm tra:")
        for note in info.unread:
            typer.echo(f"   - {note}")
    verb = "Đã thay bản cũ" if replaced_before else "Đã lưu"
    typer.echo(f"{verb}: {loaded.path} (mã {info.id})")


def describe(loaded: LoadedDocument, sources: Sources) -> dict[str, Any]:
    info = loaded.info
    validity = sources.library.validity[info.id]
    n: dict[str, int] = {}
    for u in loaded.nodes:
        n[u.kind.value] = n.get(u.kind.value, 0) + 1
    return {
        "id": info.id, "name": info.name, "type": info.type, "number": info.number, "title": info.title,
        "issuer": info.issuer, "place": info.place,
        "issued": info.issued.isoformat() if info.issued else None,
        "effective": validity.effective.isoformat() if validity.effective else None,
        "replaces": info.replaces, "replaced_by": validity.replaced_by, "counts": n, "unread": info.unread,
        "file": str(loaded.path),
    }


@documents_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the loaded documents."""
    settings = settings_or_exit()
    _, sources = knowledge_files(settings)
    rows = [describe(d, sources) for d in sources.library.documents.values()]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("Chưa có văn bản nào. Thêm bằng: tcpl documents add TỆP")
        return
    for r in rows:
        state = (f"thay thế bởi {r['replaced_by']}" if r["replaced_by"]
                 else f"hiệu lực {r['effective'] or 'chưa rõ'}")
        typer.echo(f"{r['id']}: {r['name']} — {r['counts'].get('article', 0)} điều ({state})")


@documents_app.command("show")
def show(
    doc_id: Annotated[str, typer.Argument(help="Document id (tcpl documents list).")],
    article: Annotated[str | None, typer.Option("--article", help="Only this article (Điều).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print a document (or one article) verbatim."""
    settings = settings_or_exit()
    _, sources = knowledge_files(settings)
    loaded = sources.library.documents.get(doc_id)
    if loaded is None:
        fail(f"Không có văn bản mã «{doc_id}». Xem mã bằng: tcpl documents list", 1)
    units = [i for i, p in enumerate(loaded.parents) if p is None]
    if article is not None:
        at = loaded.find(article)
        if at is None:
            fail(f"{loaded.info.name} không có Điều {article}.", 1)
        units = [at]
    if as_json:
        out = describe(loaded, sources) | {"units": [
            {"citation": loaded.citation(i), "text": loaded.nodes[i].full_text()} for i in units]}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    typer.echo("\n".join(loaded.nodes[i].full_text() for i in units))


@documents_app.command("remove")
def remove(doc_id: Annotated[str, typer.Argument(help="Document id (tcpl documents list).")]) -> None:
    """Remove a loaded document; the bot stops quoting it within a minute."""
    settings = settings_or_exit()
    files, sources = knowledge_files(settings)
    loaded = sources.library.documents.get(doc_id)
    if loaded is None:
        fail(f"Không có văn bản mã «{doc_id}». Xem mã bằng: tcpl documents list", 1)
    apply_or_exit(settings, files, {document_key(doc_id): None}, "cli")
    typer.echo(f"Đã xóa {loaded.info.name} ({doc_id}).")


# ---------------------------------------------------------------- the Department's handbook


def handbook_add(
    question: Annotated[str, typer.Option("--question", help="The question, as officials ask it.")],
    answer: Annotated[str, typer.Option("--answer", help="The answer.")],
    citation: Annotated[str, typer.Option("--citation", help="Its basis: document, article, clause.")],
    document: Annotated[str | None, typer.Option("--document", help="Id of the document it cites.")] = None,
) -> None:
    """Add an answer of the Department to its own handbook file."""
    settings = settings_or_exit()
    files, sources = knowledge_files(settings)
    entries = list(sources.department.entries)
    try:
        entry = DepartmentEntry(id=next_id(entries), question=question, answer=answer, citation=citation,
                                document=document, added=today(settings), added_by="dòng lệnh")
    except ValidationError as exc:
        fail(f"Nội dung không hợp lệ: {invalid_fields(exc)}.", 2)
    apply_or_exit(settings, files, {DEPARTMENT_KEY: dump_department([*entries, entry])}, "cli")
    typer.echo(f"Đã thêm {entry.id}: {entry.question}")


def handbook_list(
    local: Annotated[bool, typer.Option("--local", help="Only the Department's own entries.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the Department's own entries (--local)."""
    if not local:
        fail("Dùng --local để xem các mục do Sở Tư pháp bổ sung; tcpl handbook dump để xem cả sổ tay.", 2)
    settings = settings_or_exit()
    _, sources = knowledge_files(settings)
    rows = [e.model_dump(mode="json", exclude_none=True) for e in sources.department.entries]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("Sổ tay bổ sung của Sở chưa có mục nào.")
    for e in sources.department.entries:
        typer.echo(f"{e.id} ({_vn(e.updated or e.added)}): {e.question}")


def handbook_remove(entry_id: Annotated[str, typer.Argument(help="Entry id, e.g. stp-3.")]) -> None:
    """Withdraw an entry of the Department's own handbook."""
    settings = settings_or_exit()
    files, sources = knowledge_files(settings)
    entries = list(sources.department.entries)
    kept = [e for e in entries if e.id != entry_id]
    if len(kept) == len(entries):
        fail(f"Không có mục «{entry_id}» trong sổ tay bổ sung (xem: tcpl handbook list --local).", 1)
    apply_or_exit(settings, files, {DEPARTMENT_KEY: dump_department(kept)}, "cli")
    typer.echo(f"Đã thu hồi {entry_id}.")
