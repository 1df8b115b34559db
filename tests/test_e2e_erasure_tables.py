"""End to end: a table's initiator and someone on its waiting list erase themselves."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from playground.client import Person as PlaygroundPerson
from playground.client import PlaygroundClient
from playground.server import Playground
from tests.conftest import BotFactory, repo_of
from tests.erasure_scan import Person, settled_traces, traces
from tests.process import wait_for_text
from tests.residents import onboard
from tests.timeline_support import Harness, ambassador, settled, village_theme

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def world(playground: Playground, make_bot: BotFactory, tmp_path: Path) -> Harness:
    harness = Harness(make_bot, tmp_path / "buurtbot.sqlite3", ManualClock(T0))
    await harness.start()
    return harness


@pytest.fixture
async def pg(playground: Playground, world: Harness) -> AsyncIterator[PlaygroundClient]:
    async with PlaygroundClient(playground.url, waiter=world.waiter) as client:
        yield client


async def _forget(person: PlaygroundPerson) -> None:
    await person.send("/vergeet")
    await person.press("Ja, wis alles")
    await wait_for_text(person, "Alles is gewist.")


async def test_vergeet_of_initiator_and_waiting_resident_leaves_no_trace(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    table = await bot.repo.create_table(
        theme_id=theme.id, title="Moestuin De Bongerd", initiator_name="Marja Molenaar", capacity=1
    )
    marja = await pg.new_person(first_name="Marja", username="marja_moestuin")
    wim = await onboard(pg, "Wim", village="Doorwerth", news=False)
    ahmed = await ambassador(pg)
    await ahmed.send("/tafels")
    await ahmed.press("Moestuin De Bongerd")
    await ahmed.press("Link voor de initiatiefnemer")
    match = re.search(r"\?start=(tf_[a-z0-9]+)", (await ahmed.last_bot_message()).text or "")
    assert match is not None
    await marja.send(f"/start {match.group(1)}")
    await marja.send("/tafels")
    await marja.press("Moestuin De Bongerd (je doet mee)")
    await marja.press("Pas de tafelkaart aan")
    await marja.press("Ambities")
    await marja.send("Elke week verse groenten voor de voedselbank")

    await wim.send("/tafels")
    await wim.press("Moestuin De Bongerd")
    await wim.press("Verbinden")
    await wim.send("Wim brengt gereedschap 5582")
    await wim.press("Ja, toon Wim")
    assert (await wim.last_bot_message()).text.startswith("Deze tafel is vol.")
    await world.at(T0 + timedelta(minutes=11))  # the members' digest of the card
    await settled(bot)

    repo = repo_of(bot)
    people = (
        (marja, Person(marja.id, ("Marja", "marja_moestuin", "Molenaar"))),
        (wim, Person(wim.id, ("Wim", "gereedschap 5582"))),
    )
    for person, needles in people:
        assert await traces(repo, needles), person
    for person, needles in people:
        await _forget(person)
        assert await settled_traces(repo, needles) == [], person
    # The table stays, without them; what the initiator wrote on the card is the village's.
    kept = await bot.repo.get_table(table.id)
    assert kept is not None and kept.initiator_id is None and kept.initiator_name == ""
    assert await bot.repo.list_members(table.id) == []
