"""Read a progress update typed in free text: "đã xong", "đang làm 60%", "chưa làm", "vướng: …".

Officials write with or without diacritics; the text is folded ("đã xong" → "da xong") before reading.
Nothing unclear is guessed: the result says the bot should ask, and what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.text import clean, fold

DONE = "done"
IN_PROGRESS = "in_progress"
BLOCKED = "blocked"
NOT_STARTED = "not_started"  # its own status: the agency answered, and has not begun

# Any number before a percent sign, signed or with decimals, so that a bad one is caught, not skipped.
_PERCENT = re.compile(r"(-\s*)?(\d+(?:[.,]\d+)?)\s*(%|phan tram)")
_NOT_FINISHED = re.compile(r"\b(chua|khong|ko|k|sap|gan)\s+(\w+\s+){0,2}?(xong|hoan thanh|hoan tat)\b")
_NOT_STARTED = re.compile(r"\bchua\s+(lam|bat dau|trien khai|thuc hien|khoi cong)\b(?!\s+(xong|duoc))")
_DONE = re.compile(r"\b(xong|hoan thanh|hoan tat|done|lam roi|da lam|da thuc hien)\b")
_DOING = re.compile(r"\b(dang|tien do|trien khai|thuc hien|duoc khoang|khoang|duoc)\b")
_BLOCKED = re.compile(r"\b(vuong|vuong mac|kho khan|ach tac|bi tac|chua co|thieu|gap van de|bi tre)\b")
_BLOCKED_LEAD = re.compile(r"^\s*(gap vuong mac|gap kho khan|vuong mac|vuong|kho khan)\s*[:\-–]?\s*")

MSG_BAD_PERCENT = (
    "Tỷ lệ «{typed}» không hợp lệ: xin ghi một số nguyên từ 0 đến 100, ví dụ «đang làm 60%»."
)


@dataclass(frozen=True)
class ParsedProgress:
    """What a message says about progress; `sure` is False when the bot should ask instead."""

    status: str | None
    percent: int | None
    note: str | None
    sure: bool
    question: str | None = None  # what to ask back, when the bot knows what is wrong
    confirm_done: bool = False  # "100%": ask whether the task is done


def _unsure(question: str | None = None, percent: int | None = None,
            confirm_done: bool = False) -> ParsedProgress:
    return ParsedProgress(None, percent, None, sure=False, question=question, confirm_done=confirm_done)


def _note_after_colon(text: str) -> str | None:
    if ":" in text:
        note = text.split(":", 1)[1].strip()
        return note or None
    return None


def _percent(original: str, folded: str) -> int | None | ParsedProgress:
    """Return the one percentage the text gives, None when it gives none, or what to ask back."""
    found = list(_PERCENT.finditer(folded))
    values = set()
    for m in found:
        sign, number, _ = m.groups()
        typed = m.group(0).replace(" ", "")
        if sign or not number.isdigit() or int(number) > 100:
            return _unsure(MSG_BAD_PERCENT.format(typed=typed))
        values.add(int(number))
    if len(values) > 1:
        return _unsure("Tin nhắn có nhiều tỷ lệ khác nhau; xin ghi một tỷ lệ, ví dụ «đang làm 60%».")
    return values.pop() if values else None


def parse_progress(text: str) -> ParsedProgress:
    """Parse a free-text progress reply; ambiguous or empty text is not guessed."""
    original = clean(text)
    folded = fold(original)
    if not folded.strip():
        return _unsure()
    percent = _percent(original, folded)
    if isinstance(percent, ParsedProgress):
        return percent
    blocked = bool(_BLOCKED.search(folded))
    not_finished = bool(_NOT_FINISHED.search(folded))
    not_started = bool(_NOT_STARTED.search(folded))
    done = bool(_DONE.search(folded)) and not not_finished and not not_started
    doing = bool(_DOING.search(folded)) or not_finished
    if blocked:
        if done:
            return _unsure()
        # "vướng: chưa có kinh phí", "vướng chưa có kinh phí": the words after the keyword are the note;
        # without the keyword ("chưa có kinh phí: đã đề nghị…") the whole text is, colon and all —
        # what blocks the task is the point of the note, so none of it is dropped.
        lead = _BLOCKED_LEAD.match(folded)
        note = original[lead.end():].strip() if lead else original.strip()
        return ParsedProgress(BLOCKED, percent, note or None, sure=True)
    if not_started:
        if percent:  # "chưa làm, được 30%": one of the two is wrong
            return _unsure()
        return ParsedProgress(NOT_STARTED, percent, _note_after_colon(original), sure=True)
    if percent == 100:
        if done and not not_finished:
            return ParsedProgress(DONE, 100, _note_after_colon(original), sure=True)
        return _unsure(percent=100, confirm_done=True)
    if done:
        if percent is not None:  # "đã làm được 60%": done with part of it
            return ParsedProgress(IN_PROGRESS, percent, _note_after_colon(original), sure=True)
        return ParsedProgress(DONE, 100, _note_after_colon(original), sure=True)
    if doing or percent is not None:
        return ParsedProgress(IN_PROGRESS, percent, _note_after_colon(original), sure=True)
    return _unsure()
