"""End to end: a resident sees, changes, downloads and erases their own data."""

from __future__ import annotations

import json

from bot.runner import BotRunner
from playground.client import PlaygroundClient
from storage.models import Consent, Quadrant
from tests.conftest import add_theme, repo_of


async def test_mijn_changes_and_deletes_a_note(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/thema")
    await anna.send("Een bankje bij de bakker")
    await anna.press("Wens")
    await anna.press("Nee, liever niet")
    await anna.send("Een moestuin")
    await anna.press("Mogelijkheid")

    await anna.send("/mijn")
    listing = await anna.last_bot_message()
    assert listing.text.startswith("Jouw briefjes (2):")
    assert "1. Mogelijkheid bij Samen wonen, jong en oud: Een moestuin" in listing.text
    choices = (await anna.bot_messages())[-2]
    assert "Berichtje bij een nieuw thema: nee" in choices.text

    await anna.press("2")  # the bench
    card = await anna.last_bot_message()
    assert "Een bankje bij de bakker" in card.text
    await anna.press("Pas aan")
    await anna.send("Twee bankjes bij de bakker, met een prullenbak")
    assert (await anna.last_bot_message()).text == "Je briefje is aangepast."
    await anna.press("Andere plek", message_id=card.message_id)
    await anna.press("Voorbeeld")

    await anna.send("/mijn")
    await anna.press("1")  # the garden
    await anna.press("Verwijder")
    await anna.press("Ja, verwijder")
    assert (await anna.last_bot_message()).text == "Je briefje is verwijderd."

    (note,) = await bot.repo.list_notes_by_author(anna.id)
    assert note.text == "Twee bankjes bij de bakker, met een prullenbak"
    assert note.quadrant == Quadrant.EXAMPLE


async def test_mijn_changes_consents(pg: PlaygroundClient, bot: BotRunner) -> None:
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/mijn")
    await anna.press("Wel themanieuws")
    assert (await bot.repo.get_consents(anna.id))[Consent.THEME_NEWS]
    await anna.press("Geen themanieuws")
    assert not (await bot.repo.get_consents(anna.id))[Consent.THEME_NEWS]
    await anna.press("Wel uitnodigingen")
    assert (await bot.repo.get_consents(anna.id))[Consent.CONTACT]
    await anna.send("/stop")
    assert (await anna.last_bot_message()).text.startswith("Je krijgt geen themanieuws meer.")


async def test_privacy_explains_and_export_is_json(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/privacy")
    text = (await anna.last_bot_message()).text
    assert "gemeente Renkum" in text and "/vergeet" in text and "/mijngegevens" in text
    await anna.send("/thema")
    await anna.send("Hart voor elkaar <3 & meer")
    await anna.press("Wens")
    await anna.press("Ja, graag")
    await anna.send_contact("+31612345678")
    await anna.send("/mijngegevens")
    message = await anna.last_bot_message()
    assert message.document is not None
    assert message.document.file_name == "buurtbot-mijn-gegevens.json"
    data = json.loads(await pg.file_bytes(message.document.file_id))
    assert data["resident"]["user_id"] == anna.id
    assert data["phone"] == "+31612345678"
    assert [n["text"] for n in data["notes"]] == ["Hart voor elkaar <3 & meer"]


async def test_vergeet_erases_every_trace(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    bas = await pg.new_person(first_name="Bas")
    people = (
        (anna, "Anna's geheime wens 7431", "+31699990000"),
        (bas, "Bas zijn idee", "+31655550000"),
    )
    for person, words, phone in people:
        await person.send("/start")
        await person.press("Doorwerth")
        await person.press("Kasteelweg")
        await person.press("Ja, graag")
        await person.send("/thema")
        await person.send(words)
        await person.press("Wens")
        await person.press("Ja, graag")
        await person.send_contact(phone)

    await anna.send("/vergeet")
    await anna.press("Nee, niet wissen")
    assert await bot.repo.get_resident(anna.id) is not None
    await anna.send("/vergeet")
    await anna.press("Ja, wis alles")
    assert (await anna.last_bot_message()).text.startswith("Alles is gewist.")

    repo = repo_of(bot)
    # Whole words and numbers only: a short needle turns up by chance in timestamps.
    needles = (str(anna.id), "geheime wens 7431", "+31699990000")
    for table in await repo.table_names():
        for row in await repo.dump_table(table):
            for value in row.values():
                text = str(value)
                for needle in needles:
                    assert needle not in text, f"{table}: {row}"
    assert await bot.repo.list_notes_by_author(bas.id)
    assert await bot.repo.get_phone(bas.id) is not None
