"""Load the dev question set and score any answerer on it (used by the test and by `make bench`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.text import has_diacritics

QUESTIONS_PATH = Path(__file__).with_name("questions.yaml")

# An answerer returns the entry id it commits to, or None when it declines.
Answerer = Callable[[str], str | None]


@dataclass(frozen=True)
class Case:
    question: str
    expect: tuple[str, ...]  # acceptable entry ids; empty = out of scope, must be declined
    tags: frozenset[str]  # "typo", "abbrev", "regime", …

    @property
    def in_scope(self) -> bool:
        return bool(self.expect)

    @property
    def without_diacritics(self) -> bool:
        return not has_diacritics(self.question)


def load_cases(path: Path = QUESTIONS_PATH) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for item in data["questions"]:
        expect = item.get("expect")
        ids = () if expect is None else (tuple(expect) if isinstance(expect, list) else (expect,))
        cases.append(Case(item["q"], ids, frozenset(item.get("tags", []))))
    return cases


@dataclass
class Score:
    total: int = 0
    right: int = 0
    misses: list[tuple[Case, str | None]] = field(default_factory=list)

    def add(self, case: Case, ok: bool, got: str | None) -> None:
        self.total += 1
        self.right += ok
        if not ok:
            self.misses.append((case, got))

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class Report:
    in_scope: Score = field(default_factory=Score)
    written: Score = field(default_factory=Score)  # in scope, with diacritics
    folded: Score = field(default_factory=Score)  # in scope, without diacritics
    typo: Score = field(default_factory=Score)  # in scope, tagged typo
    declined: Score = field(default_factory=Score)  # out of scope, declined
    latencies_ms: list[float] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else 0.0


def evaluate(answerer: Answerer, cases: list[Case]) -> Report:
    report = Report()
    for case in cases:
        start = time.perf_counter()
        got = answerer(case.question)
        report.latencies_ms.append((time.perf_counter() - start) * 1000)
        if not case.in_scope:
            report.declined.add(case, got is None, got)
            continue
        ok = got in case.expect
        report.in_scope.add(case, ok, got)
        (report.folded if case.without_diacritics else report.written).add(case, ok, got)
        if "typo" in case.tags:
            report.typo.add(case, ok, got)
    return report
