"""End to end: with [delivery] paid_broadcast on, /bericht states its cost and goes out paid."""

from __future__ import annotations

import asyncio

import pytest

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from storage.models import Consent, PlaceKind, PlaceRef, ThemeStatus
from tests.conftest import AMBASSADOR_ID, BotFactory, add_theme
from tests.process import wait_for_text

TEXT = "Zaterdag is de buurtschoonmaak. Doe je mee?"


@pytest.fixture
async def bot(request: pytest.FixtureRequest, make_bot: BotFactory) -> BotRunner:
    """The bot with paid broadcast on (param True) or, as by default, off."""
    paid = bool(getattr(request, "param", False))
    return await make_bot(delivery={"paid_broadcast": paid, "paid_rate_per_second": 1000})


async def _residents(pg: PlaygroundClient, bot: BotRunner, count: int) -> list[Person]:
    people = [await pg.new_person(first_name=f"Buur {i}") for i in range(count)]
    for person in people:
        await bot.repo.ensure_resident(person.id, "nl")
        await bot.repo.set_place(person.id, "doorwerth", None)
        await bot.repo.set_consent(person.id, Consent.THEME_NEWS, True)
    return people


async def _delivered(bot: BotRunner) -> None:
    """Wait until the outbox has nothing left to send."""
    for _ in range(600):
        if await bot.repo.next_due_at() is None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not empty")


async def _send_message(pg: PlaygroundClient, bot: BotRunner) -> tuple[str, Person]:
    """Ahmed writes to everyone in Doorwerth; returns the confirm text he saw."""
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID)
    await ahmed.send("/start")
    await ahmed.send("/bericht")
    await ahmed.press("Bewoners van een plek")
    await ahmed.press("Doorwerth")
    await ahmed.send(TEXT)
    confirm = (await ahmed.last_bot_message()).text
    await pg.reset_stats()
    await ahmed.press("Verstuur")
    await _delivered(bot)
    await wait_for_text(ahmed, "Je bericht is verstuurd.")
    return confirm, ahmed


async def _everyone_got_it(people: list[Person]) -> None:
    for person in people:
        received = [m for m in await person.bot_messages() if "buurtschoonmaak" in m.content]
        assert len(received) == 1, person


@pytest.mark.parametrize("bot", [True], indirect=True)
async def test_paid_bericht_states_the_cost_and_goes_out_paid(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    people = await _residents(pg, bot, 200)
    confirm, _ = await _send_message(pg, bot)
    assert confirm == (
        "Dit bericht gaat extra snel de deur uit. Dat kost ongeveer 20 Telegram Stars.\n\n"
        "Dit bericht gaat naar 200 bewoners die berichten van de buurtbot willen. Versturen?"
    )
    stats = await pg.stats()
    # Faster than the bulk limit of 30 a second allows, yet no 429: it went as paid.
    assert stats.too_many_requests == 0
    assert stats.violations == 0
    assert stats.paid_messages == 200
    assert stats.stars_spent == 20.0
    await _everyone_got_it(people)


async def test_without_paid_broadcast_nothing_is_paid(pg: PlaygroundClient, bot: BotRunner) -> None:
    people = await _residents(pg, bot, 30)
    confirm, _ = await _send_message(pg, bot)
    assert "Telegram Stars" not in confirm
    assert (await pg.stats()).paid_messages == 0
    await _everyone_got_it(people)


@pytest.mark.parametrize("bot", [True], indirect=True)
async def test_paid_theme_news_states_the_cost_and_goes_out_paid(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    people = await _residents(pg, bot, 45)
    await add_theme(
        bot,
        title="Groen Doorwerth",
        place=PlaceRef(PlaceKind.VILLAGE, "doorwerth"),
        status=ThemeStatus.DRAFT,
    )
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID)
    await ahmed.send("/start")
    await ahmed.send("/themas")
    await ahmed.press("Groen Doorwerth (concept)")
    await ahmed.press("Publiceer")
    confirm = (await ahmed.last_bot_message()).text
    # 45 messages at 0.1 Star: 4.5, stated as about 5.
    assert confirm.startswith(
        "Dit bericht gaat extra snel de deur uit. Dat kost ongeveer 5 Telegram Stars.\n\n"
    )
    assert "gaat naar 45 bewoners die themanieuws willen." in confirm
    await pg.reset_stats()
    await ahmed.press("Ja, publiceer")
    await _delivered(bot)
    # The outbox is empty once all is claimed; the report comes once all is sent.
    await wait_for_text(ahmed, "Je bericht is verstuurd.")
    stats = await pg.stats()
    assert stats.too_many_requests == 0
    assert stats.paid_messages == 45
    for person in people:
        texts = [m.content for m in await person.bot_messages()]
        assert sum("Groen Doorwerth" in text for text in texts) == 1, person
