"""Find the clause of a loaded document that answers a question, or the article a question names.

Every answerable unit (a clause with its points, an article without clauses, an item of a plan) is
indexed by BM25 over folded syllables and syllable pairs, beside the handbook. A clause is quoted only
when it covers nearly all of what the question asks about: a text that merely shares a few words with
the question ("cơ quan", "hồ sơ") does not answer it.

A handbook entry and a clause compete on the same measure: the share of the question's topic words each
holds, every word weighted by its rarity in the handbook. A word the handbook hardly uses ("bể cá") is
what the question is about when the handbook's entry lacks it and the clause holds it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.documents.library import Library, LoadedDocument, number_key
from knowledge.documents.schema import UnitKind
from knowledge.documents.structure import TYPES
from knowledge.engine import STOPWORDS
from knowledge.lexicon import Lexicon
from knowledge.schema import Entry
from knowledge.text import clean, fold, folded_tokens

# Words that ask rather than name a topic: "bao nhiêu", "bao lâu", "ở đâu", "mấy", "như thế nào".
QUESTION_WORDS = frozenset(fold(w) for w in (
    "bao nhiêu lâu mấy đâu nào gì ai sao thế như khi lúc hay không chưa có phải cần được bị những các "
    "quy định nêu nói ghi theo trong của là thì".split()))
_STOP = frozenset(fold(w) for w in STOPWORDS) | QUESTION_WORDS
K1, B = 1.2, 0.5
MIN_COVERAGE = 0.8  # share of the question's topic words (weighted by rarity) the clause must hold
MIN_SCORE = 0.3  # BM25 normalised by what the question could score at best
MIN_TERMS = 2  # a single shared word is never enough, and at least one two-syllable word must be shared
# Words in more than this many units (and this share of them) rank nothing and cost the most: they
# still count for coverage, not for ranking.
COMMON_UNITS, COMMON_SHARE = 50, 0.3
# A clause is quoted instead of the handbook's best entry when it holds this much more of the question
# than the entry (see ClauseIndex.lead). Words both hold cancel out: the lead is the weight of what only
# the clause holds less what only the entry holds. A fifth of the question is a subject the handbook does
# not know ("bể cá cảnh": its syllables and pairs weigh the most); a question the entry answers leaves
# the clause next to no lead (at most 0.07 over the dev questions, as written, folded and mistyped, and
# every handbook phrasing, with eight texts loaded that share the handbook's words), so a good entry
# keeps coming first.
CLAUSE_LEAD = 0.2

_ARTICLE = re.compile(r"\bdieu\s+(\d+[a-z]?)\b")
_CLAUSE = re.compile(r"\bkhoan\s+(\d+)\b")
_POINT = re.compile(r"\bđiểm\s+([a-zđ])\b|\bdiem\s+([a-z])\b")
_NUMBER = re.compile(r"\b(\d+)\s*/\s*(\d{4})\b")
_TYPE_NAMES = {fold(name): abbr for name, abbr in TYPES.values()}
_TYPES_PATTERN = "|".join(sorted({re.escape(n) for n in _TYPE_NAMES} | set(_TYPE_NAMES.values()), key=len,
                                reverse=True))
_NAMED = re.compile(r"\b(" + _TYPES_PATTERN + r")\s*(?:so\s*)?(\d+)\b")
# A whole reference, "quyet dinh so 99/2099/qd-btn" or "99/2099": where to look, not what is asked.
_REFERENCE = re.compile(r"\b(?:(?:" + _TYPES_PATTERN + r")\s*(?:so\s*)?)?\d+(?:\s*/\s*[a-z0-9.-]+)+"
                        r"|\b(?:" + _TYPES_PATTERN + r")\s*(?:so\s*)?\d+\b")


# A number after a few words: where a document type typed with a slip may stand ("quyt dinh 27").
_BEFORE_NUMBER = re.compile(r"((?:\b[a-z]+\s+){1,4})(?:so\s*)?(\d+)\b")
_LONG_TYPE_NAMES = {name: abbr for name, abbr in _TYPE_NAMES.items() if " " in name}


def _mistyped_mentions(folded: str) -> list[tuple[str, str]]:
    """Return (type, number) for a document type of two or more words typed with one slip before a number.

    Without it "quyt dinh 27 có hiệu lực chưa" names no text, and a loaded text's clause on its own entry
    into force would answer a question about Quyết định 27. A slip as near two types ("quyt dinh": quyết
    định, quy định) names both: the question then names no loaded text, and no other text answers it.
    """
    found: list[tuple[str, str]] = []
    for m in _BEFORE_NUMBER.finditer(folded):
        words = m.group(1).split()
        near = {abbr for name, abbr in _LONG_TYPE_NAMES.items()
                if len(words) >= len(name.split())
                and OSA.distance(" ".join(words[-len(name.split()):]), name) == 1}
        found += [(abbr, m.group(2)) for abbr in sorted(near)]
    return found


@dataclass(frozen=True)
class ClauseMatch:
    document: LoadedDocument
    index: int  # of the unit in document.nodes
    score: float
    words: frozenset[str] = frozenset()  # the question's topic syllables and pairs, as the index read them
    # The unit's terms, its article's title and its document's title.
    held: frozenset[str] = field(default=frozenset(), repr=False)


@dataclass(frozen=True)
class ArticleReference:
    """"khoản 2 Điều 5 QĐ 27": the unit a question names, in the document it names."""

    document: LoadedDocument
    index: int


def answerable(doc: LoadedDocument) -> list[int]:
    """Return the units a quote is made of, in document order: a clause with its points, an article
    without clauses; in a plan, each sub-item is a task of its own and its item only their heading."""
    plan = doc.is_plan()
    out = []
    for i, u in enumerate(doc.nodes):
        kinds = {c.kind for c in u.units}
        if (u.kind is UnitKind.CLAUSE and not (plan and UnitKind.POINT in kinds)
                or u.kind is UnitKind.ARTICLE and UnitKind.CLAUSE not in kinds
                or u.kind is UnitKind.POINT and plan):
            out.append(i)
    return out


def indexed_text(doc: LoadedDocument, index: int) -> str:
    """The words a unit is found by: its own text and its heading (the article's title, the item's line)."""
    parent = doc.parents[index]
    heading = ""
    if parent is not None:
        above = doc.nodes[parent]
        heading = above.title or above.text.split("\n", 1)[0]
    return f"{heading}\n{doc.nodes[index].full_text()}"


class ClauseIndex:
    """BM25 over the answerable units of every loaded document, and the handbook's words beside them."""

    def __init__(self, library: Library, lexicon: Lexicon, entries: Iterable[Entry] = ()):
        self.library = library
        self.lexicon = lexicon
        # Each synonym phrase's terms, by its group's canonical phrase as the engine spells it.
        self._synonyms = [(frozenset(self._terms(" ".join(phrase))), f" {' '.join(group)} ")
                          for phrase, group in lexicon.phrases]
        # Only a loaded text competes with the handbook: without one, start-up and reloads skip this.
        self._entry_words = {e.id: self._entry_terms(e) for e in entries} if library.documents else {}
        known = max(len(self._entry_words), 1)
        in_entries: Counter[str] = Counter(t for words in self._entry_words.values() for t in words)
        self._handbook_idf = {t: math.log(1 + (known - d + 0.5) / (d + 0.5)) for t, d in in_entries.items()}
        self._handbook_unknown_idf = math.log(1 + (known + 0.5) / 0.5)
        self.units: list[tuple[LoadedDocument, int]] = []
        self._held: list[frozenset[str]] = []
        tfs: list[Counter[str]] = []
        df: Counter[str] = Counter()
        for doc in library.documents.values():
            for i in answerable(doc):
                tf = Counter(self._terms(indexed_text(doc, i)))
                self.units.append((doc, i))
                self._held.append(frozenset(tf))
                tfs.append(tf)
                df.update(tf.keys())
        n = max(len(tfs), 1)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        lengths = [sum(tf.values()) for tf in tfs]
        average = sum(lengths) / n if lengths else 1.0
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for u, tf in enumerate(tfs):
            for t, c in tf.items():
                norm = c * (K1 + 1) / (c + K1 * (1 - B + B * lengths[u] / average))
                self._postings[t].append((u, self._idf[t] * norm / (K1 + 1)))
        common = max(COMMON_UNITS, COMMON_SHARE * len(tfs))
        self._ranking = frozenset(t for t, d in df.items() if d <= common)
        self._vocabulary = sorted(t for t in self._idf if "_" not in t and not t.isdigit())
        self._known = frozenset(self._idf)
        # What a document is about speaks for each of its clauses ("gửi hồ sơ … trước ngày nào" in a text
        # on aquariums is about aquariums): its title counts with a clause when it competes with an entry.
        self._titles = {d.id: frozenset(self._terms(d.info.title)) for d in library.documents.values()}

    def _entry_terms(self, entry: Entry) -> frozenset[str]:
        """The words an entry holds, read as the index reads a question; with every phrasing of the
        synonym groups it uses ("thời hạn" holds "hạn chót"), since the engine matched it through them."""
        words: set[str] = set()
        canonical = []
        for text in (entry.title, *entry.questions, *entry.keywords, entry.answer):
            toks = self._tokens(text)
            words.update(self._terms_of(toks))
            canonical.append(" ".join(self.lexicon.expand(toks)))
        said = f" {' | '.join(canonical)} "  # "|": a phrase never runs from one phrasing into the next
        for phrase, group in self._synonyms:
            if group in said:
                words.update(phrase)
        return frozenset(words)

    def _tokens(self, text: str) -> list[str]:
        # Abbreviations only ("ubnd" → "uy ban nhan dan"): the handbook's synonym groups rewrite a
        # question into its own phrasing, which the official text need not share.
        out: list[str] = []
        for t in folded_tokens(text):
            out.extend(self.lexicon.abbreviations.get(t, (t,)))
        return out

    def _terms(self, text: str) -> list[str]:
        return self._terms_of(self._tokens(text))

    @staticmethod
    def _terms_of(toks: list[str]) -> list[str]:
        content = [t for t in toks if t not in _STOP]
        pairs = [f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False) if a not in _STOP or b not in _STOP]
        return content + pairs

    def _corrected(self, toks: list[str]) -> list[str]:
        out = []
        for t in toks:
            if t in self._known or t in _STOP or len(t) < 4 or t[0].isdigit():
                out.append(t)
                continue
            found = process.extractOne(t, self._vocabulary, scorer=OSA.distance, score_cutoff=1)
            out.append(found[0] if found else t)
        return out

    def find(self, question: str) -> ClauseMatch | None:
        """Return the unit that answers the question, or None when none answers it well enough."""
        if not self.units:
            return None
        folded = " ".join(fold(clean(question)[:400]).split())
        named = self._named(folded)
        if named is None:  # it asks about a text that is not loaded: another text's clause is no answer
            return None
        toks = self._corrected(self._tokens(_REFERENCE.sub(" ", folded)))
        content = [t for t in toks if t not in _STOP and not t[0].isdigit()]
        if len(set(content)) < MIN_TERMS:
            return None
        pairs = [f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False) if a not in _STOP or b not in _STOP]
        q_terms = Counter(t for t in content + pairs if t in self._ranking)
        best = max(sum(self._idf[t] * c for t, c in q_terms.items()), 1e-9)
        scores: dict[int, float] = defaultdict(float)  # by unit
        for t, c in q_terms.items():
            for u, weight in self._postings[t]:
                scores[u] += c * weight
        if named:
            allowed = {d.id for d in named}
            scores = {u: s for u, s in scores.items() if self.units[u][0].id in allowed}
        if not scores:
            return None
        top, score = max(scores.items(), key=itemgetter(1))
        score /= best
        doc, index = self.units[top]
        held = self._held[top]
        total = sum(self._idf.get(t, self._unknown_idf) for t in set(content))
        covered = sum(self._idf[t] for t in set(content) if t in held)
        matched = sum(1 for t in set(content) if t in held)
        shared_pairs = any(p in held for p in pairs)
        if covered / total < MIN_COVERAGE or score < MIN_SCORE or matched < MIN_TERMS or not shared_pairs:
            return None
        return ClauseMatch(doc, index, score, frozenset(content + pairs), held | self._titles[doc.id])

    def lead(self, match: ClauseMatch, entry: Entry) -> float:
        """Return how much more of the question the clause holds than a handbook entry (-1 to 1).

        Both sides are measured with the same weights, each topic word's rarity in the handbook: the
        words every entry uses ("xã", "công nhận") weigh little, a subject the handbook does not know
        weighs most. (The clause index's own rarity would do the opposite: a text's subject is in most of
        its clauses.)
        """
        words = self._entry_words.get(entry.id)
        if words is None:  # an entry the index was not built with: read it now
            words = self._entry_terms(entry)
        # Numbers (an article, an indicator, a year) say where to look, not what is asked.
        weight = {t: self._handbook_idf.get(t, self._handbook_unknown_idf) for t in match.words
                  if not any(c.isdigit() for c in t)}
        total = sum(weight.values())
        if not total:
            return 0.0
        return sum(w * ((t in match.held) - (t in words)) for t, w in weight.items()) / total

    def reference(self, question: str) -> ArticleReference | None:
        """Return the article (clause, point) a question names, in the loaded document it names."""
        folded = " ".join(fold(clean(question)).split())
        article = _ARTICLE.search(folded)
        if article is None:
            return None
        clause = _CLAUSE.search(folded)
        point = _POINT.search(clean(question).lower())
        named = self._named(folded)
        if named is None:  # it names a document that is not loaded
            return None
        candidates = named or list(self.library.documents.values())
        found = []
        for doc in candidates:
            at = doc.find(article.group(1), clause.group(1) if clause else None,
                          (point.group(1) or point.group(2)) if point else None)
            if at is not None:
                found.append(ArticleReference(doc, at))
        return found[0] if len(found) == 1 else None

    def named(self, question: str) -> list[LoadedDocument] | None:
        """Return the loaded documents a question names ([] when it names none, None when it names
        only documents that are not loaded)."""
        return self._named(" ".join(fold(clean(question)).split()))

    def _named(self, folded: str) -> list[LoadedDocument] | None:
        """Return the loaded documents a question names ([] when it names none, None when it names others)."""
        mentions = [(_TYPE_NAMES.get(m.group(1), m.group(1)), m.group(2)) for m in _NAMED.finditer(folded)]
        mentions += _mistyped_mentions(folded)
        numbers = [f"{a}/{b}" for a, b in _NUMBER.findall(folded)]
        if not mentions and not numbers:
            return []
        out = []
        for doc in self.library.documents.values():
            number = doc.info.number or ""
            key = number_key(number)
            abbreviation = next((abbr for name, abbr in TYPES.values() if name == doc.info.type), "")
            first = number.split("/", 1)[0]
            if any(number_key(n) and key.startswith(number_key(n)) for n in numbers) or any(
                    abbr == abbreviation and n == first for abbr, n in mentions):
                out.append(doc)
        return out or None
