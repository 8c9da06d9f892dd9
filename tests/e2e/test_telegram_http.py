"""The bot's aiohttp transport for PTB, against the fake Bot API: errors keep PTB's meaning."""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.telegram_http import AiohttpRequest
from tests.fakes.telegram_api import FakeTelegramAPI, UploadedFile

TOKEN = "777:HTTP-TRANSPORT-SECRET"


def bot_for(api: FakeTelegramAPI, **options: float) -> Bot:
    return Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url,
               request=AiohttpRequest(**options), get_updates_request=AiohttpRequest(connections=1))


async def test_a_burst_larger_than_the_pool_waits_its_turn_and_arrives_whole() -> None:
    async with FakeTelegramAPI(token=TOKEN) as api, Bot(
        TOKEN, base_url=api.base_url, request=AiohttpRequest(connections=2),
        get_updates_request=AiohttpRequest(connections=1),
    ) as bot:
        for chat in range(60):
            api.push_update(api.message_update(chat + 1, "xin chào"))  # makes each chat known
        sent = await asyncio.gather(*(bot.send_message(chat + 1, f"<b>Trả lời {chat}</b>", parse_mode="HTML")
                                      for chat in range(60)))
        assert sorted(m.chat_id for m in sent) == list(range(1, 61))
        texts = {m["plain_text"] for m in api.sent_messages()}
        assert texts == {f"Trả lời {chat}" for chat in range(60)}


async def test_a_document_is_uploaded_with_its_name_and_caption() -> None:
    async with FakeTelegramAPI(token=TOKEN) as api, bot_for(api) as bot:
        api.push_update(api.message_update(5, "/baocao"))
        await bot.send_document(5, document=b"PK\x03\x04 workbook", filename="bao-cao-tiến-độ.xlsx",
                                caption="Báo cáo tiến độ")
        [call] = await api.wait_for("sendDocument")
        document = call.params["document"]
        assert isinstance(document, UploadedFile)
        assert document.content == b"PK\x03\x04 workbook"
        assert document.filename == "bao-cao-tiến-độ.xlsx"
        assert call.params["caption"] == "Báo cáo tiến độ"


async def test_a_stalled_bot_api_is_a_timeout() -> None:
    async with FakeTelegramAPI(token=TOKEN) as api, bot_for(api, read_timeout=0.3) as bot:
        api.stall("sendMessage")
        api.push_update(api.message_update(5, "xin chào"))
        with pytest.raises(TimedOut):
            await bot.send_message(5, "trả lời")
        api.release("sendMessage")


async def test_an_unreachable_bot_api_is_a_network_error_without_the_token() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before use: nothing listens there
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest(connect_timeout=1),
              get_updates_request=AiohttpRequest(connections=1))
    with pytest.raises(NetworkError) as raised:
        await bot.initialize()  # getMe
    assert not isinstance(raised.value, TimedOut)
    assert "HTTP-TRANSPORT-SECRET" not in str(raised.value)
    await bot.shutdown()


async def test_a_call_with_a_keyboard_and_vietnamese_text_arrives_whole() -> None:
    async with FakeTelegramAPI(token=TOKEN) as api, bot_for(api) as bot:
        api.push_update(api.message_update(5, "xin chào"))
        keyboard = {"inline_keyboard": [[{"text": "Tiêu chí", "callback_data": "m:tieuchi"}]]}
        await bot.send_message(5, "Điều 4 <b>đủ</b>", parse_mode="HTML", reply_markup=keyboard)
        [call] = await api.wait_for("sendMessage")
        assert call.params["reply_markup"] == keyboard
        [sent] = api.sent_messages()
        assert sent["plain_text"] == "Điều 4 đủ"


async def test_a_lone_surrogate_is_escaped_not_a_crash_of_the_transport() -> None:
    async with FakeTelegramAPI(token=TOKEN) as api, bot_for(api) as bot:
        api.push_update(api.message_update(5, "xin chào"))
        await bot.send_message(5, "trả lời \ud800")
        [call] = await api.wait_for("sendMessage")
        assert call.params["text"] == "trả lời \ud800"
