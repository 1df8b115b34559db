"""The baseline: python-telegram-bot's stock echo bot, as in its examples.

``python -m bench.echo_bot --base-url URL [--transport httpx|aiohttp] [--concurrency 256]``
with the token in BUURTBOT_TOKEN. With ``httpx`` (the default) it is PTB exactly as
shipped; ``aiohttp`` swaps in buurtbot's request class and nothing else, to show what the
transport alone is worth.
"""

from __future__ import annotations

import argparse
import logging
import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.transport import AiohttpRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


def main(argv: list[str] | None = None) -> None:
    """Run the echo bot until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m bench.echo_bot", description=__doc__)
    parser.add_argument("--base-url", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--transport", choices=("httpx", "aiohttp"), default="httpx")
    parser.add_argument("--concurrency", type=int, default=256)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    builder = (
        ApplicationBuilder()
        .token(os.environ["BUURTBOT_TOKEN"])
        .base_url(f"{args.base_url}/bot")
        .base_file_url(f"{args.base_url}/file/bot")
        .concurrent_updates(args.concurrency)
    )
    if args.transport == "aiohttp":
        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_limit=2)
        )
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(timeout=10)


if __name__ == "__main__":
    main()
