"""End to end: a double tap on a confirm button (issue 13, point 21). The second press is
answered quietly: no second edit for Telegram to refuse, no "already closed" after "closed"."""

from __future__ import annotations

import pytest

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from storage.models import PlaceKind, PlaceRef, ThemeStatus
from tests.conftest import AMBASSADOR_ID, add_theme
from tests.residents import onboard


async def _double_tap(pg: PlaygroundClient, person: Person, label: str) -> None:
    """Two presses of one button, the second sent before the bot answered the first."""
    message = next(m for m in reversed(await person.bot_messages()) if label in m.button_labels)
    data = next(b.callback_data for row in message.buttons for b in row if b.text == label)
    first = await pg.press_button(person.id, message.message_id, label=label)
    # Sent as the client had it: the buttons may already be gone when this one is queued.
    second = await pg.press_button(person.id, message.message_id, data=data, forged=True)
    await pg.wait(first.update_id)
    await pg.wait(second.update_id)
    for pressed in (first, second):
        assert await person.callback_answer(pressed.callback_query_id) is not None


@pytest.mark.parametrize(
    ("language", "yes", "done", "already"),
    [
        ("nl", "Ja, sluit af", "is afgesloten", "al afgesloten"),
        ("en", "Yes, close it", "is closed", "already closed"),
    ],
)
async def test_a_double_tap_on_closing_closes_once_and_quietly(
    pg: PlaygroundClient, bot: BotRunner, language: str, yes: str, done: str, already: str
) -> None:
    theme = await add_theme(bot, place=PlaceRef(PlaceKind.VILLAGE, "doorwerth"))
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID)
    await ahmed.send("/start")
    if language == "en":
        await ahmed.send("/taal")
        await ahmed.press("English")
    await ahmed.send("/afsluiten")
    await ahmed.press(theme.title)
    before = len(await ahmed.bot_messages())
    await _double_tap(pg, ahmed, yes)
    after = [m.text or "" for m in (await ahmed.bot_messages())[before:]]
    assert len([text for text in after if done in text]) == 1, after
    assert not any(already in text for text in after), after
    assert (await pg.stats()).errors_4xx == 0
    stored = await bot.repo.get_theme(theme.id)
    assert stored is not None and stored.status == ThemeStatus.CLOSED


async def test_a_double_tap_on_sending_a_message_sends_it_once(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    anna = await onboard(pg, "Anna", village="Doorwerth", news=True)
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID)
    await ahmed.send("/start")
    await ahmed.send("/bericht")
    await ahmed.press("Bewoners van een plek")
    await ahmed.press("Doorwerth")
    await ahmed.send("Zaterdag is de buurtschoonmaak.")
    before = len(await ahmed.bot_messages())
    await _double_tap(pg, ahmed, "Verstuur")
    after = [m.text or "" for m in (await ahmed.bot_messages())[before:]]
    assert not any("werkt niet meer" in text for text in after), after
    assert (await pg.stats()).errors_4xx == 0
    outbox = [row for row in await bot.repo.dump_table("outbox") if row["chat_id"] == anna.id]
    assert len(outbox) == 1, outbox
