"""Vietnamese text normalisation: one way to compare text typed with or without diacritics."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The five tone marks. Everything else in a decomposed Vietnamese letter (circumflex, breve, horn)
# belongs to the vowel itself.
_TONES = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
# Plan items ("II.3.b", "III.1.đ") and numbers ("25/2021", "2.3") stay whole; otherwise syllables.
_TOKEN = re.compile(r"\b[ivx]+\.\d+(?:\.[^\W\d_])?\b|\d+(?:[./]\d+)*|[^\W\d_]+", re.UNICODE)


def clean(text: str) -> str:
    """Return NFC text with runs of whitespace collapsed; what the user sees, normalised."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _fold_slowly(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Every precomposed Latin letter with diacritics (Vietnamese ones among them) → its plain letter: one
# str.translate folds a typical question, the decomposition runs only for what the table leaves.
_FOLDED_LETTERS = {ord(ch): plain for ch in map(chr, range(0xC0, 0x1F00))
                   if (plain := _fold_slowly(ch)) != ch and len(plain) == 1 and plain.isascii()}


def fold(text: str) -> str:
    """Lower-case and strip every diacritic ("Đạt chuẩn" → "dat chuan")."""
    folded = text.lower().translate(_FOLDED_LETTERS)
    return folded if folded.isascii() else _fold_slowly(text)


@lru_cache(maxsize=65536)
def canonical_syllable(token: str) -> str:
    """Return a tone-placement-independent accented form: "hoà" and "hòa" both give "hoa2".

    The tone mark is moved to the end of the syllable as a digit; the other diacritics stay.
    This lets an exactly accented question rank higher without caring about old/new tone style.
    """
    decomposed = unicodedata.normalize("NFD", token.lower())
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in _TONES:
            tone = _TONES[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def has_diacritics(text: str) -> bool:
    """Tell whether the text carries any Vietnamese diacritic (or đ)."""
    return fold(text) != text.lower()


def tokens(text: str) -> list[str]:
    """Split NFC lower-case text into syllables and numbers ("25/2021", "2.3" stay whole)."""
    return _TOKEN.findall(unicodedata.normalize("NFC", text.lower()))


def folded_tokens(text: str) -> list[str]:
    """Return the diacritic-free tokens of a text."""
    return [_fold_token(t) for t in tokens(text)]


@lru_cache(maxsize=65536)
def _fold_token(token: str) -> str:
    # Syllables repeat endlessly; folding each distinct one once is what makes start-up quick.
    return fold(token)
