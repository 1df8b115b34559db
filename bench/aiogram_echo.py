"""A second baseline: an aiogram 3 echo bot, the framework people pick when they want speed.

``python -m bench.aiogram_echo --base-url URL`` with the token in BUURTBOT_TOKEN. aiogram is a
bench-only extra (``pip install -e '.[bench]'``), never a dependency of the bot itself.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def echo(message: Message) -> None:
    """Send the text back."""
    if message.text is not None:
        await message.answer(message.text)


async def run(base_url: str) -> None:
    """Poll until SIGTERM, handling every update as its own task (aiogram's default)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    bot = Bot(os.environ["BUURTBOT_TOKEN"], session=session)
    dispatcher = Dispatcher()
    dispatcher.message.register(echo)
    await dispatcher.start_polling(bot, polling_timeout=10)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.aiogram_echo", description=__doc__)
    parser.add_argument("--base-url", required=True, help="http://127.0.0.1:PORT")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.base_url))


if __name__ == "__main__":
    main()
