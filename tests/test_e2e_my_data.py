"""End to end: what a resident is told about their own data, and that the bot keeps to it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from storage.models import AuditAction, MomentKind, PlaceKind, PlaceRef
from tests.conftest import AMBASSADOR_ID, BotFactory, add_theme
from tests.process import wait_for_text
from tests.residents import onboard
from tests.staff import (
    admin,
    card_for,
    cards,
    delivered,
    documents,
    moderator,
    start_bot,
    write_note,
)


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
    # Saying yes to news is saying yes to messages to the whole village too, and it says so.
    assert await _got(anna, "als de gebiedsambassadeur iedereen in je dorp iets laat weten")
    assert await _got(carl, "when the area ambassador tells everyone in your village")
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


async def test_mijn_names_village_and_neighbourhood_and_each_note_by_its_words(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    await add_theme(runner)
    mo = await moderator(pg)
    anna = await onboard(pg, "Anna", village="Doorwerth", neighbourhood="Kasteelweg", news=True)
    long_words = "Een bankje bij de bakker, zodat ouderen onderweg even kunnen uitrusten"
    await write_note(anna, long_words, "Wens")
    await write_note(anna, "Rotzooi van die lui daar", "Vraag")
    await mo.send("/moderatie")
    await mo.press("✅ Goedkeuren", message_id=card_for(await cards(mo), "bankje").message_id)
    hidden = card_for(await cards(mo), "Rotzooi")
    await mo.press("Verbergen", message_id=hidden.message_id)
    await mo.press("Kwetsend of grof", message_id=hidden.message_id)

    await anna.send("/mijn")
    choices = (await anna.bot_messages())[-2].text or ""
    assert "Dorp: Doorwerth\nBuurt: Kasteelweg\n" in choices
    listing = await anna.last_bot_message()
    assert "1. Vraag bij Samen wonen, jong en oud (niet zichtbaar): Rotzooi" in listing.text
    assert "2. Wens bij Samen wonen, jong en oud: Een bankje" in listing.text
    assert listing.button_labels == [
        "1. Rotzooi van die lui daar",
        "2. Een bankje bij de bakker, zodat…",
    ]
    await anna.press("2. Een bankje bij de bakker, zodat…")
    card = await anna.last_bot_message()
    assert card.button_labels == ["Pas aan", "Andere plek", "Verwijder", "Terug naar mijn briefjes"]
    await anna.press("Pas aan")
    await anna.send("Twee bankjes bij de bakker")
    changed = await anna.last_bot_message()
    assert changed.text.startswith("Je briefje is aangepast.")
    assert changed.button_labels == ["Terug naar mijn briefjes"]
    await anna.press("Terug naar mijn briefjes")
    again = await anna.last_bot_message()
    assert again.text.startswith("Jouw briefjes (2):")
    assert "2. Wens bij Samen wonen, jong en oud (wacht op moderator): Twee bankjes" in again.text
    assert (await anna.bot_messages())[-2].button_labels == []  # the way back was used
    await anna.press("1. Rotzooi van die lui daar")
    assert "(niet zichtbaar)" in ((await anna.last_bot_message()).text or "")
    await anna.press("Verwijder")
    await anna.press("Ja, verwijder")
    gone = await anna.last_bot_message()
    assert gone.text == "Je briefje is verwijderd."
    assert gone.button_labels == ["Terug naar mijn briefjes"]

    emma = await pg.new_person(first_name="Emma", language_code="en")
    await emma.send("/start")
    await emma.press("Doorwerth")
    await emma.press("Dorp")
    await emma.press("No, thanks")
    await write_note(emma, "A bench by the bakery", "Wish")
    await emma.send("/mijn")
    choices = (await emma.bot_messages())[-2].text or ""
    assert "Village: Doorwerth\nNeighbourhood: Dorp\n" in choices
    listing = await emma.last_bot_message()
    assert "(waiting for a moderator)" in listing.text
    await emma.press("1. A bench by the bakery")
    await emma.press("Back to my notes")
    assert (await emma.last_bot_message()).text.startswith("Your notes (1):")
    ghost = await pg.new_person(first_name="Gijs")
    await ghost.send("/start")
    await ghost.press("Sla over")
    await ghost.press("Nee, liever niet")
    await ghost.send("/mijn")
    assert "Dorp: niet gekozen\n" in ((await ghost.bot_messages())[-2].text or "")


def _keys(value: object) -> set[str]:
    """Every key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


async def test_mijngegevens_is_a_summary_to_read_and_a_json_beside_it(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    await add_theme(runner)
    mo = await moderator(pg)
    anna = await onboard(pg, "Anna", village="Doorwerth", neighbourhood="Kasteelweg", news=True)
    await write_note(anna, "Rotzooi van die lui daar", "Wens")
    await anna.press("Ja, graag")
    await anna.send_contact("+31612345678")
    await mo.send("/moderatie")
    hidden = card_for(await cards(mo), "Rotzooi")
    await mo.press("Verbergen", message_id=hidden.message_id)
    await mo.press("Kwetsend of grof", message_id=hidden.message_id)
    await anna.send("/thema")
    await anna.send("Een half afgemaakte gedachte")  # mid-talk: a step and its draft

    await anna.send("/mijngegevens")
    *_, text, file = await anna.bot_messages()
    words = text.text or ""
    assert words.startswith("Wat de buurtbot van je bewaart")
    assert f"Om je te kunnen antwoorden\nJe Telegram-nummer: {anna.id}" in words
    assert "Je taal: Nederlands" in words
    assert "Je woont in Kasteelweg, Doorwerth." in words
    assert "Berichtje bij een nieuw thema: ja" in words
    assert "Uitnodiging voor een gesprekstafel: ja" in words
    assert "Je telefoonnummer: +31612345678" in words
    assert "Wens bij Samen wonen, jong en oud (niet zichtbaar): Rotzooi van die lui daar" in words
    assert "Een moderator verborg het: Kwetsend of grof" in words
    assert "Berichten aan jou" in words and "/vergeet" in words
    assert file.document is not None and file.document.file_name == "buurtbot-mijn-gegevens.json"
    assert file.caption == "Je gegevens als JSON-bestand, om mee te nemen naar een ander programma."
    raw = (await pg.file_bytes(file.document.file_id)).decode("utf-8")
    data = json.loads(raw)
    assert data["resident"]["village"] == "Doorwerth"
    assert data["resident"]["neighbourhood"] == "Kasteelweg"
    (note,) = [n for n in data["notes"] if n["status"] == "hidden"]
    assert note["theme"] == "Samen wonen, jong en oud"
    assert note["moderation"][0]["reason_text"] == "Kwetsend of grof"
    internal = {"chat_state", "pending_updates", "payload", "file_id", "theme_id", "theme_code"}
    assert not internal & _keys(data)
    assert "update_id" not in raw and "half afgemaakte" not in raw.split('"notes"')[0]

    emma = await pg.new_person(first_name="Emma", language_code="en")
    await emma.send("/start")
    await emma.press("Skip")
    await emma.press("No, thanks")
    await emma.send("/mijngegevens")
    *_, text, file = await emma.bot_messages()
    words = text.text or ""
    assert words.startswith("What the neighbourhood bot keeps about you")
    assert "Your language: English" in words and "You chose no village." in words
    assert "A message about new themes: no" in words
    assert file.caption == "Your data as a JSON file, to take to another program."


async def _mark_duplicate(mo: Person, twin: str, original: str) -> None:
    await mo.send("/moderatie")
    shown = await cards(mo)
    await mo.press("✅ Goedkeuren", message_id=card_for(shown, original).message_id)
    card = card_for(shown, twin)
    await mo.press("Dubbel", message_id=card.message_id)
    await mo.press(original, message_id=card.message_id)


async def test_a_duplicate_of_ones_own_note_is_not_someone_elses(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    theme = await add_theme(runner)
    mo = await moderator(pg)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Een speeltuin bij de school", "Wens")
    await write_note(anna, "Speeltuin bij school graag", "Wens")
    await _mark_duplicate(mo, "Speeltuin bij school graag", "Een speeltuin bij de school")
    emma = await pg.new_person(first_name="Emma", language_code="en")
    await write_note(emma, "A bench by the bakery", "Wish")
    await write_note(emma, "Bench near the bakery please", "Wish")
    await _mark_duplicate(mo, "Bench near the bakery please", "A bench by the bakery")
    await delivered(runner)

    told = [m.text or "" for m in await anna.bot_messages()]
    assert not any("Iemand schreef" in text for text in told)
    assert any(
        text.startswith("Je schreef bij Samen wonen, jong en oud al eerder bijna hetzelfde.")
        for text in told
    )
    told = [m.text or "" for m in await emma.bot_messages()]
    assert not any("Someone" in text for text in told)
    assert any(text.startswith("You already wrote almost the same for Samen") for text in told)
    # Saying it twice is one voice: the board's file does not count it as mentioned twice.
    await mo.send("/export")
    await mo.press(theme.title)
    mark = await mo.mark()
    await mo.press("Alles")
    files = await documents(pg, await mo.bot_messages(after=mark))
    markdown = files[f"bord-{theme.code}.md"].decode("utf-8")
    assert "- Een speeltuin bij de school\n" in markdown and "gedeeld door" not in markdown
    assert "Speeltuin bij school graag" not in markdown


async def test_export_buttons_say_what_each_file_is_for(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    theme = await add_theme(bot)
    mo = await moderator(pg)
    await mo.send("/export")
    await mo.press(theme.title)
    assert (await mo.last_bot_message()).button_labels == [
        "Om te lezen: tekst voor nieuwsbrief of website",
        "Voor Excel: een tabel (CSV)",
        "Voor een programmeur (JSON)",
        "Om te delen: een plaatje (PNG)",
        "Om te printen: A4 voor het prikbord (PDF)",
        "Voor de website: een toegankelijke pagina (HTML)",
        "Voor de gemeenteraad: het participatieverslag",
        "Alles",
    ]
    mark = await mo.mark()
    await mo.press("Om te lezen: tekst voor nieuwsbrief of website")
    files = await documents(pg, await mo.bot_messages(after=mark))
    markdown = files[f"bord-{theme.code}.md"].decode("utf-8")
    assert markdown.rstrip().splitlines()[-1].startswith("_Brainstormbord van gemeente Renkum")

    await mo.send("/taal")
    await mo.press("English")
    await mo.send("/export")
    await mo.press(theme.title)
    labels = (await mo.last_bot_message()).button_labels
    assert labels[:3] == [
        "To read: text for a newsletter or website",
        "For Excel: a table (CSV)",
        "For a programmer (JSON)",
    ]


async def test_audit_names_the_sender_and_holds_invitations_and_moment_notices(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    theme = await add_theme(
        bot, title="Groen Doorwerth", place=PlaceRef(PlaceKind.VILLAGE, "doorwerth")
    )
    anna = await onboard(pg, "Anna", village="Doorwerth", news=True)
    await write_note(anna, "Een moestuin bij de school", "Wens")
    await anna.press("Ja, graag")  # invitations for the follow-up
    await bot.repo.create_table(
        theme_id=theme.id, title="Moestuin", initiator_name="Henk", capacity=8
    )
    starts = datetime.now(UTC) + timedelta(days=10)
    await bot.repo.create_moment(
        theme_id=theme.id,
        table_id=None,
        kind=MomentKind.MEETING,
        title="Dorpsfeest",
        starts_at=starts,
        place="Het plein",
        remind_theme=False,
        created_by=AMBASSADOR_ID,
        reminders=[],
    )
    ahmed = await _ambassador(pg)
    await ahmed.send("/tafels")
    await ahmed.press("Moestuin")
    await ahmed.press("Nodig bewoners uit")
    await ahmed.press("Verstuur")
    await ahmed.send("/agenda")
    labels = (await ahmed.last_bot_message()).button_labels
    await ahmed.press(next(label for label in labels if "Dorpsfeest" in label))
    await ahmed.press("Laat het de deelnemers weten")
    await ahmed.press("Verstuur")
    await delivered(bot)
    await anna.press("Ik kom")
    await ahmed.send("/agenda")
    labels = (await ahmed.last_bot_message()).button_labels
    await ahmed.press(next(label for label in labels if "Dorpsfeest" in label))
    await ahmed.press("Annuleer")
    await ahmed.press("Ja, annuleer")
    await _message_to_doorwerth(ahmed, bot, "Zaterdag is de buurtschoonmaak.")
    # A line written before senders' names were kept: the role and area stand in.
    await bot.repo.audit(
        AuditAction.BROADCAST,
        actor_id=AMBASSADOR_ID,
        actor_name=None,
        now=datetime.now(UTC) - timedelta(days=1),
        detail={"kind": "message", "total": 5},
    )

    ada = await admin(pg)
    await ada.send("/audit")
    audit = (await ada.last_bot_message()).text or ""
    assert "Ahmed: bericht aan 1 bewoner van Doorwerth" in audit
    assert "Ahmed: uitnodiging voor een gesprekstafel bij Groen Doorwerth aan 1 bewoner" in audit
    assert "Ahmed: nieuw moment bij Groen Doorwerth: bericht aan 1 bewoner" in audit
    assert "Ahmed: moment afgezegd bij Groen Doorwerth: bericht aan 1 bewoner" in audit
    assert "gebiedsambassadeur Doorwerth en Heveadorp: bericht aan 5 bewoners" in audit
    assert "#" not in audit and "(-)" not in audit and str(AMBASSADOR_ID) not in audit
    await ada.send("/taal")
    await ada.press("English")
    await ada.send("/audit")
    audit = (await ada.last_bot_message()).text or ""
    assert "Ahmed: message to 1 resident of Doorwerth" in audit
    assert "Ahmed: invitation to a conversation table of Groen Doorwerth to 1 resident" in audit
    assert "area ambassador Doorwerth en Heveadorp: message to 5 residents" in audit
