"""The fake Telegram Bot API answers the real python-telegram-bot client like Telegram does."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_api import FakeTelegramAPI, local_request, running_application, texts

TOKEN = "123456:TEST-token"
USER = 4242


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeTelegramAPI) -> AsyncIterator[Bot]:
    async with api.bot() as client:
        yield client


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeat the user's text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user on /start."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("<b>Xin chào!</b>", parse_mode=ParseMode.HTML)


async def test_echo_bot_replies_over_real_polling(api: FakeTelegramAPI) -> None:
    application = (
        ApplicationBuilder().token(TOKEN).base_url(api.base_url).base_file_url(api.base_file_url).build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))

    async with running_application(application):
        api.push_update(api.message_update(USER, "/start", username="lan"))
        await api.wait_for("sendMessage", chat_id=USER)
        api.push_update(api.message_update(USER, "Thủ tục & hồ sơ <2025>"))
        calls = await api.wait_for("sendMessage", count=2, chat_id=USER)

    assert [call.params["text"] for call in calls] == ["<b>Xin chào!</b>", "Thủ tục & hồ sơ <2025>"]
    assert texts(api.sent_messages(USER)) == ["Xin chào!", "Thủ tục & hồ sơ <2025>"]
    methods = [call.method for call in api.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    assert methods[-1] == "getUpdates"  # PTB confirms the last offset when it stops
    assert api.pending_updates == []
    assert api.errors() == []


async def test_running_application_leaves_no_task_behind(api: FakeTelegramAPI) -> None:
    application = api.application_builder().build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with running_application(application):
        api.push_update(api.message_update(USER, "một"))
        await api.wait_for("sendMessage")
    await api.stop()
    await asyncio.sleep(0)
    assert {task for task in asyncio.all_tasks() if task is not asyncio.current_task()} == set()


async def test_flood_control_then_retry_succeeds(
    api: FakeTelegramAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as timedelta, no warning
    waits: list[dtm.timedelta] = []

    async def reply_with_retry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        for _ in range(3):
            try:
                await update.effective_message.reply_text("Đã nhận")
                return
            except RetryAfter as error:
                assert isinstance(error.retry_after, dtm.timedelta)
                waits.append(error.retry_after)
                await asyncio.sleep(error.retry_after.total_seconds())

    application = api.application_builder().build()
    application.add_handler(MessageHandler(filters.TEXT, reply_with_retry))
    api.fail_next("sendMessage", retry_after=1)

    async with running_application(application):
        api.push_update(api.message_update(USER, "báo cáo"))
        await api.wait_for("sendMessage", chat_id=USER)

    assert waits == [dtm.timedelta(seconds=1)]
    statuses = [exchange.status for exchange in api.exchanges if exchange.method == "sendMessage"]
    assert statuses == [429, 200]
    assert api.errors()[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }


async def test_message_length_limit(api: FakeTelegramAPI, bot: Bot) -> None:
    await bot.send_message(USER, "ệ" * 4096)
    # Tags do not count: Telegram measures the text after parsing the entities.
    await bot.send_message(USER, "<b>" + "ệ" * 4096 + "</b>", parse_mode=ParseMode.HTML)

    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "ệ" * 4097)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode=ParseMode.HTML)
    assert [record["plain_text"] for record in api.sent_messages(USER)] == ["ệ" * 4096] * 2


@pytest.mark.parametrize(
    "text",
    [
        "<b>chưa đóng",
        "a < b",
        "Hỏi & đáp",
        "&nbsp;",
        "<p>đoạn văn</p>",
        "<span>ẩn</span>",
        "<b><i>chéo</b></i>",
        "<br>",
    ],
)
async def test_malformed_html_is_rejected(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(USER, text, parse_mode=ParseMode.HTML)


async def test_well_formed_html_is_accepted_with_entities(api: FakeTelegramAPI, bot: Bot) -> None:
    user_text = html.escape('Điều 3 < Điều 5 & "khoản" 2')
    text = (
        f'<b>Tiêu chí</b> {user_text} <i>nghiêng</i> <a href="https://example.org/a?b=1&amp;c=2">link</a> '
        '<span class="tg-spoiler">ẩn</span> <tg-spoiler>x</tg-spoiler> <blockquote>trích</blockquote> '
        '<pre><code class="language-python">print(1)</code></pre> &#273;'
    )
    message = await bot.send_message(USER, text, parse_mode=ParseMode.HTML)

    assert message.text is not None
    assert message.text.startswith('Tiêu chí Điều 3 < Điều 5 & "khoản" 2 nghiêng link')
    assert message.text.endswith("đ")
    kinds = [entity.type for entity in message.entities]
    assert kinds == ["bold", "italic", "text_link", "spoiler", "spoiler", "blockquote", "pre"]
    assert message.entities[2].url == "https://example.org/a?b=1&c=2"
    assert message.entities[6].language == "python"
    assert message.parse_entity(message.entities[0]) == "Tiêu chí"
    assert api.sent_messages(USER)[0]["text"] == text


async def test_callback_query_is_answered_and_message_edited(api: FakeTelegramAPI) -> None:
    async def on_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Đã chọn")
        await query.edit_message_text(f"Bạn đã chọn {query.data}")

    application = api.application_builder().build()
    application.add_handler(CallbackQueryHandler(on_choice))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Tiêu chí 1", callback_data="tc:1")]])

    async with running_application(application):
        sent = await application.bot.send_message(USER, "Chọn tiêu chí", reply_markup=keyboard)
        assert sent.reply_markup == keyboard
        api.push_update(api.callback_update(USER, "tc:1", sent.message_id))
        [answer] = await api.wait_for("answerCallbackQuery")
        [edit] = await api.wait_for("editMessageText", chat_id=USER)

    assert answer.params["text"] == "Đã chọn"
    assert edit.params["message_id"] == sent.message_id
    assert texts(api.sent_messages(USER)) == ["Chọn tiêu chí", "Bạn đã chọn tc:1"]
    assert api.errors() == []


async def test_callback_rules(api: FakeTelegramAPI, bot: Bot) -> None:
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("Đủ", callback_data="đ" * 32)]])  # 64 bytes
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("Thừa", callback_data="đ" * 33)]])  # 66 bytes
    sent = await bot.send_message(USER, "Chọn", reply_markup=fits)
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "Chọn", reply_markup=too_long)

    update = api.push_update(api.callback_update(USER, "x", sent.message_id))
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query_id)

    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("Chọn", chat_id=USER, message_id=sent.message_id, reply_markup=fits)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("Mới", chat_id=USER, message_id=9999)


async def test_send_document_stores_bytes_and_serves_the_file(api: FakeTelegramAPI, bot: Bot) -> None:
    content = b"PK\x03\x04 progress report \xff\x00"
    message = await bot.send_document(
        USER, document=content, filename="bao-cao.xlsx", caption="<b>Báo cáo</b> tháng 6", parse_mode="HTML"
    )

    [record] = api.sent_messages(USER)
    assert (record["method"], record["filename"], record["content"]) == (
        "sendDocument",
        "bao-cao.xlsx",
        content,
    )
    assert record["caption"] == "<b>Báo cáo</b> tháng 6"
    assert message.caption == "Báo cáo tháng 6"
    assert message.document is not None and message.document.file_name == "bao-cao.xlsx"
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_platform_errors(api: FakeTelegramAPI, bot: Bot) -> None:
    api.block_chat(USER)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(USER, "Nhắc việc")
    api.unblock_chat(USER)

    api.fail_with("sendMessage", 500, "Internal Server Error")
    with pytest.raises(NetworkError, match="(?i)Internal Server Error"):
        await bot.send_message(USER, "Nhắc việc")
    await bot.send_message(USER, "Nhắc việc")

    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert await bot.send_chat_action(USER, "typing")


async def test_wrong_token_cannot_initialize(api: FakeTelegramAPI) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=api.base_url, request=local_request()):
            pass


async def test_get_updates_offset_and_long_polling(api: FakeTelegramAPI, bot: Bot) -> None:
    ids = [api.push_update(api.message_update(USER, f"tin {n}"))["update_id"] for n in range(3)]

    assert [u.update_id for u in await bot.get_updates(timeout=0)] == ids  # unconfirmed: stays
    assert [u.update_id for u in await bot.get_updates(offset=ids[1], timeout=0)] == ids[1:]
    assert [u.update_id for u in await bot.get_updates(offset=ids[2] + 1, timeout=0)] == []
    assert api.pending_updates == []

    loop = asyncio.get_running_loop()
    began = loop.time()
    waiting = asyncio.create_task(bot.get_updates(offset=ids[2] + 1, timeout=10))
    await asyncio.sleep(0.05)
    api.push_update(api.message_update(USER, "mới"))
    [update] = await waiting
    assert update.message is not None and update.message.text == "mới"
    assert loop.time() - began < 0.5

    api.max_poll_seconds = 0.2
    began = loop.time()
    assert await bot.get_updates(offset=update.update_id + 1, timeout=10) == ()
    assert 0.15 < loop.time() - began < 0.6  # the fake caps long polls (at one second by default)


async def test_redelivered_update_reaches_the_bot_twice(api: FakeTelegramAPI) -> None:
    seen: list[int] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.update_id)
        await echo(update, context)

    application = api.application_builder().build()
    application.add_handler(MessageHandler(filters.TEXT, record))
    update = api.message_update(USER, "đăng ký")

    async with running_application(application):
        first = api.push_update(update)
        await api.wait_for("sendMessage")
        with pytest.raises(ValueError, match="(?i)allow_duplicates"):
            api.push_update(first)
        api.allow_duplicates = True
        api.push_update(first)
        await api.wait_for("sendMessage", count=2)

    assert seen == [first["update_id"]] * 2


async def test_second_poller_conflicts(api: FakeTelegramAPI, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    # One Bot never polls twice at once (its getUpdates pool has one connection): a second
    # instance of the bot does.
    async with api.bot() as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="(?i)terminated by other getUpdates request"):
        await first


async def test_commands_and_webhook(api: FakeTelegramAPI, bot: Bot) -> None:
    assert await bot.set_my_commands([("start", "Bắt đầu"), ("hoi", "Hỏi đáp pháp luật")])
    assert [(c.command, c.description) for c in await bot.get_my_commands()] == [
        ("start", "Bắt đầu"),
        ("hoi", "Hỏi đáp pháp luật"),
    ]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("HoiDap", "Hỏi")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    with pytest.raises(BadRequest, match="(?i)HTTPS URL"):
        await bot.set_webhook("http://bot.example.invalid/hook")
    assert await bot.set_webhook("https://bot.example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://bot.example.invalid/hook"
    with pytest.raises(Conflict, match="(?i)webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.set_webhook("http://127.0.0.1:8443/telegram")  # loopback: testable without TLS
    assert await bot.delete_webhook()


async def test_allowed_updates_filter_like_telegram(api: FakeTelegramAPI, bot: Bot) -> None:
    api.push_update({"chat_member": {}})  # opt-in type: Telegram leaves it out by default
    message = api.push_update(api.message_update(USER, "tin"))
    api.push_update(api.callback_update(USER, "tc:1", message_id=1))
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [
        message["update_id"],
        message["update_id"] + 1,
    ]

    api.push_update(api.callback_update(USER, "tc:2", message_id=1))
    assert (
        await bot.get_updates(offset=message["update_id"] + 2, timeout=0, allowed_updates=["message"]) == ()
    )
    assert api.pending_updates == []


async def test_wait_for_reports_what_arrived(api: FakeTelegramAPI, bot: Bot) -> None:
    await bot.send_message(USER + 1, "khác")
    with pytest.raises(AssertionError, match=r"(?s)expected 1 successful sendMessage.*sendMessage -> 200"):
        await api.wait_for("sendMessage", chat_id=USER, timeout=0.05)
    api.clear()
    assert api.calls == [] and api.sent_messages() == []
