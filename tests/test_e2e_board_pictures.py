"""What residents and moderators see of the board as a picture and as a PDF, read back.

Residents write emoji, send a photo, and say the same thing twice; the board picture /bord
sends is downloaded and compared with the drawing of exactly that board (emoji, the photo as
a thumbnail, "gedeeld door 2"), and the export PDF's text is read back.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.render.board_image import BoardPicture, StickyNote, render_board
from bot.render.emoji import emoji_font
from playground.client import PlaygroundClient
from playground.server import Playground
from tests.conftest import BotFactory, add_theme
from tests.staff import card_for, cards, documents, moderator, start_bot, write_note

TREE = "Een boom 🌳 voor oma 👵 en een lach 😀"
TREES = "Meer bomen op het plein, op woensdagochtend geplant"
TWIN = "Meer bomen op het plein graag"
MAGENTA = (230, 0, 200)


@pytest.fixture
async def pg(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    """A client without the default bot: each test here starts its own."""
    async with PlaygroundClient(playground.url) as client:
        yield client


def _magenta_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), MAGENTA).save(out, format="PNG")
    return out.getvalue()


def _count(image: Image.Image, box: tuple[int, int, int, int], near: tuple[int, int, int]) -> int:
    data = image.convert("RGB").crop(box).tobytes()
    return sum(
        1
        for at in range(0, len(data), 3)
        if all(abs(data[at + i] - near[i]) < 30 for i in range(3))
    )


async def test_board_picture_shows_emoji_thumbnail_and_how_often_a_note_was_named(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    theme = await add_theme(runner)
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, TREE, "Wens")
    await write_note(anna, TREES, "Wens")
    photo = _magenta_photo()
    await anna.send("/thema")
    await anna.send_photo("Ons buurthuis", data=photo)
    bas = await pg.new_person(first_name="Bas")
    await write_note(bas, TWIN, "Wens")

    mo = await moderator(pg)
    await mo.send("/moderatie")
    shown = await cards(mo)
    for words in (TREE, TREES, "Ons buurthuis"):
        await mo.press("✅ Goedkeuren", message_id=card_for(shown, words).message_id)
    twin = card_for(shown, TWIN)
    await mo.press("Dubbel", message_id=twin.message_id)
    await mo.press(TREES, message_id=twin.message_id)

    cas = await pg.new_person(first_name="Cas")
    await cas.send("/bord")
    sent = await cas.last_bot_message()
    assert sent.photo is not None
    png = await pg.file_bytes(sent.photo.file_id)
    # Exactly the board as drawn with the emoji, the photo itself and "gedeeld door 2" on it.
    expected = BoardPicture(
        title=theme.title,
        place=runner.config.municipality.place_name(theme.place),
        notes={
            "wish": [StickyNote(TREES, badge="gedeeld door 2"), StickyNote(TREE)],
            "example": [StickyNote("Ons buurthuis", "photo", image=photo)],
            "possibility": [],
            "question": [],
        },
        counts={"wish": 2, "example": 1, "possibility": 0, "question": 0},
    )
    assert png == render_board(expected, language="nl")
    picture = Image.open(io.BytesIO(png))
    # The thumbnail: thousands of the photo's own pixels in the examples (top right).
    assert _count(picture, (540, 0, 1080, 675), MAGENTA) > 5000
    if emoji_font() is not None:
        # The tree in colour on the pink wishes: green where no pink quadrant has any.
        assert _count(picture, (0, 0, 540, 675), (120, 180, 60)) > 20
    # Without the badge the picture is another one: the "gedeeld door 2" is on it.
    unmarked = BoardPicture(
        expected.title,
        expected.place,
        {**expected.notes, "wish": [StickyNote(TREES), StickyNote(TREE)]},
        expected.counts,
    )
    assert png != render_board(unmarked, language="nl")

    await mo.send("/export")
    await mo.press(theme.title)
    mark = await mo.mark()
    await mo.press("Alles")
    files = await documents(pg, await mo.bot_messages(after=mark))
    # The exported picture is the same board, the photo on it too.
    assert files[f"bord-{theme.code}.png"] == png
    pdf = PdfReader(io.BytesIO(files[f"bord-{theme.code}.pdf"]))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    expected_tree = TREE if emoji_font() is not None else "Een boom voor oma en een lach"
    assert expected_tree in text
    assert f"{TREES} (gedeeld door 2)" in text
    assert "Ons buurthuis" in text
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions
