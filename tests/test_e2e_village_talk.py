"""End to end: a resident takes part in the village talk and looks at the board."""

from __future__ import annotations

import asyncio
import io

from PIL import Image

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from storage.models import Consent, NoteKind, NoteStatus, PlaceKind, PlaceRef, Quadrant, ThemeStatus
from tests.conftest import BotFactory, add_theme


async def _no_refusals(pg: PlaygroundClient) -> None:
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def _talk(person: Person) -> None:
    await person.send("/thema")


async def test_three_notes_a_photo_and_a_remark(pg: PlaygroundClient, bot: BotRunner) -> None:
    theme = await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await _talk(anna)
    opening = await anna.last_bot_message()
    assert opening.text.startswith("Samen wonen, jong en oud")
    assert "Wat zou jij graag zien?" in opening.text

    await anna.send("Kleine woningen voor jongeren, dan kan mijn kleinzoon hier blijven.")
    assert (await anna.last_bot_message()).button_labels == [
        "Wens",
        "Voorbeeld",
        "Mogelijkheid",
        "Vraag",
        "Iets anders",
    ]
    await anna.press("Wens")
    placed = [m.text for m in await anna.bot_messages()]
    assert any(t and t.startswith("Staat bij de wensen.") for t in placed)
    await anna.press("Nee, liever niet")  # the invitation comes after the first note

    await anna.send("Hart voor elkaar <3 & meer")
    await anna.press("Voorbeeld")
    await anna.send("Kan de oude school niet worden omgebouwd?")
    await anna.press("Vraag")
    await anna.send_photo(caption="Zo doen ze het in Heelsum")
    assert (await anna.last_bot_message()).text.startswith("Dank je voor de foto!")
    await anna.send("De bus rijdt 's avonds te weinig")
    await anna.press("Iets anders")
    await anna.press("Klaar")
    thanks = await anna.last_bot_message()
    assert thanks.text.startswith("Dank je wel voor je bijdrage aan Samen wonen, jong en oud!")

    notes = await bot.repo.list_notes_by_author(anna.id)
    placed_notes = {(n.quadrant, n.kind, n.text) for n in notes}
    assert (
        Quadrant.WISH,
        NoteKind.TEXT,
        "Kleine woningen voor jongeren, dan kan mijn kleinzoon hier blijven.",
    ) in placed_notes
    assert (Quadrant.EXAMPLE, NoteKind.TEXT, "Hart voor elkaar <3 & meer") in placed_notes
    assert (
        Quadrant.QUESTION,
        NoteKind.TEXT,
        "Kan de oude school niet worden omgebouwd?",
    ) in placed_notes
    assert (Quadrant.EXAMPLE, NoteKind.PHOTO, "Zo doen ze het in Heelsum") in placed_notes
    assert (Quadrant.OTHER, NoteKind.TEXT, "De bus rijdt 's avonds te weinig") in placed_notes
    assert all(n.theme_id == theme.id and n.status == NoteStatus.VISIBLE for n in notes)
    counts = await bot.repo.count_notes(theme.id)
    assert (counts[Quadrant.WISH], counts[Quadrant.EXAMPLE], counts[Quadrant.QUESTION]) == (1, 2, 1)
    await _no_refusals(pg)


async def test_quadrant_first_then_writing(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await _talk(anna)
    await anna.press("Mogelijkheid")
    assert (await anna.last_bot_message()).text == "Welke mogelijkheid zie je? Schrijf het op."
    await anna.send("De gymzaal staat 's avonds leeg")
    assert (await anna.last_bot_message()).text.startswith("Wil je een uitnodiging krijgen")
    (note,) = await bot.repo.list_notes_by_author(anna.id)
    assert note.quadrant == Quadrant.POSSIBILITY


async def test_deep_link_opens_the_theme_at_once(pg: PlaygroundClient, bot: BotRunner) -> None:
    theme = await add_theme(bot, title="Gezond Doorwerth")
    anna = await pg.new_person(first_name="Anna")
    await anna.send(f"/start t_{theme.code}")
    messages = await anna.bot_messages()
    assert len(messages) == 1
    assert messages[0].text.startswith("Gezond Doorwerth")
    await anna.send("Een wandelclub op zondag")
    assert (await anna.last_bot_message()).text == "Mooi, dank je. Waar hoort dit bij?"


async def test_themes_follow_the_residents_village(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot, title="Doorwerth groen", place=PlaceRef(PlaceKind.VILLAGE, "doorwerth"))
    await add_theme(bot, title="Renkum bouwt", place=PlaceRef(PlaceKind.VILLAGE, "renkum"))
    await add_theme(bot, title="Voorbij", status=ThemeStatus.CLOSED)
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/start")
    await anna.press("Doorwerth")
    await anna.press("Sla over")
    await anna.press("Nee, liever niet")
    await _talk(anna)
    assert (await anna.last_bot_message()).text.startswith("Doorwerth groen")
    bas = await pg.new_person(first_name="Bas")  # no place: every active theme
    await _talk(bas)
    last = await bas.last_bot_message()
    assert last.text == "Waar wil je over meepraten?"
    assert sorted(last.button_labels) == ["Doorwerth groen", "Renkum bouwt"]


async def test_invitation_consent_and_phone(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await _talk(anna)
    await anna.send("Meer bankjes")
    await anna.press("Wens")
    await anna.press("Ja, graag")
    ask = await anna.last_bot_message()
    assert ask.text.startswith("Wil je ook je telefoonnummer geven?")
    assert ask.keyboard is not None and ask.keyboard[0][0].request_contact
    await anna.send_contact("+31 6 12345678")
    assert (await anna.last_bot_message()).text.startswith("Dank je, je nummer is bewaard.")
    assert (await bot.repo.get_consents(anna.id))[Consent.CONTACT]
    assert await bot.repo.get_phone(anna.id) == "+31 6 12345678"

    bas = await pg.new_person(first_name="Bas")
    await _talk(bas)
    await bas.send("Een dorpsfeest")
    await bas.press("Wens")
    await bas.press("Ja, graag")
    await bas.send("Nee, alleen via de chat")
    assert (await bas.last_bot_message()).text == "Prima, we houden contact via deze chat."
    assert await bot.repo.get_phone(bas.id) is None
    assert (await bot.repo.get_consents(bas.id))[Consent.CONTACT]


async def test_a_last_page_of_one_note_says_one_note(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    writer = await pg.new_person(first_name="Buur")
    await _talk(writer)
    for i in range(6):
        await writer.send(f"Idee {i}")
        await writer.press("Wens")
    for language, title, first_page, older, last_page in (
        ("nl", "Lees de briefjes", "briefjes 1–5 van 6 ", "Ouder ▶", "briefje 6 van 6 "),
        ("en", "Read the notes", "notes 1–5 of 6 ", "Older ▶", "note 6 of 6 "),
    ):
        viewer = await pg.new_person(first_name="Kijker", language_code=language)
        await viewer.send("/bord")
        await viewer.press(title)
        page = await viewer.last_bot_message()
        assert first_page in page.text
        await viewer.press(older)
        assert last_page in (await viewer.message(page.message_id)).text
    await _no_refusals(pg)


async def test_board_as_image_and_pages(pg: PlaygroundClient, bot: BotRunner) -> None:
    theme = await add_theme(bot)
    writers = [await pg.new_person(first_name=f"Buur{i}") for i in range(3)]
    for i, writer in enumerate(writers):
        await _talk(writer)
        for j in range(3):
            await writer.send(f"Idee {i}-{j} <3 & >")
            await writer.press(["Wens", "Voorbeeld", "Vraag"][j])
    viewer = await pg.new_person(first_name="Kijker")
    await viewer.send("/bord")
    board = await viewer.last_bot_message()
    assert board.photo is not None
    assert board.caption is not None
    assert board.caption.startswith("Brainstormbord: Samen wonen, jong en oud")
    assert "Wensen 3 · Voorbeelden 3 · Mogelijkheden 0 · Vragen 3" in board.caption
    png = await pg.file_bytes(board.photo.file_id)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (1080, 1350)
    colours = image.convert("RGB").resize((60, 75)).getcolors(maxcolors=60 * 75)
    assert colours is not None and len(colours) > 20

    await viewer.press("Lees de briefjes")
    page = await viewer.last_bot_message()
    assert page.text.startswith("Samen wonen, jong en oud, briefjes 1–5 van 9 (nieuwste eerst):")
    assert "• Vraag: Idee 2-2 <3 & >" in page.text
    assert "Anna" not in page.text and "Buur" not in page.text  # anonymous
    await viewer.press("Ouder ▶")
    page = await viewer.message(page.message_id)
    assert "briefjes 6–9 van 9" in page.text
    labels = page.button_labels
    # An "ik ook" per note of the page (none is the viewer's), then the ways on.
    assert [label for label in labels if label.startswith("Ik ook: ")] == [
        f"Ik ook: Idee {i}-{j} <3 & >" for i, j in ((1, 0), (0, 2), (0, 1), (0, 0))
    ]
    assert labels[4:] == ["◀ Nieuwer", "Meest gedeeld eerst", "⚑ Meld een briefje"]
    assert theme.id > 0
    await _no_refusals(pg)


async def test_pre_moderation_keeps_notes_off_the_board(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await make_bot(moderation={"mode": "pre"})
    theme = await add_theme(runner)
    anna = await pg.new_person(first_name="Anna")
    pg.waiter = lambda update_id: asyncio.wait_for(runner.handled.wait(update_id), 20)
    await _talk(anna)
    await anna.send("Een jeu-de-boulesbaan")
    await anna.press("Wens")
    # -3: the question about hearing what comes of it and the invitation come after.
    assert "Een moderator kijkt er even naar" in (await anna.bot_messages())[-3].text
    counts = await runner.repo.count_notes(theme.id)
    assert counts[Quadrant.WISH] == 0
    pending = await runner.repo.count_notes(theme.id, statuses=(NoteStatus.PENDING,))
    assert pending[Quadrant.WISH] == 1
    await anna.send("/bord")
    assert "Wensen 0" in ((await anna.last_bot_message()).caption or "")


async def test_two_residents_at_once_keep_their_own_state(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    first = await add_theme(bot, title="Eerste thema")
    second = await add_theme(bot, title="Tweede thema")
    anna = await pg.new_person(first_name="Anna")
    bas = await pg.new_person(first_name="Bas")
    await asyncio.gather(_talk(anna), _talk(bas))
    await asyncio.gather(anna.press("Eerste thema"), bas.press("Tweede thema"))

    async def write(person: Person, prefix: str, quadrant: str) -> None:
        for i in range(4):
            await person.send(f"{prefix} {i}")
            await person.press(quadrant)

    await asyncio.gather(write(anna, "Anna", "Wens"), write(bas, "Bas", "Vraag"))
    anna_notes = await bot.repo.list_notes_by_author(anna.id)
    bas_notes = await bot.repo.list_notes_by_author(bas.id)
    assert {(n.theme_id, n.quadrant) for n in anna_notes} == {(first.id, Quadrant.WISH)}
    assert {(n.theme_id, n.quadrant) for n in bas_notes} == {(second.id, Quadrant.QUESTION)}
    assert sorted(n.text for n in anna_notes) == [f"Anna {i}" for i in range(4)]
