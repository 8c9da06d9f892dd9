"""Task codes as officials type them: "II.3.c", "ii-3c", "II 3 c", "II.3c" all name the item ii-3c."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

# Longest numerals first, so "iii" is not read as "ii" followed by a stray "i".
_ROMAN = r"(viii|vii|iii|ix|iv|vi|ii|x|v|i)"
_CODE = re.compile(rf"^{_ROMAN}[\s.\-]*(?:(\d{{1,3}})[\s.\-]*([a-z]{{1,2}})?)?\.?$")
_MAX_TOKENS = 3  # "II 3 c"


def task_id_of(text: str) -> str | None:
    """Return the task id a typed code names ("II.4.đ" → "ii-4dd"), or None when it is not a code."""
    s = unicodedata.normalize("NFC", text).strip().lower().replace("đ", "dd")
    s = "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))
    m = _CODE.match(s)
    if m is None:
        return None
    roman, number, letters = m.groups()
    if number is None:
        return roman
    return f"{roman}-{number}{letters or ''}"


@dataclass(frozen=True)
class TypedRef:
    """A task named in a command: the plan if given, the task id read from the code, and the rest."""

    plan_id: str | None
    task_id: str | None  # None: the words do not look like a code
    typed: str  # the code as typed, for messages
    rest: str  # the words after the code


def split_task_ref(args: str, known: Iterable[str] = ()) -> TypedRef:
    """Split "II 3 c đang 60%" into the task it names and the rest.

    A code may take up to three words ("II 3 c"); the longest reading that names a known task wins,
    else the first word alone, so the words after a code are never swallowed by a guess.
    A plan may be named before the code: "kh-2026/II.1".
    """
    tokens = args.split()
    if not tokens:
        return TypedRef(None, None, "", "")
    plan, _, first = tokens[0].rpartition("/")
    tokens = [first, *tokens[1:]]
    known_ids = set(known)
    readings = []
    for k in range(min(_MAX_TOKENS, len(tokens)), 0, -1):
        typed = " ".join(tokens[:k])
        task_id = task_id_of(typed)
        if task_id is not None:
            readings.append((k, task_id, typed))
    if not readings:
        return TypedRef(plan or None, None, tokens[0], " ".join(tokens[1:]))
    single = [r for r in readings if r[0] == 1]
    chosen = next((r for r in readings if r[1] in known_ids), None) or (single or readings)[-1]
    k, task_id, typed = chosen
    return TypedRef(plan or None, task_id, typed, " ".join(tokens[k:]))


def closest(task_id: str, candidates: dict[str, str], limit: int = 3) -> list[str]:
    """Return the displayed codes of the tasks whose ids are closest to `task_id` (id → code).

    Codes of the same item come first ("ii-3k" → II.3.a, II.3.b, II.3.c, not III.3): a longer
    common beginning wins, then the edit similarity.
    """

    def shared(other: str) -> int:
        return next((i for i, (a, b) in enumerate(zip(task_id, other, strict=False)) if a != b),
                    min(len(task_id), len(other)))

    scored = [(shared(c), fuzz.ratio(task_id, c), c) for c in candidates]
    scored = [s for s in scored if s[0] > 0 or s[1] >= 60]
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [candidates[c] for _, _, c in scored[:limit]]
