"""The files the Department changes: one YAML file per loaded document, and its own handbook file.

A change is checked together with everything else the bot answers from before it lands: the new files
are written to a staging folder, the whole knowledge is built from there, and only a valid build moves
the files into place. An invalid change raises InvalidKnowledge (file:line) and nothing changes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from knowledge.lexicon import Lexicon
from knowledge.loader import Handbook, InvalidKnowledge, Problem
from knowledge.recognition import RegimeRules
from knowledge.schema import Regime
from knowledge.sources import Sources, build_sources

DEPARTMENT_KEY = "department"  # the Department's handbook file
DOCUMENT_PREFIX = "document:"  # "document:qd-27-2025.yaml"

# A change: file key → new text, or None to remove the file.
Change = Mapping[str, str | None]


def document_key(document_id: str) -> str:
    return f"{DOCUMENT_PREFIX}{document_id}.yaml"


@dataclass(frozen=True)
class KnowledgeFiles:
    """Where the Department's files live, and how a change to them is checked and applied."""

    documents_dir: Path
    department_path: Path
    shipped: Handbook
    lexicon: Lexicon
    recognition: Mapping[Regime, RegimeRules]

    def path(self, key: str) -> Path:
        if key == DEPARTMENT_KEY:
            return self.department_path
        if key.startswith(DOCUMENT_PREFIX):
            name = key[len(DOCUMENT_PREFIX):]
            if "/" in name or "\\" in name or not name.endswith(".yaml") or name.startswith("."):
                raise ValueError(f"not a document file name: {name!r}")
            return self.documents_dir / name
        raise ValueError(f"unknown knowledge file key {key!r}")

    def current(self) -> dict[str, bytes]:
        """Return every file as it is on disk, by key."""
        out: dict[str, bytes] = {}
        if self.documents_dir.is_dir():
            for p in sorted(self.documents_dir.glob("*.yaml")):
                out[DOCUMENT_PREFIX + p.name] = p.read_bytes()
        if self.department_path.is_file():
            out[DEPARTMENT_KEY] = self.department_path.read_bytes()
        return out

    def load(self) -> Sources:
        """Build the sources from the files as they are."""
        return build_sources(self.shipped, self.lexicon, self.recognition, self.documents_dir,
                             self.department_path)

    def apply(self, change: Change) -> Sources:
        """Check the files as they would be after the change; if valid, write them and return the sources."""
        with tempfile.TemporaryDirectory(prefix="tcpl-staging-") as tmp:
            staging = Path(tmp)
            docs = staging / "documents"
            docs.mkdir()
            department = staging / self.department_path.name
            for key, content in self.current().items():
                self._staged(key, docs, department).write_bytes(content)
            for key, text in change.items():
                target = self._staged(key, docs, department)
                if text is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_text(text, encoding="utf-8")
            try:
                build_sources(self.shipped, self.lexicon, self.recognition, docs, department)
            except InvalidKnowledge as exc:
                # Say where the problem will be, not where it was checked.
                problems = [self._real(p, docs, department) for p in exc.problems]
                raise InvalidKnowledge(problems) from exc
        self.write(change)
        return self.load()

    def write(self, change: Change) -> None:
        """Write the change as it is, each file replaced atomically."""
        for key, text in change.items():
            target = self.path(key)
            if text is None:
                target.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def _staged(self, key: str, docs: Path, department: Path) -> Path:
        return department if key == DEPARTMENT_KEY else docs / self.path(key).name

    def _real(self, p: Problem, docs: Path, department: Path) -> Problem:
        if p.path == department:
            return Problem(self.department_path, p.line, p.message)
        if p.path.parent == docs:
            return Problem(self.documents_dir / p.path.name, p.line, p.message)
        return p

