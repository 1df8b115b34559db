"""End to end: the review queue. Pre-moderation keeps notes off the board until approved;
hide, move, duplicate and redact change the board and the exports; two moderators at once
leave one decision; a report brings a note back; the digest comes once per interval."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.core.clock import ManualClock
from bot.runner import BotRunner
from bot.services.digests import digest_worker
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from storage.models import NoteStatus, Quadrant
from tests.conftest import MODERATOR_ID, BotFactory, add_theme, repo_of
from tests.process import wait_for_text
from tests.staff import (
    SECOND_MODERATOR,
    card_for,
    cards,
    delivered,
    documents,
    moderator,
    readable_text,
    start_bot,
    write_note,
)


@pytest.fixture
async def pg(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    """A client without the default bot: each test here starts its own."""
    async with PlaygroundClient(playground.url) as client:
        yield client


async def _board_page(person: Person) -> str:
    await person.send("/bord")
    await person.press("Lees de briefjes")
    return (await person.last_bot_message()).text or ""


async def _no_refusals(pg: PlaygroundClient) -> None:
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_pre_moderation_shows_a_note_only_once_approved(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    await add_theme(runner)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Een bankje bij de bakker", "Wens")
    # -3: the question about hearing what comes of it and the invitation come after.
    assert "Een moderator kijkt er even naar" in (await anna.bot_messages())[-3].text
    bas = await pg.new_person(first_name="Bas")
    await bas.send("/bord")
    assert "Wensen 0" in ((await bas.last_bot_message()).caption or "")

    mo = await moderator(pg)
    await mo.send("/moderatie")
    messages = await mo.bot_messages()
    assert messages[-3].text.startswith("Wachtrij: 1 briefje wacht.")
    card = messages[-2]
    assert card.text.startswith("Wens · Samen wonen, jong en oud · ")
    assert "Een bankje bij de bakker" in card.text
    assert "Anna" not in card.text and str(anna.id) not in card.text
    assert card.button_labels == ["✅ Goedkeuren", "Verbergen", "Andere plek", "Dubbel", "Inkorten"]
    await mo.press("✅ Goedkeuren")
    card = await mo.message(card.message_id)
    assert card.text.endswith("Goedgekeurd door Mo.") and card.buttons == []
    answer = await mo.callback_answer()
    assert answer is not None and answer.text == "Opgeslagen."

    await bas.send("/bord")
    assert "Wensen 1" in ((await bas.last_bot_message()).caption or "")
    assert "• Wens: Een bankje bij de bakker" in await _board_page(bas)
    await mo.send("/moderatie")
    assert (await mo.last_bot_message()).text.startswith("Er wacht niets.")
    await _no_refusals(pg)


async def test_hide_move_duplicate_and_redact_change_board_and_exports(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    theme = await add_theme(runner)
    anna = await pg.new_person(first_name="Anna")
    bea = await pg.new_person(first_name="Bea")
    await write_note(anna, "Een speeltuin bij de school", "Wens")
    # Another resident says the same: a second mention (one resident twice would be one).
    await write_note(bea, "Speeltuin bij school graag", "Wens")
    await write_note(anna, "Waarom rijdt de bus niet op zondag?", "Wens")
    await write_note(anna, "Bel Piet de Vries op 06-12345678 over de moestuin", "Mogelijkheid")
    await anna.press("Zo laten")  # she is asked about the number first, and keeps it
    await write_note(anna, "Rotzooi van die lui daar", "Wens")

    mo = await moderator(pg)
    await mo.send("/moderatie")
    shown = await cards(mo)
    assert len(shown) == 5
    await mo.press("✅ Goedkeuren", message_id=card_for(shown, "Een speeltuin").message_id)

    twin = card_for(shown, "Speeltuin bij school")
    await mo.press("Dubbel", message_id=twin.message_id)
    assert (await mo.callback_answer()).text == (  # type: ignore[union-attr]
        "Van welk briefje is dit een dubbele? De meest gelijke staan bovenaan."
    )
    await mo.press("Een speeltuin bij de school", message_id=twin.message_id)
    assert "Dubbel van „Een speeltuin bij de school”" in (await mo.message(twin.message_id)).text

    bus = card_for(shown, "bus")
    await mo.press("Andere plek", message_id=bus.message_id)
    assert "Wens" not in (await mo.message(bus.message_id)).button_labels
    await mo.press("Vraag", message_id=bus.message_id)
    assert (await mo.message(bus.message_id)).text.endswith("Verplaatst naar Vragen door Mo.")

    garden = card_for(shown, "moestuin")
    await mo.press("Inkorten", message_id=garden.message_id)
    ask = await mo.last_bot_message()
    assert ask.text.startswith("Wat moet er uit het briefje?")
    assert ask.button_labels == ["06-12345678", "Stop"]
    await mo.press("06-12345678")
    await mo.send("piet de vries")
    preview = await mo.last_bot_message()
    assert "Bel […] op […] over de moestuin" in preview.text
    await mo.press("Zo op het bord")
    assert (await mo.last_bot_message()).text == "Het ingekorte briefje staat op het bord."
    closed = await mo.message(garden.message_id)
    assert closed.buttons == [] and closed.text.endswith("Ingekort door Mo en op het bord gezet.")
    assert "Bel […] op […] over de moestuin" in closed.text

    rude = card_for(shown, "Rotzooi")
    await mo.press("Verbergen", message_id=rude.message_id)
    await mo.press("Kwetsend of grof", message_id=rude.message_id)
    assert (await mo.message(rude.message_id)).text.endswith("Verborgen door Mo: Kwetsend of grof.")

    bas = await pg.new_person(first_name="Bas")
    page = await _board_page(bas)
    assert "• Wens: Een speeltuin bij de school" in page
    assert "• Vraag: Waarom rijdt de bus niet op zondag?" in page
    assert "• Mogelijkheid: Bel […] op […] over de moestuin" in page
    for gone in ("Speeltuin bij school graag", "Rotzooi", "Piet", "12345678"):
        assert gone not in page

    await mo.send("/export")
    await mo.press(theme.title)
    assert (
        "Contactgegevens van wie uitgenodigd wil worden"
        not in (await mo.last_bot_message()).button_labels
    )  # moderators get no contact details
    mark = await mo.mark()
    await mo.press("Alles")
    files = await documents(pg, await mo.bot_messages(after=mark))
    code = theme.code
    report = [f"participatieverslag-{code}.pdf", f"participatieverslag-{code}.html"]
    board = [f"bord-{code}.{ext}" for ext in ("md", "csv", "json", "png", "pdf", "html")]
    assert sorted(files) == sorted(board + report)

    data = json.loads(files[f"bord-{code}.json"])
    notes = {n["text"]: n for n in data["notes"]}
    assert set(notes) == {
        "Een speeltuin bij de school",
        "Waarom rijdt de bus niet op zondag?",
        "Bel […] op […] over de moestuin",
    }
    assert notes["Waarom rijdt de bus niet op zondag?"]["quadrant"] == "question"
    assert notes["Een speeltuin bij de school"]["also_mentioned"] == 1
    assert data["counts"] == {"wish": 1, "example": 0, "possibility": 1, "question": 1, "other": 0}

    rows = list(csv.DictReader(io.StringIO(files[f"bord-{code}.csv"].decode("utf-8-sig"))))
    assert {r["text"]: r["quadrant_name"] for r in rows} == {
        "Een speeltuin bij de school": "Wens",
        "Waarom rijdt de bus niet op zondag?": "Vraag",
        "Bel […] op […] over de moestuin": "Mogelijkheid",
    }

    markdown = files[f"bord-{code}.md"].decode("utf-8")
    assert markdown.startswith("# Samen wonen, jong en oud\n")
    assert "## Wensen (1)\n\n- Een speeltuin bij de school (gedeeld door 2)\n" in markdown
    assert "## Vragen (1)\n\n- Waarom rijdt de bus niet op zondag?\n" in markdown
    assert "## Voorbeelden (0)\n\n_Nog leeg_\n" in markdown

    image = Image.open(io.BytesIO(files[f"bord-{code}.png"]))
    assert image.format == "PNG" and image.size == (1080, 1350)

    pdf = PdfReader(io.BytesIO(files[f"bord-{code}.pdf"]))
    assert len(pdf.pages) >= 2
    width, height = float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Waarom rijdt de bus niet op zondag?" in text

    for name, content in files.items():
        readable = readable_text(name, content)
        for needle in (str(anna.id), "Anna", str(MODERATOR_ID), "Piet", "12345678", "Rotzooi"):
            assert needle not in readable, (name, needle)

    # Anna hears what became of her words, without who decided or the words themselves.
    await delivered(runner)
    told = [m.text or "" for m in await anna.bot_messages()]
    assert any(t.startswith("Een moderator heeft een briefje van je bij Samen wonen") for t in told)
    assert any("(kwetsend of grof)" in t for t in told)
    assert any(t.startswith("Een moderator heeft iets uit je briefje") for t in told)
    assert not any(t.startswith("Iemand schreef") for t in told)
    assert not any("Mo" in t.split() for t in told)
    told_bea = [m.text or "" for m in await bea.bot_messages()]
    assert any(t.startswith("Iemand schreef bij Samen wonen") for t in told_bea)
    await _no_refusals(pg)


async def test_photo_and_voice_notes_have_cards_too(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    await add_theme(runner)
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/thema")
    await anna.send_photo("Ons buurthuis")
    await anna.send_voice(4)
    await anna.press("Vraag")
    mo = await moderator(pg)
    await mo.send("/moderatie")
    photo, voice = await cards(mo)
    assert photo.photo is not None and (photo.caption or "").endswith("Ons buurthuis")
    assert voice.voice is not None and voice.document is None
    assert "[gesproken briefje, 4 seconden] Luister hierboven." in (voice.caption or "")
    assert "Inkorten" not in voice.button_labels
    await mo.press("✅ Goedkeuren", message_id=photo.message_id)
    await mo.press("Verbergen", message_id=voice.message_id)
    await mo.press("Iets anders", message_id=voice.message_id)
    assert (await mo.message(photo.message_id)).caption.endswith("Goedgekeurd door Mo.")  # type: ignore[union-attr]
    assert (await mo.message(voice.message_id)).caption.endswith(  # type: ignore[union-attr]
        "Verborgen door Mo: Iets anders."
    )
    await mo.press("Keur deze 2 goed")
    assert (await mo.last_bot_message()).text.startswith("Er is niets goedgekeurd.")
    assert (
        "2 briefjes hadden al een besluit; die zijn niet veranderd."
        in (await mo.last_bot_message()).text
    )
    await _no_refusals(pg)


async def test_two_moderators_at_once_leave_one_decision(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(
        pg,
        make_bot,
        moderation={"mode": "pre"},
        roles={"moderators": [MODERATOR_ID, SECOND_MODERATOR]},
    )
    await add_theme(runner)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Een bloemenweide", "Wens")
    (note,) = await runner.repo.list_notes_by_author(anna.id)
    mo = await moderator(pg)
    zoe = await moderator(pg, SECOND_MODERATOR, "Zoë")
    await asyncio.gather(mo.send("/moderatie"), zoe.send("/moderatie"))
    await zoe.press("Verbergen")
    # Mo approves while Zoë hides, at the same moment.
    await asyncio.gather(mo.press("✅ Goedkeuren"), zoe.press("Kwetsend of grof"))

    decisions = await repo_of(runner).dump_table("moderation_decisions")
    assert len(decisions) == 1
    winner = decisions[0]["moderator_name"]
    loser, loser_name = (zoe, "Zoë") if winner == "Mo" else (mo, "Mo")
    answer = await loser.callback_answer()
    assert answer is not None and answer.text is not None and answer.show_alert
    assert answer.text.startswith("Een ander was je voor.")
    assert f"door {winner}" in answer.text
    stored = await runner.repo.get_note(note.id)
    assert stored is not None
    expected = NoteStatus.VISIBLE if winner == "Mo" else NoteStatus.HIDDEN
    assert stored.status == expected
    # Both cards now say what was decided, and carry no buttons any more.
    for person in (mo, zoe):
        (card,) = [m for m in await person.bot_messages() if "Een bloemenweide" in m.content]
        assert f"door {winner}" in card.text and card.buttons == []
    # An old button pressed after the decision (a client that kept it) answers clearly.
    (card,) = [m for m in await loser.bot_messages() if "Een bloemenweide" in m.content]
    await loser.press_data(f"md:ok:{note.id}:0", card.message_id)
    again = await loser.callback_answer()
    assert again is not None and again.text is not None and f"door {winner}" in again.text
    assert len(await repo_of(runner).dump_table("moderation_decisions")) == 1
    audit = [e for e in await runner.repo.list_audit() if e.note_id == note.id]
    assert [e.actor_name for e in audit] == [winner]
    assert loser_name != winner


async def test_a_report_returns_a_note_to_the_queue(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "post"})
    await add_theme(runner)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Jan van nummer 12 parkeert altijd op de stoep", "Vraag")
    mo = await moderator(pg)
    await mo.send("/moderatie")
    assert (
        "1 briefje om na te kijken. Het staat al op het bord" in (await mo.bot_messages())[-3].text
    )
    await mo.press("✅ Goedkeuren")
    await mo.send("/moderatie")
    assert (await mo.last_bot_message()).text.startswith("Er wacht niets.")

    bas = await pg.new_person(first_name="Bas")
    page = await _board_page(bas)
    assert "Jan van nummer 12" in page
    await bas.press("⚑ Meld een briefje")
    await bas.press("1. Jan van nummer 12 parkeert altijd op de stoep")
    assert (await bas.last_bot_message()).text.startswith("Waarom hoort dit briefje niet")
    await bas.press("Er staan persoonlijke gegevens in")
    assert (await bas.last_bot_message()).text.startswith("Dank je voor je melding.")
    await _board_page(bas)
    await bas.press("⚑ Meld een briefje")
    await bas.press("1. Jan van nummer 12 parkeert altijd op de stoep")
    await bas.press("Iets anders")
    assert (await bas.last_bot_message()).text.startswith("Je hebt dit briefje al gemeld.")

    await mo.send("/moderatie")
    card = (await cards(mo))[-1]
    assert "Jan van nummer 12" in card.text
    assert "⚑ Gemeld door een bewoner: Er staan persoonlijke gegevens in" in card.text
    assert "Bas" not in card.text and str(bas.id) not in card.text
    await mo.press("Verbergen", message_id=card.message_id)
    await mo.press("Persoonlijke gegevens", message_id=card.message_id)
    assert "Jan van nummer 12" not in await _board_page(bas)
    reports = await repo_of(runner).dump_table("note_reports")
    assert len(reports) == 1 and reports[0]["handled_at"] is not None
    await _no_refusals(pg)


async def test_digest_once_per_interval_also_after_a_restart(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    clock = ManualClock(datetime.now(UTC))
    sections = {"moderation": {"mode": "pre", "digest_minutes": 60}}
    runner = await start_bot(pg, make_bot, clock=clock, **sections)
    theme = await add_theme(runner)
    mo = await moderator(pg)
    anna = await pg.new_person(first_name="Anna")

    async def digests(bot: BotRunner) -> list[str]:
        await settle(bot)
        return [m.text or "" for m in await mo.bot_messages() if "op een moderator" in m.content]

    async def settle(bot: BotRunner) -> None:
        worker = digest_worker(bot.app)
        assert worker is not None
        before = worker.checks
        worker.wake()
        for _ in range(200):
            if worker.checks > before:
                break
            await asyncio.sleep(0.02)
        await delivered(bot)

    await write_note(anna, "Een", "Wens")
    await wait_for_text(mo, "Er wacht 1 briefje op een moderator.")
    digest = await mo.last_bot_message()
    assert digest.button_labels == ["Bekijk de wachtrij"]
    await anna.send("Twee")
    await anna.press("Vraag")
    await anna.send("Drie")
    await anna.press("Vraag")
    assert len(await digests(runner)) == 1  # three notes, one digest

    clock.advance(timedelta(minutes=61))
    await anna.send("Vier")
    await anna.press("Wens")
    texts = await digests(runner)
    assert texts[-1] == "Er wachten 4 briefjes op een moderator. Kijk als je tijd hebt."
    assert len(texts) == 2

    # A restart within the interval brings no extra digest.
    database = runner.config.storage.path
    await runner.stop()
    clock.advance(timedelta(minutes=10))
    runner = await start_bot(pg, make_bot, clock=clock, database=database, **sections)
    await anna.send("/thema")
    await anna.send("Vijf")
    await anna.press("Wens")
    assert len(await digests(runner)) == 2
    clock.advance(timedelta(minutes=55))
    await anna.send("Zes")
    await anna.press("Wens")
    assert len(await digests(runner)) == 3

    # The digest's button opens the queue.
    await mo.press("Bekijk de wachtrij")
    shown = await cards(mo)
    assert [c.text.rsplit("\n", 1)[-1] for c in shown] == ["Een", "Twee", "Drie", "Vier", "Vijf"]
    pending = await runner.repo.count_notes(theme.id, statuses=(NoteStatus.PENDING,))
    assert sum(pending.values()) == 6
    assert pending[Quadrant.QUESTION] == 2
