"""End to end: an ambassador plans a moment (issue 13, points 15-17): typed dates read back
when their weekday does not fit or they lie far ahead, the end time asked, and the preview's
edit buttons. The clock is a ManualClock on Wednesday 2 December 2026."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from playground.client import PlaygroundClient
from playground.server import Playground
from tests.conftest import BotFactory
from tests.timeline_support import Harness, ambassador, village_theme

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Wednesday 2 December 2026, 10:00 in Doorwerth


@pytest.fixture
async def world(playground: Playground, make_bot: BotFactory, tmp_path: Path) -> Harness:
    harness = Harness(make_bot, tmp_path / "buurtbot.sqlite3", ManualClock(T0))
    await harness.start()
    return harness


@pytest.fixture
async def pg(playground: Playground, world: Harness) -> AsyncIterator[PlaygroundClient]:
    async with PlaygroundClient(playground.url, waiter=world.waiter) as client:
        yield client


async def test_dates_that_do_not_fit_are_asked_about_in_dutch(
    pg: PlaygroundClient, world: Harness
) -> None:
    theme = await village_theme(world.bot)
    ahmed = await ambassador(pg)
    await ahmed.send("/moment")
    await ahmed.press(theme.title)
    await ahmed.press("Ontmoeting")
    await ahmed.send("Winterwandeling")
    prompt = (await ahmed.last_bot_message()).text
    # The example is about two weeks ahead, not a year away.
    assert "zoals 16 december of 16-12-2026" in prompt, prompt

    # 12 December 2026 is a Saturday: the weekday typed is asked about, not dropped.
    await ahmed.send("vrijdag 12 december")
    asked = await ahmed.last_bot_message()
    assert asked.text.startswith("zaterdag 12 december 2026 valt niet op een vrijdag."), asked.text
    assert asked.button_labels == ["zaterdag 12 december 2026", "vrijdag 11 december 2026"]
    await ahmed.press("vrijdag 11 december 2026")
    assert (await ahmed.last_bot_message()).text.startswith("Hoe laat begint het?")
    await ahmed.send("/cancel")

    # 14 November has been this year: next year's is a Sunday, and nearly a year away.
    await ahmed.send("/moment")
    await ahmed.press(theme.title)
    await ahmed.press("Ontmoeting")
    await ahmed.send("Winterwandeling")
    await ahmed.send("zaterdag 14 november")
    asked = await ahmed.last_bot_message()
    assert asked.text.startswith("zondag 14 november 2027 valt niet op een zaterdag."), asked.text
    assert asked.button_labels == ["zondag 14 november 2027", "zaterdag 13 november 2027"]
    # Typed text is read afresh; a date far ahead is read back with its full date.
    await ahmed.send("14 november")
    asked = await ahmed.last_bot_message()
    assert asked.text.startswith("Bedoel je zondag 14 november 2027?"), asked.text
    assert asked.button_labels == ["Ja, zondag 14 november 2027"]
    await ahmed.send("19 december")  # near and without a weekday: taken as it is
    assert (await ahmed.last_bot_message()).text.startswith("Hoe laat begint het?")
    # The doubt's old buttons no longer answer.
    await ahmed.press("Ja, zondag 14 november 2027", message_id=asked.message_id)
    assert (await ahmed.last_bot_message()).text.startswith("Hoe laat begint het?")


async def test_dates_that_do_not_fit_are_asked_about_in_english(
    pg: PlaygroundClient, world: Harness
) -> None:
    theme = await village_theme(world.bot)
    ahmed = await ambassador(pg)
    await ahmed.send("/taal")
    await ahmed.press("English")
    await ahmed.send("/moment")
    await ahmed.press(theme.title)
    await ahmed.press("Meeting")
    await ahmed.send("Winter walk")
    assert "like 16 December or 16-12-2026" in (await ahmed.last_bot_message()).text
    await ahmed.send("Friday 12 December")
    asked = await ahmed.last_bot_message()
    assert asked.text.startswith("Saturday 12 December 2026 is not a Friday."), asked.text
    assert asked.button_labels == ["Saturday 12 December 2026", "Friday 11 December 2026"]
    await ahmed.press("Saturday 12 December 2026")
    assert (await ahmed.last_bot_message()).text.startswith("What time does it start?")


async def test_the_preview_edits_one_field_and_asks_the_end(
    pg: PlaygroundClient, world: Harness
) -> None:
    theme = await village_theme(world.bot)
    ahmed = await ambassador(pg)
    await ahmed.send("/moment")
    await ahmed.press(theme.title)
    await ahmed.press("Ontmoeting")
    await ahmed.send("Kerstmarkt")
    await ahmed.send("19 december")
    await ahmed.send("14:00")
    ask_end = await ahmed.last_bot_message()
    assert ask_end.text.startswith("Hoe laat is het afgelopen?"), ask_end.text
    assert ask_end.button_labels == ["Ongeveer 2 uur"]
    await ahmed.send("17:30")
    await ahmed.send("Het dorpsplein")
    preview = await ahmed.last_bot_message()
    assert "zaterdag 19 december 2026 om 14:00 tot 17:30" in preview.text, preview.text
    for label in ("✏️ Titel", "✏️ Datum", "✏️ Begintijd", "✏️ Eindtijd", "✏️ Plek"):
        assert label in preview.button_labels, preview.button_labels

    # A wrong date is changed from the preview: the time is asked again, then the preview.
    await ahmed.press("✏️ Datum")
    assert (await ahmed.last_bot_message()).text.startswith("Op welke dag is het?")
    await ahmed.send("zondag 20 december")
    await ahmed.send("13:00")
    preview = await ahmed.last_bot_message()
    assert "zondag 20 december 2026 om 13:00 tot 16:30" in preview.text, preview.text
    assert "Kerstmarkt" in preview.text and "Waar: Het dorpsplein" in preview.text
    # The end alone, with the quick button.
    await ahmed.press("✏️ Eindtijd")
    await ahmed.press("Ongeveer 2 uur")
    preview = await ahmed.last_bot_message()
    assert "om 13:00 tot 15:00" in preview.text, preview.text
    # And the title.
    await ahmed.press("✏️ Titel")
    await ahmed.send("Kerstmarkt op het plein")
    preview = await ahmed.last_bot_message()
    assert preview.text.startswith("Kerstmarkt op het plein\n"), preview.text
    await ahmed.press("Zet op de tijdlijn")
    card = await ahmed.last_bot_message()
    assert "zondag 20 december 2026 om 13:00 tot 15:00" in card.text, card.text
    [moment] = await world.bot.repo.upcoming_planned(T0)
    assert moment.length_minutes == 120
    assert (await pg.stats()).errors_4xx == 0


async def test_the_end_is_asked_in_english(pg: PlaygroundClient, world: Harness) -> None:
    theme = await village_theme(world.bot)
    ahmed = await ambassador(pg)
    await ahmed.send("/taal")
    await ahmed.press("English")
    await ahmed.send("/moment")
    await ahmed.press(theme.title)
    await ahmed.press("Meeting")
    await ahmed.send("Christmas market")
    await ahmed.send("19 December")
    await ahmed.send("14:00")
    assert (await ahmed.last_bot_message()).text.startswith(
        "What time does it end? Write a time after 14:00, for example 16:00."
    )
    await ahmed.send("noon")
    assert (await ahmed.bot_messages())[-2].text.startswith("I didn't understand that time.")
    await ahmed.press("About 2 hours")
    await ahmed.send("The square")
    preview = await ahmed.last_bot_message()
    assert "Saturday 19 December 2026 at 14:00 until 16:00" in preview.text, preview.text
    await ahmed.press("✏️ Start time")
    await ahmed.send("15:00")
    assert "at 15:00 until 17:00" in (await ahmed.last_bot_message()).text
