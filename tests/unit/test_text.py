from knowledge.text import canonical_syllable, clean, fold, folded_tokens, has_diacritics, tokens


def test_fold_strips_every_diacritic_and_d_bar():
    assert fold("Đạt chuẩn tiếp cận pháp luật") == "dat chuan tiep can phap luat"
    assert fold("ĐẶC KHU") == "dac khu"


def test_nfd_and_nfc_input_fold_alike():
    import unicodedata

    s = "Hòa giải ở cơ sở"
    assert fold(unicodedata.normalize("NFD", s)) == fold(unicodedata.normalize("NFC", s))
    assert clean(unicodedata.normalize("NFD", s)) == unicodedata.normalize("NFC", s)


def test_old_and_new_tone_placement_are_the_same_syllable():
    assert canonical_syllable("hoà") == canonical_syllable("hòa") == "hoa2"
    assert canonical_syllable("thuỷ") == canonical_syllable("thủy")
    assert canonical_syllable("hoa") != canonical_syllable("hòa")


def test_numbers_and_document_codes_stay_whole():
    assert tokens("QĐ 25/2021/QĐ-TTg, chỉ tiêu 2.3") == ["qđ", "25/2021", "qđ", "ttg", "chỉ", "tiêu", "2.3"]
    assert folded_tokens("Trước 10/01") == ["truoc", "10/01"]


def test_has_diacritics():
    assert has_diacritics("điều kiện")
    assert not has_diacritics("dieu kien cong nhan")


def test_incoming_text_is_cleaned_where_it_enters_and_otherwise_kept() -> None:
    from handlers.types import Incoming

    msg = Incoming(platform="zalo", chat_id="c\x00", user_id="u", text="vướng:\x07 chưa có\x0bkinh phí 😀",
                   choice="p:1:d\x00", display_name="Lan\x00\ud800", extras={"sent_at": "x\x1f"})
    assert msg.text == "vướng: chưa có\nkinh phí 😀"
    assert msg.display_name == "Lan\ufffd" and msg.chat_id == "c" and msg.choice == "p:1:d"
    assert msg.extras == {"sent_at": "x"}
    kept = "tab\tand\r\nlines"
    assert Incoming(platform="t", chat_id="1", user_id="1", text=kept).text == kept
