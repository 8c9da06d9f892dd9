import pytest

from handlers.progress_text import BLOCKED, DONE, IN_PROGRESS, parse_progress


@pytest.mark.parametrize("text, status, percent, note", [
    ("đã xong", DONE, 100, None),
    ("Đã hoàn thành", DONE, 100, None),
    ("xong 100%", DONE, 100, None),
    ("da xong roi a", DONE, 100, None),
    ("đang làm 60%", IN_PROGRESS, 60, None),
    ("dang thuc hien, duoc khoang 30 %", IN_PROGRESS, 30, None),
    ("chưa xong", IN_PROGRESS, None, None),
    ("80%", IN_PROGRESS, 80, None),
    ("vướng: chưa có kinh phí", BLOCKED, None, "chưa có kinh phí"),
    ("vuong mac chua co kinh phi", BLOCKED, None, "chua co kinh phi"),
    ("Gặp khó khăn: thiếu người làm", BLOCKED, None, "thiếu người làm"),
])
def test_clear_replies_are_read(text, status, percent, note):
    p = parse_progress(text)
    assert p.sure
    assert (p.status, p.percent, p.note) == (status, percent, note)


@pytest.mark.parametrize("text", ["ok", "", "🙂", "150%", "cảm ơn", "đang làm, sắp xong"])
def test_unclear_replies_are_not_guessed(text):
    p = parse_progress(text)
    assert not p.sure


def test_done_with_a_blocker_is_unsure():
    assert not parse_progress("xong rồi nhưng vướng chưa có kinh phí quyết toán").sure
