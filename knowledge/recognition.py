"""Judge a commune's situation against the recognition conditions of a regime (rules kept as data).

The rules live in recognition.yaml beside the handbook: only conditions confirmed in the reference
notes, each with its citation. A regime whose conditions are not confirmed (QĐ 27/2025 today) lists
none, and the verdict says that no conclusion can be drawn rather than borrowing the other regime's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from knowledge.loader import PACKAGE_DIR, InvalidKnowledge, problems_of, read_yaml
from knowledge.schema import Id, Regime, Strict, Text

DEFAULT_RECOGNITION_PATH = PACKAGE_DIR / "recognition.yaml"


class ConditionKind(StrEnum):
    MIN_TOTAL = "min_total"  # the total score is at least `value`
    MIN_CRITERION_SHARE = "min_criterion_share"  # every criterion reaches `value` % of its maximum
    HEAD_NOT_DISCIPLINED = "head_not_disciplined"  # no head of the commune disciplined or prosecuted


class Condition(Strict):
    kind: ConditionKind
    value: float | None = None
    rule: Text  # how the condition reads, in Vietnamese, to be quoted in a verdict
    citation: Text

    @model_validator(mode="after")
    def _value_when_needed(self) -> Condition:
        if self.kind is not ConditionKind.HEAD_NOT_DISCIPLINED and self.value is None:
            raise ValueError(f"a {self.kind.value} condition needs a value")
        return self


class Rule(Strict):
    rule: Text
    citation: Text


class RegimeRules(Strict):
    document: Text
    label: Text  # short name used in answers: "QĐ 25/2021"
    entry: Id  # the handbook entry that states these conditions
    max_total: float | None = None
    conditions: list[Condition] = []
    scored_by: Rule | None = None  # whose score counts (the council's, under QĐ 25)
    other_officials: Rule | None = None  # what discipline of other officials affects
    unconfirmed: str | None = None  # said instead of a verdict when no condition is confirmed
    # The first year assessed under these rules, and the entry saying which rules judged the years before
    # (2021 was still assessed under QĐ 619/2017, whose conditions the handbook does not hold).
    first_year: int | None = None
    earlier_entry: Id | None = None

    @model_validator(mode="after")
    def _conditions_or_why_not(self) -> RegimeRules:
        if not self.conditions and not self.unconfirmed:
            raise ValueError("a regime without conditions must say why (unconfirmed)")
        return self


class RecognitionFile(Strict):
    regimes: dict[Regime, RegimeRules] = Field(min_length=1)


def load_recognition(path: Path = DEFAULT_RECOGNITION_PATH) -> dict[Regime, RegimeRules]:
    """Read the recognition rules; raise InvalidKnowledge with file and line on a bad file."""
    data, located, problems = read_yaml(path)
    if problems:
        raise InvalidKnowledge(problems)
    try:
        return RecognitionFile.model_validate(data or {}).regimes
    except ValidationError as exc:
        raise InvalidKnowledge(problems_of(exc, path, located)) from exc


# ---------------------------------------------------------------- a situation and its verdict


@dataclass(frozen=True)
class Share:
    """What a question says about a criterion's share of its maximum points."""

    criterion: int | None  # None: every criterion (or, with below, some criterion)
    value: float  # 0–1
    below: bool = False  # "dưới 50%", "chỉ đạt 40%" (under), as opposed to "đạt 60%", "trên 50%"


@dataclass(frozen=True)
class Situation:
    """The facts an official states about a commune's assessment."""

    total: float | None = None  # a total score, whoever gave it
    self_score: float | None = None  # the commune's own score ("tự chấm 88")
    council_score: float | None = None  # the score the council appraised ("hội đồng chấm lại 79")
    shares: tuple[Share, ...] = ()
    head_disciplined: bool | None = None  # chairman or party secretary of the commune
    official_disciplined: bool = False  # another official of the commune
    year: int | None = None  # the assessment year
    discipline_year: int | None = None  # when the head was disciplined or prosecuted, if said
    indicator_results: bool = False  # results of indicators ("1.1 đạt 100%", "hòa giải thành 12/15 vụ")

    @property
    def scored(self) -> bool:
        """Tell whether a score or a criterion's share was said."""
        return (self.total is not None or self.self_score is not None or self.council_score is not None
                or bool(self.shares))

    @property
    def stated(self) -> bool:
        """Tell whether anything the conditions speak of was said (another official's discipline too:
        the verdict says it is no condition)."""
        return (self.scored or self.head_disciplined is not None or self.official_disciplined
                or self.indicator_results)


class Status(StrEnum):
    MET = "met"  # every condition is met by what was said
    NOT_MET = "not_met"  # at least one condition fails
    INCOMPLETE = "incomplete"  # nothing fails, but some condition cannot be checked from what was said
    RULES_UNCONFIRMED = "rules_unconfirmed"  # the regime's conditions are not confirmed


@dataclass(frozen=True)
class Verdict:
    regime: Regime
    status: Status
    text: str  # the verdict with its reasons and citations, in Vietnamese
    citations: tuple[str, ...] = field(default=())


def _num(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _pct(x: float) -> str:
    return _num(round(x * 100, 1)) + "%"


def judge(situation: Situation, regime: Regime, rules: dict[Regime, RegimeRules]) -> Verdict:
    """Apply a regime's confirmed conditions to a situation: verdict, reasons, citations."""
    r = rules.get(regime)
    if r is None or not r.conditions:
        text = r.unconfirmed if r and r.unconfirmed else "Sổ tay chưa có điều kiện công nhận đã xác minh."
        return Verdict(regime, Status.RULES_UNCONFIRMED, " ".join(text.split()))
    failed: list[str] = []
    passed: list[str] = []
    unknown: list[str] = []
    score, notes = _counted_score(situation, r)
    for c in r.conditions:
        outcome = _check(c, situation, score, r)
        if outcome is None:
            unknown.append(c.rule)
        else:
            (passed if outcome[0] else failed).append(outcome[1])
    if situation.official_disciplined and situation.head_disciplined is not True and r.other_officials:
        notes.append(f"{_sentence(r.other_officials.rule)} ({r.other_officials.citation}).")
    where = "; ".join(dict.fromkeys(c.citation for c in r.conditions))
    if failed:
        status = Status.NOT_MET
        head = f"Chưa đủ điều kiện công nhận theo {r.label}: " + "; ".join(failed) + f" ({where})."
    elif unknown:
        status = Status.INCOMPLETE
        head = ("Chưa đủ thông tin để kết luận. "
                + (f"{_sentence('; '.join(passed))} ({where}). " if passed else "")
                + f"Để được công nhận theo {r.label} còn cần: " + "; ".join(unknown) + f" ({where}).")
    else:
        status = Status.MET
        head = f"Đủ các điều kiện công nhận theo {r.label}: " + "; ".join(passed) + f" ({where})."
    citations = [c.citation for c in r.conditions]
    if r.scored_by and (situation.self_score is not None or situation.council_score is not None):
        citations.append(r.scored_by.citation)
    if r.other_officials and situation.official_disciplined:
        citations.append(r.other_officials.citation)
    return Verdict(regime, status, " ".join([head, *notes]), tuple(dict.fromkeys(citations)))


def _sentence(s: str) -> str:
    return s[:1].upper() + s[1:]


def _counted_score(s: Situation, r: RegimeRules) -> tuple[float | None, list[str]]:
    """Return the score the conditions apply to, with a note when whose score counts matters."""
    if s.council_score is not None:
        if s.self_score is not None and s.self_score != s.council_score and r.scored_by:
            return s.council_score, [
                f"Điểm được tính là điểm Hội đồng thẩm định ({_num(s.council_score)}), không phải điểm tự "
                f"chấm ({_num(s.self_score)}) ({r.scored_by.citation})."]
        return s.council_score, []
    if s.self_score is not None and r.scored_by:
        return s.self_score, [f"Lưu ý: {r.scored_by.rule} ({r.scored_by.citation})."]
    return s.self_score if s.self_score is not None else s.total, []


def _check(c: Condition, s: Situation, score: float | None, r: RegimeRules) -> tuple[bool, str] | None:
    """Return (met, reason) for one condition, or None when the situation does not tell."""
    if c.kind is ConditionKind.MIN_TOTAL:
        assert c.value is not None
        if score is None:
            return None
        if r.max_total is not None and score > r.max_total:
            return False, (f"tổng {_num(score)} điểm vượt thang điểm tối đa {_num(r.max_total)}, "
                           "cần kiểm tra lại")
        if score >= c.value:
            return True, f"tổng {_num(score)} điểm đạt mức từ {_num(c.value)} điểm trở lên"
        return False, f"tổng {_num(score)} điểm chưa đạt, vì {c.rule}"
    if c.kind is ConditionKind.MIN_CRITERION_SHARE:
        assert c.value is not None
        floor = c.value / 100
        for sh in s.shares:
            name = f"tiêu chí {sh.criterion}" if sh.criterion else "có tiêu chí"
            if sh.below and sh.value <= floor:
                return False, f"{name} dưới {_pct(sh.value)} điểm tối đa, trong khi {c.rule}"
            if not sh.below and sh.criterion is not None and sh.value < floor:
                return False, f"{name} chỉ đạt {_pct(sh.value)} điểm tối đa, trong khi {c.rule}"
        if any(sh.criterion is None and not sh.below and sh.value >= floor for sh in s.shares):
            return True, f"các tiêu chí đều đạt từ {_num(c.value)}% điểm tối đa trở lên"
        return None
    if c.kind is ConditionKind.HEAD_NOT_DISCIPLINED:
        if s.head_disciplined is None:
            return None
        if s.head_disciplined and s.year and s.discipline_year and s.discipline_year != s.year:
            return True, (f"việc người đứng đầu bị kỷ luật hoặc truy cứu xảy ra năm {s.discipline_year}, "
                          f"không thuộc năm đánh giá {s.year}, nên không làm mất điều kiện này "
                          f"của năm {s.year}")
        if s.head_disciplined:
            return False, f"người đứng đầu cấp ủy hoặc chính quyền cấp xã bị kỷ luật, trong khi {c.rule}"
        return True, "không có người đứng đầu cấp ủy, chính quyền cấp xã bị kỷ luật"
    return None  # pragma: no cover - every kind is handled above
