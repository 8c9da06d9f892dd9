"""What questions are answered from, built in one piece so it can be replaced in one piece.

The shipped handbook, the official texts the Department loaded and the Department's own answers make
one handbook (one document table decides what is replaced) and one engine. A change to any file builds
new Sources; the old ones keep serving until the new ones are complete and valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from knowledge.department import DepartmentHandbook, load_department, merge_handbook
from knowledge.documents.clauses import ClauseIndex
from knowledge.documents.library import Library, load_library
from knowledge.engine import Engine
from knowledge.lexicon import Lexicon
from knowledge.loader import Handbook, InvalidKnowledge, Problem
from knowledge.recognition import RegimeRules
from knowledge.schema import Regime


@dataclass(frozen=True)
class Sources:
    handbook: Handbook  # shipped entries and the Department's, over the shared document table
    engine: Engine
    library: Library
    department: DepartmentHandbook


def build_sources(shipped: Handbook, lexicon: Lexicon, recognition: Mapping[Regime, RegimeRules],
                  documents_dir: Path | None, department_path: Path | None) -> Sources:
    """Load the documents folder and the Department's file beside the shipped handbook; check all."""
    problems: list[Problem] = []
    library = Library(validity=dict(shipped.documents))
    department = DepartmentHandbook(department_path)
    try:
        library = load_library(documents_dir, shipped.documents)
    except InvalidKnowledge as exc:
        problems += exc.problems
    try:
        department = load_department(department_path)
    except InvalidKnowledge as exc:
        problems += exc.problems
    if problems:
        raise InvalidKnowledge(problems)
    handbook = merge_handbook(shipped, library.validity, department)
    # The handbook's words beside the clauses: a clause and an entry are weighed on the same measure.
    library.index = ClauseIndex(library, lexicon, handbook.entries.values())
    return Sources(handbook, Engine(handbook, lexicon, recognition=dict(recognition)), library, department)
