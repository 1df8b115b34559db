"""End to end: "ik ook" on the board, the "lijkt dit op" question while writing, and the one
figure "gedeeld door N" on the board pages, the picture's caption and the exports; a
resident's "ik ook" leaves with /vergeet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

import pytest

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from storage.models import NoteKind, NoteStatus, PlaceKind, PlaceRef, Quadrant
from tests.conftest import AMBASSADOR_ID, BotFactory, add_theme
from tests.process import wait_for_text
from tests.staff import card_for, cards, documents, moderator, staff, start_bot, write_note

OLD_WRITER = 700_200_001
GROUPED_NOTES = (
    "Een speeltuin bij de school",
    "Betere verlichting op het fietspad",
    "Speelplek bij de school",
    "Een markt op zaterdag",
    "Straatverlichting langs het fietspad",
)
OTHER_WORDS = ("markt", "ijsbaan", "bibliotheek", "glasbak", "huisarts", "bloemenwei", "brug")


@pytest.fixture
async def bare(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    """A client without the default bot, for a test that starts its own (one poller only)."""
    async with PlaygroundClient(playground.url) as client:
        yield client


async def _page(person: Person, button: str = "Lees de briefjes") -> str:
    await person.send("/bord")
    await person.press(button)
    return (await person.last_bot_message()).text or ""


async def _board_csv(
    pg: PlaygroundClient, mo: Person, title: str, code: str
) -> dict[str, dict[str, str]]:
    """The board's CSV rows by text, checked to agree with the JSON's figures."""
    await mo.send("/export")
    await mo.press(title)
    mark = await mo.mark()
    await mo.press("Alles")
    files = await documents(pg, await mo.bot_messages(after=mark))
    rows = list(csv.DictReader(io.StringIO(files[f"bord-{code}.csv"].decode("utf-8-sig"))))
    data = json.loads(files[f"bord-{code}.json"])
    assert {n["text"]: n["shared_by"] for n in data["notes"]} == {
        r["text"]: int(r["shared_by"]) for r in rows
    }
    return {row["text"]: row for row in rows}


async def test_alike_note_asks_then_counts_as_me_too(pg: PlaygroundClient, bot: BotRunner) -> None:
    theme = await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Een bankje bij de bushalte", "Wens")
    # Her own alike note is never asked about.
    await anna.send("Bankjes bij de bushalte")
    assert "Lijkt dit op" not in (await anna.last_bot_message()).text
    await anna.press("Wens")

    bas = await pg.new_person(first_name="Bas")
    await bas.send("/thema")
    await bas.send("Meer bankjes bij de bus halte graag")
    question = await bas.last_bot_message()
    assert question.text.startswith("Lijkt dit op wat je bedoelt?")
    assert "„Een bankje bij de bushalte”" in question.text
    assert question.button_labels == ["Ja, ik ook", "Nee, mijn briefje is anders"]
    await bas.press("Ja, ik ook")
    kept = await bas.message(question.message_id)
    assert "gedeeld door 2" in kept.text and kept.buttons == []
    await bas.send("/mijn")
    mine = (await bas.last_bot_message()).text
    assert "Meer bankjes bij de bus halte graag (telt mee bij een ander briefje)" in mine

    cas = await pg.new_person(first_name="Cas")
    await cas.send("/bord")
    caption = (await cas.last_bot_message()).caption or ""
    assert "Meest gedeeld: „Een bankje bij de bushalte” (gedeeld door 2)" in caption
    page = await _page(cas)
    assert "Een bankje bij de bushalte (gedeeld door 2)" in page
    assert "Meer bankjes bij de bus halte" not in page  # kept in /mijn, not on the board
    assert "Bas" not in page and str(bas.id) not in page

    mo = await moderator(pg)
    rows = await _board_csv(pg, mo, theme.title, theme.code)
    assert rows["Een bankje bij de bushalte"]["shared_by"] == "2"
    assert rows["Een bankje bij de bushalte"]["support"] == "1"
    assert "Meer bankjes bij de bus halte graag" not in rows

    await bas.send("/vergeet")
    await bas.press("Ja, wis alles")
    await wait_for_text(bas, "Alles is gewist.")
    assert "gedeeld door" not in await _page(cas)
    rows = await _board_csv(pg, mo, theme.title, theme.code)
    assert rows["Een bankje bij de bushalte"]["shared_by"] == "1"


async def test_a_different_note_is_placed_as_usual(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Een speeltuin bij de school", "Wens")
    bas = await pg.new_person(first_name="Bas")
    await bas.send("/thema")
    await bas.send("Speelplek bij de school")
    assert "„Een speeltuin bij de school”" in (await bas.last_bot_message()).text
    await bas.press("Nee, mijn briefje is anders")
    assert (await bas.last_bot_message()).text.endswith("Waar hoort dit bij?")
    await bas.press("Wens")
    page = await _page(bas)
    assert "Speelplek bij de school" in page and "gedeeld door" not in page
    # Something else entirely asks nothing.
    await bas.send("/thema")
    await bas.send("Een markt op zaterdag")
    assert (await bas.last_bot_message()).text.endswith("Waar hoort dit bij?")


async def test_me_too_on_a_board_page_in_english(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "A bench at the bus stop", "Wens")
    dave = await pg.new_person(first_name="Dave", language_code="en")
    await write_note(dave, "A market on Saturday", "Wish")
    page = await _page(dave, "Read the notes")
    assert "• Wish: A market on Saturday" in page
    labels = (await dave.last_bot_message()).button_labels
    assert "Me too: A bench at the bus stop" in labels
    assert "Me too: A market on Saturday" not in labels  # never his own note
    await dave.press("Me too: A bench at the bus stop")
    assert (await dave.callback_answer()).text.startswith("Noted: you too.")  # type: ignore[union-attr]
    page = (await dave.last_bot_message()).text or ""
    assert "A bench at the bus stop (shared by 2)" in page
    await dave.press("Most shared first")
    page = (await dave.last_bot_message()).text or ""
    assert "(most shared first)" in page
    assert page.index("A bench at the bus stop") < page.index("A market on Saturday")
    await dave.press("✓ Me too: A bench at the bus stop")
    assert (await dave.callback_answer()).text == "Your “me too” is taken back."  # type: ignore[union-attr]
    assert "shared by" not in ((await dave.last_bot_message()).text or "")
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions  # nothing Telegram would refuse


async def test_dubbel_offers_the_most_alike_first_and_pages(
    bare: PlaygroundClient, make_bot: BotFactory
) -> None:
    pg = bare
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    theme = await add_theme(runner)
    await runner.repo.ensure_resident(OLD_WRITER, "nl")
    others = [f"Een {word} in het dorp" for word in OTHER_WORDS]
    for text in ["Een speeltuin bij de school", *others]:  # the original is the oldest
        await runner.repo.add_note(
            theme_id=theme.id,
            author_id=OLD_WRITER,
            kind=NoteKind.TEXT,
            text=text,
            file_id=None,
            quadrant=Quadrant.WISH,
            status=NoteStatus.VISIBLE,
            source_update_id=None,
        )
    bas = await pg.new_person(first_name="Bas")
    await bas.send("/thema")
    await bas.send("Speeltuintje naast de school")
    await bas.press("Nee, mijn briefje is anders")
    await bas.press("Wens")

    mo = await moderator(pg)
    await mo.send("/moderatie")
    card = card_for(await cards(mo), "Speeltuintje naast de school")
    await mo.press("Dubbel", message_id=card.message_id)
    labels = (await mo.message(card.message_id)).button_labels
    assert "Een speeltuin bij de school" in labels[0]  # not among the 6 newest, yet first
    assert labels[-2:] == ["Meer ▶", "Terug"]
    await mo.press("Meer ▶", message_id=card.message_id)
    labels = (await mo.message(card.message_id)).button_labels
    assert labels[-2:] == ["◀ Terug", "Terug"]
    shown = labels[:-2]
    # Every other note is reachable: the second page holds the oldest of the rest.
    assert any(OTHER_WORDS[0] in label for label in shown)
    await mo.press("◀ Terug", message_id=card.message_id)
    first = (await mo.message(card.message_id)).button_labels[0]
    await mo.press(first, message_id=card.message_id)
    assert "Dubbel van „Een speeltuin bij de school”" in (await mo.message(card.message_id)).text
    assert "Een speeltuin bij de school" not in await _page(bas)  # the oldest: page 2
    await bas.press("Meest gedeeld eerst")
    page = (await bas.last_bot_message()).text or ""
    assert page.split("\n")[1] == "• Wens: Een speeltuin bij de school (gedeeld door 2)"


async def test_voortgang_and_exports_group_alike_notes(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    theme = await add_theme(bot, place=PlaceRef(PlaceKind.VILLAGE, "doorwerth"))
    writers = [await pg.new_person(first_name=f"Buur{i}") for i in range(5)]
    for writer, text in zip(writers, GROUPED_NOTES, strict=True):
        await writer.send("/thema")
        await writer.send(text)
        if "Lijkt dit op" in (await writer.last_bot_message()).text:
            await writer.press("Nee, mijn briefje is anders")
        await writer.press("Wens")

    ahmed = await staff(pg, "Ahmed", AMBASSADOR_ID)
    await ahmed.send("/voortgang")
    await ahmed.press(theme.title)
    assert (await ahmed.last_bot_message()).caption  # the chart stays what it was
    await ahmed.press("Briefjes die op elkaar lijken")
    text = (await ahmed.last_bot_message()).text
    assert text.startswith("Briefjes die op elkaar lijken\n\n")
    blocks = text.split("\n\n")[1:]
    # Largest first (ties: the oldest first), each with every note; then the one like no other.
    assert blocks[0] == (
        "school · speeltuin: 2 briefjes\n  • Een speeltuin bij de school"
        "\n  • Speelplek bij de school"
    )
    assert blocks[1].endswith(
        ": 2 briefjes\n  • Betere verlichting op het fietspad"
        "\n  • Straatverlichting langs het fietspad"
    )
    assert blocks[2] == "Nog 1 briefje lijkt op geen ander."
    # The same again gives the same groups.
    await ahmed.press("Briefjes die op elkaar lijken")
    assert (await ahmed.last_bot_message()).text == text

    await ahmed.send("/export")
    await ahmed.press(theme.title)
    mark = await ahmed.mark()
    await ahmed.press("Alles")
    files = await documents(pg, await ahmed.bot_messages(after=mark))
    rows = list(csv.DictReader(io.StringIO(files[f"bord-{theme.code}.csv"].decode("utf-8-sig"))))
    group = {row["text"]: row["group"] for row in rows}
    assert group["Een speeltuin bij de school"] == group["Speelplek bij de school"] == "1"
    assert group["Straatverlichting langs het fietspad"] == "2"
    data = json.loads(files[f"bord-{theme.code}.json"])
    assert [len(g["notes"]) for g in data["groups"]] == [2, 2, 1]
    markdown = files[f"bord-{theme.code}.md"].decode("utf-8")
    assert "## Groepen\n\n### " in markdown and ": 2 briefjes\n\n- Een speeltuin" in markdown


async def test_alike_question_in_english(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "More benches in the park", "Wens")
    await write_note(anna, "A playground near the school", "Wens")
    dave = await pg.new_person(first_name="Dave", language_code="en")
    await dave.send("/thema")
    await dave.send("Extra benches in the park please")
    question = await dave.last_bot_message()
    assert question.text.startswith("Is this what you mean?\n“More benches in the park”")
    assert question.button_labels == ["Yes, me too", "No, my note is different"]
    await dave.press("Yes, me too")
    assert "that note is now shared by 2" in (await dave.message(question.message_id)).text
    await dave.send("A play area next to the school")
    await dave.press("No, my note is different")
    assert (await dave.last_bot_message()).text.endswith("Where does this belong?")
    await dave.press("Wish")
    page = await _page(dave, "Read the notes")
    assert "More benches in the park (shared by 2)" in page
    assert "A play area next to the school" in page
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_no_places_a_note_where_it_was_meant(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Een bankje bij de kerk", "Wens")
    bas = await pg.new_person(first_name="Bas")
    await bas.send("/thema")
    await bas.press("Vraag")  # chosen before writing
    await bas.send("Bankjes bij de kerk?")
    assert (await bas.last_bot_message()).text.startswith("Lijkt dit op wat je bedoelt?")
    await bas.press("Nee, mijn briefje is anders")
    notes = await bot.repo.list_notes_by_author(bas.id)
    assert [(n.quadrant, n.status) for n in notes] == [(Quadrant.QUESTION, NoteStatus.VISIBLE)]
    # A "Ja" sent after the answer (a stale or forged button) changes nothing.
    (original,) = await bot.repo.list_notes_by_author(anna.id)
    question = (await bas.bot_messages())[-1]
    await bas.press_data(f"vt:ay:{notes[0].id}:{original.id}", question.message_id)
    assert await bot.repo.support_counts(original.theme_id) == {}


async def test_contact_details_are_asked_about_before_anything_alike(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    """A note with a phone number, its quadrant chosen first: only the contact question."""
    await add_theme(bot)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Een bankje bij de kerk", "Wens")
    bas = await pg.new_person(first_name="Bas")
    await bas.send("/thema")
    await bas.press("Wens")  # chosen before writing
    mark = await bas.mark()
    await bas.send("Bankjes bij de kerk, bel 06-12345678")
    told = [m.text or "" for m in await bas.bot_messages(after=mark)]
    assert told[-1].startswith("Er lijkt een telefoonnummer in je briefje te staan.")
    assert not any(text.startswith("Lijkt dit op wat je bedoelt?") for text in told)
    await bas.press("Zo laten")
    notes = await bot.repo.list_notes_by_author(bas.id)
    assert [(n.quadrant, n.status) for n in notes] == [(Quadrant.WISH, NoteStatus.VISIBLE)]
    assert await bot.repo.support_counts(notes[0].theme_id) == {}
