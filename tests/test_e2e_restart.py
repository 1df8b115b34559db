"""The database is the truth: a killed bot continues where each resident was."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from playground.client import PlaygroundClient
from playground.server import Playground
from storage.models import Consent, NoteStatus, Quadrant
from tests.backends import new_repository
from tests.conftest import TOKEN, BotFactory
from tests.process import kill, seed_theme, start_bot, wait_for_text, write_config


async def test_sigkill_mid_conversation_continues_at_the_same_step(
    playground: Playground, tmp_path: Path
) -> None:
    database = tmp_path / "buurtbot.sqlite3"
    theme_id = await seed_theme(database)
    config = write_config(tmp_path / "buurtbot.toml", playground.url, database)
    async with PlaygroundClient(playground.url) as pg:
        anna = await pg.new_person(first_name="Anna")
        bas = await pg.new_person(first_name="Bas")
        process = await start_bot(config, TOKEN)
        try:
            # Anna is halfway through onboarding, Bas halfway through placing a note.
            await anna.send("/start")
            await wait_for_text(anna, "In welk dorp woon je?", timeout=30)
            await anna.press("Doorwerth")
            await wait_for_text(anna, "En in welke buurt van Doorwerth?")
            await bas.send("/thema")
            await wait_for_text(bas, "Groen in het dorp")
            await bas.send("Bomen langs de Utrechtseweg")
            await wait_for_text(bas, "Mooi, dank je. Waar hoort dit bij?")
        finally:
            await kill(process)

        process = await start_bot(config, TOKEN)
        try:
            # Typing now gets the same onboarding question again: the step survived.
            mark = await anna.mark()
            await anna.send("Ik weet het niet")
            await wait_for_text(anna, "En in welke buurt van Doorwerth?", after=mark, timeout=30)
            assert (await anna.replies_since(mark))[0].text.startswith("Kies hierboven")
            await anna.press("Kasteelweg")
            await wait_for_text(anna, "Wil je een berichtje krijgen")

            # Bas presses the button shown before the crash, and goes on writing.
            await bas.press("Wens")
            await wait_for_text(bas, "Wil je een uitnodiging krijgen")
            mark = await bas.mark()
            await bas.send("Een pluktuin bij de school")
            await wait_for_text(bas, "Mooi, dank je. Waar hoort dit bij?", after=mark)
        finally:
            process.terminate()
            assert await process.wait() == 0

    repo = new_repository(database)
    await repo.open()
    try:
        notes = await repo.list_notes_by_author(bas.id)
        assert [n.text for n in notes] == [
            "Een pluktuin bij de school",
            "Bomen langs de Utrechtseweg",
        ]
        assert notes[1].quadrant == Quadrant.WISH and notes[1].status == NoteStatus.VISIBLE
        assert notes[0].theme_id == theme_id
        assert await repo.inbox_pending() == []
    finally:
        await repo.close()


async def test_an_update_received_but_not_handled_is_handled_after_restart(
    playground: Playground, make_bot: BotFactory, tmp_path: Path
) -> None:
    database = tmp_path / "buurtbot.sqlite3"
    async with PlaygroundClient(playground.url) as pg:
        anna = await pg.new_person(first_name="Anna")
        # What the poller stored just before the process died: Anna's /start.
        repo = new_repository(database)
        await repo.open()
        update = {
            "update_id": 999_000,
            "message": {
                "message_id": 1,
                "date": 1_700_000_000,
                "chat": {"id": anna.id, "type": "private", "first_name": "Anna"},
                "from": {
                    "id": anna.id,
                    "is_bot": False,
                    "first_name": "Anna",
                    "language_code": "nl",
                },
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        await repo.inbox_add([(999_000, anna.id, json.dumps(update))])
        await repo.close()

        runner = await make_bot(database=database)
        messages = await wait_for_text(anna, "In welk dorp woon je?")
        assert messages[0].content.startswith("Hoi Anna!")
        for _ in range(100):
            if not await runner.repo.inbox_pending():
                break
            await asyncio.sleep(0.05)
        assert await runner.repo.inbox_pending() == []


async def test_sigkill_halfway_through_a_broadcast_resumes_without_losses(
    playground: Playground, tmp_path: Path
) -> None:
    database = tmp_path / "buurtbot.sqlite3"
    extra = (
        "[delivery]\nrate_per_second = 10\n"
        '[roles]\nambassadors = [{ user_id = 900001, area = "doorwerth-heveadorp" }]\n'
    )
    config = write_config(tmp_path / "buurtbot.toml", playground.url, database, extra=extra)
    async with PlaygroundClient(playground.url) as pg:
        residents = [await pg.new_person(first_name=f"Buur {i}") for i in range(60)]
        repo = new_repository(database)
        await repo.open()
        for person in residents:
            await repo.ensure_resident(person.id, "nl")
            await repo.set_place(person.id, "doorwerth", None)
            await repo.set_consent(person.id, Consent.THEME_NEWS, True)
        await repo.close()
        ahmed = await pg.new_person(first_name="Ahmed", user_id=900001)

        process = await start_bot(config, TOKEN)
        try:
            await ahmed.send("/bericht")
            await wait_for_text(ahmed, "Naar wie gaat je bericht?", timeout=30)
            await ahmed.press("Bewoners van een plek")
            await wait_for_text(ahmed, "Welke plek?")
            await ahmed.press("Doorwerth")
            await wait_for_text(ahmed, "Schrijf je bericht.")
            await ahmed.send("De dorpsavond is verplaatst naar donderdag.")
            await wait_for_text(ahmed, "Dit bericht gaat naar 60 bewoners die berichten")
            await ahmed.press("Verstuur")
            # Let about a third go out, then pull the plug.
            for _ in range(200):
                got = [
                    p
                    for p in residents
                    if any("dorpsavond" in m.content for m in await p.bot_messages())
                ]
                if len(got) >= 20:
                    break
                await asyncio.sleep(0.05)
        finally:
            await kill(process)
        sent_before = len(got)
        assert sent_before < 60, "the broadcast finished before the kill; slow it down"

        process = await start_bot(config, TOKEN)
        try:
            await wait_for_text(ahmed, "Je bericht is verstuurd.", timeout=60)
        finally:
            process.terminate()
            await process.wait()

        copies = [sum("dorpsavond" in m.content for m in await p.bot_messages()) for p in residents]
        duplicates = sum(c - 1 for c in copies if c > 1)
        print(
            f"\nbroadcast killed after {sent_before} of 60; duplicates after restart: {duplicates}"
        )
        assert all(c >= 1 for c in copies), "somebody lost the message"
        assert duplicates <= 1, "only the message in flight at the kill may arrive twice"


async def test_an_unreadable_pending_update_is_set_aside_and_the_bot_starts(
    playground: Playground, make_bot: BotFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A stored update in an older Bot API shape must not stop every start (issue 12, point 7)."""
    database = tmp_path / "buurtbot.sqlite3"
    async with PlaygroundClient(playground.url) as pg:
        anna = await pg.new_person(first_name="Anna")
        bas = await pg.new_person(first_name="Bas")
        repo = new_repository(database)
        await repo.open()
        # A poll answer from before option_ids was required: PTB raises TypeError on it.
        old_shape = {
            "update_id": 998_999,
            "poll_answer": {
                "poll_id": "geheime-peiling",
                "user": {"id": bas.id, "is_bot": False, "first_name": "Bas"},
            },
        }
        await repo.inbox_add(
            [
                (998_999, bas.id, json.dumps(old_shape)),
                (999_000, anna.id, json.dumps(_start_of(anna.id, 999_000))),
            ]
        )
        await repo.close()

        with caplog.at_level(logging.INFO):
            runner = await make_bot(database=database)
            messages = await wait_for_text(anna, "In welk dorp woon je?")
        assert messages[0].content.startswith("Hoi Anna!")
        for _ in range(100):
            if not await runner.repo.inbox_pending():
                break
            await asyncio.sleep(0.05)
        assert await runner.repo.inbox_pending() == []
        aside = await runner.repo.inbox_set_aside_items()
        assert [(a.update_id, a.chat_id, a.reason) for a in aside] == [
            (998_999, bas.id, "TypeError")
        ]
        assert json.loads(aside[0].payload) == old_shape
        # Logged once, by id and kind of error, never with what it says.
        said = [r.getMessage() for r in caplog.records if "998999" in r.getMessage()]
        assert said == ["update 998999 could not be read (TypeError); set aside"]
        assert "geheime-peiling" not in caplog.text
        assert "option_ids" not in caplog.text

        # The bot answers residents as usual; the set-aside update is erased with its sender.
        await anna.press("Doorwerth")
        await wait_for_text(anna, "En in welke buurt van Doorwerth?")
        await runner.repo.erase_resident(bas.id)
        assert await runner.repo.inbox_set_aside_items() == []


def _start_of(user_id: int, update_id: int) -> dict[str, object]:
    """A resident's /start as Telegram sends it."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "nl"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_an_update_that_cannot_be_read_on_arrival_is_set_aside(
    playground: Playground, make_bot: BotFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Polled, not stored in the inbox, confirmed to Telegram, and kept aside (point 7)."""
    runner = await make_bot()
    async with PlaygroundClient(playground.url) as pg:
        anna = await pg.new_person(first_name="Anna")
        bas = await pg.new_person(first_name="Bas")
        with caplog.at_level(logging.INFO):
            update_id = playground.state.queue_update(
                "poll_answer",
                {"poll_id": "geheime-peiling", "user": {"id": bas.id, "is_bot": False}},
            )
            await anna.send("/start")
            await wait_for_text(anna, "In welk dorp woon je?")
        aside = await runner.repo.inbox_set_aside_items()
        assert [(a.update_id, a.chat_id, a.reason) for a in aside] == [
            (update_id, bas.id, "TypeError")
        ]
        assert "geheime-peiling" not in caplog.text
        assert await runner.repo.inbox_pending() == []
