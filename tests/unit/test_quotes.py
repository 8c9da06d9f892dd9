"""Answers from loaded texts: verbatim quotes, validity notes, named articles, the handbook first."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import Settings
from bot.wiring import load_sources
from handlers.answers import answer
from knowledge.department import DepartmentEntry, dump_department
from tests.e2e.test_documents import write_documents
from tests.fakes.documents import AQUARIUM_STANDARD, CIRCULAR, decision_lines

TODAY = dt.date(2100, 3, 1)
OLD = [line.replace("THÔNG TƯ", "QUYẾT ĐỊNH").replace("7/2099/TT-BTN", "98/2098/QĐ-BTN") for line in CIRCULAR]


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    write_documents(data, OLD)
    write_documents(data, decision_lines())  # its Điều 4 replaces Quyết định số 98/2098/QĐ-BTN
    entry = DepartmentEntry(id="stp-1", question="Văn bản nào cho phép nuôi cá trong trụ sở?",
                            answer="Quyết định thử 99/2099 (câu trả lời thử).",
                            citation="Điều 1 Quyết định 99/2099/QĐ-BTN",
                            document="qd-99-2099", added=dt.date(2100, 2, 1))
    (data / "so-tay-bo-sung.yaml").write_text(dump_department([entry]), encoding="utf-8")
    return load_sources(Settings(data_dir=data, _env_file=None))[1]


@pytest.fixture(scope="module")
def standard(tmp_path_factory):
    """Two made-up texts, one of them in the handbook's own words (tiêu chí, hồ sơ, công nhận, điểm)."""
    data = tmp_path_factory.mktemp("data")
    write_documents(data, decision_lines(), AQUARIUM_STANDARD)
    return load_sources(Settings(data_dir=data, _env_file=None))[1]


def ask(sources, question):
    return answer(sources.engine, question, sources.library, TODAY)


def test_a_clause_of_a_replaced_text_says_it_was_replaced(sources):
    result = ask(sources, "Bể cá đạt mấy điểm thì được xếp loại đẹp?")
    assert result.citations == ("khoản 2 Điều 1 Quyết định 98/2098/QĐ-BTN",)
    assert "«Bể cá đạt từ 7 điểm trở lên được xếp loại đẹp.»" in result.text
    assert ("⚠️ Lưu ý: Quyết định 98/2098/QĐ-BTN đã được thay thế bởi Quyết định 99/2099/QĐ-BTN. "
            "Quyết định 99/2099/QĐ-BTN có hiệu lực từ ngày 01/01/2100.") in result.text


def test_a_clause_in_force_carries_no_note(sources):
    result = ask(sources, "Bể cá phải có dung tích bao nhiêu?")
    assert result.found and result.reply.note is None
    assert [c.label for c in result.reply.choices] == ["Xem nguyên văn: Điều 2. Điều kiện nuôi cá cảnh"]


def test_a_named_point_is_shown(sources):
    result = ask(sources, "điểm b khoản 2 Điều 2 QĐ 99/2099 là gì")
    assert result.citations == ("điểm b khoản 2 Điều 2 Quyết định 99/2099/QĐ-BTN",)
    assert result.reply.text == "b) Có kinh phí mua thức ăn cho cá trong dự toán hằng năm;"


def test_a_handbook_entry_that_answers_comes_first_with_the_text_under_it(sources):
    result = ask(sources, "Văn bản nào cho phép nuôi cá trong trụ sở?")
    assert result.entry_id == "stp-1"
    assert "Nội dung do Sở Tư pháp bổ sung ngày 01/02/2100." in result.text
    [see] = [c for c in result.reply.choices if c.label.startswith("Xem nguyên văn")]
    assert see.label == "Xem nguyên văn: Điều 1" and see.data.startswith("v:qd-99-2099:")


def test_an_article_two_texts_have_is_not_guessed(sources):
    # Both texts have an Điều 1; without naming one, the question is left to the handbook.
    result = ask(sources, "Điều 1 quy định gì")
    assert "99/2099" not in " ".join(result.citations) and "98/2098" not in " ".join(result.citations)


def test_a_question_about_one_text_is_answered_from_that_text_only(sources):
    named = ask(sources, "Theo Quyết định 99/2099/QĐ-BTN, bể cá phải có dung tích bao nhiêu?")
    assert named.citations == ("khoản 1 Điều 2 Quyết định 99/2099/QĐ-BTN",)
    assert not ask(sources, "Theo Quyết định 98/2098, bể cá phải có dung tích bao nhiêu?").found
    assert not ask(sources, "Theo Thông tư 15/2025, bể cá phải có dung tích bao nhiêu?").found  # not loaded


def test_a_clause_that_holds_the_question_beats_an_entry_that_shares_only_the_handbooks_words(standard):
    # The handbook's best entries here are about the province plan and who recognises a commune: they
    # share "Ủy ban nhân dân cấp xã", "công nhận xã đạt chuẩn", not the aquarium the question is about.
    for question, citation in (
            ("Trụ sở Ủy ban nhân dân cấp xã phải có mấy bể cá cảnh?",
             "khoản 1 Điều 1 Quyết định 97/2099/QĐ-BTN"),
            ("Ai quyết định công nhận xã đạt chuẩn bể cá cảnh?", "Điều 4 Quyết định 97/2099/QĐ-BTN")):
        result = ask(standard, question)
        assert result.found and result.entry_id is None and result.citations == (citation,), question
    # A handbook phrasing that the same clauses match keeps its entry: the clause holds no more of it.
    for question in ("Không còn huyện thì cấp nào ra quyết định công nhận đạt chuẩn?",
                     "Bao nhiêu điểm thì đạt chuẩn?"):
        assert standard.library.index.find(question) is not None  # the clause does compete
        result = ask(standard, question)
        assert result.entry_id == standard.engine.ask(question).entry.id, question


def test_a_question_that_names_a_loaded_text_is_answered_from_that_text(standard):
    for question, citation in (
            ("Theo Quyết định 97/2099/QĐ-BTN, mỗi tiêu chí được chấm tối đa bao nhiêu điểm?",
             "khoản 1 Điều 2 Quyết định 97/2099/QĐ-BTN"),
            ("Theo QĐ 97/2099, ai quyết định công nhận?", "Điều 4 Quyết định 97/2099/QĐ-BTN")):
        result = ask(standard, question)
        assert result.found and result.entry_id is None and result.citations == (citation,), question


def test_a_named_text_that_does_not_answer_is_declined_rather_than_answered_from_another(standard):
    result = ask(standard, "Theo Quyết định 97/2099/QĐ-BTN, hội đồng đánh giá gồm những ai?")
    assert not result.found and result.citations == () and result.entry_id is None
    assert result.text == ("Xin lỗi, tôi không tìm thấy quy định nào trong Quyết định 97/2099/QĐ-BTN trả lời "
                           "câu hỏi này, nên tôi không trả lời thay bằng văn bản khác. Bạn có thể gõ /vanban "
                           "để đọc toàn văn hoặc liên hệ Sở Tư pháp.")
    # A handbook document that is not loaded is answered from the handbook, as without texts.
    question = "Theo Quyết định 27/2025, hồ sơ đề nghị công nhận gồm những gì?"
    assert ask(standard, question).entry_id == standard.engine.ask(question).entry.id == "qd27-ho-so"


def test_a_departments_entry_on_the_named_text_still_answers_it(sources):
    result = ask(sources, "Theo Quyết định 99/2099/QĐ-BTN, văn bản nào cho phép nuôi cá trong trụ sở?")
    assert result.entry_id == "stp-1"
    result = ask(sources, "Theo Quyết định 98/2098/QĐ-BTN, văn bản nào cho phép nuôi cá trong trụ sở?")
    assert not result.found and "Quyết định 98/2098/QĐ-BTN" in result.text  # stp-1 is about another text


@pytest.mark.parametrize("question", ["Quyết định 27 có hiệu lực chưa", "quyt dinh 27 co hieu luc chua",
                                      "Theo Quyt định 27/2025, bể cá phải có dung tích bao nhiêu?"])
def test_a_text_not_loaded_is_never_answered_from_another(sources, question):
    # The name of a text that is not loaded, typo and all: a clause of the loaded made-up texts is no answer.
    assert not [c for c in ask(sources, question).citations if "2099" in c or "2098" in c]


def test_how_long_asks_rather_than_names_a_topic(standard):
    # "bao lâu" asks for a duration: "lâu" is no topic word the clause would have to hold.
    result = ask(standard, "Bộ trưởng quyết định công nhận xã đạt chuẩn nuôi cá cảnh trong thời hạn bao lâu?")
    assert result.citations == ("Điều 4 Quyết định 97/2099/QĐ-BTN",)
