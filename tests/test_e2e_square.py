"""End to end: the village talk on the square. An ambassador enters notes heard at the stand,
types off a photo of the paper board, prints invitation cards and notes a contact; residents
without the role are kindly refused everywhere."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from tests.conftest import BotFactory
from tests.residents import onboard
from tests.staff import documents
from tests.timeline_support import Harness, ambassador, village_theme

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
    rows = list(csv.DictReader(io.StringIO(files[f"bord-{theme.code}.csv"].decode("utf-8-sig"))))
    assert sum(row["in_person"] == "1" for row in rows) == 10
    assert sum(row["in_person"] == "0" for row in rows) == 1
