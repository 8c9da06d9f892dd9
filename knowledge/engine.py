"""The answer engine: rank handbook entries for a question, answer, suggest or decline."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.lexicon import Lexicon, PhraseSpotter
from knowledge.loader import Handbook
from knowledge.schema import Entry, Regime
from knowledge.text import canonical_syllable, clean, fold, folded_tokens, has_diacritics, tokens

MAX_QUESTION_CHARS = 400  # past this a message is not a question; matching the head is enough
MAX_CANDIDATES = 40

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
    SMALL_TALK = "small_talk"  # a greeting or chit-chat
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
    r"|nam\s*202[1-4]\b|huyen|phong tu phap|thi tran)"
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


_NAMED_DOCUMENT = {
    re.compile(r"\b(qd|quyet dinh)\s*(so\s*)?25\b|\b25\s*/\s*2021"): "25/2021",
    re.compile(r"\b(tt|thong tu)\s*(so\s*)?0?9\b|\b09\s*/\s*2021"): "09/2021",
    re.compile(r"\b(qd|quyet dinh)\s*(so\s*)?27\b|\b27\s*/\s*2025"): "27/2025",
    re.compile(r"\b(tt|thong tu)\s*(so\s*)?15\b|\b15\s*/\s*2025"): "15/2025",
    re.compile(r"\bke hoach\b"): "Kế hoạch",
}


_DOCUMENT_NUMBERS = tuple(_NAMED_DOCUMENT.values())


def named_documents(folded_question: str) -> frozenset[str]:
    """Return the document numbers a question names ("25/2021", "09/2021", …)."""
    return frozenset(number for pattern, number in _NAMED_DOCUMENT.items() if pattern.search(folded_question))


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
    """Tuning knobs, kept together so the benchmark and the tests see the same engine.

    Tuned on the odd-numbered half of tests/eval/questions.yaml and checked on the even half.
    """

    k1: float = 1.2
    b: float = 0.5
    lexical: float = 0.6  # BM25 over title (twice), phrasings and keywords, normalised by the question
    fuzzy: float = 0.3  # rapidfuzz token_sort_ratio against the closest phrasing
    title_weight: float = 2.0
    reference_weight: float = 0.1  # "QĐ 25/2021" says which rules apply, hardly what is asked
    accent_bonus: float = 0.04  # an exactly accented question ranks higher
    citation_bonus: float = 0.05  # the entry cites the document the question names
    current_bonus: float = 0.02  # no regime named: the rules in force first
    other_regime_factor: float = 0.8  # the other regime's entries, when one is named
    unrelated_factor: float = 0.9  # plan and reform entries, when a decision is named
    answer_threshold: float = 0.68  # on score + coverage terms (see Engine.ask)
    coverage_weight: float = 0.2
    bigram_weight: float = 0.4
    ambiguity_ratio: float = 0.99
    suggestion_ratio: float = 0.85


@dataclass(frozen=True)
class Query:
    """A question as the engine reads it."""

    text: str  # cleaned, NFC, as typed
    toks: list[str]  # topic tokens: folded, abbreviations expanded, typos corrected
    raw: list[str]  # the same before typo correction (for coverage)
    refs: list[str]  # tokens of document references ("qd 25 2021")
    regime: Regime | None
    named: frozenset[str]  # document numbers named: "25/2021", "09/2021", "27/2025", "15/2025"


class Engine:
    """Ranks handbook entries for a Vietnamese question typed with or without diacritics."""

    def __init__(self, handbook: Handbook, lexicon: Lexicon, weights: Weights | None = None):
        self.handbook = handbook
        self.lexicon = lexicon
        self.w = weights or Weights()
        self.entries: list[Entry] = list(handbook.entries.values())
        self._regime = {e.id: handbook.documents[e.document].regime for e in self.entries}
        self._cites = [self._cited(e) for e in self.entries]
        self._by_topic: dict[str, dict[Regime, Entry]] = defaultdict(dict)
        for e in self.entries:
            if e.topic:
                self._by_topic[e.topic][self._regime[e.id]] = e
        self._index()

    def _cited(self, e: Entry) -> frozenset[str]:
        """The documents an entry speaks for: those its citation names, for a legal entry; the plan's
        entries cite the plan (their citations also name QĐ 25, which the plan implements)."""
        if self._regime[e.id] is Regime.NONE:
            return frozenset({"Kế hoạch"} & {n for n in _DOCUMENT_NUMBERS if n in e.citation})
        return frozenset(n for n in _DOCUMENT_NUMBERS if n in e.citation)

    # -- index

    def _terms(self, toks: list[str]) -> list[str]:
        """Content syllables plus adjacent pairs: Vietnamese words are mostly two syllables."""
        content = [t for t in toks if t not in _STOP_FOLDED]
        bigrams = [f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)
                   if a not in _STOP_FOLDED or b not in _STOP_FOLDED]
        return content + bigrams

    def _index(self) -> None:
        self._tf: list[Counter[str]] = []
        self._len: list[float] = []
        df: Counter[str] = Counter()
        vocab: Counter[str] = Counter()
        self._accented: list[frozenset[str]] = []
        # Each phrasing with its syllables sorted: token_sort_ratio is ratio() on sorted tokens, and
        # sorting once here instead of on every comparison makes the fuzzy pass several times faster.
        self._phrasings: list[str] = []
        self._phrasing_owner: list[int] = []
        for i, e in enumerate(self.entries):
            tf: Counter[str] = Counter()
            accented: set[str] = set()
            for n, text in enumerate([e.title, *e.questions, *e.keywords]):
                toks = self.lexicon.expand(folded_tokens(text))
                vocab.update(toks)
                for t in self._terms(toks):
                    # The title speaks for the entry more than any single phrasing.
                    tf[t] += self.w.title_weight if n == 0 else 1  # type: ignore[assignment]
                accented.update(canonical_syllable(t) for t in tokens(text))
                self._phrasings.append(" ".join(sorted(toks)))
                self._phrasing_owner.append(i)
            self._tf.append(tf)
            self._len.append(sum(tf.values()))
            df.update(tf.keys())
            self._accented.append(frozenset(accented))
        n_docs = len(self.entries)
        self._idf = {t: math.log(1 + (n_docs - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._unknown_idf = math.log(1 + (n_docs + 0.5) / 0.5)
        self._avg_len = sum(self._len) / max(n_docs, 1)
        # Each term's BM25 contribution to each entry, computed once: a question only adds them up.
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        k1, b = self.w.k1, self.w.b
        for i, tf in enumerate(self._tf):
            for t, c in tf.items():
                norm = c * (k1 + 1) / (c + k1 * (1 - b + b * self._len[i] / self._avg_len))
                self._postings[t].append((i, self._idf[t] * norm / (k1 + 1)))
        self._vocab = sorted(t for t in vocab if not t.isdigit())
        self._freq = vocab
        self._vocab_set = frozenset(vocab)
        self._nearest_cache: dict[str, str | None] = {}
        words = [t for e in self.entries for text in (e.title, *e.questions, *e.keywords, e.answer)
                 for t in tokens(text)]
        accented_hay = " ".join(canonical_syllable(t) for t in words)
        folded_hay = " ".join(fold(t) for t in words)
        self._off_topic = PhraseSpotter(self.lexicon.out_of_scope, accented_hay, folded_hay)
        self._small_talk = PhraseSpotter(self.lexicon.small_talk, accented_hay, folded_hay)

    # -- reading a question

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
        if t in self._nearest_cache:
            return self._nearest_cache[t]
        found = self._search_nearest(t)
        if len(self._nearest_cache) < 50_000:  # bounded: typed words are not a fixed set
            self._nearest_cache[t] = found
        return found

    def _search_nearest(self, t: str) -> str | None:
        limit = 1 if len(t) <= 6 else 2
        matches = process.extract(t, self._vocab, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if not matches:
            return None
        best = min(matches, key=lambda m: (m[1], -self._freq[m[0]], m[0]))
        return best[0]

    def _split(self, t: str) -> list[str] | None:
        for k in range(2, len(t) - 1):
            a, b = t[:k], t[k:]
            if a in self._vocab_set and b in self._vocab_set:
                return [a, b]
        return None

    def read(self, question: str) -> Query:
        """Read a question: its topic words, the documents and the regime it names."""
        text = clean(question)[:MAX_QUESTION_CHARS]
        folded = " ".join(fold(text).split())
        rest, refs = split_document_reference(folded)
        raw = self.lexicon.expand(folded_tokens(rest))
        return Query(
            text=text,
            toks=self.lexicon.expand(self._correct(raw)),
            raw=raw,
            refs=self.lexicon.expand(folded_tokens(refs)),
            regime=detect_regime(" ".join(folded_tokens(text))),
            named=named_documents(folded),
        )

    # -- answering

    def ask(self, question: str) -> Result:
        """Answer one question: the best entry, close alternatives, or a reason to decline."""
        q = self.read(question)
        text, regime = q.text, q.regime
        if not any(t not in _STOP_FOLDED for t in q.toks + q.refs):
            return Result(text, Outcome.EMPTY, None, 0.0, (), regime)
        off = self._off_topic.find(text)
        if off is not None:
            return Result(text, Outcome.OUT_OF_SCOPE, None, 0.0, (), regime, off)
        chat = self._small_talk.find_all(text)
        if chat and self._small_talk_only(q.raw, chat):
            return Result(text, Outcome.SMALL_TALK, None, 0.0, (), regime, chat[0])
        ranked = self.rank(q)
        if not ranked:
            return Result(text, Outcome.NO_MATCH, None, 0.0, (), regime)
        top = ranked[0]
        # Commit only when the best match is close AND the question speaks the handbook's language:
        # its words (unigram coverage) and its two-syllable words (bigram coverage) are known. A long
        # paraphrase in the handbook's words passes with a modest match; a question on another subject
        # that shares a few syllables ("chuẩn nghèo", "mưa ở Cần Thơ") does not.
        confidence = (top.score + self.w.coverage_weight * self.coverage(q.raw or q.refs)
                      + self.w.bigram_weight * self.bigram_coverage(q.toks + q.refs))
        if confidence < self.w.answer_threshold:
            return Result(text, Outcome.NO_MATCH, None, top.score, tuple(ranked[:3]), regime)
        top = self._prefer_regime(top, regime)
        close = [c for c in ranked[1:4] if c.entry.id != top.entry.id
                 and c.score >= self.w.suggestion_ratio * top.score]
        if close and close[0].score >= self.w.ambiguity_ratio * top.score and not self._siblings(
                top.entry, close[0].entry):
            return Result(text, Outcome.AMBIGUOUS, None, top.score, (top, *close[:2]), regime)
        return Result(text, Outcome.ANSWER, top.entry, top.score, tuple(close[:3]), regime)

    @staticmethod
    def _small_talk_only(raw: list[str], phrases: list[str]) -> bool:
        """Tell a greeting ("chào bạn, bạn khỏe không") from a question that starts with one."""
        said = {t for p in phrases for t in folded_tokens(p)}
        return sum(t not in _STOP_FOLDED and t not in said for t in raw) <= 1

    def _siblings(self, a: Entry, b: Entry) -> bool:
        # Two regimes' versions of one topic are not a real ambiguity: the regime rule decides.
        return a.topic is not None and a.topic == b.topic

    def coverage(self, raw: list[str]) -> float:
        """Share of the question's topic words the handbook knows, weighted by rarity.

        Read before typo correction: a word one letter away from the handbook's vocabulary counts
        half, so "mưa" (rain) does not become "mẫu" (form) and pass for a question on the topic.
        """
        total = known = 0.0
        for t in raw:
            if t in _STOP_FOLDED or t[0].isdigit():
                continue  # numbers (years, article numbers) say nothing about the topic
            if t in self._idf:
                total += self._idf[t]
                known += self._idf[t]
            else:
                total += self._unknown_idf
                if len(t) >= 3 and self._nearest(t) is not None:
                    known += self._unknown_idf / 2
        return known / total if total else 0.0

    def bigram_coverage(self, toks: list[str]) -> float:
        """Share of the question's two-syllable words that occur in the handbook, weighted by rarity."""
        pairs = [f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)
                 if a not in _STOP_FOLDED or b not in _STOP_FOLDED]
        total = known = 0.0
        for p in pairs:
            weight = self._idf.get(p, self._unknown_idf)
            total += weight
            if p in self._idf:
                known += weight
        return known / total if total else 0.0

    def rank(self, q: Query) -> list[Candidate]:
        """Score every entry that shares a term with the question or resembles one of its phrasings."""
        q_terms: Counter[str] = Counter(t for t in self._terms(q.toks) if t in self._idf)
        for t in self._terms(q.refs):
            if t in self._idf:
                q_terms[t] += self.w.reference_weight  # type: ignore[assignment]
        q_weight = sum(self._idf[t] * c for t, c in q_terms.items())
        if q_weight <= 0:
            return []
        lexical: dict[int, float] = defaultdict(float)
        for t, qc in q_terms.items():
            for i, weight in self._postings[t]:
                lexical[i] += qc * weight
        fuzzy: dict[int, float] = defaultdict(float)
        for _, score, idx in process.extract(" ".join(sorted(q.toks + q.refs)), self._phrasings,
                                             scorer=fuzz.ratio, limit=40, score_cutoff=30):
            owner = self._phrasing_owner[idx]
            fuzzy[owner] = max(fuzzy[owner], score / 100)
        accented_q = ({canonical_syllable(t) for t in tokens(q.text)}
                      if has_diacritics(q.text) else set())
        # Only the strongest lexical matches (and every close phrasing) can win: score those fully.
        strongest = sorted(lexical, key=lexical.__getitem__, reverse=True)[:MAX_CANDIDATES]
        out: list[Candidate] = []
        for i in set(strongest) | set(fuzzy):
            score = self.w.lexical * lexical.get(i, 0.0) / q_weight + self.w.fuzzy * fuzzy.get(i, 0.0)
            if accented_q:
                score += self.w.accent_bonus * len(accented_q & self._accented[i]) / len(accented_q)
            if q.named & self._cites[i]:
                score += self.w.citation_bonus
            r = self._regime[self.entries[i].id]
            if q.regime is not None and r is not Regime.NONE and r is not q.regime:
                score *= self.w.other_regime_factor
            elif q.named - {"Kế hoạch"} and r is Regime.NONE:
                score *= self.w.unrelated_factor
            elif q.regime is None and r is Regime.QD27:
                score += self.w.current_bonus
            out.append(Candidate(self.entries[i], score))
        out.sort(key=lambda c: (-c.score, c.entry.id))
        return out

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
