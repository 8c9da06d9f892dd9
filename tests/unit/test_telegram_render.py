import html
import re

from bot.telegram_render import MAX_MESSAGE, _pieces, html_chunks, keyboard
from handlers.types import Choice, Reply


def _plain(chunk: str) -> str:
    return html.unescape(re.sub(r"</?[bi]>", "", chunk))


def test_user_text_is_escaped_and_title_is_bold():
    chunks = html_chunks(Reply(text="a < b & c > d", title="Điều <4>", note="Căn cứ: Điều 4"))
    assert chunks == ["<b>Điều &lt;4&gt;</b>\n\na &lt; b &amp; c &gt; d\n\n<i>Căn cứ: Điều 4</i>"]


def test_long_text_is_split_under_the_limit_without_losing_characters():
    body = "\n".join(f"Dòng {i}: " + "<&>" * 40 + " chữ có dấu đầy đủ" for i in range(400))
    chunks = html_chunks(Reply(text=body, title="Tiêu đề"))
    assert len(chunks) > 1
    assert all(len(c) <= MAX_MESSAGE for c in chunks)
    joined = "".join(_plain(c).replace("\n", "") for c in chunks)
    assert joined.replace("Tiêu đề", "", 1) == body.replace("\n", "")


def test_a_single_endless_word_is_cut_hard_but_fits():
    chunks = html_chunks(Reply(text="&" * 10_000))
    assert all(len(c) <= MAX_MESSAGE for c in chunks)
    assert sum(_plain(c).count("&") for c in chunks) == 10_000


def test_keyboard_drops_buttons_whose_data_would_exceed_64_bytes():
    reply = Reply(text="x", choices=(Choice("ok", "e:qd25-dieu-kien"), Choice("bad", "e:" + "đ" * 40)))
    kb = keyboard(reply)
    assert kb is not None
    assert kb == {"inline_keyboard": [[{"text": "ok", "callback_data": "e:qd25-dieu-kien"}]]}


def test_a_long_label_is_shortened_with_an_ellipsis():
    kb = keyboard(Reply(text="x", choices=(Choice("Chữ " * 30, "e:a"),)))
    assert kb is not None
    [[button]] = kb["inline_keyboard"]
    assert len(button["text"]) == 60 and button["text"].endswith("…")


def test_pieces_split_where_the_escaped_text_reaches_the_limit():
    # Each line escapes to 11 characters ("&amp;&amp;\n"): four fit in 44, a fifth does not.
    assert _pieces("&&\n" * 5, 44) == ["&&\n&&\n&&\n&&", "&&"]


def test_no_choices_no_keyboard():
    assert keyboard(Reply(text="x")) is None
