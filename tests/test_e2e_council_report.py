"""The council's report: an ambassador exports it from the chat; its PDF and HTML hold the
figures the database holds, small counts per place as "fewer than 5", and no name or id."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from bot.runner import BotRunner
from bot.services.exports import report_files
from playground.client import Person, PlaygroundClient
from storage.models import (
    Commitment,
    Decision,
    MomentKind,
    NoteKind,
    NoteOrigin,
    NoteStatus,
    PlaceKind,
    PlaceRef,
    Quadrant,
    Theme,
)
from tests.conftest import AMBASSADOR_ID, MODERATOR_ID, BotFactory, add_theme, repo_of
from tests.residents import onboard
from tests.staff import documents, staff, start_bot, write_note

WORDS = {
    "nl": {
        "press": "Voor de gemeenteraad: het participatieverslag",
        "fewer": "minder dan 5",
        "people": "7 mensen deden mee",
        "notes": "8 briefjes op het bord",
        "shared": "gedeeld door 2",
        "elsewhere": "Geen dorp of buurt gekozen",
        "group": "briefjes over:",
        "grew": "leidde tot de gesprekstafel Bomenplan Dorpsstraat",
    },
    "en": {
        "press": "For the council: the participation report",
        "fewer": "fewer than 5",
        "people": "7 people took part",
        "notes": "8 notes on the board",
        "shared": "shared by 2",
        "elsewhere": "No village or neighbourhood chosen",
        "group": "notes about:",
        "grew": "led to the conversation table Bomenplan Dorpsstraat",
    },
}


async def _write(person: Person, text: str, quadrant: str) -> None:
    """Write a note; asked whether it is like another, say it is not (it is placed as usual)."""
    await person.send("/thema")
    await person.send(text)
    if "Nee, mijn briefje is anders" in (await person.last_bot_message()).button_labels:
        await person.press("Nee, mijn briefje is anders")
    await person.press(quadrant)


ENDINGS = ("graag", "alsjeblieft", "echt", "zeker", "snel", "ook", "nu")


class _Cells(HTMLParser):
    """The text of every table row of an HTML page, cell by cell."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


async def _village_talk(pg: PlaygroundClient, runner: BotRunner) -> tuple[Theme, list[Person]]:
    theme = await add_theme(runner, title="Groen Doorwerth")
    people = []
    # Five in Doorwerth, one in Heveadorp, one who chose no village: seven people.
    for name, village in (
        ("Annemiek", "Doorwerth"),
        ("Bram", "Doorwerth"),
        ("Cor", "Doorwerth"),
        ("Dilan", "Doorwerth"),
        ("Gijs", "Doorwerth"),
        ("Els", "Heveadorp"),
        ("Fenna", None),
    ):
        people.append(await onboard(pg, name, village=village, news=False))
    for word, person in zip(ENDINGS, people, strict=True):
        await _write(person, f"Meer bomen langs de Dorpsstraat, {word} <b>&", "Wens")
    await _write(people[0], "Wie beheert straks de moestuin?", "Vraag")
    await _write(people[1], "Een bankje bij de bushalte", "Wens")
    return theme, people


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_the_report_holds_the_figures_of_the_database_and_no_name(
    pg: PlaygroundClient, make_bot: BotFactory, lang: str
) -> None:
    runner = await start_bot(pg, make_bot)
    theme, people = await _village_talk(pg, runner)
    repo = runner.repo
    # A moderator marks one note as saying the same as another: that one is shared by two,
    # and the board (and the report) holds eight notes of the nine.
    notes = await repo.list_notes(theme.id, limit=20)
    first, second = sorted(n.id for n in notes if ENDINGS[0] in n.text or ENDINGS[1] in n.text)
    await repo.decide(
        "post",
        second,
        0,
        Decision.DUPLICATE,
        moderator_id=MODERATOR_ID,
        moderator_name="Mo",
        now=datetime.now(UTC),
        duplicate_of=first,
    )
    table = await repo.create_table(
        theme_id=theme.id, title="Bomenplan Dorpsstraat", initiator_name="Henk de Vries", capacity=1
    )
    bench = next(n for n in notes if n.text == "Een bankje bij de bushalte")
    await repo.link_table_notes(table.id, [bench.id])
    await repo.join_table(table.id, people[2].id, Commitment.TAKE_PART, "", "Cor")
    await repo.join_table(table.id, people[3].id, Commitment.THINK, "", "Dilan")
    moment = await repo.create_moment(
        theme_id=theme.id,
        table_id=None,
        kind=MomentKind.MEETING,
        title="Boomplantdag",
        starts_at=datetime.now(UTC) + timedelta(days=9),
        place="Bij de kerk",
        remind_theme=False,
        created_by=AMBASSADOR_ID,
        reminders=[],
    )
    await repo.set_rsvp(moment.id, people[5].id, True)
    await repo.set_rsvp(moment.id, people[6].id, False)

    # A moderator exports any theme (an ambassador those of their own area).
    mo = await staff(pg, "Mo", MODERATOR_ID)
    if lang == "en":
        await mo.send("/taal")
        await mo.press("English")
    await mo.send("/export")
    await mo.press("Groen Doorwerth")
    mark = await mo.mark()
    await mo.press(WORDS[lang]["press"])
    files = await documents(pg, await mo.bot_messages(after=mark))
    assert set(files) == {
        f"participatieverslag-{theme.code}.pdf",
        f"participatieverslag-{theme.code}.html",
    }
    page = files[f"participatieverslag-{theme.code}.html"].decode("utf-8")
    pdf = "\n".join(
        p.extract_text() or ""
        for p in PdfReader(io.BytesIO(files[f"participatieverslag-{theme.code}.pdf"])).pages
    )
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    words = WORDS[lang]
    assert f'<html lang="{lang}">' in page
    for readable in (text, " ".join(pdf.split())):
        assert words["people"] in readable
        assert words["notes"] in readable
        assert words["shared"] in readable
        assert "Bomenplan Dorpsstraat" in readable and "Boomplantdag" in readable
        # Seven notes say nearly the same: one group lists them all, labelled by their words.
        assert words["group"] in readable
        # Which note the table grew from, in the board's own words.
        assert words["grew"] in readable
    # Every figure per place, read back from the HTML table, is what the database holds.
    cells = _Cells()
    cells.feed(page)
    by_place: dict[str, list[str]] = {}
    how: dict[str, list[str]] = {}
    for row in cells.rows:
        # The first table naming a place holds its reach; the next one how they took part.
        (how if row and row[0] in by_place else by_place).setdefault(row[0], row[1:])
    assert by_place["Doorwerth"][:2] == ["5", "6"]  # five people, six notes
    assert by_place["Heveadorp"][:2] == [words["fewer"], words["fewer"]]
    assert by_place[words["elsewhere"]][:2] == [words["fewer"], words["fewer"]]
    assert how["Doorwerth"] == ["6", "0", "0"]  # all six in the chat
    held = await repo_of(runner).dump_table("notes")
    assert sum(1 for row in held if row["status"] == "visible") == 8
    # The table seats one: the first to join takes part, the second waits.
    assert by_place["Bomenplan Dorpsstraat"] == ["0", "1", "0", "1"]
    assert by_place["Boomplantdag"][1:] == ["1", "1"]
    # The note's words are escaped by the template engine, never taken as markup.
    assert "&lt;b&gt;&amp;" in page and "<b>&" not in page
    names = ("Annemiek", "Bram", "Henk", "Ahmed", "Dilan", "Gijs", "Fenna", "Mo ")
    for needle in (*names, str(AMBASSADOR_ID), str(MODERATOR_ID), *(str(p.id) for p in people)):
        assert needle not in text, needle
        assert needle not in pdf, needle


async def test_the_chat_offers_the_report_and_it_counts_in_person_notes_apart(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot)
    theme = await add_theme(
        runner, title="Groen Doorwerth", place=PlaceRef(PlaceKind.VILLAGE, "doorwerth")
    )
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    await write_note(anna, "Een pluktuin achter het dorpshuis", "Wens")
    # Heard at the stand from someone of Heveadorp: no writer, counted there, in person.
    await runner.repo.add_note(
        theme_id=theme.id,
        author_id=None,
        kind=NoteKind.TEXT,
        text="Een bankje voor wie slecht ter been is",
        file_id=None,
        quadrant=Quadrant.WISH,
        status=NoteStatus.VISIBLE,
        source_update_id=None,
        origin=NoteOrigin.IN_PERSON,
        heard_in="heveadorp",
    )
    ahmed = await staff(pg, "Ahmed", AMBASSADOR_ID)
    await ahmed.send("/export")
    await ahmed.press("Groen Doorwerth")
    assert WORDS["nl"]["press"] in (await ahmed.last_bot_message()).button_labels
    config = runner.config
    files = await report_files(runner.repo, config, theme, language="nl", now=datetime.now(UTC))
    assert [f.name for f in files] == [
        f"participatieverslag-{theme.code}.pdf",
        f"participatieverslag-{theme.code}.html",
    ]
    page = files[1].data.decode("utf-8")
    # One person, one note in Doorwerth: both fewer than five, and so not shown as a number.
    assert '<th scope="row">Doorwerth</th><td class="n">minder dan 5</td>' in page
    assert "Een pluktuin achter het dorpshuis" not in page  # shared by nobody: not quoted
