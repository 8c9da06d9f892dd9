"""Load labelled question sets and score any answerer on them (used by the tests and by `make bench`).

Every in-scope question is asked three ways: as written, folded (no diacritics at all) and with one
injected typo (deterministic, so runs compare); questions to decline are asked as written.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.engine import Engine
from knowledge.text import fold

EVAL_DIR = Path(__file__).parent
QUESTIONS_PATH = EVAL_DIR / "questions.yaml"  # the project's own set (paraphrases, typos, out of scope)
DEV_PATH = EVAL_DIR / "dev.yaml"  # blind questions written from the reference notes, labelled here
DEV2_PATH = EVAL_DIR / "dev2.yaml"  # a second blind set (2026-12-02), labelled here before it was run
DEV3_PATH = EVAL_DIR / "dev3.yaml"  # a third blind set (2026-12-03), labelled here before it was run
DEV4_PATH = EVAL_DIR / "dev4.yaml"  # a fourth blind set in other registers (2026-12-03), labelled first
DEV5_PATH = EVAL_DIR / "dev5.yaml"  # a fifth: near subjects, long cases (2026-12-03), labelled first
DEV6_PATH = EVAL_DIR / "dev6.yaml"  # a sixth: many writers, many declines (2026-12-03), labelled first
DEV7_PATH = EVAL_DIR / "dev7.yaml"  # a seventh: registers, numbers, unknown facts (2026-12-03), labelled
DEV8_PATH = EVAL_DIR / "dev8.yaml"  # an eighth: non-specialists' voices (2026-12-03), labelled first
DEV9_PATH = EVAL_DIR / "dev9.yaml"  # a ninth: near-domain traps, Zalo voices (2026-12-03), labelled first
DEV10_PATH = EVAL_DIR / "dev10.yaml"  # a tenth: a tester's paraphrases and false premises (2026-12-03)
DEV11_PATH = EVAL_DIR / "dev11.yaml"  # an eleventh: a second tester, section by section (2026-12-03)
DEV12_PATH = EVAL_DIR / "dev12.yaml"  # a twelfth: a third tester, situations and chat habits (2026-12-03)
DEV13_PATH = EVAL_DIR / "dev13.yaml"  # a thirteenth: a fourth tester, declines of every kind (2026-12-03)
DEV14_PATH = EVAL_DIR / "dev14.yaml"  # a fourteenth: a fifth tester, near twins, false premises (2026-12-03)
DEV15_PATH = EVAL_DIR / "dev15.yaml"  # a fifteenth: a sixth tester, situations and long messages (2026-12-03)
DEV16_PATH = EVAL_DIR / "dev16.yaml"  # a sixteenth: a seventh tester, officials on a phone (2026-12-03)
DEV17_PATH = EVAL_DIR / "dev17.yaml"  # a seventeenth: an eighth tester, a Department's staff (2026-12-03)
DEV18_PATH = EVAL_DIR / "dev18.yaml"  # an eighteenth: a ninth tester, a legal reviewer (2026-12-03)
DEV19_PATH = EVAL_DIR / "dev19.yaml"  # a nineteenth: a tenth tester, a newcomer's words (2026-12-03)
DEV20_PATH = EVAL_DIR / "dev20.yaml"  # a twentieth: an eleventh tester, merged communes (2026-12-03)
DEV21_PATH = EVAL_DIR / "dev21.yaml"  # a twenty-first: a twelfth tester, requests (2026-12-03)
DEV22_PATH = EVAL_DIR / "dev22.yaml"  # a twenty-second: a thirteenth tester, an inspector (2026-12-03)
DEV23_PATH = EVAL_DIR / "dev23.yaml"  # a twenty-third: a fourteenth tester, non-specialists (2026-12-04)
DEV24_PATH = EVAL_DIR / "dev24.yaml"  # a twenty-fourth: a fifteenth tester, merged communes (2026-12-04)
DEV25_PATH = EVAL_DIR / "dev25.yaml"  # a twenty-fifth: a sixteenth tester, departments (2026-12-04)
DEV26_PATH = EVAL_DIR / "dev26.yaml"  # a twenty-sixth: a seventeenth tester, chairmen (2026-12-04)
DEV27_PATH = EVAL_DIR / "dev27.yaml"  # a twenty-seventh: an eighteenth tester, indicators (2026-12-04)
DEV28_PATH = EVAL_DIR / "dev28.yaml"  # a twenty-eighth: a nineteenth tester, dictated and pasted (2026-12-04)
DEV29_PATH = EVAL_DIR / "dev29.yaml"  # a twenty-ninth: a twentieth tester, other provinces (2026-12-04)
DEV30_PATH = EVAL_DIR / "dev30.yaml"  # a thirtieth: a twenty-first tester, chat shorthand (2026-12-04)
DEV31_PATH = EVAL_DIR / "dev31.yaml"  # a thirty-first: a twenty-second tester, mediators (2026-12-04)
DEV32_PATH = EVAL_DIR / "dev32.yaml"  # a thirty-second: a twenty-third tester, training slides (2026-12-04)
DEV33_PATH = EVAL_DIR / "dev33.yaml"  # a thirty-third: a twenty-fourth tester, other sectors (2026-12-04)
DEV34_PATH = EVAL_DIR / "dev34.yaml"  # a thirty-fourth: a twenty-fifth tester, a second language (2026-12-04)
DEV35_PATH = EVAL_DIR / "dev35.yaml"  # a thirty-fifth: a twenty-sixth tester, regional words (2026-12-05)
DEV36_PATH = EVAL_DIR / "dev36.yaml"  # a thirty-sixth: a twenty-seventh tester, keyboard trouble (2026-12-05)
DEV37_PATH = EVAL_DIR / "dev37.yaml"  # a thirty-seventh: a twenty-eighth tester, Zalo groups (2026-12-05)
DEV38_PATH = EVAL_DIR / "dev38.yaml"  # a thirty-eighth: a twenty-ninth tester, English words (2026-12-05)
DEV39_PATH = EVAL_DIR / "dev39.yaml"  # a thirty-ninth: a thirtieth tester, people outside (2026-12-05)
DEV40_PATH = EVAL_DIR / "dev40.yaml"  # a fortieth: a thirty-first tester, a formal old register (2026-12-05)
DEV41_PATH = EVAL_DIR / "dev41.yaml"  # a forty-first: a thirty-second tester, search keywords (2026-12-05)
DEV42_PATH = EVAL_DIR / "dev42.yaml"  # a forty-second: a thirty-third tester, contest quiz items (2026-12-05)
DEV43_PATH = EVAL_DIR / "dev43.yaml"  # a forty-third: a thirty-fourth tester, what-ifs, venting (2026-12-05)
# The later blind sets, each part of the dev set and also shown on its own by `make bench`.
LATER_BLIND_PATHS = (DEV2_PATH, DEV3_PATH, DEV4_PATH, DEV5_PATH, DEV6_PATH, DEV7_PATH, DEV8_PATH, DEV9_PATH,
                     DEV10_PATH, DEV11_PATH, DEV12_PATH, DEV13_PATH, DEV14_PATH, DEV15_PATH, DEV16_PATH,
                     DEV17_PATH, DEV18_PATH, DEV19_PATH, DEV20_PATH, DEV21_PATH, DEV22_PATH, DEV23_PATH,
                     DEV24_PATH, DEV25_PATH, DEV26_PATH, DEV27_PATH, DEV28_PATH, DEV29_PATH, DEV30_PATH,
                     DEV31_PATH, DEV32_PATH, DEV33_PATH, DEV34_PATH, DEV35_PATH, DEV36_PATH, DEV37_PATH,
                     DEV38_PATH, DEV39_PATH, DEV40_PATH, DEV41_PATH, DEV42_PATH, DEV43_PATH)
HELDOUT_PATH = EVAL_DIR / "heldout.yaml"  # blind questions never tuned on (labelled by someone else)

# An answerer returns the entry ids its answer states (the main entry, and the replaced rule it gives
# after an unverified current one); empty when it declines.
Answerer = Callable[[str], tuple[str, ...]]


@dataclass(frozen=True)
class Case:
    question: str
    expect: tuple[str, ...]  # acceptable entry ids; empty = must be declined
    tags: frozenset[str] = frozenset()
    family: str = ""
    kind: str = ""  # answer | not-verified | decline (blind sets)

    @property
    def in_scope(self) -> bool:
        return bool(self.expect)


# libyaml reads the sets ten times faster than the pure-Python reader (about 0.6 s against 6 s for all of
# them); the tests and the benchmark read them many times.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_cases(path: Path = QUESTIONS_PATH) -> list[Case]:
    """Read a labelled set: `questions: [{q, expect (id, list of ids or null), tags, family, kind}]`."""
    return list(_read_cases(path, path.stat().st_mtime_ns))


@functools.lru_cache(maxsize=64)
def _read_cases(path: Path, _mtime_ns: int) -> tuple[Case, ...]:
    """One set's cases, read once per version of its file (cases are immutable)."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    cases = []
    for item in data["questions"]:
        expect = item.get("expect")
        ids = () if expect is None else (tuple(expect) if isinstance(expect, list) else (expect,))
        cases.append(Case(item["q"], ids, frozenset(item.get("tags") or []), item.get("family", ""),
                          item.get("kind", "")))
    return tuple(cases)


def dev_cases() -> list[Case]:
    """The dev set: the project's own questions and the labelled blind dev questions."""
    cases = load_cases(QUESTIONS_PATH)
    for path in (DEV_PATH, *LATER_BLIND_PATHS):
        if path.exists():
            cases += load_cases(path)
    return cases


def heldout_cases() -> list[Case] | None:
    """The held-out part, when someone has labelled it; None otherwise."""
    return load_cases(HELDOUT_PATH) if HELDOUT_PATH.exists() else None


def with_typo(question: str) -> str:
    """Inject one typo, chosen from the question itself: the same question always gets the same typo.

    One edit in one word of at least four letters: two adjacent letters swapped, a letter dropped or a
    letter doubled, as thumbs on a phone do.
    """
    words = question.split(" ")
    candidates = [i for i, w in enumerate(words) if sum(ch.isalpha() for ch in w) >= 4]
    if not candidates:
        return question
    digest = hashlib.sha256(question.encode("utf-8")).digest()
    i = candidates[digest[0] % len(candidates)]
    word = words[i]
    letters = [k for k, ch in enumerate(word) if ch.isalpha()]
    k = letters[1 + digest[1] % (len(letters) - 2)]  # never the first or last letter
    kind = digest[2] % 3
    if kind == 0:
        word = word[:k] + word[k + 1] + word[k] + word[k + 2:]
    elif kind == 1:
        word = word[:k] + word[k + 1:]
    else:
        word = word[:k] + word[k] + word[k:]
    words[i] = word
    return " ".join(words)


@dataclass
class Score:
    total: int = 0
    right: int = 0
    misses: list[tuple[Case, str, tuple[str, ...]]] = field(default_factory=list)  # case, as asked, got

    def add(self, case: Case, asked: str, got: tuple[str, ...]) -> None:
        ok = bool(set(got) & set(case.expect)) if case.in_scope else not got
        self.total += 1
        self.right += ok
        if not ok:
            self.misses.append((case, asked, got))

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class Report:
    written: Score = field(default_factory=Score)  # in scope, as written
    folded: Score = field(default_factory=Score)  # in scope, diacritics removed
    typo: Score = field(default_factory=Score)  # in scope, one injected typo
    declined: Score = field(default_factory=Score)  # out of scope and near-domain, as written
    latencies_ms: list[float] = field(default_factory=list)
    by_family: dict[str, Score] = field(default_factory=dict)  # in scope as written, and declines

    def percentile(self, p: float) -> float:
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else 0.0


def _timed(answerer: Answerer, question: str, latencies: list[float]) -> tuple[str, ...]:
    # CPU time of this process: other work sharing the machine does not count against an answer.
    start = time.process_time()
    got = answerer(question)
    latencies.append((time.process_time() - start) * 1000)
    return got


def evaluate(answerer: Answerer, cases: Iterable[Case]) -> Report:
    report = Report()
    for case in cases:
        got = _timed(answerer, case.question, report.latencies_ms)
        family = report.by_family.setdefault(case.family or "own set", Score())
        family.add(case, case.question, got)
        if not case.in_scope:
            report.declined.add(case, case.question, got)
            continue
        report.written.add(case, case.question, got)
        for score, variant in ((report.folded, fold(case.question)), (report.typo, with_typo(case.question))):
            score.add(case, variant, _timed(answerer, variant, report.latencies_ms))
    return report


def engine_answerer(engine: Engine) -> Answerer:
    """The engine as an answerer: the entries its answer states, nothing when it declines."""

    def ask(question: str) -> tuple[str, ...]:
        r = engine.ask(question)
        if not r.found or r.entry is None:
            return ()
        return (r.entry.id, r.previous.id) if r.previous else (r.entry.id,)

    return ask
