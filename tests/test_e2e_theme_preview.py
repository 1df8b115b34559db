"""End to end: what an ambassador sees before publishing (issue 13, point 20): the usual
question spelled out, and the question each quadrant asks, in Dutch and English."""

from __future__ import annotations

import pytest

from bot.runner import BotRunner
from playground.client import PlaygroundClient
from tests.conftest import AMBASSADOR_ID


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "nl",
            {
                "usual": "Of gebruik de gewone vraag: Wat zou jij graag zien?",
                "button": "Gebruik de gewone vraag",
                "today": "Vandaag",
                "weeks": "Over 6 weken",
                "yes": "Ja",
                "skip": "Sla over",
                "header": "Na een tik op een kwadrant vraagt de bot:",
                "own": "• Wensen: Welke boom mis je het meest?",
                "default": "• Voorbeelden: Welk goed voorbeeld ken je? Schrijf het op, of stuur"
                " een foto. (de gewone vraag)",
            },
        ),
        (
            "en",
            {
                "usual": "Or use the usual one: What would you like to see?",
                "button": "Use the usual question",
                "today": "Today",
                "weeks": "In 6 weeks",
                "yes": "Yes",
                "skip": "Skip",
                "header": "After a tap on a quadrant, the bot asks:",
                "own": "• Wishes: Welke boom mis je het meest?",
                "default": "(the usual question)",
            },
        ),
    ],
)
async def test_the_preview_shows_each_quadrants_question(
    pg: PlaygroundClient, bot: BotRunner, language: str, words: dict[str, str]
) -> None:
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID)
    await ahmed.send("/start")
    if language == "en":
        await ahmed.send("/taal")
        await ahmed.press("English")
    await ahmed.send("/nieuwthema")
    await ahmed.send("Groen Doorwerth")
    await ahmed.send("Waar wil jij meer bomen zien?")
    asked = (await ahmed.last_bot_message()).text
    assert words["usual"] in asked, asked
    await ahmed.press(words["button"])
    await ahmed.press("Doorwerth")
    await ahmed.press(words["today"])
    await ahmed.press(words["weeks"])
    await ahmed.press(words["yes"])
    await ahmed.send("Welke boom mis je het meest?")
    for _ in range(3):
        await ahmed.press(words["skip"])
    summary = (await ahmed.last_bot_message()).text
    assert words["header"] in summary, summary
    assert words["own"] in summary, summary
    assert words["default"] in summary, summary
