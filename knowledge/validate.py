"""`tcpl validate`: check exactly the knowledge files named, each by its kind, as file:line problems."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.deadlines import ReminderPolicy, load_policy
from knowledge.department import DepartmentFile, load_department
from knowledge.documents.schema import DocumentFile
from knowledge.documents.store import parse_document
from knowledge.lexicon import LexiconFile, load_lexicon
from knowledge.loader import (
    Handbook,
    InvalidKnowledge,
    Problem,
    load_handbook_files,
    load_plans,
    read_yaml,
)
from knowledge.recognition import RecognitionFile, load_recognition
from knowledge.schema import HandbookFile


@dataclass(frozen=True)
class Kind:
    """A kind of knowledge file, told by the top-level keys only it uses."""

    name: str  # as problem messages name it
    keys: frozenset[str]  # any of these at the top level marks the kind


HANDBOOK = Kind("handbook (documents, entries, menus)", frozenset(HandbookFile.model_fields))
PLAN = Kind("plan (plan)", frozenset({"plan"}))
# Keys another kind also uses ("agencies" is in plans too, "timezone" anywhere) do not tell a kind.
SYNONYMS = Kind("synonyms (abbreviations, synonyms, …)", frozenset(LexiconFile.model_fields) - {"agencies"})
POLICY = Kind("reminder policy (send_window, rates, …)",
              frozenset(ReminderPolicy.model_fields) - {"timezone"})
RECOGNITION = Kind("recognition rules (regimes)", frozenset(RecognitionFile.model_fields))
DOCUMENT = Kind("official text (document, units)", frozenset(DocumentFile.model_fields))
DEPARTMENT = Kind("the Department's answers (answers)", frozenset(DepartmentFile.model_fields))
KINDS = (HANDBOOK, PLAN, SYNONYMS, POLICY, RECOGNITION, DOCUMENT, DEPARTMENT)


def kind_of(data: Any) -> Kind | None:
    """Tell a file's kind from its top-level keys; None when it is no knowledge file or is ambiguous."""
    if not isinstance(data, dict):
        return None
    matches = [k for k in KINDS if k.keys & set(data)]
    return matches[0] if len(matches) == 1 else None


def _not_knowledge(path: Path) -> Problem:
    kinds = "; ".join(k.name for k in KINDS)
    return Problem(path, 1, f"not a knowledge file: expected one of {kinds}")


def validate_files(paths: Sequence[Path]) -> list[Problem]:
    """Validate the named files (a folder stands for its *.yaml files); report problems in them only."""
    files: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        if p.is_dir():
            files += sorted(p.glob("*.yaml"))
        elif not p.exists():
            problems.append(Problem(p, 1, "no such file"))
        else:
            files.append(p)
    by_kind: dict[str, list[Path]] = {}
    for f in dict.fromkeys(files):
        if f.suffix.lower() not in (".yaml", ".yml"):
            problems.append(_not_knowledge(f))
            continue
        data, _, errs = read_yaml(f)
        if errs:
            problems += errs
            continue
        kind = kind_of(data)
        if kind is None:
            problems.append(_not_knowledge(f))
            continue
        by_kind.setdefault(kind.name, []).append(f)
    handbook: Handbook | None = None
    if handbook_files := by_kind.get(HANDBOOK.name):
        # A handbook file links to entries of its sibling files: read those for their ids only.
        siblings = {s for f in handbook_files for s in f.parent.glob("*.yaml")} - set(handbook_files)
        handbook_siblings = [s for s in sorted(siblings) if kind_of(read_yaml(s)[0]) is HANDBOOK]
        try:
            handbook = load_handbook_files(handbook_files, context=handbook_siblings)
        except InvalidKnowledge as exc:
            problems += exc.problems
    if plan_files := by_kind.get(PLAN.name):
        # Together, so two plans with one id are caught; each file's problems are its own.
        try:
            load_plans(os.pathsep.join(str(f) for f in plan_files), handbook)
        except InvalidKnowledge as exc:
            problems += exc.problems
    checks: list[tuple[Kind, Callable[[Path], object]]] = [
        (SYNONYMS, load_lexicon),
        (POLICY, load_policy),
        (RECOGNITION, load_recognition),
        (DOCUMENT, parse_document),
        (DEPARTMENT, load_department),
    ]
    for kind, check in checks:
        for f in by_kind.get(kind.name, []):
            try:
                check(f)
            except InvalidKnowledge as exc:
                problems += exc.problems
    return problems
