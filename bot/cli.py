"""The `buurtbot` command: run against Telegram, or a local demo chat without a token."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram.error import InvalidToken

from bot import collector, export_cli
from bot.core.config import Config, ConfigError, load_config
from bot.core.logs import setup_logging
from bot.runner import BotRunner

EXIT_USAGE = 2
_log = logging.getLogger("buurtbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="buurtbot",
        description="A Telegram bot for the conversation between a municipality and its villages.",
    )
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot against Telegram (needs BUURTBOT_TOKEN)")
    run.add_argument("--config", type=Path, help="config file (or set BUURTBOT_CONFIG)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook ([telegram.webhook]) instead of long polling",
    )
    demo = sub.add_parser("demo", help="chat with the bot locally, no Telegram token needed")
    demo.add_argument("--config", type=Path, help="use this municipality instead of the demo one")
    demo.add_argument("--data", type=Path, help="keep the demo's database in this folder")
    demo.add_argument("--script", type=Path, help="replay a chat from a file and print it")
    export_cli.add_parser(sub)
    return parser


def _fail(message: str) -> int:
    print(f"buurtbot: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command; return the exit code."""
    args = _parser().parse_args(argv)
    command = args.command
    if command is None:
        # The main job without a token is the local demo; with one, the real bot.
        command = "run" if os.environ.get("BUURTBOT_TOKEN") else "demo"
        args = _parser().parse_args([command])
    if command == "export":
        return export_cli.run(args)
    if command == "demo":
        from bot.demo import run_demo

        return run_demo(config_path=args.config, data_dir=args.data, script=args.script)
    token = os.environ.get("BUURTBOT_TOKEN")
    if not token:
        return _fail(
            "BUURTBOT_TOKEN is not set: set it to your bot's token, "
            "or try `buurtbot demo` to chat locally without Telegram"
        )
    try:
        config = load_config(args.config, os.environ)
    except ConfigError as exc:
        return _fail(f"config: {exc}")
    webhook = bool(getattr(args, "webhook", False))
    if webhook and config.telegram.webhook is None:
        return _fail(
            "config: telegram.webhook: missing; --webhook needs a [telegram.webhook] section "
            "with url and secret_token"
        )
    setup_logging(token)
    try:
        asyncio.run(_serve(config, webhook=webhook))
    except InvalidToken:
        return _fail("Telegram refused the token in BUURTBOT_TOKEN")
    return 0


async def _serve(config: Config, *, webhook: bool = False) -> None:
    runner = BotRunner(config, webhook=webhook)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await runner.start()
    # A process of its own that runs for weeks: tests and the demo keep Python's defaults.
    collector.settle()
    try:
        stopped = asyncio.create_task(runner.intake.stopped.wait())
        asked = asyncio.create_task(stop.wait())
        await asyncio.wait({stopped, asked}, return_when=asyncio.FIRST_COMPLETED)
        for task in (stopped, asked):
            task.cancel()
        if runner.intake.fatal is not None:
            raise runner.intake.fatal
    finally:
        await runner.stop()
