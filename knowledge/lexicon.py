"""Abbreviations, synonyms and out-of-scope phrases that shape how a question is read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError, field_validator

from knowledge.loader import DEFAULT_SYNONYMS_PATH, InvalidKnowledge, problems_of, read_yaml
from knowledge.schema import Id, Strict, Text
from knowledge.text import canonical_syllable, folded_tokens, has_diacritics, tokens


class NearDomainTopic(Strict):
    topic: Text
    phrases: list[Text]
    pointer: Text  # where such questions belong, said when declining
    # Another assessment scheme (its own criteria and scores): a described case in its terms ("85 điểm
    # chuẩn y tế") is judged by that scheme, not by this standard.
    scheme: bool = False
    # A subject governed by other law whatever it is linked to: "xếp loại công chức có tính việc xã không
    # đạt chuẩn tiếp cận pháp luật không" is home-affairs law, although it names this standard.
    beyond_the_standard: bool = False


class NotHeldTopic(Strict):
    topic: Text
    phrases: list[Text] = []
    patterns: list[Text] = []  # regular expressions on the folded question
    # A regular expression that, found anywhere in the folded question, keeps the patterns from matching
    # (the question speaks of the assessment): tested once, not at the start of every pattern.
    unless: Text | None = None
    notice: Text  # what the handbook does not hold, said when declining
    # The plan's item on the subject: asked of the plan ("Kế hoạch của tỉnh bố trí bao nhiêu tiền"), the
    # subject is answered with what the plan does say, after the notice.
    in_the_plan: Id | None = None
    # A task the assistant does not do (drafting, filling in, sending): declined even in a message that
    # tells a case ("viết giúp báo cáo của phường em, 85 điểm"), which would otherwise be judged.
    a_task: bool = False


_BACK_REFERENCE = re.compile(r"\\[1-9]|\(\?P=")


class LexiconFile(Strict):
    abbreviations: dict[str, Text] = {}
    synonyms: list[list[Text]] = []
    out_of_scope: list[Text] = []
    small_talk: list[Text] = []
    closings: list[Text] = []  # small talk that thanks or says goodbye
    near_domain: list[NearDomainTopic] = []
    in_scope_anchors: list[Text] = []
    agencies: dict[str, list[Text]] = {}
    routes: dict[str, Id] = {}
    not_held: list[NotHeldTopic] = []
    places: list[Text] = []

    @field_validator("not_held")
    @classmethod
    def _patterns_compile(cls, topics: list[NotHeldTopic]) -> list[NotHeldTopic]:
        for t in topics:
            for p in [*t.patterns, *([t.unless] if t.unless else [])]:
                try:
                    compiled = re.compile(p)
                except re.error as exc:
                    raise ValueError(f"{t.topic}: invalid pattern {p!r}: {exc}") from exc
                # A topic's patterns are searched as one alternation (see `_alternation`).
                if compiled.flags != re.UNICODE or _BACK_REFERENCE.search(p):
                    raise ValueError(f"{t.topic}: pattern {p!r} sets a flag or refers back to a group")
        return topics


@dataclass(frozen=True)
class NearDomain:
    topic: str
    phrases: tuple[tuple[str, ...], ...]  # folded tokens
    pointer: str
    scheme: bool = False  # another assessment scheme (see NearDomainTopic)
    accented: tuple[tuple[str, ...], ...] = ()  # the phrases as canonical accented syllables, in order
    beyond_the_standard: bool = False  # declined even when the question names this standard (see above)


@dataclass(frozen=True)
class NotHeld:
    topic: str
    phrases: tuple[tuple[str, ...], ...]  # folded tokens
    pattern: re.Pattern[str] | None  # the topic's patterns as one alternation: one pass over a question
    notice: str
    accented: tuple[tuple[str, ...], ...] = ()  # the phrases as canonical accented syllables, in order
    unless: re.Pattern[str] | None = None  # keeps the patterns from matching (see NotHeldTopic)
    in_the_plan: str | None = None  # the plan's item on the subject (see NotHeldTopic)
    a_task: bool = False  # a task the assistant does not do (see NotHeldTopic)

    def matches(self, folded: str) -> bool:
        """Tell whether one of the patterns finds the subject in a folded question."""
        return (self.pattern is not None and self.pattern.search(folded) is not None
                and not (self.unless is not None and self.unless.search(folded)))


@dataclass(frozen=True)
class Lexicon:
    """Folded token rewrites: abbreviation → expansion, synonym phrase → its group's first phrase."""

    abbreviations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Longest phrases first, so "thời hạn nộp" is not eaten by "thời hạn".
    phrases: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    out_of_scope: tuple[str, ...] = ()  # as written, with diacritics
    small_talk: tuple[str, ...] = ()
    closings: tuple[str, ...] = ()  # small talk that thanks or says goodbye, as written
    near_domain: tuple[NearDomain, ...] = ()
    anchors: tuple[tuple[str, ...], ...] = ()  # folded tokens
    agencies: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name → folded aliases
    routes: dict[str, str] = field(default_factory=dict)  # kind of question → entry id
    not_held: tuple[NotHeld, ...] = ()
    places: dict[str, str] = field(default_factory=dict)  # folded name → name as written

    def expand(self, toks: list[str]) -> list[str]:
        """Replace abbreviations by their words, then every synonym phrase by its canonical phrase."""
        out: list[str] = []
        for t in toks:
            out.extend(self.abbreviations.get(t, (t,)))
        return self._canonical(out)

    def _canonical(self, toks: list[str]) -> list[str]:
        by_first = self._by_first()
        out: list[str] = []
        i = 0
        while i < len(toks):
            for phrase, canonical in by_first.get(toks[i], ()):
                n = len(phrase)
                if tuple(toks[i : i + n]) == phrase:
                    out.extend(canonical)
                    i += n
                    break
            else:
                out.append(toks[i])
                i += 1
        return out

    def _by_first(self) -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]:
        # Index the phrases by their first word once: expand() runs for every question.
        cached = self.__dict__.get("_first_index")
        if cached is None:
            cached = {}
            for phrase, canonical in self.phrases:  # longest first, kept in each bucket
                cached.setdefault(phrase[0], []).append((phrase, canonical))
            object.__setattr__(self, "_first_index", cached)
        return cached



class PhraseSpotter:
    """Find listed phrases in a question, with or without diacritics, without false alarms.

    Unaccented text is ambiguous ("do la" is "đô la" or "đó là"): a phrase is looked for in a question
    typed without diacritics only when its unaccented form never occurs in the handbook itself.
    """

    def __init__(self, phrases: tuple[str, ...], accented_hay: str, folded_hay: str):
        """`accented_hay` and `folded_hay` are the handbook's text as canonical and folded tokens."""
        # A phrase the handbook itself uses is never a sign of another subject.
        accented_hay = f" {accented_hay} "
        folded_hay = f" {folded_hay} "
        self._accented = []
        self._folded = []
        for p in phrases:
            accented = tuple(canonical_syllable(t) for t in tokens(p))
            if f" {' '.join(accented)} " not in accented_hay:
                self._accented.append((p, accented))
            folded = tuple(folded_tokens(p))
            # "may tinh" typed without diacritics is as likely "mấy tỉnh" (how many provinces) as "máy tính":
            # "may" before a word the handbook uses is read as the question word.
            asks_how_many = len(folded) == 2 and folded[0] == "may" and f" {folded[1]} " in folded_hay
            if f" {' '.join(folded)} " not in folded_hay and not asks_how_many:
                self._folded.append((p, folded))
        # Looked up by first word: every question passes through here.
        self._accented_index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self._folded_index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for target, pairs in ((self._accented_index, self._accented), (self._folded_index, self._folded)):
            for phrase, toks in pairs:
                if toks:
                    target.setdefault(toks[0], []).append((phrase, toks))

    def find(self, question: str) -> str | None:
        """Return the first listed phrase the question contains, if any."""
        found = self.find_all(question)
        return found[0] if found else None

    def find_all(self, question: str) -> list[str]:
        """Return every listed phrase the question contains."""
        if has_diacritics(question):
            seq = tuple(canonical_syllable(t) for t in tokens(question))
            index = self._accented_index
        else:
            seq = tuple(folded_tokens(question))
            index = self._folded_index
        found: list[str] = []
        for i, first in enumerate(seq):
            for phrase, toks in index.get(first, ()):
                if seq[i : i + len(toks)] == toks and phrase not in found:
                    found.append(phrase)
        return found


def _alternation(patterns: list[str] | tuple[str, ...]) -> re.Pattern[str] | None:
    """One regular expression that finds what any of the patterns finds (none of them numbers its
    groups for a back-reference or sets a flag, which an alternation would change)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def load_lexicon(path: Path = DEFAULT_SYNONYMS_PATH) -> Lexicon:
    """Read the synonyms YAML; raise InvalidKnowledge on a malformed file."""
    data, located, problems = read_yaml(path)
    if problems:
        raise InvalidKnowledge(problems)
    try:
        parsed = LexiconFile.model_validate(data or {})
    except ValidationError as exc:
        raise InvalidKnowledge(problems_of(exc, path, located)) from exc
    abbreviations = {
        "".join(folded_tokens(k)): tuple(folded_tokens(v)) for k, v in parsed.abbreviations.items()
    }
    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for group in parsed.synonyms:
        canonical = tuple(folded_tokens(group[0]))
        # A group of one phrase is kept whole, so that no shorter group takes its words ("tiến độ" is
        # no "tiền" (money) and "độ").
        for phrase in group[1:] or group:
            # Synonym phrases may themselves use abbreviations; expand those first.
            toks: list[str] = []
            for t in folded_tokens(phrase):
                toks.extend(abbreviations.get(t, (t,)))
            pairs.append((tuple(toks), canonical))
    pairs.sort(key=lambda p: -len(p[0]))
    near = tuple(
        NearDomain(t.topic, tuple(tuple(folded_tokens(p)) for p in t.phrases), " ".join(t.pointer.split()),
                   t.scheme, tuple(tuple(canonical_syllable(w) for w in tokens(p)) for p in t.phrases),
                   t.beyond_the_standard)
        for t in parsed.near_domain
    )
    agencies = {
        name: tuple(dict.fromkeys(" ".join(folded_tokens(a)) for a in [name, *aliases]))
        for name, aliases in parsed.agencies.items()
    }
    return Lexicon(abbreviations=abbreviations, phrases=tuple(pairs), out_of_scope=tuple(parsed.out_of_scope),
                   small_talk=tuple(parsed.small_talk), closings=tuple(parsed.closings),
                   near_domain=near,
                   anchors=tuple(tuple(folded_tokens(a)) for a in parsed.in_scope_anchors),
                   agencies=agencies, routes=dict(parsed.routes),
                   not_held=tuple(NotHeld(t.topic, tuple(tuple(folded_tokens(p)) for p in t.phrases),
                                          _alternation(t.patterns),
                                          " ".join(t.notice.split()),
                                          tuple(tuple(canonical_syllable(w) for w in tokens(p))
                                                for p in t.phrases),
                                          re.compile(t.unless) if t.unless else None, t.in_the_plan,
                                          t.a_task)
                                  for t in parsed.not_held),
                   places={" ".join(folded_tokens(p)): p for p in parsed.places})
