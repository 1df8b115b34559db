"""`buurtbot export`: a theme's board as files, straight from the database, no Telegram needed.

    buurtbot export --config PATH --theme CODE
    buurtbot export --data DIR --theme CODE     (a `buurtbot demo --data DIR` database)
                    [--format md csv json png pdf html cards ics report | all | contacts]
                    [--out DIR] [--language nl|en]

Each export is written in the audit trail as done from the command line. The contact list
(--format contacts) is only made when asked for by name.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from bot.backends import repository_for
from bot.core.clock import SystemClock
from bot.core.config import Config, ConfigError, load_config
from bot.core.i18n import LANGUAGES
from bot.demo_config import demo_config
from bot.services.exports import (
    CONTACTS,
    THEME_FORMATS,
    ExportFile,
    available_formats,
    board_files,
    contacts_file,
)

EXIT_USAGE = 2
ALL = "all"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the export subcommand to buurtbot's command line."""
    export = sub.add_parser(
        "export", help="write a theme's board as files (Markdown, CSV, JSON, PNG, PDF)"
    )
    export.add_argument("--config", type=Path, help="config file (or set BUURTBOT_CONFIG)")
    export.add_argument(
        "--data",
        type=Path,
        help="the data folder of `buurtbot demo --data DIR` (with --config: that municipality)",
    )
    export.add_argument("--theme", required=True, help="the theme's code, as in its deep link")
    export.add_argument(
        "--format",
        nargs="+",
        default=[ALL],
        choices=[*THEME_FORMATS, ALL, CONTACTS],
        help="one or more formats: md csv json png pdf html (the board), cards (table cards), ics"
        " (the timeline), report (the council's report: PDF and HTML); 'all' is all of these"
        " the theme has; 'contacts' the contact list",
    )
    export.add_argument(
        "--out", type=Path, help="folder for the files (default: here; with --data: DIR/exports)"
    )
    export.add_argument("--language", choices=LANGUAGES, help="language of headings and labels")


def _fail(message: str) -> int:
    print(f"buurtbot: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    """Run `buurtbot export`; return the exit code."""
    data: Path | None = args.data
    try:
        if data is not None:
            config = demo_config(args.config, data, None)
        else:
            config = load_config(args.config, os.environ)
    except ConfigError as exc:
        return _fail(f"config: {exc}")
    if config.storage.url is None and not config.storage.path.exists():
        hint = "has the demo run with --data there yet?" if data else "has the bot run yet?"
        return _fail(f"no database at {config.storage.path}; {hint}")
    try:
        files = asyncio.run(_export(config, args))
    except LookupError as exc:
        return _fail(str(exc))
    out: Path = args.out or (data / "exports" if data is not None else Path("."))
    try:
        out.mkdir(parents=True, exist_ok=True)
        for file in files:
            path = out / file.name
            path.write_bytes(file.data)
            print(path)
    except OSError as exc:
        return _fail(f"cannot write to {out}: {exc.strerror or exc}")
    return 0


async def _export(config: Config, args: argparse.Namespace) -> list[ExportFile]:
    language = args.language or config.default_language
    now = SystemClock().now()
    repo = repository_for(config.storage)
    await repo.open()
    try:
        theme = await repo.get_theme_by_code(args.theme)
        if theme is None:
            raise LookupError(f"no theme with code {args.theme!r}")
        formats: list[str] = []
        for fmt in args.format:
            for one in await available_formats(repo, theme) if fmt == ALL else [fmt]:
                if one not in formats:
                    formats.append(one)
        files: list[ExportFile] = []
        board = [f for f in formats if f != CONTACTS]
        if board:
            files += await board_files(
                repo,
                config,
                theme,
                board,
                language=language,
                now=now,
                actor_id=None,
                actor_name=None,
                via="cli",
            )
        if CONTACTS in formats:
            files.append(
                await contacts_file(
                    repo, config, theme, now=now, actor_id=None, actor_name=None, via="cli"
                )
            )
    finally:
        await repo.close()
    return files
