"""A bot killed right after an erasure still tells the resident, once, that all is gone."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playground.client import PlaygroundClient
from playground.server import Playground
from storage.sql_repository import SqlRepository
from tests.backends import new_repository
from tests.conftest import TOKEN
from tests.erasure_scan import Person, settled_traces
from tests.process import kill, start_bot, wait_for_text, write_config

FAREWELL = "Alles is gewist."


async def _erased(repo: SqlRepository, user_id: int, pg: PlaygroundClient) -> None:
    """Wait until the erasure is committed and the next sendMessage hangs at Telegram."""
    for _ in range(400):
        faults = await pg.faults()
        stalled = faults["injected"].get("stall:sendMessage", 0) >= 1
        if stalled and await repo.get_resident(user_id) is None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the erasure did not happen, or nothing was sent after it")


async def test_sigkill_before_the_farewell_went_out_still_sends_it_once(
    playground: Playground, tmp_path: Path
) -> None:
    database = tmp_path / "buurtbot.sqlite3"
    config = write_config(tmp_path / "buurtbot.toml", playground.url, database)
    repo = new_repository(database)
    async with PlaygroundClient(playground.url) as pg:
        anna = await pg.new_person(first_name="Anna", username="anna_wist")
        process = await start_bot(config, TOKEN)
        try:
            await anna.send("/start")
            await wait_for_text(anna, "In welk dorp woon je?", timeout=30)
            await anna.press("Doorwerth")
            await wait_for_text(anna, "En in welke buurt van Doorwerth?")
            await anna.send("/vergeet")
            await wait_for_text(anna, "Weet je het zeker?")
            await repo.open()
            # Telegram hangs on every message from now on: the farewell cannot get out.
            await pg.set_faults(stall_rate=1.0, stall=120, methods=["sendMessage"])
            await anna.press("Ja, wis alles")
            await _erased(repo, anna.id, pg)
        finally:
            await kill(process)
        await pg.set_faults(stall_rate=0.0)
        assert not any(m.content.startswith(FAREWELL) for m in await anna.bot_messages())

        process = await start_bot(config, TOKEN)
        try:
            await wait_for_text(anna, FAREWELL, timeout=30)
            await asyncio.sleep(1.5)  # time for a second one, were it coming
            farewells = [m for m in await anna.bot_messages() if m.content.startswith(FAREWELL)]
            assert len(farewells) == 1
            left = await settled_traces(repo, Person(anna.id, ("Anna", "anna_wist")))
            assert left == []
        finally:
            process.terminate()
            assert await process.wait() == 0
            await repo.close()
