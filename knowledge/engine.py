"""The answer engine: rank handbook entries for a question, answer, suggest or decline."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.lexicon import Lexicon
from knowledge.loader import Handbook
from knowledge.schema import Entry, Regime
from knowledge.text import canonical_syllable, clean, fold, folded_tokens, has_diacritics, tokens

MAX_QUESTION_CHARS = 400  # past this a message is not a question; matching the head is enough

# Function words carry no topic; they still count for the fuzzy phrasing score.
STOPWORDS = frozenset(
    """a ạ ah à ơi nhé nha vậy thế thì là của và với cho các những một được bị không hay hoặc
    này kia đó ấy nào gì sao ra vào ở tại trong theo về đã đang sẽ phải nên muốn hỏi xin
    biết giúp em anh chị tôi mình ạ như khi lúc nếu thì rồi còn cũng đều vẫn hãy xem vay
    dạ nhỉ hả hở""".split()
    # Left out on purpose: words whose unaccented form is also a content word
    # ("có"/"cơ" → co, "bạn"/"ban" → ban, "cần"/"cán" → can, "mà"/"mã" → ma, "làm"/"lâm" → lam).
)
_STOP_FOLDED = frozenset(fold(w) for w in STOPWORDS)


class Outcome(StrEnum):
    ANSWER = "answer"  # committed to one entry
    AMBIGUOUS = "ambiguous"  # two or three entries are close: ask "Ý bạn là…"
    OUT_OF_SCOPE = "out_of_scope"  # another subject entirely
    NO_MATCH = "no_match"  # on topic perhaps, but nothing in the handbook fits
    EMPTY = "empty"  # nothing to read


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float


@dataclass(frozen=True)
class Result:
    """What the engine concluded about one question."""

    question: str
    outcome: Outcome
    entry: Entry | None
    score: float
    candidates: tuple[Candidate, ...]  # close alternatives, best first (excluding `entry`)
    regime: Regime | None  # the regime the question named, if any
    off_topic: str | None = None  # the out-of-scope phrase that was recognised

    @property
    def found(self) -> bool:
        return self.outcome is Outcome.ANSWER


# ---------------------------------------------------------------- regimes

_QD25 = re.compile(
    r"\b(25\s*/\s*2021|(qd|quyet dinh)\s*(so\s*)?25\b|09\s*/\s*2021|(tt|thong tu)\s*(so\s*)?0?9\b"
    r"|nam\s*202[1-4]\b|cap huyen|ubnd huyen|uy ban nhan dan huyen|phong tu phap|thi tran|hoi dong cap huyen)"
)
_QD27 = re.compile(
    r"\b(27\s*/\s*2025|(qd|quyet dinh)\s*(so\s*)?27\b|15\s*/\s*2025|(tt|thong tu)\s*(so\s*)?15\b"
    r"|nam\s*202[5-9]\b|dac khu|hien hanh|moi nhat|hien nay)"
)


# Naming the decision or circular says which rules apply, not what the question is about: after the
# regime is read, these words are dropped from ranking so "theo QĐ 25" does not pull every question
# towards the entry that introduces QĐ 25.
_DOC_REFERENCE = re.compile(
    r"\b(quyet dinh|thong tu|qd|tt)\s*(so\s*)?(25|27|0?9|15)(\s*/?\s*(2021|2025))?(\s*/?\s*(qd|tt)?"
    r"\s*-?\s*(ttg|btp))?\b|\b(25|27|09|15)\s*/\s*(2021|2025)\b"
)


def split_document_reference(folded_question: str) -> tuple[str, str]:
    """Split "QĐ 25/2021/QĐ-TTg"-like references from the rest of the question."""
    refs = " ".join(m.group(0) for m in _DOC_REFERENCE.finditer(folded_question))
    return _DOC_REFERENCE.sub(" ", folded_question), refs


def detect_regime(folded_question: str) -> Regime | None:
    """Tell which rules a question asks about; None when it names neither."""
    old = _QD25.search(folded_question)
    new = _QD27.search(folded_question)
    if old and not new:
        return Regime.QD25
    if new and not old:
        return Regime.QD27
    return None


# ---------------------------------------------------------------- engine


@dataclass(frozen=True)
class Weights:
    """Tuning knobs, kept together so the benchmark and the tests see the same engine."""

    k1: float = 1.2
    b: float = 0.5
    lexical: float = 0.45
    fuzzy: float = 0.2
    entry_side: float = 0.35
    answer_weight: float = 0.5
    title_weight: float = 2.0
    reference_weight: float = 0.3
    accent_bonus: float = 0.04
    current_bonus: float = 0.02
    other_regime_factor: float = 0.8
    answer_threshold: float = 0.42
    coverage_threshold: float = 0.55
    ambiguity_ratio: float = 0.97
    suggestion_ratio: float = 0.85


class Engine:
    """Ranks handbook entries for a Vietnamese question typed with or without diacritics."""

    def __init__(self, handbook: Handbook, lexicon: Lexicon, weights: Weights | None = None):
        self.handbook = handbook
        self.lexicon = lexicon
        self.w = weights or Weights()
        self.entries: list[Entry] = list(handbook.entries.values())
        self._regime = {e.id: handbook.documents[e.document].regime for e in self.entries}
        self._by_topic: dict[str, dict[Regime, Entry]] = defaultdict(dict)
        for e in self.entries:
            if e.topic:
                self._by_topic[e.topic][self._regime[e.id]] = e
        self._index()

    # -- index

    def _entry_texts(self, e: Entry) -> list[str]:
        return [e.title, *e.questions, *e.keywords]

    def _terms(self, toks: list[str]) -> list[str]:
        content = [t for t in toks if t not in _STOP_FOLDED]
        bigrams = [f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)
                   if a not in _STOP_FOLDED or b not in _STOP_FOLDED]
        return content + bigrams

    def _index(self) -> None:
        self._tf: list[Counter[str]] = []  # term → weighted count (floats: answer words weigh less)
        self._len: list[int] = []
        df: Counter[str] = Counter()
        vocab: Counter[str] = Counter()
        self._accented: list[frozenset[str]] = []
        self._phrasings: list[str] = []
        self._phrasing_owner: list[int] = []
        self._phrasing_terms: list[frozenset[str]] = []
        for i, e in enumerate(self.entries):
            tf: Counter[str] = Counter()
            accented: set[str] = set()
            for n, text in enumerate(self._entry_texts(e)):
                toks = self.lexicon.expand(folded_tokens(text))
                vocab.update(toks)
                terms = self._terms(toks)
                # The title speaks for the entry more than any single phrasing.
                for t in terms:
                    tf[t] += self.w.title_weight if n == 0 else 1.0
                accented.update(canonical_syllable(t) for t in tokens(text))
                self._phrasings.append(" ".join(toks))
                self._phrasing_owner.append(i)
                self._phrasing_terms.append(frozenset(terms))
            # The answer's own words help with paraphrases ("thù lao" is in the answer, not the
            # phrasings); they count once, below the title and the phrasings.
            answer_toks = self.lexicon.expand(folded_tokens(e.answer))
            vocab.update(answer_toks)
            for t in self._terms(answer_toks):
                tf[t] += self.w.answer_weight
            self._tf.append(tf)
            self._len.append(sum(tf.values()))
            df.update(tf.keys())
            self._accented.append(frozenset(accented))
        n_docs = len(self.entries)
        self._idf = {t: math.log(1 + (n_docs - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._unknown_idf = math.log(1 + (n_docs + 0.5) / 0.5)
        self._avg_len = sum(self._len) / max(n_docs, 1)
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, tf in enumerate(self._tf):
            for t, c in tf.items():
                self._postings[t].append((i, c))
        self._vocab = sorted(t for t in vocab if not t.isdigit())
        self._freq = vocab
        self._vocab_set = frozenset(vocab)
        self._phrasings_of: dict[int, list[int]] = defaultdict(list)
        for idx, owner in enumerate(self._phrasing_owner):
            self._phrasings_of[owner].append(idx)

    # -- query

    def _correct(self, toks: list[str]) -> list[str]:
        """Map unknown syllables to the handbook's vocabulary: typos first, then run-together words."""
        out: list[str] = []
        for t in toks:
            if t in self._vocab_set or t in _STOP_FOLDED or t[0].isdigit() or len(t) < 3:
                out.append(t)
                continue
            fixed = self._nearest(t)
            if fixed is not None:
                out.append(fixed)
                continue
            out.extend(self._split(t) or [t])
        return out

    def _nearest(self, t: str) -> str | None:
        """Return the most frequent vocabulary word within one edit (two for long words), if any."""
        limit = 1 if len(t) <= 6 else 2
        matches = process.extract(t, self._vocab, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if not matches:
            return None
        best = min(matches, key=lambda m: (m[1], -self._freq[m[0]], m[0]))
        return best[0]

    def _split(self, t: str) -> list[str] | None:
        for k in range(2, len(t) - 1):
            a, b = t[:k], t[k:]
            if a in self._vocab_set and b in self._vocab_set and len(a) > 1 and len(b) > 1:
                return [a, b]
        return None

    def read(self, question: str) -> tuple[list[str], Regime | None]:
        """Return the normalised tokens of a question (typos corrected) and the regime it names."""
        toks, _, regime = self._read(question)
        return toks, regime

    def _read(self, question: str) -> tuple[list[str], list[str], Regime | None]:
        toks, _, raw, regime = self._read_parts(question)
        return toks, raw, regime

    def _read_parts(self, question: str) -> tuple[list[str], list[str], list[str], Regime | None]:
        """Return corrected topic tokens, document-reference tokens, raw topic tokens, and the regime."""
        folded = " ".join(fold(question).split())
        regime = detect_regime(" ".join(folded_tokens(question)))
        rest, refs = split_document_reference(folded)
        raw = self.lexicon.expand(folded_tokens(rest))
        ref_toks = self.lexicon.expand(folded_tokens(refs))
        return self.lexicon.expand(self._correct(raw)), ref_toks, raw, regime

    def ask(self, question: str) -> Result:
        """Answer one question: the best entry, close alternatives, or a reason to decline."""
        text = clean(question)[:MAX_QUESTION_CHARS]
        toks, refs, raw, regime = self._read_parts(text)
        if not any(t not in _STOP_FOLDED for t in toks + refs):
            return Result(text, Outcome.EMPTY, None, 0.0, (), regime)
        off = self.lexicon.off_topic(raw)
        if off is not None:
            return Result(text, Outcome.OUT_OF_SCOPE, None, 0.0, (), regime, " ".join(off))
        ranked = self._rank(text, toks, regime, refs)
        if not ranked:
            return Result(text, Outcome.NO_MATCH, None, 0.0, (), regime)
        top = ranked[0]
        if self.coverage(raw or refs) < self.w.coverage_threshold or top.score < self.w.answer_threshold:
            return Result(text, Outcome.NO_MATCH, None, top.score, tuple(ranked[:3]), regime)
        top = self._prefer_regime(top, regime)
        close = [c for c in ranked[1:4] if c.entry.id != top.entry.id
                 and c.score >= self.w.suggestion_ratio * top.score]
        if close and close[0].score >= self.w.ambiguity_ratio * top.score and not self._siblings(
                top.entry, close[0].entry):
            return Result(text, Outcome.AMBIGUOUS, None, top.score, (top, *close[:2]), regime)
        return Result(text, Outcome.ANSWER, top.entry, top.score, tuple(close[:3]), regime)

    def _siblings(self, a: Entry, b: Entry) -> bool:
        # Two regimes' versions of one topic are not a real ambiguity: the regime rule decides.
        return a.topic is not None and a.topic == b.topic

    def coverage(self, raw: list[str]) -> float:
        """Share of the question's topic words the handbook knows, weighted by rarity.

        Read before typo correction: a word one letter away from the handbook's vocabulary counts
        half, so "mưa" (rain) does not become "mẫu" (form) and pass for a question on the topic.
        """
        content = [t for t in raw if t not in _STOP_FOLDED]
        if not content:
            return 0.0
        total = known = 0.0
        for t in content:
            if t in self._idf:
                total += self._idf[t]
                known += self._idf[t]
            elif t[0].isdigit():
                continue  # numbers (years, article numbers) say nothing about the topic
            else:
                total += self._unknown_idf
                if len(t) >= 3 and self._nearest(t) is not None:
                    known += self._unknown_idf / 2
        return known / total if total else 0.0

    def _rank(self, text: str, toks: list[str], regime: Regime | None,
              refs: list[str] | None = None) -> list[Candidate]:
        terms = self._terms(toks)
        q_terms: Counter[str] = Counter(t for t in terms if t in self._idf)
        for t in self._terms(refs or []):
            if t in self._idf:
                # Naming the decision tells which rules apply, hardly what the question is about.
                q_terms[t] += self.w.reference_weight  # type: ignore[assignment]
        q_weight = sum(self._idf[t] * c for t, c in q_terms.items())
        if q_weight <= 0:
            return []
        lexical: dict[int, float] = defaultdict(float)
        k1, b = self.w.k1, self.w.b
        for t, qc in q_terms.items():
            idf = self._idf[t]
            for i, tf in self._postings[t]:
                norm = tf * (k1 + 1) / (tf + k1 * (1 - b + b * self._len[i] / self._avg_len))
                lexical[i] += idf * qc * norm / (k1 + 1)
        query_str = " ".join(toks + (refs or []))
        query_set = frozenset(terms)
        fuzzy: dict[int, float] = defaultdict(float)
        for _, score, idx in process.extract(
            query_str, self._phrasings, scorer=fuzz.token_sort_ratio, limit=40, score_cutoff=30
        ):
            owner = self._phrasing_owner[idx]
            fuzzy[owner] = max(fuzzy[owner], score / 100)
        accented_q = ({canonical_syllable(t) for t in tokens(text)}
                      if has_diacritics(text) else set())
        out: list[Candidate] = []
        for i in set(lexical) | set(fuzzy):
            score = (self.w.lexical * lexical.get(i, 0.0) / q_weight
                     + self.w.fuzzy * fuzzy.get(i, 0.0)
                     + self.w.entry_side * self._entry_side(i, query_set))
            if accented_q:
                score += self.w.accent_bonus * len(accented_q & self._accented[i]) / len(accented_q)
            r = self._regime[self.entries[i].id]
            if regime is not None and r is not Regime.NONE and r is not regime:
                score *= self.w.other_regime_factor
            elif regime is None and r is Regime.QD27:
                score += self.w.current_bonus
            out.append(Candidate(self.entries[i], score))
        out.sort(key=lambda c: (-c.score, c.entry.id))
        return out

    def _entry_side(self, i: int, query_terms: frozenset[str]) -> float:
        """How much of the entry's closest phrasing the question covers (rare words count more)."""
        best = 0.0
        for idx in self._phrasings_of[i]:
            p_terms = self._phrasing_terms[idx]
            total = sum(self._idf[t] for t in p_terms)
            if total:
                best = max(best, sum(self._idf[t] for t in p_terms & query_terms) / total)
        return best

    def _prefer_regime(self, top: Candidate, regime: Regime | None) -> Candidate:
        """Answer a topic from the regime asked for, or from the rules in force when none is named."""
        topic = top.entry.topic
        if topic is None:
            return top
        versions = self._by_topic.get(topic, {})
        wanted = versions.get(regime or Regime.QD27)
        if wanted is not None and wanted.id != top.entry.id:
            return Candidate(wanted, top.score)
        return top
