"""Read what a question names before any ranking: criteria and indicators, the regime, plan items,
agencies and a described situation. Deterministic, and independent of the handbook's wording.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from knowledge.recognition import Share, Situation
from knowledge.schema import Regime
from knowledge.text import clean, fold, folded_tokens

# ---------------------------------------------------------------- criterion and indicator references

_NUMBER_WORDS = {"mot": 1, "nhat": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7,
                 "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
# A small number, in figures, in words or in Roman numerals ("tiêu chí II"; a lone "i" is too ambiguous).
# "năm nay", "năm sau" are this year and the next, not "five".
# A number word before a counted noun is a count ("bộ tiêu chí ba nhóm"), not which one.
_COUNTED = r"(?!\s+(?:nhom|loai|muc|cai|diem|linh\s*vuc|noi\s*dung|phan|nhiem\s*vu)\b)"
_N = (r"(\d{1,2}|(?:mot|nhat|hai|ba|bon|tu|nam(?!\s+(?:nay|sau|truoc|qua|toi|ngoai|roi)\b)|sau|bay"
      r"|iii|ii|iv|v)" + _COUNTED + ")")
_SO = r"(?:\s*(?:so|thu))?\s*"  # "tiêu chí số 3", "chỉ tiêu thứ năm"
_TC = r"\b(?:tieu\s*chi|tc|criterion)"
_CT = r"\b(?:chi\s*tieu|ct|indicator)"
_LINK = r"\s*[,-]?\s*(?:(?:cua|thuoc|trong|o|tai|thuoc ve)\s+)?"
# A number word followed by a year is "năm 2023", not "five".
_NOT_YEAR = r"(?!\s*\d{4})(?![\d/])"

# A number ends at a word boundary: "tiêu chí ban…" is no "tiêu chí ba".
_CRITERION_THEN_INDICATOR = re.compile(
    _TC + _SO + _N + r"\s*(?:\.\s*(\d)\b|" + _LINK + _CT + _SO + _N + r"\b)" + _NOT_YEAR)
_INDICATOR_OF_CRITERION = re.compile(_CT + _SO + _N + _LINK + r"(?:" + _TC + r"|\bnhom)" + _SO + _N + r"\b"
                                     + _NOT_YEAR)
# "chỉ tiêu 2.5", "ct 2,5", "chỉ tiêu 2-5", "ct 2/5", "ct 2 5": the separator varies with the keyboard.
# "các chỉ tiêu 3-6 TC2" is a range of indicators of another criterion named after it, not indicator 3.6
# ("ct 1-1 tiêu chí 1" is 1.1).
_INDICATOR_DOTTED = re.compile(_CT + _SO + r"(\d)(?:\s*\.\s*|,|(?:-|/|\s+)(?!\d\s*(?:cua\s+|thuoc\s+)?"
                               r"(?:tc|tieu\s*chi)\s*(?:so\s*)?(?!\1\b)\d))(\d)\b(?![./,]\d)")
# "nhóm thứ nhất", "nhóm 1 mới": a newcomer's word for a criterion, not a group of people ("nhóm 5 người").
_CRITERION = re.compile(r"(?:" + _TC + r"|\bnhom)" + _SO + _N + r"\b" + _NOT_YEAR
                        + r"(?!\s*(?:nguoi|ho|thanh\s*vien|ban|em)\b)")
_INDICATOR = re.compile(_CT + _SO + _N + r"\b" + _NOT_YEAR)
# "2.5 là gì": a bare dotted pair counts only in a question that speaks of criteria or indicators.
_BARE_DOTTED = re.compile(r"(?<![\d./,])\b([1-5])\.([1-7])\b(?![./,]?\d)")
_SPEAKS_OF_CRITERIA = re.compile(_TC + r"\b|" + _CT + r"\b")

MAX_CRITERION = 9  # QĐ 25 has five criteria, QĐ 27 three: "tiêu chí 16" is the new-rural criterion
MAX_INDICATOR = 9


@dataclass(frozen=True)
class CriterionRef:
    """A criterion ("tiêu chí 2") or an indicator ("chỉ tiêu 2.5"); indicator alone when no criterion."""

    criterion: int | None
    indicator: int | None = None

    def __str__(self) -> str:
        if self.indicator is None:
            return f"{self.criterion}"
        return f"{self.criterion or '?'}.{self.indicator}"


NUMBER_WORDS = frozenset(_NUMBER_WORDS)  # words a typo corrector must leave alone ("bốn" is no "bạn")


def _number(s: str | None) -> int | None:
    if s is None:
        return None
    return int(s) if s.isdigit() else _NUMBER_WORDS.get(s)


# "tiêu chí V", "chỉ tiêu II.3", "chỉ tiêu thứ năm", "tiêu chí hai": the number in figures, as the handbook
# writes it, so that ranking matches it too. "năm", "sáu" and "tư" are also words ("chỉ tiêu năm nay",
# "các tiêu chí sau", "chỉ tiêu tự đánh giá"): they are numbers only after "số" or "thứ".
_ROMAN_OR_PLAIN = re.compile(r"(" + _TC + r"|" + _CT + r")(\s+(?:(?:so|thu)\s+)?)"
                             r"(iii|ii|iv|v|i|mot|nhat|hai|ba|bon|bay)\b(?!\s+(?:dinh|cach)\b)" + _COUNTED
                             + _NOT_YEAR)
_AFTER_SO_THU = re.compile(r"(" + _TC + r"|" + _CT + r")(\s*(?:so|thu)\s+)(nam|sau|tu)\b" + _COUNTED
                           + _NOT_YEAR)


def numbers_in_figures(folded: str) -> str:
    """Write the number of a criterion or an indicator in figures (folded text in, folded text out)."""
    def figure(m: re.Match[str]) -> str:
        return f"{m.group(1)}{m.group(2)}{_NUMBER_WORDS[m.group(3)]}"
    return _AFTER_SO_THU.sub(figure, _ROMAN_OR_PLAIN.sub(figure, folded))


def indicators_dotted(folded: str) -> str:
    """Write every indicator of a named criterion as the handbook mostly does, "chi tieu 2.5": "chỉ tiêu 5 của
    tiêu chí 2", "tiêu chí 2 chỉ tiêu 5", "ct 2-5" all rank alike (folded text with numbers in figures)."""
    def dotted(c: str | None, i: str | None) -> str | None:
        n_c, n_i = _number(c), _number(i)
        if n_c is None or n_i is None or not (1 <= n_c <= MAX_CRITERION and 1 <= n_i <= MAX_INDICATOR):
            return None
        return f"chi tieu {n_c}.{n_i}"

    folded = _INDICATOR_OF_CRITERION.sub(lambda m: dotted(m.group(2), m.group(1)) or m.group(0), folded)
    folded = _CRITERION_THEN_INDICATOR.sub(
        lambda m: dotted(m.group(1), m.group(2) or m.group(3)) or m.group(0), folded)
    return _INDICATOR_DOTTED.sub(lambda m: dotted(m.group(1), m.group(2)) or m.group(0), folded)


# "mẫu số 7", "mẫu 07", "form 7": one form, however its number is written.
_FORM_NUMBER = re.compile(r"\b(?:mau|form)\s+(?:so\s+)?0?([1-9])\b(?![.,/]\d)")
# "03 ngày", "05 năm": the handbook writes small numbers as the texts do, officials mostly without the zero.
# "01/01", "10/01/2025", "31/12": dates as officials type them ("1/1", "10/1/2025").
_DATE_ZERO = re.compile(r"(?<![\d.,])0([1-9])(?=\s*/\s*\d)|(?<=/)0([1-9])\b")
_LEADING_ZERO = re.compile(r"(?<![\w/.,])0([1-9])\b(?![/.,]\d)")


# ---------------------------------------------------------------- numbers said aloud
# A question dictated to a phone writes its numbers as words ("năm hai không hai ba tự chấm được bảy mươi
# tám điểm rưỡi", "quyết định hai bảy", "chỉ tiêu hai chấm năm"). Most number words are also other words
# ("năm" year, "ba" father, "tư" private, "sáu" after, "bảy" now, "không" not), so they become figures only
# where the words around them make them numbers: tens ("mươi", "mười"), a year after "hai không", a text's
# number after its kind, an indicator with "chấm", a count before what it counts, a day and its month.
_DIGIT = {"khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "nham": 5,
          "sau": 6, "bay": 7, "tam": 8, "chin": 9}
_D = r"(?:khong|mot|hai|ba|bon|tu|nam|lam|nham|sau|bay|tam|chin)"
_D_AFTER_TENS = r"(?:mot|hai|ba|bon|tu|lam|nham|sau|bay|tam|chin)"  # "mười năm" is ten years, "mười lăm" 15
# "hai không hai ba", "hai nghìn không trăm hai mươi ba", "hai ngàn hai mươi lăm": a year of this century.
_SPOKEN_YEAR = re.compile(r"\bhai\s+(?:khong\s+hai\s+(" + _D + r")|(?:nghin|ngan)\s+(?:khong\s+tram\s+)?hai"
                          r"\s+muoi(?:\s+(" + _D_AFTER_TENS + r"))?)\b")
# "bảy mươi tám", "mười hai", "hai mươi", "mười": tens ("mươi", "mười"; "muối", salt, folds alike but hardly
# comes up) are numbers.
_SPOKEN_TENS = re.compile(r"\b(?:(hai|ba|bon|nam|sau|bay|tam|chin)\s+muoi|muoi)(?:\s+(" + _D_AFTER_TENS
                          + r"))?\b")
_SPOKEN_HUNDRED = re.compile(r"\bmot\s+tram\b|\btram(?=\s+phan\s+tram\b)")
# "quyết định hai lăm", "thông tư không chín", "quyết định sáu một chín": a text's number, digit by digit.
_SPOKEN_TEXT_NUMBER = re.compile(
    r"\b(quyet\s*dinh|qd|thong\s*tu|tt|nghi\s*dinh|nd|nghi\s*quyet|nq|ke\s*hoach|kh|cong\s*van|cv)(\s+(?:so\s+)?)"
    r"((?:" + _D_AFTER_TENS + r"|khong)(?:\s+(?:" + _D_AFTER_TENS + r"|khong)){1,3})\b")
# "chỉ tiêu hai chấm năm", "ct một chấm hai"
_SPOKEN_DOTTED = re.compile(r"\b(chi\s*tieu|ct)\s+(" + _D + r"|\d)\s+cham\s+(" + _D + r"|\d)\b")
# "bảy người", "ba ngày", "không điểm": a count before what it counts ("sáu", "tư", "năm" also mean after,
# from, year: not before a day).
_SPOKEN_COUNT = re.compile(r"\b(mot|hai|ba|bon|bay|tam|chin)\s+(?=(?:nguoi|ngay|thanh\s*vien|vu|diem"
                           r"|phan\s*tram|to|lan|hoat\s*dong)\b)|\bkhong\s+(?=diem\b)")
# "ngày 10 tháng một": a date said aloud (the day's tens already in figures)
_SPOKEN_DATE = re.compile(r"\bngay\s+(\d{1,2}|" + _D_AFTER_TENS + r")\s+thang\s+(\d{1,2}|" + _D_AFTER_TENS
                          + r"|gieng)\b")
# any of the words above, or nothing to do
_HAS_NUMBER_WORD = re.compile(r"\b(?:muoi|tram|khong|mot|hai|ba|bon|bay|tam|chin|cham|thang|ruoi)\b")
_HALF_POINT = re.compile(r"\b(\d{1,3})\s+diem\s+ruoi\b")


def spoken_numbers(folded: str) -> str:
    """Write the numbers of a dictated question in figures (folded text in, folded text out)."""
    if not _HAS_NUMBER_WORD.search(folded):
        return folded
    folded = _SPOKEN_YEAR.sub(lambda m: f"202{_DIGIT[m.group(1)]}" if m.group(1)
                              else f"202{_DIGIT[m.group(2)] if m.group(2) else 0}", folded)
    folded = _SPOKEN_HUNDRED.sub("100", folded)
    folded = _SPOKEN_TENS.sub(lambda m: str((_DIGIT[m.group(1)] if m.group(1) else 1) * 10
                                            + (_DIGIT[m.group(2)] if m.group(2) else 0)), folded)
    folded = _SPOKEN_TEXT_NUMBER.sub(
        lambda m: m.group(1) + m.group(2) + "".join(str(_DIGIT[w]) for w in m.group(3).split()), folded)
    folded = _SPOKEN_DOTTED.sub(lambda m: f"{m.group(1)} {_digit(m.group(2))}.{_digit(m.group(3))}", folded)
    folded = _SPOKEN_COUNT.sub(lambda m: f"{_DIGIT[m.group(1) or 'khong']} ", folded)
    folded = _SPOKEN_DATE.sub(lambda m: f"ngay {_digit(m.group(1))}/{_month(m.group(2))}", folded)
    return _HALF_POINT.sub(r"\1.5 diem", folded)


def _digit(word: str) -> str:
    return word if word.isdigit() else str(_DIGIT[word])


def _month(word: str) -> str:
    return "1" if word == "gieng" else _digit(word)


def canonical_numbers(folded: str) -> str:
    """Write criteria, indicators, forms and small numbers alike (folded text in, folded text out): both a
    question and the handbook's own text are read through this, so that they rank alike."""
    folded = spoken_numbers(folded)
    folded = _FORM_NUMBER.sub(r"mau \1", indicators_dotted(numbers_in_figures(folded)))
    return _DATE_ZERO.sub(lambda m: m.group(1) or m.group(2), _LEADING_ZERO.sub(r"\1", folded))


def criterion_refs(folded: str) -> tuple[CriterionRef, ...]:
    """Find every criterion and indicator reference, in any of the forms officials write."""
    found: list[tuple[int, CriterionRef]] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], c: int | None, i: int | None) -> None:
        if any(a < m.end() and m.start() < b for a, b in taken):
            return
        if c is not None and not 1 <= c <= MAX_CRITERION:
            return
        if i is not None and not 1 <= i <= MAX_INDICATOR:
            return
        taken.append((m.start(), m.end()))
        found.append((m.start(), CriterionRef(c, i)))

    for m in _CRITERION_THEN_INDICATOR.finditer(folded):
        add(m, _number(m.group(1)), _number(m.group(2) or m.group(3)))
    for m in _INDICATOR_OF_CRITERION.finditer(folded):
        add(m, _number(m.group(2)), _number(m.group(1)))
    for m in _INDICATOR_DOTTED.finditer(folded):
        add(m, int(m.group(1)), int(m.group(2)))
    if _SPEAKS_OF_CRITERIA.search(folded):
        for m in _BARE_DOTTED.finditer(folded):
            add(m, int(m.group(1)), int(m.group(2)))
    for m in _CRITERION.finditer(folded):
        add(m, _number(m.group(1)), None)
    for m in _INDICATOR.finditer(folded):
        add(m, None, _number(m.group(1)))
    refs = [r for _, r in sorted(found, key=lambda x: x[0])]
    return tuple(dict.fromkeys(refs))


# ---------------------------------------------------------------- documents and regime

_DOCUMENTS: dict[str, tuple[Regime, re.Pattern[str]]] = {
    "25/2021": (Regime.QD25, re.compile(
        r"\b(?:qd|quyet\s*dinh)\s*(?:so\s*)?25\b(?!\s*/\s*2025)|\b25\s*/\s*2021\b|\bqd25\b")),
    "09/2021": (Regime.QD25, re.compile(
        r"\b(?:tt|thong\s*tu)\s*(?:so\s*)?0?9\b(?!\s*/\s*2025)|\b0?9\s*/\s*2021\b|\btt0?9\b")),
    "27/2025": (Regime.QD27, re.compile(
        r"\b(?:qd|quyet\s*dinh)\s*(?:so\s*)?27\b|\b27\s*/\s*2025\b|\bqd27\b")),
    "15/2025": (Regime.QD27, re.compile(
        r"\b(?:tt|thong\s*tu)\s*(?:so\s*)?15\b|\b15\s*/\s*2025\b|\btt15\b")),
    # QĐ 619/2017 (replaced by QĐ 25), and Bộ Tư pháp guidance built on QĐ 25.
    "619/2017": (Regime.QD25, re.compile(r"\b619\b")),
    "1723": (Regime.QD25, re.compile(r"\b1723\b")),
    "1143": (Regime.QD25, re.compile(r"\b1143\b")),
    "3124": (Regime.QD27, re.compile(r"\b3124\b")),
}
_PLAN = re.compile(r"\bke\s*hoach\b|\bkh\b")
# "kế hoạch triển khai QĐ 27": a province's plan for the rules in force, not the plan the handbook holds
# (which implements QĐ 25).
PLAN_OF_NEW_RULES = re.compile(
    r"\b(?:ke\s*hoach|kh)\s*(?:trien\s*khai|thuc\s*hien)\s*(?:qd|quyet\s*dinh)\s*(?:so\s*)?27\b")
# A set told by its size names its text: "5 tiêu chí, 25 chỉ tiêu" is QĐ 619/2017, "5 … 20" QĐ 25/2021,
# "3 … 14" QĐ 27/2025.
_SET_SIZE = re.compile(r"\b0?(\d{1,2})\s*(?:tieu\s*chi|tc)\b[^.?!\d]{0,12}?\b(\d{1,2})\s*(?:chi\s*tieu|ct)\b")
_SET_OF_SIZE = {(5, 25): "619/2017", (5, 20): "25/2021", (3, 14): "27/2025"}

# "QĐ 25/2021/QĐ-TTg" says which rules apply, hardly what is asked: ranking gives it little weight.
_DOCUMENT_REFERENCE = re.compile(
    r"\b(?:quyet\s*dinh|thong\s*tu|qd|tt)\s*(?:so\s*)?(?:25|27|0?9|15)(?:\s*/?\s*(?:2021|2025))?"
    r"(?:\s*/?\s*(?:qd|tt)?\s*-?\s*(?:ttg|btp))?\b|\b(?:25|27|09|15)\s*/\s*(?:2021|2025)\b"
    r"(?:\s*/?\s*(?:qd|tt)?\s*-?\s*(?:ttg|btp))?")

_NEW_WORDS = re.compile(
    r"\b(?:quyet\s*dinh|qd|quy\s*dinh|thong\s*tu|tt|bo\s*tieu\s*chi|tieu\s*chi|chuan|van\s*ban|bo)\s+moi\b"
    r"|\bchuan\s*(?:tiep\s*can(?:\s*phap\s*luat|\s*pl)?|tcpl)\s+moi\b"
    r"|\bhien\s*(?:nay|hanh|tai|gio)\b|\bbay\s*(?:gio|h)\b|\bbjo\b|^\s*gio\s|\bgio\s*(?:con|van)\b|\bdang\s*(?:ap\s*dung|co\s*hieu\s*luc)\b|\bmoi\s*nhat\b"
    r"|\b(?:2|hai)\s*cap\b|\bsau\s*(?:khi\s*)?(?:sap\s*nhap|sap\s*xep|hop\s*nhat|bo)\b"
    r"|(?<!chua )\b(?:bo|khong\s*con|da\s*bo|giai\s*the)\s*(?:cap\s*)?huyen\b"  # not "hồi chưa bỏ huyện"
    r"|\bdac\s*khu\b|\bthay\s*qd\s*25\b"
    r"|\b(?:cap\s*)?huyen\s*(?:da\s*|bi\s*)?(?:khong\s*con|bo|giai\s*the|ket\s*thuc)\b"
    # "ptp còn ko mà nộp hồ sơ", "huyện còn không": whether the district's bodies still exist
    r"|\b(?:ptp|phong\s*tu\s*phap|cap\s*huyen|huyen)\s*(?:van\s*)?con\s*(?:khong|ko|k|hong|ton\s*tai)\b"
    r"|\bcon\s*(?:hoat\s*dong|ap\s*dung|hieu\s*luc|dung|duoc\s*dung|ton\s*tai|xai)\b"
    r"|\b(?:chi\s*tieu|ct|tieu\s*chi|tc)\s*\d+(?:\s*[.,]\s*\d+)?\s+(?:bo\s+)?moi\b(?!\s*(?:duoc|dat)\b)"
    # A newcomer's words for the rules in force: "bảng điểm mới", "cách chấm mới", "nhóm 1 mới", "hết mấy
    # ông huyện rồi"
    r"|\b(?:bang\s*(?:diem|cham)|cach\s*(?:cham|moi)|nhom\s*\d?)\s*moi\b|\bhet\s*(?:may\s*ong\s*)?huyen\b")
_OLD_WORDS = re.compile(
    r"\b(?:quyet\s*dinh|qd|quy\s*dinh|thong\s*tu|tt|bo\s*tieu\s*chi|tieu\s*chi|chuan)\s+cu\b"
    r"|\b(?:truoc|trc)\s*(?:day|kia)\b|\bngay\s*truoc\b|\bhoi\s*truoc\b|\bgiai\s*doan\s*2022\b"
    # "CT 2.6 cũ", "tiêu chí 4 bộ cũ": the old rules said of an indicator ("cụ thể" is no "cũ")
    r"|\b(?:chi\s*tieu|ct|tieu\s*chi|tc)\s*\d+(?:\s*[.,]\s*\d+)?\s+(?:bo\s+)?cu\b(?!\s*the\b)|\bbo\s+cu\b"
    r"|\(\s*cu\s*\)"  # "chỉ tiêu bảo đảm kinh phí … (cũ)"
    r"|\bchuan\s*(?:tiep\s*can(?:\s*phap\s*luat|\s*pl)?|tcpl)\s+cu\b"  # "chuẩn tcpl cũ"
    # A newcomer's words for the old rules: "bảng điểm cũ", "cách chấm cũ", "ngày xưa", "hồi còn huyện"
    r"|\b(?:bang\s*(?:diem|cham)|cach\s*cham|nhom\s*\d?)\s*cu\b|\bngay\s*xua\b|\bhoi\s*(?:xua|con\s*huyen)\b"
    r"|\bluc\s*truoc\b"
    # "trước sáp nhập ai ký quyết định công nhận": before the reform
    r"|\b(?:truoc|trc)\s*(?:khi\s*)?(?:sap\s*nhap|sap\s*xep|hop\s*nhat|bo\s*(?:cap\s*)?huyen)\b"
    # "hồi chưa bỏ cấp huyện", "khi chưa sáp nhập", "hồi ấy", "thuở trước": an older official's "before"
    r"|\b(?:hoi|khi|luc|thoi)\s*chua\s*(?:sap\s*nhap|sap\s*xep|hop\s*nhat|bo\s*(?:cap\s*)?huyen)\b"
    r"|\bhoi\s*(?:ay|do)\b|\bthuo\s*truoc\b")
# "Trước đây … , giờ … ở đâu": what used to be, then what is now asked.
_BEFORE_NOW = re.compile(
    r"\b(?:truoc|trc)\s*(?:day|kia)\b[^?]*[,;.]\s*(?:con\s*|vay\s*)?(?:gio|bay\s*gio|hien\s*nay|nay)\s"
    # "có lập hội đồng giống hội đồng huyện trước đây không": whether it is still as it was
    r"|\b(?:giong|nhu)\b[^.?!]{0,40}\b(?:truoc\s*day|truoc\s*kia|ngay\s*truoc|hoi\s*truoc)\b")
# Naming the district as an actor hints at the old rules, but only hints: "sau khi bỏ cấp huyện thì ai
# công nhận" asks about the rules in force.
_DISTRICT = re.compile(
    r"\b(?:ubnd|uy\s*ban(?:\s*nhan\s*dan)?|chu\s*tich|phong\s*tu\s*phap|hoi\s*dong|ptp)\s*(?:cap\s*)?"
    r"(?:huyen|quan)\b|\bhuyen\b|\bphong\s*tu\s*phap\b|\bptp\b")
_COMPARISON = re.compile(
    # "điểm mới" is what is new, except in "bao nhiêu điểm mới được công nhận" (points, then only)
    r"\bso\s*sanh\b|\bkhac\s*(?:nhau|gi|biet|so\s*voi)\b|\bthay\s*doi\s*gi\b"
    r"|(?<!nhieu\s)(?<!\d\s)\bdiem\s*moi\b(?!\s*(?:duoc|dat|du|thi|la\s*du)\b)"
    # "còn … không hay bỏ rồi", "đã bỏ chưa": what the new rules dropped
    r"|\b(?:hay|da|bi)\s*bo\s*(?:roi|chua|di)?\b|\bbo\s*roi\b")
_YEAR = re.compile(r"(?<![\d/.\-])(20[12]\d)(?![\d/.\-])")
_YEAR_RANGE = re.compile(r"\b(20[12]\d)\s*[-–]\s*(20[12]\d)\b")
TRANSITION_YEAR = 2025  # how the 2025 assessment is handled is not confirmed


@dataclass(frozen=True)
class RegimeReading:
    regime: Regime | None
    named: bool  # a document or an assessment year names it: a hard constraint, not a hint
    comparison: bool  # the question compares the two regimes
    transition: bool  # it asks about 2025, whose handling is not confirmed
    hint: bool = False  # only the district named as an actor suggests it: a ranking hint, not a choice
    still: bool = False  # it asks whether the replaced rules still apply ("TT 09 còn dùng được không")


def named_documents(folded: str) -> frozenset[str]:
    """Return the documents a question names ("25/2021", "27/2025", …, "Kế hoạch")."""
    docs = {number for number, (_, pattern) in _DOCUMENTS.items() if pattern.search(folded)}
    docs |= {_SET_OF_SIZE[size] for m in _SET_SIZE.finditer(folded)
             if (size := (int(m.group(1)), int(m.group(2)))) in _SET_OF_SIZE}
    if _PLAN.search(folded):
        docs.add("Kế hoạch")
    if _DISTRICT_STANDARD_NAMED.search(folded):
        docs.add("1723")  # "huyện đạt chuẩn tiếp cận pháp luật": the district standard of QĐ 1723/QĐ-BTP
    return frozenset(docs)


def years(folded: str) -> tuple[int, ...]:
    """Return the assessment years a question names (not the year inside "25/2021" or a date)."""
    # "giai đoạn 2021–2025" names a period across both rules, not a year; "đánh giá 2022–2024" names the
    # years of one.
    within: list[int] = []
    for m in _YEAR_RANGE.finditer(folded):
        first, last = int(m.group(1)), int(m.group(2))
        if first <= last and (last < TRANSITION_YEAR or first > TRANSITION_YEAR):
            within += range(first, last + 1)
    text = _YEAR_RANGE.sub(" ", folded)
    return tuple(dict.fromkeys([*within, *(int(y) for y in _YEAR.findall(text))]))


# "còn QĐ 25 không", "TT 09 còn áp dụng không": whether a text named is still the rule asks about the
# replacement, not about that text's content.
# "hỏi còn QĐ 25, chủ tịch huyện ký … trong bao lâu" asks about the time of QĐ 25: the text named after
# "còn" asks whether it still holds only when a question word or a verb of applying follows it.
_STILL = re.compile(
    r"\bcon\s+(?:(?:qd|quyet\s*dinh|tt|thong\s*tu)\s*(?:so\s*)?\d+(?:\s*/\s*\d+)?(?:\s*/\s*[a-z-]+)?\s*"
    r"(?:nua\s*)?(?:khong|ko|k|hong|ha|chu|ap\s*dung|hieu\s*luc|dung|xai|duoc)\b"
    r"|(?:ap\s*dung|dung|xai|hieu\s*luc|duoc\s*dung|su\s*dung)\b)"
    # "văn bản thay cho TT 09 là văn bản nào": what replaced it ("thấy QĐ 25" folds alike: not bare "thay")
    r"|\bthay\s*(?:the|cho)\s*(?:cho\s*)?(?:qd|quyet\s*dinh|tt|thong\s*tu)\s*(?:so\s*)?(?:25|0?9)\b"
    # "giờ vẫn đánh giá theo QĐ 25 như trước đây à": whether it still applies
    # "… áp dụng văn bản nào, vẫn là QĐ 25 hả"
    r"|\bvan\s*(?:danh\s*gia|cham(?:\s*diem)?|ap\s*dung|dung|xai|lam|la)\s*(?:theo\s*)?"
    r"(?:qd|quyet\s*dinh|tt|thong\s*tu)\s*(?:so\s*)?(?:25|0?9)\b")


# "… vẫn giữ 5 tiêu chí như QĐ 25 hả", "tiêu chí 3 của QĐ 27 vẫn là … như QĐ 25 phải không": the text
# compared with, not the one asked about.
_AS_IN = re.compile(r"\b(?:nhu|giong(?:\s*nhu)?|y\s*nhu)\s+(?:(?:quyet\s*dinh|qd|thong\s*tu|tt)\s*(?:so\s*)?"
                    r"\d+(?:\s*/\s*20\d\d)?|qd\d+|tt\d+)\b")


def _regimes_named(folded: str) -> set[Regime]:
    """The regimes of the texts a piece of a question names ("qd 25", "tt15")."""
    return {regime for regime, pattern in _DOCUMENTS.values() if pattern.search(folded)}


def _asked_beside_compared(folded: str) -> tuple[Regime, bool] | None:
    """The rules asked about when a question checks them against another text ("như QĐ 25"), and whether
    a text names them (not only words like "bộ mới"); None when it does not say one apart."""
    if not _AS_IN.search(folded):
        return None
    rest = _AS_IN.sub(" ", folded)
    compared = _regimes_named(" ".join(m.group(0) for m in _AS_IN.finditer(folded)))
    named = _regimes_named(rest)
    asked = named or ({Regime.QD27} if _NEW_WORDS.search(rest) else set())
    if len(asked) != 1 or asked == compared:
        return None
    return next(iter(asked)), bool(named)


# A sentence or clause that says who is asking ("Em là chủ tịch UBND xã", "…, em làm bảng so sánh").
# A clause that says what the answer is for ("em cần gấp để báo cáo sếp", "để đưa vào kế hoạch").
_PURPOSE = re.compile(
    r"^\s*(?:(?:em|toi|minh|chau)\s+(?:can|muon|dang|phai)\b[^.?!]*\bde\s+|de\s+(?:em\s+|toi\s+|minh\s+)?)"
    r"(?:bao\s*cao|dua\s*vao|lien\s*he|tham\s*khao|trinh|gui\s*(?:sep|lanh\s*dao)|lam\s*(?:bang|bao\s*cao|de\s*cuong|to\s*trinh|tai\s*lieu|slide))\b"
    # "…, em muốn làm bảng excel tự chấm cho xã" ("sếp hỏi …", by contrast, often brings the question itself)
    r"|^\s*(?:em|toi|minh|chau)\s+(?:can|muon|dang|phai)\s+(?:lam|soan|viet|cho)\s+(?:bang|bao\s*cao|de\s*cuong"
    r"|to\s*trinh|tai\s*lieu|slide|bai)\b"
    # "…, có nguồn càng tốt": where the answer comes from, asked by the way
    r"|^\s*(?:co|gui|cho)\s*(?:em\s*|minh\s*)?(?:nguon|source|link)\s*(?:cang\s*tot|thi\s*tot|nhe|luon)\b"
    # "…, nói ngắn gọn giùm tui", "…, tóm tắt giúp e vs": how to answer, the whole clause
    r"|^\s*(?:(?:noi|tra\s*loi|neu|viet)\s*)?(?:ngan\s*gon|ngan\s*ngan|tom\s*tat|gon\s*thoi)"
    r"(?:\s+(?:thoi|giup|gium|dum|cho|em|e|tui|toi|minh|anh|chi|ad|voi|vs|nhe|nha|nhen|a|nhanh|lai|di|nhat))*"
    r"\W*$"
    # "…, mai e report sếp", "…, mai họp giao ban": when the answer is needed
    r"|^\s*mai\s*(?:em\s*|e\s*|toi\s*|tui\s*|minh\s*)?(?:phai\s*)?(?:hop|bao\s*cao|report|trinh|nop)\b")
INTRODUCES = re.compile(r"^\s*(?:da\s+)?(?:em|toi|minh|chau)\s+(?:la|o|lam|dang\s*lam|cong\s*tac|moi)\b")


def without_asides(text: str, introductions: bool = True) -> str:
    """The text without the clauses after its first that only say what the answer is for ("…, em cần gấp
    để báo cáo sếp") and (with `introductions`) who is asking ("…, tôi là giáo viên kiêm hòa giải viên
    nên hỏi", "…, em làm bảng so sánh"): the asker's trade or task is not what is asked. An opening one
    stays: "Em là giáo viên, trường em có phải đạt chuẩn không" asks about the school. Introductions are
    kept where the asker's post is the context of the question ("Tôi là thành viên Hội đồng …, kỳ họp tới
    tôi vắng thì phải làm gì")."""
    first, *rest = re.split(r"(?<=[,.;?!])\s+", text)

    def aside(clause: str) -> bool:
        folded = fold(clause)
        return bool(_PURPOSE.search(folded)) or introductions and bool(INTRODUCES.search(folded))

    return " ".join([first, *(c for c in rest if not aside(c))])


def read_regime(folded: str, documents: frozenset[str], named_years: Iterable[int]) -> RegimeReading:
    """Tell which rules a question asks about, and how firmly it says so."""
    named_years = tuple(named_years)
    beside = None if named_years else _asked_beside_compared(folded)
    if beside is not None:
        return RegimeReading(beside[0], beside[1], False, False)
    strong: set[Regime] = {_DOCUMENTS[d][0] for d in documents if d in _DOCUMENTS}
    documents_name = set(strong)
    still = strong == {Regime.QD25} and bool(_STILL.search(folded))
    if still and not named_years:
        return RegimeReading(None, False, True, False, still=True)
    transition = False
    for y in named_years:
        if y <= 2024:
            strong.add(Regime.QD25)
        elif y >= 2026:
            strong.add(Regime.QD27)
        else:
            transition = True
    comparison = bool(_COMPARISON.search(without_asides(folded))) or len(strong) > 1
    if len(strong) == 1:
        return RegimeReading(strong.pop(), True, comparison, transition)
    if len(strong) > 1:
        # "Năm 2026 còn xài mẫu của TT 09 được không", "theo QĐ 25 thì năm 2026 phải đạt bao nhiêu điểm": the
        # old text named with a year of the new rules asks what applies that year, unless it compares.
        old_text_new_year = (documents_name == {Regime.QD25} and min(named_years, default=0) >= 2026
                             and not _COMPARISON.search(folded))
        return RegimeReading(None, False, True, transition, still=still or old_text_new_year)
    new, old = bool(_NEW_WORDS.search(folded)), bool(_OLD_WORDS.search(folded))
    if old and _BEFORE_NOW.search(folded):
        # What it was is told; what it is now is asked: the rules in force, as a hint.
        return RegimeReading(Regime.QD27, False, False, transition)
    if new and old:
        return RegimeReading(None, False, True, transition)
    if new:
        return RegimeReading(Regime.QD27, False, comparison, transition)
    if old:
        return RegimeReading(Regime.QD25, False, comparison, transition)
    if transition:
        return RegimeReading(None, False, comparison, True)
    if _DISTRICT.search(folded):
        return RegimeReading(Regime.QD25, False, comparison, False, hint=True)
    return RegimeReading(None, False, comparison, False)


# "Kế hoạch … thực hiện QĐ 25 giao ai chủ trì tập huấn": the plan's name, not what is asked of it.
_CARRIED_OUT = re.compile(r"(\b(?:ke\s*hoach|kh)\b[^.?!]{0,40}?)\bthuc\s*hien\s+"
                          r"(?=" + _DOCUMENT_REFERENCE.pattern + ")")


def split_document_reference(folded: str) -> tuple[str, str]:
    """Split "QĐ 25/2021/QĐ-TTg"-like references (and the plan's "thực hiện" before them) from the rest."""
    refs = " ".join(m.group(0) for m in _DOCUMENT_REFERENCE.finditer(folded))
    return _DOCUMENT_REFERENCE.sub(" ", _CARRIED_OUT.sub(r"\1 ", folded)), refs


# ---------------------------------------------------------------- texts named by their number


@dataclass(frozen=True)
class NumberedText:
    """A text named by its number and kind: "QĐ 26/2021/QĐ-TTg" is decision 26, "146/KH-UBND" plan 146.

    The year is no part of it: "QĐ 27/2024" is most likely QĐ 27/2025 mistyped, which the ranking answers
    while citing the right year; a number the handbook never names is another text.
    """

    number: int
    kind: str | None  # "qd", "tt", "kh", "nd", "nq", "cv"; None when neither a word nor a symbol says

    def same_as(self, other: NumberedText) -> bool:
        return self.number == other.number and (None in (self.kind, other.kind) or self.kind == other.kind)


_TEXT_KINDS = {"quyet dinh": "qd", "qd": "qd", "thong tu": "tt", "tt": "tt", "ke hoach": "kh", "kh": "kh",
               "nghi dinh": "nd", "nd": "nd", "nghi quyet": "nq", "nq": "nq", "cong van": "cv", "cv": "cv"}
# A number with its year needs the kind of text before it ("QĐ 26/2021"; "12/2021" alone is a month); a
# number with its symbol ("146/KH-UBND") names a text by itself.
_NUMBERED_TEXT = re.compile(
    r"\b(?:(?P<kind>quyet\s*dinh|qd|thong\s*tu|tt|ke\s*hoach|kh|nghi\s*dinh|nd|nghi\s*quyet|nq|cong\s*van|cv)"
    r"\s*(?:so\s*)?)?(?P<number>\d{1,5})\s*/\s*(?:(?P<year>(?:19|20)\d\d)(?![\d/.]\d)"
    r"(?:\s*/\s*(?P<after_year>[a-z]{1,5}\d*(?:\s*-\s*[a-z][a-z0-9]{1,11})?))?"
    r"|(?P<symbol>[a-z]{1,5}\s*-\s*[a-z][a-z0-9]{1,11}))\b")


def numbered_texts(folded: str) -> tuple[NumberedText, ...]:
    """Return the texts named by their number in folded text ("qd 26/2021/qd-ttg", "146/kh-ubnd")."""
    found = []
    for m in _NUMBERED_TEXT.finditer(folded):
        symbol = m.group("symbol") or m.group("after_year")
        if m.group("year") and not (m.group("kind") or symbol):
            continue
        if m.group("kind"):
            kind: str | None = _TEXT_KINDS[" ".join(m.group("kind").split())]
        else:  # "146/kh-ubnd": the symbol's first letters
            head = symbol.split("-")[0].strip() if symbol and "-" in symbol else ""
            kind = _TEXT_KINDS.get(head)
        found.append(NumberedText(int(m.group("number")), kind))
    return tuple(dict.fromkeys(found))


# ---------------------------------------------------------------- a chat message as its writer means it

# What a work group's message says around its question: the assistant addressed by name ("@Trợ lý pháp
# luật"), a forward's label ("[Chuyển tiếp]"), the label of a quoted message ("> Chị Lan hỏi:") and the
# words that take it up ("em cũng hỏi giống chị Lan").
_ADDRESSED = re.compile(r"@\s*(?:tro\s*ly(?:\s*phap\s*(?:luat|ly))?|chat\s*bot|bot|admin|ad)\b|@\w+")
_FORWARDED = re.compile(
    r"^\s*(?:\[\s*(?:chuyen\s*tiep|fwd?|forward(?:ed)?)\s*\]|(?:fwd?|chuyen\s*tiep)\s*:)")
_QUOTED = re.compile(r"^\s*>+(?:[^:.?!>]{0,40}?\b(?:hoi|tra\s*loi|viet|noi|nhan)\b[^:.?!>]{0,20}:)?")
_ALSO_ASKING = re.compile(
    r"\b(?:em|minh|toi|tui|chi|anh)?\s*cung\s*(?:dang\s*)?(?:hoi|thac\s*mac|muon\s*hoi)\s*(?:giong|nhu)\b"
    r"[^,.;?!\u2014\u2013]*")
# A writer correcting what they just typed ("… tiêu chí 2 … à nhầm, ý em là tiêu chí 3 chứ không phải 2",
# "II.4.c … a nham, II.4.d moi dung") or saying again what they meant ("ý em hỏi là …, chứ không phải hỏi
# ngày ký"): what the correction names replaces the same kind of reference before it, and what it
# disowns is dropped. "Chấm nhầm điểm" is no correction: "nhầm" must follow "à", "ôi", "xin lỗi".
_CORRECTION = re.compile(
    r"\b(?:a|oi|ay|xin\s*loi|sorry|sr)\s*,?\s*(?:go\s*)?nham\b\s*[,:.]?"
    r"(?:\s*(?:y|y\s*la)\s*(?:em|minh|toi|tui)\s*(?:hoi\s*)?la\b)?"
    r"|^\s*(?:y|y\s*la)\s*(?:em|minh|toi|tui)\s*(?:hoi\s*)?la\b|\b(?:sua\s*lai|dinh\s*chinh)\s*:")
_DISOWNED = re.compile(r"\bchu\s*(?:khong|ko|k)\s*phai\b[^,.;?!]*")
_REFERENCE_KINDS = (
    (_CRITERION_THEN_INDICATOR, _INDICATOR_OF_CRITERION, _INDICATOR_DOTTED, _CRITERION, _INDICATOR),
    (_DOCUMENT_REFERENCE, *(pattern for _, pattern in _DOCUMENTS.values())),
)


# A quiz item pasted from a law contest ("… là:\nA. Thông tư 07/2017\nB. Thông tư 09/2021\nC. …", or the
# options on one line): the options name the other texts, figures and years it chooses among. A capital
# letter opens an option after any space; a small one only as "a. " (not "điểm a)", a clause's point).
_QUIZ_OPTION = re.compile(r"(?:^|(?<=\s))(?:\(?([A-D])[.):]|([a-d])\.)\s+", re.MULTILINE)


def quiz_stem(text: str) -> str | None:
    """The question of a pasted quiz item without its options, None when it lists none (options A, B and
    C at least, in order; several items keep each their stem)."""
    cuts: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []

    def close(run: list[re.Match[str]]) -> None:
        if len(run) >= 3:  # A, B, C: its last option runs to the end of its line
            end = text.find("\n", run[-1].end())
            cuts.append((run[0].start(), len(text) if end < 0 else end))

    for m in _QUIZ_OPTION.finditer(text):
        letter = (m.group(1) or m.group(2)).upper()
        if letter == "A":
            close(run)
            run = [m]
        elif run and ord(letter) == ord((run[-1].group(1) or run[-1].group(2)).upper()) + 1:
            run.append(m)
    close(run)
    if not cuts:
        return None
    kept, start = [], 0
    for a, b in cuts:
        kept.append(text[start:a])
        start = b
    kept.append(text[start:])
    return clean(" ".join(kept))


def as_asked(text: str) -> str:
    """The message as its writer means it: without the chat's addressing, a forward's or a quote's label
    and what a correction replaced (see above); any other message is returned as it is."""
    folded = fold(text)
    if len(folded) != len(text):
        return text  # the cuts below are made letter for letter
    cuts: list[tuple[int, int]] = [m.span() for m in _ADDRESSED.finditer(folded)]
    cuts += [m.span() for pattern in (_FORWARDED, _QUOTED) if (m := pattern.match(folded))]
    cuts += [m.span() for m in _ALSO_ASKING.finditer(folded)]
    corrections = list(_CORRECTION.finditer(folded))
    if corrections:
        last = corrections[-1]  # the writer's final word
        before, after, at = folded[:last.start()], folded[last.end():], last.end()
        cuts.append(last.span())
        cuts += [(at + m.start(), at + m.end()) for m in _DISOWNED.finditer(after)]
        for patterns in (*_REFERENCE_KINDS, (_PLAN_ITEM,)):
            if any(p.search(after) for p in patterns):
                cuts += [m.span() for p in patterns for m in p.finditer(before)]
    if not cuts:
        return text
    kept = list(text)
    for start, end in cuts:
        kept[start:end] = [" "] * (end - start)
    return clean("".join(kept))


# ---------------------------------------------------------------- plan items and agencies

_PLAN_ITEM = re.compile(r"(?<![\w.])(i{1,3})\s*[.\-\s]\s*(\d{1,2})(?:\s*[.\-]?\s*(dd|[a-eđ]))?(?![\w])")
_ENDS_WITH_CRITERION_WORD = re.compile(r"(?:" + _TC + r"|" + _CT + r")(?:\s*(?:so|thu))?\s*$")
_PLAN_SECTION = re.compile(r"\b(?:muc|phan)\s+(i{1,3})\b(?!\s*[.\-]?\s*\d)")


# "mục 4 đ", "mục 4d", "mục 7.b" of the plan, said without its section (II or III).
_PLAN_ITEM_SHORT = re.compile(r"\bm(?:ục|uc)\s+(\d)(?:\s*[.\-]?\s*(dd|đ|[a-e]))?(?![\w.])")


def short_plan_items(lowered: str) -> tuple[str, ...]:
    """Return plan items named without their section, as ".4.đ", ".5" (the engine finds the section),
    from the lower-cased text: folding would make "đ" a "d"."""
    return tuple(dict.fromkeys(
        f".{m.group(1)}" + ((".đ" if m.group(2) in ("dd", "đ") else f".{m.group(2)}") if m.group(2) else "")
        for m in _PLAN_ITEM_SHORT.finditer(unicodedata.normalize("NFC", lowered))))


def plan_items(lowered: str) -> tuple[str, ...]:
    """Find plan item codes as printed in the plan: "II.4.c", "III.1.đ", "II.5", "mục III"."""
    found: list[str] = []
    for m in _PLAN_ITEM.finditer(lowered):
        if _ENDS_WITH_CRITERION_WORD.search(fold(lowered[:m.start()])):
            continue  # "chỉ tiêu II.3" is an indicator, not plan item II.3
        letter = m.group(3)
        code = f"{m.group(1).upper()}.{int(m.group(2))}"
        if letter:
            code += ".đ" if letter in ("dd", "đ") else f".{letter}"
        found.append(code)
    found += [m.group(1).upper() for m in _PLAN_SECTION.finditer(fold(lowered))]
    return tuple(dict.fromkeys(found))


# ---------------------------------------------------------------- what is asked about

_WH_AFTER = (("nao",), ("gi",), ("so", "may"))  # "những tiêu chí nào", "mẫu gì", "mẫu số mấy"
# "mấy chỉ tiêu", "bao nhiêu điểm", "kế hoạch nói gì về phần mềm"
_WH_BEFORE = (("may",), ("bao", "nhieu"), ("gi", "ve"))
_WH_FIRST = frozenset(wh[0] for wh in (*_WH_AFTER, *_WH_BEFORE))
# Words around a question word that say when, how or "do what", not what is asked about.
_NOT_FOCUS = frozenset("khi luc the la ra sao cai viec nhung cac co duoc gi nao may bao nhieu so lam phai "
                       "vay nhu noi ghi de cap neu".split())  # … nor "nói gì", "ghi gì", "đề cập gì"


def asked_about(toks: list[str]) -> frozenset[str]:
    """Return the words a question asks about (folded, expanded tokens): the noun before "nào", "gì",
    "số mấy" or after "mấy", "bao nhiêu" ("những tiêu chí nào", "mấy điều", "mẫu số mấy")."""
    out: set[str] = set()
    for n, t in enumerate(toks):
        if t not in _WH_FIRST:
            continue
        for wh in _WH_AFTER:
            if tuple(toks[n:n + len(wh)]) == wh:
                before = toks[max(0, n - 2):n]
                if before and before[-1] not in _NOT_FOCUS:  # not "khi nào", "thế nào", "là gì"
                    out.update(w for w in before if w not in _NOT_FOCUS)
        for wh in _WH_BEFORE:
            if tuple(toks[n:n + len(wh)]) == wh:
                out.update(w for w in toks[n + len(wh):n + len(wh) + 2]
                           if w not in _NOT_FOCUS and not w[0].isdigit())
    return frozenset(out)


# ---------------------------------------------------------------- a described situation

_SCORE = r"(\d{1,3}(?:[.,]\d{1,2})?)(?![\d])"
_POINTS = r"\s*(?:diem|d)\b"
# A count of people, days or times is not a score ("hội đồng có 12 người").
# Words after a number that begin with "ng" (người, ngày, nghìn, and their typos) never mean points; "năm"
# before a year ("thẩm định 78 năm 2024") is when, not how long.
_NOT_POINTS = r"(?!\s*(?:%|ng|thanh\s*vien|lan|thang|nam\b(?!\s*\d{4})|xa\b|don\s*vi))"
_SELF = re.compile(r"\btu\s*(?:cham|danh\s*gia)(?:\s*(?:duoc|dat|la|ra|co|khoang|nam\s*\d{4}))*\s*" + _SCORE
                   + _NOT_POINTS)
_COUNCIL = re.compile(
    r"\b(?:hoi\s*dong|hd|tham\s*dinh|huyen)(?:\s*(?:tham\s*dinh|cham\s*lai|cham|danh\s*gia|cho|chi|con|"
    r"lai|xuong|ha|duoc|co|la|ra|thanh|chi\s*con|xa|phuong|em|toi|minh|cua))*\s*" + _SCORE + _NOT_POINTS)
# "hội đồng huyện chấm lại từ 81 xuống 78": the commune's own score, then the council's.
_RESCORED = re.compile(r"\b(?:hoi\s*dong|hd|tham\s*dinh|huyen)\b[^.?!]{0,30}?\btu\s*" + _SCORE
                       + r"(?:\s*diem)?\s*(?:xuong|con|thanh)\s*(?:con\s*)?" + _SCORE + _NOT_POINTS)
_POINTS_STATED = re.compile(r"(?<![\d.,/])" + _SCORE + r"\s*(?:diem|dim|d)\b|(?<![\d.,/])" + _SCORE
                            + r"\s*/\s*100\b|\btong(?:\s*diem)?(?:\s+(?:nam\s+\d{4}|[a-z]+)){0,4}?\s+"
                            + r"(?<![\d.,/])" + _SCORE + r"(?![\d%/]|\s*%)")
# "tiêu chí 1 được 8 điểm", "tối đa 10 điểm": points of a criterion or a maximum, not the total.
# "vẫn chấm 5 tiêu chí 20 chỉ tiêu 100 điểm như cũ", "thang 100 điểm": the scale, not a score.
_NOT_TOTAL_BEFORE = re.compile(r"(?:\b(?:tieu\s*chi|tc|chi\s*tieu|ct)\s*\d(?:\.\d)?(?:\s+\S+){0,2}|\btoi\s*da"
                               r"|\btu|\btren|\bduoi|\bnguong|\bmuc|\b\d{1,2}\s*(?:chi\s*tieu|ct)"
                               r"|\bthang(?:\s*diem)?|\bcham\s*theo(?:\s*thang)?(?:\s*diem)?)\s*$")
_SCALE_AFTER = re.compile(r"^\s*(?:nhu\s*(?:cu|truoc|hoi\s*truoc)|theo\s*thang)\b")
# "chỉ tiêu 1 của tiêu chí 1 xã em chấm thế nào, có bị 0 điểm không": a few points said after an indicator
# in the same sentence are that indicator's, not the total ("chỉ tiêu 2.5 không đạt mà xã em 85 điểm" is).
_INDICATOR_IN_SENTENCE = re.compile(r"\b(?:chi\s*tieu|ct)\s*(?:so\s*|thu\s*)?\d(?:\.\d)?[^.?!]*$")
# … or a few points in a message about one indicator ("… chỉ tiêu 1 tiêu chí 1 chấm sao? — có bị 0 điểm
# không", "tập huấn 75 % thì được 0,5 điểm, vậy 95 % thì mấy điểm, chỉ tiêu này tối đa mấy điểm")
_ABOUT_AN_INDICATOR = re.compile(r"\b(?:chi\s*tieu|ct)\s*(?:so\s*|thu\s*)?(?:\d|nay\b)")
INDICATOR_POINTS_MAX = 20  # no indicator is worth more; no commune's total is this low
# Facts alone do not make a case: "mức 90 điểm là của xã hay huyện" asks about the rule.
_ASKS_VERDICT = re.compile(
    r"\b(?:co|thi|se|vay|the)\s*(?:dat|du|duoc|dc|bi)\b|\bdat\s*(?:chuan\s*)?(?:khong|ko|k|chua|ha|hem)\b"
    r"|\bthi\s*sao\b|\bco\s*sao\b|\bsao\s*(?:a|ah|ak|nhi|day)?\s*$|\bdu\s*dieu\s*kien\b|\banh\s*huong\b"
    r"|\bduoc\s*cong\s*nhan\b|\bcong\s*nhan\s*(?:khong|ko|k|duoc)\b|\bxet\b|\bco\s*kip\b|\bdau\s*hay\s*truot\b"
    r"|\b(?:mat|truot|rot)\s*chuan\b|\bdat\s*chuan\s*(?:chu|roi|ha|nhi)\b|\bdat\s*roi\b"
    # "năm đó xã còn đạt chuẩn TCPL được ko"
    r"|\bcon\s*dat\s*chuan\b|\bdat\s*chuan\b[^.?!]{0,25}\bduoc\s*(?:khong|ko|k|hong|hem|ha)\b"
    r"|\b(?:xa|phuong|don\s*vi)\s*(?:em|toi|minh|chung\s*toi|chung\s*em)\b")
_CRITERION_SHARE = re.compile(
    _TC + _SO + r"(\d)\b(?:[^\d%.?!]{0,60}?\b(?:chi|duoc|dc|dat|co|thi|cung|la|moi|chiem|khoang|dung|vua)\b)*"
    r"\s*"
    r"(tren|duoi|tu|hon|it\s*hon)?\s*(\d{1,3}(?:[.,]\d)?)\s*(%|phan\s*tram|/\s*(\d{1,3}))")
_EVERY_SHARE = re.compile(
    r"(?:\b(?:cac|moi|tat\s*ca(?:\s*cac)?|tung|ca\s*\d|may|nhung)\s*(?:tieu\s*chi|tc)\b"
    r"(?:\s*(?:con\s*lai|kia|khac)\b)?|\b(?:tieu\s*chi|tc)\s*nao\b)"  # "mấy tiêu chí kia đều hơn nửa"
    r"(?:\s*(?:deu|cung|dat|duoc|co))*"
    r"\s*(tren|duoi|tu|hon|it\s*nhat|toi\s*thieu)?\s*(\d{1,3}|(?:mot\s*)?nua)\s*(?:%|phan\s*tram|so\s*diem|diem)?")
# Who acts, or what is to be done next, asked of a case: not its verdict ("ai là người chấm lại điểm", "cơ
# quan nào có thẩm quyền", "xã có phải gửi gì lên huyện không") …
_ASKS_WHO_OR_NEXT = re.compile(
    r"\bai\s*(?:la\s*nguoi|se|duoc)?\s*(?:cham|tham\s*dinh|cong\s*nhan|quyet\s*dinh|ky)\b|\bco\s*quan\s*nao\b"
    r"|\b(?:phai|can)\s*(?:gui|lam|nop|bao\s*cao)\s*(?:gi|nhung\s*gi|them\s*gi)\b")
# … unless the verdict is asked outright too.
_ASKS_VERDICT_OUTRIGHT = re.compile(
    r"\b(?:co|thi|se)\s*(?:dat|duoc\s*cong\s*nhan)\b|\bdat\s*(?:chuan\s*)?(?:khong|ko|k|chua)\b"
    r"|\bdu\s*dieu\s*kien\b|\bco\s*duoc\b")
_ASKS_WHICH = re.compile(r"\b(?:chi\s*tieu|tieu\s*chi)\s*(?:nao|so\s*may|thu\s*may|gi)\b(?!\s*(?:cung|deu))")
# "Cao Bằng có bao nhiêu xã trượt chuẩn vì chủ tịch xã bị kỷ luật": a count of communes, no case to judge.
_ASKS_HOW_MANY_UNITS = re.compile(r"\b(?:bao\s*nhieu|bn|may)\s*(?:xa|phuong|don\s*vi)\b")
# "đạt hết các chỉ tiêu", "đủ tất cả tiêu chí": every criterion met.
_ALL_MET = re.compile(
    r"\b(?:dat|du)\s*(?:het|tat\s*ca|du|day\s*du|toan\s*bo)\s*(?:cac\s*)?(?:chi\s*tieu|tieu\s*chi)\b")
# "xã em đủ 14 chỉ tiêu", "phường đạt cả 20 chỉ tiêu": every indicator of a regime's set, said of a unit
# ("QĐ 27 có đủ 14 chỉ tiêu không" asks about the set).
_ALL_COUNTED = re.compile(r"\b(?:xa|phuong|dac\s*khu|don\s*vi)\b[^.?!]*\b(?:dat|du)\s*(?:ca\s*)?(?:14|20)\s*"
                          r"(?:/\s*(?:14|20)\s*)?chi\s*tieu\b")
_SOME_UNDER = re.compile(
    r"\b(?:co\s*)?(?:mot|1|vai|\d)\s*(?:tieu\s*chi|tc)\b[^.?!]{0,25}?\b(?:duoi|chua\s*(?:du|dat))\s*(\d{1,3})\s*"
    r"(?:%|phan\s*tram)")
_HEAD = r"(?<!pho\s)\b(?:chu\s*tich|bi\s*thu|nguoi\s*dung\s*dau|ct\s*(?:xa|ubnd))"
_DISCIPLINE = (r"(?:bi\s*)?(?:ky\s*luat|khien\s*trach|canh\s*cao|cach\s*chuc|ha\s*bac|buoc\s*thoi\s*viec|"
               r"truy\s*cuu|khoi\s*to|xu\s*ly\s*hinh\s*su)")
_HEAD_DISCIPLINED = re.compile(_HEAD + r"[^.?!]{0,40}?" + _DISCIPLINE)
_OFFICIAL_DISCIPLINED = re.compile(
    r"\b(?:pho\s*chu\s*tich|pho\s*bi\s*thu|cong\s*chuc|can\s*bo|nhan\s*vien|truong\s*(?:thon|ap|khom|ban)|"
    r"dia\s*chinh|ke\s*toan|van\s*phong|tu\s*phap)[^.?!]{0,40}?" + _DISCIPLINE)
# The recognition condition is about administrative discipline (or prosecution): a Party sanction said as
# such ("khiển trách về đảng", "không phải kỷ luật hành chính") is not read as meeting it either way.
_PARTY_ONLY = re.compile(r"\b(?:ky\s*luat|khien\s*trach|canh\s*cao)\s*(?:ve\s*|cua\s*|trong\s*)?dang\b"
                         r"|\bkhong\s*phai\s*(?:la\s*)?ky\s*luat\s*hanh\s*chinh\b")
_NOBODY_DISCIPLINED = re.compile(
    r"\bkhong\s*(?:co\s*)?(?:ai|nguoi\s*nao|can\s*bo\s*nao|truong\s*hop\s*nao)[^.?!]{0,20}?(?:bi\s*)?ky\s*luat")


# Results of indicators, as a commune reviews itself under the rules in force: "1.1 đạt 100%", "truyền
# thông 4/5 dự thảo", "hòa giải thành 12/15 vụ". Two or more make a case to judge.
_INDICATOR_RESULT = re.compile(
    r"(?<![\d./,])[1-5]\.[1-7]\s*(?:dat|duoc|co|la|:)?\s*\d{1,3}(?:[.,]\d)?\s*%"
    r"|(?<![\d./,])\d{1,4}\s*/\s*\d{1,4}\s*(?:vu|du\s*thao|yeu\s*cau|van\s*ban|nhiem\s*vu|hoat\s*dong|"
    r"tuyen\s*truyen\s*vien|hoa\s*giai\s*vien|to\s*hoa\s*giai)\b")
# "xã đạt 13/14 chỉ tiêu", "chỉ thiếu một chỉ tiêu", "6/7 chỉ tiêu của tiêu chí 2 đạt", "đạt 2 trên 3 tiêu
# chí": how many indicators or criteria a unit met, one result to judge.
_SOME_COUNTED = re.compile(r"\b(?:dat|du|duoc)\s*(?:ca\s*)?\d{1,2}\s*/\s*(?:14|20)\s*chi\s*tieu\b"
                           # of this standard's few (not "18/19 tiêu chí nông thôn mới")
                           r"|(?<![\d./,])[0-7]\s*(?:/|tren)\s*[1-7]\s*(?:chi\s*tieu|tieu\s*chi)\b"
                           r"|\b(?:xa|phuong|dac\s*khu|don\s*vi)\b[^.?!]*\bthieu\s*(?:mot|1|hai|2|ba|3)\s*chi\s*tieu\b")


# The district standard said outright ("huyện đạt chuẩn", "công nhận cả huyện", "cấp huyện muốn được công
# nhận"), not a district that recognises communes ("bỏ cấp huyện thì ai công nhận xã đạt chuẩn").
_DISTRICT_STANDARD_NAMED = re.compile(
    r"\b(?:cap\s*)?huyen\s*(?:duoc\s*cong\s*nhan\s*)?dat\s*chuan\b|\bcong\s*nhan\s*(?:ca\s*)?(?:cap\s*)?huyen\b"
    r"|\bcap\s*huyen\s*(?:muon\s*)?(?:duoc\s*)?cong\s*nhan\b")
_DISTRICT_STANDARD = re.compile(r"\b1723\b|\bhuyen\b[^.?!]{0,80}\bdat\s*chuan\b(?![^.?!]{0,10}\bxa\b)"
                                r"|\b100\s*%\s*(?:so\s*)?xa\b|\bcap\s*huyen\s*(?:dat|duoc)\b")


_DATE_YEAR = re.compile(r"\b\d{1,2}\s*/\s*(20[12]\d)\b")
_YEAR_WORD = re.compile(r"\bnam\s*(20[12]\d)\b")
_ASSESSED_YEAR = re.compile(r"\b(?:danh\s*gia|dot|ky|ket\s*qua)(?:\s*\S+){0,3}?\s*(?:nam\s*)?(20[12]\d)\b")


def _assessment_year(folded: str, named_years: tuple[int, ...]) -> int | None:
    """The year assessed: the one said with "đánh giá", else the latest year named."""
    m = _ASSESSED_YEAR.search(folded)
    if m:
        return int(m.group(1))
    return max(named_years) if named_years else None


def _score(s: str) -> float:
    return float(s.replace(",", "."))


def read_situation(folded: str, named_years: tuple[int, ...]) -> Situation | None:
    """Read the facts of a described case: scores, criterion shares, discipline; None when none."""
    self_m = _SELF.search(folded)
    council_m = _COUNCIL.search(folded)
    self_score = _score(self_m.group(1)) if self_m else None
    council_score = _score(council_m.group(1)) if council_m else None
    if (rescored := _RESCORED.search(folded)) and self_m is None:
        self_score, council_score = _score(rescored.group(1)), _score(rescored.group(2))
        council_m = rescored
    taken = [m.span() for m in (self_m, council_m) if m]
    total = None
    for m in _POINTS_STATED.finditer(folded):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        if _NOT_TOTAL_BEFORE.search(folded[: m.start()]) and not folded[m.start():].startswith("tong"):
            continue
        if _SCALE_AFTER.search(folded[m.end():]):
            continue
        points = _score(next(g for g in m.groups() if g))
        if (points <= INDICATOR_POINTS_MAX and not folded[m.start():].startswith("tong")
                and (_INDICATOR_IN_SENTENCE.search(folded[: m.start()])
                     or _ABOUT_AN_INDICATOR.search(folded))):
            continue
        total = points
        break
    shares: list[Share] = []
    for m in _CRITERION_SHARE.finditer(folded):
        c, rel, value, _, denom = m.groups()
        share = _score(value) / float(denom) if denom else _score(value) / 100
        below = rel in ("duoi", "it hon")
        shares.append(Share(int(c), share, below))
    for m in _EVERY_SHARE.finditer(folded):
        rel, value = m.groups()
        if value[0].isdigit() and not re.match(r"\s*(?:%|phan\s*tram)", folded[m.end(2):]):
            continue  # "các tiêu chí đều 10 điểm" is no share
        share = 0.5 if "nua" in value else _score(value) / 100  # "trên một nửa số điểm"
        shares.append(Share(None, share, rel == "duoi"))
    if _ALL_MET.search(folded) or _ALL_COUNTED.search(folded):
        shares.append(Share(None, 1.0))
    for m in _SOME_UNDER.finditer(folded):
        shares.append(Share(None, _score(m.group(1)) / 100, below=True))
    head: bool | None = None
    discipline_year = None
    if _NOBODY_DISCIPLINED.search(folded):
        head = False
    if (said := _HEAD_DISCIPLINED.search(folded)) and not _PARTY_ONLY.search(folded):
        head = True
        # "bị khởi tố tháng 3/2025", "năm 2023 chủ tịch bị kỷ luật": the year said next to the discipline.
        around = folded[max(0, said.start() - 30): said.end() + 40]
        when = _DATE_YEAR.search(around) or _YEAR_WORD.search(around)
        discipline_year = int(when.group(1)) if when else None
    official = bool(_OFFICIAL_DISCIPLINED.search(folded)) and head is not False
    for value in (total, self_score, council_score):
        if value is not None and value > 1000:
            return None
    situation = Situation(total=total, self_score=self_score, council_score=council_score,
                          shares=tuple(dict.fromkeys(shares)), head_disciplined=head,
                          official_disciplined=official, year=_assessment_year(folded, named_years),
                          discipline_year=discipline_year,
                          indicator_results=(len(_INDICATOR_RESULT.findall(folded)) >= 2
                                             or bool(_SOME_COUNTED.search(folded))))
    if _DISTRICT_STANDARD.search(folded):
        return None  # a district's standard (QĐ 1723/QĐ-BTP), not a commune's
    if (_ASKS_WHICH.search(folded) or _ASKS_HOW_MANY_UNITS.search(folded)) and not situation.scored:
        return None  # "… bị kỷ luật thì bị trừ ở chỉ tiêu nào" asks where it counts, not for a verdict
    if _ASKS_WHO_OR_NEXT.search(folded) and not _ASKS_VERDICT_OUTRIGHT.search(folded):
        return None  # "… 76 điểm, không đạt. Vậy xã có phải gửi gì lên huyện không": the verdict is told
    # A case told without a question mark or cue ("tổng 81 điểm, tiêu chí 4 đạt 45 %, năm 2023") still asks
    # for a verdict when it states two facts or more.
    told = _facts_stated(situation) >= 2
    return situation if situation.stated and (told or _ASKS_VERDICT.search(folded)) else None


def _facts_stated(s: Situation) -> int:
    scored = s.total is not None or s.self_score is not None or s.council_score is not None
    return (scored + bool(s.shares) + (s.head_disciplined is True) + s.official_disciplined
            + s.indicator_results)


# ---------------------------------------------------------------- the whole reading


@dataclass(frozen=True)
class Reading:
    """What a question names, read before ranking."""

    text: str  # cleaned (NFC, collapsed spaces), as typed
    folded: str  # lower-case, without diacritics, single spaces
    refs: tuple[CriterionRef, ...]
    documents: frozenset[str]
    years: tuple[int, ...]
    regime: RegimeReading
    plan_items: tuple[str, ...]
    agencies: tuple[str, ...] = ()  # canonical names of the agencies named
    situation: Situation | None = None
    places: tuple[str, ...] = field(default=())  # places named, as written ("Nghệ An", "Kế Sách")
    numbered: tuple[NumberedText, ...] = field(default=())  # texts named by their number


# A unit named after its kind, typed with or without diacritics ("xã Kế Sách", "huyen Ke Sach"): its name
# is the capitalised words that follow.
_PLACE_KIND = re.compile(r"\b(?:xã|phường|thị trấn|đặc khu|dac khu|huyện|tỉnh|thành phố|tp\.?"
                         r"|xa|phuong|thi tran|huyen|tinh|thanh pho)\s+"
                         r"(?=((?:\S+\s*){1,3}))", re.IGNORECASE)


def _capitalised_names(text: str) -> list[str]:
    names = []
    for m in _PLACE_KIND.finditer(text):
        words = []
        for raw in m.group(1).split():
            raw = re.split(r"(?<=[,;:?!])", raw)[0]  # "Sóc Trăng,mục II.4.c": no space after the comma
            w = raw.strip(",.?!:;()\"'")
            # "(QĐ 25)", "TT": an abbreviation or an aside in brackets is no place's name.
            if not w or not w[0].isupper() or raw.startswith("(") or (len(w) > 1 and w.isupper()):
                break
            words.append(w)
            if raw.endswith((",", ".", ";", ":", ")")):  # "Lào Cai, Thanh Hóa": two names
                break
        # "huyện K", "xã A": a case's stand-in for any place, which names none
        if words and not (len(words) == 1 and len(words[0]) == 1):
            names.append(" ".join(words))
    return names


# A commune-level unit named in a text, and a list of them: "phường Tân Lộc", "các xã Trường Long, Thạnh Phú
# và Lai Hòa".
_UNIT_KIND = re.compile(r"\b(?:xã|phường|thị trấn|đặc khu)\s+", re.IGNORECASE)


def units_named(text: str) -> list[str]:
    """Return the names of the communes and wards a text names after their kind, lists included; a name
    has two or three capitalised syllables ("Tân Lộc"), so "xã Long" or "phường mới" names none."""
    names: list[str] = []
    for m in _UNIT_KIND.finditer(text):
        words: list[str] = []
        for raw in text[m.end():].split()[:24]:
            w = raw.strip(",.?!:;()\"'")
            if w and w[0].isupper() and not (len(w) > 1 and w.isupper()) and not raw.startswith("("):
                words.append(w)
            elif fold(w) == "va" and words:
                names.append(" ".join(words))
                words = []
                continue
            else:
                break
            if raw.endswith((",", ";", ".", ":", ")")):
                names.append(" ".join(words))
                words = []
                if not raw.endswith(","):
                    break
        if words:
            names.append(" ".join(words))
    return [n for n in dict.fromkeys(names) if 2 <= len(n.split()) <= 3]


def _without_and(folded: str) -> str:
    return " ".join(w for w in folded.split() if w != "va")


# "Còn tiêu chí hòa giải thì sao?": the same question asked of something else, in the frame already set.
_FOLLOWS_UP = re.compile(r"^\s*(?:the\s+)?con\b[^.?!]*\bthi\s*(?:sao|the\s*nao|ra\s*sao)\s*$")


class Reader:
    """Reads questions; knows the agencies' names from the lexicon."""

    def __init__(self, agencies: dict[str, tuple[str, ...]] | None = None,
                 places: dict[str, str] | None = None):
        # One alternation of every folded alias, longest first so "ubnd cấp xã" wins over "ubnd".
        # "Đài phát thanh truyền hình" is "Đài Phát thanh và Truyền hình": names are compared without "và".
        self._agency_of = {_without_and(alias): name for name, aliases in (agencies or {}).items()
                           for alias in aliases}
        aliases = sorted(self._agency_of, key=len, reverse=True)
        self._agencies = (re.compile(r"\b(?:" + "|".join(map(re.escape, aliases)) + r")\b")
                          if aliases else None)
        self._places = places or {}  # folded name → as written
        # Looked up by first word: every question passes through `places`.
        self._place_lengths: dict[str, list[int]] = defaultdict(list)
        for name in sorted(self._places, key=lambda p: -len(p.split())):
            n, first = len(name.split()), name.split()[0]
            if n not in self._place_lengths[first]:
                self._place_lengths[first].append(n)

    def read(self, question: str) -> Reading:
        """Read a question into what it names."""
        text = clean(question)
        lowered = unicodedata.normalize("NFC", text.lower())
        folded = canonical_numbers(" ".join(fold(text).split()))
        docs = named_documents(folded)
        named_years = years(folded)
        return Reading(
            text=text,
            folded=folded,
            refs=criterion_refs(folded),
            documents=docs,
            years=named_years,
            regime=read_regime(folded, docs, named_years),
            plan_items=plan_items(lowered),
            agencies=self.agencies(" ".join(folded_tokens(text))),
            situation=read_situation(folded, named_years),
            places=self.places(text),
            numbered=numbered_texts(folded),
        )

    def agencies(self, folded: str) -> tuple[str, ...]:
        """Return the canonical names of the agencies named in folded tokens joined by spaces."""
        if self._agencies is None:
            return ()
        text = _without_and(folded)
        return tuple(dict.fromkeys(self._agency_of[m.group(0)] for m in self._agencies.finditer(text)))

    def read_part(self, text: str, whole: Reading) -> Reading:
        """Read one part of a long message: its own criteria, plan items and documents; the regime the
        part names, else the whole message's ("năm 2023 … hồ sơ gồm gì")."""
        text = clean(text)
        folded = canonical_numbers(" ".join(fold(text).split()))
        docs = named_documents(folded)
        named_years = years(folded)
        regime = read_regime(folded, docs, named_years)
        # A part's own regime, unless only hinted at against one the whole message names ("năm 2026 … (2) xã
        # còn phải gửi hồ sơ lên huyện không": the district is what the asker remembers, 2026 what is asked).
        own = regime.regime is not None and not (regime.hint and whole.regime.named)
        if _FOLLOWS_UP.search(folded):
            # "Trong kế hoạch, … ai chủ trì? Còn tiêu chí hòa giải thì sao?": the plan's, again
            docs |= whole.documents
        return replace(whole, text=text, folded=folded, refs=criterion_refs(folded), documents=docs,
                       years=named_years, regime=regime if own else whole.regime,
                       plan_items=plan_items(unicodedata.normalize("NFC", text.lower())), situation=None)

    def places(self, text: str) -> tuple[str, ...]:
        """Return the places a question names: provinces it spells (with or without diacritics), and any
        unit written with capitals after its kind ("xã Kế Sách")."""
        # a known place by its own spelling, however typed ("tinh Soc Trang" is Sóc Trăng)
        found = [self._places.get(" ".join(folded_tokens(n)), n) for n in _capitalised_names(text)]
        toks = folded_tokens(text)
        # Longer names first ("thành phố Cần Thơ" before "Cần Thơ"), then in the order written.
        spans = sorted((-n, i) for i, t in enumerate(toks) for n in self._place_lengths.get(t, ())
                       if i + n <= len(toks))
        for minus_n, i in spans:
            name = self._places.get(" ".join(toks[i:i - minus_n]))
            if name and not any(fold(name) in fold(f) or fold(f) in fold(name) for f in found):
                found.append(name)
        return tuple(dict.fromkeys(found))
