"""End to end: a resident sees, changes, downloads and erases their own data."""

from __future__ import annotations

import json
import re

from bot.app import services_of
from bot.runner import BotRunner
from playground.client import Person as PlaygroundPerson
from playground.client import PlaygroundClient
from storage.models import Consent, NewMessage, Quadrant
from tests.conftest import AMBASSADOR_ID, BotFactory, add_theme, repo_of
from tests.erasure_scan import Person, settled_traces, traces
from tests.process import wait_for_text
from tests.residents import onboard
from tests.staff import admin, card_for, cards, delivered, moderator, start_bot, write_note


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

    await anna.press("2. Een bankje bij de bakker")
    card = await anna.last_bot_message()
    assert "Een bankje bij de bakker" in card.text
    await anna.press("Pas aan")
    await anna.send("Twee bankjes bij de bakker, met een prullenbak")
    assert (await anna.last_bot_message()).text == "Je briefje is aangepast."
    await anna.press("Andere plek", message_id=card.message_id)
    await anna.press("Voorbeeld")

    await anna.send("/mijn")
    await anna.press("1. Een moestuin")
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
    assert (await anna.last_bot_message()).text.startswith("Je krijgt geen themanieuws meer:")


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
    # The farewell goes through the outbox, so it comes just after the update is handled.
    await wait_for_text(anna, "Alles is gewist.")

    repo = repo_of(bot)
    # Whole words and numbers only: a short needle turns up by chance in timestamps.
    needles = (str(anna.id), "geheime wens 7431", "+31699990000")
    await settled_traces(repo, Person(anna.id, needles[1:]))
    for table in await repo.table_names():
        for row in await repo.dump_table(table):
            for value in row.values():
                text = str(value)
                for needle in needles:
                    assert needle not in text, f"{table}: {row}"
    assert await bot.repo.list_notes_by_author(bas.id)
    assert await bot.repo.get_phone(bas.id) is not None


async def test_an_ambassadors_vergeet_leaves_no_trace_of_their_broadcast(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    anna = await onboard(pg, "Anna", village="Doorwerth", news=True)
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID)
    await ahmed.send("/start")
    await ahmed.send("/bericht")
    await ahmed.press("Bewoners van een plek")
    await ahmed.press("Doorwerth")
    await ahmed.send("Zaterdag is de buurtschoonmaak. Doe je mee?")
    await ahmed.press("Verstuur")
    await delivered(bot)
    await wait_for_text(ahmed, "Je bericht is verstuurd.")
    assert any("buurtschoonmaak" in m.content for m in await anna.bot_messages())

    await ahmed.send("/vergeet")
    await ahmed.press("Ja, wis alles")
    await wait_for_text(ahmed, "Alles is gewist.")
    left = await settled_traces(repo_of(bot), Person(ahmed.id, ("Ahmed",)))
    assert left == []
    # The broadcast itself stays: the village was told, whoever sent it.
    (broadcast,) = await repo_of(bot).dump_table("broadcasts")
    assert broadcast["sender_chat_id"] is None and broadcast["finished"]


async def test_export_holds_the_messages_to_them_and_why_a_note_was_hidden(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    await add_theme(runner)
    mo = await moderator(pg)
    anna = await pg.new_person(first_name="Anna")
    bas = await pg.new_person(first_name="Bas")
    await write_note(anna, "Rotzooi van die lui daar", "Wens")
    await mo.send("/moderatie")
    card = card_for(await cards(mo), "Rotzooi")
    await mo.press("Verbergen", message_id=card.message_id)
    await mo.press("Kwetsend of grof", message_id=card.message_id)
    for person, words in ((anna, "Voor Anna: de koffie staat klaar"), (bas, "Voor Bas")):
        await runner.repo.enqueue([NewMessage(chat_id=person.id, text=words)])
    services_of(runner.app).outbox_changed()
    await delivered(runner)

    await anna.send("/mijngegevens")
    message = await anna.last_bot_message()
    assert message.document is not None
    data = json.loads(await pg.file_bytes(message.document.file_id))
    (note,) = data["notes"]
    assert note["status"] == "hidden"
    (decision,) = note["moderation"]
    assert decision["decision"] == "hide" and decision["reason"] == "hurtful"
    assert decision["reason_text"] == "Kwetsend of grof"
    assert "Mo" not in json.dumps(decision) and str(mo.id) not in json.dumps(data)
    texts = [m["text"] for m in data["messages"]]
    assert "Voor Anna: de koffie staat klaar" in texts
    assert all(m["status"] == "sent" for m in data["messages"] if m["text"].startswith("Voor"))
    assert "Voor Bas" not in json.dumps(data, ensure_ascii=False)


async def _forget(person: PlaygroundPerson) -> None:
    """Erase everything, as the person does it."""
    await person.send("/vergeet")
    await person.press("Ja, wis alles")
    await wait_for_text(person, "Alles is gewist.")


async def test_vergeet_of_admin_moderator_and_resident_leaves_no_trace(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    await add_theme(runner)
    ada = await admin(pg)
    await ada.send("/rol")
    await ada.press("Nieuwe moderator")
    link = (await ada.last_bot_message()).text or ""
    match = re.search(r"\?start=(r_[A-Za-z0-9_-]+)", link)
    assert match is not None, link
    bea = await pg.new_person(first_name="Bea", username="bea_modereert", user_id=910001)
    await bea.send(f"/start {match.group(1)}")
    assert (await bea.last_bot_message()).text.startswith("Welkom Bea! Je bent nu moderator.")

    anna = await pg.new_person(first_name="Anna", username="anna_schrijft")
    await write_note(anna, "Annas bloemenweide 3321", "Wens")
    await anna.press("Ja, graag")
    await anna.send_contact("+31677770000")
    assert await runner.repo.get_phone(anna.id) == "+31677770000"
    await bea.send("/moderatie")
    card = card_for(await cards(bea), "bloemenweide")
    await bea.press("Verbergen", message_id=card.message_id)
    await bea.press("Reclame", message_id=card.message_id)
    await ada.send("/audit")
    await delivered(runner)

    repo = repo_of(runner)
    people = (
        (bea, Person(bea.id, ("Bea", "bea_modereert"))),
        (ada, Person(ada.id, ("Ada",))),
        (anna, Person(anna.id, ("Anna", "anna_schrijft", "bloemenweide 3321", "+31677770000"))),
    )
    for person, needles in people:
        assert await traces(repo, needles), person
    for person, needles in people:
        await _forget(person)
        assert await settled_traces(repo, needles) == [], person
    # What moderators decided stays, without who decided.
    assert await repo.dump_table("moderation_decisions") == []  # the note went with Anna
    assert all(row["actor_id"] is None for row in await repo.dump_table("audit_log"))
