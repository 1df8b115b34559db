"""End to end: a table an ambassador says grew from a note is told to that note's writer,
once and only with consent; the closing thank-you names the writer's own table; /vergeet
takes the consent and the links along."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from storage.models import Consent
from tests.conftest import BotFactory
from tests.residents import onboard
from tests.timeline_support import Harness, ambassador, settled, texts, village_theme

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


async def _first_note(person: Person, note: str, *, follow: bool, ask: str) -> None:
    """Write a first note, answer the follow-up question, decline the table invitation."""
    await person.send("/thema")
    await person.send(note)
    await person.press("Wish" if ask.startswith("Would") else "Wens")
    asked = [m for m in await person.bot_messages() if (m.text or "").startswith(ask)]
    assert len(asked) == 1, [m.text for m in await person.bot_messages()]
    yes, no = asked[0].button_labels
    await person.press(yes if follow else no, message_id=asked[0].message_id)
    await person.press(no)  # the table invitation


_THEME = "Samen wonen, jong en oud"


async def _set_up_table(ahmed: Person, title: str, note_label: str) -> tuple[int, str]:
    """Set up a table grown from one note; return the save button's message and data."""
    await ahmed.send("/nieuwetafel")
    await ahmed.press(_THEME)
    await ahmed.send(title)
    for _ in range(6):  # initiator, capacity, what, ambitions, agreements, working
        last = await ahmed.last_bot_message()
        if "Waar komt deze tafel uit voort?" in last.text:
            break
        await ahmed.press("Geen maximum" if "Geen maximum" in last.button_labels else "Sla over")
    assert (await ahmed.last_bot_message()).text.startswith("Waar komt deze tafel uit voort?")
    await ahmed.press(note_label)
    preview = await ahmed.last_bot_message()
    data = preview.button("Opslaan").callback_data
    assert data is not None
    await ahmed.press("Opslaan")
    return preview.message_id, data


async def test_the_consenting_writer_hears_once_and_the_closing_names_her_table(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    emma = await onboard(pg, "Emma", village=None, news=False, neighbourhood="Skip", language="en")
    await _first_note(anna, "Een repair café in het dorpshuis", follow=True, ask="Wil je horen wat")
    await _first_note(bas, "Een bankje bij de kerk", follow=False, ask="Wil je horen wat")
    await _first_note(emma, "A bench by the church too", follow=True, ask="Would you like to hear")
    assert (await bot.repo.get_consents(anna.id))[Consent.FOLLOW_UP]
    assert not (await bot.repo.get_consents(bas.id))[Consent.FOLLOW_UP]

    ahmed = await ambassador(pg)
    save = await _set_up_table(ahmed, "Repair Café Doorwerth", "Een repair café in het dorpshuis")
    # Save pressed again (a tap that arrives twice) makes no second table, no second message.
    message_id, data = save
    await ahmed.press_data(data, message_id)  # its keyboard is gone: only a forged tap
    assert len(await bot.repo.list_tables([theme.id])) == 1
    await _set_up_table(ahmed, "Bankjes", "Een bankje bij de kerk")
    await _set_up_table(ahmed, "Benches", "A bench by the church too")
    await settled(world.bot)

    heard = await texts(anna, "kreeg een vervolg")
    assert heard == [
        "Je briefje ‘Een repair café in het dorpshuis’ kreeg een vervolg: gesprekstafel "
        "Repair Café Doorwerth. Kijk met /tafels wanneer je mee kunt doen."
    ]
    assert await texts(bas, "kreeg een vervolg") == []
    assert len(await texts(emma, "got a follow-up: conversation table Benches")) == 1

    # Queued again (a second save of the same links) or after a restart: nothing twice.
    from bot.services.follow_through import queue_follow_up

    table = (await bot.repo.list_tables([theme.id]))[0]
    assert await queue_follow_up(bot.repo, table, T0) == 0
    await world.restart()
    await settled(world.bot)
    assert len(await texts(anna, "kreeg een vervolg")) == 1

    await ahmed.send("/afsluiten")
    await ahmed.press(theme.title)
    await ahmed.press("Ja, sluit af")
    # The theme's broadcast is due by the storage's wall clock, not the test's ManualClock.
    await world.at(datetime.now(UTC))
    anna_thanks = await texts(anna, "Dank je wel voor het meepraten")
    assert len(anna_thanks) == 1
    assert "Uit jouw briefjes kwam:\n• gesprekstafel Repair Café Doorwerth" in anna_thanks[0]
    bas_thanks = await texts(bas, "Dank je wel voor het meepraten")
    assert len(bas_thanks) == 1 and "Uit jouw briefjes" not in bas_thanks[0]
    emma_thanks = await texts(emma, "What came of your notes:")
    assert len(emma_thanks) == 1 and "conversation table Benches" in emma_thanks[0]


async def test_follow_up_in_mijn_mijngegevens_and_gone_after_vergeet(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    await _first_note(anna, "Een repair café", follow=False, ask="Wil je horen wat")
    # Asked once per resident: a first note in another theme does not ask again.
    other = await village_theme(bot, title="Groen in het dorp")
    await anna.send("/thema")
    await anna.press(other.title)
    await anna.send("Meer bomen langs de weg")
    await anna.press("Wens")
    assert len(await texts(anna, "Wil je horen wat er met je briefjes gebeurt?")) == 1
    await anna.send("/mijn")
    assert await texts(anna, "Horen wat er met je briefjes gebeurt: nee")
    await anna.press("Wel horen wat er met mijn briefjes gebeurt")
    assert (await bot.repo.get_consents(anna.id))[Consent.FOLLOW_UP]
    await anna.send("/mijngegevens")
    assert await texts(anna, "Horen wat er met je briefjes gebeurt: ja")

    ahmed = await ambassador(pg)
    await _set_up_table(ahmed, "Repair Café Doorwerth", "Een repair café")
    table = (await bot.repo.list_tables([theme.id]))[0]
    assert len(await bot.repo.table_note_ids(table.id)) == 1
    await settled(world.bot)
    assert len(await texts(anna, "kreeg een vervolg")) == 1

    await anna.send("/vergeet")
    await anna.press("Ja, wis alles")
    assert not (await bot.repo.get_consents(anna.id))[Consent.FOLLOW_UP]
    assert await bot.repo.table_note_ids(table.id) == []
    assert await bot.repo.follow_up_writers(table.id) == []
