"""``python -m bench.run_bot --config PATH --delivery-rate R``: the bot, with a faster sender.

The same BotRunner as ``buurtbot run`` (token from BUURTBOT_TOKEN), except that the delivery
worker's rate may exceed the config's limit (below Telegram's 30 per second): the broadcast
benchmark pairs it with a playground whose limit is raised to match, so that 10,000 messages
take half a minute instead of six. Everything else is as configured.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import signal
from pathlib import Path

from bot.core.config import load_config
from bot.core.logs import setup_logging
from bot.runner import BotRunner


async def _serve(runner: BotRunner) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await runner.start()
    try:
        await stop.wait()
    finally:
        await runner.stop()


def main(argv: list[str] | None = None) -> None:
    """Run until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m bench.run_bot", description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--delivery-rate", type=float, required=True)
    args = parser.parse_args(argv)
    config = load_config(args.config, os.environ)
    delivery = dataclasses.replace(config.delivery, rate_per_second=args.delivery_rate)
    config = dataclasses.replace(config, delivery=delivery)
    setup_logging(config.token)
    asyncio.run(_serve(BotRunner(config)))


if __name__ == "__main__":
    main()
