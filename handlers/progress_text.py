"""Read a progress update typed in free text: "đã xong", "đang làm 60%", "vướng: chưa có kinh phí"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.text import clean, fold

DONE = "done"
IN_PROGRESS = "in_progress"
BLOCKED = "blocked"

_PERCENT = re.compile(r"(\d{1,3})\s*(%|phan tram)")
_NOT_DONE = re.compile(r"\b(chua|khong|ko|k)\s+(xong|hoan thanh|hoan tat|thuc hien xong)\b")
_DONE = re.compile(r"\b(xong|hoan thanh|hoan tat|done|ket thuc|da thuc hien)\b")
_DOING = re.compile(r"\b(dang|tien do|trien khai|thuc hien|lam)\b")
_BLOCKED = re.compile(r"\b(vuong|vuong mac|kho khan|tac|chua co|thieu|gap van de|bi tre)\b")
_BLOCKED_LEAD = re.compile(r"^\s*(vuong mac|vuong|kho khan|gap vuong mac|gap kho khan)\s*[:\-–]?\s*", re.I)


@dataclass(frozen=True)
class ParsedProgress:
    """What a message says about progress; `sure` is False when the bot should ask."""

    status: str | None
    percent: int | None
    note: str | None
    sure: bool


def _note_after_colon(text: str) -> str | None:
    if ":" in text:
        note = text.split(":", 1)[1].strip()
        return note or None
    return None


def parse_progress(text: str) -> ParsedProgress:
    """Parse a free-text progress reply; ambiguous or empty text is not guessed."""
    original = clean(text)
    folded = fold(original)
    pct_match = _PERCENT.search(folded)
    percent = int(pct_match.group(1)) if pct_match else None
    if percent is not None and percent > 100:
        return ParsedProgress(None, None, None, sure=False)
    blocked = bool(_BLOCKED.search(folded))
    not_done = bool(_NOT_DONE.search(folded))
    done = bool(_DONE.search(folded)) and not not_done
    doing = bool(_DOING.search(folded)) or not_done or (percent is not None and percent < 100)
    if blocked:
        note = _note_after_colon(original)
        if note is None:
            # "vướng chưa có kinh phí": the words after the keyword are the note.
            lead = _BLOCKED_LEAD.match(folded)
            note = original[lead.end():].strip() if lead else original
        return ParsedProgress(BLOCKED, percent, note or None, sure=not done)
    if percent == 100 or (done and not doing):
        return ParsedProgress(DONE, 100, _note_after_colon(original), sure=True)
    if done and doing:
        # "đã thực hiện xong" is done; "đang làm, sắp xong" is not: without a percentage, ask.
        sure = bool(re.search(r"\b(da|vua)\s+(\w+\s+)?(xong|hoan thanh)", folded))
        return ParsedProgress(DONE if sure else None, 100 if sure else None, None, sure=sure)
    if doing:
        return ParsedProgress(IN_PROGRESS, percent, _note_after_colon(original), sure=True)
    return ParsedProgress(None, percent, None, sure=False)
