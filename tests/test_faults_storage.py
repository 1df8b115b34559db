"""Storage that cannot be written: another process holds the database, or the disk is full.

Either way: one clear log line for the operator, the resident is told to try again (not that
their words were saved), the bot keeps running, and the file is sound afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import storage.sqlite
from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from tests.backends import sqlite_only
from tests.conftest import HANDLED_TIMEOUT, BotFactory, add_theme, repo_of

# Locks held by another process and a full file are SQLite's (PostgreSQL has its own).
pytestmark = sqlite_only

TRY_AGAIN = "Sorry, ik kan je bericht nu even niet bewaren. Probeer het over een paar minuten"
WHERE = "Mooi, dank je. Waar hoort dit bij?"
LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@pytest.fixture
def pg_factory(playground: Playground) -> Callable[[BotRunner], PlaygroundClient]:
    """A control client whose sends return once the given bot has handled them."""

    def make(runner: BotRunner) -> PlaygroundClient:
        async def handled(update_id: int) -> None:
            await asyncio.wait_for(runner.handled.wait(update_id), HANDLED_TIMEOUT)

        return PlaygroundClient(playground.url, waiter=handled)

    return make


def _after_inbox(runner: BotRunner, action: Callable[[], Awaitable[None]]) -> None:
    """Run action once, right after the next update is safely in the inbox."""
    original = runner.repo.inbox_add
    armed = [True]

    async def inbox_add(items: Sequence[tuple[int, int | None, str]]) -> Any:
        fresh = await original(items)
        if armed[0]:
            armed[0] = False
            await action()
        return fresh

    runner.repo.inbox_add = inbox_add  # type: ignore[method-assign]


def _integrity(database: Path) -> str:
    with sqlite3.connect(database) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


async def _in_talk(pg: PlaygroundClient) -> Person:
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/thema")
    await anna.send("Een eerste idee")
    # Placed, so the next note is asked about on its own (not with this one: burst.py).
    await anna.press("Wens")
    return anna


async def test_database_locked_by_another_process(
    make_bot: BotFactory,
    pg_factory: Callable[[BotRunner], PlaygroundClient],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Wait 1 s for the lock instead of 5 s: the same code path, a faster test.
    monkeypatch.setattr(storage.sqlite, "BUSY_TIMEOUT", 1.0)
    database = tmp_path / "buurtbot.sqlite3"
    runner = await make_bot(database=database)
    await add_theme(runner)
    locker: list[asyncio.subprocess.Process] = []

    async def lock() -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", LOCKER, str(database), "3", stdout=asyncio.subprocess.PIPE
        )
        assert process.stdout is not None
        assert await process.stdout.readline() == b"locked\n"
        locker.append(process)

    async with pg_factory(runner) as pg:
        anna = await _in_talk(pg)
        _after_inbox(runner, lock)
        with caplog.at_level(logging.ERROR):
            await anna.send("Een bankje bij de bushalte")
        assert (await anna.last_bot_message()).text.startswith(TRY_AGAIN)
        assert "not handled: the database is locked by another process" in caplog.text
        assert [n.text for n in await runner.repo.list_notes_by_author(anna.id)] == [
            "Een eerste idee"
        ]
        await locker[0].wait()

        # The lock is gone: the resident tries again and the bot goes on as before.
        await anna.send("Een bankje bij de bushalte")
        assert (await anna.last_bot_message()).text == WHERE
        texts = sorted(n.text for n in await runner.repo.list_notes_by_author(anna.id))
        assert texts == ["Een bankje bij de bushalte", "Een eerste idee"]
    for _ in range(60):
        if not await runner.repo.inbox_pending():
            break
        await asyncio.sleep(0.1)
    assert await runner.repo.inbox_pending() == []
    assert _integrity(database) == "ok"


async def test_disk_full(
    make_bot: BotFactory,
    pg_factory: Callable[[BotRunner], PlaygroundClient],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    database = tmp_path / "buurtbot.sqlite3"
    runner = await make_bot(database=database)
    await add_theme(runner)
    writer = repo_of(runner)._writer
    assert writer is not None

    async def fill_the_disk() -> None:
        # No page may be added to the file any more: what SQLite reports as a full disk.
        [[pages]] = await writer.fetch_all("PRAGMA page_count")
        await writer.fetch_all(f"PRAGMA max_page_count = {pages}")

    async with pg_factory(runner) as pg:
        anna = await _in_talk(pg)
        long_note = ("Een lang verhaal over de speeltuin en de bankjes. " * 80)[:3900].strip()
        _after_inbox(runner, fill_the_disk)
        with caplog.at_level(logging.ERROR):
            await anna.send(long_note)
        assert (await anna.last_bot_message()).text.startswith(TRY_AGAIN)
        assert "not handled: the disk is full" in caplog.text

        await writer.fetch_all("PRAGMA max_page_count = 1073741823")
        await anna.send(long_note)
        assert (await anna.last_bot_message()).text == WHERE
        texts = sorted(n.text for n in await runner.repo.list_notes_by_author(anna.id))
        assert texts == sorted(["Een eerste idee", long_note])
    assert await runner.repo.inbox_pending() == []
    assert _integrity(database) == "ok"


async def test_updates_that_cannot_be_stored_wait_at_telegram(
    make_bot: BotFactory,
    pg_factory: Callable[[BotRunner], PlaygroundClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    runner = await make_bot()
    await add_theme(runner)
    original = runner.repo.inbox_add
    failures = [2]

    async def inbox_add(items: Sequence[tuple[int, int | None, str]]) -> Any:
        if failures[0]:
            failures[0] -= 1
            raise sqlite3.OperationalError("database or disk is full")
        return await original(items)

    async with pg_factory(runner) as pg:
        anna = await pg.new_person(first_name="Anna")
        await anna.send("/thema")
        runner.repo.inbox_add = inbox_add  # type: ignore[method-assign]
        with caplog.at_level(logging.ERROR):
            # Not stored, not confirmed: polling tries again and nothing is lost.
            await anna.send("Een idee dat even moest wachten")
        assert "could not store 1 update(s): the disk is full" in caplog.text
        assert (await anna.last_bot_message()).text == WHERE
        assert [n.text for n in await runner.repo.list_notes_by_author(anna.id)] == [
            "Een idee dat even moest wachten"
        ]
    assert runner.poller._task is not None and not runner.poller._task.done()
