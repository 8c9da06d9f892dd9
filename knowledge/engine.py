"""The answer engine: read a question, judge a described situation, rank handbook entries, or decline.

Three parts, each tested on its own: `knowledge.query` reads what a question names (criteria and
indicators, regime, plan items, agencies, a situation), `knowledge.recognition` judges a situation
with the rules kept as data, and the ranking below (BM25 over syllables and syllable pairs plus a
rapidfuzz phrasing score) chooses among the entries the reading allows.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol, TypeVar

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.lexicon import Lexicon, NearDomain, NotHeld, PhraseSpotter
from knowledge.loader import Handbook
from knowledge.query import (
    INTRODUCES,
    NUMBER_WORDS,
    PLAN_OF_NEW_RULES,
    TRANSITION_YEAR,
    CriterionRef,
    Reader,
    Reading,
    as_asked,
    asked_about,
    canonical_numbers,
    criterion_refs,
    named_documents,
    numbered_texts,
    quiz_stem,
    read_regime,
    read_situation,
    short_plan_items,
    split_document_reference,
    units_named,
    without_asides,
)
from knowledge.recognition import RegimeRules, Situation, Verdict, judge
from knowledge.schema import Confidence, Entry, Regime
from knowledge.text import canonical_syllable, clean, fold, folded_tokens, has_diacritics, tokens

MAX_QUESTION_CHARS = 1200  # past this a message is not a question; reading the head is enough
MAX_PARTS = 3  # a long message is answered by its best part, the others become suggestions
MAX_CANDIDATES = 12  # the strongest lexical matches scored fully, beside every close phrasing
SHORT_QUESTION_CHARS = 100  # a question this short asks one thing
FIRST_ASSESSED_YEAR = 2021  # "QĐ 619 năm 2017" names a document, not an assessment
RARE_DF = 3  # a word in at most this many entries is one the handbook hardly knows
MAX_CRITERION = 5  # the most criteria a regime of this standard has (QĐ 25: 5; QĐ 27: 3)
MSG_OTHER_STANDARD = ("Câu hỏi này có vẻ về một tiêu chuẩn, danh hiệu hoặc thủ tục khác, không thuộc chuẩn "
                      "tiếp cận pháp luật. Đề nghị hỏi cơ quan phụ trách lĩnh vực đó.")

# Function words carry no topic; they still count for the fuzzy phrasing score.
STOPWORDS = frozenset(
    """a ạ ah à ơi nhé nha vậy thế thì là của và với cho các những một được bị không hay hoặc
    này kia đó ấy nào gì sao ra vào ở tại trong theo về đã đang sẽ phải nên muốn hỏi xin
    biết giúp em anh chị tôi mình ạ như khi lúc nếu thì rồi còn cũng đều vẫn hãy xem vay
    dạ nhỉ hả hở ạk ak nhé nhe luôn dùm giùm với bây giờ đâu đấy nữa thôi chứ vâng ok oke ad
    nhiêu thuộc nó
    check update pls plz cái
    eng rứa răng ni tui hông hổng nhen nghen hen nè bựa
    fyi btw quick sếp chào""".split()
    # chat words ("check giúp e mẫu 04", "cái quyết định mới", "e chào a"; a greeting is no typo of "cao")
    # and regional ones of the Centre ("eng", "rứa",
    # "răng", "bựa ni": anh, thế, sao, hôm nay) and the South ("tui", "hông", "nghen": tôi, không, nhé), and
    # English fillers ("FYI", "btw")
    # Left out on purpose: words whose unaccented form is also a content word
    # ("có"/"cơ" → co, "bạn"/"ban" → ban, "cần"/"cán" → can, "mà"/"mã" → ma, "làm"/"lâm" → lam).
)
_STOP_FOLDED = frozenset(fold(w) for w in STOPWORDS)
FOLLOW_UP_WORDS = 2  # a question this short after another ("Ai chủ trì?") asks about the same subject

_TONE_DIGITS = "12345"  # canonical_syllable() writes a syllable's tone mark as a final digit
_YEAR_TOKEN = re.compile(r"^20[12]\d$")
_WORD = re.compile(r"[a-z]+")  # a folded syllable, where typos are corrected
# A short question that only asks more about the subject before it, naming none of its own: "Tiêu chí ra
# sao?", "Điều kiện thế nào?", "So với Sóc Trăng thì sao?".
_FOLLOWS_UP = re.compile(
    r"^\s*(?:(?:con|vay\s*con)\s+)?(?:(?:tieu\s*chi|dieu\s*kien|thu\s*tuc|ho\s*so|cach\s*cham|tieu\s*chuan)"
    r"(?:\s*(?:cu\s*the|the|do|nay))?\s*(?:ra\s*sao|the\s*nao|nhu\s*the\s*nao|gom\s*(?:nhung\s*)?gi|la\s*gi)"
    r"|so\s*voi\s*[^.?!]{0,30}\b(?:thi\s*sao|the\s*nao|ra\s*sao))\s*(?:a|vay|ha|nhi)?\s*[?.!]*\s*$")
_BEFORE_A_NUMBER = frozenset({"chi", "tieu", "thu", "so"})  # "tiêu chí …", "chỉ tiêu …", "thứ …", "số …"
# Asking for figures: a place the figures do not cover cannot be answered with others' figures.
# Asked of a named place, these ask for its results: "bao nhiêu / mấy xã đạt", "đạt chuẩn năm nào", "xã nào
# không đạt", "(đã) có đạt chuẩn … không".
_ASKS_FIGURES = re.compile(
    r"\b(?:bao\s*nhi?e?u|bn|may)\s*(?:xa|don\s*vi|phuong|%|phan\s*tram)[^.?!]*\bdat\b"
    # "tỉ lệ xã phường đạt chuẩn", "số xã đạt chuẩn của huyện", "kết quả … cả nước thế nào"
    r"|\bt[yi]\s*le\s*(?:cac\s*)?(?:xa|phuong|don\s*vi)\b[^.?!]{0,20}\bdat\b|\bso\s*(?:xa|don\s*vi|phuong)\b[^.?!]{0,20}\bdat\s*chuan\b"
    r"|\bket\s*qua\b[^.?!]*\b(?:ca\s*nuoc|toan\s*quoc)\b|\b(?:ca\s*nuoc|toan\s*quoc)\b[^.?!]*\bket\s*qua\b"
    r"|\bket\s*qua\s*(?:danh\s*gia|cong\s*nhan)\b[^.?!]{0,60}\b(?:ra\s*sao|bao\s*nhi?e?u|the\s*nao)\b"
    r"|\bdat\s*chuan[^.?!]*\bnam\s*nao\b|\bso\s*lieu\b[^.?!]*\bdat\s*chuan\b"
    # "danh sách xã phường của Cần Thơ đạt chuẩn năm 2024": the list of a place's results
    r"|\b(?:danh\s*sach|list)\s*(?:cac\s*)?(?:xa|phuong|don\s*vi)\b[^.?!]*\bdat\b"
    r"|\bcac\s*(?:xa|phuong|don\s*vi)\s*(?:chua|khong)?\s*dat\s*chuan\s*cua\b"
    # "Lào Cai năm 2022 đạt chuẩn tiếp cận pháp luật bao nhiêu %": a rate or a count after what is counted
    r"|\bdat\s*chuan\b[^.?!]{0,40}\b(?:bao\s*nhi?e?u|bn|may)\s*(?:%|phan\s*tram|xa|phuong|don\s*vi)"
    r"|\b(?:xa|phuong|don\s*vi)\s*nao\b[^.?!]*\bdat\b|\bco\s*dat\s*chuan\b[^.?!]*\b(?:khong|chua|ko)\b"
    # "Lào Cai năm 2022 được bao nhiêu xã", "Thanh Hóa năm 2024 đạt chuẩn bao nhiêu xã"
    r"|\b(?:duoc|dat(?:\s*chuan)?)\s*(?:bao\s*nhi?e?u|bn|may)\s*(?:xa|phuong|don\s*vi)\b"
    # "thanh hoa nam 2024 dat chuan bao nhieu %", "khảo sát … được bao nhiêu phần trăm", "hiện có bao nhiêu
    # tuyên truyền viên", "xã An Thạnh năm ngoái được bao nhiêu điểm": a rate, a count or a score of a place,
    # unless a rule is asked ("phải đạt bao nhiêu %", "được bao nhiêu điểm thì đạt")
    r"|^(?!.*\b(?:phai|can\s*(?:dat|co)|toi\s*thieu|it\s*nhat|moi\s*(?:duoc|dat)|thi\s*(?:duoc|dat)|quy\s*dinh)\b)"
    r".*(?:\b(?:dat(?:\s*chuan)?|duoc|la)\s*(?:duoc\s*)?(?:bao\s*nhi?e?u|bn|may)\s*(?:%|phan\s*tram|diem)"
    r"|\b(?:hien\s*)?(?:co|duoc)\s*(?:bao\s*nhi?e?u|bn|may)\s*(?:tuyen\s*truyen\s*vien|hoa\s*giai\s*vien|to\s*hoa\s*giai"
    r"|nguoi)\b)")
# Who someone of a named place is, or who was there ("Chủ tịch Hội đồng … huyện Kế Sách năm 2024 là ai",
# "danh sách thành viên hội đồng của thị xã Vĩnh Châu"): the handbook says who by office, never by name.
_ASKS_WHO_BY_NAME = re.compile(
    # "là ai" before what is done ("năm 2024 là ai công nhận") asks who by office, which the rules say
    r"\b(?:la\s*ai\b(?!\s*(?:cong\s*nhan|ky|cham|lam|tham\s*dinh|quyet\s*dinh|duyet|chu\s*tri|ban\s*hanh))"
    r"|gom\s*nhung\s*ai|nhung\s*ai|ten\s*(?:la\s*)?gi|ho\s*ten|danh\s*sach\s*(?:thanh\s*vien|can\s*bo)"
    # how many attended a meeting named, not how many must ("họp cần bao nhiêu người dự": the quorum rule)
    r"|so\s*dien\s*thoai|sdt|(?<!can )(?<!phai )(?<!toi thieu )(?<!it nhat )"
    r"bao\s*nhi?e?u\s*(?:dai\s*bieu|nguoi\s*(?:tham\s*du|du)))\b")
# The number of a place's own document or how many units it has ("Đắk Lắk có kế hoạch triển khai QĐ 27 số
# mấy", "An Giang sau sáp nhập có bao nhiêu xã phường"): held only where the answer speaks of that place.
_ASKS_NUMBER_OF_PLACE = re.compile(
    r"\bso\s*(?:may|bao\s*nhi?e?u|hieu)\b|\bco\s*(?:bao\s*nhi?e?u|bn|may)\s*(?:xa|phuong|don\s*vi)\b"
    r"|\bso\s*,?\s*(?:va\s*)?ngay\s*ban\s*hanh\b"
    # … or what a commune was merged from ("xã Mỹ Tú mới gồm những xã cũ nào")
    r"|\b(?:gom|tu)\s*(?:nhung\s*|cac\s*)?(?:xa|phuong|don\s*vi|thi\s*tran)\b[^.?!]{0,20}?\b(?:cu\s*)?nao\b")
# Who signed a text ("Bộ trưởng nào ký Thông tư 09", "QĐ 619 do ai ký"), and an answer that says who
# signed it, read with its tone mark ("ký thay", "người ký"; "kỳ", "kỷ luật", "đăng ký", "thư ký" are other
# words).
_ASKS_SIGNER = re.compile(
    r"\b(?:ai|nao|nguoi)\s*(?:da\s*)?ky\b|\bnguoi\s*ky\b|(?<!thu )\bky\s*(?:boi\s*ai|la\s*ai)\b")
_SAYS_SIGNER = re.compile(r"(?<!đăng )(?<!thư )\bký\b")
# "ai ký quyết định công nhận": a recognition decision is signed by whoever recognises, which the rule says.
_SIGNS_RECOGNITION = re.compile(r"\bky\s*(?:quyet\s*dinh|qd)\s*cong\s*nhan\b")
# An opening that says where the asker works: "Phường tui ở Cần Thơ", "em công tác tại xã Kế Sách".
_WORKS_AT = re.compile(r"^\s*(?:(?:xa|phuong|ubnd\s*(?:xa|phuong))\s+)?(?:em|toi|tui|minh|chau|chung\s*toi)"
                       r"\s+(?:dang\s*)?(?:o|lam\s*(?:viec\s*)?(?:o|tai)|cong\s*tac\s*(?:o|tai)|thuoc)\b")
# "ai chủ trì …, Sở Nội vụ có được giao không": the question asks who; the agency is an aside.
_ASKS_WHO = re.compile(r"\bai\b")
# A question about the plan or an agency's tasks, as opposed to one about the rules.
_ASKS_ABOUT_TASKS = re.compile(
    r"\b(?:ke\s*hoach|kh|nhiem\s*vu|giao|chu\s*tri|phoi\s*hop|trach\s*nhiem|vai\s*tro|lam\s*gi|viec\s*gi)\b")
# "… thuộc chỉ tiêu nào", "được tính ở chỉ tiêu nào", "có giúp xã đạt chỉ tiêu nào", "chỉ tiêu chuyển đổi số
# trong bộ chuẩn mới": asks where something counts in this standard, so a subject word from the
# out-of-scope list ("quy trình soạn thảo" of indicator 1.2, "nhóm Zalo") does not decline it.
_ASKS_WHICH_INDICATOR = re.compile(
    r"\b(?:thuoc|tinh|cham|o|vao|ve|dat)\s+(?:chi\s*tieu|tieu\s*chi|ct|tc)\s+(?:nao|may)\b"
    r"|\b(?:chi\s*tieu|tieu\s*chi)\b[^.?!]{0,40}\b(?:trong|cua|thuoc)\s+bo\s+(?:chuan|tieu\s*chi)\s+(?:moi|cu)\b"
    # "có được tính đạt chỉ tiêu chuyển đổi số không", "để đạt chỉ tiêu chuyển đổi số: lập nhóm Zalo …"
    r"|\b(?:duoc\s*tinh|tinh\s*(?:la|dat|vao)|de\s*dat|giup\s*(?:xa\s*)?dat)\s+(?:chi\s*tieu|tieu\s*chi)\b"
    # "chuyển đổi số … thì làm mấy cái gì mới được tính": what counts for it
    r"|\bmoi\s*(?:duoc|dc)\s*tinh\b")
_ABOUT_A_CRITERION = frozenset(  # words that ask about a criterion without naming a subject
    "tieu chi chuan so thu la gi noi dung yeu cau quy dinh co khong ko gom nhung nao ve cua duoc anh em "
    "cai may bao nhieu".split())  # "nói về cái gì", "gồm mấy chỉ tiêu", "bao nhiêu chỉ tiêu"
# words that ask what an article says without naming a subject ("Điều 4 của QĐ 27 quy định nội dung gì")
_ABOUT_AN_ARTICLE = frozenset("dieu khoan diem quyet dinh thong tu qd tt quy noi dung gi nhu the nao ra sao "
                              "cua theo ve co khong ko la nhung nao dung phai".split())
# … and words that only say which criterion or which set ("tiêu chí thứ hai trong bộ mới tên là gì").
_CRITERION_WORDS = frozenset("ten bo moi cu hien hanh nay trong thu may nao tieu chi tc theo qd quyet dinh "
                             "tt thong tu so la "
                             # a newcomer's: "nhóm 1 mới có mấy mục, kể ra", "nhóm thứ nhất trong bảng điểm"
                             "nhom muc bang diem ke ra ngay xua".split())
# "trong kế hoạch", "kế hoạch của tỉnh": the province's plan on this standard, not a new-rural plan.
# A letter's formulas ("Kính gửi Quý cơ quan.", "Đề nghị cho biết", "Trân trọng cảm ơn") say nothing of
# the subject; "đề nghị" alone is the handbook's word (hồ sơ đề nghị công nhận) and stays, and "đề nghị
# cho ý kiến" asks for an opinion, which is declined.
_LETTER_FORMULAS = re.compile(
    r"^\s*kinh\s*gui\b[^.?!:]*[.:!]|\b(?:kinh\s*)?de\s*nghi\s*(?:quy\s*co\s*quan\s*)?(?:cho\s*biet"
    r"|huong\s*dan\s*giup|giai\s*dap|tra\s*loi)\b|\btran\s*trong(?:\s*cam\s*on)?\b"
    # an older official's courtesies: "Kính thưa quý cơ quan", "xin được hỏi", "xin quý cơ quan cho biết",
    # "xin được chỉ giáo"
    # ("thưa" alone only where the message starts: "thừa kế", "thua kiện" fold alike)
    r"|\b(?:kinh\s*)?thua\s*(?:quy\s*(?:co\s*quan|vi|ban)|ban\s*bien\s*tap)\b|^\s*(?:kinh\s*)?thua\b"
    r"|\bxin\s*(?:duoc\s*)?(?:quy\s*co\s*quan\s*)?(?:hoi|cho\s*biet|thinh\s*y|chi\s*giao|chi\s*bao)\b")
# "cái vụ chấm điểm pháp luật", "xét vụ này", "làm vụ này": "vụ" as "the matter", not a mediation case.
_VAGUE_WORDS = re.compile(r"\b(?:cai\s+)?vu\s+(?:nay|do|ay)\b|\bcai\s+vu\b")
_BESIDES_THE_STANDARD = re.compile(
    r"\b(?:ngoai|tru)\s*(?:tieu\s*chi\s*|chuan\s*)?(?:tiep\s*can\s*phap\s*luat|tiep\s*can\s*pl|tcpl)\b")
_CULTURE_CRITERION = re.compile(r"\b(?:tieu\s*chi|tc)\s*(?:so\s*)?16\s*(?:ve\s*)?van\s*hoa\b")
# How an indicator is scored ("chấm sao", "được mấy điểm", "tỷ lệ bao nhiêu"; "chậm nhất" folds alike).
_ASKS_SCORING = re.compile(r"\b(?:cham(?!\s*(?:nhat|tre|tien|hon))|diem|ty\s*le|muc\s*dat)\b")
# "đặc khu Bạch Long Vĩ có được công nhận đạt chuẩn năm 2025 không": of a place named, its result.
_ASKS_IF_RECOGNISED = re.compile(r"\bco\s*(?:duoc|dc)\s*cong\s*nhan\b[^.?!]*\b(?:khong|chua|ko|k)\b")
# A person's pay or a reward ("phụ cấp tuyên truyền viên", "khen thưởng bao nhiêu tiền"): no task of the
# plan's funding, which the plan's item on funds would answer.
_PAY_OR_REWARD = re.compile(r"\b(?:phu\s*cap|thu\s*lao|luong|thuong)\b")
_THE_PLAN = re.compile(
    r"\b(?:trong|theo)\s*(?:ke\s*hoach|kh)\b(?!\s*(?:xay\s*dung\s*)?(?:nong\s*thon|ntm|do\s*thi))"
    r"|\bke\s*hoach\s*(?:cua\s*)?(?:tinh|soc\s*trang)\b")
# "kế hoạch Sóc Trăng số mấy", "là KH số 145 đúng không": a text's own number asked about
_ASKS_A_TEXTS_NUMBER = re.compile(r"\bso\s*(?:may|bao\s*nhieu|\d+)\b")
# "năm 2023 chấm theo văn bản nào", "năm 2026 theo QĐ 25 hay QĐ 27": which rules score a named year.
_ASKS_WHICH_RULES = re.compile(
    r"\b(?:theo|ap\s*dung|dung|cham|danh\s*gia)\s*(?:van\s*ban|quyet\s*dinh|qd|quy\s*dinh|thong\s*tu|tt)"
    r"\s*(?:nao|gi|j|mo|chi)\b"  # "văn bản mô", "quy định chi": the Centre's "nào", "gì"
    r"|\b(?:qd|quyet\s*dinh|tt|thong\s*tu)\s*\d+(?:/\d+)?\s*hay\s*(?:la\s*)?(?:qd|quyet\s*dinh|tt|thong\s*tu)?\s*\d+"
    # "kết quả năm 2025 chấm theo quyết định cũ hay mới", "theo bộ mới hay bộ cũ"
    r"|\b(?:qd|quyet\s*dinh|quy\s*dinh|van\s*ban|bo|chuan|thong\s*tu|tt)\s*(?:cu|moi)\s*hay\s*"
    r"(?:(?:qd|quyet\s*dinh|quy\s*dinh|van\s*ban|bo|chuan|thong\s*tu|tt)\s*)?(?:cu|moi)\b")
# "Điều 4 của QĐ 27 quy định gì": an article of a decision or circular, as a question names it.
_ARTICLE = re.compile(r"\bdieu\s*(?:so\s*)?(\d{1,2})\b(?!\s*/)")
# "Điều 3 khoản 6", "Điều 1–8", "Điều 8 khoản 1, khoản 3" in a citation
_ARTICLE_CLAUSES_CITED = re.compile(r"Điều (\d+)(?:\s*[–-]\s*(\d+))?((?:,?\s*khoản \d+)*)")
# "khoản 6 điều 3", "điểm d khoản 4 điều 6", "Điều 5 khoản 4" in a question
_ARTICLE_CLAUSE_ASKED = re.compile(r"\b(?:khoan\s*(\d{1,2})\s*(?:cua\s*)?)?dieu\s*(?:so\s*)?(\d{1,2})\b"
                                   r"(?!\s*/)(?:\s*khoan\s*(\d{1,2}))?")
CITING_FEW = 5  # an article or clause cited by this few entries brings them all to be ranked
_DECISION_OF = {Regime.QD25: "25/2021", Regime.QD27: "27/2025"}  # the decision setting each regime's criteria
_CITED_NUMBERS = ("25/2021", "09/2021", "27/2025", "15/2025")  # the texts of this standard entries cite
_INTRODUCES_A_TEXT = frozenset({"gioi-thieu", "thong-tu-huong-dan"})  # topics of entries presenting a text
_RULES_FROM = "rules_from_"  # routes.rules_from_YEAR: the entry on the rules that score YEAR and later
_BRACKETED = re.compile(r"\([^()]*\)")  # an aside in brackets: "(chỉ tiêu 5.4 QĐ 25)"
# "<what the standard says>, vậy <question>", "…, giờ <question>", "…, cho em hỏi <question>": the question
# after the pivot.
_ASKED_AFTER_CONTEXT = re.compile(
    r",\s*(?:vay\s*thi|vay|the\s*thi|(?:bay\s*)?gio|cho\s*(?:(?:em|e|toi|minh)\s*)?hoi|xin\s*hoi)\s+")
_PARTS = re.compile(r"[?;!\n]+|\.\s+|\s+(?:them\s*nua|ngoai\s*ra|voi\s*lai|tien\s*the)\s+"
                    r"|:\s*(?=\(?1[).]\s)")  # "… giúp nhóm mấy ý: (1) …": the list starts
# "công nhận liệt sĩ", "đạt chuẩn quốc gia về phòng cháy", "thành lập hợp tác xã", "tiêu chí đánh giá
# chính quyền thân thiện": what follows says which standard, title or body is meant.
_STANDARD_OF = re.compile(
    r"(?=\b(?:cong\s*nhan|dat\s*chuan|tieu\s*chuan|danh\s*hieu|quoc\s*gia\s*ve|bo\s*tieu\s*chi|thanh\s*lap"
    r"|tieu\s*chi(?:\s*danh\s*gia)?|dieu\s*kien)\s+"
    r"(?:ve\s+|cho\s+|cua\s+)?([a-z]+)((?:\s+[a-z]+){1,3}))")  # all a lookahead: triggers may overlap
_NOT_A_STANDARD = frozenset("xa phuong dac thi cap don dat chuan tiep ket ho quyet nam theo cua co khong moi "
                            "cu khac duoc la va thi can gi nao muc tong dieu "
                            # "không đạt chuẩn mà Phòng Tư pháp …": a conjunction starts no title
                            "ma nhung vi nen roi hay vay do "
                            # "hồ sơ đề nghị công nhận gồm mấy thứ": a verb or a question word neither
                            "gom bao phai lai tu sau truoc bi "
                            # "bộ tiêu chí ba nhóm": a count starts no title
                            "mot hai ba bon bay tam chin muoi "
                            # "quyết định công nhận ngày thứ Hai 05/02": a date neither
                            "ngay thang hom vao luc "
                            # "quyết định công nhận ký xong", "công nhận của huyện ký ngày …": who signs, and
                            # the signing, start no title
                            "ky xong huyen tinh ubnd "
                            # "hồ sơ đề nghị công nhận nộp bản điện tử", "… gửi lên thành phố": where the
                            # dossier goes starts no title
                            "nop gui len chuyen trinh "
                            # "có mấy tiêu chí, phần phổ biến pháp luật nằm ở tiêu chí nào": a part of it
                            "phan "
                            # "gửi hồ sơ đề nghị công nhận đạt chuẩn cho ai": a question word neither
                            "ai dau".split())
# A sentence that only announces questions ("Anh ơi cho em hỏi mấy ý nha", "e hỏi xíu"): nothing is asked
# in it ("hỏi" folded is also "hội", and "ý" the start of "ý kiến").
_ANNOUNCES_ONLY = re.compile(
    r"^(?:\w+\s+){0,3}?(?:cho\s*(?:em|e|toi|minh|chau)\s*(?:hoi|xin\s*hoi)|(?:em|e|toi|minh|chau)\s*(?:hoi|xin\s*hoi)"
    r"|xin\s*hoi)(?:\s+(?:may|vai|it|chut|xiu|ti|mot|so|y|cau|van\s*de|viec|dieu|cai|nha|nhe|a|voi|ne|nhen"
    r"|anh|chi|ad|ak|ah))*\s*$")
# A sentence that asks, in a long message: a request to be told, or a question word at its end.
_ASKS_CUE = re.compile(r"\b(?:cho\s*(?:em|toi|minh)\s*(?:hoi|xin|biet)|(?:em|toi|minh)\s*(?:can|muon)\s*"
                       r"(?:biet|hoi)|xin\s*hoi|hoi\s*giup|nho\s*(?:anh|chi|ad))\b")
_ASKS_ABOUT = re.compile(r"\bhoi\s*(?:ve|them\s*ve)\b")  # "cho mình hỏi về …": what the questions are about
# An item of a numbered list of questions ("(1) ai biên soạn sổ tay hướng dẫn; (2) …") asks with its question
# word wherever it stands.
_LISTED_QUESTION = re.compile(
    r"^\s*\(?\d{1,2}[).]\s[^.?!]*\b(?:ai|gi|j|nao|dau|sao|may|bao\s*nhi?e?u|bao\s*lau|bao\s*gio|khi\s*nao"
    r"|the\s*nao|ntn|ra\s*sao)\b")
_ASKS_END = re.compile(
    r"\b(?:khong|ko|k|chua|nao|gi|j|bao\s*nhi?e?u|bn|may|the\s*nao|ntn|ra\s*sao|sao|o\s*dau|dau|khi\s*nao|"
    r"bao\s*gio|bh|ai)(?:\s+(?:a|ah|ak|nhi|vay|the|day|ha|nhe))*\s*$")


class Outcome(StrEnum):
    ANSWER = "answer"  # committed to one entry
    AMBIGUOUS = "ambiguous"  # two or three entries are close: ask "Ý bạn là…"
    OUT_OF_SCOPE = "out_of_scope"  # another subject entirely, or a near one (with a pointer)
    SMALL_TALK = "small_talk"  # a greeting or chit-chat
    NO_MATCH = "no_match"  # on topic perhaps, but nothing in the handbook fits
    NOT_HELD = "not_held"  # about something the handbook does not hold (said in `notice`)
    EMPTY = "empty"  # nothing to read


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float


@dataclass(frozen=True)
class Result:
    """What the engine concluded about one question.

    Anything but ANSWER is `declined`: the handbook does not answer, and another source (an official
    text) may try before the official is told so.
    """

    question: str
    outcome: Outcome
    entry: Entry | None
    score: float
    candidates: tuple[Candidate, ...]  # close alternatives, best first (excluding `entry`)
    regime: Regime | None  # the regime the question named, if any
    off_topic: str | None = None  # the out-of-scope phrase or near topic that was recognised
    pointer: str | None = None  # for a near-domain question: where it belongs
    regime_named: bool = False  # a document or an assessment year named the regime
    # When the rules in force are not verified for a question that named no regime, the previous
    # (replaced) rule is given too, labelled as such.
    previous: Entry | None = None
    verdict: Verdict | None = None  # a described situation judged under `entry`'s regime
    previous_verdict: Verdict | None = None  # the same situation under the replaced rules
    notice: str | None = None  # what the handbook does not hold that the question asked about
    current: Entry | None = None  # an old entry answered a question that named no regime: the in-force one
    other_parts: tuple[Entry, ...] = field(default=())  # best entries for the other parts of a long message
    closing: bool = False  # small talk that thanks or says goodbye, answered as such, not with a greeting

    @property
    def found(self) -> bool:
        return self.outcome is Outcome.ANSWER

    @property
    def declined(self) -> bool:
        return self.outcome is not Outcome.ANSWER


@dataclass(frozen=True)
class Weights:
    """Tuning knobs, kept together so the benchmark and the tests see the same engine."""

    k1: float = 1.2
    b: float = 0.5
    lexical: float = 0.6  # BM25 over title, phrasings, keywords and answer, normalised by the question
    fuzzy: float = 0.3  # rapidfuzz ratio against the closest phrasing (syllables sorted)
    title_weight: float = 2.0
    answer_weight: float = 0.3  # the answer's words speak for the entry, less than its phrasings
    reference_weight: float = 0.1  # "QĐ 25/2021" says which rules apply, hardly what is asked
    accent_bonus: float = 0.04  # an exactly accented question ranks higher
    citation_bonus: float = 0.05  # the entry cites the document the question names
    year_bonus: float = 0.05  # the entry's title names the year the question names
    other_place_factor: float = 0.8  # the entry's title names a place, not the one the question names
    focus_bonus: float = 0.04  # the entry's title names what is asked ("những tiêu chí nào", "mấy điều")
    agency_bonus: float = 0.1  # the entry's title names the agency whose tasks are asked about
    current_bonus: float = 0.02  # no regime named: the rules in force first
    current_ratio: float = 0.6  # … unless the in-force entry of the topic scores this much less
    hinted_regime_factor: float = 0.8  # the other regime's entries, when the question hints at one
    unrelated_factor: float = 0.9  # plan and reform entries, when a decision is named
    plan_unasked_factor: float = 0.9  # plan entries, when neither the plan nor its agencies are named
    ref_bonus: float = 0.15  # the entry is about the criterion the question names
    count_bonus: float = 0.3  # … or counts the criteria, when their number is asked or stated
    article_bonus: float = 0.3  # the entry cites the article (and clause) of the text the question names
    comparison_bonus: float = 0.05  # the entry is about both regimes, and the question compares them
    other_criterion_factor: float = 0.8  # … or about one criterion when all or a list is asked
    # … or about another criterion than the one named: "tiêu chí số bốn … gồm mấy chỉ tiêu" is never
    # answered by criterion 3, whose phrasing "gồm mấy chỉ tiêu" it shares word for word
    named_criterion_factor: float = 0.5
    overview_factor: float = 0.6  # … or the overview of all criteria, when the criterion has its own entry
    answer_threshold: float = 0.68  # on score + coverage terms (see Engine._decide)
    coverage_weight: float = 0.2
    bigram_weight: float = 0.4
    ambiguity_ratio: float = 0.995
    context_penalty: float = 0.2  # a part of a long message that asks nothing
    # The whole of a long message, read as one question, keeps the context its short parts lose ("Hội đồng
    # có 12 người, họp có 8 người dự. Đủ điều kiện họp không?"): a part must be clearly better to win.
    whole_message_bonus: float = 0.12
    suggestion_ratio: float = 0.85


@dataclass(frozen=True)
class Part:
    """One sentence of a long message."""

    text: str
    asks: bool  # it asks something, as opposed to giving the context


@dataclass(frozen=True)
class Query:
    """A question (or one part of it) as the ranking reads it."""

    text: str  # cleaned, NFC, as typed
    toks: list[str]  # topic tokens: folded, abbreviations expanded, typos corrected
    raw: list[str]  # the same before typo correction (for coverage)
    refs: list[str]  # tokens of document references ("qd 25 2021")
    reading: Reading
    accented: frozenset[str] = frozenset()  # its syllables with their accents, when typed with any


def _named(r: Reading) -> tuple[object, ...]:
    """What a reading names of texts, years, criteria, plan items and agencies: what a quiz's options may
    add."""
    return r.documents, r.years, r.refs, r.plan_items, r.numbered, r.agencies


class Engine:
    """Answers Vietnamese questions typed with or without diacritics from the handbook."""

    def __init__(self, handbook: Handbook, lexicon: Lexicon, weights: Weights | None = None,
                 recognition: dict[Regime, RegimeRules] | None = None):
        self.handbook = handbook
        self.lexicon = lexicon
        self.w = weights or Weights()
        self.recognition = recognition or {}
        # The communes and wards the handbook's answers name ("phường Tân Lộc; các xã Trường Long, Thạnh
        # Phú, …") are places too, so that "phuong tan loc co bi sap nhap ko" names one, typed however.
        units = {fold(name): name for e in handbook.entries.values() for name in units_named(e.answer)}
        self.reader = Reader(lexicon.agencies, {**units, **lexicon.places})
        self._units = frozenset(units) - set(lexicon.places)
        self.entries: list[Entry] = list(handbook.entries.values())
        self._position = {e.id: i for i, e in enumerate(self.entries)}
        self._regime = {e.id: handbook.documents[e.document].regime for e in self.entries}
        self._cites = [self._cited(e) for e in self.entries]
        # Several entries of one regime may share a topic (the council, and its meetings); the first
        # listed is the one a question is sent to when only its topic is known.
        self._by_topic: dict[str, dict[Regime, list[Entry]]] = defaultdict(lambda: defaultdict(list))
        for e in self.entries:
            if e.topic:
                self._by_topic[e.topic][self._regime[e.id]].append(e)
        # The regime whose criteria an entry is about: its document's, or for a plan built on a decision,
        # that decision's ("giải pháp cho tiêu chí 1" of the plan is QĐ 25's criterion 1).
        self._ref_regime = {e.id: self._criteria_regime(e) for e in self.entries}
        self._regime_at = [self._regime[e.id] for e in self.entries]  # by position, for the ranking loop
        self._ref_regime_at = [self._ref_regime[e.id] for e in self.entries]
        # The entries a question that names a regime may be answered from: that regime's, those tied to
        # neither, and those about both (a comparison, the replacement itself).
        self._of_regime = {r: frozenset(i for i, e in enumerate(self.entries)
                                        if self._regime[e.id] in (r, Regime.NONE) or e.both_regimes)
                           for r in Regime}
        self._by_ref: dict[tuple[Regime, int, int | None], list[int]] = defaultdict(list)
        self._by_item: dict[str, int] = {}
        for i, e in enumerate(self.entries):
            if e.criterion is not None:
                self._by_ref[(self._ref_regime[e.id], e.criterion, e.indicator)].append(i)
            if e.plan_item:
                self._by_item[e.plan_item] = i
        self._index()

    def _criteria_regime(self, e: Entry) -> Regime:
        doc = self.handbook.documents[e.document]
        if doc.regime is Regime.NONE and doc.based_on in self.handbook.documents:
            return self.handbook.documents[doc.based_on].regime
        return doc.regime

    def _cited(self, e: Entry) -> frozenset[str]:
        """The documents an entry speaks for: those its citation names, for a legal entry; the plan's
        entries cite the plan (their citations also name QĐ 25, which the plan implements)."""
        if self._regime[e.id] is Regime.NONE:
            return frozenset({"Kế hoạch"}) if "Kế hoạch" in e.citation else frozenset()
        guidance = {name for name, number in _GUIDANCE.items()
                    if number in e.citation or number in e.document}
        return frozenset(n for n in _CITED_NUMBERS if n in e.citation) | guidance

    # -- index

    def _terms(self, toks: list[str]) -> list[str]:
        """Content syllables plus adjacent pairs: Vietnamese words are mostly two syllables.

        Years ("năm 2026") say which rules apply (read by the query reader), not what is asked.
        """
        toks = [t for t in toks if not _YEAR_TOKEN.match(t)]
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
            fields = [(e.title, self.w.title_weight, True), *((q, 1.0, True) for q in e.questions),
                      *((k, 1.0, False) for k in e.keywords), (e.answer, self.w.answer_weight, False)]
            for text, weight, phrasing in fields:
                toks = self.lexicon.expand(folded_tokens(canonical_numbers(fold(text))))
                vocab.update(toks)
                for t in self._terms(toks):
                    tf[t] += weight  # type: ignore[assignment]
                if weight >= 1:
                    accented.update(canonical_syllable(t) for t in tokens(text))
                if phrasing or weight >= 1:
                    self._phrasings.append(" ".join(sorted(toks)))
                    self._phrasing_owner.append(i)
            self._tf.append(tf)
            self._len.append(sum(tf.values()))
            df.update(tf.keys())
            self._accented.append(frozenset(accented))
        n_docs = len(self.entries)
        self._idf = {t: math.log(1 + (n_docs - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._df = df
        self._unknown_idf = math.log(1 + (n_docs + 0.5) / 0.5)
        self._avg_len = sum(self._len) / max(n_docs, 1)
        # Each term's BM25 contribution to each entry, computed once as one row of a matrix: a question
        # only adds up the rows of its terms (a long message has a hundred terms; numpy keeps it quick).
        self._row = {t: r for r, t in enumerate(self._idf)}
        self._weights = np.zeros((len(self._row), n_docs), dtype=np.float32)
        k1, b = self.w.k1, self.w.b
        for i, tf in enumerate(self._tf):
            for t, c in tf.items():
                norm = c * (k1 + 1) / (c + k1 * (1 - b + b * self._len[i] / self._avg_len))
                self._weights[self._row[t], i] = self._idf[t] * norm / (k1 + 1)
        self._vocab = sorted(t for t in vocab if not t.isdigit() and "_" not in t)
        self._freq = vocab
        self._vocab_set = frozenset(vocab)
        self._nearest_cache: dict[str, list[tuple[str, int]]] = {}
        self._correction_cache: dict[tuple[str, str | None, str | None], str | None] = {}
        self._abbreviation_cache: dict[str, str] = {}
        self._rules_from = {int(k.removeprefix(_RULES_FROM)): self.handbook.entries[e]
                            for k, e in self.lexicon.routes.items()
                            if k.startswith(_RULES_FROM) and k.removeprefix(_RULES_FROM).isdigit()
                            and e in self.handbook.entries}
        # The articles and clauses each entry cites ("Quyết định 25/2021/QĐ-TTg, Điều 3 khoản 6"), the
        # entries citing each, and the articles cited of each text, by text number.
        self._cited_clauses = [_cited_clauses(e.citation) for e in self.entries]
        self._citing: dict[tuple[str, int, int | None], list[int]] = defaultdict(list)
        for i, cited in enumerate(self._cited_clauses):
            for clause in cited:
                self._citing[clause].append(i)
        self._articles_cited: dict[str, set[int]] = defaultdict(set)
        for number, article, _ in self._citing:
            self._articles_cited[number].add(article)
        self._text_names: dict[str, str] = {}
        for d in self.handbook.documents.values():
            for n in _CITED_NUMBERS:
                if n in d.name and d.regime is not Regime.NONE:  # the text itself, not a plan built on it
                    self._text_names[n] = d.name
        # Every text the handbook names by its number (a question naming another is not answered).
        self._known_texts = tuple(dict.fromkeys(
            t for text in (*(f"{e.title} {e.answer} {e.citation}" for e in self.entries),
                           *(f"{d.name} {d.title}" for d in self.handbook.documents.values()))
            for t in numbered_texts(canonical_numbers(" ".join(fold(text).split())))))
        self._abbreviation_keys = [k for k in self.lexicon.abbreviations if len(k) >= 4]
        # Entries that give recognition results, the only ones that answer "how many communes of X passed".
        self._results = frozenset(e.id for e in self.entries if "ket qua cong nhan" in fold(e.title))
        # Entries whose answer says who signed their text, and those of the province's plan: read once here,
        # not for every question that asks who signed.
        self._says_signer = frozenset(e.id for e in self.entries
                                      if _SAYS_SIGNER.search(unicodedata.normalize("NFC", e.answer.lower())))
        self._plan_entries = frozenset(e.id for e in self.entries
                                       if self.handbook.documents[e.document].name.startswith("Kế hoạch"))
        # The plan whose items the handbook holds (the one a question on another province's plan is told of).
        self._plan_name = next((self.handbook.documents[e.document].name for e in self.entries
                                if e.plan_item), None)
        # The years those results are for: figures asked of another year are not held, and the entry
        # with the most years is shown instead. An entry that says which year it lacks ("Sổ tay chưa có
        # số liệu năm 2025") answers for that year too.
        years_of = {i: _years_named(self.handbook.entries[i].title) for i in self._results}
        self._years_of_results = {i: years | _years_named(self.handbook.entries[i].answer)
                                  for i, years in years_of.items()}
        self._result_years = frozenset().union(*years_of.values())
        self._widest_results = (self.handbook.entries[max(years_of, key=lambda i: (len(years_of[i]), i))]
                                if years_of else None)
        words = [t for e in self.entries for text in (e.title, *e.questions, *e.keywords, e.answer)
                 for t in tokens(text)]
        accented_hay = " ".join(canonical_syllable(t) for t in words)
        folded_hay = " ".join(fold(t) for t in words)
        self._near_index = _by_first_word(self.lexicon.near_domain)
        self._not_held_index = _by_first_word(self.lexicon.not_held)
        # A near subject's one-word name ("ntm", "vphc", "pccc") is a word of its own: a typo corrector
        # must not make it a handbook word ("ntm" is no "năm", the number of a criterion).
        self._near_acronyms = frozenset(p[0] for near in self.lexicon.near_domain for p in near.phrases
                                        if len(p) == 1)
        self._anchor_words = tuple(_spaced(a) for a in self.lexicon.anchors if a)
        self._off_topic = PhraseSpotter(self.lexicon.out_of_scope, accented_hay, folded_hay)
        chat = self.lexicon.small_talk + self.lexicon.closings
        self._small_talk = PhraseSpotter(chat, accented_hay, folded_hay)
        # Agencies the plan's entries name (anywhere in their text) and those the handbook names at all.
        # (answers only: a phrasing may name an agency to ask about it).
        plan_documents = {e.document for e in self.entries if e.plan_item}
        plan_text = " " + " ".join(" ".join(folded_tokens(e.answer))
                                   for e in self.entries if e.document in plan_documents) + " "
        all_text = " " + " ".join(" ".join(folded_tokens(e.answer)) for e in self.entries) + " "
        self._title_words = [frozenset(self.lexicon.expand(folded_tokens(e.title))) for e in self.entries]
        self._title_years = [_years_named(e.title) for e in self.entries]
        self._criteria_overviews = frozenset(i for i, e in enumerate(self.entries) if e.topic == "tieu-chi")
        # An entry is of the places its title names, or of its document's (the province plan is Sóc
        # Trăng's, now Cần Thơ's): a question about another place's plan is not about it.
        self._title_places = [frozenset(fold(p) for p in self.reader.places(e.title))
                              or self._document_places(e) for e in self.entries]
        self._plan_places = frozenset().union(*(self._document_places(e) for e in self.entries))
        places = "|".join(r"\s*".join(map(re.escape, p.split())) for p in sorted(self._plan_places))
        self._plans_province = re.compile(
            r"\b(?:ke\s*hoach|kh)\s+(?:cua\s+)?(?:ubnd\s+|uy\s*ban\s*nhan\s*dan\s+)?(?:tinh\s+)?"
            rf"(?:{places})\b|\b(?:{places})\s+(?:ke\s*hoach|kh)\b") if places else None
        # The places its answer speaks of ("Hà Nội có Kế hoạch 378/KH-UBND …").
        self._answer_places = [frozenset(fold(p) for p in self.reader.places(e.answer)) for e in self.entries]
        # A commune or ward only one or two answers name (one kept as it was in the 2025 merger) is their
        # subject: a question naming it is about them, whatever place their title names.
        naming: dict[str, list[int]] = defaultdict(list)
        for i, named in enumerate(self._answer_places):
            for place in named & self._units:
                naming[place].append(i)
        self._rarely_named = {place: frozenset(ids) for place, ids in naming.items() if len(ids) <= 2}
        # The agencies its title names ("III.1.c Sở Tài chính phối hợp …").
        self._title_agencies = [frozenset(self.reader.agencies(" ".join(folded_tokens(e.title))))
                                for e in self.entries]
        self._plan_agencies = {n for n, aliases in self.lexicon.agencies.items()
                               if any(f" {a} " in plan_text for a in aliases)}
        self._known_agencies = {n for n, aliases in self.lexicon.agencies.items()
                                if any(f" {a} " in all_text for a in aliases)}

    # -- reading a question

    def _document_places(self, e: Entry) -> frozenset[str]:
        doc = self.handbook.documents.get(e.document)
        if doc is None or doc.regime is not Regime.NONE:
            return frozenset()
        said = " ".join(x for x in (doc.title, doc.issuer, getattr(doc, "status_note", None)) if x)
        return frozenset(fold(p) for p in self.reader.places(said))

    def _correct(self, toks: list[str]) -> list[str]:
        """Map unknown syllables to the handbook's vocabulary: typos first (see `_best_correction`), then
        run-together words."""
        return [w for words in self._corrections(toks) for w in words]

    def _corrections(self, toks: list[str]) -> list[list[str]]:
        """Each syllable's correction: itself, the word it stands for, or the two words run together."""
        out: list[list[str]] = []
        for n, t in enumerate(toks):
            prev = out[-1][-1] if out else None
            nxt = toks[n + 1] if n + 1 < len(toks) else None
            if t in self._vocab_set and t not in _STOP_FOLDED and t not in NUMBER_WORDS:
                out.append([self._respelled(t, prev, nxt)])
                continue
            # Number words ("tiêu chí bốn") name criteria: never "corrected" into a handbook word ("bạn").
            if (t in self._vocab_set or t in _STOP_FOLDED or t[0].isdigit() or len(t) < 2
                    or t in NUMBER_WORDS or t in self._near_acronyms):
                out.append([t])
                continue
            best = self._best_correction(t, prev, nxt)
            out.append([best] if best is not None else self._split(t) or [t])
        return out

    def _respelled(self, t: str, prev: str | None, nxt: str | None) -> str:
        """A real word that makes no known pair with its neighbours, respelled as the sounds Vietnamese
        speakers (and dictation) confuse, when the respelling makes one: "thi chấn" is "thị trấn", "hòa
        dại" is "hòa giải". Else the word itself."""
        if self._pair_rarity(prev, t, nxt) < math.inf:
            return t
        for respelled in _respellings(t):
            # a pair of several entries: one entry's chance phrase ("phải truyền") confirms nothing
            if respelled in self._vocab_set and max(self._df.get(f"{prev}_{respelled}", 0),
                                                    self._df.get(f"{respelled}_{nxt}", 0)) >= 2:
                return respelled
        return t

    def _best_correction(self, t: str, prev: str | None, nxt: str | None) -> str | None:
        """The vocabulary word a mistyped syllable most likely stands for, given its neighbours.

        Thumbs rarely miss a word's first letter: among the words one edit away, those come first (and
        the same word with a sound confused, "bổ xung" for "bổ sung": a spelling, no slip); then
        the commonest known pair with a neighbour ("chỉ teu" is "chỉ tiêu", not the more frequent "tư"),
        then a doubled letter read as a key pressed twice ("nguung"), then frequency. A two-letter
        syllable ("hiệu lu") is corrected only when the correction makes a known pair with a neighbour:
        too many two-letter syllables are words of their own.
        """
        key = (t, prev, nxt)
        if key in self._correction_cache:  # one question asks for the same word several times
            return self._correction_cache[key]
        candidates = self._near_words(t)
        best: str | None = None
        if candidates:
            sounds = _respellings(t)  # "bổ xung" is "bổ sung": a spelling, not a slip of the first letter
            best, _ = min(candidates, key=lambda c: (
                c[1], c[0][0] != t[0] and c[0] not in sounds, self._pair_rarity(prev, c[0], nxt),
                not _undoubled(t, c[0]), -self._freq[c[0]], c[0]))
            if len(t) < 3 and self._pair_rarity(prev, best, nxt) == math.inf:
                best = None
            # "tiêu chí hia": after a criterion's or an indicator's word, a number, unless the other
            # reading makes a pair with the next word ("tiêu chí hoa giải")
            nearest = min(d for _, d in candidates)
            # letters swapped or one mistyped, not a letter dropped ("teu" is "tiêu", not "tư")
            numbers = [c for c, d in candidates
                       if c in NUMBER_WORDS and d == nearest and len(c) == len(t) >= 3]
            if (prev in _BEFORE_A_NUMBER and numbers and best not in NUMBER_WORDS
                    and f"{best}_{nxt}" not in self._idf):
                best = numbers[0]
        if len(self._correction_cache) < 50_000:  # bounded: typed words are not a fixed set
            self._correction_cache[key] = best
        return best

    def _confirmed_correction(self, t: str, prev: str | None, nxt: str | None) -> str | None:
        """Return a mistyped syllable's correction when it makes a known pair with a neighbour."""
        word = self._best_correction(t, prev, nxt)
        return word if word is not None and self._pair_rarity(prev, word, nxt) < math.inf else None

    def _pair_rarity(self, prev: str | None, word: str, nxt: str | None) -> float:
        """How rare the commonest pair a word makes with its neighbours is (infinite: it makes none)."""
        return min(self._idf.get(f"{prev}_{word}", math.inf), self._idf.get(f"{word}_{nxt}", math.inf))

    def _nearest(self, t: str) -> str | None:
        """Return the most frequent vocabulary word within one edit (two for long words), if any."""
        candidates = self._near_words(t)
        if not candidates:
            return None
        return min(candidates, key=lambda c: (c[1], -self._freq[c[0]], c[0]))[0]

    def _near_words(self, t: str) -> list[tuple[str, int]]:
        """Vocabulary words within one edit of a syllable (two for long words), with their distance."""
        if t in self._nearest_cache:
            return self._nearest_cache[t]
        limit = 1 if len(t) <= 6 else 2
        found = [(m[0], int(m[1])) for m in
                 process.extract(t, self._vocab, scorer=OSA.distance, score_cutoff=limit, limit=None)]
        if len(self._nearest_cache) < 50_000:  # bounded: typed words are not a fixed set
            self._nearest_cache[t] = found
        return found

    def _fix_abbreviation(self, t: str) -> str:
        """Return the abbreviation a mistyped one stands for ("pgbdpl" → "pbgdpl"), else the token."""
        if (len(t) < 4 or t in self._vocab_set or t in self.lexicon.abbreviations or t[0].isdigit()
                or t in _STOP_FOLDED):
            return t
        if t in self._abbreviation_cache:
            return self._abbreviation_cache[t]
        hit = process.extractOne(t, self._abbreviation_keys, scorer=OSA.distance, score_cutoff=1)
        fixed = hit[0] if hit else t
        if len(self._abbreviation_cache) < 50_000:  # bounded: typed words are not a fixed set
            self._abbreviation_cache[t] = fixed
        return fixed

    def _split(self, t: str) -> list[str] | None:
        for k in range(2, len(t) - 1):
            a, b = t[:k], t[k:]
            if a in self._vocab_set and b in self._vocab_set:
                return [a, b]
        return None

    def read(self, question: str, part_of: Reading | None = None) -> Query:
        """Read a question, or one part of a long message: its topic words and what it names."""
        text = clean(question)[:MAX_QUESTION_CHARS]
        said = without_asides(text, introductions=False)  # what it is for is not what it asks
        reading = self.reader.read_part(said, part_of) if part_of else self.reader.read(said)
        rest, refs = split_document_reference(reading.folded)
        rest = _VAGUE_WORDS.sub(" ", _LETTER_FORMULAS.sub(" ", rest))
        if self._plans_province is not None and not _ASKS_A_TEXTS_NUMBER.search(rest):
            # "kinh phí kế hoạch Sóc Trăng": the plan named by its province, which says nothing of the task
            # asked about, and every word of which the plan's overview has in its title (unless the plan
            # itself is asked about: "kế hoạch Sóc Trăng số mấy")
            named = self._plans_province.sub(" ke hoach ", rest)
            if named != rest and sum(t not in _STOP_FOLDED for t in folded_tokens(named)) >= 4:
                rest = named
        raw = self.lexicon.expand([self._fix_abbreviation(t) for t in folded_tokens(rest)])
        # A part is only ranked: the whole message's situation is the one judged.
        reading = self._reread_corrected(reading, situation=part_of is None)
        return Query(
            text=text,
            toks=self.lexicon.expand(self._correct(raw)),
            raw=raw,
            refs=self.lexicon.expand(folded_tokens(refs)),
            reading=reading,
            accented=(frozenset(canonical_syllable(t) for t in tokens(text)) if has_diacritics(text)
                      else frozenset()),
        )

    def _reread_corrected(self, reading: Reading, situation: bool = True) -> Reading:
        """Read the regime, the criteria and (with `situation`) a situation again from the corrected words:
        "quết định mới" still names the rules in force, "chỉ tiu 4.3" still names indicator 4.3, "tổng đim
        84" states a total."""
        spans = list(_WORD.finditer(reading.folded))
        toks = [m.group(0) for m in spans]
        # Abbreviations ("ubnd", "ct") are words the reader knows, though the handbook never spells them.
        corrections = [[t] if t in self.lexicon.abbreviations else c
                       for t, c in zip(toks, self._corrections(toks), strict=True)]
        if all(c == [t] for c, t in zip(corrections, toks, strict=True)):
            return reading
        # The corrected text keeps its punctuation ("40 %", "8/10"): the situation is read from it.
        pieces, end = [], 0
        for m, words in zip(spans, corrections, strict=True):
            pieces += [reading.folded[end:m.start()], " ".join(words)]
            end = m.end()
        fixed = "".join(pieces) + reading.folded[end:]
        documents = named_documents(fixed)
        if not documents <= reading.documents:  # "kế hạoch Sóc Trăng" names the plan
            reading = replace(reading, documents=reading.documents | documents)
        places = [p for p in self.reader.places(fixed) if p not in reading.places]
        if places:  # "tỉnh Sóc Trănng" names Sóc Trăng, not a place "Sóc Trănng"
            kept = tuple(p for p in reading.places if " ".join(folded_tokens(p)) in fixed)
            reading = replace(reading, places=(*kept, *places))
        if not reading.regime.comparison:
            regime = read_regime(fixed, reading.documents, reading.years)
            # "quết định mới" names the rules in force; "qd 25 còn hiệu lu không" asks about the replacement
            if (reading.regime.regime is None and regime.regime is not None) or regime.comparison:
                reading = replace(reading, regime=regime)
        refs = criterion_refs(fixed)
        if not reading.refs or _named_numbers(refs) > _named_numbers(reading.refs):
            # "chỉ tiu thứ nhất của tiêu chí 3" names an indicator; "chỉ tiêu 7 của tiiêu chí 2" its criterion
            reading = replace(reading, refs=refs)
        # A score said "84 đim" is read from the corrected words; a real word the handbook does not use
        # ("cảnh cáo") may be "corrected" wrongly, so the corrected reading counts only if it says more.
        corrected = read_situation(fixed, reading.years) if situation else None
        if corrected is not None and _facts(corrected) > _facts(reading.situation):
            reading = replace(reading, situation=corrected)
        return reading

    # -- answering

    def ask(self, question: str) -> Result:
        """Answer one question: the best entry, close alternatives, or a reason to decline."""
        q = self.read(as_asked(question))
        stem = quiz_stem(q.text)
        if stem is not None:
            # A quiz item whose options name other texts, years or criteria than its stem ("Văn bản hướng
            # dẫn QĐ 25 là: A. TT 07/2017 B. TT 09/2021 …") is asked by its stem; options that only fill
            # in its blank ("ít nhất: A. 01 ngày làm việc B. …") are read with it. A stem that says nothing
            # of its own ("Câu nào đúng?") is read with its options too.
            asked = self.read(stem)
            if _named(asked.reading) != _named(q.reading):
                answered = self._ask(asked)
                if answered.found:
                    return answered
        result = self._ask(q)
        if result.outcome in (Outcome.OUT_OF_SCOPE, Outcome.NOT_HELD):
            return self._without_declined_parts(q, result) or result
        return result

    def _without_declined_parts(self, q: Query, declined: Result) -> Result | None:
        """Answer a long message whose one sentence is declined by its other questions, saying first what
        is declined ("… tính vào chỉ tiêu chuyển đổi số không? Ngoài ra thù lao hòa giải viên bao nhiêu?"):
        a good partial answer is better than a flat decline. None when nothing else can be answered."""
        parts = self._parts(q.text)
        if sum(p.asks for p in parts) < 2:
            return None  # one question, declined: nothing else to answer

        def declined_alone(part: Part) -> bool:
            return self._ask(self.read(part.text)).outcome in (Outcome.OUT_OF_SCOPE, Outcome.NOT_HELD)

        # The context on another subject ("Khóm em muốn được công nhận Khóm văn hóa") makes the message
        # that subject's, unless a question asks where it counts in this standard ("Xã muốn làm chatbot
        # trên Zalo … có được tính đạt chỉ tiêu chuyển đổi số không").
        asks_where_it_counts = any(p.asks and _ASKS_WHICH_INDICATOR.search(fold(p.text)) for p in parts)
        if not asks_where_it_counts and any(declined_alone(p) for p in parts if not p.asks):
            return None
        kept = [p for p in parts if not p.asks or not declined_alone(p)]
        if not any(p.asks for p in kept) or len(kept) == len(parts):
            return None
        if all(_FOLLOWS_UP.search(fold(p.text)) for p in kept if p.asks):
            return None  # "Trạm y tế xã đạt chuẩn quốc gia chưa? Tiêu chí ra sao?": the same subject asked on
        rest = self._ask(self.read(" ".join(p.text + ("?" if p.asks else ".") for p in kept)))
        if not rest.found:
            return None
        said = declined.notice or (f"Câu hỏi về «{declined.off_topic}» nằm ngoài phạm vi của tôi."
                                   if declined.off_topic else None)
        return replace(rest, question=q.text, notice=rest.notice or said)

    def _ask(self, q: Query) -> Result:
        text, reading = q.text, q.reading
        regime = reading.regime.regime
        named = reading.regime.named
        if not any(t not in _STOP_FOLDED for t in q.toks + q.refs):
            # "chào ad": a greeting of function words alone
            return (self._chat(q) or Result(text, Outcome.EMPTY, None, 0.0, (), regime, regime_named=named))
        anchored = self._anchored(q)
        if anchored and reading.situation is None:
            # "Chỉ tiêu 5.4 QĐ 25 dùng kết quả xã an toàn về ANTT, vậy xã an toàn về ANTT cần những tiêu
            # chuẩn gì?": the indicator is the context; what is asked after "vậy" is another law's.
            pivot = _ASKED_AFTER_CONTEXT.search(fold(text))  # letter for letter: it cuts the text
            if pivot is not None:
                rest = self.read(text[pivot.end():])
                if not self._anchored(rest):
                    declined = self._ask(rest)
                    if declined.outcome in (Outcome.OUT_OF_SCOPE, Outcome.NOT_HELD):
                        return replace(declined, question=text)
        # A described case in another scheme's terms ("85 điểm chuẩn y tế", "đạt 17/19 tiêu chí nông thôn
        # mới") is that scheme's; a case that only mentions a near subject ("kỷ luật vì sai phạm đất đai")
        # is still judged here.
        near = self._near_domain(without_asides(text))
        if anchored and near is not None and not (
                near.beyond_the_standard and not reading.refs and not reading.plan_items) and not (
                self._anchored_only_in_brackets(text)):
            # A question about this standard that mentions a near subject; one that names the standard
            # only in brackets ("tiêu chuẩn xã an toàn về ANTT (chỉ tiêu 5.4 QĐ 25) gồm gì") asks about
            # the near subject.
            near = None
        if near is not None and reading.agencies and _ASKS_ABOUT_TASKS.search(reading.folded):
            near = None  # "Hội Nông dân tỉnh được giao gì": an agency's tasks, answered (or not) below
        if near is not None and (reading.situation is None or near.scheme):
            return Result(text, Outcome.OUT_OF_SCOPE, None, 0.0, (), regime, near.topic, near.pointer,
                          regime_named=named)
        if (not anchored and reading.refs and all((r.criterion or 0) > MAX_CRITERION for r in reading.refs)
                and any(t not in _STOP_FOLDED and t not in _ABOUT_A_CRITERION and not t[0].isdigit()
                        for t in q.raw)):
            # "tiêu chí số 9 nhà ở": no regime of this standard has that criterion and the question names
            # another subject; another set does ("tiêu chí 6 là gì" alone is answered: there is none).
            return Result(text, Outcome.OUT_OF_SCOPE, None, 0.0, (), regime, f"tiêu chí {reading.refs[0]}",
                          MSG_OTHER_STANDARD, regime_named=named)
        if reading.situation is not None and self.recognition:
            task = self._not_held(reading)
            if task is not None and task.a_task:
                # "viết giúp báo cáo … của phường em, 85 điểm": a task to do, whatever case it tells
                return Result(text, Outcome.NOT_HELD, None, 0.0, (), regime, task.topic, regime_named=named,
                              notice=task.notice)
            return self._judge(q)  # a described case is about this standard, whatever words it uses
        if not anchored:
            other = self._other_standard(" ".join(self._confirmed_words(q.raw)))
            if other is not None:
                return Result(text, Outcome.OUT_OF_SCOPE, None, 0.0, (), regime, other, MSG_OTHER_STANDARD,
                              regime_named=named)
            off = None if _ASKS_WHICH_INDICATOR.search(reading.folded) else self._off_topic.find(text)
            if off is not None:
                return Result(text, Outcome.OUT_OF_SCOPE, None, 0.0, (), regime, off, regime_named=named)
        chat = self._chat(q)
        if chat is not None:
            return chat
        missing = self._not_held(reading)
        if missing is not None:
            in_the_plan = self.handbook.entries.get(missing.in_the_plan or "")
            if in_the_plan is not None and self._asks_the_plan(reading) and not _PAY_OR_REWARD.search(
                    reading.folded):
                # "Kế hoạch của tỉnh bố trí bao nhiêu tiền": no amount, but what the plan says of funds
                return self._annotate(Result(text, Outcome.ANSWER, in_the_plan, 1.0, (), regime,
                                             regime_named=named, notice=missing.notice), reading)
            return Result(text, Outcome.NOT_HELD, None, 0.0, (), regime, missing.topic, regime_named=named,
                          notice=missing.notice)
        unnamed = self._unnamed_agency(reading)
        if unnamed is not None and not _ASKS_WHO.search(reading.folded):
            return unnamed
        article = self._article_not_held(reading)
        if article is not None:
            # "Điều 9 của QĐ 25 quy định chuyển tiếp thế nào": the article is not held, but the subject named
            # is; its answer (with the article it does cite) follows the notice.
            subject = self.read(_ARTICLE.sub(" ", fold(text)))
            if any(t not in _STOP_FOLDED and t not in _ABOUT_AN_ARTICLE for t in subject.raw):
                answered, _ = self._decide(subject)
                if answered.found:
                    return self._annotate(replace(answered, question=text, notice=article.notice), reading)
            return article
        parts = self._parts(text)
        unknown_text = self._text_not_held(reading) if len(parts) <= 1 else None
        if unknown_text is not None:
            return unknown_text
        # "… hồ sơ các năm 2023 và 2024 … Xin hỏi các năm đó áp dụng văn bản nào?": the question asks
        # which rules, of the years its context names. Beside another question, the one asked first leads
        # ("năm 2024 hồ sơ gồm gì? áp dụng văn bản nào?": the dossier, with the rules suggested), unless
        # the same entry answers both ("năm 2025 có tạm dừng không? đánh giá theo QĐ nào?").
        asking = [p for p in parts if p.asks]
        which_rules = [p for p in asking if _ASKS_WHICH_RULES.search(fold(p.text))]
        year_rules = (self._rules_for_year(reading)
                      if len(parts) <= 1 or (which_rules and len(asking) <= 2) else None)
        if year_rules is not None:
            beside = next((self._decide(self.read(p.text, part_of=reading))[0] for p in asking
                           if p not in which_rules), None)
            if beside is None or beside.entry is None or beside.entry.id == year_rules.id:
                answered = Result(text, Outcome.ANSWER, year_rules, 1.0, (), regime, regime_named=named)
            elif asking[0] in which_rules:
                answered = Result(text, Outcome.ANSWER, year_rules, 1.0, (), regime, regime_named=named,
                                  other_parts=(beside.entry,))
            else:
                answered = replace(beside, question=text, other_parts=(year_rules,))
            return self._annotate(answered, reading)
        if len(parts) > 1:
            # The whole message is ranked as one question too, but without the sentences that only say who
            # is asking ("Em mới được tuyển vào Văn phòng HĐND và UBND xã"): they are not what is asked.
            asked = [p.text for p in parts if p.asks or not INTRODUCES.search(fold(p.text))]
            whole = self.read(". ".join(asked), part_of=reading) if len(asked) < len(parts) else q
            result, confidence = self._decide(whole)
            result = self._best_of_parts(replace(result, question=text), confidence, parts, reading)
        else:
            result, confidence = self._decide(q)
        if unnamed is not None and result.found:
            result = replace(result, notice=unnamed.notice)
        return self._annotate(result, reading)

    def _anchored_only_in_brackets(self, text: str) -> bool:
        """Tell whether a question names this standard only in an aside in brackets ("tiêu chuẩn xã an toàn
        về ANTT (chỉ tiêu 5.4 QĐ 25) gồm gì"). The asides are read first: they are short, and an aside
        that names nothing of the standard ("Huyện em (cũ) …") spares reading the whole text again."""
        asides = _BRACKETED.findall(text)
        if not asides or not any(self._anchored(self.read(aside.strip("()"))) for aside in asides):
            return False
        return not self._anchored(self.read(_BRACKETED.sub(" ", text)))

    def _confirmed_words(self, raw: list[str]) -> list[str]:
        """The question's words with only the typos its context confirms corrected: a word the handbook
        never uses ("phòng cháy") stays itself instead of becoming a handbook word one letter away."""
        out: list[str] = []
        for n, t in enumerate(raw):
            prev, nxt = out[-1] if out else None, raw[n + 1] if n + 1 < len(raw) else None
            if t in self._vocab_set and t not in _STOP_FOLDED and t not in NUMBER_WORDS:
                t = self._respelled(t, prev, nxt)  # confirmed by its pair too ("hòa dại" is "hòa giải")
            elif (t not in self._vocab_set and t not in _STOP_FOLDED and t not in self.lexicon.abbreviations
                    and not t[0].isdigit() and len(t) >= 2):
                t = self._confirmed_correction(t, prev, nxt) or t
            out.append(t)
        return out

    def _other_standard(self, words: str) -> str | None:
        """Return the standard or title a question is about when the handbook does not know it at all
        ("công nhận liệt sĩ"): sharing "công nhận" or "đạt chuẩn" with the handbook is not enough."""
        for m in _STANDARD_OF.finditer(words):
            a = m.group(1)
            if a in _NOT_A_STANDARD or a in _STOP_FOLDED:
                continue
            title = [a]
            for w in m.group(2).split():  # the title's words run to the next function word
                if w in _STOP_FOLDED or w in _NOT_A_STANDARD:
                    break
                title.append(w)
            # A title the handbook does not know starts with a pair it never uses ("nghệ nhân ưu tú"),
            # or has one further on with a word it hardly knows ("cựu thanh niên xung phong").
            for n, (x, y) in enumerate(zip(title, title[1:], strict=False)):
                if f"{x}_{y}" not in self._idf and (
                        n == 0 or min(self._df.get(x, 0), self._df.get(y, 0)) <= RARE_DF):
                    return " ".join(title[:2])
        return None

    def _not_held(self, reading: Reading) -> NotHeld | None:
        """Return the subject the handbook does not hold that a question asks about, if any."""
        spotted = self._spot(reading.text, self._not_held_index, word_bounds=True)
        for topic in self.lexicon.not_held:
            if topic is spotted or topic.matches(reading.folded):
                return topic
        return None

    def _anchored(self, q: Query) -> bool:
        """Tell whether a question is plainly about this standard, whatever else it mentions."""
        r = q.reading
        if any((ref.criterion or 0) <= MAX_CRITERION for ref in r.refs):
            return True
        if r.plan_items or r.documents - {"Kế hoạch"} or _THE_PLAN.search(r.folded):
            return True
        # "cần những tiêu chí gì ngoài tiếp cận pháp luật" asks about everything but this standard.
        # "tiêu chí 16 văn hóa" is the culture criterion of the basic new-rural set; 16 of the advanced set
        # is access to law.
        words = _spaced(folded_tokens(_BESIDES_THE_STANDARD.sub(" ", _CULTURE_CRITERION.sub(" ", r.folded))))
        return any(a in words for a in self._anchor_words)

    def _near_domain(self, text: str) -> NearDomain | None:
        """Return the near subject a question names; one it only compares with ("bên thi đua thì …, vậy
        bên chuẩn này …", "chốt số liệu sớm giống thi đua") is not what it asks about."""
        return self._spot(text, self._near_index, compared=False)

    def _spot(self, text: str, index: PhraseIndex[_P], word_bounds: bool = False, compared: bool = True
              ) -> _P | None:
        """Return the owner of the first indexed phrase a question says. A word typed with diacritics
        must match them: "đánh giá đạt" is not "giá đất", "hướng dẫn số" is not "dân số"; a word typed
        without them matches on its letters alone, and one typed without its tone mark on its letters and
        vowel marks ("thời hiêu" is "thời hiệu"); the hook and the tilde, which most of the country says
        alike, stand for each other ("tuyễn dụng" is "tuyển dụng").

        With `word_bounds`, an unaccented first syllable that makes a commoner handbook word with the
        syllable before it belongs to that word: "huong dan so" is "hướng dẫn số".
        """
        raw = tokens(text)
        folded = tuple(folded_tokens(text))
        accented = [canonical_syllable(t) if fold(t) != t else None for t in raw]
        for i, t in enumerate(folded):
            for phrase, phrase_accented, owner in index.get(t, ()):
                n = len(phrase)
                typed = accented[i:i + n]
                if folded[i:i + n] == phrase and all(
                        a is None or _typed_as(a, p)
                        for a, p in zip(typed, phrase_accented, strict=False)) and not (
                        word_bounds and n > 1 and self._belongs_before(folded, accented, i)) and (
                        compared or not _compared_with(folded, i)):
                    return owner
        return None

    def _belongs_before(self, folded: tuple[str, ...], accented: list[str | None], i: int) -> bool:
        """Tell whether the unaccented first syllable of the phrase at folded[i:] rather makes a word with
        the content syllable before it (a pair more entries use than the phrase's own first pair). Only
        the start is checked: after a phrase, "dân số tỉnh" still says "dân số"."""
        before = folded[i - 1] if i > 0 else None
        return bool(before) and before not in _STOP_FOLDED and accented[i] is None and (
            self._df.get(f"{before}_{folded[i]}", 0) > self._df.get(f"{folded[i]}_{folded[i + 1]}", 0))

    def _chat(self, q: Query) -> Result | None:
        """A greeting, thanks or chit-chat with nothing else asked; None for a question that opens with
        one."""
        chat = self._small_talk.find_all(q.text)
        if not chat or not self._small_talk_only(q.raw, chat):
            return None
        return Result(q.text, Outcome.SMALL_TALK, None, 0.0, (), q.reading.regime.regime, chat[0],
                      regime_named=q.reading.regime.named,
                      closing=any(p in self.lexicon.closings for p in chat))

    @staticmethod
    def _small_talk_only(raw: list[str], phrases: list[str]) -> bool:
        """Tell a greeting ("chào bạn, bạn khỏe không") from a question that starts with one."""
        said = {t for p in phrases for t in folded_tokens(p)}
        return sum(t not in _STOP_FOLDED and t not in said for t in raw) <= 1

    def _judge(self, q: Query) -> Result:
        """Judge a described situation under the regime concerned; the rules in force first."""
        reading = q.reading
        assert reading.situation is not None
        named = reading.regime.named
        # Said outright ("năm 2023", "QĐ 25", "theo quy định cũ"): that regime; else the rules in force first.
        explicit = reading.regime.regime is not None and not reading.regime.hint
        regime = reading.regime.regime if explicit else None
        regime = regime or Regime.QD27
        rules = self.recognition.get(regime)
        entry = self.handbook.entries.get(rules.entry) if rules else None
        if entry is None:  # pragma: no cover - recognition rules name existing entries (validated)
            return Result(q.text, Outcome.NO_MATCH, None, 0.0, (), regime)
        year = reading.situation.year
        if not explicit and year == TRANSITION_YEAR and TRANSITION_YEAR in self._rules_from:
            # "Năm 2025 xã tự chấm 85 điểm … có được công nhận không": which rules judge 2025 is not
            # confirmed; no verdict, the entry that says so.
            return Result(q.text, Outcome.ANSWER, self._rules_from[TRANSITION_YEAR], 1.0, (), None,
                          regime_named=named)
        if (explicit and rules and rules.first_year and rules.earlier_entry and year is not None
                and year < rules.first_year):
            # "Năm 2021 xã được 82 điểm, theo QĐ 25 có đạt không": that year was judged by earlier rules,
            # which the handbook does not hold; no verdict, the entry that says so.
            earlier = self.handbook.entries[rules.earlier_entry]
            return Result(q.text, Outcome.ANSWER, earlier, 1.0, (), regime, regime_named=named)
        verdict = judge(reading.situation, regime, self.recognition)
        previous = previous_verdict = None
        if not explicit and Regime.QD25 in self.recognition:
            previous = self.handbook.entries.get(self.recognition[Regime.QD25].entry)
            previous_verdict = judge(reading.situation, Regime.QD25, self.recognition)
        return Result(q.text, Outcome.ANSWER, entry, 1.0, (), reading.regime.regime, regime_named=named,
                      previous=previous, verdict=verdict, previous_verdict=previous_verdict)

    def _unnamed_agency(self, reading: Reading) -> Result | None:
        """Say plainly when a question asks about the tasks of an agency the plan never names."""
        if reading.plan_items:
            return None
        suggestion = self.handbook.entries.get(self.lexicon.routes.get("unnamed_agency", ""))
        for agency in reading.agencies:
            if agency in self._plan_agencies:
                continue
            if agency in self._known_agencies:
                # The handbook speaks of it elsewhere (Phòng Tư pháp under QĐ 25): only a question about
                # its tasks in the plan is about something the plan does not hold.
                asked = "Kế hoạch" in reading.documents and self._asks_tasks_of(agency, reading.folded)
                notice = f"Kế hoạch của tỉnh không nêu tên {agency}."
            else:
                asked = bool(_ASKS_ABOUT_TASKS.search(reading.folded))
                notice = (f"Kế hoạch của tỉnh không nêu tên {agency}, và sổ tay không có thông tin về nhiệm "
                          f"vụ riêng của cơ quan này về chuẩn tiếp cận pháp luật.")
            if asked:
                shown = (Candidate(suggestion, 0.0),) if suggestion else ()
                return Result(reading.text, Outcome.NOT_HELD, None, 0.0, shown, reading.regime.regime,
                              agency, regime_named=reading.regime.named, notice=notice)
        return None

    def _article_not_held(self, reading: Reading) -> Result | None:
        """Say plainly when a question asks what an article says that no entry cites ("Điều 4 của QĐ 27
        quy định gì" when only Điều 1 and 2 were read), instead of answering with another article's entry.
        A text none of whose articles is cited is left to the ranking: its entries may still say."""
        named = [n for n in _CITED_NUMBERS if n in reading.documents]
        m = _ARTICLE.search(reading.folded)
        if m is None or len(named) != 1 or not self._articles_cited.get(named[0]):
            return None
        number, article = named[0], int(m.group(1))
        if article in self._articles_cited[number]:
            return None
        name = self._text_names.get(number, number)
        intro = next((e for e in self.entries if e.topic in _INTRODUCES_A_TEXT and number in e.citation
                      and not e.plan_item), None)
        return Result(reading.text, Outcome.NOT_HELD, None, 0.0, (Candidate(intro, 0.0),) if intro else (),
                      reading.regime.regime, f"Điều {article}", regime_named=reading.regime.named,
                      notice=f"Sổ tay chưa có nội dung Điều {article} của {name}; đề nghị xem toàn văn "
                             f"văn bản hoặc hỏi Sở Tư pháp.")

    @staticmethod
    def _names_entrys_text(entry: Entry, reading: Reading) -> bool:
        """Tell whether a question names by its number a text the entry's title or answer names."""
        if not reading.numbered:
            return False
        said = numbered_texts(canonical_numbers(" ".join(fold(f"{entry.title} {entry.answer}").split())))
        return any(t.same_as(k) for t in reading.numbered for k in said)

    def _text_not_held(self, reading: Reading) -> Result | None:
        """Say plainly when a question names a text by a number the handbook never names ("QĐ 26/2021",
        "Kế hoạch 146/KH-UBND", "Nghị định 42/2022"): answering with the text of a near number would
        accept it as that text."""
        known = self._known_texts
        unknown = next((t for t in reading.numbered if not any(t.same_as(k) for k in known)), None)
        if unknown is None:
            return None
        m = re.search(rf"(?<!\d)0*{unknown.number}\s*/[^\s,;?!()]*", reading.text)
        written = m.group(0).rstrip(".:") if m else str(unknown.number)
        return Result(reading.text, Outcome.NOT_HELD, None, 0.0, (), reading.regime.regime, written,
                      regime_named=reading.regime.named,
                      notice=f"Sổ tay không có văn bản số {written}; đề nghị kiểm tra lại số, ký hiệu của "
                             f"văn bản.")

    def _rules_for_year(self, reading: Reading) -> Entry | None:
        """Return the entry on the rules that score the assessment years a question asks about, when the
        same rules score them all ("đánh giá năm 2021 làm theo QĐ nào" → the transition of QĐ 25: still
        QĐ 619; "các năm 2023 và 2024 áp dụng văn bản nào" → QĐ 25)."""
        if reading.refs or reading.plan_items or reading.situation is not None:
            return None
        assessed = {y for y in reading.years if y >= FIRST_ASSESSED_YEAR}
        if not assessed or not _ASKS_WHICH_RULES.search(reading.folded):
            return None
        firsts = {max((f for f in self._rules_from if f <= year), default=None) for year in assessed}
        first = firsts.pop() if len(firsts) == 1 else None
        return None if first is None else self._rules_from[first]

    def _asks_tasks_of(self, agency: str, folded: str) -> bool:
        """Tell whether words about tasks follow the agency's name closely ("Phòng Tư pháp được giao gì")."""
        text = " ".join(folded_tokens(folded))
        for alias in self.lexicon.agencies.get(agency, ()):
            at = text.find(alias)
            if at >= 0 and _ASKS_ABOUT_TASKS.search(text[at + len(alias): at + len(alias) + 30]):
                return True
        return False

    def _decide(self, q: Query) -> tuple[Result, float]:
        """Rank the entries the reading allows and commit, suggest or decline; return the confidence."""
        reading = q.reading
        regime, named = reading.regime.regime, reading.regime.named
        allowed, exact = self._allowed(reading, q.toks)
        ranked = self.rank(q, allowed, exact)
        if not ranked:
            return Result(q.text, Outcome.NO_MATCH, None, 0.0, (), regime, regime_named=named), 0.0
        top = ranked[0]
        # Commit only when the best match is close AND the question speaks the handbook's language:
        # its words (unigram coverage) and its two-syllable words (bigram coverage) are known. A long
        # paraphrase in the handbook's words passes with a modest match; a question on another subject
        # that shares a few syllables ("chuẩn nghèo", "mưa ở Cần Thơ") does not.
        confidence = (top.score + self.w.coverage_weight * self.coverage(q.raw or q.refs)
                      + self.w.bigram_weight * self.bigram_coverage(q.toks + q.refs))
        # A question that names an indicator or a plan item the handbook has is answered from it, however
        # terse ("ct 2.5 qd27?"); otherwise commit only above the threshold.
        if not exact and confidence < self.w.answer_threshold:
            return Result(q.text, Outcome.NO_MATCH, None, top.score, tuple(ranked[:3]), regime,
                          regime_named=named), confidence
        top, current, moved_from = self._prefer_regime(ranked, reading)
        close = [c for c in ranked[1:4] if c.entry.id != top.entry.id
                 and c.score >= self.w.suggestion_ratio * top.score]
        if close and close[0].score >= self.w.ambiguity_ratio * top.score and not self._siblings(
                top.entry, close[0].entry) and not exact:
            return Result(q.text, Outcome.AMBIGUOUS, None, top.score, (top, *close[:2]), regime,
                          regime_named=named), confidence
        return Result(q.text, Outcome.ANSWER, top.entry, top.score, tuple(close[:3]), regime,
                      regime_named=named, current=current, previous=moved_from), confidence

    def _allowed(self, reading: Reading, raw: Sequence[str] = ()) -> tuple[set[int] | None, bool]:
        """Return the entries a question's named indicators, plan items and regime leave possible.

        The second value tells whether the question names its subject exactly (an indicator or a plan
        item the handbook has an entry for): then that entry answers even a terse question. A criterion
        alone ("tiêu chí 1 … ai đề ra giải pháp") only favours its entries (see `rank`).
        """
        allowed: set[int] | None = None
        exact = False
        plan_asked = "Kế hoạch" in reading.documents or bool(_THE_PLAN.search(reading.folded))
        if not reading.plan_items and plan_asked and len(reading.folded) <= SHORT_QUESTION_CHARS:
            # "mục 4 đ của kế hoạch": the one item of that number and letter, in whichever section has it.
            # A weak cue: in a long message "mục 5" may be the context, not what is asked.
            hits: set[int] = {
                i for short in short_plan_items(reading.text.lower()) for code, i in self._by_item.items()
                if code.endswith(short) and code.count(".") == short.count(".")
                or code.count(".") == 2 and code[:code.rindex(".")].endswith(short)}
            if len({self.entries[i].plan_item for i in hits}) == 1:
                return hits, True
        if reading.plan_items:
            hits = set()
            for code in reading.plan_items:
                if code in self._by_item and code.count(".") > 0:
                    hits.add(self._by_item[code])
                else:  # "mục III", "mục II.4": the section and its items
                    hits |= {i for c, i in self._by_item.items() if c == code or c.startswith(code + ".")}
            if hits:
                return hits, any("." in c and c in self._by_item for c in reading.plan_items)
        if (plan_asked and reading.refs and all(r.indicator is None for r in reading.refs)
                and reading.regime.regime is not Regime.QD27
                and (_ASKS_PLAN_CONTENT.search(reading.folded) or _ASKS_WHO.search(reading.folded))):
            # "tiêu chí 4 trong kế hoạch giao ai chủ trì": the plan's solution for that criterion (II.4.d)
            hits = {i for i in self._favoured(reading) if self.entries[i].plan_item}
            if hits:
                return hits, True
        refs = [r for r in reading.refs if r.criterion is not None and r.indicator is not None]
        if refs:
            hits = set()
            for ref in refs:
                hits |= self._ref_entries(ref, self._regimes_for(reading))
            if hits:
                allowed, exact = hits, True
        if (allowed is None and not reading.regime.comparison
                and reading.refs and all(r.indicator is None for r in reading.refs)
                and not reading.documents & _GUIDANCE.keys()  # "tiêu chí 2 của QĐ 619": another text's
                and all(t in _ABOUT_A_CRITERION or t in _CRITERION_WORDS or t in NUMBER_WORDS
                        or t in _STOP_FOLDED or t[0].isdigit() for t in raw)):
            # "tiêu chí thứ hai trong bộ tiêu chí mới tên là gì", "tiêu chí số 5 gồm những chỉ tiêu nào": a
            # criterion and nothing else asked, so that criterion's own entry answers (of the rules in force
            # when it has one and no regime is named: see `_prefer_regime`).
            hits = self._favoured(reading)
            if hits:
                allowed, exact = hits, True
        if allowed is None and reading.refs and all(r.indicator is None for r in reading.refs) and all(
                self._lacking(ref, self._regimes_for(reading)) for ref in reading.refs):
            # "tiêu chí 6 của QĐ 25 được mấy điểm": no such criterion; the overview says which there are.
            allowed, exact = self._favoured(reading), True
        if reading.regime.named and reading.regime.regime is not None and not reading.regime.comparison:
            keep = self._of_regime[reading.regime.regime]
            allowed = set(keep) if allowed is None else (allowed & keep) or allowed
        return allowed, exact

    def _regimes_for(self, reading: Reading) -> tuple[Regime, ...]:
        r = reading.regime
        if r.regime is not None and not r.comparison:
            return (r.regime,)
        return (Regime.QD27, Regime.QD25)

    @staticmethod
    def _articles_asked(reading: Reading) -> frozenset[tuple[str, int, int | None]]:
        """The articles (and clauses) of the one text a question names that it asks about ("khoản 6 Điều 3
        QĐ 25", "Điều 2 của QĐ 27"): (text number, article, clause or None)."""
        named = [n for n in _CITED_NUMBERS if n in reading.documents]
        if len(named) != 1:
            return frozenset()
        out: set[tuple[str, int, int | None]] = set()
        for m in _ARTICLE_CLAUSE_ASKED.finditer(reading.folded):
            clause = m.group(1) or m.group(3)
            out.add((named[0], int(m.group(2)), int(clause) if clause else None))
        return frozenset(out)

    def _lacking(self, ref: CriterionRef, regimes: Iterable[Regime]) -> bool:
        """Tell whether no regime considered has the criterion or indicator ("chỉ tiêu 2.9 của QĐ 27")."""
        if ref.criterion is None:
            return False
        if ref.indicator is not None:
            return not any((regime, ref.criterion, ref.indicator) in self._by_ref for regime in regimes)
        return not any(self._criterion_entries(regime, ref.criterion) for regime in regimes)

    def _ref_entries(self, ref: CriterionRef, regimes: Iterable[Regime]) -> set[int]:
        """Entries about an indicator; when a regime has no such indicator, its criterion's entry (which
        lists the indicators there are); when it has no such criterion either, its overview."""
        assert ref.criterion is not None
        # The closest a regime has: a regime with the very indicator leaves the others' fallbacks out
        # ("tiêu chí 5 chỉ tiêu 2 … em mới nhận việc" is QĐ 25's 5.2, not QĐ 27's overview).
        for key in ((ref.criterion, ref.indicator), (ref.criterion, None)):
            out = {i for regime in regimes for i in self._by_ref.get((regime, *key), [])}
            if out:
                return out
        return {self._position[e.id] for regime in regimes for e in self._version("tieu-chi", regime)[:1]}

    def _version(self, topic: str, regime: Regime) -> list[Entry]:
        """Return a topic's entries in one regime (empty when it has none)."""
        versions = self._by_topic.get(topic)
        return list(versions.get(regime, [])) if versions else []

    def _favoured(self, reading: Reading) -> set[int]:
        """Entries about a criterion the question names; when no regime considered has it, the overviews.

        A question that names no regime considers both: "tiêu chí số 5" (QĐ 25 only; QĐ 27 has three) is
        answered by QĐ 25's criterion 5, with the rules in force pointed to (see `_prefer_regime`).
        """
        out: set[int] = set()
        regimes = self._regimes_for(reading)
        for ref in reading.refs:
            if ref.criterion is None or ref.indicator is not None:
                continue
            found = [i for regime in regimes for i in self._criterion_entries(regime, ref.criterion)]
            out.update(found or (self._position[e.id] for regime in regimes
                                 for e in self._version("tieu-chi", regime)[:1]))
        return out

    def _criterion_entries(self, regime: Regime, criterion: int) -> list[int]:
        """Return the entries about one criterion of a regime (not its indicators)."""
        return [i for (rg, c, ind), ids in self._by_ref.items()
                if rg is regime and c == criterion and ind is None for i in ids]

    def _best_of_parts(self, whole: Result, whole_confidence: float, parts: list[Part],
                       whole_reading: Reading) -> Result:
        """Answer a long message by its best part that asks something (the whole message counts as one);
        the answers to the other parts that ask become suggestions. The context ("Em là chủ tịch UBND
        xã", "Tỉnh em chưa có văn bản gì") answers only when no part that asks can be answered; a
        greeting not even then."""
        results: list[tuple[float, int, Result, bool]] = [(whole_confidence + self.w.whole_message_bonus, -1,
                                                          whole, True)]
        read = [(part, self.read(part.text, part_of=whole_reading)) for part in parts]
        # "Như vậy có ổn không?", "làm vậy đúng không?": a question that only points back at what was told
        # asks about the context, which then counts as asking.
        pointing_back = [q for part, q in read if part.asks and _points_back(q.raw)]
        if pointing_back:  # … except a sentence that says who is asking ("Em ở Sở Tư pháp …")
            read = [(replace(part, asks=not INTRODUCES.search(q.reading.folded)), q)
                    for part, q in read if not _points_back(q.raw)]

        def decide(asks: bool) -> None:
            for n, (part, q) in enumerate(read):
                if part.asks != asks or not any(t not in _STOP_FOLDED for t in q.toks):
                    continue
                if self._chat(q) is not None:
                    continue  # "Dạ em chào anh chị"
                r, c = self._decide(q)
                if not part.asks:
                    c -= self.w.context_penalty
                results.append((c, n, r, part.asks))

        decide(asks=True)
        asking = [x for x in results if x[3] and x[2].found]
        if not asking:
            # A question with two close answers is asked back ("Ý bạn là…"), not answered by its context.
            unsure = [x for x in results if x[3] and x[2].outcome is Outcome.AMBIGUOUS]
            if unsure:
                return replace(min(unsure, key=lambda x: x[1])[2], question=whole.question)
            # Only now is the context worth ranking: it answers when nothing that asks can be answered.
            decide(asks=False)
            asking = [x for x in results if x[2].found]
        if not asking:
            return whole
        # A question that names its subject by code ("Mục II.4.d … giao ai chủ trì", "chỉ tiêu 2.5 …") leads
        # the questions around it ("Giờ không còn huyện thì sao?"), whatever their words score.
        coded = [x for x in asking if x[1] >= 0 and x[3] and (
            read[x[1]][1].reading.plan_items or any(r.indicator for r in read[x[1]][1].reading.refs))]

        def follows_up(n: int) -> bool:
            """A question of a word or two after another ("… gồm những thành phần nào? Ai chủ trì?") follows
            it up: it is suggested, but does not lead."""
            return (n > 0 and any(p.asks for p, _ in read[:n])
                    and sum(t not in _STOP_FOLDED for t in read[n][1].toks) <= FOLLOW_UP_WORDS)

        leading = [x for x in asking if not (x[3] and follows_up(x[1]))] or asking
        best = (min(coded, key=lambda x: x[1]) if coded else max(leading, key=lambda x: (x[0], -x[1])))[2]
        others: list[Entry] = []
        for _, _, r, _ in sorted(asking, key=lambda x: x[1]):
            if r.entry is not None and r.entry.id != best.entry.id and r.entry not in others:  # type: ignore[union-attr]
                others.append(r.entry)
        return replace(best, question=whole.question, other_parts=tuple(others[:3]))

    @staticmethod
    def _parts(text: str) -> list[Part]:
        """Split a long message into its sentences, each marked as asking something or giving context.

        A message that has a question mark asks where it puts one, or where it says "cho em hỏi", "em
        cần biết"; one without asks where a sentence ends with a question word ("… không", "… nào ạ").
        """
        folded = fold(text)
        if len(folded) < 60 and text.count("?") < 2:  # "Gồm bao nhiêu điều? Điều 7 nói gì?" asks twice
            return [Part(text, True)]
        pieces: list[tuple[str, str]] = []
        start = 0
        for m in _PARTS.finditer(folded):
            pieces.append((text[start:m.start()], m.group(0)))
            start = m.end()
        pieces.append((text[start:], ""))
        marked = "?" in text

        def asks(piece: str, end: str) -> bool:
            f = fold(piece).strip(" ,.:-")
            if _ASKS_CUE.search(f):
                # "Cho mình hỏi về Hội đồng theo quy định cũ." before questions marked "?" only says what
                # they are about; "Cho em hỏi hội đồng gồm những ai.", "cho em xin số liệu" ask.
                return ("?" in end or not marked or not _ASKS_ABOUT.search(f) or bool(_ASKS_END.search(f))
                        or bool(asked_about(f.split())))
            if _LISTED_QUESTION.search(fold(piece)):
                return True
            return "?" in end if marked else bool(_ASKS_END.search(f))

        # A sentence that only announces the questions is neither a question nor context.
        parts = [Part(p.strip(" ,.:-"), asks(p, end)) for p, end in pieces
                 if len(folded_tokens(p)) >= 3 and not _ANNOUNCES_ONLY.search(fold(p).strip(" ,.:-"))]
        if len(parts) < 2:
            return [Part(text, True)]
        # The parts that ask come first (in their order): a message usually starts with its context.
        parts.sort(key=lambda p: not p.asks)
        return parts[:MAX_PARTS]

    def _annotate(self, result: Result, reading: Reading) -> Result:
        """Add the previous rule to an unverified current answer, and what the handbook lacks."""
        entry = result.entry
        if entry is None:
            return result
        previous = None
        if (not result.regime_named and not reading.regime.comparison and reading.regime.regime is None
                and self._regime[entry.id] is Regime.QD27 and entry.topic and (
                    entry.confidence is Confidence.NOT_IN_HANDBOOK
                    # an indicator known only from a secondary source, whose scoring it does not give
                    or (entry.confidence is Confidence.SECONDARY and entry.indicator is not None
                        and _ASKS_SCORING.search(reading.folded)))):
            # The old entry the ranking chose, if it moved to the rules in force; else the topic's first.
            previous = result.previous or next(iter(self._version(entry.topic, Regime.QD25)), None)
        notice = result.notice
        missing: list[str] = []
        if reading.places:
            doc = self.handbook.documents[entry.document]
            answer = _spaced(folded_tokens(" ".join((entry.answer, entry.title, doc.name))))
            missing = [p for p in reading.places if _spaced(folded_tokens(p)) not in answer]
        about_its_text = self._names_entrys_text(entry, reading)
        if (reading.places and not missing and entry.id not in self._results
                and _ASKS_FIGURES.search(reading.folded) and not about_its_text):
            # Figures asked of a place named, but not with its results ("Cần Thơ" in a plan entry); an
            # answer that speaks of the place ("Hà Nội có Kế hoạch 378/KH-UBND") is about it, and one on
            # the text asked of ("Kế hoạch 25/KH-UBND của Cần Thơ đặt chỉ tiêu bao nhiêu %") says what
            # the handbook holds of it.
            missing = list(reading.places)
        if (reading.documents and len(reading.folded) <= SHORT_QUESTION_CHARS
                and _ASKS_SIGNER.search(reading.folded) and not _SIGNS_RECOGNITION.search(reading.folded)
                and not self._names_signer(entry, reading)):
            # Who signed a text named: the handbook says who issued a text, not always who signed it. (A
            # recognition decision is signed by whoever recognises: the rule answers.) The plan's signer,
            # asked beside another question on the plan ("Kế hoạch giao Mặt trận việc gì, và ai ký kế
            # hoạch?"), is suggested beside that question's answer.
            if self._asks_the_plan(reading):
                signers = [e for e in self.entries
                           if e.id in self._says_signer and e.id in self._plan_entries]
            else:  # "QĐ 27 ai ký, căn cứ luật nào": the entry on that text's signer, beside the other answer
                signers = [e for e in self.entries if e.id in self._says_signer and "ký" in e.title.lower()
                           and e.id not in self._plan_entries
                           and self._cites[self._position[e.id]] & reading.documents]
            # the entry about the signing itself ("Người ký Kế hoạch") before one that mentions it
            signer = min(signers, key=lambda e: "ký" not in e.title.lower(), default=None)
            if signer is None:
                return _declined_as_not_held(
                    result, entry, "người ký",
                    "Sổ tay không có thông tin về người ký văn bản này; đề nghị xem bản gốc của văn bản.")
            result = replace(result, other_parts=(signer, *(e for e in result.other_parts if e != signer)))
        if missing and _ASKS_WHO_BY_NAME.search(reading.folded):
            return _declined_as_not_held(
                result, entry, missing[0],
                f"Sổ tay không có thông tin về nhân sự của {missing[0]}; sổ tay chỉ nêu chức danh theo quy "
                "định.")
        if missing and (_ASKS_FIGURES.search(reading.folded) or _ASKS_IF_RECOGNISED.search(reading.folded)):
            # Figures of another place, or of the whole country, do not answer for this one.
            return _declined_as_not_held(result, entry, missing[0],
                                         f"Sổ tay không có số liệu về {missing[0]}.")
        # the plan's own province apart; a place named in a sentence that asks no number ("Còn huyện Phong
        # Điền thì còn không" after "Toàn thành phố giờ có bao nhiêu xã") is not the one counted
        others = [p for p in missing if fold(p) not in self._plan_places
                  and _asked_in_sentence_naming(p, _ASKS_NUMBER_OF_PLACE, reading.folded)]
        if others:
            return _declined_as_not_held(result, entry, others[0],
                                         f"Sổ tay không có thông tin riêng về {others[0]}.")
        asked_years = {y for y in reading.years if y >= FIRST_ASSESSED_YEAR}
        # Results of other years do not answer for the year asked: "Lào Cai năm 2022" is not the 2023
        # figures the handbook holds for it, "năm 2021 cả nước" not those of 2022–2024.
        held_years = self._years_of_results.get(entry.id) or self._result_years
        if (self._widest_results and asked_years and not asked_years & held_years
                and _ASKS_FIGURES.search(reading.folded) and not about_its_text):
            # "năm 2025 cả nước bao nhiêu xã đạt chuẩn": the handbook holds results of other years only.
            year = min(asked_years)
            of = f" của {reading.places[0]}" if reading.places else ""
            return _declined_as_not_held(result, self._widest_results, f"năm {year}",
                                         f"Sổ tay chưa có số liệu kết quả công nhận năm {year}{of}.")
        other_plan = self._other_plan_asked(reading)
        if other_plan is not None:
            held = f"; sổ tay chỉ có {self._plan_name}" if self._plan_name else ""
            return _declined_as_not_held(result, entry, other_plan,
                                         f"Sổ tay không có nội dung kế hoạch của {other_plan}{held}.")
        if missing and notice is None:
            notice = f"Sổ tay không có thông tin riêng về {missing[0]}."
        regimes = self._regimes_for(reading)
        lacking = next((ref for ref in reading.refs if self._lacking(ref, regimes)), None)
        if lacking is not None and notice is None:
            what = f"tiêu chí {lacking}" if lacking.indicator is None else f"chỉ tiêu {lacking}"
            texts = " và ".join(self._text_names.get(_DECISION_OF[r], _DECISION_OF[r]) for r in regimes)
            notice = f"{texts} không có {what}." if len(regimes) == 1 else f"Cả {texts} đều không có {what}."
        return replace(result, previous=previous, notice=notice)

    def _asks_the_plan(self, reading: Reading) -> bool:
        """Tell whether a question asks about the plan the handbook holds, not another province's or
        another plan named by its number ("KH 11/KH-STP của Cần Thơ")."""
        return (("Kế hoạch" in reading.documents or bool(reading.plan_items))
                and all(any(fuzz.ratio(fold(p), own) >= _SAME_PLACE_RATIO for own in self._plan_places)
                        for p in reading.places)
                and all(t.kind != "kh" for t in reading.numbered))  # the plan the handbook holds has none

    def _other_plan_asked(self, reading: Reading) -> str | None:
        """The place whose plan's tasks a question asks about, when that is not the plan the handbook
        holds ("kế hoạch của tỉnh Bạc Liêu giao Sở nào chủ trì", "kế hoạch của Cà Mau giao xã gì")."""
        if "Kế hoạch" not in reading.documents or not _ASKS_PLAN_CONTENT.search(reading.folded):
            return None
        for place in reading.places:
            name = fold(place)
            if any(fuzz.ratio(name, own) >= _SAME_PLACE_RATIO for own in self._plan_places):
                continue  # the plan's province, maybe mistyped ("Sóc Trăgn")
            # the place's own plan ("kế hoạch … của tỉnh Bạc Liêu", "Hậu Giang … có kế hoạch"), not a place
            # the asker mentions beside the province's plan ("em ở Hậu Giang cũ, kế hoạch của tỉnh …")
            if any(re.search(p.format(place=re.escape(name)), reading.folded) for p in _PLAN_OF_PLACE):
                return place
        return None

    def _introduced_places(self, text: str) -> frozenset[str]:
        """The places of an opening clause that says where the asker works ("Phường tui ở Cần Thơ")."""
        first = re.split(r"[,.;:?!]", text, maxsplit=1)[0]
        if not _WORKS_AT.match(fold(first)):
            return frozenset()
        return frozenset(fold(p) for p in self.reader.places(first))

    def _names_signer(self, entry: Entry, reading: Reading) -> bool:
        """Tell whether an answer says who signed the text asked about: the plan's signer is no answer for
        a decision's ("QĐ 25/2021 do ai ký ban hành")."""
        plan_asked = ("Kế hoạch" in reading.documents
                      or any(fold(p) in self._plan_places for p in reading.places))
        return entry.id in self._says_signer and (plan_asked or entry.id not in self._plan_entries)

    def _siblings(self, a: Entry, b: Entry) -> bool:
        # Two regimes' versions of one topic are not a real ambiguity: the regime rule decides. Nor are a
        # criterion and one of its indicators: the criterion's entry lists the indicator, the indicator's
        # entry names its criterion.
        if a.topic is not None and a.topic == b.topic:
            return True
        if a.id in b.related and b.id in a.related and (
                a.both_regimes and b.both_regimes or a.document == b.document):
            # two halves of one comparison ("QĐ 25 với QĐ 27 khác nhau chỗ nào"), or two entries on one
            # text that point to each other ("QĐ 27 thay cho QĐ nào": what it is, what it replaced)
            return True
        if (a.indicator is not None and (a.criterion, a.indicator) == (b.criterion, b.indicator)
                and self._ref_regime[a.id] is self._ref_regime[b.id]):
            return True  # an indicator and how it is scored ("chỉ tiêu 2.5" and its scoring bands)
        return (a.criterion is not None and a.criterion == b.criterion and (a.indicator is None) != (
            b.indicator is None) and self._ref_regime[a.id] is self._ref_regime[b.id])

    def coverage(self, raw: list[str]) -> float:
        """Share of the question's topic words the handbook knows, weighted by rarity.

        Read before typo correction: a word one letter away from the handbook's vocabulary counts half,
        so "mưa" (rain) does not become "mẫu" (form) and pass for a question on the topic; it counts
        fully when its correction makes a known pair with a neighbour ("tiêu chí" from "teu chí").
        """
        total = known = 0.0
        for n, t in enumerate(raw):
            if t in _STOP_FOLDED or t[0].isdigit():
                continue  # numbers (years, article numbers) say nothing about the topic
            if t in self._idf:
                total += self._idf[t]
                known += self._idf[t]
                continue
            prev = raw[n - 1] if n else None
            nxt = raw[n + 1] if n + 1 < len(raw) else None
            if len(t) >= 3 and self._best_correction(t, prev, nxt) in _STOP_FOLDED:
                continue  # "khng" is "không": no topic either way
            total += self._unknown_idf
            if len(t) < 3:
                continue
            if self._confirmed_correction(t, prev, nxt) is not None:
                known += self._unknown_idf  # "chỉ teu": its neighbour says which word was meant
            elif self._nearest(t) is not None:
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

    def rank(self, q: Query, allowed: set[int] | None = None, exact: bool = False) -> list[Candidate]:
        """Score the entries that share a term with the question or resemble one of its phrasings.

        `allowed` limits the entries that may answer; when `exact` (the question names an indicator or a
        plan item) every allowed entry is scored, however few words it shares with the question.
        """
        q_terms: Counter[str] = Counter(t for t in self._terms(q.toks) if t in self._idf)
        for t in self._terms(q.refs):
            if t in self._idf:
                q_terms[t] += self.w.reference_weight  # type: ignore[assignment]
        q_weight = sum(self._idf[t] * c for t, c in q_terms.items())
        if q_weight <= 0 and not allowed:
            return []
        if q_terms:
            rows = [self._row[t] for t in q_terms]
            lexical = np.asarray(list(q_terms.values()), dtype=np.float32) @ self._weights[rows]
        else:
            lexical = np.zeros(len(self.entries), dtype=np.float32)
        fuzzy: dict[int, float] = defaultdict(float)
        for _, score, idx in process.extract(" ".join(sorted(q.toks + q.refs)), self._phrasings,
                                             scorer=fuzz.ratio, limit=40, score_cutoff=30):
            owner = self._phrasing_owner[idx]
            fuzzy[owner] = max(fuzzy[owner], score / 100)
        accented_q = q.accented
        # Only the strongest lexical matches (and every close phrasing) can win: score those fully.
        k = min(MAX_CANDIDATES, len(self.entries))
        top = np.argpartition(-lexical, k - 1)[:k]
        lexical_of = lexical.tolist()  # plain floats: indexing a numpy array item by item is slow
        strongest = {int(i) for i in top if lexical_of[i] > 0}
        reading = q.reading
        places = {fold(p) for p in reading.places}
        # "Phường tui ở Cần Thơ, …": where the asker works is no subject that an entry on it answers
        introduced = self._introduced_places(reading.text) if places else frozenset()
        # "Cà Mau triển khai bằng kế hoạch số mấy": another province's plan, not the one the handbook holds.
        # "kế hoạch triển khai QĐ 27": a province's plan for the rules in force, not the handbook's either.
        own_place = (not places or bool(places & self._plan_places)) and not PLAN_OF_NEW_RULES.search(
            reading.folded)
        plan_asked = "Kế hoạch" in reading.documents and own_place
        other_documents = bool(reading.documents) or reading.regime.named
        favoured = self._favoured(reading)
        named_criteria = {r.criterion for r in reading.refs if r.criterion is not None}
        counts_criteria = not named_criteria and bool(_COUNTS_CRITERIA.search(reading.folded))
        # … the criteria of one set, not "mấy tiêu chí về hòa giải" (which ones) nor both sets compared
        counts_them = (counts_criteria and not reading.regime.comparison
                       and not _WHICH_CRITERIA_ABOUT.search(reading.folded))
        lists_indicators = (not any(r.indicator for r in reading.refs)
                            and bool(_LISTS_INDICATORS.search(reading.folded)))
        focus = asked_about(q.toks)
        assessed = {y for y in reading.years if y >= FIRST_ASSESSED_YEAR}
        # The plan's tasks answer a question about the plan, its items, its province or its agencies; a
        # question on the rules themselves ("hài lòng 65 % thì có trượt không") is answered by the rules.
        plan_named = (plan_asked or bool(reading.plan_items) or (bool(places) and own_place)
                      or any(a in self._plan_agencies for a in reading.agencies))
        pool = strongest | set(fuzzy) | favoured
        if counts_criteria:
            pool |= self._criteria_overviews  # "QĐ 27 có 5 tiêu chí đúng không": shares few words with them
        articles_asked, cited_clauses_at = self._articles_asked(reading), self._cited_clauses
        # the whole article, when no entry cites the very clause asked
        articles_of_asked = (set() if any(self._citing.get(c) for c in articles_asked)
                             else {(n, a, None) for n, a, _ in articles_asked})
        for clause in articles_asked:  # "khoản 6 Điều 3 QĐ 25 quy định gì" names its subject by number only
            if len(self._citing.get(clause, ())) <= CITING_FEW:
                pool.update(self._citing.get(clause, ()))
        if allowed is not None:
            pool = set(allowed) if exact else pool & allowed
        hinted = reading.regime.regime if not reading.regime.comparison else None
        w, documents = self.w, reading.documents if own_place else reading.documents - {"Kế hoạch"}
        guidance_named = documents & _GUIDANCE.keys()
        n_accented = len(accented_q)
        old_rules_named = reading.regime.named and reading.regime.regime is Regime.QD25
        comparison = reading.regime.comparison
        # The loop below runs for every candidate of every question: the per-entry facts it reads are
        # bound to locals, and each condition that depends on the question alone is tested once per entry
        # at most.
        cites_at, accented_at, entries = self._cites, self._accented, self.entries
        title_places_at, answer_places_at = self._title_places, self._answer_places
        title_years_at, title_words_at = self._title_years, self._title_words
        # "Sở Tài chính làm gì": the one agency whose tasks are asked about (of several, none leads)
        agencies = frozenset(a for a in reading.agencies if self._asks_tasks_of(a, reading.folded))
        agencies = agencies if len(reading.agencies) == 1 else frozenset()
        title_agencies_at = self._title_agencies
        # the entries that alone name a commune the question names (read once, not per candidate)
        rarely_named = frozenset().union(*(self._rarely_named.get(p, frozenset()) for p in places))
        regime_at, ref_regime_at = self._regime_at, self._ref_regime_at
        scored: list[tuple[float, str, int]] = []
        for i in pool:
            lex = w.lexical * lexical_of[i] / q_weight if q_weight > 0 else 0.0
            score = lex + w.fuzzy * fuzzy.get(i, 0.0)
            if n_accented:
                score += w.accent_bonus * len(accented_q & accented_at[i]) / n_accented
            entry = entries[i]
            cites = cites_at[i]
            if documents and documents & cites:
                score += w.citation_bonus
                if guidance_named & cites:
                    score += w.ref_bonus  # "QĐ 1143 … chỉ tiêu 3, 4, 5, 6 tiêu chí 2": about QĐ 1143
            if assessed and assessed & title_years_at[i]:
                score += w.year_bonus  # "Năm 2026 đánh giá theo …"
            if places:
                title_places = title_places_at[i]
                if i in rarely_named:
                    score += w.ref_bonus  # "phường Tân Lộc có bị sáp nhập không": the entry naming it
                elif title_places and not places & title_places:
                    score *= w.other_place_factor  # another place's plan or figures
                elif title_places and not title_places <= introduced:
                    score += w.year_bonus  # "Cần Thơ có bao nhiêu xã sau sáp nhập": the entry on that place
                elif not title_places and places & answer_places_at[i]:
                    # "Hà Nội có kế hoạch riêng không": of the entries on no place, the one that speaks of it
                    score += w.year_bonus
            if focus:
                named_in_title = focus & title_words_at[i]
                if named_in_title:  # the title names what the question asks about
                    score += w.focus_bonus * len(named_in_title) / len(focus)
            if agencies and agencies & title_agencies_at[i]:
                score += w.agency_bonus  # "Sở Tài chính làm gì": the entry on that agency's task
            if articles_asked:
                cited = cited_clauses_at[i]
                if articles_asked & cited:
                    score += w.article_bonus  # "khoản 6 Điều 3 QĐ 25 quy định gì": the entry citing it
                elif articles_of_asked & cited:
                    score += w.article_bonus / 3  # … or citing that article
            if i in favoured:
                score += w.ref_bonus
            elif named_criteria and entry.criterion is not None and entry.criterion not in named_criteria:
                score *= w.named_criterion_factor  # "tiêu chí 3 gồm những chỉ tiêu nào" is not about 2
            elif named_criteria and favoured and entry.topic == "tieu-chi":
                score *= w.overview_factor  # "tiêu chí số 1 … mấy chỉ tiêu": that criterion's own entry
            elif counts_criteria and entry.criterion is not None:
                score *= w.other_criterion_factor  # "mấy tiêu chí": one criterion's entry cannot say
            elif counts_criteria and entry.topic == "tieu-chi":
                if counts_them and (not documents or documents & cites):
                    score += w.count_bonus  # "QĐ 27 có 5 tiêu chí đúng không": the entry that counts them
            elif lists_indicators and entry.indicator is not None:
                score *= w.other_criterion_factor  # "tiêu chí 5 gồm những chỉ tiêu nào": not one of them
            if comparison and entry.both_regimes:
                score += w.comparison_bonus  # "QĐ 27 khác QĐ 25 chỗ nào": the entries about both
            elif entry.both_regimes and old_rules_named:
                score *= w.hinted_regime_factor  # "năm 2023 chấm theo những tiêu chí nào": that year's rules
            r = regime_at[i]
            # A plan built on QĐ 25 speaks of QĐ 25's criteria: the other regime's entries when a
            # question hints at QĐ 27, unless it names the plan.
            r_criteria = ref_regime_at[i]
            if (hinted is not None and r_criteria is not Regime.NONE and r_criteria is not hinted
                    and not entry.both_regimes and not (plan_asked and "Kế hoạch" in cites)):
                score *= w.hinted_regime_factor
            elif r is Regime.NONE and not plan_asked and other_documents:
                score *= w.unrelated_factor
            elif hinted is None and r is Regime.QD27:
                score += w.current_bonus
            if not plan_named and entry.plan_item:
                score *= w.plan_unasked_factor
            scored.append((-score, entry.id, i))
        scored.sort()  # best first; ties by entry id, so the order never depends on the pool's
        return [Candidate(entries[i], -neg) for neg, _, i in scored]

    def _prefer_regime(self, ranked: list[Candidate], reading: Reading
                       ) -> tuple[Candidate, Entry | None, Entry | None]:
        """Answer a topic from the regime asked for, or from the rules in force when none is named.

        Returns the candidate to answer with; when an old entry is kept for a question that named no
        regime (its words are the old rule's own), the in-force entry of the same topic (for a criterion
        the rules in force do not have, their criteria); and when the answer moved to the rules in force,
        the old entry it moved from.
        """
        top = ranked[0]
        topic = top.entry.topic
        regime, comparison = reading.regime.regime, reading.regime.comparison
        if (regime is None and not comparison and top.entry.criterion is not None
                and self._regime_at[self._position[top.entry.id]] is Regime.QD25
                and not self._criterion_entries(Regime.QD27, top.entry.criterion)):
            # "tiêu chí số 5": a criterion only the replaced rules have; the criteria in force are shown.
            return top, next(iter(self._version("tieu-chi", Regime.QD27)), None), None
        # Whether the replaced rules still apply is answered by the rules in force, as a question naming no
        # regime is; a true comparison keeps the entry that compares.
        if topic is None or (comparison and not reading.regime.still):
            return top, None, None
        wanted = regime or Regime.QD27
        versions = self._version(topic, wanted)
        if not versions or top.entry in versions:
            return top, None, None
        score = {c.entry.id: c.score for c in ranked}
        best = max(versions, key=lambda e: (score.get(e.id, -1.0), -versions.index(e)))
        if (regime is None and not reading.regime.still
                and score.get(best.id, 0.0) < self.w.current_ratio * top.score):
            return top, best, None  # the old rule's own words: keep it, and point to the rules in force
        return Candidate(best, top.score), None, top.entry


# "mấy tiêu chí", "bao nhiêu tiêu chí": the number of criteria is asked, which no single criterion gives.
# "gồm những chỉ tiêu nào", "có mấy chỉ tiêu": the list or the number of indicators, which no single
# indicator's entry gives.
_LISTS_INDICATORS = re.compile(r"\b(?:nhung|cac|may|bao\s*nhieu|bn)\s*(?:chi\s*tieu|ct|muc(?:\s*nho)?)\b")
# "QĐ 27 có 5 tiêu chí đúng không": a count said to be checked asks the count too.
_COUNTS_CRITERIA = re.compile(r"\b(?:may|bao\s*nhieu|bn)\s*(?:tieu\s*chi|tc)\b"
                              r"|\bco\s*0?\d\s*(?:tieu\s*chi|tc)\b|\b(?:liet\s*ke|ke\s*ra)\s*(?:cac\s*)?(?:0?\d\s*)?(?:tieu\s*chi|tc)\b")
_WHICH_CRITERIA_ABOUT = re.compile(r"\b(?:may|bao\s*nhieu|bn)\s*(?:tieu\s*chi|tc)\s*(?:ve|lien\s*quan)\b")
# What a plan assigns ("giao Sở nào chủ trì", "giao xã những chỉ tiêu gì"), asked of a plan.
_ASKS_PLAN_CONTENT = re.compile(r"\b(?:giao|chu\s*tri|phoi\s*hop|nhiem\s*vu|noi\s*dung|quy\s*dinh\s*gi"
                                r"|viec\s*gi|lam\s*gi|chi\s*tieu\s*gi|nhung\s*chi\s*tieu|so\s*nao|moc\s*thoi\s*gian)\b")
# A place's own plan: "kế hoạch … của tỉnh Bạc Liêu", "Hậu Giang … có kế hoạch" (formats of the place).
_PLAN_OF_PLACE = (r"\b(?:ke\s*hoach|kh)\b[^.?!]{{0,40}}?\bcua\s+(?:ubnd\s+)?(?:tinh\s+|thanh\s*pho\s+|tp\s+)?"
                  r"{place}\b",
                  r"\b{place}\b[^.?!,]{{0,40}}?\bco\s+(?:ke\s*hoach|kh)\b")
_SAME_PLACE_RATIO = 80  # a place this close to the plan's province is that province mistyped
# Guidance and earlier texts a question may name (as `knowledge.query` names them), by their number.
_GUIDANCE = {"619/2017": "619", "1723": "1723", "1143": "1143", "3124": "3124"}
_TITLE_YEARS = re.compile(r"(?<![\d/.])(20[12]\d)(?:\s*[–-]\s*(20[12]\d))?(?![\d/]|\.\d)")


def _cited_clauses(citation: str) -> frozenset[tuple[str, int, int | None]]:
    """The articles and clauses a citation cites, by text number: "Quyết định 25/2021/QĐ-TTg, Điều 3 khoản
    6; Điều 6 khoản 3" gives (25/2021, 3, 6), (25/2021, 6, 3) and each whole article (clause None)."""
    out: set[tuple[str, int, int | None]] = set()
    number = None
    for part in citation.split(";"):
        named = [n for n in _CITED_NUMBERS if n in part]
        if named:
            number = named[0]
        elif re.search(r"\d+/\d{4}", part):
            number = None  # another text ("Kế hoạch 0176/KH-UBND")
        if number is None:
            continue
        for m in _ARTICLE_CLAUSES_CITED.finditer(part):
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            for article in range(first, last + 1):
                out.add((number, article, None))
                out.update((number, article, int(c)) for c in re.findall(r"khoản (\d+)", m.group(3)))
    return frozenset(out)


def _declined_as_not_held(result: Result, shown: Entry, topic: str, notice: str) -> Result:
    """Decline an answer whose subject the handbook does not hold, showing the entry that came closest."""
    return Result(result.question, Outcome.NOT_HELD, None, result.score, (Candidate(shown, result.score),),
                  result.regime, topic, regime_named=result.regime_named, notice=notice)


def _typed_as(typed: str, said: str) -> bool:
    """Tell whether a canonical syllable as typed is the phrase's (see `Engine._spot`)."""
    if typed == said or (typed[-1].isalpha() and typed == said.rstrip(_TONE_DIGITS)):
        return True
    return typed[:-1] == said[:-1] and {typed[-1], said[-1]} == {"3", "4"}  # hỏi for ngã, ngã for hỏi


def _years_named(title: str) -> frozenset[int]:
    """The years a title or an answer is about ("năm 2026", "2022–2024"), not those inside a document's
    number or a date ("19/05/2025")."""
    out: set[int] = set()
    for m in _TITLE_YEARS.finditer(title):
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        out.update(range(first, last + 1))
    return frozenset(out)


# Words of a question that only points back at what the message told ("như vậy có ổn không").
_POINTING_BACK = frozenset(fold(w) for w in "như vậy thế ổn đúng sai được hợp lệ lý có không ko k chưa "
                           "làm cách trên này kia ạ anh chị em ơi nhỉ quy trình định thủ tục "
                           # "… hay họ làm khó?": whom the asker suspects adds no subject
                           "hay họ người ta khó đấy đó nhé".split())




def _points_back(raw: list[str]) -> bool:
    return bool(raw) and all(t in _POINTING_BACK or t in _STOP_FOLDED for t in raw)


def _named_numbers(refs: Iterable[CriterionRef]) -> int:
    return sum((r.criterion is not None) + (r.indicator is not None) for r in refs)


def _facts(s: Situation | None) -> int:
    """How many of the facts the conditions judge a situation states."""
    if s is None:
        return 0
    scores = (s.total, s.self_score, s.council_score)
    return (sum(x is not None for x in scores) + len(s.shares) + (s.head_disciplined is not None)
            + s.indicator_results)


# Sounds that speakers of one region, and dictation, write for another: initials (ch/tr, d/gi/r/v, s/x,
# l/n) and finals (n/ng, c/t, ch/t: "kế hoạt"), folded.
_CONFUSED_INITIALS = (("tr", "ch"), ("ch", "tr"), ("gi", "d"), ("d", "gi"), ("d", "v"), ("v", "d"),
                      ("r", "d"), ("d", "r"), ("x", "s"), ("s", "x"), ("l", "n"), ("n", "l"))
_CONFUSED_FINALS = (("ng", "n"), ("n", "ng"), ("c", "t"), ("t", "c"), ("ch", "t"), ("t", "ch"))


def _respellings(t: str) -> list[str]:
    """The syllable as the confused sounds would spell it (one change each), initials first."""
    out = [new + t[len(old):] for old, new in _CONFUSED_INITIALS
           if t.startswith(old) and not (old == "n" and t[1:2] in ("g", "h"))]  # "ng", "nh" are no "n"
    out += [t[:-len(old)] + new for old, new in _CONFUSED_FINALS
            if t.endswith(old) and not (old == "n" and t.endswith("ng")) and len(t) > len(old) + 1]
    return out


# "bên thi đua", "giống thi đua", "kiểu quân đội", "so với thi đua": what a question compares with
_COMPARED_BY = frozenset({"ben", "giong", "kieu"})


def _compared_with(folded: tuple[str, ...], i: int) -> bool:
    """Tell whether the phrase at folded[i:] is only compared with ("bên thi đua", "so với thi đua")."""
    return (i > 0 and folded[i - 1] in _COMPARED_BY) or folded[max(0, i - 2):i] == ("so", "voi")


def _undoubled(typed: str, word: str) -> bool:
    """Tell whether a word is the typed syllable with one of its doubled letters removed."""
    return len(typed) == len(word) + 1 and any(
        typed[i] == typed[i + 1] and typed[:i] + typed[i + 1:] == word for i in range(len(typed) - 1))


class _Phrased(Protocol):
    """A near subject or a subject not held: phrases folded, and the same phrases as spelled."""

    @property
    def phrases(self) -> tuple[tuple[str, ...], ...]: ...
    @property
    def accented(self) -> tuple[tuple[str, ...], ...]: ...


_P = TypeVar("_P", bound=_Phrased)  # what a spotted phrase stands for (a near subject, a subject not held)
PhraseIndex = dict[str, list[tuple[tuple[str, ...], tuple[str, ...], _P]]]


def _by_first_word(owners: Iterable[_P]) -> PhraseIndex[_P]:
    """Index the owners' phrases (folded, and as spelled) by their first folded word, for `Engine._spot`."""
    index: PhraseIndex[_P] = defaultdict(list)
    for owner in owners:
        for phrase, spelled in zip(owner.phrases, owner.accented, strict=True):
            if phrase:
                index[phrase[0]].append((phrase, spelled, owner))
    return index


def _asked_in_sentence_naming(place: str, asks: re.Pattern[str], folded: str) -> bool:
    """Tell whether a sentence of the question both names the place and asks what `asks` matches."""
    name = _spaced(folded_tokens(place))
    return any(asks.search(s) and name in _spaced(folded_tokens(s)) for s in re.split(r"[.?!;\n]", folded))


def _spaced(words: Iterable[str]) -> str:
    """Join words with single spaces and pad both ends: `_spaced(phrase) in _spaced(words)` tells whether
    the phrase occurs in the words as whole words."""
    return f" {' '.join(words)} "
