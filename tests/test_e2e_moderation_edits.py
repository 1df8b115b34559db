"""End to end: a note changed in /mijn after a moderator's decision goes back to the
moderators. Post mode: it stays on the board, its card marked "aangepast na goedkeuring";
pre mode: off the board until approved again; a shortened note's change always waits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from playground.client import Person, PlaygroundClient
from playground.server import Playground
from tests.conftest import BotFactory, add_theme
from tests.staff import card_for, cards, moderator, start_bot, write_note

MARK = "Aangepast na goedkeuring"
WAITS = "Je briefje is aangepast. Een moderator kijkt er even naar"


@pytest.fixture
async def pg(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    """A client without the default bot: each test here starts its own."""
    async with PlaygroundClient(playground.url) as client:
        yield client


async def _wishes_on_board(person: Person) -> str:
    await person.send("/bord")
    return (await person.last_bot_message()).caption or ""


async def _board_page(person: Person) -> str:
    await person.send("/bord")
    await person.press("Lees de briefjes")
    return (await person.last_bot_message()).text or ""


async def _edit_only_note(person: Person, words: str) -> str:
    """Change the resident's one note in /mijn; return what the bot answered."""
    await person.send("/mijn")
    labels = (await person.last_bot_message()).button_labels
    await person.press(next(label for label in labels if label.startswith("1. ")))
    await person.press("Pas aan")
    await person.send(words)
    return (await person.last_bot_message()).text or ""


async def _approve_only_card(mo: Person, words: str) -> None:
    await mo.send("/moderatie")
    card = card_for(await cards(mo), words)
    await mo.press("✅ Goedkeuren", message_id=card.message_id)
    assert (await mo.message(card.message_id)).text.endswith("Goedgekeurd door Mo.")


async def _queue_card(mo: Person, words: str) -> str:
    """The text of the card /moderatie shows now for a note with these words."""
    before = (await mo.last_bot_message()).message_id
    await mo.send("/moderatie")
    shown = [m for m in await cards(mo) if m.message_id > before]
    return card_for(shown, words).text or ""


async def test_post_mode_an_approved_note_changed_waits_again_marked(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "post"})
    await add_theme(runner)
    mo = await moderator(pg)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Een bankje bij de bakker", "Wens")
    await _approve_only_card(mo, "Een bankje bij de bakker")
    await mo.send("/moderatie")
    assert (await mo.last_bot_message()).text.startswith("Er wacht niets.")

    assert await _edit_only_note(anna, "Die lui bij de bakker zijn tuig") == (
        "Je briefje is aangepast."
    )
    # Post mode: still on the board, but back before the moderators, marked.
    bas = await pg.new_person(first_name="Bas")
    assert "Die lui bij de bakker zijn tuig" in await _board_page(bas)
    card = await _queue_card(mo, "Die lui bij de bakker zijn tuig")
    assert MARK in card and "Staat nu op het bord." in card

    await mo.press("Verbergen")
    await mo.press("Kwetsend of grof")
    assert "Wensen 0" in await _wishes_on_board(bas)
    await mo.send("/moderatie")
    assert (await mo.last_bot_message()).text.startswith("Er wacht niets.")


async def test_pre_mode_an_approved_note_changed_leaves_the_board_until_approved(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    await add_theme(runner)
    mo = await moderator(pg)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Een bankje bij de bakker", "Wens")
    await _approve_only_card(mo, "Een bankje bij de bakker")
    bas = await pg.new_person(first_name="Bas")
    assert "Wensen 1" in await _wishes_on_board(bas)

    assert (await _edit_only_note(anna, "Die lui bij de bakker zijn tuig")).startswith(WAITS)
    assert "Wensen 0" in await _wishes_on_board(bas)
    card = await _queue_card(mo, "Die lui bij de bakker zijn tuig")
    assert MARK in card and "Staat nu op het bord." not in card

    await _approve_only_card(mo, "Die lui bij de bakker zijn tuig")
    assert "Wensen 1" in await _wishes_on_board(bas)
    assert "Die lui bij de bakker zijn tuig" in await _board_page(bas)


@pytest.mark.parametrize("mode", ["pre", "post"])
async def test_a_shortened_note_changed_is_off_the_board_until_reviewed(
    pg: PlaygroundClient, make_bot: BotFactory, mode: str
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": mode})
    await add_theme(runner)
    mo = await moderator(pg)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Bel Piet op 06-12345678 over de moestuin", "Wens")
    await anna.press("Zo laten")  # she is asked about the number first, and keeps it
    await mo.send("/moderatie")
    card = card_for(await cards(mo), "moestuin")
    await mo.press("Inkorten", message_id=card.message_id)
    await mo.press("06-12345678")
    await mo.press("Zo op het bord")
    assert (await mo.last_bot_message()).text == "Het ingekorte briefje staat op het bord."
    bas = await pg.new_person(first_name="Bas")
    assert "Bel Piet op […] over de moestuin" in await _board_page(bas)

    # Putting the number back does not put it on the board.
    assert (await _edit_only_note(anna, "Bel Piet op 06-12345678 over de moestuin")).startswith(
        WAITS
    )
    assert "Wensen 0" in await _wishes_on_board(bas)
    card_text = await _queue_card(mo, "06-12345678")
    assert MARK in card_text and "Staat nu op het bord." not in card_text
