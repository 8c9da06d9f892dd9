"""Reading a question before ranking: criteria, indicators, regime, plan items, agencies, situations."""

import pytest

from knowledge.lexicon import load_lexicon
from knowledge.query import (
    CriterionRef,
    NumberedText,
    Reader,
    as_asked,
    asked_about,
    quiz_stem,
    spoken_numbers,
    without_asides,
)
from knowledge.schema import Regime


@pytest.fixture(scope="module")
def reader():
    lexicon = load_lexicon()
    return Reader(lexicon.agencies, lexicon.places)


@pytest.mark.parametrize("text, refs", [
    ("tiêu chí 2 gồm gì", [(2, None)]),
    ("TC2 là gì", [(2, None)]),
    ("tc 2 qd27 ten gi", [(2, None)]),
    ("tiêu chí số 3", [(3, None)]),
    ("chỉ tiêu 2.5", [(2, 5)]),
    ("CT 2.5 là gì", [(2, 5)]),
    ("ct2.3 qđ 27", [(2, 3)]),
    ("TC2.5", [(2, 5)]),
    ("chỉ tiêu 5 của tiêu chí 2", [(2, 5)]),
    ("chỉ tiêu thứ năm tiêu chí hai", [(2, 5)]),
    ("chi tieu thu nam tieu chi hai theo thong tu 09", [(2, 5)]),
    ("tieu chi 2 chi tieu 5", [(2, 5)]),
    ("chỉ tiêu 4.3 với 4.4 QĐ 25 khác nhau chỗ nào", [(4, 3), (4, 4)]),
    ("năm 2023 tiêu chí 3 chấm thế nào", [(3, None)]),  # "năm 2023" is a year, not "five"
    ("tiêu chí 16 nông thôn mới nâng cao", []),  # the new-rural criterion, not one of this standard
    ("2.5 là gì", []),  # a bare number counts only in a question about criteria
    ("chi tieu 2,5 qd 25", [(2, 5)]),  # the separator varies with the keyboard
    ("chỉ tiêu 2-5 của QĐ 25", [(2, 5)]),
    ("ct 2 5 bao nhiêu điểm", [(2, 5)]),  # a space for the dot
    ("ct 2/6 bộ mới là gì", [(2, 6)]),  # a slash for the dot
    ("tiêu chí II theo QĐ 27", [(2, None)]),  # Roman numerals
    ("tiêu chí IV", [(4, None)]),
    ("chỉ tiêu thứ năm tiêu chí ban hành văn bản", [(None, 5)]),  # "ban" is no "ba": words end at a boundary
    ("Chỉ tiêu II.3 của bộ mới", [(2, 3)]),  # not plan item II.3
    ("tiêu chí V theo QĐ 25", [(5, None)]),
    ("chỉ tiêu năm nay của xã", []),  # "năm nay" is this year
    ("các chỉ tiêu 3-6 TC2", [(None, 3), (2, None)]),  # a range of another criterion's indicators, not 3.6
    ("ct 1-1 tiêu chí 1", [(1, 1), (1, None)]),  # … but the same criterion's indicator
])
def test_criterion_and_indicator_references_in_every_written_form(reader, text, refs):
    assert [(r.criterion, r.indicator) for r in reader.read(text).refs] == refs


@pytest.mark.parametrize("text, regime, named", [
    ("theo QĐ 25/2021 thì sao", Regime.QD25, True),
    ("thong tu 09/2021 quy dinh mau nao", Regime.QD25, True),
    ("qd 27 co may tieu chi", Regime.QD27, True),
    ("Thông tư 15/2025/TT-BTP hướng dẫn gì", Regime.QD27, True),
    ("đánh giá năm 2023", Regime.QD25, True),
    ("năm 2026 điều kiện công nhận là gì", Regime.QD27, True),
    ("quyết định mới có mấy tiêu chí", Regime.QD27, False),
    ("quy định hiện nay về hồ sơ", Regime.QD27, False),
    ("quyết định cũ quy định mấy tiêu chí", Regime.QD25, False),
    ("hội đồng cấp huyện gồm những ai", Regime.QD25, False),  # the district as actor: a hint only
    ("sau khi bỏ cấp huyện thì ai công nhận", Regime.QD27, False),  # asks about the rules in force
    ("giờ hồ sơ còn nộp Phòng Tư pháp huyện được không", Regime.QD27, False),  # "giờ" = now
    ("cấp huyện không còn thì ai ký quyết định công nhận", Regime.QD27, False),  # said the other way round
    ("ptp con ko ma nop ho so", Regime.QD27, False),  # whether the district's office still exists
    ("CT2.5 bây h là chỉ tiêu gì?", Regime.QD27, False),  # "bây h" = "bây giờ"
    ("thang điểm chuẩn tcpl cũ tối đa bao nhiêu", Regime.QD25, False),  # the standard's short name, old
    ("chuan tcpl moi co may tieu chi", Regime.QD27, False),  # … and new
    ("trước sáp nhập ai ký quyết định công nhận", Regime.QD25, False),  # before the reform
    ("hồi chưa bỏ cấp huyện thì ai ký quyết định công nhận", Regime.QD25, False),  # … said "not yet"
    ("thua quy co quan, ho so gui len huyen hoi ay co phai ban giay khong", Regime.QD25, False),  # "hồi ấy"
    ("thị trấn cũ nay đã thành xã, vậy vẫn đánh giá theo QĐ 25 à", None, False),  # whether it still holds
    ("bay gio danh gia thi ap dung van ban nao, van la QD 25 ha", None, False),  # … asked in other words
    # whether it is still as it was: asked of now
    ("Thành phố có lập hội đồng giống hội đồng huyện trước đây không", Regime.QD27, False),
    ("có bao nhiêu tiêu chí", None, False),
])
def test_the_regime_a_question_names(reader, text, regime, named):
    r = reader.read(text).regime
    assert r.regime is regime and r.named is named


def test_a_comparison_names_no_single_regime(reader):
    r = reader.read("QĐ 27 khác QĐ 25 những điểm nào").regime
    assert r.regime is None and r.comparison


@pytest.mark.parametrize("text, document, regime", [
    ("bộ 5 tiêu chí 25 chỉ tiêu là của văn bản nào", "619/2017", Regime.QD25),  # QĐ 619/2017's set
    ("nghe nói có 5 tiêu chí, 20 chỉ tiêu phải không", "25/2021", Regime.QD25),
    ("03 tiêu chí 14 chỉ tiêu áp dụng từ khi nào", "27/2025", Regime.QD27),
])
def test_a_set_told_by_its_size_names_its_text(reader, text, document, regime):
    r = reader.read(text)
    assert document in r.documents and r.regime.regime is regime and r.regime.named


@pytest.mark.parametrize("text", [
    "Bây giờ xét công nhận căn cứ văn bản nào, còn QĐ 25 không?",  # is the old text still the rule
    "quyết định 25 giờ còn áp dụng không",
    "tiêu chí an ninh trật tự có còn trong quy định mới không hay bỏ rồi",  # what the new rules dropped
])
def test_whether_an_old_rule_still_holds_compares_the_regimes(reader, text):
    assert reader.read(text).regime.comparison


def test_points_then_only_is_no_comparison(reader):
    # "bao nhiêu điểm mới được công nhận": "mới" means "only then", not "what is new".
    r = reader.read("quy định hiện hành xã phải đạt bao nhiêu điểm mới được công nhận").regime
    assert r.regime is Regime.QD27 and not r.comparison
    assert reader.read("điểm mới của quy định về chuẩn tiếp cận là gì").regime.comparison


def test_the_standard_said_new_means_the_rules_in_force(reader):
    r = reader.read("chuẩn tiếp cận pháp luật mới có tiêu chí hòa giải không").regime
    assert r.regime is Regime.QD27 and not r.named


def test_2025_is_the_unconfirmed_transition_year_and_document_numbers_are_not_years(reader):
    assert reader.read("năm 2025 có đánh giá không").regime.transition
    assert reader.read("Quyết định 27/2025/QĐ-TTg có hiệu lực khi nào").years == ()
    assert reader.read("giai đoạn 2021-2025").years == ()


@pytest.mark.parametrize("text, items", [
    ("Mục II.4.c giao cho ai", ("II.4.c",)),
    ("III.1.đ nói gì", ("III.1.đ",)),
    ("muc iii.1.dd", ("III.1.đ",)),
    ("ii 4 c ai chu tri", ("II.4.c",)),
    ("mục II.5 còn áp dụng không", ("II.5",)),
    ("mục III kế hoạch", ("III",)),
    ("Chỉ tiêu II.3 của bộ mới", ()),  # an indicator, not a plan item
])
def test_plan_item_codes(reader, text, items):
    assert reader.read(text).plan_items == items


def test_agencies_by_name_or_abbreviation(reader):
    assert reader.read("Sở Nội vụ có nhiệm vụ gì trong kế hoạch").agencies == ("Sở Nội vụ",)
    agencies = reader.read("stp chủ trì việc gì, sở gd&đt thì sao").agencies
    assert agencies == ("Sở Tư pháp", "Sở Giáo dục và Đào tạo")
    assert reader.read("UBND cấp xã được giao gì").agencies == ("UBND cấp xã",)
    # Written without "và", as officials often do.
    named = reader.read("Đài phát thanh truyền hình tỉnh làm gì").agencies
    assert named == ("Đài Phát thanh và Truyền hình tỉnh",)


def test_places_with_or_without_their_kind(reader):
    assert reader.read("Xã Kế Sách đạt chuẩn từ năm nào").places == ("Kế Sách",)
    assert reader.read("Soc Trang nam 2022 co bao nhieu xa dat chuan").places == ("Sóc Trăng",)
    assert reader.read("Phường Sóc Trăng, phường Vĩnh Châu thuộc đâu").places == ("Sóc Trăng", "Vĩnh Châu")
    # "huyện K", "xã A": a case's stand-in for any place
    assert reader.read("Huyện K có 100% xã đạt chuẩn, xã A được 85 điểm").places == ()
    # a unit's kind typed without diacritics, a comma without its space
    assert reader.read("huyen Ke Sach nam 2022 co may xa dat chuan").places == ("Ke Sach",)
    assert reader.read("KH cua tinh Soc Trang,muc II.4.c la gi").places == ("Sóc Trăng",)


def test_a_described_situation_is_read(reader):
    s = reader.read("xã em năm 2023 được 78 điểm, các tiêu chí đều trên 50%, có đạt không").situation
    assert s.total == 78 and s.year == 2023 and s.shares[0].criterion is None and s.shares[0].value == 0.5
    s = reader.read("tổng 86 điểm nhưng tiêu chí 3 chỉ đạt 40% thì sao").situation
    assert s.total == 86 and (s.shares[0].criterion, s.shares[0].value, s.shares[0].below) == (3, 0.4, False)
    s = reader.read("tự chấm 88 mà hội đồng chấm lại 79, vậy có đạt không").situation
    assert (s.self_score, s.council_score) == (88, 79)
    # "năm" before a year is when the council scored, not a count of years
    s = reader.read("xã tự chấm 86, hội đồng thẩm định 78 năm 2024, có đạt không").situation
    assert (s.self_score, s.council_score) == (86, 78)
    s = reader.read("chủ tịch xã bị kỷ luật khiển trách năm nay thì sao").situation
    assert s.head_disciplined is True
    s = reader.read("Phó chủ tịch xã bị cảnh cáo năm 2023, tổng 85 điểm, xã có đạt không").situation
    assert s.head_disciplined is None and s.official_disciplined
    s = reader.read("Chủ tịch xã bị khởi tố tháng 3/2025, kết quả đánh giá năm 2024 có bị ảnh hưởng "
                    "không").situation
    assert (s.year, s.discipline_year) == (2024, 2025)
    # Another official's discipline alone is a case too (the verdict says it is no condition).
    s = reader.read("một công chức địa chính xã bị cảnh cáo năm 2023 thì xã có mất chuẩn không").situation
    assert s.official_disciplined and s.head_disciplined is None
    s = reader.read("năm 2026 phường em tự đánh giá đạt hết các chỉ tiêu thì có được công nhận ko").situation
    assert s.shares[0].criterion is None and s.shares[0].value == 1.0 and s.year == 2026
    # Results of indicators, as a commune reviews itself under the rules in force, make a case too.
    s = reader.read("năm 2026 xã em 1.1 đạt 100%, 1.3 đạt 90%, hòa giải thành 8/10 vụ, vậy có đạt chuẩn "
                    "không").situation
    assert s is not None and s.indicator_results and not s.scored and s.year == 2026
    # Every indicator of the set, said of the commune, in a Zalo-style question.
    s = reader.read("năm 2026 phường em đủ 14 chỉ tiêu thì chắc đạt chuẩn chứ").situation
    assert s is not None and s.shares[0].value == 1.0
    # How many indicators were met, or that one is missing, is a result to judge.
    s = reader.read("nam 2026 xa dat 13/14 chi tieu, chi thieu chi tieu chuyen doi so thi co duoc cong nhan "
                    "khong").situation
    assert s is not None and s.indicator_results and s.year == 2026
    assert reader.read("năm 2026 phường em thiếu một chỉ tiêu thì có được công nhận không").situation
    # … or how many of a criterion's indicators, or of the criteria, were met
    assert reader.read("Năm 2026 xã tôi có 6/7 chỉ tiêu của tiêu chí 2 đạt. Xã có đạt chuẩn không?").situation
    assert reader.read("2026 ma dat 2 tren 3 tieu chi thi co duoc cong nhan k").situation
    # A criterion in Roman numerals "được đúng" half its points, the others "mấy tiêu chí kia" over half
    s = reader.read("tổng điểm 81, TC I được đúng 5/10, mấy tiêu chí kia đều hơn nửa số điểm, đạt không"
                    ).situation
    assert s is not None and s.total == 81
    assert {(x.criterion, x.value) for x in s.shares} == {(1, 0.5), (None, 0.5)}
    # … but not another scheme's many criteria, nor a count of communes
    assert reader.read("Cao Bang co bao nhieu xa truot chuan vi chu tich xa bi ky luat").situation is None
    assert reader.read("xã em đạt 18/19 tiêu chí nông thôn mới, có được công nhận không").situation is None
    # A criterion's share said with "dc" (được), as typed in a chat.
    s = reader.read("xa e 2024 dc 92 diem ma tc3 chi dc 40% diem toi da, v la rot a").situation
    assert s.total == 92 and (s.shares[0].criterion, s.shares[0].value) == (3, 0.4)
    # The commune's total, though an indicator was named before it.
    s = reader.read("chỉ tiêu 2.5 không đạt nhưng xã em 85 điểm có đạt chuẩn không").situation
    assert s is not None and s.total == 85


@pytest.mark.parametrize("text", [
    "Mức 90 điểm là chuẩn của xã hay của huyện?",  # asks about the rule, states no case
    "Chỉ tiêu 1.1 được tối đa 3 điểm đúng không",
    "hội đồng của huyện có 12 người, họp có 8 người dự thì đủ chưa",  # people, not points
    "hội đồng của huyện có 12 ng, họp có 8 nguoi dự thì đủ chưa",  # people, abbreviated or mistyped
    "Huyện em có 100% xã đạt chuẩn, tổng điểm cấp huyện 88, huyện có đạt chuẩn không",  # a district
    "Năm 2023 một công chức xã bị kỷ luật khiển trách thì bị trừ ở chỉ tiêu nào",  # asks where it counts
    "cung cấp thông tin đúng hạn 18/20 yêu cầu thì có đạt không",  # one result asks about that indicator
    "QĐ 27 có đủ 14 chỉ tiêu không",  # asks about the set, not a commune's case
    # an indicator's points, not the total
    "Năm 2022 xã em không được giao ban hành văn bản nào. Vậy chỉ tiêu 1 của tiêu chí 1 xã em chấm thế "
    "nào, có bị 0 điểm không ạ?",
    "năm 2023 chỉ tiêu 1 tiêu chí 1 xã không ban hành văn bản nào thì chấm sao? Có bị 0 điểm không?",
    "Tập huấn 75% tuyên truyền viên thì được 0,5 điểm. Vậy năm 2023 xã em 95% thì chỉ tiêu này mấy điểm?",
    # the scale, not a score
    "năm 2026 đánh giá thì vẫn chấm 5 tiêu chí 20 chỉ tiêu 100 điểm như cũ đúng k",
    "xã em năm 2026 vẫn chấm theo thang 100 điểm à, có được công nhận không",
])
def test_no_situation_where_none_is_described(reader, text):
    assert reader.read(text).situation is None


def test_criterion_reference_type():
    assert str(CriterionRef(2, 5)) == "2.5" and str(CriterionRef(3)) == "3"


@pytest.mark.parametrize("toks, words", [
    ("nam 2023 xa cham theo nhung tieu chi nao", {"tieu", "chi"}),
    ("thong tu 09 co bao nhieu dieu", {"dieu"}),
    ("mau phieu lay y kien la mau so may", {"mau"}),
    ("han nop ho so la khi nao", set()),  # when, not what
    ("xa phai lam gi", set()),  # do what
    ("ke hoach tinh co noi gi ve phan mem danh gia khong", {"phan", "mem"}),  # says what about what
])
def test_what_a_question_asks_about(toks, words):
    assert asked_about(toks.split()) == words


def test_plan_items_said_without_their_section():
    from knowledge.query import short_plan_items
    assert short_plan_items("mục 4 đ kế hoạch ai chủ trì") == (".4.đ",)  # "đ" kept: folded it is "d"
    assert short_plan_items("muc 4dd ke hoach") == (".4.đ",)
    assert short_plan_items("mục 7.b") == (".7.b",) and short_plan_items("mục 5 của kế hoạch") == (".5",)


@pytest.mark.parametrize("text, regime", [
    ("chỉ tiêu 3.2 cũ chấm mấy điểm", Regime.QD25),  # "cũ" said of an indicator
    ("TC 4 bộ cũ gồm những gì", Regime.QD25),
    ("ct 2.1 mới là gì vậy", Regime.QD27),
    ("tiêu chí 2 cụ thể gồm những gì", None),  # "cụ thể" is no "cũ"
])
def test_old_or_new_said_of_an_indicator_names_the_regime(reader, text, regime):
    assert reader.read(text).regime.regime is regime


def test_what_was_then_what_is_now_asks_about_the_rules_in_force(reader):
    r = reader.read("Trước kia tuyên truyền viên nằm ở tiêu chí 2, giờ thì chấm ở đâu").regime
    assert r.regime is Regime.QD27 and not r.named and not r.comparison
    # Old and new said without "then … now" still compare.
    assert reader.read("chuẩn trước đây với quy định hiện hành khác nhau chỗ nào").regime.comparison


def test_a_chat_abbreviation_of_before_names_the_old_rules(reader):
    assert reader.read("trc day ai cong nhan xa dat chuan").regime.regime is Regime.QD25


@pytest.mark.parametrize("text, folded", [
    ("chỉ tiêu 5 của tiêu chí 2", "chi tieu 2.5"),
    ("chỉ tiêu thứ năm tiêu chí hai", "chi tieu 2.5"),
    ("tieu chi 2 chi tieu 5", "chi tieu 2.5"),
    ("ct 2-5", "chi tieu 2.5"),
    ("Chỉ tiêu II.3", "chi tieu 2.3"),
    ("tiêu chí V", "tieu chi 5"),
    ("các tiêu chí sau đây", "cac tieu chi sau day"),  # "sau" is a number only after "số" or "thứ"
    ("tiêu chí năm 2023", "tieu chi nam 2023"),
    ("mẫu số 07 của TT 09", "mau 7 cua tt 9"),  # one form however its number is written
    ("form 7", "mau 7"),
    ("bổ sung trong 03 ngày làm việc", "bo sung trong 3 ngay lam viec"),
    ("0,5 điểm, tt09", "0,5 diem, tt09"),  # decimals and names kept
    # a date as officials type it: "01/07/2025" and "1/7/2025", "01/01" and "1/1" rank alike
    ("ngày 01/07/2025", "ngay 1/7/2025"),
    ("từ 01/01 đến 31/12", "tu 1/1 den 31/12"),
    ("QĐ 25/2021, 8/10 thành viên", "qd 25/2021, 8/10 thanh vien"),
])
def test_references_are_read_in_the_form_the_handbook_writes(reader, text, folded):
    assert reader.read(text).folded == folded


@pytest.mark.parametrize("text", [
    "Năm 2026 tụi em còn xài mấy mẫu 01 tới 10 của TT 09 được hông?",
    "Theo QĐ 25 thì năm 2026 xã phải đạt bao nhiêu điểm mới được công nhận?",  # what applies that year
])
def test_an_old_text_named_with_a_year_of_the_new_rules_asks_what_applies_then(reader, text):
    r = reader.read(text).regime
    assert r.still and r.comparison and r.regime is None


def test_an_old_text_compared_with_the_new_rules_is_no_question_on_what_still_applies(reader):
    assert not reader.read("So sánh mẫu của TT 09 với TT 15").regime.still
    assert not reader.read("Năm 2026 so với QĐ 25 thì điều kiện khác gì?").regime.still


def test_a_span_of_years_within_one_rule_names_its_years(reader):
    assert reader.read("ngưỡng để được công nhận hồi đánh giá 2022–2024 là gì").years == (2022, 2023, 2024)
    assert reader.read("ngưỡng để được công nhận hồi đánh giá 2022–2024 là gì").regime.regime is Regime.QD25
    assert reader.read("giai đoạn 2021-2025").years == ()  # across both rules: a period, not years


@pytest.mark.parametrize(("question", "named"), [
    ("Quyết định 26/2021/QĐ-TTg có hiệu lực từ ngày nào?", (NumberedText(26, "qd"),)),
    ("Kế hoạch số 146/KH-UBND năm 2021 giao gì", (NumberedText(146, "kh"),)),
    ("QĐ 02037/QĐ-UBND do ai ký", (NumberedText(2037, "qd"),)),
    ("Nghị định 42/2022 quy định gì", (NumberedText(42, "nd"),)),
    ("theo 307/2025/nđ-cp", (NumberedText(307, "nd"),)),
    # a month, a date and a regime named by its number alone are no numbered texts
    ("tháng 12/2021 xã gửi hồ sơ ngày 20/01/2024", ()),
    ("QĐ 25 và TT 09", ()),
])
def test_texts_named_by_their_number_are_read_with_their_kind(reader, question, named):
    assert reader.read(question).numbered == named


@pytest.mark.parametrize(("text", "regime", "named"), [
    ("bo tieu chi moi van giu 5 tieu chi 20 chi tieu nhu qd25 ha", Regime.QD27, False),
    ("Tiêu chí 3 của QĐ 27 vẫn là 'hòa giải ở cơ sở' như QĐ 25 phải không?", Regime.QD27, True),
])
def test_the_text_a_question_checks_against_is_not_the_one_it_asks_about(reader, text, regime, named):
    r = reader.read(text).regime
    assert (r.regime, r.named, r.comparison) == (regime, named, False)


def test_what_replaced_an_old_text_is_asked_of_the_rules_in_force(reader):
    assert reader.read("Văn bản hướng dẫn thay cho TT 09 là văn bản nào, áp dụng từ bao giờ?").regime.still
    assert not reader.read("e đọc báo thấy QĐ 25 có 5 tiêu chí 25 chỉ tiêu, đúng ko ạ").regime.still


@pytest.mark.parametrize(("text", "still"), [
    ("Giờ còn QĐ 25 không ad", True),
    ("còn TT 09/2021 dùng được không", True),
    ("còn QĐ 25 nữa hả", True),
    # the time of the old rules, and a question about them
    ("hỏi còn QĐ 25, chủ tịch huyện ký quyết định công nhận xong thì bao lâu phải đăng", False),
])
def test_an_old_text_after_con_asks_whether_it_still_holds_only_with_a_question_word(reader, text, still):
    assert reader.read(text).regime.still is still


def test_a_part_that_only_hints_at_the_old_rules_keeps_the_rules_the_message_names(reader):
    whole = reader.read("Năm nay 2026 tôi làm hồ sơ lần đầu. Xã còn phải gửi hồ sơ lên huyện không?")
    part = reader.read_part("Xã còn phải gửi hồ sơ lên huyện không", whole)
    assert part.regime.regime is Regime.QD27
    told = reader.read("Theo QĐ 25 thì xã gửi hồ sơ trước ngày nào. Còn bây giờ cơ quan nào tham mưu?")
    assert reader.read_part("Còn bây giờ cơ quan nào tham mưu", told).regime.regime is Regime.QD27


@pytest.mark.parametrize(("text", "named"), [
    ("Huyện tôi năm 2023 còn 1 xã chưa đạt chuẩn, vậy huyện có được công nhận huyện đạt chuẩn không?", True),
    ("Cấp huyện muốn được công nhận đạt chuẩn tiếp cận pháp luật thì cần bao nhiêu điểm?", True),
    ("bỏ cấp huyện rồi thì cấp nào công nhận xã đạt chuẩn tiếp cận pháp luật?", False),  # who recognises
])
def test_the_district_standard_said_outright_names_its_guidance(reader, text, named):
    assert ("1723" in reader.read(text).documents) is named


@pytest.mark.parametrize(("text", "regime"), [
    ("tieu chi 2 ngay xua gom nhung muc gi vay a", Regime.QD25),
    ("Theo cách chấm cũ, xã phải được bao nhiêu điểm?", Regime.QD25),
    ("Hồi còn huyện, ai ký cái giấy công nhận xã đạt chuẩn?", Regime.QD25),
    ("nhom 1 moi co may muc, ke ra giup em", Regime.QD27),
    ("Bây giờ hết mấy ông huyện rồi thì ai xét công nhận xã?", Regime.QD27),
])
def test_a_newcomers_words_for_the_old_and_the_new_rules(reader, text, regime):
    assert reader.read(text).regime.regime is regime


def test_a_group_numbered_is_a_criterion_but_a_group_of_people_is_not(reader):
    assert reader.read("nhóm thứ nhất trong bảng điểm cũ").refs == (CriterionRef(1),)
    assert reader.read("tổ hòa giải có nhóm 5 người").refs == ()


def test_a_subject_not_held_is_not_caught_where_its_guard_is_found(tmp_path):
    # `unless` keeps every pattern of a topic from matching a question that speaks of the assessment.
    synonyms = tmp_path / "synonyms.yaml"
    synonyms.write_text("abbreviations: {}\nnot_held:\n  - topic: luật hòa giải\n"
                        "    unless: '\\bchi\\s*tieu\\b'\n"
                        "    patterns: ['\\bhoa\\s*giai\\s*vien\\b']\n    notice: n\n", encoding="utf-8")
    (topic,) = load_lexicon(synonyms).not_held
    assert topic.matches("hoa giai vien can tieu chuan gi")
    assert not topic.matches("hoa giai vien duoc tinh o chi tieu nao")


def test_the_communes_a_text_names_are_read_lists_included():
    from knowledge.query import units_named
    text = "8 đơn vị giữ nguyên (phường Tân Lộc; các xã Trường Long, Thạnh Phú và Lai Hòa). Xã mới, phường."
    assert units_named(text) == ["Tân Lộc", "Trường Long", "Thạnh Phú", "Lai Hòa"]


@pytest.mark.parametrize("said, written", [
    ("nam hai khong hai ba tu cham duoc bay muoi tam diem ruoi", "nam 2023 tu cham duoc 78.5 diem"),
    ("hai nghin khong tram hai muoi ba", "2023"),
    ("tong duoc tam muoi lam diem, tc hai bon muoi lam phan tram", "tong duoc 85 diem, tc hai 45 phan tram"),
    ("hoi dong muoi hai nguoi, hop co bay nguoi", "hoi dong 12 nguoi, hop co 7 nguoi"),
    ("quyet dinh hai lam hai khong hai mot", "quyet dinh 25 2021"),
    ("thong tu khong chin", "thong tu 09"),
    ("quyet dinh sau mot chin", "quyet dinh 619"),
    ("chi tieu hai cham nam", "chi tieu 2.5"),
    ("nhap ngay mot thang bay", "nhap ngay 1/7"),
    ("niem yet ba ngay, bi khong diem", "niem yet 3 ngay, bi 0 diem"),
    # words that only sound like numbers stay words
    ("bay gio sau ngay 15 tu ngay 1 ba con gop y", "bay gio sau ngay 15 tu ngay 1 ba con gop y"),
    ("thong tu tu phap, ke hoach hai nam", "thong tu tu phap, ke hoach hai nam"),
    ("muoi nam", "10 nam"),  # ten years, not fifteen
])
def test_numbers_said_aloud_are_read_as_figures(said, written):
    assert spoken_numbers(said) == written


def test_a_dictated_case_is_judged(reader):
    s = reader.read("xa toi nam hai khong hai ba tu cham duoc bay muoi tam diem ruoi vay co dat chuan khong"
                    ).situation
    assert s is not None and s.year == 2023 and s.self_score == 78.5


@pytest.mark.parametrize("message, meant", [
    # a correction: what it names replaces the same kind of reference before it, what it disowns is dropped
    ("Tiêu chí 2 của QĐ 25 có mấy chỉ tiêu... à nhầm, ý em là tiêu chí 3 chứ không phải 2 ạ",
     "của QĐ 25 có mấy chỉ tiêu... tiêu chí 3"),
    ("muc II.4.c ai chu tri vay... a nham, II.4.d moi dung", "muc ai chu tri vay... II.4.d moi dung"),
    ("ý em hỏi là QĐ 27 khác QĐ 25 chỗ nào, chứ không phải hỏi ngày ký", "QĐ 27 khác QĐ 25 chỗ nào,"),
    # the chat around a question: the assistant addressed, a forward's label, a quote's label and echo
    ("@Trợ lý pháp luật hạn nộp hồ sơ năm 2024?", "hạn nộp hồ sơ năm 2024?"),
    ("[Chuyển tiếp] Công văn của Sở — xã mình phải làm gì", "Công văn của Sở — xã mình phải làm gì"),
    ("> Chị Lan hỏi: niêm yết mấy ngày? — em cũng hỏi giống chị Lan, xã em năm 2024",
     "niêm yết mấy ngày? — , xã em năm 2024"),
    # no correction, no chat: the message as it is
    ("xã em chấm nhầm điểm chỉ tiêu 2.5 thì sao", "xã em chấm nhầm điểm chỉ tiêu 2.5 thì sao"),
    ("tính điểm Hội đồng chứ không phải điểm tự chấm đúng không",
     "tính điểm Hội đồng chứ không phải điểm tự chấm đúng không"),
])
def test_a_chat_message_is_read_as_its_writer_means_it(message, meant):
    assert as_asked(message) == meant


@pytest.mark.parametrize(("message", "stem"), [
    ("Văn bản nào hướng dẫn QĐ 25 là:\nA. TT 07/2017\nB. TT 09/2021\nC. TT 15/2025\nD. TT 08/2025",
     "Văn bản nào hướng dẫn QĐ 25 là:"),
    ("nam 2026 cham theo van ban nao? a. qd 25/2021 b. qd 27/2025 c. qd 619/2017",
     "nam 2026 cham theo van ban nao?"),
    ("Câu 1: X là: (A) một (B) hai (C) ba\nCâu 2: Y là?\nA) 1\nB) 2\nC) 3\nEm chọn B",
     "Câu 1: X là: Câu 2: Y là? Em chọn B"),
    # a clause's points and two options are no quiz
    ("Điểm a) b) c) khoản 3 Điều 4 nói gì?", None),
    ("Chọn A. hay B. đúng?", None),
])
def test_a_quiz_items_stem_is_read_without_its_options(message, stem):
    assert quiz_stem(message) == stem


@pytest.mark.parametrize(("message", "asked"), [
    # how to answer and when it is needed are no part of the question
    ("Chuẩn cũ với chuẩn mới khác nhau chỗ nào, nói ngắn gọn giùm tui",
     "Chuẩn cũ với chuẩn mới khác nhau chỗ nào,"),
    ("qđ 25 vs qđ 27 khác gì, tóm tắt giúp e vs, mai e report sếp", "qđ 25 vs qđ 27 khác gì,"),
    # a summary of something named is a question
    ("Tiêu chí 1 gồm gì, tóm tắt kế hoạch của tỉnh", "Tiêu chí 1 gồm gì, tóm tắt kế hoạch của tỉnh"),
])
def test_how_and_when_to_answer_are_asides(message, asked):
    assert without_asides(message) == asked
