import pytest

from handlers.progress_text import BLOCKED, DONE, IN_PROGRESS, NOT_STARTED, parse_progress

# The phrases officials write (issue 11, item 5), each with what it must be read as.
PHRASES = [
    *[(t, DONE, 100) for t in ("xong", "xong rồi", "đã xong", "làm rồi", "đã làm", "hoàn thành",
                               "đã hoàn thành", "ok xong", "xong roi", "da xong", "lam roi", "da lam",
                               "hoan thanh", "da hoan thanh", "ok xong")],
    *[(t, NOT_STARTED, None) for t in ("chưa làm", "chưa bắt đầu", "chưa triển khai", "chua lam",
                                       "chua bat dau", "chua trien khai")],
    ("đang làm", IN_PROGRESS, None), ("dang lam", IN_PROGRESS, None),
    ("đang triển khai 60 %", IN_PROGRESS, 60), ("dang trien khai 60 %", IN_PROGRESS, 60),
    ("được khoảng 60%", IN_PROGRESS, 60), ("duoc khoang 60%", IN_PROGRESS, 60),
    *[(t, BLOCKED, None) for t in ("vướng", "khó khăn", "chưa có kinh phí", "vuong", "kho khan",
                                   "chua co kinh phi")],
]


@pytest.mark.parametrize("text, status, percent", PHRASES)
def test_the_phrases_officials_write(text, status, percent):
    p = parse_progress(text)
    assert p.sure and (p.status, p.percent) == (status, percent)


@pytest.mark.parametrize("text", ["dang 1100%", "1000%", "-50%", "đang làm -50 %", "60,5%"])
def test_a_percentage_outside_0_to_100_is_asked_back(text):
    p = parse_progress(text)
    assert not p.sure and p.status is None and p.question and "từ 0 đến 100" in p.question


def test_100_percent_asks_to_confirm_done():
    p = parse_progress("đang làm 100%")
    assert not p.sure and p.confirm_done and p.status is None


def test_not_finished_is_not_done_and_not_not_started():
    assert parse_progress("chưa làm xong").status == IN_PROGRESS
    assert parse_progress("đang làm, sắp xong").status == IN_PROGRESS


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
    # A colon later in the note keeps every word of it.
    ("vướng chưa có kinh phí, dự kiến: tháng 3", BLOCKED, None, "chưa có kinh phí, dự kiến: tháng 3"),
    ("chưa có kinh phí: đã đề nghị Sở Tài chính", BLOCKED, None, "chưa có kinh phí: đã đề nghị Sở Tài chính"),
])
def test_clear_replies_are_read(text, status, percent, note):
    p = parse_progress(text)
    assert p.sure
    assert (p.status, p.percent, p.note) == (status, percent, note)


@pytest.mark.parametrize("text", ["ok", "", "🙂", "150%", "cảm ơn", "công tác phối hợp"])
def test_unclear_replies_are_not_guessed(text):
    p = parse_progress(text)
    assert not p.sure


def test_done_with_a_blocker_is_unsure():
    assert not parse_progress("xong rồi nhưng vướng chưa có kinh phí quyết toán").sure
