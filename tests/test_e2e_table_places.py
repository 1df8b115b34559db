"""End to end: a table's places (issue 13, point 18). A maximum below who already sits there
is refused with a word why; a full table has a waiting list for everyone, the initiator too."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from tests.conftest import BotFactory
from tests.residents import onboard
from tests.timeline_support import Harness, ambassador, village_theme

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


async def _join(person: Person, title: str) -> None:
    await person.send("/tafels")
    await person.press(title)
    await person.press("Meedoen")
    await person.press("Sla over")
    await person.press("Nee, liever niet")


async def test_places_refuse_a_lower_maximum_and_the_initiator_waits_like_anyone(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    await bot.repo.create_table(
        theme_id=theme.id, title="Moestuin De Bongerd", initiator_name="Marja", capacity=2
    )
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    marja = await onboard(pg, "Marja", village="Doorwerth", news=False)
    ahmed = await ambassador(pg)
    await ahmed.send("/tafels")
    await ahmed.press("Moestuin De Bongerd")
    await ahmed.press("Link voor de initiatiefnemer")
    match = re.search(r"\?start=(tf_[a-z0-9]+)", (await ahmed.last_bot_message()).text or "")
    assert match is not None
    await marja.send(f"/start {match.group(1)}")
    await _join(anna, "Moestuin De Bongerd")

    # Two sit at the table: a maximum of one is refused, with why.
    await marja.send("/tafels")
    await marja.press("Moestuin De Bongerd (je doet mee)")
    await marja.press("Pas de tafelkaart aan")
    await marja.press("Aantal plaatsen")
    await marja.send("1")
    refused = (await marja.last_bot_message()).text
    assert refused.startswith("Er zitten al 2 mensen aan deze tafel."), refused
    await marja.send("/cancel")
    await marja.send("/taal")
    await marja.press("English")
    await marja.send("/tafels")
    await marja.press("Moestuin De Bongerd (you take part)")
    await marja.press("Change the table card")
    await marja.press("Number of places")
    await marja.send("1")
    refused = (await marja.last_bot_message()).text
    assert refused.startswith("2 people already sit at this table."), refused
    await marja.send("2")
    assert "1 of 2" not in (await marja.last_bot_message()).text
    await marja.send("/taal")
    await marja.press("Nederlands")

    # The initiator leaves; the table fills; her link puts her on the waiting list.
    await marja.send("/tafels")
    await marja.press("Moestuin De Bongerd (je doet mee)")
    await marja.press("Stop met deze tafel")
    await marja.press("Ja, ik stop")
    await _join(bas, "Moestuin De Bongerd")
    await marja.send(f"/start {match.group(1)}")
    said = [m.text for m in await marja.bot_messages()][-3:]
    assert any(s.startswith("Deze tafel is vol. Je staat op de wachtlijst, plek 1.") for s in said)
    card = (await marja.last_bot_message()).text
    assert "Plaatsen: 2 van 2 bezet, 1 op de wachtlijst" in card, card
    assert "Plaatsen: 3 van 2" not in card
