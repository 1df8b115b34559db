"""Bad input gets a kind answer, never a crash, and nothing stored is lost."""

from __future__ import annotations

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from storage.models import NoteKind, Quadrant, ThemeStatus
from tests.conftest import add_theme


async def _no_refusals(pg: PlaygroundClient) -> None:
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def _in_talk(pg: PlaygroundClient, bot: BotRunner, name: str = "Anna") -> Person:
    person = await pg.new_person(first_name=name)
    await person.send("/thema")
    return person


async def test_what_cannot_be_a_note_gets_a_kind_answer(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    await add_theme(bot)
    anna = await _in_talk(pg, bot)
    await anna.send_sticker()
    assert (await anna.last_bot_message()).text.startswith("Leuke sticker!")
    await anna.send_location()
    assert (await anna.last_bot_message()).text.startswith(
        "Dank je, maar een locatie bewaar ik niet."
    )
    await anna.send_document()
    assert (await anna.last_bot_message()).text.startswith(
        "Een bestand kan ik niet op het bord zetten."
    )
    assert await bot.repo.list_notes_by_author(anna.id) == []
    # Outside a talk the same things get the general hint, not an error.
    bas = await pg.new_person(first_name="Bas")
    for send in (bas.send_sticker, bas.send_location, bas.send_document, bas.send_voice):
        await send()
        assert (await bas.last_bot_message()).text.startswith("Wil je meepraten? Tik /thema.")
    await _no_refusals(pg)


async def test_voice_note_is_kept_as_a_spoken_note(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await _in_talk(pg, bot)
    await anna.send_voice()
    assert (await anna.last_bot_message()).text.startswith(
        "Dank je, ik heb je gesproken briefje bewaard."
    )
    await anna.press("Voorbeeld")
    (note,) = await bot.repo.list_notes_by_author(anna.id)
    assert note.kind == NoteKind.VOICE and note.file_id and note.quadrant == Quadrant.EXAMPLE
    await anna.send("/bord")
    await anna.press("Lees de briefjes")
    assert "[gesproken briefje]" in (await anna.last_bot_message()).text
    await _no_refusals(pg)


async def test_long_messages_emoji_and_right_to_left(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await _in_talk(pg, bot)
    long_text = ("Een heel lang verhaal over het dorp <3 & meer. " * 120)[:5000]
    # Telegram splits what a resident types past 4,096 characters into two messages.
    texts = [
        long_text[:4096],
        long_text[4096:],
        "Meer groen 🌳🌻 in de straat 👍",
        "مرحبا بالجيران، نريد حديقة",
        "שלום & <b>",
    ]
    for text in texts:
        await anna.send(text)
        await anna.press("Wens")
    notes = await bot.repo.list_notes_by_author(anna.id)
    assert sorted(n.text for n in notes) == sorted(texts)
    await anna.send("/bord")
    await anna.press("Lees de briefjes")
    page = (await anna.last_bot_message()).text
    assert "שלום & <b>" in page and "🌳🌻" in page and "…" in page
    await anna.send("/mijn")
    await _no_refusals(pg)


async def test_edited_message_is_explained(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await _in_talk(pg, bot)
    await anna.send("Meer bankjes")
    assert anna.last_message_id is not None
    await anna.edit(anna.last_message_id, "Meer bankjes in het park")
    assert (await anna.last_bot_message()).text.startswith(
        "Ik zie dat je een bericht hebt aangepast."
    )
    (note,) = await bot.repo.list_notes_by_author(anna.id)
    assert note.text == "Meer bankjes"


async def test_old_buttons_of_a_finished_talk(pg: PlaygroundClient, bot: BotRunner) -> None:
    theme = await add_theme(bot)
    anna = await _in_talk(pg, bot)
    opening = await anna.last_bot_message()
    await anna.send("Een speeltuin")
    where = await anna.last_bot_message()
    await anna.press("Wens")
    await anna.press("Nee, liever niet")
    await anna.press("Klaar")
    # The opening's quadrant buttons belong to the talk that just ended.
    await anna.press("Vraag", message_id=opening.message_id)
    answer = await anna.callback_answer()
    assert answer is not None and answer.text is not None
    assert answer.text.startswith("Dit knopje hoort bij een eerder gesprek.")
    # Once the theme is closed, its notes can no longer be moved.
    await bot.repo.set_theme_status(theme.id, ThemeStatus.CLOSED)
    (note,) = await bot.repo.list_notes_by_author(anna.id)
    await anna.press_data(f"vt:q:{note.id}:q", where.message_id)
    answer = await anna.callback_answer()
    assert (
        answer is not None
        and answer.text
        == "Dit thema is afgesloten. Dank je wel! Kijk met /thema of er een nieuw thema is."
    )
    (note,) = await bot.repo.list_notes_by_author(anna.id)
    assert note.quadrant == Quadrant.WISH
    await _no_refusals(pg)


async def test_forged_buttons_of_another_residents_note(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    await add_theme(bot)
    anna = await _in_talk(pg, bot, "Anna")
    await anna.send("Anna's wens")
    await anna.press("Wens")
    (note,) = await bot.repo.list_notes_by_author(anna.id)
    bas = await _in_talk(pg, bot, "Bas")
    own = await bas.last_bot_message()
    for data in (
        f"vt:q:{note.id}:q",
        f"my:dy:{note.id}",
        f"my:e:{note.id}",
        "vt:q:abc:z",
        "my:dy:" + "9" * 40,
        "my:dy:²",  # str.isdigit() says yes, int() says no
        "💥",
    ):
        await bas.press_data(data, own.message_id)
        answer = await bas.callback_answer()
        assert answer is not None and answer.text, data
    (still,) = await bot.repo.list_notes_by_author(anna.id)
    assert still == note
    assert not [m for m in await bas.bot_messages() if "iets mis" in m.content]
    await _no_refusals(pg)


async def test_thirty_messages_in_ten_seconds(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await _in_talk(pg, bot)
    mark = await anna.mark()
    for i in range(30):
        await anna.send(f"Idee nummer {i}")
    replies = [m.text for m in await anna.replies_since(mark)]
    notices = [t for t in replies if t and t.startswith("Je schrijft snel!")]
    assert len(notices) == 1
    assert len(replies) < 30
    notes = await bot.repo.list_notes_by_author(anna.id)
    assert sorted(n.text for n in notes) == sorted(f"Idee nummer {i}" for i in range(30))
    await _no_refusals(pg)


async def test_a_resident_who_blocks_the_bot_is_marked_inactive(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/start")
    await anna.block()
    resident = await bot.repo.get_resident(anna.id)
    assert resident is not None and not resident.active
    await anna.unblock()
    resident = await bot.repo.get_resident(anna.id)
    assert resident is not None and resident.active


# Code points that draw nothing: Braille blank, Hangul fillers, zero-width characters, a BOM,
# no-break and ideographic spaces, and a lone combining mark.
INVISIBLE = [
    "\u2800\u2800",
    "\u3164",
    "\u200b\u200c\u200d",
    "\ufeff \u00a0",
    "\u3000\u2800",
    "\u0301",
]


async def test_a_note_needs_a_visible_character(pg: PlaygroundClient, bot: BotRunner) -> None:
    await add_theme(bot)
    anna = await _in_talk(pg, bot)
    for text in INVISIBLE:
        await anna.send(text)
        assert (await anna.last_bot_message()).text.startswith("Ik zie geen letters")
    assert await bot.repo.list_notes_by_author(anna.id) == []
    emma = await pg.new_person(first_name="Emma", language_code="en")
    await emma.send("/thema")
    await emma.send("\u2800")
    assert (await emma.last_bot_message()).text.startswith("I can't see any letters")
    # Changing a note into blank characters is refused too, and the old words stay.
    await anna.send("Een bankje 🪑 bij de bakker")
    await anna.press("Wens")
    await anna.send("/mijn")
    await anna.press("1. Een bankje 🪑 bij de bakker")
    await anna.press("Pas aan")
    await anna.send("\u3164\u200b")
    assert (await anna.last_bot_message()).text.startswith("Ik zie geen letters")
    await anna.send("Twee bankjes bij de bakker")
    assert (await anna.last_bot_message()).text == "Je briefje is aangepast."
    (note,) = await bot.repo.list_notes_by_author(anna.id)
    assert note.text == "Twee bankjes bij de bakker"
    # A photo is visible by itself: it is kept, without its blank caption.
    await anna.send("/thema")
    await anna.send_photo("\u2800\u200b")
    photo = next(n for n in await bot.repo.list_notes_by_author(anna.id) if n.file_id)
    assert photo.kind == NoteKind.PHOTO and photo.text == ""
    await _no_refusals(pg)
