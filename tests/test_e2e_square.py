"""End to end: the village talk on the square. An ambassador enters notes heard at the stand,
types off a photo of the paper board, prints invitation cards and notes a contact; residents
without the role are kindly refused everywhere."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import zxingcpp
from pypdf import PdfReader

from bot.core.clock import ManualClock
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from storage.models import CardCounts, Consent, PlaceKind, PlaceRef, ThemeStatus
from tests.conftest import AMBASSADOR_ID, MODERATOR_ID, BotFactory
from tests.residents import onboard
from tests.staff import documents, moderator
from tests.timeline_support import Harness, ambassador, plan_moment, village_theme

T0 = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)  # a Friday morning at the stand

NOTES = [
    ("Een bankje bij de bushalte", "Wens"),
    ("De buurtbus rijdt goed", "Voorbeeld"),
    ("Het dorpshuis is vaak leeg", "Mogelijkheid"),
    ("Wie maait het gras bij de kerk?", "Vraag"),
    ("Meer licht op het fietspad", "Wens"),
    ("Koffie-ochtend in de bieb", "Voorbeeld"),
    ("Jongeren willen een hangplek", "Wens"),
    ("Kan de markt op zaterdag?", "Vraag"),
    ("Samen moestuinieren", "Mogelijkheid"),
    ("Mooi dat jullie hier staan", "Iets anders"),
]


@pytest.fixture
async def world(playground: Playground, make_bot: BotFactory, tmp_path: Path) -> Harness:
    harness = Harness(make_bot, tmp_path / "buurtbot.sqlite3", ManualClock(T0))
    await harness.start()
    return harness


@pytest.fixture
async def pg(playground: Playground, world: Harness) -> AsyncIterator[PlaygroundClient]:
    async with PlaygroundClient(playground.url, waiter=world.waiter) as client:
        yield client


class Counter:
    """Counts the taps and the messages beyond the notes' own texts."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.taps = 0
        self.messages = 0

    async def press(self, label: str) -> None:
        self.taps += 1
        await self.person.press(label)

    async def send(self, text: str) -> None:
        self.messages += 1
        await self.person.send(text)


async def test_ten_notes_from_the_stand_show_on_the_board_and_count_apart(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    await anna.send("/thema")
    await anna.send("Een speeltuin bij de school")
    await anna.press("Wens")

    ahmed = await ambassador(pg)
    counted = Counter(ahmed)
    await counted.send("/plein")  # one running theme: the square opens at once
    opened = await ahmed.last_bot_message()
    assert "Op het plein" in opened.text and theme.title in opened.text
    assert "Klaar op het plein" in opened.button_labels
    for number, (text, place) in enumerate(NOTES):
        await ahmed.send(text)  # the note's own words, not counted
        asked = await ahmed.last_bot_message()
        assert asked.text.startswith("Waar hoort dit?")
        if number == 3:
            # The speaker came from Heveadorp: one tap, and it stays for the next notes.
            await counted.press("Heveadorp")
            assert "Van: Heveadorp (zelfde als vorige)" in (await ahmed.last_bot_message()).text
        await counted.press(place)
        assert "Volgende?" in (await ahmed.last_bot_message()).text
    await counted.press("Klaar op het plein")
    assert (await ahmed.last_bot_message()).text.startswith("Je bent klaar op het plein")
    assert counted.taps + counted.messages < 20, (counted.taps, counted.messages)
    await ahmed.send("/help")
    assert "/plein" in (await ahmed.last_bot_message()).text

    notes = [n for n in await bot.repo.dump_table("notes") if n["origin"] == "in_person"]
    assert len(notes) == 10
    assert all(n["author_id"] is None and n["status"] == "visible" for n in notes)
    heard = [n["heard_in"] for n in sorted(notes, key=lambda n: n["id"])]
    assert heard == [None] * 3 + ["v:heveadorp"] * 7
    # No Telegram id in any note heard in person, nor anything else that names the ambassador.
    assert all(str(ahmed.id) not in json.dumps(n) for n in notes)

    # On the board with the mark; the picture is drawn as well.
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    await bas.send("/bord")
    assert (await bas.last_bot_message()).photo is not None
    await bas.press("Lees de briefjes")
    page = (await bas.last_bot_message()).text or ""
    assert "Mooi dat jullie hier staan (op het plein)" in page
    assert "Samen moestuinieren (op het plein)" in page

    # /voortgang counts them apart.
    await ahmed.send("/voortgang")
    await ahmed.press(theme.title)
    progress = await ahmed.last_bot_message()
    assert "Op het plein gehoord: 9 briefjes" in (progress.caption or "")  # the remark aside

    # CSV and JSON mark every one.
    await ahmed.send("/export")
    await ahmed.press(theme.title)
    mark = await ahmed.mark()
    await ahmed.press("Alles")
    files = await documents(pg, await ahmed.bot_messages(after=mark))
    data = json.loads(files[f"bord-{theme.code}.json"])
    by_text = {n["text"]: n for n in data["notes"]}
    assert by_text["Een speeltuin bij de school"]["in_person"] is False
    assert all(by_text[text]["in_person"] is True for text, _ in NOTES)
    assert data["counts_in_person"] == {
        "wish": 3,
        "example": 2,
        "possibility": 2,
        "question": 2,
        "other": 1,
    }
    markdown = files[f"bord-{theme.code}.md"].decode("utf-8")
    assert "- Samen moestuinieren (op het plein)" in markdown
    rows = list(csv.DictReader(io.StringIO(files[f"bord-{theme.code}.csv"].decode("utf-8-sig"))))
    assert sum(row["in_person"] == "1" for row in rows) == 10
    assert sum(row["in_person"] == "0" for row in rows) == 1
    assert sum(row["heard_in"] == "Heveadorp" for row in rows) == 7
    assert by_text["Samen moestuinieren"]["heard_in"] == "Heveadorp"
    assert by_text[NOTES[0][0]]["heard_in"] is None
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_a_photo_of_the_paper_board_becomes_a_typing_off_task(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    ahmed = await ambassador(pg)
    await ahmed.send("/plein")
    await ahmed.send_photo()
    kept = await ahmed.last_bot_message()
    assert kept.text.startswith("Foto van het papieren bord bewaard. Hij komt niet op het bord.")
    assert "Er wacht nog 1 foto om over te typen." in kept.text
    await ahmed.send_photo()
    assert await bot.repo.dump_table("notes") == []  # a photo of the board is no resident's note
    photos = await bot.repo.dump_table("board_photos")
    assert [p["status"] for p in photos] == ["waiting", "waiting"]

    # A moderator types off the first photo from the queue, which says how many wait.
    mo = await pg.new_person(first_name="Mo", user_id=MODERATOR_ID)
    await mo.send("/start")
    await mo.send("/overtypen")
    task = await mo.last_bot_message()
    assert task.photo is not None and task.photo.file_id == photos[0]["file_id"]
    assert "Er wacht nog 1 foto" in (task.caption or "")
    assert task.button_labels == ["Klaar met deze foto", "Foto mag openbaar", "Klaar op het plein"]
    await mo.send("Een zebrapad bij de school")
    await mo.press("Wens")
    await mo.send("Wie kent een goede tuinman?")
    await mo.press("Vraag")
    await mo.press("Klaar met deze foto")
    assert any("Deze foto is overgetypt: 2 briefjes." in m.content for m in await mo.bot_messages())
    # The next photo is shown at once.
    nxt = await mo.last_bot_message()
    assert nxt.photo is not None and nxt.photo.file_id == photos[1]["file_id"]
    assert "Er wacht geen foto meer" in (nxt.caption or "")

    notes = await bot.repo.dump_table("notes")
    assert sorted(n["text"] for n in notes) == [
        "Een zebrapad bij de school",
        "Wie kent een goede tuinman?",
    ]
    assert {n["board_photo_id"] for n in notes} == {photos[0]["id"]}
    assert all(n["origin"] == "in_person" and n["author_id"] is None for n in notes)
    assert await bot.repo.count_photo_notes(photos[0]["id"]) == 2

    # The photo itself never goes on the board.
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    await bas.send("/bord")
    await bas.press("Lees de briefjes")
    page = (await bas.last_bot_message()).text or ""
    assert "Een zebrapad bij de school (op het plein)" in page
    assert all(
        m.photo is None or m.photo.file_id not in {p["file_id"] for p in photos}
        for m in await bas.bot_messages()
    )
    assert theme.id == notes[0]["theme_id"]
    # Only a moderator's word makes a photo public; the ambassador is not offered it.
    assert await bot.repo.public_board_photos(theme.id) == []
    await ahmed.send("/overtypen")
    assert "Foto mag openbaar" not in (await ahmed.last_bot_message()).button_labels
    await mo.press("Foto mag openbaar")
    assert [p.id for p in await bot.repo.public_board_photos(theme.id)] == [photos[1]["id"]]
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


def _qr_links(pdf: bytes) -> list[str]:
    links: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            links += [code.text for code in zxingcpp.read_barcodes(image.image)]
    return links


async def test_an_invitation_card_opens_once_for_a_new_resident(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    ahmed = await ambassador(pg)
    await plan_moment(ahmed, theme.title, title="Tafelavond", day="10-11", clock_time="19:30")
    await ahmed.send("/plein")
    mark = await ahmed.mark()
    await ahmed.press("Uitnodigingskaartje")
    files = await documents(pg, await ahmed.bot_messages(after=mark))
    card = files[f"uitnodigingskaartje-{theme.code}.pdf"]
    sheet = files[f"uitnodigingskaartjes-a4-{theme.code}.pdf"]
    width, height = (float(v) for v in PdfReader(io.BytesIO(card)).pages[0].mediabox[2:])
    assert (round(width), round(height)) == (298, 421)  # A6 in points
    assert len(set(_qr_links(sheet))) == 4
    text = PdfReader(io.BytesIO(card)).pages[0].extract_text()
    assert "Kom aan tafel" in text and "Samen wonen, jong en oud" in text
    assert "Volgende keer: dinsdag 10 november 2026 om 19:30" in " ".join(text.split())
    [link] = _qr_links(card)
    assert link.startswith("https://t.me/") and "?start=k_" in link
    assert "Gedrukt: 5, gebruikt: 0" in (await ahmed.last_bot_message()).text
    token = link.split("?start=", 1)[1]
    # Only the token's hash is stored.
    assert all(
        token not in json.dumps(row) for row in await bot.repo.dump_table("invitation_cards")
    )

    truus = await pg.new_person(first_name="Truus")
    await truus.send(f"/start {token}")
    said = [m.content for m in await truus.bot_messages()]
    assert any("Welkom bij het dorpsgesprek over" in text for text in said)
    invite = await truus.last_bot_message()
    assert invite.text.startswith("Wil je een uitnodiging krijgen voor het vervolg?")
    # Opening the link is not consent.
    assert not (await bot.repo.get_consents(truus.id))[Consent.CONTACT]
    await truus.press("Ja, graag")
    assert (await bot.repo.get_consents(truus.id))[Consent.CONTACT]

    # The same link works for nobody else.
    kees = await pg.new_person(first_name="Kees")
    await kees.send(f"/start {token}")
    assert (await kees.last_bot_message()).text.startswith("Dit kaartje is al gebruikt.")
    assert not any("Welkom bij het dorpsgesprek" in m.content for m in await kees.bot_messages())

    await ahmed.press("Uitnodigingskaartje")
    assert "Gedrukt: 10, gebruikt: 1" in (await ahmed.last_bot_message()).text
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_a_contact_noted_in_person_is_only_in_the_contact_list_and_expires(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    ahmed = await ambassador(pg)
    await ahmed.send("/plein")
    await ahmed.send("Meer bankjes graag")
    await ahmed.press("Wens")
    await ahmed.press("Contact noteren")
    await ahmed.send("T" * 41)
    assert (await ahmed.bot_messages())[-2].text == "Een voornaam van 1 tot 40 tekens, graag."
    await ahmed.send("Truus")
    await ahmed.send("morgen bellen")
    assert (await ahmed.bot_messages())[-2].text.startswith("Dat lijkt geen telefoonnummer")
    bot = await world.restart()  # the form is in chat_state: it goes on where it was
    await ahmed.send("06 1234 5678")
    assert "Heeft Truus gezegd" in (await ahmed.last_bot_message()).text
    await ahmed.press("Ja, mondeling ingestemd")
    assert (await ahmed.last_bot_message()).text.startswith("Bewaard. Truus staat nu")
    # Declining keeps nothing.
    await ahmed.press("Contact noteren")
    await ahmed.send("Piet")
    await ahmed.send("piet@example.org")
    await ahmed.press("Nee, niet bewaren")
    assert (await ahmed.last_bot_message()).text == "Niets bewaard."

    [row] = await bot.repo.dump_table("in_person_contacts")
    assert row["first_name"] == "Truus" and row["phone"] == "0612345678"
    assert row["consent"] == "in_person" and row["purpose"] == "theme_tables"
    assert row["noted_by"] == ahmed.id and row["noted_on"] == "2026-11-06"

    mark = await ahmed.mark()
    await ahmed.press("Contactenlijst")
    files = await documents(pg, await ahmed.bot_messages(after=mark))
    contacts = files[f"contacten-plein-{theme.code}.csv"].decode("utf-8-sig")
    assert "Truus" in contacts and "0612345678" in contacts and "Piet" not in contacts

    # Nowhere else: not on the board, not in the board's exports, not in /voortgang.
    await ahmed.send("/export")
    await ahmed.press(theme.title)
    mark = await ahmed.mark()
    await ahmed.press("Alles")
    exported = await documents(pg, await ahmed.bot_messages(after=mark))
    for name, data in exported.items():
        if name.endswith((".md", ".csv", ".json")):
            assert b"Truus" not in data and b"0612345678" not in data, name
    assert not any("plein" in name for name in exported)
    # The area's ambassador finds them with /export's contact details too.
    await ahmed.send("/export")
    await ahmed.press(theme.title)
    mark = await ahmed.mark()
    await ahmed.press("Contactgegevens van wie uitgenodigd wil worden")
    contact_files = await documents(pg, await ahmed.bot_messages(after=mark))
    assert b"Truus" in contact_files[f"contacten-plein-{theme.code}.csv"]
    assert b"Truus" not in contact_files[f"contacten-{theme.code}.csv"]
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    await bas.send("/bord")
    await bas.press("Lees de briefjes")
    assert "Truus" not in ((await bas.last_bot_message()).text or "")
    await bas.send("/privacy")
    assert "90 dagen nadat het thema is afgesloten" in (await bas.last_bot_message()).text

    # Closed, then 90 days later the scheduler deletes the contact; the notes stay.
    await ahmed.send("/afsluiten")
    await ahmed.press(theme.title)
    await ahmed.press("Ja, sluit af")
    assert (await bot.repo.get_theme(theme.id)).status == ThemeStatus.CLOSED  # type: ignore[union-attr]
    await world.at(T0 + timedelta(days=89))
    assert len(await bot.repo.dump_table("in_person_contacts")) == 1
    await world.at(T0 + timedelta(days=90, minutes=1))
    assert await bot.repo.dump_table("in_person_contacts") == []
    assert [n["text"] for n in await bot.repo.dump_table("notes")] == ["Meer bankjes graag"]
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_the_ambassador_erases_a_contact_on_request(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    await village_theme(bot)
    ahmed = await ambassador(pg)
    await ahmed.send("/plein")
    await ahmed.press("Contact noteren")
    await ahmed.send("Truus")
    await ahmed.send("truus@example.org")
    await ahmed.press("Ja, mondeling ingestemd")
    await ahmed.press("Contactenlijst")
    await ahmed.press("Wis 1")
    answer = await ahmed.callback_answer()
    assert answer is not None and answer.text == "Gewist. Deze gegevens zijn weg."
    assert await bot.repo.dump_table("in_person_contacts") == []
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_residents_without_the_role_are_refused_kindly_everywhere(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    ahmed = await ambassador(pg)
    await ahmed.send("/plein")
    opened = await ahmed.last_bot_message()
    await ahmed.send("Een bankje")
    note_message = await ahmed.last_bot_message()
    await ahmed.send_photo()
    photo = (await bot.repo.dump_table("board_photos"))[0]
    note = (await bot.repo.dump_table("notes"))[0]

    for lang, denied, typing_denied, moderators_only in (
        (
            "nl",
            "Dit is voor de ambassadeur van dit gebied.",
            "Overtypen doen de ambassadeurs",
            "Dit is alleen voor moderatoren",
        ),
        (
            "en",
            "This is for the ambassador of this area.",
            "Typing off is for ambassadors",
            "This is for moderators only",
        ),
    ):
        rita = await pg.new_person(first_name=f"Rita-{lang}", language_code=lang)
        await rita.send("/start")
        await rita.send("/plein")
        assert (await rita.last_bot_message()).text.startswith(denied)
        await rita.send("/overtypen")
        assert (await rita.last_bot_message()).text.startswith(typing_denied)
        # Forged buttons: every action of the square, on a message of her own chat.
        own = await rita.last_bot_message()
        for data in (
            f"sq:go:{theme.id}",
            f"sq:card:{theme.id}",
            f"sq:ct:{theme.id}",
            "sq:w:consent:1",
            f"sq:cl:{theme.id}",
            f"sq:del:1:{theme.id}",
        ):
            await rita.press_data(data, own.message_id)
            answer = await rita.callback_answer()
            assert answer is not None and answer.show_alert, data
            assert (answer.text or "").startswith(denied), data
        for data in (
            f"sq:p:{note['id']}:w",
            f"sq:h:{note['id']}:0",
            "sq:stop",
            f"sq:ty:{photo['id']}",
            f"sq:pd:{photo['id']}",
        ):
            await rita.press_data(data, own.message_id)
            answer = await rita.callback_answer()
            assert answer is not None and answer.show_alert, data
            assert (answer.text or "").startswith(typing_denied), data
        await rita.press_data(f"sq:pub:{photo['id']}", own.message_id)
        answer = await rita.callback_answer()
        assert answer is not None and answer.show_alert
        assert (answer.text or "").startswith(moderators_only)
    # Nor may the ambassador make a photo of the paper board public.
    await ahmed.press_data(f"sq:pub:{photo['id']}", opened.message_id)
    answer = await ahmed.callback_answer()
    assert answer is not None and (answer.text or "").startswith("Dit is alleen voor moderatoren")
    # Nothing changed: the note still waits for its place, the photo for its typist.
    assert (await bot.repo.get_note(note["id"])).quadrant is None  # type: ignore[union-attr]
    assert (await bot.repo.dump_table("board_photos"))[0]["status"] == "waiting"
    assert await bot.repo.dump_table("invitation_cards") == []
    assert await bot.repo.public_board_photos(theme.id) == []
    assert note_message.message_id
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_in_pre_moderation_notes_from_the_stand_wait_for_a_moderator(
    playground: Playground, make_bot: BotFactory, tmp_path: Path
) -> None:
    clock = ManualClock(T0)
    harness = Harness(make_bot, tmp_path / "pre.sqlite3", clock)
    harness.runner = await make_bot(
        clock=clock, database=harness.database, moderation={"mode": "pre"}
    )
    async with PlaygroundClient(playground.url, waiter=harness.waiter) as pg:
        theme = await village_theme(harness.bot)
        ahmed = await ambassador(pg)
        await ahmed.send("/plein")
        assert "Het briefje komt eerst bij de moderatoren." in (await ahmed.last_bot_message()).text
        await ahmed.send("Een bankje bij de bakker")
        await ahmed.press("Wens")
        placed = await ahmed.last_bot_message()
        assert placed.text == "Komt bij de wensen, na een moderator. Volgende?"
        bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
        await bas.send("/bord")
        assert "Wensen 0" in ((await bas.last_bot_message()).caption or "")

        mo = await moderator(pg)
        await mo.send("/moderatie")
        card = (await mo.bot_messages())[-2]
        assert "Een bankje bij de bakker" in card.text and theme.title in card.text
        await mo.press("✅ Goedkeuren")
        await bas.send("/bord")
        await bas.press("Lees de briefjes")
        assert "Een bankje bij de bakker (op het plein)" in (await bas.last_bot_message()).text


async def test_the_square_goes_on_after_a_restart(pg: PlaygroundClient, world: Harness) -> None:
    theme = await village_theme(world.bot)
    ahmed = await ambassador(pg)
    # Opened from the theme's card in /themas this time.
    await ahmed.send("/themas")
    await ahmed.press(f"{theme.title} (loopt)")
    await ahmed.press("Op het plein")
    assert (await ahmed.last_bot_message()).text.startswith("Op het plein bij")
    await ahmed.send("Eerste briefje")
    await ahmed.press("Heveadorp")
    await world.restart()
    await ahmed.send("Tweede briefje")
    asked = await ahmed.last_bot_message()
    assert asked.text == "Waar hoort dit?\nVan: Heveadorp (zelfde als vorige)"
    await ahmed.press("Vraag")
    await ahmed.send("/cancel")
    assert (await ahmed.last_bot_message()).text.startswith("Oké, gestopt.")
    await ahmed.send("Dit is geen briefje meer")
    rows = await world.bot.repo.dump_table("notes")
    assert [r["text"] for r in rows] == ["Eerste briefje", "Tweede briefje"]
    assert [r["heard_in"] for r in rows] == ["v:heveadorp", "v:heveadorp"]
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_the_square_in_english_and_not_for_another_area(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    await village_theme(bot)
    elsewhere = await bot.repo.create_theme(
        title="Renkum groen",
        invitation="",
        question="",
        place=PlaceRef(PlaceKind.VILLAGE, "renkum"),
        status=ThemeStatus.ACTIVE,
        starts_on=None,
        ends_on=None,
    )
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID, language_code="en")
    await ahmed.send("/start")
    await ahmed.send("/plein")
    opened = await ahmed.last_bot_message()
    assert opened.text.startswith("On the square for Samen wonen, jong en oud.")
    assert opened.button_labels == [
        "Invitation card",
        "Note a contact",
        "Contact list",
        "Done on the square",
    ]
    await ahmed.send("More benches please")
    asked = await ahmed.last_bot_message()
    assert asked.text == "Where does this belong?\nFrom: unknown"
    await ahmed.press("Wish")
    assert (await ahmed.last_bot_message()).text == "On the board with the wishes. Next?"
    await ahmed.press("Done on the square")
    assert (await ahmed.last_bot_message()).text == "You are done on the square. Thank you!"

    # A theme of another area: refused, forged buttons too, and nothing is made for it.
    for data in (f"sq:go:{elsewhere.id}", f"sq:card:{elsewhere.id}", f"sq:cl:{elsewhere.id}"):
        await ahmed.press_data(data, opened.message_id)
        answer = await ahmed.callback_answer()
        assert answer is not None and answer.show_alert, data
        assert (answer.text or "").startswith("This theme belongs to another area."), data
    assert await bot.repo.card_counts(elsewhere.id) == CardCounts(0, 0)
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_with_web_pages_the_card_names_the_theme_s_page(
    pg: PlaygroundClient, world: Harness
) -> None:
    await world.stop()
    world.runner = await world.make_bot(
        clock=world.clock,
        database=world.database,
        web={"port": 0, "public_url": "https://dorpsgesprek.renkum.nl"},
    )
    theme = await village_theme(world.bot)
    ahmed = await ambassador(pg)
    await ahmed.send("/plein")
    mark = await ahmed.mark()
    await ahmed.press("Uitnodigingskaartje")
    files = await documents(pg, await ahmed.bot_messages(after=mark))
    text = PdfReader(io.BytesIO(files[f"uitnodigingskaartje-{theme.code}.pdf"])).pages[0]
    assert f"https://dorpsgesprek.renkum.nl/thema/{theme.code}" in (text.extract_text() or "")
