"""The answer engine on the shipped handbook: diacritics, typos, abbreviations, regimes, declining."""

import unicodedata

import pytest

from bot.config import Settings
from bot.wiring import load_checked
from handlers.answers import answer
from knowledge.engine import Outcome
from knowledge.query import Reader
from knowledge.schema import Regime
from knowledge.text import fold


@pytest.fixture(scope="module")
def engine():
    return load_checked(Settings(_env_file=None))[1]


def test_with_and_without_diacritics_find_the_same_entry(engine):
    a = engine.ask("Điều kiện công nhận xã đạt chuẩn tiếp cận pháp luật theo Quyết định 25/2021")
    b = engine.ask("dieu kien cong nhan xa dat chuan tiep can phap luat theo quyet dinh 25/2021")
    assert a.found and b.found and a.entry.id == b.entry.id == "qd25-dieu-kien"


def test_nfd_input_and_old_tone_placement_are_understood(engine):
    nfc = engine.ask("tiêu chí hòa giải ở cơ sở gồm những chỉ tiêu nào")
    nfd = engine.ask(unicodedata.normalize("NFD", "tiêu chí hoà giải ở cơ sở gồm những chỉ tiêu nào"))
    assert nfc.found and nfd.found and nfc.entry.id == nfd.entry.id


def test_exact_accented_match_scores_higher_than_folded(engine):
    accented = engine.ask("Hội đồng đánh giá chuẩn tiếp cận pháp luật cấp huyện gồm những ai")
    folded = engine.ask(fold("Hội đồng đánh giá chuẩn tiếp cận pháp luật cấp huyện gồm những ai"))
    assert accented.entry.id == folded.entry.id
    assert accented.score > folded.score


def test_typos_are_tolerated(engine):
    r = engine.ask("dieu kein cong nhan xa dat chuaan theo qd25")
    assert r.found and r.entry.id == "qd25-dieu-kien"


@pytest.mark.parametrize("typed, meant", [
    ("QĐ 27 kác QĐ 25 chỗ nào", "qd27-khac-biet"),  # a dropped letter: "khác", not "mác"
    ("Hướng dẫn chi tết QĐ 27 nằm ở thông tư số mấy", "tt15-gioi-thieu"),  # "chi tiết": a known pair
    ("Hồ sơ đánh giá năm 2026 xã em vẫn gửi Phòng Tư pháp như mọi năm phải khng ạ?", "qd27-gui-ho-so"),
    ("qd 27 co hieu lu tu ngay nao", "qd27-hieu-luc"),  # two letters, corrected by their neighbour
])
def test_a_typo_is_corrected_by_its_context(engine, typed, meant):
    r = engine.ask(typed)
    assert r.found and r.entry.id == meant


def test_a_mistyped_word_does_not_hide_an_indicator(engine):
    r = engine.ask("chỉ tiu thứ nhất của tiêu chí 3 quy định mới")
    assert r.found and r.entry.id == "qd27-tc3-ct1"


def test_a_mistyped_word_does_not_hide_a_situation_or_make_one(engine):
    r = engine.ask("Năm 2023 tổng đim của xã em là 84, tiêu chí nào cũng trên 50% thì có đạt không")
    assert r.verdict is not None and "84" in r.verdict.text
    r = engine.ask("hoi dong danh gia chuan cua huyen co 12 nguooi, hop co 8 nguoi du, vay du ty le hop chua")
    assert r.verdict is None and r.entry.id == "qd25-hoi-dong-hop"


def test_abbreviations_are_expanded(engine):
    r = engine.ask("ubnd huyen phai ra qd cong nhan xa dat chuan tcpl truoc ngay nao")
    assert r.found
    assert r.entry.id.startswith("qd25-")


@pytest.mark.parametrize("question", [
    "thời tiết Cần Thơ ngày mai thế nào",
    "giá vàng hôm nay bao nhiêu",
    "thủ tục đăng ký kết hôn cần giấy tờ gì",
    "cách nấu canh chua cá lóc",
    "🙂🙂🙂",
    "",
    "asdfgh qwerty zxcv",
])
def test_out_of_scope_questions_are_declined(engine, question):
    r = engine.ask(question)
    assert not r.found and r.entry is None


def test_a_declined_answer_says_what_the_bot_can_answer(engine):
    a = answer(engine, "giá lúa hôm nay")
    assert not a.found and "tiếp cận pháp luật" in a.reply.text and "/tieuchi" in a.reply.text


@pytest.mark.parametrize("text, regime", [
    ("theo QĐ 25/2021 thì sao", Regime.QD25),
    ("thong tu 09/2021 quy dinh mau nao", Regime.QD25),
    ("đánh giá năm 2023", Regime.QD25),
    ("hội đồng cấp huyện", Regime.QD25),
    ("qd 27 co may tieu chi", Regime.QD27),
    ("Thông tư 15/2025/TT-BTP", Regime.QD27),
    ("có bao nhiêu tiêu chí", None),
])
def test_regime_detection(text, regime):
    assert Reader().read(text).regime.regime is regime


def test_without_a_regime_the_rules_in_force_answer(engine):
    r = engine.ask("điều kiện để xã được công nhận đạt chuẩn tiếp cận pháp luật")
    assert r.found and r.entry.id.startswith("qd27-")


def test_naming_the_old_decision_gets_its_answer_with_the_replacement_warning(engine):
    a = answer(engine, "theo quyết định 25/2021 có mấy tiêu chí, bao nhiêu chỉ tiêu")
    assert a.found and a.entry_id.startswith("qd25-")
    assert "đã được thay thế bởi Quyết định 27/2025/QĐ-TTg" in a.reply.text


def test_current_answers_never_carry_old_figures(engine):
    a = answer(engine, "điều kiện công nhận theo quyết định 27/2025")
    assert a.found and a.entry_id.startswith("qd27-")
    for old in ("80 điểm", "10/01", "10/02", "100 điểm"):
        assert old not in a.reply.text


def test_every_handbook_answer_cites_its_source(engine):
    for e in engine.entries:
        a = answer(engine, e.questions[0])
        if a.found:
            assert a.citations and a.reply.note and a.reply.note.startswith("Căn cứ:")


def test_handbook_phrasings_find_their_own_entry(engine):
    # A sanity floor, not the yardstick (that is tests/eval): the handbook's own phrasings must work.
    total = hits = 0
    for e in engine.entries:
        for q in e.questions:
            total += 1
            r = engine.ask(q)
            # An answer from the rules in force with the old rule after it states the old entry too.
            stated = {r.entry.id, r.previous.id if r.previous else None} if r.found else set()
            hits += e.id in stated or (r.outcome is Outcome.AMBIGUOUS and any(
                c.entry.id == e.id for c in r.candidates))
    assert hits / total >= 0.9


# ---------------------------------------------------------------- the families of issue 9


def test_after_the_district_level_ended_the_rules_in_force_answer(engine):
    a = answer(engine, "sau khi bỏ cấp huyện thì ai công nhận xã đạt chuẩn tiếp cận pháp luật")
    assert a.found and a.entry_id == "qd27-tham-quyen"
    assert "cấp tỉnh" in a.reply.text and "Sở Tư pháp" in a.reply.text


def test_a_situation_gets_a_verdict_its_reason_and_the_citation(engine):
    a = answer(engine, "xã em năm 2023 được 78 điểm, các tiêu chí đều trên 50%, có đạt không")
    assert a.found and a.entry_id == "qd25-dieu-kien"
    assert a.reply.text.startswith("Chưa đủ điều kiện công nhận theo QĐ 25/2021: tổng 78 điểm")
    assert "Điều 4 Quyết định 25/2021/QĐ-TTg" in a.reply.note
    assert "đã được thay thế" in a.reply.text  # a replaced rule says so


def test_a_situation_naming_no_year_gets_the_rules_in_force_then_the_old_rule_labelled(engine):
    a = answer(engine, "tổng 86 điểm nhưng tiêu chí 3 chỉ đạt 40% thì có đạt chuẩn không")
    current, previous = a.reply.text.split("\n\n")[:2]
    assert current.startswith("Theo quy định hiện hành") and "không thể kết luận" in current
    assert previous.startswith("Theo quy định trước đây") and "đã được thay thế" in previous
    assert "tiêu chí 3 chỉ đạt 40%" in previous


def test_a_situation_under_the_rules_in_force_is_not_guessed(engine):
    r = engine.ask("Năm 2026 chủ tịch UBND phường em bị khiển trách, vậy phường còn được công nhận không ạ?")
    assert r.found and r.entry.id == "qd27-dieu-kien" and r.previous_verdict is None
    assert "không thể kết luận" in r.verdict.text


def test_a_question_naming_no_regime_gets_the_rule_in_force_then_the_replaced_one(engine):
    a = answer(engine, "hạn nộp hồ sơ đề nghị công nhận là ngày nào")
    assert a.entry_id == "qd27-gui-ho-so"
    text = a.reply.text
    assert text.index("Theo quy định hiện hành") < text.index("Theo quy định trước đây")
    assert "sổ tay chưa có thông tin đã xác minh" in text.lower() and "10/01" in text
    sentences = [s.strip() for s in text.replace("\n", " ").split(". ") if s.strip()]
    assert len(sentences) == len(set(sentences))  # nothing said twice


def test_an_indicator_of_a_named_regime_is_answered_by_that_indicator_only(engine):
    for q, want in [("chỉ tiêu 2.5 theo qd25 là gì", "qd25-tc2-ct5"), ("CT 2.5 QĐ 27 là gì", "qd27-tc2-ct5"),
                    ("chỉ tiêu thứ năm tiêu chí hai theo quyết định mới", "qd27-tc2-ct5"),
                    ("chỉ tiêu 4.3 QĐ 25 là gì", "qd25-tc4-ct3")]:
        r = engine.ask(q)
        assert r.found and r.entry.id == want, q


def test_an_indicator_that_does_not_exist_is_answered_by_what_does(engine):
    r = engine.ask("Theo QD 25/2021 chi tieu 1.3 quy dinh nhu the nao a?")
    assert r.found and r.entry.id == "qd25-tc1"  # which says criterion 1 has only two indicators
    r = engine.ask("Chỉ tiêu 4.1 theo QĐ 27 là gì ạ?")
    assert r.found and r.entry.id == "qd27-tieu-chi"


def test_an_indicator_question_is_not_refused_by_the_out_of_scope_list(engine):
    r = engine.ask("chỉ tiêu 1.2 QĐ 27 có liên quan quy trình soạn thảo văn bản không")
    assert r.found and r.entry.id == "qd27-tc1-ct2"


@pytest.mark.parametrize("question", [
    "tieu chi moi truong trong nong thon moi yeu cau ty le thu gom rac bao nhieu phan tram",
    "Tiêu chuẩn công nhận gia đình văn hóa gồm những gì",
    "xã đạt chuẩn quốc gia về y tế cần mấy tiêu chí",
    "Xã em muốn được công nhận 'An toàn về an ninh, trật tự' thì hồ sơ gồm những gì",
    "hồ sơ cấp giấy chứng nhận quyền sử dụng đất lần đầu gồm những gì",
    "lệ phí đăng ký khai sinh là bao nhiêu",
    "mức phạt vi phạm hành chính khi không đội mũ bảo hiểm",
    "Tiêu chí đô thị văn minh gồm những gì",
    "Khóm em muốn được công nhận 'Khóm văn hóa'. Hồ sơ gồm những gì, nộp cho ai?",
    "Bộ chỉ số phục vụ người dân, doanh nghiệp trong giải quyết TTHC chấm điểm thế nào?",
])
def test_near_domain_questions_are_declined_with_a_pointer(engine, question):
    a = answer(engine, question)
    assert not a.found and "không thuộc chuẩn tiếp cận pháp luật" in a.reply.text


@pytest.mark.parametrize("question", [
    "Xã em được 85 điểm chuẩn y tế thì có đạt không?",
    "Xã em đạt 9/10 tiêu chí xã văn minh rồi, có được công nhận không?",
    "xã đạt 85 điểm phòng chống thiên tai có được công nhận không",
])
def test_a_case_described_in_another_schemes_terms_is_declined_not_judged(engine, question):
    r = engine.ask(question)
    assert r.outcome == Outcome.OUT_OF_SCOPE and r.pointer


def test_a_case_that_only_mentions_a_near_subject_is_still_judged(engine):
    r = engine.ask("Năm 2023 chủ tịch UBND xã bị kỷ luật khiển trách vì sai phạm quản lý đất đai, "
                   "xã tự chấm 91 điểm thì có được công nhận không?")
    assert r.found and r.verdict is not None and r.entry.id == "qd25-dieu-kien"


def test_a_criterion_no_regime_has_is_another_sets(engine):
    r = engine.ask("tiêu chí số 9 nhà ở dân cư yêu cầu gì")
    assert r.outcome == Outcome.OUT_OF_SCOPE
    r = engine.ask("tiêu chí 6 là tiêu chí gì")  # only the number: the answer says how many there are
    assert r.found and r.entry.id in {"qd27-tieu-chi", "qd25-tieu-chi"}


def test_a_near_subjects_short_name_is_never_corrected_into_a_handbook_word(engine):
    # "ntm" is one letter from "năm": read as "tiêu chí năm", the question named criterion 5 of this standard.
    r = engine.ask("Thu nhập bình quân bao nhiêu triệu thì đạt tiêu chí NTM?")
    assert r.outcome is Outcome.OUT_OF_SCOPE and r.pointer
    assert engine.read("đạt tiêu chí NTM").reading.refs == ()


@pytest.mark.parametrize("question", [
    "Xã không đạt chuẩn tcpl thì công chức xã có bị đánh giá xếp loại thấp không",
    "xep loai cong chuc tu phap co can xa dat chuan tiep can phap luat khong",
])
def test_how_civil_servants_are_rated_is_declined_though_it_names_the_standard(engine, question):
    r = engine.ask(question)
    assert r.outcome is Outcome.OUT_OF_SCOPE and "nội vụ" in (r.pointer or "")


@pytest.mark.parametrize("question, pointer", [
    ("Chỉ tiêu 5.4 QĐ 25 lấy kết quả xã an toàn về an ninh, trật tự, vậy xã an toàn về an ninh trật tự cần "
     "những tiêu chuẩn gì?", "Công an"),
    ("Tiêu chí 5 QĐ 25 có khiếu nại, cho hỏi thời hạn giải quyết khiếu nại lần đầu là bao nhiêu ngày?",
     "khiếu nại"),
    # "ct" is read as "chỉ tiêu": the question is still cut where it was typed
    ("ct 5.4 qd 25 lay ket qua xa an toan ve anh ninh trat tu, vay xa an toan ve an ninh trat tu can "
     "nhung tieu chuan gi", "Công an"),
    ("Xã em đạt chuẩn tiếp cận pháp luật năm 2024 rồi, giờ muốn lên đô thị văn minh thì cần những tiêu "
     "chí gì?", "đô thị"),
])
def test_another_laws_question_after_the_standards_context_is_declined(engine, question, pointer):
    # The indicator is the context; what is asked after "vậy", "cho hỏi" belongs elsewhere.
    r = engine.ask(question)
    assert r.outcome is Outcome.OUT_OF_SCOPE and pointer in (r.pointer or "")


def test_a_near_subject_asked_with_the_standard_only_in_brackets_is_declined(engine):
    r = engine.ask("tiêu chuẩn xã an toàn về an ninh, trật tự (chỉ tiêu 5.4 QĐ 25) gồm những gì")
    assert r.outcome is Outcome.OUT_OF_SCOPE and "Công an" in (r.pointer or "")
    # … while an indicator asked outright, its subject in brackets, is answered
    r = engine.ask("chỉ tiêu 5.4 QĐ 25 (an toàn về an ninh, trật tự) chấm thế nào")
    assert r.found and r.entry.id == "qd25-tc5-ct4"


def test_the_standards_question_after_its_context_is_still_answered(engine):
    r = engine.ask("Chỉ tiêu 2.5 QĐ 25 có chấm tỷ lệ hòa giải viên được bồi dưỡng, vậy QĐ 27 có chỉ tiêu đó "
                   "không?")
    assert r.found


def test_staffing_is_declined_though_the_question_names_the_rules(engine):
    r = engine.ask("theo QĐ 27 xã mới sau sáp nhập được bao nhiêu biên chế công chức tư pháp hộ tịch")
    assert r.outcome is Outcome.OUT_OF_SCOPE and "nội vụ" in (r.pointer or "")


@pytest.mark.parametrize("question", [
    "Năm 2026 mỗi phường được cấp bao nhiêu kinh phí để xây dựng phường đạt chuẩn?",
    "Dự toán của tỉnh bố trí cho việc xây dựng xã, phường đạt chuẩn tiếp cận pháp luật năm tới là bao nhiêu?",
])
def test_an_amount_of_funds_is_not_held(engine, question):
    r = engine.ask(question)
    assert r.outcome is Outcome.NOT_HELD and "mức chi" in (r.notice or "")


@pytest.mark.parametrize("question", [
    "Kế hoạch của tỉnh Sóc Trăng bố trí tổng cộng bao nhiêu tiền để thực hiện?",
    "ke hoach soc trang cap cho moi xa bao nhieu tien",
])
def test_the_plans_funds_asked_as_an_amount_are_answered_with_what_the_plan_says(engine, question):
    # No amount is held, which the answer says first; the plan's item on funds says where they come from.
    r = engine.ask(question)
    assert r.found and r.entry.id == "kh-iii-2" and "mức chi" in (r.notice or "")


@pytest.mark.parametrize("question", [
    "KH 11/KH-STP của Cần Thơ bố trí kinh phí bao nhiêu?",  # another plan, named by its number
    "Kế hoạch của tỉnh Bạc Liêu bố trí bao nhiêu tiền?",  # another province's plan
    "Theo kế hoạch của tỉnh thì tuyên truyền viên được phụ cấp bao nhiêu một tháng?",  # a person's pay
])
def test_amounts_of_other_plans_and_of_pay_stay_not_held(engine, question):
    assert engine.ask(question).outcome is Outcome.NOT_HELD


def test_the_time_limits_of_the_law_on_access_to_information_are_that_laws(engine):
    r = engine.ask("Theo Luật Tiếp cận thông tin thì xã có mấy ngày để trả lời công dân?")
    assert r.outcome is Outcome.NOT_HELD


@pytest.mark.parametrize("question", [
    "tuyển công chức văn hóa xã hội ở phường cần bằng cấp gì",
    "luong pho chu tich xa sau sap xep he so bao nhieu",
])
def test_recruitment_and_pay_are_home_affairs(engine, question):
    r = engine.ask(question)
    assert r.outcome is Outcome.OUT_OF_SCOPE and "nội vụ" in (r.pointer or "")


def test_a_named_communes_score_is_not_held(engine):
    r = engine.ask("xã Long Phú năm ngoái được bao nhiêu điểm chuẩn tcpl vậy bot")
    assert r.outcome is Outcome.NOT_HELD and "Long Phú" in (r.notice or "")
    # … while the score a commune needs is a rule
    assert engine.ask("năm 2024 xã phải được bao nhiêu điểm thì đạt chuẩn").found


def test_a_forms_file_is_not_sent_but_a_text_is_described(engine):
    r = engine.ask("gửi em bản word Mẫu 02 TT 09 với")
    assert r.outcome is Outcome.NOT_HELD and "toàn văn" in (r.notice or "")
    assert engine.ask("xin file tt15 với ạ").found


def test_a_learning_community_is_education_not_this_standard(engine):
    r = engine.ask("Xã muốn được công nhận cộng đồng học tập cấp xã cần những tiêu chí gì")
    assert r.outcome is Outcome.OUT_OF_SCOPE and "giáo dục" in (r.pointer or "")


def test_broadcasting_times_are_no_fine(engine):
    # "phát bao nhiêu lần" typed without diacritics has the letters of "phạt bao nhiêu" (a fine)
    r = engine.ask("neu niem yet bang loa truyen thanh xa thi phai phat bao nhieu lan?")
    assert r.found and r.entry.id in {"qd27-niem-yet", "qd25-niem-yet"}
    assert engine.ask("lấn chiếm vỉa hè thì bị phạt bao nhiêu tiền").outcome is Outcome.OUT_OF_SCOPE


def test_a_near_subject_typed_with_diacritics_must_match_them(engine):
    # "đánh giá đạt" folds to the letters of "giá đất", but it is not about land prices.
    assert engine._near_domain("xã tự đánh giá đạt hết chỉ tiêu") is None
    assert engine._near_domain("tranh chấp đất đai ở xã") is not None
    assert engine._near_domain("tranh chap dat dai o xa") is not None  # no diacritics: letters alone
    assert engine._near_domain("tranh chấp dat dai ở xã") is not None  # partly typed without them
    # A tone mark left out is a slip, the vowel marks still count: "hiêu" is "hiệu", "đat" is not "đất".
    assert engine._near_domain("Thời hiêu khiếu nại là bao nhiêu ngày") is not None
    assert engine._near_domain("xã tự đánh gia đat hết chỉ tiêu") is None


@pytest.mark.parametrize("question", [
    "hòa giải thương mại có bắt buộc trước khi kiện không",
    "hòa giải viên lao động được bổ nhiệm thế nào",
    "e hỏi xã loại 1 thì được thêm biên chế tư pháp không",
])
def test_other_mediation_and_staffing_are_declined_with_a_pointer(engine, question):
    r = engine.ask(question)
    assert r.outcome == Outcome.OUT_OF_SCOPE and r.pointer


@pytest.mark.parametrize("question", [
    "hạn chót quyết toán thuế TNCN năm nay",
    "chỉ giùm cách nấu bún riêu cua",
    "hợp đồng thử việc tối đa bao nhiêu ngày",
])
def test_everyday_subjects_are_declined_though_typo_correction_finds_handbook_words(engine, question):
    assert not engine.ask(question).found


@pytest.mark.parametrize("question", [
    "thủ tục xác nhận tình trạng hôn nhân",
    "trình tự bầu trưởng thôn",
    "đường trục xã phải nhựa hóa bao nhiêu phần trăm",
    "Luật Thực hiện dân chủ ở cơ sở có hiệu lực khi nào",
])
def test_civil_status_village_heads_rural_roads_and_laws_themselves_are_not_answered(engine, question):
    assert not engine.ask(question).found


def test_a_question_on_the_rules_is_answered_by_the_rules_not_by_the_plan(engine):
    r = engine.ask("Năm 2024 khảo sát mức độ hài lòng của người dân chỉ 65% thì xã có bị trượt chuẩn không?")
    assert r.found and r.entry.id == "qd25-hai-long"  # not the plan's survey task (II.7.b)
    r = engine.ask("Kế hoạch của tỉnh: khảo sát sự hài lòng của người dân bao lâu làm một lần?")
    assert r.found and r.entry.id == "kh-ii-7b"


def test_a_question_naming_a_guidance_decision_is_about_that_decision(engine):
    r = engine.ask("QĐ 1143 bắt mô hình PBGDPL điển hình phải đạt điểm tối đa "
                   "các chỉ tiêu 3, 4, 5, 6 tiêu chí 2 hả")
    assert r.found and r.entry.id == "qd25-1143"


@pytest.mark.parametrize("question", [
    "Xã Phú Tâm đạt chuẩn tiếp cận pháp luật năm nào?",
    "Huyện Mỹ Xuyên năm 2022 có mấy xã đạt chuẩn tiếp cận pháp luật?",
    "Thành phố Cần Thơ năm 2025 có bao nhiêu xã đạt chuẩn tiếp cận pháp luật?",
    "can tho nam 2024 ti le xa phuong dat chuan tcpl la bao nhieu",  # "tỉ lệ xã … đạt"
    "Kết quả đánh giá chuẩn TCPL năm 2024 của tỉnh Hậu Giang ra sao?",
    "Em ở UBND xã Kế Sách (Cần Thơ). Sếp giao em làm báo cáo so sánh kết quả chuẩn tiếp cận pháp luật của "
    "huyện Kế Sách cũ qua các năm 2022, 2023, 2024. Anh chị cho em xin số xã đạt chuẩn của huyện Kế Sách.",
])
def test_results_of_a_named_place_come_only_from_entries_that_give_its_results(engine, question):
    r = engine.ask(question)
    assert r.outcome == Outcome.NOT_HELD and "không có số liệu" in (r.notice or "")


def test_a_share_of_cases_is_no_request_for_figures(engine):
    r = engine.ask("phường e năm 2026 tỷ lệ hòa giải thành được 75% có đạt chỉ tiêu 3.2 ko ạ")
    assert r.found and r.entry.id == "qd27-tc3-ct2"


@pytest.mark.parametrize("question", [
    "Địa chỉ Sở Tư pháp thành phố Cần Thơ ở đâu?",
    "Phần mềm đánh giá chuẩn tiếp cận pháp luật tải ở đâu?",
    "Có phần mềm nào để xã nhập kết quả tự đánh giá không?",
    "Báo Sóc Trăng được giao nhiệm vụ tuyên truyền trong kế hoạch không?",
])
def test_contacts_software_downloads_and_agencies_the_plan_never_names_are_not_held(engine, question):
    assert engine.ask(question).outcome == Outcome.NOT_HELD


def test_an_agencys_tasks_are_not_taken_for_its_field(engine):
    r = engine.ask("Hội Nông dân tỉnh được giao nhiệm vụ gì trong kế hoạch?")
    assert r.outcome == Outcome.NOT_HELD and "không nêu tên Hội Nông dân tỉnh" in (r.notice or "")


def test_the_provinces_plan_is_this_standards_though_the_question_names_a_near_subject(engine):
    r = engine.ask("Tham mưu hỗ trợ địa bàn khó khăn chưa đạt chuẩn, gắn với chương trình nông thôn mới, "
                   "trong kế hoạch giao cho ai?")
    assert r.found and r.entry.id == "kh-ii-2b"
    r = engine.ask("theo kế hoạch nông thôn mới năm nay xã phải đạt mấy tiêu chí")  # another plan
    assert r.outcome == Outcome.OUT_OF_SCOPE


def test_a_typo_in_the_criterion_word_still_names_the_indicator(engine):
    r = engine.ask("chỉ tiêu 7 của tiiêu chí 2 mới là gì vậy")
    assert r.found and r.entry.id == "qd27-tc2-ct7"


@pytest.mark.parametrize("question, status", [
    ("hội đồng chấm xã em 79 điểm mà xã tự chấm 83, năm 2024, vậy có được công nhận không", "not_met"),
    ("Xã tôi năm 2024 đạt 90 điểm, không ai bị kỷ luật, các tiêu chí đều trên một nửa số điểm, "
     "vậy có đạt không?", "met"),
    ("tổng điểm 81 điểm, tiêu chí 4 đạt 45% điểm tối đa, năm 2023", "not_met"),  # told, not asked
    ("chủ tịch UBND xã bị truy cứu trách nhiệm hình sự năm 2024, tổng điểm 92", "not_met"),
])
def test_situations_written_every_which_way_get_a_verdict(engine, question, status):
    r = engine.ask(question)
    assert r.found and r.verdict is not None and r.verdict.status == status


def test_a_party_sanction_is_not_read_as_the_administrative_discipline_condition(engine):
    r = engine.ask("Năm 2024 bí thư đảng ủy xã bị khiển trách về đảng (không phải kỷ luật hành chính), "
                   "xã được 88 điểm thì có đạt không?")
    assert r.verdict is None or r.verdict.status != "not_met"


def test_asking_which_indicator_a_subject_counts_under_is_in_scope(engine):
    r = engine.ask("Quy trình soạn thảo nghị quyết của HĐND xã thuộc chỉ tiêu nào?")
    assert r.found and r.entry.id == "qd27-tc1-ct2"


def test_the_access_to_law_criterion_of_the_new_rural_set_stays_in_scope(engine):
    r = engine.ask("Tiêu chí 16 tiếp cận pháp luật của xã nông thôn mới nâng cao hướng dẫn ở quyết định nào")
    assert r.found and r.entry.id == "qd25-1143"


def test_an_agency_the_plan_never_names_is_said_plainly(engine):
    a = answer(engine, "Sở Y tế có nhiệm vụ gì trong kế hoạch thực hiện QĐ 25 của tỉnh Sóc Trăng ạ?")
    assert not a.found and "không nêu tên Sở Y tế" in a.reply.text
    assert [e.id for e in a.suggestions] == ["kh-co-quan-khac"]
    # … while a question on who does something gets its answer, with the same remark.
    a = answer(engine, "Theo kế hoạch Sóc Trăng, ai chủ trì biểu dương, khen thưởng, "
                       "Sở Nội vụ có được giao không?")
    assert a.found and a.entry_id == "kh-ii-8" and "không nêu tên Sở Nội vụ" in a.reply.text


@pytest.mark.parametrize("question", [
    "phuong tan loc co bi sap nhap ko",  # lower case, no diacritics: known from the answer that names it
    "Xã Thới Hưng có bị nhập với xã khác không?",
])
def test_a_commune_the_handbook_names_is_answered_by_the_entry_naming_it(engine, question):
    r = engine.ask(question)
    assert r.found and r.entry.id == "reform-can-tho-103"


def test_a_place_the_handbook_has_no_figures_for_is_said_plainly(engine):
    a = answer(engine, "Tỉnh Nghệ An năm 2023 có bao nhiêu xã đạt chuẩn tiếp cận pháp luật?")
    assert not a.found and "không có số liệu về Nghệ An" in a.reply.text
    r = engine.ask("Năm 2023 tỉnh Lào Cai có bao nhiêu xã đạt chuẩn tiếp cận pháp luật?")
    assert r.found and r.entry.id == "qd25-ket-qua-tinh"


def test_what_the_handbook_does_not_hold_is_declined(engine):
    for q in ["Giám đốc Sở Tư pháp Sóc Trăng năm 2021 là ai ạ?",
              "Dân số và diện tích TP Cần Thơ mới là bao nhiêu?",
              "Mức chi thù lao cho hòa giải viên mỗi vụ việc là bao nhiêu tiền?",
              # (the plan's amount is answered with what the plan says of funds: see the plan's funds)
              "Năm 2026 mỗi xã được cấp bao nhiêu tỷ đồng để làm chuẩn tiếp cận pháp luật?"]:
        assert not engine.ask(q).found, q
    r = engine.ask("năm 2023 bao nhiêu tỷ lệ xã đạt chuẩn")  # a rate, not an amount
    assert r.found and r.entry.id == "qd25-ket-qua"


def test_a_long_question_gets_its_main_answer_and_suggestions_for_the_rest(engine):
    q = ("Dạ em chào anh chị, em mới nhận bàn giao việc chuẩn tiếp cận pháp luật. Theo QĐ 25 thì hội đồng "
         "đánh giá cấp huyện có tối đa bao nhiêu thành viên? Còn hồ sơ đề nghị công nhận gồm những gì ạ?")
    r = engine.ask(q)
    assert r.found and {r.entry.id, *(e.id for e in r.other_parts)} >= {"qd25-hoi-dong", "qd25-ho-so"}


def test_the_context_of_a_long_message_is_not_what_it_asks(engine):
    # "Em là chủ tịch UBND xã" alone matches the chairmen's duties; the question is about the council.
    r = engine.ask("Em là chủ tịch UBND xã. Theo QĐ 25 hội đồng đánh giá cấp huyện họp thế nào thì hợp lệ?")
    assert r.found and r.entry.id in ("qd25-hoi-dong", "qd25-hoi-dong-hop")
    assert "qd25-trach-nhiem-tinh" not in {e.id for e in r.other_parts}
    # A greeting and a remark are neither the answer nor a suggestion.
    r = engine.ask("Dạ em chào anh chị. Tỉnh em chưa có văn bản gì về việc này. Năm 2026 xã em nộp hồ sơ đề "
                   "nghị công nhận cho cơ quan nào ạ?")
    assert r.found and r.entry.id == "qd27-gui-ho-so" and not r.other_parts


def test_a_result_that_is_not_an_answer_is_declined_for_other_sources(engine):
    r = engine.ask("asdfgh qwerty zxcv")
    assert r.declined and not r.found


def test_a_situation_under_the_old_rules_said_in_words_is_judged_by_them_alone(engine):
    r = engine.ask("theo quy định cũ xã em được 78 điểm thì có đạt không")
    assert r.entry.id == "qd25-dieu-kien" and r.previous is None and "80 điểm" in r.verdict.text


def test_a_standard_or_title_the_handbook_does_not_know_is_declined(engine):
    # No list names these: "công nhận" is shared with the handbook, what follows it is not.
    for q in ["điều kiện công nhận nghệ nhân ưu tú gồm những gì",
              "Điều kiện công nhận cựu thanh niên xung phong"]:
        a = answer(engine, q)
        assert not a.found and "không thuộc chuẩn tiếp cận pháp luật" in a.reply.text, q
    assert engine.ask("công nhận hòa giải viên thuộc chỉ tiêu nào theo QĐ 27").found
    # A body the handbook does not know is declined too; words it uses everywhere are not a title.
    assert not engine.ask("Điều kiện thành lập hợp tác xã là gì?").found
    # No list names fire safety or "friendly government"; a word one letter from the handbook's
    # ("cháy") is not taken for a typo unless its neighbour confirms it.
    for q in ["Điều kiện để xã được công nhận đạt chuẩn quốc gia về phòng cháy chữa cháy?",
              "Tiêu chí đánh giá chính quyền thân thiện với người dân?"]:
        assert engine.ask(q).outcome is Outcome.OUT_OF_SCOPE, q
    assert engine.ask("tieu chi cu voi tieu chi moi khac nhau ra sao").found
    r = engine.ask("Điểm để xét công nhận là điểm xã tự chấm hay điểm hội đồng?")
    assert r.found and r.entry.id == "qd25-diem-tham-dinh"


@pytest.mark.parametrize("question", [
    "quyet dinh cong nhan ky xong thi phai dang cong thong tin trong bao lau",
    "Quyết định công nhận của huyện ký ngày 05/02, đăng cổng thông tin ngày 09/02 có đúng hạn không?",
])
def test_who_signs_a_recognition_and_when_starts_no_other_title(engine, question):
    r = engine.ask(question)
    assert r.found and r.off_topic is None


@pytest.mark.parametrize("question", [
    "Hòa giải viên được hưởng thù lao bao nhiêu một vụ?",  # an amount of money
    "Luật phổ biến giáo dục pháp luật có bao nhiêu chương?",  # the make-up of a law
    "Tổ hòa giải ở thôn có tối thiểu mấy hòa giải viên theo luật?",  # what a law provides
])
def test_what_no_entry_states_is_declined_though_entries_share_its_words(engine, question):
    assert engine.ask(question).outcome is Outcome.NOT_HELD


def test_a_law_whose_provisions_the_handbook_states_is_answered(engine):
    r = engine.ask("Theo luật ban hành văn bản quy phạm pháp luật, từ khi nào xã được ban hành nghị quyết?")
    assert r.found and r.entry.id == "reform-vbqppl-cap-xa"


def test_a_named_criterion_keeps_the_other_criteria_out(engine):
    r = engine.ask("tc3 qd27 gom nhung ct nao")
    assert r.found and r.entry.criterion == 3


def test_the_district_said_to_be_gone_asks_about_the_rules_in_force(engine):
    r = engine.ask("Cấp huyện không còn thì chủ tịch UBND huyện có còn ký quyết định công nhận không?")
    assert r.found and r.entry.id == "qd27-tham-quyen"


def test_a_year_or_place_a_title_names_decides_between_close_entries(engine):
    r = engine.ask("năm 2026 thì đánh giá theo văn bản nào")
    assert r.found and r.entry.id == "qd27-nam-2026"
    # Cần Thơ's plan for 2026 does not answer for Hà Nội.
    r = engine.ask("Hà Nội có kế hoạch chuẩn tiếp cận pháp luật năm 2026 không?")
    assert r.found and r.entry.id == "qd27-trien-khai-tinh"


def test_a_long_message_whose_question_is_ambiguous_is_asked_back_not_answered_by_its_context(engine):
    r = engine.ask("Xã em mới sáp nhập từ 3 xã. Năm 2026 đánh giá chuẩn tiếp cận thì lấy số liệu của xã cũ "
                   "thế nào ạ?")
    assert r.entry is None or not r.entry.id.startswith("reform-")  # the merger is context
    if r.outcome is Outcome.AMBIGUOUS:
        assert {c.entry.id for c in r.candidates} & {"qd27-ky-danh-gia", "qd27-nam-2026"}


def test_an_everyday_word_does_not_decline_a_question_on_where_something_counts(engine):
    r = engine.ask("Tôi là trưởng ấp. Ấp tôi có lập nhóm Zalo để gửi tin tuyên truyền pháp luật cho bà con. "
                   "Cho hỏi việc này có dính tới chỉ tiêu chuyển đổi số trong bộ chuẩn mới không?")
    assert r.found and r.entry.id == "qd27-tc2-ct5"
    assert engine.ask("cách tạo nhóm zalo").outcome is Outcome.OUT_OF_SCOPE


@pytest.mark.parametrize("question, expected", [
    ("quyết định mới số mấy", "qd27-gioi-thieu"),  # its number, not a criterion "số mấy"
    ("thông tư hướng dẫn mới số mấy", "tt15-gioi-thieu"),
])
def test_the_number_of_the_new_texts_is_asked_tersely(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


def test_every_phrasing_of_the_handbook_is_answered_or_shows_its_entry(engine):
    # A pattern for what the handbook does not hold must not catch the handbook's own questions ("dùng mẫu
    # số mấy" is no local decision's number, "bị kỷ luật" no law); an agency the plan never names is not
    # held, with the entry that lists the named ones shown.
    for e in engine.entries:
        for q in e.questions:
            r = engine.ask(q)
            assert r.found or e.id in {c.entry.id for c in r.candidates}, (q, r.outcome, r.notice)


def test_a_criterion_and_its_indicator_are_no_ambiguity(engine):
    # Both state the answer: the criterion lists its indicators, the indicator names its criterion.
    r = engine.ask("Danh mục thông tinh phải được công khai là chỉ tiêu mấy trong TC2 mới?")
    assert r.found and r.entry.id in {"qd27-tc2", "qd27-tc2-ct1"}


def test_number_words_name_criteria_even_next_to_a_typo(engine):
    # "bốn" is never "corrected" into a handbook word, and "tiêu chí ba…" needs the whole word "ba".
    r = engine.ask("chỉ tiêu thứ ba tieeu chí bốn của QĐ 25 là gì")
    assert r.found and r.entry.id == "qd25-tc4-ct3"


def test_a_criterion_only_the_replaced_rules_have_is_answered_from_them_with_the_rules_in_force_shown(engine):
    # No regime named; QĐ 27 has three criteria, so "tiêu chí số 5" is QĐ 25's, and the reply points to
    # the criteria in force.
    r = engine.ask("tieu chi so 5 gom nhung chi tieu nao vay a")
    assert r.found and r.entry.id == "qd25-tc5"
    assert r.current is not None and r.current.id == "qd27-tieu-chi"


@pytest.mark.parametrize("question", [
    "tiêu chí số bốn trong QĐ 25 nói về cái gì, gồm mấy chỉ tiêu",
    "tieu chi so bon trong qd 25 noi ve cai gi, gom may chi tieu",
])
def test_the_criterion_named_answers_though_another_shares_the_rest_of_the_words(engine, question):
    # Criterion 3's phrasing "… gồm mấy chỉ tiêu?" shares every other word of the question.
    r = engine.ask(question)
    assert r.found and r.entry.id == "qd25-tc4"


@pytest.mark.parametrize("question, expected", [
    ("tiêu chí số 1 bộ tiêu chí mới có mấy chỉ tiêu", "qd27-tc1"),  # the criterion named, not the overview
    ("tieu chi thu ba trong bo tieu chi moi ten la gi", "qd27-tc3"),  # a criterion and nothing else asked
    ("QĐ 27 mấy tiêu chí mấy chỉ tiêu vậy", "qd27-tieu-chi"),  # a count of criteria: no single criterion
])
def test_a_named_criterion_or_a_count_of_criteria_finds_its_entry(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


def test_a_set_told_by_its_size_is_answered_from_its_text(engine):
    r = engine.ask("có người bảo chuẩn tiếp cận pháp luật có 5 tiêu chí 25 chỉ tiêu, có đúng vậy không")
    assert r.found and r.entry.id in {"qd25-khac-619", "qd25-tieu-chi"}


def test_whether_an_old_text_still_holds_is_answered_by_the_replacement(engine):
    r = engine.ask("Bây giờ xét công nhận căn cứ văn bản nào, còn Quyết định 25 không?")
    assert r.found and r.entry.id in {"qd27-thay-the", "qd27-gioi-thieu", "qd27-nam-2026"}


def test_a_comparison_is_answered_by_the_entries_about_both_regimes(engine):
    r = engine.ask("QĐ 27 khác QĐ 25 chỗ nào, tóm tắt giúp mình vài ý")
    assert r.found and r.entry.both_regimes


@pytest.mark.parametrize("question", [
    "hòa giải viên cần tiêu chuẩn gì, bao nhiêu tuổi",  # the law on mediation, not the standard
    "tổ hòa giải phải có tối thiểu bao nhiêu người",
    "tranh chấp nào không được hòa giải ở cơ sở",
    "tuyên truyền viên pháp luật cần điều kiện gì",
    "tủ sách pháp luật ở ấp cần những loại sách gì",
    "dự thảo quyết định của UBND xã ai thẩm định",
    "Luật Phổ biến, giáo dục pháp luật quy định các hình thức nào",
    "tiêu chí 17 nông thôn mới về môi trường gồm gì, có liên quan tiếp cận pháp luật không",
    "bộ tiêu chí nông thôn mới 2026-2030 có tiêu chí tiếp cận pháp luật không",
    "dịch giúp tên chỉ tiêu chuẩn tiếp cận pháp luật sang tiếng Anh",
    "giải nhì cuộc thi tìm hiểu pháp luật được chi tối đa bao nhiêu",
    "chế độ cho tuyên truyền viên pháp luật",
    "kinh phí hỗ trợ vụ việc hòa giải bao nhiêu một vụ",  # an amount, not indicator 3.2
    "xã đạt chuẩn tiếp cận pháp luật thì có được thưởng tiền không",  # an amount of reward
    "trang web của Sở Tư pháp là gì",
    "Số hiệu công văn của Bộ Tư pháp hướng dẫn đánh giá chuẩn tiếp cận pháp luật năm 2024 là gì?",
    "Số hiệu quyết định của Chủ tịch UBND TP Cần Thơ công nhận xã phường đạt chuẩn năm 2026 là gì?",
    "bộ trưởng bộ tư pháp hiện nay là ai",
    "Mỗi thôn phải có tối thiểu bao nhiêu tuyên truyền viên pháp luật?",  # the law, not indicator 2.5
    "Quyết định công nhận xã Kế Sách đạt chuẩn TCPL năm 2023 số mấy?",
    "Số quyết định thành lập Hội đồng đánh giá chuẩn TCPL huyện Mỹ Xuyên năm 2023 là số mấy?",
    "Chị cán bộ phụ trách chuẩn TCPL ở Sở Tư pháp Cần Thơ tên gì vậy?",
    "Tiêu chí tiếp cận pháp luật thì em nắm rồi. Cả bộ tiêu chí xã NTM nâng cao có bao nhiêu tiêu chí?",
    "Dự thảo nghị quyết HĐND xã là VBQPPL thì phải lấy ý kiến tối thiểu bao nhiêu ngày?",  # the law's
    "Năm 2026 Sở Tư pháp Cần Thơ tập huấn QĐ 27 cho xã vào ngày nào?",  # a local calendar
    "Bao giờ Sở Tư pháp Cần Thơ tập huấn TT 15 cho các xã, phường?",
    "Kinh phí hỗ trợ hòa giải ở cơ sở của xã em năm nay được cấp bao nhiêu?",  # an amount
    "Theo bạn bộ tiêu chí mới có hình thức quá không, có nên bỏ luôn chuẩn này?",  # the bot's own view
])
def test_what_the_handbook_does_not_hold_is_declined_though_it_shares_its_words(engine, question):
    assert engine.ask(question).outcome is Outcome.NOT_HELD


@pytest.mark.parametrize("question", [
    "Theo Hướng dẫn số 5 của Sở thì xã nộp hồ sơ khi nào?",  # "dẫn số" is not "dân số"
    "quyet dinh moi ve xa dat chuan tiep can phap luat so bao nhieu, thong tu huong dan so may",
    # a website told as the source, not asked for
    "E thấy 1 trang web ghi QĐ 27 là quyết đinh của Bộ trưởng Bộ Tư pháp, vậy có đúng k?",
    # which law: the reform entry says
    "Từ sau 1/7/2025 UBND xã em bắt đầu ban hành văn bản quy phạm pháp luật. Cho em hỏi quy định xã ban "
    "hành VBQPPL là theo luật nào?",
])
def test_a_subject_not_held_is_not_read_across_the_words_of_another(engine, question):
    r = engine.ask(question)
    assert r.outcome is not Outcome.NOT_HELD and r.entry is not None


def test_the_law_said_in_passing_does_not_turn_a_question_on_indicators_into_one_on_the_law(engine):
    r = engine.ask("Năm 2026 xã em có 12 tổ hòa giải, 3 tổ chưa đủ thành phần theo luật. Nhận 40 vụ việc, "
                   "hòa giải 36 vụ, thành 30 vụ. Vậy chỉ tiêu 3.1 và 3.2 em có đạt không, tỷ lệ tính sao?")
    assert r.found and r.entry.id in {"qd27-tc3-ct1", "qd27-tc3-ct2"}


@pytest.mark.parametrize("question", [
    "dân số xã em bao nhiêu", "dan so tinh can tho bao nhieu", "dan so cua tinh can tho bao nhieu",
])
def test_population_asked_with_or_without_diacritics_is_not_held(engine, question):
    assert engine.ask(question).outcome is Outcome.NOT_HELD


@pytest.mark.parametrize("question, expected", [
    ("tỷ lệ tuyên truyền viên được bồi dưỡng bao nhiêu thì chỉ tiêu 2.5 theo QĐ 25 được điểm",
     {"qd25-tc2-ct5", "tt09-ct25-muc-cham"}),
    ("chỉ tiêu hỗ trợ kinh phí hòa giải QĐ 25 được tối đa bao nhiêu điểm",
     {"qd25-tc3-ct2", "tt09-diem-chi-tieu"}),
    ("dự thảo văn bản quy phạm pháp luật của xã có phải truyền thông khi soạn thảo không",
     {"qd27-tc1-ct2", "qd27-tc1"}),
])
def test_the_standard_on_the_same_subjects_is_still_answered(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id in expected


def test_the_councils_appraisal_of_a_draft_report_is_not_the_appraisal_of_a_draft_rule(engine):
    r = engine.ask("dự thảo báo cáo tự đánh giá của xã được hội đồng thẩm định thế nào")
    assert r.outcome is not Outcome.NOT_HELD


def test_results_of_indicators_under_the_rules_in_force_get_no_guessed_verdict(engine):
    r = engine.ask("Năm 2026 phường em rà lại: 1.1 đạt 100%, 1.3 đạt 80%, hòa giải thành 10/12 vụ. Vậy "
                   "phường có đạt chuẩn tiếp cận pháp luật không?")
    assert r.found and r.entry.id == "qd27-dieu-kien" and r.verdict is not None
    assert r.verdict.status.value == "rules_unconfirmed"


def test_a_question_pointing_back_asks_about_what_the_message_told(engine):
    # The last sentence asks nothing of its own; the plan copied from the old rules is what is asked about,
    # not who is asking.
    r = engine.ask("Em ở Sở Tư pháp tỉnh mới sau sáp nhập. Dự thảo kế hoạch năm 2026 bên em chép từ kế hoạch "
                   "cũ, vẫn giao Phòng Tư pháp cấp huyện và hạn trước 10/01. Như vậy có ổn không?")
    assert r.found and r.entry.id in {"reform-ke-hoach-cu", "kh-sau-sap-xep-2025", "reform-cap-huyen"}


def test_a_pronoun_says_nothing_of_the_topic(engine):
    # "nó thay cho quyết định nào": "nó" is no unknown word that would lower the question's coverage.
    assert engine.coverage(["hieu", "luc", "no", "thay"]) == engine.coverage(["hieu", "luc", "thay"])


def test_what_the_standard_is_is_answered_by_the_text_in_force(engine):
    r = engine.ask("chuẩn tiếp cận pháp luật là gì")  # not the council named after the standard
    assert r.found and r.entry.id == "qd27-gioi-thieu"


def test_a_year_of_the_old_rules_is_answered_from_them_not_from_a_comparison(engine):
    r = engine.ask("Quyết định 25/2021 ra đời thì thay cho văn bản cũ nào")  # not the comparison's answer
    assert r.found and r.entry.id == "qd25-thay-the-619"


def test_whether_an_old_text_still_holds_is_read_through_a_typo(engine):
    r = engine.ask("quyet dinh 25 con hieu lu khong vay")  # "hiệu lu": still asks whether it is in force
    assert r.found and r.entry.id == "qd27-thay-the"


@pytest.mark.parametrize("question, expected", [
    ("Tiêu chí 4 trong kế hoạch giao cho ai chủ trì", "kh-ii-4d"),
    ("ke hoach tinh giao ai huong dan tieu chi 5 (tiep cong dan, khieu nai)", "kh-ii-4dd"),
    ("Tiêu chí hòa giải (TC3) trong kế hoạch thực hiện QĐ 25 giao cơ quan nào chủ trì", "kh-ii-4c"),
])
def test_a_criterion_asked_of_the_plan_is_the_plans_solution_for_it(engine, question, expected):
    # The plan's section II.4 gives each criterion of QĐ 25 its lead: the criterion is what the task is
    # about, not what is asked.
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


@pytest.mark.parametrize("question, expected", [
    ("mục 4 đ kế hoạch ai chủ trì", "kh-ii-4dd"),  # only section II has a 4.đ
    ("mục 1.c kế hoạch giao ai", "kh-iii-1c"),  # only section III has a 1.c
])
def test_a_plan_item_said_without_its_section_is_found_in_the_one_that_has_it(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


@pytest.mark.parametrize("question", [
    "Điền giúp em biểu mẫu báo cáo tự đánh giá chuẩn tiếp cận pháp luật nhé",
    "lập giùm kế hoạch phổ biến giáo dục pháp luật của xã năm sau",
    "Giúp chị soạn tờ trình đề nghị công nhận xã đạt chuẩn",
    "nộp hộ em hồ sơ chuẩn tiếp cận pháp luật lên Sở Tư pháp luôn nha",
    "Soạn cho em báo cáo tự đánh giá chuẩn tiếp cận pháp luật",
    "Viết cho anh một bài tuyên truyền ngắn về chuẩn tiếp cận pháp luật nhé",
    "Soạn bài phát biểu khai mạc hội nghị về chuẩn tiếp cận pháp luật",
    "Dự thảo phát biểu triển khai QĐ 27 em viết được nửa trang, viết tiếp giúp em phần còn lại",
    "ghi chép họp xét chuẩn tiếp cận: thống nhất gửi hồ sơ. Anh chuyển giúp thành biên bản hoàn chỉnh",
    "làm hộ e kế hoạch PBGDPL 2026 của xã vs ad",  # "e" is "em"
])
def test_a_task_to_do_is_declined_though_it_names_the_standard(engine, question):
    r = engine.ask(question)
    assert r.outcome is Outcome.NOT_HELD and "không soạn, điền" in (r.notice or "")


@pytest.mark.parametrize("question, expected", [
    ("Tóm tắt giúp em các mốc thời hạn đánh giá chuẩn năm 2024", "qd25-thoi-han"),  # asks for the rules
    # "lập hồ sơ" is no request
    ("UBND xã lập hồ sơ đề nghị công nhận gồm những gì theo QĐ 25", "qd25-ho-so"),
    # "soạn hồ sơ" neither: the dossier is asked about
    ("Năm 2024 soạn hồ sơ đề nghị công nhận gồm những gì", "qd25-ho-so"),
])
def test_a_question_with_a_word_of_help_is_still_answered(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


def test_making_the_commune_reach_the_standard_is_no_task_to_do(engine):
    assert engine.ask("làm thế nào cho xã đạt chuẩn tiếp cận pháp luật").outcome is not Outcome.NOT_HELD


@pytest.mark.parametrize("question", [
    "Thông tin của bot lấy từ nguồn nào, cập nhật đến khi nào",
    "bot có lưu câu hỏi của em lại không",
    "Cho em xin toàn văn Quyết định 27/2025 với",
    "Xin toàn văn Thông tư 09/2021 kèm phụ lục",
    "Cấp thông tin cho dân theo yêu cầu thì UBND xã thu phí được không",
    "Xã được công nhận nông thôn mới thì có được cộng điểm tiếp cận pháp luật không",
    "Chỉ đường giúp em đến Sở Tư pháp",
])
def test_what_is_no_question_on_the_standard_is_declined_though_it_names_it(engine, question):
    assert engine.ask(question).outcome is Outcome.NOT_HELD


def test_adding_up_points_is_no_bonus(engine):
    r = engine.ask("tổng cộng điểm các tiêu chí theo QĐ 25 tối đa là bao nhiêu")
    assert r.found and r.entry.id == "qd25-diem-so"


def test_another_standard_asked_besides_this_one_is_declined(engine):
    r = engine.ask("Xã muốn đạt nông thôn mới nâng cao thì phải làm những tiêu chí nào ngoài tiêu chí "
                   "tiếp cận pháp luật")
    assert r.outcome is Outcome.OUT_OF_SCOPE
    # This standard asked about within that set is still answered.
    assert engine.ask("Tiêu chí tiếp cận pháp luật trong xã nông thôn mới nâng cao do văn bản nào "
                      "hướng dẫn").found


@pytest.mark.parametrize("question", [
    "Thời hạn giải quyết khiếu nại lần hai của Chủ tịch UBND tỉnh là bao lâu",
    "Người tố cáo được bảo vệ như thế nào",
    "Xã có cần chứng nhận ISO 9001 không",
    "thôn đạt khu dân cư an toàn về an ninh trật tự cần gì",
    "Tổ trưởng tổ hòa giải nhiệm kỳ bao lâu",
    "Thời hiệu khiếu nại quyết định hành chính của chủ tịch xã là bao nhiêu ngày?",
    "mô hình chính quyền thân thiện vì nhân dân chấm điểm ra sao",
    "công chức tư pháp xã cần có bằng cử nhân luật không",
    "Luật Phổ biến giáo dục pháp luật quy định dạy pháp luật trong trường phổ thông mỗi năm bao nhiêu tiết?",
    "tiêm phòng gia súc ở xã do ai phụ trách",
    "xã được cộng bao nhiêu điểm khi xử lý nước thải đạt chuẩn",
])
def test_near_subjects_of_other_laws_are_declined(engine, question):
    assert engine.ask(question).outcome in (Outcome.OUT_OF_SCOPE, Outcome.NOT_HELD)


def test_complaints_about_the_assessment_are_still_answered(engine):
    r = engine.ask("Người dân khiếu nại kết quả đánh giá chuẩn tiếp cận pháp luật theo QĐ 25 thì ai "
                   "giải quyết")
    assert r.found and r.entry.id == "qd25-khieu-nai"


def test_democracy_at_the_grassroots_is_criterion_4_not_mediation(engine):
    r = engine.ask("QĐ 25 chấm phần dân chủ ở cơ sở qua mấy chỉ tiêu, cụ thể là gì")
    assert r.found and r.entry.id == "qd25-tc4"


def test_a_tail_suspecting_someone_points_back_at_what_was_told(engine):
    r = engine.ask("Năm 2023 xã mình chưa đủ điều kiện công nhận mà huyện vẫn bắt gửi báo cáo. Vậy đúng hay "
                   "họ làm khó đấy?")
    assert r.found and r.entry.id == "qd25-xa-chua-dat"


def test_who_drafted_the_circular_is_answered_by_its_introduction(engine):
    r = engine.ask("Cục nào của Bộ Tư pháp soạn TT 15/2025?")
    assert r.found and r.entry.id == "tt15-gioi-thieu"


@pytest.mark.parametrize("question", [
    "Kế hoạch năm 2026 của Hà Nội về chuẩn tiếp cận pháp luật số mấy",
    "Cà Mau có kế hoạch triển khai QĐ 27 chưa, số mấy",
])
def test_another_provinces_plan_is_found_where_the_handbook_speaks_of_it(engine, question):
    r = engine.ask(question)
    assert r.found and r.entry.id == "qd27-trien-khai-tinh"  # not the Sóc Trăng plan nor Cần Thơ's


@pytest.mark.parametrize("question", [
    "Bộ tiêu chí mới có tính chuyển đổi số không",
    "bộ mới có chấm chuyển đổi số không, em làm trang thông tin điện tử tuyên truyền có được tính không",
])
def test_digital_transformation_in_the_new_set_is_its_indicator(engine, question):
    r = engine.ask(question)
    assert r.found and r.entry.id == "qd27-tc2-ct5"


def test_may_before_a_handbook_word_is_how_many_when_typed_without_diacritics(engine):
    r = engine.ask("can tho moi la gop may tinh lai vay")  # "mấy tỉnh", not "máy tính"
    assert r.found and r.entry.id == "reform-can-tho"
    assert not engine.ask("may tinh cua em bi hu roi").found


@pytest.mark.parametrize("question, expected", [
    ("tt09 hok con ap dung nua ha", "qd27-thay-the"),  # "hok": không
    ("trc day ai cong nhan xa dat chuan", "qd25-quyet-dinh-cong-nhan"),  # "trc": trước
])
def test_chat_abbreviations_are_read(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


def test_a_letters_formulas_are_no_topic_words(engine):
    q = engine.read("Kính gửi Quý Sở Tư pháp. Đề nghị cho biết hạn niêm yết theo TT 09. Trân trọng cảm ơn.")
    assert not {"kinh", "gui", "de", "nghi", "tran", "trong"} & set(q.toks)
    # "đề nghị" said of the dossier is the handbook's own word
    assert {"de", "nghi"} <= set(engine.read("hồ sơ đề nghị công nhận gồm gì").toks)


def test_which_legal_text_governs_the_standard_asked_formally(engine):
    r = engine.ask("văn bản quy phạm pháp luật nào hiện hành quy định việc công nhận xã phường đạt chuẩn "
                   "tiếp cận pháp luật, có thông tư hướng dẫn không")
    assert r.found and r.entry.id == "qd27-gioi-thieu"


def test_the_access_to_law_criterion_of_the_new_rural_set_written_with_so_is_in_scope(engine):
    r = engine.ask("tiêu chí số 16 của xã nông thôn mới nâng cao do văn bản nào hướng dẫn")
    assert r.found and r.entry.id == "qd25-1143"


def test_an_answer_that_speaks_of_the_place_asked_about_does_not_say_it_holds_nothing_on_it(engine):
    r = engine.ask("Hà Nội năm 2026 có kế hoạch riêng về chuẩn tiếp cận pháp luật không")
    assert r.found and r.entry.id == "qd27-trien-khai-tinh" and r.notice is None
    # Figures of a place whose results the handbook lacks are still declined.
    figures = engine.ask("Năm 2023 Cần Thơ có bao nhiêu xã đạt chuẩn tiếp cận pháp luật")
    assert figures.outcome is Outcome.NOT_HELD


@pytest.mark.parametrize("question, expected", [
    ("Từ 01/7/2025 chính quyền địa phương còn mấy cấp vậy bot", "reform-hai-cap"),  # the bot addressed
    ("Xã thu phí cung cấp thông tin thì chỉ tiêu 2.3 có bị trừ điểm không", "qd27-tc2-ct3"),  # an indicator
])
def test_the_bot_addressed_or_a_fee_within_an_indicator_is_still_answered(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("đánh giá năm 2021 thì làm theo quyết định nào", "qd25-chuyen-tiep"),  # still QĐ 619
    ("Kết quả năm 2023 áp dụng văn bản nào để chấm?", "qd25-hieu-luc"),
    ("năm 2026 chấm theo QĐ 25 hay QĐ 27", "qd27-nam-2026"),
    ("kết quả năm 2025 chấm theo quyết định cũ hay mới", "qd27-nam-2025"),  # the rules said as old or new
    ("năm 2024 theo quy định cũ hay mới", "qd25-hieu-luc"),
])
def test_which_rules_score_a_named_year(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


def test_a_sentence_that_says_what_the_questions_are_about_is_context(engine):
    # "Cho mình hỏi về …." announces the subject; the questions marked "?" are what is asked.
    r = engine.ask("Cho em hỏi về hội đồng đánh giá theo QĐ 25. Hội đồng họp khi có bao nhiêu thành viên? "
                   "Biên bản do ai ký?")
    assert r.found and r.entry.id == "qd25-hoi-dong-hop"


def test_criterion_16_on_culture_is_the_new_rural_sets_not_access_to_law(engine):
    r = engine.ask("tiêu chí 16 văn hóa nông thôn mới cần bao nhiêu % thôn đạt chuẩn văn hóa")
    assert r.outcome is Outcome.OUT_OF_SCOPE
    r = engine.ask("tiêu chí 16 xã nông thôn mới nâng cao do văn bản nào hướng dẫn")
    assert r.found and r.entry.id == "qd25-1143"


def test_the_procedure_of_issuing_legal_documents_is_another_subject(engine):
    r = engine.ask("ubnd xa ban hanh quyet dinh qppl thi co phai dang cong bao ko")
    assert r.outcome is Outcome.OUT_OF_SCOPE
    r = engine.ask("chỉ tiêu 1.2 QĐ 27 có liên quan quy trình soạn thảo văn bản không")
    assert r.found and r.entry.id == "qd27-tc1-ct2"


def test_figures_of_a_year_the_handbook_has_no_results_for_are_not_held(engine):
    r = engine.ask("năm 2025 cả nước có bao nhiêu xã đạt chuẩn theo QĐ 27")
    assert r.outcome is Outcome.NOT_HELD and "năm 2025" in (r.notice or "")
    assert [c.entry.id for c in r.candidates] == ["qd25-ket-qua"]  # the results it does hold
    r = engine.ask("năm 2024 cả nước bao nhiêu xã đạt chuẩn tiếp cận pháp luật")
    assert r.found and r.entry.id == "qd25-ket-qua"


def test_the_indicators_of_a_criterion_are_listed_by_the_criterions_entry(engine):
    r = engine.ask("tiêu chí 5 cũ gồm những chỉ tiêu nào vậy mn")
    assert r.found and r.entry.id == "qd25-tc5"


def test_an_article_no_entry_cites_is_not_answered_with_another(engine):
    r = engine.ask("Điều 4 của QĐ 27/2025 quy định nội dung gì?")
    assert r.outcome is Outcome.NOT_HELD and "Điều 4" in (r.notice or "")
    assert [c.entry.id for c in r.candidates] == ["qd27-gioi-thieu"]
    r = engine.ask("Điều 2 QĐ 27/2025 quy định gì ạ?")  # an article the handbook cites is answered
    assert r.found and r.entry.id == "qd27-muc-dich"


@pytest.mark.parametrize("question, expected", [
    ("Điều 9 của QĐ 25/2021 quy định chuyển tiếp như thế nào?", "qd25-chuyen-tiep"),  # cited at Điều 8
    ("Điều kiện công nhận nằm ở Điều 4 của QĐ 27 đúng không?", "qd27-dieu-kien"),
])
def test_a_subject_asked_with_an_article_not_held_is_answered_after_saying_so(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected and "chưa có nội dung Điều" in (r.notice or "")


@pytest.mark.parametrize("question", [
    "Tập huấn cho cán bộ tham mưu đánh giá xã đạt chuẩn bao lâu một lần?",  # the plan's task
    "theo kế hoạch khi nào tập huấn",
    "Việc phổ biến, quán triệt QĐ 25 thực hiện khi nào?",
    "theo bạn thì tiêu chí 1 gồm mấy chỉ tiêu",  # only polite
])
def test_the_plans_trainings_and_a_polite_theo_ban_are_still_answered(engine, question):
    assert engine.ask(question).found


def test_how_discipline_is_imposed_is_declined_but_a_disciplined_head_is_judged(engine):
    asked = engine.ask("Chủ tịch xã vi phạm thì bị kỷ luật theo những hình thức nào, nghị định nào quy định?")
    assert asked.outcome is Outcome.OUT_OF_SCOPE and "nội vụ" in (asked.pointer or "")
    case = engine.ask("chủ tịch xã bị hình thức kỷ luật khiển trách năm 2024 thì xã có đạt chuẩn không")
    assert case.found and case.entry.id == "qd25-dieu-kien"


@pytest.mark.parametrize("question, expected", [
    ("Đề nghị cho biết tên đầy đủ của Tiêu chí V theo Quyết định 25/2021/QĐ-TTg.", "qd25-tc5"),
    ("Chỉ tiêu II.3 của bộ mới là cung cấp thông tin theo yêu cầu hay là công khai thông tin?",
     "qd27-tc2-ct3"),
    ("chi tieu thu nam tieu chi hai theo thong tu 09 cham diem the nao", "tt09-ct25-muc-cham"),
    ("cac tieu chii cua qd 25 gom nhung gi", "qd25-tieu-chi"),  # a doubled letter is no Roman "i"
])
def test_a_criterion_or_indicator_in_roman_numerals_or_words_ranks_as_in_figures(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


@pytest.mark.parametrize("question", ["chào ad", "ok e hiểu r", "cảm ơn ad nhiều"])
def test_chat_that_greets_or_closes_is_small_talk(engine, question):
    assert engine.ask(question).outcome is Outcome.SMALL_TALK


@pytest.mark.parametrize("question, expected", [
    ("ngày trước xã chia loại 1, loại 2, loại 3 lấy mốc 90, 80, 70 điểm đúng không", "qd25-khac-619"),
    ("năm 2022 chỗ thì ghi 93,8%, chỗ thì ghi 93,5% xã đạt chuẩn, tin số nào", "qd25-ket-qua"),
])
def test_figures_remembered_from_the_old_rules_and_the_press_get_their_source(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


@pytest.mark.parametrize("question", ["hi bot", "hi ad", "cam on tro ly nhieu nha", "chào trợ lý",
                                      "ad la nguoi hay bot z"])
def test_a_short_greeting_is_small_talk_not_a_handbook_word(engine, question):
    # "bot" is one letter from "bộ" (a set of criteria): read alone, it matched the criteria in force
    assert engine.ask(question).outcome is Outcome.SMALL_TALK


@pytest.mark.parametrize("question", ["3 nhóm mới là những nhóm gì vậy anh?",
                                      "bo chuan moi tap trung vao mang nao"])
def test_the_groups_of_the_new_set_are_its_criteria(engine, question):
    r = engine.ask(question)
    assert r.found and r.entry.id == "qd27-tieu-chi"


def test_thanks_are_answered_as_a_closing_and_a_greeting_with_what_the_bot_answers(engine):
    assert answer(engine, "ok e hiểu r, cảm ơn ad").reply.text.startswith("Rất vui được giúp bạn")
    assert answer(engine, "chào ad").reply.text.startswith("Xin chào")


def test_an_old_procedure_asked_under_the_new_rules_is_answered_from_them_not_by_the_old_rule(engine):
    # The old three working days are no answer for the rules in force, whose deadlines are not verified.
    r = engine.ask("Sở trả hồ sơ về thì theo quy định mới xã phải bổ sung trong mấy ngày?")
    assert r.found and r.entry.id == "qd27-thoi-han"


def test_whether_old_forms_still_serve_in_2026_is_answered_by_the_forms_in_force(engine):
    r = engine.ask("Năm 2026 tụi em còn xài mấy mẫu 01 tới 10 của TT 09 được hông?")
    assert r.found and r.entry.id == "tt15-bieu-mau"


def test_a_replaced_rule_given_for_the_rules_in_force_says_they_are_unverified(engine):
    from handlers.answers import MSG_CURRENT_UNVERIFIED
    a = answer(engine, "Ai giải quyết khiếu nại về việc công nhận xã đạt chuẩn tiếp cận pháp luật theo quy "
                       "định hiện nay?")
    assert a.found and a.entry_id == "qd25-khieu-nai" and MSG_CURRENT_UNVERIFIED in a.reply.text


@pytest.mark.parametrize("question", [
    "Lào Cai năm 2022 có bao nhiêu xã đạt chuẩn?",  # the handbook holds Lào Cai's 2023 figures only
    "thanh hoa nam 2024 dat chuan bao nhieu %",
    "Năm 2021 cả nước có bao nhiêu xã đạt chuẩn tiếp cận pháp luật?",  # national figures are 2022–2024
    "Năm 2024 thành phố Cần Thơ (cũ) đạt chuẩn bao nhiêu phần trăm?",
    "Kết quả khảo sát sự hài lòng của người dân tỉnh Sóc Trăng năm 2023 được bao nhiêu phần trăm?",
    "Phường Sóc Trăng hiện có bao nhiêu tuyên truyền viên pháp luật?",
    "Chủ tịch Hội đồng đánh giá chuẩn tiếp cận pháp luật của huyện Kế Sách năm 2024 là ai?",
    "Danh sách thành viên hội đồng đánh giá chuẩn của thị xã Vĩnh Châu gồm những ai?",
    "cho xin sdt phong pbgdpl so tu phap can tho",
    "Đề nghị cung cấp số, ngày ban hành Quyết định thành lập Hội đồng đánh giá chuẩn tiếp cận pháp luật "
    "huyện Châu Thành (Sóc Trăng).",
])
def test_figures_and_people_of_a_named_place_or_year_the_handbook_lacks_are_not_held(engine, question):
    assert engine.ask(question).outcome is Outcome.NOT_HELD


@pytest.mark.parametrize("question, expected", [
    ("Năm 2023 tỉnh Lào Cai có bao nhiêu xã đạt chuẩn", "qd25-ket-qua-tinh"),
    # the entry that says it holds no 2025 figures
    ("Năm 2025 cả nước có bao nhiêu xã đạt chuẩn tiếp cận pháp luật?", "qd25-ket-qua"),
    ("Cần Thơ mới có bao nhiêu xã, phường?", "reform-can-tho-103"),  # a count of units, no result
    ("Hội đồng đánh giá của huyện gồm những ai?", "qd25-hoi-dong"),  # by office, no place named
    ("Theo QĐ 25 người dân hài lòng phải đạt bao nhiêu phần trăm", "qd25-hai-long"),  # a rule, no figure
])
def test_what_the_handbook_holds_of_places_years_and_offices_is_still_answered(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


@pytest.mark.parametrize("question", [
    "Quy chế dân chủ trong doanh nghiệp phải có những nội dung gì?",
    "Thủ tục cấp chứng chỉ hành nghề luật sư gồm những giấy tờ gì?",
    "Xã đạt chuẩn 'An toàn về an ninh, trật tự' cần những điều kiện gì?",
    # "tiếp cận" of a building, not of the law, even beside the standard's name
    "Trụ sở UBND xã không có lối đi cho xe lăn, tôi vào không được. Vậy xã có vi phạm chuẩn tiếp cận không?",
    # the hook and the tilde mixed up, as most of the country says them alike
    "Năm 2026 tuyễn dụng công chức tư pháp - hộ tịch xã cần điều kiện, bằng cấp gì ạ?",
])
def test_more_near_subjects_are_declined_with_a_pointer(engine, question):
    r = engine.ask(question)
    assert r.outcome is Outcome.OUT_OF_SCOPE and r.pointer


@pytest.mark.parametrize("question, expected", [
    ("Theo luật sửa đổi năm 2025 thì từ ngày nào HĐND, UBND cấp xã ban hành nghị quyết, quyết định là văn "
     "bản QPPL?", "reform-vbqppl-cap-xa"),  # the amended law the reform entry states
    ("form số 7 trong TT 09 là cái gì vậy mn", "tt09-bieu-mau-huyen"),  # "Mẫu 07"
    ("cái vụ dán kết quả chấm ở ủy ban hồi trước phải để bao nhiêu ngày vậy anh", "qd25-niem-yet"),
    ("Hồi QĐ 25, cái chỉ tiêu số 3 của nhóm thứ hai là về việc gì vạy?", "qd25-tc2-ct3"),
    ("chỉ tiêu bảo đảm kinh phí, cơ sở vật chất cho phổ biến pháp luật (cũ) được mấy điểm", "qd25-tc2-ct6"),
    ("TT 09 con hieu luc ko", "qd27-thay-the"),  # whether the old text holds: what replaced it
    # the standard's own council, not a law's appraisal of a draft
    ("Tại sao quyết định mới bỏ luôn cái hội đồng thẩm định?", "qd27-hoi-dong"),
    # when the guidance starts to apply: the guidance's own entry, not the decision's unverified date
    ("thong tu 15 bat dau ap dung tu bao gio", "tt15-gioi-thieu"),
    # a count of criteria stated to be checked: the entry that counts them, not one criterion's
    ("QĐ 27 có 5 tiêu chí đúng không ad?", "qd27-tieu-chi"),
    ("qd 27 co 5 tieu chi phai ko", "qd27-tieu-chi"),
    # regional words of the Centre and the South carry no topic ("bựa ni", "chừ", "eng"; "tui", "hông")
    ("bựa ni 16/01/2024 mà xã chưa gửi hồ sơ đề nghị công nhận năm 2023 lên huyện, gửi còn kịp không eng?",
     "qd25-gui-ho-so"),
    ("Trợ giúp pháp lý giờ còn nằm chung với hòa giải như hồi trước hông?", "qd27-tc2-ct7"),
    # a work group's message: a correction, a quoted colleague's question taken up
    ("Cho em hỏi tiêu chí 2 của QĐ 25 có mấy chỉ tiêu... à nhầm, ý em là tiêu chí 3 chứ không phải 2 ạ",
     "qd25-tc3"),
    ("> Anh Phúc hỏi: xã mới hình thành từ thị trấn cũ thì QĐ 27 có áp dụng không? — em cũng hỏi giống anh "
     "Phúc, xã em trước sáp nhập là thị trấn ạ", "qd27-don-vi"),
    # how many must attend, asked beside a colleague's name and commune: the quorum rule, no one's staff
    ("3) chị Hoa xã Mỹ Tú hỏi hội đồng huyện năm 2024 họp cần bao nhiêu người dự", "qd25-hoi-dong-hop"),
    ("qđ 27 áp dụng cho cả thị trấn đúng ko ạ", "qd27-don-vi"),  # the units assessed, not what it replaced
    ("Đánh giá kết quả năm 2024 thì chấm theo văn bản mô hỉ?", "qd25-hieu-luc"),  # the Centre's "mô" (nào)
    # an indicator only the replaced rules have, in a message that says "mới" of something else
    ("tiêu chí 5 chỉ tiêu 2 là cái gì, em mới nhận việc nên chưa rõ", "qd25-tc5-ct2"),
    # what the answer is for, said after the question, is no part of it
    ("QĐ 27 mỗi chỉ tiêu bao nhiêu điểm vậy ạ, em muốn làm bảng excel tự chấm cho xã", "qd27-diem-so"),
    ("Hội thảo Bộ Tư pháp 19/5/2025 chỉ ra QĐ 25 có bất cập gì vậy ạ, em cần cho bài thu hoạch, có source "
     "càng tốt", "qd25-bat-cap"),
    # a number word mistyped after a criterion's word ("tiêu chí hia") is that number
    ("chỉ tiêu thứ năm tiêu chí hia là gì z, confirm giúp em", "qd27-tc2-ct5"),
    ("btw Sóc Trăng giờ sáp nhập vào đâu rồi ạ? từ ngày nào tính", "reform-can-tho"),  # not the plan
    # whether the replaced decision still holds: what replaced it, not what it replaced in 2021
    ("Quyết định 25 về chuẩn tiếp cận pháp luật còn áp dụng không", "qd27-thay-the"),
    ("ad oi chuan tiep can phap luat la cai gi vay, nghe loa xa doc hoai ma ko hieu", "qd27-gioi-thieu"),
    # an older official's courtesies say nothing of the subject
    ("Kính thưa quý cơ quan, Quyết định 25 năm 2021 bắt đầu có hiệu lực từ bao giờ, và thay cho văn bản nào "
     "ạ?", "qd25-hieu-luc"),
    ("kinh thua quy co quan, ba dieu kien cong nhan do phai dat ca ba hay dat hai trong ba la duoc?",
     "qd27-dieu-kien"),
    # what the standard is for, asked by a citizen: its purpose, not the conditions
    ("Xã đạt chuẩn tiếp cận pháp luật thì người dân như tôi được lợi gì? Hay chỉ để xã lấy thành tích?",
     "qd27-muc-dich"),
    ("Tiền đâu để làm mấy việc trong kế hoạch chuẩn tiếp cận pháp luật của Sóc Trăng?", "kh-iii-2"),  # funds
    # a complaint about the assessment ("bị kiến nghị") is no citizen's own lawsuit ("bị kiện")
    ("xã bị kiến nghị về kết quả chấm điểm năm 2024 thì giải quyết thế nào", "qd25-khieu-nai"),
    # English words young officials mix in
    ("3 dieu kien cong nhan xa dat chuan list nhanh giup em voi", "qd27-dieu-kien"),
    ("mẫu 09 với mẫu 10 ai lập vậy ạ, xã có liên quan ko, FYI em ở xã", "tt15-bieu-mau"),
    # where the asker works is no subject: not the entry on that city's plan
    ("Phường tui ở Cần Thơ, hồi trước thuộc Sóc Trăng. Năm 2026 làm hồ sơ chuẩn tiếp cận pháp luật thì còn "
     "gửi về Phòng Tư pháp huyện như hồi trước hông?", "reform-ke-hoach-cu"),
    # the points of the indicator on funds, not an amount of money
    ("diem toi da chi tieu 2.6 kinh phi co so vat chat pbgdpl la bao nhieu", "qd27-tc2-ct6"),
    # the plan's name ("kế hoạch … thực hiện QĐ 25") is not what is asked of it
    ("ke hoach cua tinh Soc Trang thuc hien QD 25 giao ai chu tri tap huan cho can bo tham muu danh gia, "
     "cong nhan vay", "kh-ii-3c"),
    ("ngưỡng để được công nhận hồi đánh giá 2022–2024 là gì vậy", "qd25-dieu-kien"),
    ("Đề nghị cho biết thời điểm Sở Tư pháp tỉnh Sóc Trăng tổ chức sơ kết 03 năm thực hiện Quyết định "
     "25/2021/QĐ-TTg.", "kh-ii-8"),
])
def test_a_testers_paraphrases_are_answered(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


def test_a_count_before_a_counted_noun_names_no_criterion(engine):
    question = "bộ tiêu chí ba nhóm hiện giờ là ba nhóm gì vậy anh"
    assert engine.read(question).reading.refs == ()
    assert engine.ask(question).outcome is not Outcome.OUT_OF_SCOPE


@pytest.mark.parametrize("question, expected", [
    ("Anh ơi cho em hỏi mấy ý nha. Bên em nghe nói QĐ 27 vẫn 5 tiêu chí 20 chỉ tiêu y chang cũ, chỉ đổi tên "
     "thôi. Có đúng vậy không anh? Nếu không thì bộ mới bỏ những mảng nào so với trước? Em cần gấp để báo "
     "cáo lãnh đạo.", {"qd27-khac-biet", "qd27-tieu-chi", "qd25-tieu-chi"}),
    ("a ơi e hỏi xíu. hồi đánh giá năm 2024 xã e niêm yết dự thảo báo cáo có 3 ngày là gỡ xuống, đài xã thì "
     "đọc 2 lần. vậy là thiếu đúng hông a? đúng ra phải làm sao? e sợ bị bắt lỗi", {"qd25-niem-yet"}),
])
def test_a_sentence_that_only_announces_questions_is_neither_asked_nor_context(engine, question, expected):
    # "cho em hỏi mấy ý" had been answered as a question on the council's meeting ("hỏi" is also "hội")
    r = engine.ask(question)
    assert r.found and r.entry.id in expected


@pytest.mark.parametrize("question", [
    "Bộ trưởng nào ký Thông tư 09/2021/TT-BTP vậy?",  # the handbook says who issued it, not who signed
    "QĐ 619/QĐ-TTg năm 2017 do ai ký?",
    "Đắk Lắk có kế hoạch triển khai QĐ 27 số mấy vậy?",  # another province's document
    "an giang sau sap nhap co bao nhieu xa phuong",
    "Kính gửi Quý cơ quan, đề nghị cung cấp số, ngày ban hành kế hoạch thực hiện Quyết định 25/2021/QĐ-TTg "
    "của UBND tỉnh Hậu Giang để phục vụ công tác tổng hợp.",
    "Năm 2022 Sóc Trăng tập huấn được bao nhiêu tuyên truyền viên pháp luật?",
    "Phần mềm đánh giá chuẩn mà Sở Tư pháp Sóc Trăng hướng dẫn là của công ty nào?",
    # a place's people counted ("bao nhiu" mistyped), a place's list of results, a district typed plainly
    "Sóc Trăng có bao nhiu tuyên truyền viên pháp luật vậy mọi người",
    "danh sach xa phuong cua Can Tho dat chuan tiep can phap luat nam 2024 co chua, gui em voi",
    "huyen Ke Sach nam 2022 co may xa dat chuan tiep can phap luat",
    "Xã Mỹ Tú mới sau sáp nhập gồm những xã cũ nào vậy?",  # what a commune was merged from
    "lao cai nam 2022 dat chuan tiep can phap luat bao nhieu %",  # the rate said after what is counted
    "xã tôi có bao nhiu tuyên truyền viên pháp luật, ai là người phụ trách ấp tôi",  # the asker's own data
    "kinh thua, xa Ke Sach moi bay gio gom nhung xa, thi tran cu nao nhap lai?",
    "cho tôi xin các xã chưa đạt chuẩn của huyện Mỹ Tú năm 2022",
    "cho xin danh sach cac xa o My Xuyen dat chuan tiep can phap luat nam 2024",  # a list, no place's kind
    # a citizen's own dispute held up against the standard
    "Nhà tôi tranh chấp ranh đất với nhà bên. Xã đã đạt chuẩn tiếp cận pháp luật thì phải giải quyết cho "
    "tôi chứ?",
])
def test_signers_other_provinces_documents_and_counts_the_handbook_lacks_are_not_held(engine, question):
    assert engine.ask(question).outcome is Outcome.NOT_HELD


@pytest.mark.parametrize("question, expected", [
    ("QĐ 27 do ai ký", "qd27-nguoi-ky"),
    ("kế hoạch của Sóc Trăng ai ký", "kh-nguoi-ky"),
    ("Thông tư 15 ai ký", "tt15-gioi-thieu"),  # which says the signer is not verified
    # a recognition decision is signed by whoever recognises, which the rule says
    ("ai ký quyết định công nhận theo qđ 25", "qd25-quyet-dinh-cong-nhan"),
    ("Cà Mau triển khai QĐ 27 bằng kế hoạch số mấy?", "qd27-trien-khai-tinh"),
    ("ai làm chủ tịch hội đồng đánh giá chuẩn cấp huyện, thư ký là ai", "qd25-hoi-dong"),
    ("chu tich xa bi ky luat khien trach nam 2024 vi sai pham khi thi hanh cong vu thi nam do xa con dat "
     "chuan TCPL duoc ko", "qd25-dieu-kien"),  # a case: "còn đạt chuẩn … được ko" asks for a verdict
])
def test_signers_and_documents_the_handbook_holds_are_answered(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


def test_an_indicator_and_its_scoring_are_no_ambiguity(engine):
    r = engine.ask("Việc mở lớp bồi dưỡng cho đội ngũ tuyên truyền viên pháp luật của xã thì được tính vào "
                   "chỉ tiêu nào trong bộ tiêu chí 2021?")
    assert r.found and r.entry.id in {"qd25-tc2-ct5", "tt09-ct25-muc-cham"}


@pytest.mark.parametrize("question", [
    "Cán bộ xã dôi dư sau sáp nhập được hưởng chế độ gì theo Nghị định 178?",
])
def test_staffing_after_the_merger_is_another_subject(engine, question):
    assert engine.ask(question).outcome is Outcome.OUT_OF_SCOPE


@pytest.mark.parametrize("question", [
    "Lào Cai năm 2022 được bao nhiêu xã",  # the handbook holds Lào Cai's 2023 results only
    "Thanh Hóa năm 2024 đạt chuẩn bao nhiêu xã",
    "xa My Tu nam 2024 duoc bao nhieu diem",  # one commune's score, named without capitals
    "xa Phong Nam nam 2024 duoc bao nhieu diem chuan tiep can phap luat",
])
def test_a_communes_or_another_years_results_are_not_held(engine, question):
    assert engine.ask(question).outcome is Outcome.NOT_HELD


@pytest.mark.parametrize("question, says", [
    ("hội đồng huyện chấm lại từ 81 xuống 78 (năm 2023). xã có đạt k", "tổng 78 điểm chưa đạt"),
    ("Xã đươc 79,5 điễm năm 2023, có đc làm tròn lên 80 ko?", "tổng 79,5 điểm chưa đạt"),
])
def test_a_rescored_or_rounded_total_gets_its_verdict(engine, question, says):
    a = answer(engine, question)
    assert a.found and a.entry_id == "qd25-dieu-kien" and says in a.reply.text


def test_english_words_for_an_indicator_name_it(engine):
    r = engine.ask("indicator 5.4 của QĐ 25 lấy data ở đâu")
    assert r.found and r.entry.id == "qd25-tc5-ct4"


@pytest.mark.parametrize("question", [
    "Năm 2021 xã được 82 điểm, theo QĐ 25 thì có đạt không?",
    "năm 2021 xã em 78 điểm có đạt không",
])
def test_a_case_of_2021_gets_no_verdict_by_rules_that_applied_from_2022(engine, question):
    # 2021 was still assessed under QĐ 619/2017, whose conditions the handbook does not hold
    r = engine.ask(question)
    assert r.found and r.entry.id == "qd25-chuyen-tiep" and r.verdict is None


def test_the_plans_signer_is_no_answer_for_who_signed_a_decision(engine):
    assert engine.ask("qd 25/2021/qd-ttg do ai ky ban hanh").outcome is Outcome.NOT_HELD
    r = engine.ask("ai ký kế hoạc thực hiện qđ 25 của sóc trăng")  # the plan, with a typo
    assert r.found and r.entry.id == "kh-nguoi-ky"


def test_a_goodbye_is_small_talk(engine):
    assert engine.ask("thoi chao nha, mai hoi tiep").outcome is Outcome.SMALL_TALK


def test_the_entry_on_the_place_named_ranks_first(engine):
    # "sau sáp nhập" hints at the reform's general count; the entry on Cần Thơ itself answers
    r = engine.ask("Cần Thơ có bao nhiêu xã phường sau sáp nhập")
    assert r.found and r.entry.id == "reform-can-tho-103" and r.notice is None


@pytest.mark.parametrize("question", [
    "Mặt trận tỉnh được đề nghị làm gì theo kế hoạch Sóc Trăng ạ",
    "KH Sóc Trăng: Mặt trân tỉnh làm gì?",
])
def test_the_task_of_the_agency_asked_about_ranks_first(engine, question):
    r = engine.ask(question)
    assert r.found and r.entry.id == "kh-iii-1dd"


@pytest.mark.parametrize("question", [
    "Quyết định 26/2021/QĐ-TTg về xã đạt chuẩn tiếp cận pháp luật có hiệu lực từ ngày nào?",
    "Thông tư 10/2021/TT-BTP hướng dẫn chuẩn tiếp cận pháp luật có bao nhiêu mẫu biểu?",
    "Kế hoạch số 146/KH-UBND năm 2021 của UBND tỉnh Sóc Trăng giao những nhiệm vụ gì?",
])
def test_a_text_named_by_a_number_the_handbook_never_names_is_not_answered_by_another(engine, question):
    r = engine.ask(question)
    assert r.outcome is Outcome.NOT_HELD and "Sổ tay không có văn bản số" in (r.notice or "")


@pytest.mark.parametrize(("question", "entry_id"), [
    ("QĐ 1723/QĐ-BP quy định về vấn đề gì vậy ạ?", "qd25-1723"),  # a typo in the symbol
    ("Kế hoạch 145/KH-UBND của Sóc Trăng do ai ký?", "kh-nguoi-ky"),
])
def test_a_text_the_handbook_names_is_answered_whatever_its_symbol(engine, question, entry_id):
    r = engine.ask(question)
    assert r.found and r.entry.id == entry_id


@pytest.mark.parametrize(("question", "entry_id", "notice"), [
    ("Chỉ tiêu 2.9 của Quyết định 27/2025/QĐ-TTg yêu cầu cụ thể những gì vậy?", "qd27-tc2",
     "Quyết định 27/2025/QĐ-TTg không có chỉ tiêu 2.9."),
    ("chi tieu 2.8 qd27 cham sao ad", "qd27-tc2", "Quyết định 27/2025/QĐ-TTg không có chỉ tiêu 2.8."),
    ("Tiêu chí 6 trong Quyết định 25/2021 được tối đa bao nhiêu điểm?", "qd25-tieu-chi",
     "Quyết định 25/2021/QĐ-TTg không có tiêu chí 6."),
])
def test_a_criterion_or_indicator_the_rules_lack_is_said_so_with_those_there_are(engine, question, entry_id,
                                                                                   notice):
    a = answer(engine, question)
    assert a.found and a.entry_id == entry_id and a.reply.text.startswith(notice)


@pytest.mark.parametrize(("question", "entry_id"), [
    ("Theo QĐ 25 thì năm 2026 xã phải đạt bao nhiêu điểm mới được công nhận?", "qd27-dieu-kien"),
    ("Theo Thông tư 09 thì năm 2026 xã phải niêm yết báo cáo mấy ngày?", "qd27-niem-yet"),
])
def test_an_old_text_asked_of_a_year_of_the_new_rules_is_answered_by_the_rules_in_force(engine, question,
                                                                                         entry_id):
    r = engine.ask(question)
    assert r.found and r.entry.id == entry_id


@pytest.mark.parametrize(("question", "entry_id"), [
    ("Năm 2023 xã tôi chỉ được 76 điểm, không đạt. Vậy xã có phải gửi gì lên huyện không hay thôi?",
     "qd25-xa-chua-dat"),
    ("Ai là người chấm lại điểm của xã sau khi xã tự chấm? Năm 2023 xã tôi tự chấm 81 nhưng bị hạ xuống, tôi "
     "muốn biết cơ quan nào có thẩm quyền.", "qd25-diem-tham-dinh"),
])
def test_a_case_that_asks_who_acts_or_what_comes_next_gets_that_not_a_verdict(engine, question, entry_id):
    r = engine.ask(question)
    assert r.found and r.entry.id == entry_id and r.verdict is None


def test_a_case_that_asks_who_acts_and_whether_it_passes_gets_a_verdict(engine):
    r = engine.ask("Năm 2023 xã tự chấm 81 điểm, hội đồng chấm lại 78. Ai chấm lại, và xã có đạt không?")
    assert r.found and r.verdict is not None


@pytest.mark.parametrize(("question", "place"), [
    ("Kế hoạch thực hiện QĐ 25/2021 của tỉnh Bạc Liêu giao Sở nào chủ trì việc tập huấn?", "Bạc Liêu"),
    ("Hậu Giang trước khi nhập vào Cần Thơ có kế hoạch triển khai QĐ 25 không, ai chủ trì?", "Hậu Giang"),
    ("KH 0176 của Cà Mau triển khai QĐ 27 có những nhiệm vụ gì", "Cà Mau"),
])
def test_the_tasks_of_another_provinces_plan_are_not_answered_by_this_plan(engine, question, place):
    r = engine.ask(question)
    assert r.outcome is Outcome.NOT_HELD and f"không có nội dung kế hoạch của {place}" in (r.notice or "")


@pytest.mark.parametrize("question", [
    "Trong KH thực hiện QĐ25 của tỉnh Sóc Trăgn, mục II.4.đ giao cơ quan nào chủ trì?",  # mistyped
    "Em ở Hậu Giang cũ, kế hoạch của tỉnh Sóc Trăng giao Sở Tài chính làm gì?",
])
def test_the_tasks_of_the_plan_held_are_answered_whatever_place_is_mentioned(engine, question):
    r = engine.ask(question)
    assert r.found and "nội dung kế hoạch" not in (r.notice or "")


def test_a_long_message_is_answered_for_its_questions_the_handbook_holds_and_says_what_it_does_not(engine):
    a = answer(engine, "Kinh phí thực hiện chuẩn tiếp cận pháp luật lấy từ đâu? Xã đặc biệt khó khăn có được "
                       "ưu tiên không? Cụ thể tỉnh Sóc Trăng hỗ trợ mỗi xã bao nhiêu tiền?")
    assert a.found and a.entry_id in {"qd27-kinh-phi", "qd25-kinh-phi"}
    assert a.reply.text.startswith("Sổ tay không có mức chi cụ thể")


@pytest.mark.parametrize("question", [
    "Khóm em muốn được công nhận 'Khóm văn hóa'. Hồ sơ gồm những gì, nộp cho ai?",  # the context's subject
    "Chị là hòa giải viên ở ấp. Năm nay chị hòa giải thành 3 vụ. Mỗi vụ hòa giải viên được bồi dưỡng bao "
    "nhiêu tiền vậy em?",  # the one question is declined
])
def test_a_long_message_on_a_subject_declined_stays_declined(engine, question):
    assert engine.ask(question).outcome in (Outcome.OUT_OF_SCOPE, Outcome.NOT_HELD)


@pytest.mark.parametrize(("question", "entry_id"), [
    # the short question alone ("đủ điều kiện họp không") is about the commune's conditions
    ("Hội đồng đánh giá của huyện có 12 người, họp có 8 người dự. Đủ điều kiện họp không?",
     "qd25-hoi-dong-hop"),
    # who is asking ("Văn phòng HĐND và UBND xã") is not what is asked
    ("Em mới được tuyển vào làm công chức Văn phòng HĐND và UBND xã, chị phụ trách giao em đọc QĐ 27 về "
     "chuẩn tiếp cận pháp luật. Em muốn hỏi quyết định này ban hành ngày nào và ai ký ạ?", "qd27-gioi-thieu"),
])
def test_a_long_message_keeps_its_context_but_not_who_is_asking(engine, question, entry_id):
    r = engine.ask(question)
    assert r.found and r.entry.id == entry_id


@pytest.mark.parametrize(("question", "entry_id"), [
    ("khoan 6 dieu 3 qd 25/2021 quy dinh gi", "qd25-diem-so"),  # the entry citing that very clause
    ("qd 27/2025 dieu 2 quy dinh ve noi dung gi", "qd27-muc-dich"),
    ("QĐ 25/2021 gồm bao nhiêu điều? Điều 7 quy định nội duung gì?", "qd25-kinh-phi"),
])
def test_an_article_or_clause_of_a_text_named_is_answered_by_the_entry_citing_it(engine, question, entry_id):
    r = engine.ask(question)
    assert r.found and r.entry.id == entry_id


def test_english_chat_words_carry_no_subject(engine):
    r = engine.ask("check giup e mau 04 tt09 dung de lam gi")
    assert r.found and r.entry.id == "tt09-bieu-mau"


@pytest.mark.parametrize("question", [
    "Thời hạn gửi nghị quyết quy phạm pháp luật của HĐND xã đến cơ quan có thẩm quyền để kiểm tra là bao "
    "nhiêu ngày?",
    "Quy trình rà soát, hệ thống hóa văn bản quy phạm pháp luật định kỳ tại Sở Tư pháp thực hiện thế nào?",
])
def test_how_legal_documents_are_checked_or_reviewed_is_the_laws_not_the_standards(engine, question):
    assert engine.ask(question).outcome is Outcome.NOT_HELD


def test_a_request_to_draft_a_document_is_declined_but_a_draft_is_a_subject(engine):
    r = engine.ask("Đề nghị soạn kế hoạch năm 2026 của UBND thành phố Cần Thơ thay thế kế hoạch cũ.")
    assert r.outcome is Outcome.NOT_HELD and r.off_topic == "soạn, dịch văn bản"
    assert engine.ask("Dự thảo báo cáo tự đánh giá phải niêm yết công khai bao nhiêu ngày?").found


@pytest.mark.parametrize("question", [
    "Tỉnh nào có tỷ lệ xã đạt chuẩn tiếp cận pháp luật cao nhất nước năm 2024?",
    "phuong Tan Loc xep thu may toan thanh pho ve chuan tiep can",  # one place's rank
])
def test_a_ranking_of_places_is_not_held(engine, question):
    r = engine.ask(question)
    assert r.outcome is Outcome.NOT_HELD and "xếp hạng" in (r.notice or "")


def test_a_case_of_2025_gets_no_verdict_as_the_rules_for_that_year_are_not_confirmed(engine):
    r = engine.ask("Năm 2025 xã tôi tự chấm được 85 điểm, tất cả tiêu chí trên 50%. Xã có được công nhận "
                   "đạt chuẩn năm 2025 không?")
    assert r.found and r.entry.id == "qd27-nam-2025" and r.verdict is None


def test_a_case_said_to_pass_already_asks_for_a_verdict(engine):
    r = engine.ask("Năm 2021 xã loại I của tôi được 85 điểm. Theo QĐ 25 là trên 80 nên đạt rồi đúng không?")
    assert r.found and r.entry.id == "qd25-chuyen-tiep"  # 2021 was judged by QĐ 619/2017
    assert engine.ask("tổng 92 điểm nhưng chưa tính điểm từng tiêu chí, chắc chắn đạt rồi phải ko").verdict


@pytest.mark.parametrize("question", [
    "Người dân yêu cầu cung cấp thông tin thì UBND xã phải trả lời trong bao nhiêu ngày?",
    "lich tiep cong dan dinh ky cua chu tich ubnd xa it nhat may ngay trong thang",
    "Ban Thanh tra nhân dân xã có bao nhiêu thành viên, nhiệm kỳ mấy năm?",
    "Chủ tịch UBND xã bị kỷ luật khiển trách thì sau bao lâu được xóa kỷ luật?",
    "can bo xa bi ky luat canh cao thi co bi keo dai nang luong khong",
    "Xã mới được bố trí bao nhiêu công chức tư pháp - hộ tịch theo quy định?",
    "lam sao de thi vao cong chuc xa vay anh",
    "Tiêu chuẩn xã, phường «An toàn về an ninh, trật tự» gồm những gì, ai công nhận?",
    "ket qua danh gia chuan tiep can phap luat nam 2024 cua tinh Bac Lieu the nao",
    "Kế hoạch năm 2026 của tỉnh Lâm Đồng về chuẩn tiếp cận pháp luật có những mốc thời gian nào?",
])
def test_the_laws_next_to_the_standard_and_other_provinces_are_declined(engine, question):
    assert not engine.ask(question).found


@pytest.mark.parametrize(("question", "entry_id"), [
    ("Hồi còn huyện, ai ký cái giấy công nhận xã đạt chuẩn, chậm nhất là khi nào?",
     "qd25-quyet-dinh-cong-nhan"),
    ("Bộ tiêu chí hiện hành gom lại còn mấy nhóm lớn, mỗi nhóm nói về việc gì?", "qd27-tieu-chi"),
])
def test_a_newcomers_words_for_the_criteria_and_the_decision(engine, question, entry_id):
    r = engine.ask(question)
    assert r.found and r.entry.id == entry_id


@pytest.mark.parametrize(("question", "entry_id"), [
    ("nhom thu nhat trong bang diem cu noi ve cai gi, duoc may diem", "qd25-tc1"),
    ("nhom 1 moi co may muc, ke ra giup em", "qd27-tc1"),
])
def test_a_criterion_called_a_group_is_that_criterion(engine, question, entry_id):
    r = engine.ask(question)
    assert r.found and r.entry.id == entry_id


def test_cai_before_a_noun_carries_no_subject(engine):
    r = engine.ask("Cái quyết định mới thay cho quyết định 25 là số mấy, ngày nào, ai ký vậy?")
    assert r.found and r.entry.id == "qd27-gioi-thieu"


def test_vu_as_the_matter_carries_no_subject(engine):
    r = engine.ask("Thông tư hướng dẫn cái vụ chấm chuẩn hồi 2021 là số mấy, ai ký, xài từ khi nào?")
    assert r.found and r.entry.id == "tt09-gioi-thieu"


def test_the_two_halves_of_one_comparison_are_no_ambiguity(engine):
    # Both entries compare the two decisions (scope and criteria; assessment and recognition): the first
    # answers and the other is suggested, rather than asking the official which one they meant.
    r = engine.ask("Anh so sánh giúp em QĐ 25 với QĐ 27 khác nhau chỗ nào: đơn vị áp dụng, số tiêu chí chỉ "
                   "tiêu, cách chấm, ai công nhận.")
    assert r.outcome is Outcome.ANSWER and r.entry.id in {"qd27-khac-biet", "qd27-khac-biet-cong-nhan"}
    assert {c.entry.id for c in r.candidates} & {"qd27-khac-biet", "qd27-khac-biet-cong-nhan"}


def test_two_entries_on_one_text_that_point_to_each_other_are_no_ambiguity(engine):
    # when QĐ 25 took effect, and which rules scored 2021: both entries answer, each names the other
    r = engine.ask("QĐ 25 có hiệu lực từ khi nào, còn kỳ đánh giá năm 2021 thì áp dụng gì?")
    assert r.outcome is Outcome.ANSWER and r.entry.id in {"qd25-hieu-luc", "qd25-chuyen-tiep"}


def test_who_holds_a_post_is_asked_in_the_sentence_that_names_it(engine):
    r = engine.ask("Năm 2023 huyện em thành lập hội đồng đánh giá. Chủ tịch huyện muốn cho 17 người vào "
                   "cho đủ các phòng ban. Phó chủ tịch hội đồng thì em không rõ là ai. Cho em hỏi số lượng "
                   "tối đa và thành phần lãnh đạo hội đồng theo quy định?")
    assert r.found and r.entry.id == "qd25-hoi-dong"
    for question in ("Chủ tịch UBND xã Trường Long hiện nay là ai?",
                     "Ai sẽ làm chủ tịch UBND phường Sóc Trăng mới vậy?",
                     "Năm 2021 ai làm Cục trưởng Cục Phổ biến, giáo dục pháp luật và Trợ giúp pháp lý?"):
        r = engine.ask(question)
        assert r.outcome is Outcome.NOT_HELD and r.off_topic == "nhân sự"
    # … whereas who chairs the council, or what a post must do, the rules say
    assert engine.ask("Ai làm chủ tịch Hội đồng đánh giá cấp huyện?").found
    assert engine.ask("ai làm chủ tịch ubnd xã thì chịu trách nhiệm gì về chuẩn tiếp cận").found


def test_a_number_asked_of_one_place_is_not_declined_for_another_named_elsewhere(engine):
    r = engine.ask("Tôi ở xã Trường Long, TP Cần Thơ. Nghe nói sau sắp xếp xã tôi giữ nguyên, không nhập "
                   "với ai. Toàn thành phố giờ có bao nhiêu xã, phường, theo nghị quyết nào? Còn huyện Phong "
                   "Điền thì còn không?")
    assert r.found and r.entry.id == "reform-can-tho-103"
    # … but a number asked of that place itself is not held
    r = engine.ask("Huyện Phong Điền có bao nhiêu xã đạt chuẩn tiếp cận pháp luật?")
    assert not r.found


def test_the_askers_trade_said_after_the_question_is_not_its_subject(engine):
    r = engine.ask("tieu chi hoa giai o co so theo qd moi co may chi tieu, noi dung chinh la gi, toi la "
                   "giao vien kiem hoa giai vien nen hoi")
    assert r.found and r.entry.id == "qd27-tc3"
    # … said first, it may be: the school is asked about
    r = engine.ask("Em là giáo viên, trường em có phải đạt chuẩn quốc gia không?")
    assert r.outcome is Outcome.OUT_OF_SCOPE


def test_the_askers_task_said_after_the_question_asks_no_comparison(engine):
    r = engine.ask("Anh ơi 5 tiêu chí của chuẩn cũ (QĐ 25) tên gì vậy, em làm bảng so sánh")
    assert r.found and r.entry.id == "qd25-tieu-chi"


@pytest.mark.parametrize(("question", "entry_id"), [
    ("Tóm giúp em mục đích của QĐ 27/2025, em cần mấy gạch đầu dòng để đưa vào kế hoạch", "qd27-muc-dich"),
    ("đơn vị nào bên Bộ soạn TT 15 vậy, em cần biết để liên hệ hỏi thêm", "tt15-gioi-thieu"),
])
def test_what_the_answer_is_for_is_not_what_is_asked(engine, question, entry_id):
    r = engine.ask(question)
    assert r.found and r.entry.id == entry_id


def test_a_follow_up_part_is_asked_in_the_frame_already_set(engine):
    # "Còn tiêu chí hòa giải thì sao?" asks the plan's assignment again, of the mediation criterion.
    r = engine.ask("Trong kế hoạch, giải pháp cho tiêu chí «Thực hiện dân chủ ở xã, phường, thị trấn» giao "
                   "ai chủ trì? Còn tiêu chí hòa giải ở cơ sở, TGPL thì sao?")
    assert r.found and r.entry.id in {"kh-ii-4c", "kh-ii-4d"}
    assert {r.entry.id, *(e.id for e in r.other_parts)} == {"kh-ii-4c", "kh-ii-4d"}


def test_a_numbered_list_of_questions_asks_each_item(engine):
    # a group secretary's summary: no question mark, each item asks with its question word
    r = engine.ask("Nhờ trợ lý trả lời giúp nhóm về kế hoạch của tỉnh: (1) ai biên soạn sổ tay hướng dẫn "
                   "đánh giá; (2) việc kiểm tra thực hiện quyết định bao lâu làm một lần; (3) có khó khăn "
                   "thì báo cáo về đâu.")
    assert r.found and {r.entry.id, *(e.id for e in r.other_parts)} >= {"kh-ii-3b", "kh-ii-7a"}


@pytest.mark.parametrize("question", [
    "Trạm y tế xã tôi đạt chuẩn quốc gia chưa? Tiêu chí ra sao?",
    "Kế hoạch của tỉnh An Giang về chuẩn tiếp cận pháp luật giao nhiệm vụ cho ai? So với Sóc Trăng thì sao?",
])
def test_a_follow_up_of_a_declined_question_is_declined_with_it(engine, question):
    assert engine.ask(question).outcome in (Outcome.OUT_OF_SCOPE, Outcome.NOT_HELD)
    # a question with a subject of its own beside the declined one is still answered
    r = engine.ask("Trạm y tế xã đạt chuẩn quốc gia chưa? Còn tiêu chí 1 của QĐ 27 gồm những chỉ tiêu nào?")
    assert r.found and r.entry.id == "qd27-tc1"


def test_which_rules_scored_years_the_context_names(engine):
    r = engine.ask("Kính gửi bộ phận hỗ trợ, xã chúng tôi đang rà soát lại hồ sơ đánh giá chuẩn TCPL các năm "
                   "2023 và 2024 của hai xã cũ trước sáp nhập. Xin hỏi các năm đó áp dụng văn bản nào?")
    assert r.found and r.entry.id == "qd25-hieu-luc"


@pytest.mark.parametrize("question, expected", [
    # who recognises now that the district is gone
    ("giờ hết huyện rồi thì ai chấm, ai thẩm định, ai ký quyết định công nhận phường", "qd27-tham-quyen"),
    ("bay gio khong con may ong huyen thi ai xet cong nhan xa dat chuan", "qd27-tham-quyen"),
    # TT 09's forms asked by what they are for
    ("bảng tổng hợp điểm các tiêu chí là mẫu số mấy trong thông tư 09", "tt09-bieu-mau"),
    ("tt09 co bao nhieu bieu mau, mau nao xa lam", "tt09-bieu-mau"),
    # the new conditions, which the entry says are not verified
    ("theo cách mới rớt một chỉ tiêu thì xã có bị trượt chuẩn không", "qd27-dieu-kien"),
    ("quy định mới xã phải đạt bao nhiêu phần trăm chỉ tiêu mới được công nhận", "qd27-dieu-kien"),
    # a council's size or attendance told in numbers
    ("huyện định lập hội đồng 19 người cho đủ các phòng ban năm 2024 thì có được không", "qd25-hoi-dong"),
    ("hoi dong huyen co 13 nguoi ma hom hop chi 7 nguoi den, hop vay co hop le khong", "qd25-hoi-dong-hop"),
    # the digital indicator in officials' words
    ("xa to chuc cuoc thi tim hieu phap luat online nam 2026, vay du chi tieu chuyen doi so chua",
     "qd27-tc2-ct5"),
    ("Bộ mới có chỉ tiêu nào về đưa công nghệ số vào tuyên truyền pháp luật không?", "qd27-tc2-ct5"),
    # what the decision in force assigns a commune, not the replaced plan's task
    ("qd27 giao ubnd xa lam gi", "qd27-trach-nhiem"),
    # which year's figures a late-December case counts in: the assessment period
    ("Vụ việc hòa giải thành ngày 29/12/2023 thì tính vào số liệu năm 2023 hay để sang năm 2024?",
     "qd25-ky-danh-gia"),
    # the plan's items
    ("phan mem danh gia theo ke hoach cua tinh thi khi nao trien khai", "kh-ii-6"),
    ("Kế hoạch của tỉnh gồm bao nhiêu nhiệm vụ, kể tên giúp", "kh-noi-dung"),
    # the old thresholds and deadline assumed to hold under the rules in force (asked in many blind sets)
    ("Quyết định 27 vẫn lấy mốc 80 điểm, tiêu chí nào cũng từ 50% như trước phải không?", "qd27-dieu-kien"),
    ("Bộ tiêu chí mới thì hạn nộp hồ sơ vẫn trước 10/1 như cũ hả?", "qd27-gui-ho-so"),
    # posting for comment asked of the new set: this standard's procedure, not another law's
    ("niêm yết lấy ý kiến dân theo chuẩn mới là mấy ngày", "qd27-niem-yet"),
])
def test_officials_words_for_a_subject_reach_its_entry(engine, question, expected):
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


def test_a_question_naming_its_subject_by_code_leads_the_questions_around_it(engine):
    r = engine.ask("Mục II.4.d kế hoạch giao cho ai chủ trì? Giờ không còn huyện thì sao?")
    assert r.found and r.entry.id == "kh-ii-4d"
    assert r.other_parts  # the question about the district is suggested


def test_a_context_on_another_subject_is_kept_when_asked_where_it_counts_here(engine):
    # "Zalo" alone is another subject; asked whether it counts for an indicator of this standard, the
    # question is answered, and the part the handbook does not hold (an amount of money) is said so.
    r = engine.ask("Phường em định lập nhóm Zalo để tuyên truyền pháp luật. Việc đó có được tính đạt chỉ "
                   "tiêu chuyển đổi số không? Còn thù lao hòa giải viên một vụ là bao nhiêu tiền?")
    assert r.found and r.entry.id == "qd27-tc2-ct5" and "mức chi" in (r.notice or "")


@pytest.mark.parametrize("question, main, suggested", [
    # the rules asked first lead, the other question is suggested
    ("Năm 2026 áp dụng văn bản nào? Xã còn phải gửi hồ sơ trước 10/01 không?", "qd27-nam-2026",
     "qd27-gui-ho-so"),
    # another question asked first leads, the rules of its year are suggested
    ("năm 2024 hồ sơ đề nghị công nhận gồm những gì? áp dụng văn bản nào?", "qd25-ho-so", "qd25-hieu-luc"),
    # one entry answers both
    ("năm 2025 có đánh giá công nhận xã đạt chuẩn không hay tạm dừng? đánh giá theo QĐ nào?",
     "qd27-nam-2025", None),
])
def test_which_rules_score_a_year_asked_beside_another_question(engine, question, main, suggested):
    r = engine.ask(question)
    assert r.found and r.entry.id == main
    assert [e.id for e in r.other_parts] == ([suggested] if suggested else [])


def test_a_date_after_recognition_is_no_other_standards_title(engine):
    r = engine.ask("Chủ tịch huyện ký quyết định công nhận ngày thứ Hai 05/02/2024, đăng cổng huyện ngày "
                   "thứ Tư 07/02/2024. Vậy có đúng quy định không?")
    assert r.found and r.entry.id == "qd25-quyet-dinh-cong-nhan"


@pytest.mark.parametrize("question", [
    "Hồ sơ đề nghị công nhận nộp bản điện tử được không hay bắt buộc bản giấy?",
    "Nam 2026 han chot nop ho so de nghi cong nhan len thanh pho la ngay nao?",
])
def test_where_the_dossier_goes_after_recognition_is_no_other_standards_title(engine, question):
    r = engine.ask(question)
    assert r.found and r.entry.id in ("qd27-gui-ho-so", "qd25-gui-ho-so") and r.off_topic is None


def test_whether_a_named_special_zone_was_recognised_is_not_held(engine):
    r = engine.ask("dac khu Bach Long Vi co duoc cong nhan dat chuan nam 2025 khong")
    assert r.outcome is Outcome.NOT_HELD and "Bach Long Vi" in (r.notice or "")


def test_a_task_is_declined_though_the_message_tells_a_case(engine):
    r = engine.ask("viet giup bao cao danh gia ket qua dat chuan nam 2023 cua phuong em, 85 diem")
    assert r.outcome is Outcome.NOT_HELD and r.verdict is None and "không soạn, điền" in (r.notice or "")


def test_drafting_a_text_for_the_asker_is_a_task(engine):
    r = engine.ask("Thảo giúp quyết định công nhận xã đạt chuẩn để trình Chủ tịch ký")
    assert r.outcome is Outcome.NOT_HELD and "không soạn, điền" in (r.notice or "")


def test_everyday_words_for_the_threshold_and_reaching_the_standard(engine):
    r = engine.ask("Theo chuẩn mới thì điểm sàn là bao nhiêu, mỗi tiêu chí phải đạt mấy phần trăm mới lên "
                   "chuẩn, nhờ anh chị nói rõ giùm.")
    assert r.found and r.entry.id == "qd27-dieu-kien"


def test_what_a_text_says_about_a_subject_asks_about_that_subject(engine):
    r = engine.ask("KH 378 Hà Nội nói gì về TCPL?")
    assert r.found and r.entry.id == "qd27-trien-khai-tinh"


def test_a_plan_for_the_rules_in_force_is_not_the_plan_the_handbook_holds(engine):
    r = engine.ask("Tỉnh nào đã có kế hoạch triển khai QĐ 27 để em tham khảo, cho em số và ngày văn bản")
    assert r.found and r.entry.id == "qd27-trien-khai-tinh"


def test_an_indicators_scoring_known_only_from_a_secondary_source_gives_the_replaced_rule_too(engine):
    # The rules in force say what indicator 1.1 is (a secondary source) but not how it is scored: the
    # replaced rule's scoring is given too, labelled as such; what it is, asked alone, is not.
    scored = engine.ask("Năm nay xã không được giao ban hành văn bản QPPL nào, chỉ tiêu 1 của tiêu chí 1 "
                        "chấm sao?")
    assert scored.found and scored.entry.id == "qd27-tc1-ct1" and scored.previous.id == "qd25-tc1-ct1"
    what = engine.ask("Chỉ tiêu 1.1 theo quy định hiện nay là gì?")
    assert what.found and what.entry.id == "qd27-tc1-ct1" and what.previous is None


@pytest.mark.parametrize("question", ["Bot này của Sở Tư pháp nào làm vậy?", "chatbot do ai lập"])
def test_who_made_the_assistant_is_said_as_about_the_assistant(engine, question):
    r = engine.ask(question)
    assert r.outcome is Outcome.NOT_HELD and r.off_topic == "về trợ lý"


def test_a_contests_answers_are_no_question_on_the_standard(engine):
    r = engine.ask("cuoc thi tim hieu phap luat truc tuyen cua tinh tuan nay dap an cau 5 la gi vay")
    assert r.outcome is Outcome.OUT_OF_SCOPE


@pytest.mark.parametrize("question", ["Ke hoacch thuc hien QD 25 cua tinh ai ky vay",
                                      "Kế hoạhc Sóc Trăng bố trí cụ thể bao nhiêu tiền để thực hiện?"])
def test_a_text_named_with_a_typo_is_named(engine, question):
    assert "Kế hoạch" in engine.read(question).reading.documents
    r = engine.ask(question)
    assert r.found and r.entry.id.startswith("kh-")  # the plan's entries


@pytest.mark.parametrize("question, expected, meant", [
    ("quyet dinh 27 co ap dung cho thi chan khong a", "qd27-don-vi", "thi tran"),  # said "thi chấn"
    ("toi muon hoi tieu chi hoa dai o co so theo quyet dinh moi co may chi tieu", "qd27-tc3", "hoa giai"),
    ("tien de lam ke hoat nay lay o dau, so nao lo tien?", "kh-iii-2", "ke hoach"),  # -ch said -t
])
def test_sounds_a_region_or_dictation_confuses_are_respelled_when_a_known_pair_confirms_them(
        engine, question, expected, meant):
    assert meant in " ".join(engine.read(question).toks)  # read as what was meant
    r = engine.ask(question)
    assert r.found and r.entry.id == expected


def test_respellings_change_one_sound_and_keep_ng_and_nh_whole():
    from knowledge.engine import _respellings
    assert _respellings("chan") == ["tran", "chang"] and _respellings("nguoi") == []
    assert "lhan" not in _respellings("nhan")


def test_a_real_word_is_not_respelled_into_one_entrys_chance_phrase(engine):
    # "phải chuyển" is no "phải truyền" (a pair one entry happens to use)
    q = engine.read("phong tu phap phai chuyen tai lieu cho thanh vien hoi dong truoc bao lau")
    assert "chuyen" in q.toks and "truyen" not in q.toks


def test_chat_shorthand_is_read_as_the_words_it_stands_for(engine):
    # "z" is "vậy", no title after "công nhận"; "bn" asks an amount
    r = engine.ask("điểm nào dùng để xét công nhận z, điểm xã tự chấm hay điểm HĐ chấm lại")
    assert r.found and r.off_topic is None
    assert engine.ask("hoa giai vien dc thu lao bn 1 vu z ad").outcome is Outcome.NOT_HELD


def test_what_counts_for_an_indicator_is_asked_though_a_chat_app_is_named(engine):
    r = engine.ask("Chuyển đổi số trong phổ biến pháp luật thì làm mấy cái gì mới được tính theo chuẩn mới "
                   "vậy? Ấp tui có lập nhóm Zalo hỏi đáp pháp luật đó.")
    assert r.found and r.entry.id == "qd27-tc2-ct5"


def test_who_recognises_asked_with_a_place_is_no_question_about_its_staff(engine):
    r = engine.ask("Tui ở phường Vĩnh Phước, hồi trước là thị trấn. Cho tui hỏi năm 2026 đánh giá theo văn "
                   "bản nào, là ai công nhận?")
    assert r.found and r.off_topic is None


def test_a_part_of_the_standard_after_a_comma_starts_no_other_title(engine):
    r = engine.ask("Chuẩn mới có mấy tiêu chí, phần phổ biến pháp luật nằm ở tiêu chí nào?")
    assert r.outcome is not Outcome.OUT_OF_SCOPE


def test_the_plans_signer_asked_beside_another_question_on_the_plan_is_suggested(engine):
    r = engine.ask("Kế hoạch của Sóc Trăng giao Mặt trận Tổ quốc việc gì, và ai ký kế hoạch?")
    assert r.found and r.entry.id == "kh-iii-1dd" and [e.id for e in r.other_parts][:1] == ["kh-nguoi-ky"]
    # another text's signer, which the handbook does not hold, is still said to be not held
    assert engine.ask("Bộ trưởng nào ký Thông tư 09/2021/TT-BTP vậy?").outcome is Outcome.NOT_HELD
    # a decision's signer, which the handbook holds, asked beside its legal bases
    r = engine.ask("QĐ 27/2025 ai ký vậy, căn cứ luật nào, cho em info để ghi vào slide")
    assert r.found and r.entry.id == "qd27-can-cu" and [e.id for e in r.other_parts][:1] == ["qd27-nguoi-ky"]


def test_a_short_follow_up_asks_about_the_question_before_it(engine):
    # "Ai chủ trì?" after the meeting's question asks who chairs that meeting, not who leads the plan
    r = engine.ask("Cuộc họp rà soát kết quả tự chấm ở xã gồm những thành phần nào? Ai chủ trì?")
    assert r.found and r.entry.id == "qd25-lay-y-kien-hop"


def test_the_same_indicator_under_both_rules_is_one_topic(engine):
    # named by its subject with no regime: the rules in force answer (no "Ý bạn là…" between the two)
    r = engine.ask("Kế hoạch phổ biến giáo dục pháp luật hàng năm của xã có phải là một chỉ tiêu không?")
    assert r.found and r.entry.id == "qd27-tc2-ct4"
    # its scoring, which the rules in force do not give, comes with the replaced rule's, labelled
    r = engine.ask("Cả năm chẳng ai đến xin thông tin thì chỉ tiêu 2.3 chấm thế nào")
    assert r.entry.id == "qd27-tc2-ct3" and r.previous.id == "qd25-tc2-ct2"
    # "chậm nhất" (at the latest) asks no scoring
    r = engine.ask("Kế hoạch PBGDPL của xã phải ban hành chậm nhất mấy ngày sau kế hoạch của tỉnh để đạt chỉ "
                   "tiêu 2.4?")
    assert r.entry.id == "qd27-tc2-ct4" and r.previous is None


def test_a_short_message_with_two_question_marks_asks_two_questions(engine):
    r = engine.ask("QĐ 25/2021 gồm bao nhiêu điều? Điều 7 quy định nội dung gì?")
    assert r.found and r.other_parts  # one answered, the other suggested; no "Ý bạn là…"


def test_a_near_subject_only_compared_with_does_not_decline_the_question(engine):
    r = engine.ask("Số liệu chấm chuẩn tính từ ngày nào tới ngày nào? Bên thi đua tụi tôi chốt số liệu ngày "
                   "15/11.")
    assert r.found and r.off_topic is None
    # asked about outright, it is still declined
    assert engine.ask("Danh hiệu thi đua của xã năm nay xét thế nào?").outcome is Outcome.OUT_OF_SCOPE


def test_a_misspelt_sound_is_corrected_to_the_word_it_spells(engine):
    # "bổ xung" (s/x) is "bổ sung", though "xuống" is one letter away too and keeps the first letter
    q = engine.read("Phòng tư pháp kêu xã em bổ xung hồ sơ, 5 ngày làm việc mới nộp lại có sao không")
    assert "sung" in q.toks and "xuong" not in q.toks


def test_a_quiz_item_is_asked_by_its_stem_when_its_options_name_other_texts(engine):
    # the options name the texts to choose among: the one in force must not answer for QĐ 25's
    r = engine.ask("Câu 7 (đề thi tìm hiểu pháp luật): Thông tư hướng dẫn Quyết định 25/2021/QĐ-TTg là "
                   "thông tư nào?\nA. Thông tư 07/2017/TT-BTP\nB. Thông tư 09/2021/TT-BTP\n"
                   "C. Thông tư 15/2025/TT-BTP")
    assert r.found and r.entry.id == "tt09-gioi-thieu"
    # options that only fill in the blank are read with the stem
    r = engine.ask("Theo TT 09/2021, hội đồng họp khi có mặt ít nhất: A. một nửa thành viên B. hai phần ba "
                   "thành viên C. ba phần tư thành viên D. toàn bộ thành viên")
    assert r.found and r.entry.id == "qd25-hoi-dong-hop"


def test_a_question_word_after_the_standard_starts_no_other_title(engine):
    r = engine.ask("Xã gửi hồ sơ đề nghị công nhận đạt chuẩn cho ai, hạn ngày nào (đánh giá năm 2026)?")
    assert r.found and r.entry.id == "qd27-gui-ho-so"


def test_a_figure_asked_of_a_text_named_by_its_number_is_answered_by_its_entry(engine):
    # the entry on Cần Thơ's plan says what the handbook holds of it, rather than "no figures on Cần Thơ"
    r = engine.ask("Kế hoạch 25/KH-UBND của Cần Thơ năm 2026 đặt chỉ tiêu mấy % xã đạt chuẩn?")
    assert r.found and r.entry.id == "reform-ke-hoach-can-tho-2026"
    # the same figure asked of the city, with no text named, is still not held
    assert not engine.ask("Cần Thơ năm 2026 có bao nhiêu % xã đạt chuẩn tiếp cận pháp luật?").found


def test_feelings_before_an_exam_are_small_talk(engine):
    assert engine.ask("Hồi hộp quá bot ơi, mai thi rồi").outcome is Outcome.SMALL_TALK


def test_a_greeting_is_no_typo_of_a_handbook_word(engine):
    # "chào" is not "cao" mistyped: a greeting carries no topic
    q = engine.read("e chào c, xã e năm 2022 được công nhận rồi, cho e hỏi qđ công nhận ai ký ạ")
    assert "cao" not in q.toks


def test_the_plan_named_by_its_province_is_no_subject_of_its_own(engine):
    # "kh tỉnh Sóc Trăng" only says which plan: its reporting item answers, not its overview
    r = engine.ask("chế độ báo cáo kh tỉnh sóc trăng qđ 25")
    assert r.found and r.entry.id == "kh-iii-3"
    # the plan itself asked about, by its number: the overview
    r = engine.ask("kế hoạch tỉnh Sóc Trăng thực hiện QĐ 25 số mấy, ngày nào")
    assert r.found and r.entry.id == "kh-tong-quan"


def test_a_named_communes_results_typed_as_a_search_are_not_held(engine):
    assert engine.ask("ket qua danh gia phuong vinh phuoc nam 2024").outcome is Outcome.NOT_HELD
    # where results are posted is a rule, whatever commune asks
    assert engine.ask("kết quả chấm điểm xã được niêm yết ở đâu").found


def test_a_draft_stuck_up_at_the_office_is_posted(engine):
    # "dán dự thảo ở trụ sở" is the posting (niêm yết) the rules set a number of days for
    r = engine.ask("Xa em nam 2024 dan du thao bao cao tu cham o tru so UBND duoc 4 ngay, nhu vay du chua?")
    assert r.found and r.entry.id in ("qd25-niem-yet", "qd27-niem-yet")


def test_a_mistyped_place_is_read_as_the_place_it_spells(engine):
    # "Sóc Trăgn" is Sóc Trăng (the plan's province), not another place the handbook knows nothing of
    q = engine.read("Kế hoạch của tỉnh Sóc Trăgn giao Sở Tài chính việc gì?")
    assert q.reading.places == ("Sóc Trăng",)
