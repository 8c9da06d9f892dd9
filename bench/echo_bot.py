"""A bare python-telegram-bot echo bot, the yardstick for tcpl-bot's Telegram throughput.

PTB's own echo example (PTB's defaults, its Updater's polling) with one change: updates are handled
concurrently, as tcpl-bot handles them, so the comparison is of the work per update, not of
sequential against concurrent handling. It stores nothing and answers by repeating the message.
With "aiohttp" it talks to the Bot API over tcpl-bot's transport (bot.telegram_http) instead of PTB's
default httpx one, so that only tcpl-bot's own work per update differs.

    python -m bench.echo_bot TOKEN API_URL [aiohttp]
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the user message."""
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


def main() -> None:
    """Start the bot and poll until stopped."""
    token, api = sys.argv[1], sys.argv[2].rstrip("/")
    builder = (Application.builder().token(token).base_url(f"{api}/bot")
               .base_file_url(f"{api}/file/bot").concurrent_updates(True))
    if sys.argv[3:] == ["aiohttp"]:
        from bot.telegram_http import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(connections=1))
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0)


if __name__ == "__main__":
    main()
