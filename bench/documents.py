"""Official texts: loading a 300-article text, and answering with five documents loaded."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from bot.config import Settings
from bot.wiring import load_sources
from handlers.answers import answer
from knowledge.documents.library import Corrections, adopt, load_library, read_document_file
from knowledge.documents.reading import read_source
from knowledge.documents.store import dump_document
from knowledge.documents.structure import read_document
from knowledge.loader import load_handbook
from tests.eval.harness import load_cases
from tests.fakes.documents import long_decision, write_docx, write_pdf, write_txt

TODAY = dt.date(2026, 12, 2)
CLAUSE_QUESTIONS = [  # questions the made-up texts answer, asked as officials type
    "máy lọc nước loại 17 đạt mức bao nhiêu", "kiem tra den chieu sang moi may tuan",
    "Điều 12 QĐ 901 quy định gì", "ghi sổ theo dõi cây thủy sinh số 40",
]


def _p(values: list[float], percent: int) -> str:
    """Return a percentile in milliseconds."""
    ordered = sorted(values)
    return f"{ordered[max(0, -(-len(ordered) * percent // 100) - 1)] * 1000:.2f} ms"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def load_figures(folder: Path) -> list[str]:
    """Time `tcpl documents add` on a 300-article text in each format, and loading its YAML file."""
    lines = long_decision(300)
    handbook = load_handbook().documents
    library = load_library(None, handbook)
    out = []
    for name, write in (("txt", write_txt), ("docx", write_docx), ("pdf", write_pdf)):
        source = write(folder / f"long.{name}", lines)
        start, cpu = time.perf_counter(), time.process_time()
        parsed = read_document(read_source(source), source.name)
        file = adopt(parsed, library, Corrections(), TODAY)
        target = folder / "documents" / f"{file.document.id}.yaml"
        target.parent.mkdir(exist_ok=True)
        target.write_text(dump_document(file), encoding="utf-8")
        added, cpu = time.perf_counter() - start, time.process_time() - cpu
        out.append(f"  read .{name} + structure + YAML written   wall {_ms(added):>8}  CPU {_ms(cpu):>8}"
                   f"   ({parsed.counts()['article']} articles, {parsed.counts()['clause']} clauses, "
                   f"{parsed.counts()['point']} points)")
    start, cpu = time.perf_counter(), time.process_time()
    read_document_file(target)
    out.append(f"  YAML file read and checked              wall {_ms(time.perf_counter() - start):>8}"
               f"  CPU {_ms(time.process_time() - cpu):>8}")
    return out


def answer_figures(folder: Path) -> list[str]:
    """Answer the dev questions and clause questions with five 60-article documents loaded."""
    documents = folder / "five"
    (documents / "documents").mkdir(parents=True)
    handbook = load_handbook().documents
    for n in range(5):
        lines = [line.replace("99/2099", f"{900 + n}/2099") for line in long_decision(60)]
        parsed = read_document(read_source(write_txt(folder / f"five-{n}.txt", lines)), f"five-{n}.txt")
        file = adopt(parsed, load_library(documents / "documents", handbook), Corrections(), TODAY)
        target = documents / "documents" / f"{file.document.id}.yaml"
        target.write_text(dump_document(file), encoding="utf-8")
    start, cpu = time.perf_counter(), time.process_time()
    _, sources, _ = load_sources(Settings(data_dir=documents, _env_file=None))
    loaded, cpu = time.perf_counter() - start, time.process_time() - cpu
    _, bare, _ = load_sources(Settings(data_dir=folder / "none", _env_file=None))
    questions = [c.question for c in load_cases()] + CLAUSE_QUESTIONS * 20
    assert sources.library.index is not None
    out = [f"  everything loaded with 5 documents ({len(sources.library.index.units)} clauses indexed)"
           f"   wall {_ms(loaded):>8}  CPU {_ms(cpu):>8}"]
    for label, current in (("no documents", bare), ("5 documents", sources)):
        for q in questions[:20]:  # warm the caches, as a running bot is
            answer(current.engine, q, current.library, TODAY)
        times, cpu = [], []
        quoted = 0
        for q in questions:
            t, c = time.perf_counter(), time.thread_time()
            result = answer(current.engine, q, current.library, TODAY)
            times.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
            quoted += result.found and result.entry_id is None
        out.append(f"  answer, {label:<13} {len(questions)} questions   wall p50 {_p(times, 50)}"
                   f" p99 {_p(times, 99)}   CPU p50 {_p(cpu, 50)} p99 {_p(cpu, 99)}"
                   f"   ({quoted} quoted a clause)")
    return out


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="tcpl-bench-documents-") as tmp:
        folder = Path(tmp)
        lines = ["Official texts: a made-up 300-article decision (900 clauses, 1,800 points); "
                 "answering with five 60-article texts loaded"]
        lines += load_figures(folder)
        lines += answer_figures(folder)
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
