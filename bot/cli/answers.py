"""Commands about answers and knowledge files: `tcpl ask`, `tcpl validate`, `tcpl handbook dump`."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import EXIT_USAGE, fail, fail_invalid, os_reason, settings_or_exit
from bot.wiring import load_all, load_checked, load_sources
from handlers.answers import answer
from knowledge.documents.library import Library
from knowledge.engine import Engine
from knowledge.loader import InvalidKnowledge
from knowledge.recognition import DEFAULT_RECOGNITION_PATH
from knowledge.validate import validate_files

handbook_app = typer.Typer(no_args_is_help=True, help="Inspect the handbook.")


def ask(
    question: Annotated[str | None, typer.Argument(help="The question, in Vietnamese.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per question.")] = False,
    batch: Annotated[str | None, typer.Option("--batch", help="File with one question per line; - = stdin.")]
    = None,
) -> None:
    """Answer a question from the handbook."""
    settings = settings_or_exit()
    try:
        _, sources, _ = load_sources(settings)
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        return
    from bot.cli.documents import today

    engine = Answering(sources.engine, sources.library, today(settings))
    if batch is not None:
        try:
            stream = sys.stdin if batch == "-" else open(batch, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            fail(f"Không đọc được tệp câu hỏi {batch}: {os_reason(exc)}.", EXIT_USAGE)
        with stream:
            for line in stream:
                q = line.rstrip("\n")
                typer.echo(_render(engine, q, as_json))
        return
    if question is None or not question.strip():
        fail("Hãy nêu câu hỏi, ví dụ: tcpl ask \"điều kiện công nhận là gì\"", EXIT_USAGE)
    typer.echo(_render(engine, question, as_json))


@dataclass(frozen=True)
class Answering:
    """What `tcpl ask` answers from: the engine and the loaded texts, on one day."""

    engine: Engine
    library: Library
    today: dt.date


def _render(sources: Answering, question: str, as_json: bool) -> str:
    result = answer(sources.engine, question, sources.library, sources.today)
    if not as_json:
        return result.text
    return json.dumps(
        {
            "question": question,
            "found": result.found,
            "answer": result.text,
            "entry_id": result.entry_id,
            "score": round(result.score, 4),
            "citations": list(result.citations),
            "suggestions": [{"entry_id": e.id, "title": e.title} for e in result.suggestions],
        },
        ensure_ascii=False,
    )


def validate(paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders.")] = None) -> None:
    """Validate the knowledge files (all, or exactly those named); print every error with file and line."""
    settings = settings_or_exit()
    targets = paths or [settings.handbook_dir, *(Path(p) for p in settings.plan_path.split(os.pathsep) if p),
                        settings.synonyms_path, settings.reminder_policy_path, DEFAULT_RECOGNITION_PATH]
    problems = validate_files(targets)
    if not paths:
        try:
            load_all(settings)
        except InvalidKnowledge as exc:
            problems += [p for p in exc.problems if p not in problems]
    for p in problems:
        typer.echo(str(p))
    if problems:
        typer.echo(f"{len(problems)} lỗi.", err=True)
        raise typer.Exit(1)
    typer.echo("Hợp lệ.")


@handbook_app.command("dump")
def handbook_dump(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print every handbook entry (id, title, question phrasings, answer, citation)."""
    settings = settings_or_exit()
    try:
        knowledge, _ = load_checked(settings)
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        return
    hb = knowledge.handbook
    rows = []
    for e in hb.entries.values():
        doc = hb.documents[e.document]
        rows.append({
            "id": e.id, "title": e.title, "questions": e.questions, "answer": e.answer,
            "citation": e.citation, "document": doc.name, "confidence": e.confidence.value,
            "regime": doc.regime.value, "replaced_by": doc.replaced_by,
        })
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            typer.echo(f"{r['id']}: {r['title']}")
