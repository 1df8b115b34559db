"""End to end: what a resident is told about their own data, and that the bot keeps to it."""

from __future__ import annotations

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from tests.conftest import AMBASSADOR_ID
from tests.process import wait_for_text
from tests.residents import onboard
from tests.staff import delivered


async def _ambassador(pg: PlaygroundClient) -> Person:
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID)
    await ahmed.send("/start")
    return ahmed


async def _message_to_doorwerth(ahmed: Person, bot: BotRunner, words: str) -> str:
    """The ambassador writes to everyone in Doorwerth; returns the confirmation they saw."""
    await ahmed.send("/bericht")
    await ahmed.press("Bewoners van een plek")
    await ahmed.press("Doorwerth")
    await ahmed.send(words)
    confirm = (await ahmed.last_bot_message()).text or ""
    await ahmed.press("Verstuur")
    await delivered(bot)
    await wait_for_text(ahmed, "Je bericht is verstuurd.")
    return confirm


async def _got(person: Person, words: str) -> bool:
    return any(words in m.content for m in await person.bot_messages())


async def test_stop_ends_messages_to_the_place_and_privacy_says_so(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    anna = await onboard(pg, "Anna", village="Doorwerth", news=True)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=True)
    carl = await pg.new_person(first_name="Carl", language_code="en")
    await carl.send("/start")
    await carl.press("Doorwerth")
    await carl.press("Skip")
    await carl.press("Yes, please")
    dirk = await onboard(pg, "Dirk", village="Doorwerth", news=False)
    await bas.send("/stop")
    stopped = (await bas.last_bot_message()).text or ""
    assert "geen bericht aan iedereen in je dorp of buurt" in stopped
    await carl.send("/stop")
    assert "no message to everyone in your village or neighbourhood" in (
        (await carl.last_bot_message()).text or ""
    )

    ahmed = await _ambassador(pg)
    confirm = await _message_to_doorwerth(ahmed, bot, "Zaterdag is de buurtschoonmaak.")
    assert confirm == (
        "Dit bericht gaat naar 1 bewoner die berichten van de buurtbot wil. Versturen?"
    )
    assert await _got(anna, "buurtschoonmaak")
    for person in (bas, carl, dirk):
        assert not await _got(person, "buurtschoonmaak"), person

    await bas.send("/privacy")
    privacy = (await bas.last_bot_message()).text or ""
    assert "Wat /stop stopt" in privacy
    assert "geen bericht van de gebiedsambassadeur aan iedereen in je dorp of buurt" in privacy
    assert "herinneringen aan een tafel of moment waar je aan meedoet" in privacy
    await carl.send("/privacy")
    privacy = (await carl.last_bot_message()).text or ""
    assert "What /stop stops" in privacy
    assert "no message from the area ambassador to everyone in your village" in privacy

    # Asking for news again brings messages to the place back.
    await bas.send("/mijn")
    await bas.press("Wel themanieuws")
    await _message_to_doorwerth(ahmed, bot, "Zondag koffie in het dorpshuis.")
    assert await _got(bas, "koffie in het dorpshuis")
