"""A voice note reaches the moderators as a voice note, and lists name it by its length."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from playground.client import Person, PlaygroundClient, SentMessage
from playground.server import Playground
from tests.conftest import MODERATOR_ID, BotFactory, add_theme
from tests.staff import start_bot, write_note


@pytest.fixture
async def pg(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    """A client without the default bot: each test here starts its own."""
    async with PlaygroundClient(playground.url) as client:
        yield client


async def _speak(person: Person, seconds: int, quadrant: str) -> None:
    await person.send("/thema")
    await person.send_voice(seconds)
    await person.press(quadrant)


async def _cards(person: Person, approve: str) -> list[SentMessage]:
    """The moderation cards in the chat, in the moderator's language, oldest first."""
    return [m for m in await person.bot_messages() if approve in m.button_labels]


async def _own_voice(person: Person) -> str:
    """The file of the resident's last voice note as they sent it."""
    (sent,) = [m for m in await person.messages() if not m.from_bot and m.voice is not None][-1:]
    assert sent.voice is not None
    return sent.voice.file_unique_id


@pytest.mark.parametrize(
    ("language", "seconds", "line", "listen", "duplicate", "approve"),
    [
        (
            "nl",
            4,
            "[gesproken briefje, 4 seconden]",
            "Luister hierboven.",
            "Dubbel",
            "✅ Goedkeuren",
        ),
        ("en", 65, "[spoken note, 1:05 min]", "Listen above.", "Duplicate", "✅ Approve"),
    ],
)
async def test_moderator_hears_the_voice_note_and_lists_name_its_length(
    pg: PlaygroundClient,
    make_bot: BotFactory,
    language: str,
    seconds: int,
    line: str,
    listen: str,
    duplicate: str,
    approve: str,
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    await add_theme(runner)
    anna = await pg.new_person(first_name="Anna", language_code=language)
    await _speak(anna, seconds, "Vraag" if language == "nl" else "Question")
    spoken = await _own_voice(anna)
    mo = await pg.new_person(first_name="Mo", user_id=MODERATOR_ID, language_code=language)
    await mo.send("/start")
    await mo.send("/moderatie")
    (card,) = [m for m in await _cards(mo, approve) if m.voice is not None]
    # The card is the resident's own voice note, to play in the chat; not a file to download.
    assert card.document is None and card.voice is not None
    assert card.voice.file_unique_id == spoken and card.voice.duration == seconds
    assert (card.caption or "").endswith(f"{line} {listen}")
    await mo.press(approve, message_id=card.message_id)

    # A second note: the Dubbel list names the voice note without pointing at anything above.
    question = "Vraag" if language == "nl" else "Question"
    await write_note(anna, "Komt er een bankje bij de vijver?", question)
    await mo.send("/moderatie")
    (bench,) = [m for m in await _cards(mo, approve) if "bankje" in m.content][-1:]
    await mo.press(duplicate, message_id=bench.message_id)
    labels = (await mo.message(bench.message_id)).button_labels
    assert line in labels
    assert not any(listen.split()[0] in label for label in labels)
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_a_moderator_who_refuses_voice_messages_gets_a_sound_file(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    await add_theme(runner)
    anna = await pg.new_person(first_name="Anna")
    await _speak(anna, 5, "Wens")
    mo = await pg.new_person(first_name="Mo", user_id=MODERATOR_ID)
    await mo.send("/start")
    await pg.set_voice_messages(mo.id, allowed=False)
    await mo.send("/moderatie")
    (card,) = [m for m in await _cards(mo, "✅ Goedkeuren") if m.document is not None]
    assert card.voice is None and card.document is not None
    assert re.fullmatch(r"gesproken-briefje-\d+\.ogg", card.document.file_name or "")
    assert (card.caption or "").endswith("[gesproken briefje, 5 seconden] Luister hierboven.")
    # The very sound Anna recorded.
    recorded = [m.voice for m in await anna.messages() if m.voice is not None][-1]
    assert await pg.file_bytes(card.document.file_id) == await pg.file_bytes(recorded.file_id)
    await mo.press("✅ Goedkeuren", message_id=card.message_id)
    assert (await mo.message(card.message_id)).caption.endswith("Goedgekeurd door Mo.")  # type: ignore[union-attr]
