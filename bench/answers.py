"""Answer-engine benchmark: this engine against two baselines on the dev question set."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import bm25s
from rapidfuzz import fuzz, process

from bot.config import Settings
from bot.wiring import load_checked
from knowledge.engine import Engine
from knowledge.text import fold
from tests.eval.harness import Answerer, Case, Report, evaluate, load_cases


def engine_answerer(engine: Engine) -> Answerer:
    def ask(q: str) -> str | None:
        r = engine.ask(q)
        return r.entry.id if r.found and r.entry else None
    return ask


def _phrasings(engine: Engine) -> tuple[list[str], list[str]]:
    texts, owners = [], []
    for e in engine.entries:
        for t in (e.title, *e.questions):
            texts.append(fold(t))
            owners.append(e.id)
    return texts, owners


def rapidfuzz_answerer(engine: Engine, cutoff: float) -> Answerer:
    texts, owners = _phrasings(engine)

    def ask(q: str) -> str | None:
        best = process.extractOne(fold(q), texts, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff)
        return owners[best[2]] if best else None
    return ask


def bm25_answerer(engine: Engine, cutoff: float) -> Answerer:
    ids = [e.id for e in engine.entries]
    corpus = [fold(" ".join((e.title, *e.questions, *e.keywords))) for e in engine.entries]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords=None, show_progress=False), show_progress=False)

    def ask(q: str) -> str | None:
        docs, scores = retriever.retrieve(bm25s.tokenize([fold(q)], stopwords=None, show_progress=False),
                                          k=1, show_progress=False)
        return ids[int(docs[0][0])] if float(scores[0][0]) >= cutoff else None
    return ask


def _best_cutoff(make, cases: list[Case], grid: list[float]) -> tuple[float, Report]:  # type: ignore[no-untyped-def]
    # Give each baseline its most favourable decline threshold (best of the worse of its two rates),
    # so the comparison is fair to them.
    best = None
    for c in grid:
        rep = evaluate(make(c), cases)
        key = min(rep.in_scope.rate, rep.declined.rate)
        if best is None or key > best[0]:
            best = (key, c, rep)
    assert best is not None
    return best[1], best[2]


def startup_figures() -> dict[str, float]:
    """Measure load time and peak memory in a fresh process, as the bot would start."""
    code = (
        "import time, resource, json; t=time.perf_counter();"
        "from bot.config import Settings; from bot.wiring import load_checked;"
        "k, e = load_checked(Settings()); e.ask('điều kiện công nhận');"
        "print(json.dumps({'ready_s': time.perf_counter()-t,"
        " 'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> str:
    _, engine = load_checked(Settings())
    cases = load_cases()
    for q in ("khởi động", "tieu chi"):  # warm caches before timing
        engine.ask(q)
    rows = [("tcpl engine", evaluate(engine_answerer(engine), cases))]
    cut, rep = _best_cutoff(lambda c: rapidfuzz_answerer(engine, c), cases, [30, 40, 50, 55, 60, 65, 70, 80])
    rows.append((f"rapidfuzz ≥{cut:g}", rep))
    rows.append(("rapidfuzz, no cut", evaluate(rapidfuzz_answerer(engine, 0), cases)))
    cut, rep = _best_cutoff(lambda c: bm25_answerer(engine, c), cases, [0.5, 1, 2, 3, 4, 5, 6, 8])
    rows.append((f"BM25 (bm25s) ≥{cut:g}", rep))
    rows.append(("BM25, no cut", evaluate(bm25_answerer(engine, 0), cases)))
    n_in = sum(c.in_scope for c in cases)
    lines = [
        f"Answer engine on {len(cases)} dev questions ({n_in} in scope, {len(cases) - n_in} out of scope)",
        f"{'answerer':<20} {'top-1':>7} {'written':>8} {'no-diac':>8} {'typos':>7} {'OOS decl':>9}"
        f" {'p50 ms':>7} {'p99 ms':>7}",
    ]
    for name, r in rows:
        lines.append(
            f"{name:<20} {r.in_scope.rate:>7.1%} {r.written.rate:>8.1%} {r.folded.rate:>8.1%}"
            f" {r.typo.rate:>7.1%} {r.declined.rate:>9.1%} {r.percentile(50):>7.2f} {r.percentile(99):>7.2f}"
        )
    s = startup_figures()
    lines.append(f"engine start-up (load + index + first answer): {s['ready_s']:.2f} s; "
                 f"peak resident memory {s['rss_mb']:.0f} MB")
    return "\n".join(lines)


if __name__ == "__main__":
    t = time.perf_counter()
    print(run())
