"""`tcpl documents …` and `tcpl handbook add|list|remove`, run as real processes on their own data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.documents import AQUARIUM_STANDARD, decision_lines, write_docx, write_scanned_pdf, write_txt

ROOT = Path(__file__).resolve().parents[2]
TCPL = str(Path(sys.executable).with_name("tcpl"))


@pytest.fixture
def tcpl(tmp_path):
    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TCPL_")}
        env["TCPL_DATA_DIR"] = str(tmp_path / "data")
        return subprocess.run([TCPL, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, env=env,
                              timeout=60)
    return run


def test_add_shows_what_was_found_and_stores_a_reviewable_file(tcpl, tmp_path):
    out = tcpl("documents", "add", str(write_docx(tmp_path / "qd.docx", decision_lines())))
    assert out.returncode == 0, out.stderr
    assert "Quyết định 99/2099/QĐ-BTN" in out.stdout and "04/08/2099" in out.stdout
    assert "BỘ THỬ NGHIỆM PHẦN MỀM" in out.stdout and "Hiệu lực: 01/01/2100" in out.stdout
    assert "2 chương, 4 điều" in out.stdout and "3 điểm, 1 phụ lục" in out.stdout
    stored = tmp_path / "data" / "documents" / "qd-99-2099.yaml"
    assert stored.is_file() and str(stored) in out.stdout
    listed = json.loads(tcpl("documents", "list", "--json").stdout)
    assert [d["id"] for d in listed] == ["qd-99-2099"] and listed[0]["counts"]["article"] == 4
    article = tcpl("documents", "show", "qd-99-2099", "--article", "2")
    assert article.returncode == 0
    assert article.stdout.splitlines()[0] == "Điều 2. Điều kiện nuôi cá cảnh"
    assert "a) Có người phụ trách chăm sóc cá;" in article.stdout
    shown = json.loads(tcpl("documents", "show", "qd-99-2099", "--article", "4", "--json").stdout)
    assert shown["units"][0]["citation"] == "Điều 4 Quyết định 99/2099/QĐ-BTN"
    removed = tcpl("documents", "remove", "qd-99-2099")
    assert removed.returncode == 0 and not stored.exists()
    assert json.loads(tcpl("documents", "list", "--json").stdout) == []


def test_options_set_what_the_text_does_not_say(tcpl, tmp_path):
    lines = [line for line in decision_lines() if "hiệu lực" not in line]
    out = tcpl("documents", "add", str(write_txt(tmp_path / "qd.txt", lines)), "--effective", "15/02/2100",
               "--id", "qd-ca-canh", "--json")
    assert out.returncode == 0, out.stderr
    described = json.loads(out.stdout)
    assert described["id"] == "qd-ca-canh" and described["effective"] == "2100-02-15"
    assert not any("--effective" in note for note in described["unread"])


@pytest.mark.parametrize(("args", "message"), [
    (["documents", "show", "khong-co"], "Không có văn bản mã «khong-co»"),
    (["documents", "remove", "khong-co"], "Không có văn bản mã «khong-co»"),
    (["handbook", "remove", "stp-9"], "Không có mục «stp-9»"),
    (["handbook", "list"], "--local"),
])
def test_bad_requests_get_one_clear_line(tcpl, args, message):
    out = tcpl(*args)
    assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr


def test_a_scanned_pdf_is_refused(tcpl, tmp_path):
    out = tcpl("documents", "add", str(write_scanned_pdf(tmp_path / "scan.pdf")))
    assert out.returncode == 1 and "bản quét" in out.stderr and "Traceback" not in out.stderr


def test_handbook_add_list_remove(tcpl):
    added = tcpl("handbook", "add", "--question", "Bể cá của cơ quan đặt ở đâu?", "--answer",
                 "Đặt ở sảnh tầng một (câu trả lời thử).", "--citation", "Thông báo thử số 1")
    assert added.returncode == 0, added.stderr
    assert "stp-1" in added.stdout
    listed = json.loads(tcpl("handbook", "list", "--local", "--json").stdout)
    assert [(e["id"], e["question"]) for e in listed] == [("stp-1", "Bể cá của cơ quan đặt ở đâu?")]
    asked = json.loads(tcpl("ask", "--json", "bể cá của cơ quan đặt ở đâu").stdout)
    assert asked["found"] and asked["entry_id"] == "stp-1"
    assert "Nội dung do Sở Tư pháp bổ sung ngày" in asked["answer"]
    assert tcpl("handbook", "remove", "stp-1").returncode == 0
    assert json.loads(tcpl("handbook", "list", "--local", "--json").stdout) == []


def ask_all(tcpl, questions: list[str]) -> dict[str, dict]:
    """Ask in one process (loading the knowledge once), as `tcpl ask --json --batch -`."""
    out = tcpl("ask", "--json", "--batch", "-", stdin="\n".join(questions) + "\n")
    assert out.returncode == 0, out.stderr
    return {o["question"]: o for o in map(json.loads, out.stdout.splitlines())}


def test_after_adding_a_text_its_clauses_answer_word_for_word(tcpl, tmp_path):
    assert tcpl("documents", "add", str(write_docx(tmp_path / "qd.docx", decision_lines()))).returncode == 0
    clauses = [
        ("Bể cá phải có dung tích bao nhiêu?", "khoản 1 Điều 2 Quyết định 99/2099/QĐ-BTN",
         "Bể cá phải có dung tích từ 50 lít trở lên và đặt ở nơi không có ánh nắng trực tiếp"),
        ("nuoc trong be ca thay may ngay mot lan", "khoản 2 Điều 2 Quyết định 99/2099/QĐ-BTN",
         "c) Nước trong bể được thay ít nhất 07 ngày một lần."),
        ("hồ sơ đăng ký nuôi cá nộp cho ai, trước ngày nào?", "khoản 2 Điều 3 Quyết định 99/2099/QĐ-BTN",
         "Hồ sơ nộp cho Văn phòng Bộ trước ngày 10 tháng 01 hằng năm."),
    ]
    unanswered = ["Thủ tục cấp giấy phép xây dựng nhà ở nông thôn?",
                  "Cơ quan có phải nộp thuế khi nuôi cá không", "giá vàng hôm nay"]
    handbook_question = "Điều kiện để xã được công nhận đạt chuẩn tiếp cận pháp luật theo QĐ 25/2021"
    named = ["Điều 3 QĐ 99 quy định gì", "khoản 2 Điều 4 Quyết định 99/2099 nói gì",
             "Điều 5 QĐ 27 quy định gì"]
    answers = ask_all(tcpl, [q for q, _, _ in clauses] + unanswered + [handbook_question] + named)
    for question, citation, verbatim in clauses:
        answered = answers[question]
        assert answered["found"] and answered["citations"] == [citation], (question, answered)
        assert f"Theo {citation} (trích nguyên văn):" in answered["answer"] and verbatim in answered["answer"]
        assert "có hiệu lực từ ngày 01/01/2100" in answered["answer"]  # not in force yet
    article = answers["Điều 3 QĐ 99 quy định gì"]
    assert article["citations"] == ["Điều 3 Quyết định 99/2099/QĐ-BTN"]
    assert "Điều 3. Hồ sơ đăng ký nuôi cá\n1. Hồ sơ gồm đơn đăng ký" in article["answer"]
    clause = answers["khoản 2 Điều 4 Quyết định 99/2099 nói gì"]
    assert clause["citations"] == ["khoản 2 Điều 4 Quyết định 99/2099/QĐ-BTN"]
    for question in unanswered:
        assert not answers[question]["found"], question
    handbook = answers[handbook_question]
    assert handbook["found"] and handbook["entry_id"].startswith("qd25-")  # the handbook still comes first
    other = answers["Điều 5 QĐ 27 quy định gì"]  # names a text that is not loaded: not QĐ 99's Điều 5
    assert "99/2099" not in " ".join(other["citations"])


def test_a_text_in_the_handbooks_words_answers_its_clauses_and_leaves_the_handbooks_questions(tcpl, tmp_path):
    """Issue 12's done-when, with a text whose words ("tiêu chí", "hồ sơ đề nghị công nhận", "Ủy ban nhân
    dân cấp xã", "điểm") are the handbook's own: weak entries sharing them must not answer for it."""
    assert tcpl("documents", "add", str(write_txt(tmp_path / "qd97.txt", AQUARIUM_STANDARD))).returncode == 0
    clauses = [
        ("Trụ sở Ủy ban nhân dân cấp xã phải có mấy bể cá cảnh?", "khoản 1 Điều 1 Quyết định 97/2099/QĐ-BTN",
         "Tiêu chí về bể cá: trụ sở Ủy ban nhân dân cấp xã có ít nhất một bể cá cảnh.»"),
        ("Ai quyết định công nhận xã đạt chuẩn bể cá cảnh?", "Điều 4 Quyết định 97/2099/QĐ-BTN",
         "Bộ trưởng Bộ Thử nghiệm Phần mềm quyết định công nhận xã đạt chuẩn nuôi cá cảnh trong thời hạn 20"
         " ngày kể từ ngày nhận đủ hồ sơ.»"),
        ("Theo Quyết định 97/2099/QĐ-BTN, mỗi tiêu chí được chấm tối đa bao nhiêu điểm?",
         "khoản 1 Điều 2 Quyết định 97/2099/QĐ-BTN", "Mỗi tiêu chí được chấm tối đa 50 điểm.»"),
    ]
    unanswered = ["Theo Quyết định 97/2099/QĐ-BTN, hội đồng đánh giá gồm những ai?",
                  "Xã có phải nộp phí công nhận đạt chuẩn nuôi cá cảnh không?"]
    handbook = ["Không còn huyện thì cấp nào ra quyết định công nhận đạt chuẩn?",
                "Bao nhiêu điểm thì đạt chuẩn?"]
    answers = ask_all(tcpl, [q for q, _, _ in clauses] + unanswered + handbook)
    for question, citation, verbatim in clauses:
        answered = answers[question]
        assert answered["found"] and answered["citations"] == [citation], (question, answered)
        text = answered["answer"]
        assert f"Theo {citation} (trích nguyên văn):\n«" in text and verbatim in text, question
    for question in unanswered:
        assert not answers[question]["found"] and answers[question]["citations"] == [], question
    for question in handbook:
        answered = answers[question]
        assert answered["found"] and answered["entry_id"].startswith("qd27-"), (question, answered)
        assert "97/2099" not in " ".join(answered["citations"])


def test_a_malformed_id_or_entry_is_named_in_vietnamese(tcpl, tmp_path):
    out = tcpl("documents", "add", str(write_txt(tmp_path / "qd.txt", decision_lines())), "--id", "QĐ 99")
    assert out.returncode == 2 and "--id" in out.stderr and "Traceback" not in out.stderr
    out = tcpl("handbook", "add", "--question", "  ", "--answer", "Trả lời thử.",
               "--citation", "Thông báo thử")
    assert out.returncode == 2 and "câu hỏi trống" in out.stderr


def test_validate_checks_the_departments_files_by_their_kind(tcpl, tmp_path):
    assert tcpl("documents", "add", str(write_txt(tmp_path / "qd.txt", decision_lines()))).returncode == 0
    assert tcpl("handbook", "add", "--question", "Câu hỏi thử?", "--answer", "Trả lời thử.",
                "--citation", "Thông báo thử").returncode == 0
    data = tmp_path / "data"
    document, answers = data / "documents" / "qd-99-2099.yaml", data / "so-tay-bo-sung.yaml"
    assert tcpl("validate", str(document), str(answers)).returncode == 0
    answers.write_text(answers.read_text(encoding="utf-8").replace("answer: Trả lời thử.", "answer: ''"),
                       encoding="utf-8")
    out = tcpl("validate", str(answers))
    assert out.returncode == 1 and f"{answers}:" in out.stdout and "answer" in out.stdout
    out = tcpl("ask", "--json", "Câu hỏi thử?")  # the bot refuses to run on an invalid file
    assert out.returncode != 0 and f"{answers}:" in out.stderr
