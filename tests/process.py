"""Run `buurtbot` as a separate process, for the tests that kill it or read its exit code."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from playground.client import Person, SentMessage
from storage.models import MUNICIPALITY, PlaceRef, ThemeStatus
from tests.backends import new_repository, storage_toml

ROOT = Path(__file__).resolve().parent.parent


def write_config(path: Path, url: str, database: Path, *, extra: str = "") -> Path:
    """Write a TOML config for a bot pointed at the playground."""
    path.write_text(
        f"""
[telegram]
base_url = "{url}/bot"
base_file_url = "{url}/file/bot"
poll_timeout = 1

[storage]
{storage_toml(database)}

[municipality]
name = "Renkum"

[[municipality.areas]]
key = "doorwerth-heveadorp"
name = "Doorwerth en Heveadorp"
villages = [
  {{ name = "Doorwerth", neighbourhoods = ["Kasteelweg", "Dorp"] }},
  {{ name = "Heveadorp" }},
]

# Tests act faster than people: no flood guard, no pacing (tests/conftest.py GENEROUS_FLOOD).
[flood]
updates = 1000000
chat_rate = 10000.0
chat_burst = 10000
bot_rate = 100000.0
bot_burst = 100000
{extra}
""",
        encoding="utf-8",
    )
    return path


def env_with(token: str | None, **extra: str) -> dict[str, str]:
    """The environment for a child process, with or without a token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    if token is not None:
        env["BUURTBOT_TOKEN"] = token
    env.update(extra)
    return env


async def start_bot(config: Path, token: str) -> asyncio.subprocess.Process:
    """Start `python -m bot run` in its own process."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        cwd=ROOT,
        env=env_with(token),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def kill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL, the way a crash or an impatient operator stops a process."""
    process.kill()
    await process.wait()


async def wait_for_text(
    person: Person,
    expected: str,
    *,
    after: int = 0,
    timeout: float = 20.0,  # noqa: ASYNC109
) -> list[SentMessage]:
    """Wait until the bot's newest message after the mark starts with expected."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        messages = await person.bot_messages(after=after)
        if messages and messages[-1].content.startswith(expected):
            return messages
        if asyncio.get_running_loop().time() > deadline:
            seen = [m.content[:60] for m in messages[-3:]]
            raise AssertionError(f"waited for {expected!r}; last messages: {seen}")
        await asyncio.sleep(0.05)


async def seed_theme(
    database: Path,
    title: str = "Groen in het dorp",
    *,
    invitation: str = "Waar wil jij meer groen zien?",
    place: PlaceRef = MUNICIPALITY,
) -> int:
    """Store an active theme before the bot starts, as an ambassador would have published it."""
    repo = new_repository(database)
    await repo.open()
    try:
        theme = await repo.create_theme(
            title=title,
            invitation=invitation,
            question="Wat zou jij graag zien?",
            place=place,
            status=ThemeStatus.ACTIVE,
            starts_on=date.today() - timedelta(days=1),
            ends_on=date.today() + timedelta(days=30),
        )
        return theme.id
    finally:
        await repo.close()
