from __future__ import annotations

import io
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import overload

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageFont

from bot.render import (
    BOARD_HEIGHT,
    BOARD_WIDTH,
    QUADRANTS,
    BoardPicture,
    StickyNote,
    board_image,
    render_board,
    text_fit,
    typeface,
)

NASTY_TEXTS = [
    "Hart voor elkaar <3 & meer",
    "lang " * 1000,
    "x" * 5000,
    "y" * 300,
    "مرحبا بكم في دورويرث، نريد المزيد من الحدائق",
    "שלום לכולם, עוד ספסלים בפארק",
    "Leuk idee 🎉👍🏽 👨‍👩‍👧 ❤️",
    "中文字符 and 日本語",
    "\u202ereversed\u202c and \u200bzero\u200b width",
    "",
    "   \n\n\t  ",
    "regel een\nregel twee\n\n\nregel drie",
    "e\u0301e\u0301e\u0301" * 100,
    "\x00\x01 nul \ud800 lone surrogate",
]


def _notes(*texts: str, kind: str = "text") -> list[StickyNote]:
    return [StickyNote(text, kind) for text in texts]


def _open(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _board(
    notes: Mapping[str, Sequence[StickyNote]] | None = None,
    counts: Mapping[str, int] | None = None,
    title: str = "Samen wonen, jong en oud",
    place: str = "Doorwerth",
) -> BoardPicture:
    notes = notes if notes is not None else {}
    if counts is None:
        counts = {key: len(notes.get(key, ())) for key in QUADRANTS}
    return BoardPicture(title=title, place=place, notes=notes, counts=counts)


SAMPLE = _board(
    {
        "wish": _notes(
            "Een plek waar jongeren en ouderen samen koffie drinken",
            "Meer bankjes langs de Rijn",
        )
        + _notes("Hofje met tuin", kind="photo"),
        "example": _notes("In Renkum eten ze elke donderdag samen in het dorpshuis"),
        "possibility": _notes("Het oude schoolgebouw ombouwen tot woningen", kind="voice"),
        "question": _notes("Wie betaalt dat?", "Mag je een tiny house in je tuin zetten?"),
    }
)


def _quadrant_box(index: int) -> tuple[int, int, int, int]:
    half_w, half_h = BOARD_WIDTH // 2, BOARD_HEIGHT // 2
    x0 = half_w if index % 2 else 0
    y0 = half_h if index >= 2 else 0
    return (x0, y0, x0 + half_w, y0 + half_h)


def _colours(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    colours = image.convert("RGB").crop(box).getcolors(maxcolors=1 << 20)
    assert colours is not None
    return len(colours)


@pytest.fixture(scope="module")
def sample_png() -> bytes:
    return render_board(SAMPLE)


def test_size_and_mode(sample_png: bytes) -> None:
    image = _open(sample_png)
    assert image.format == "PNG"
    assert image.size == (BOARD_WIDTH, BOARD_HEIGHT) == (1080, 1350)
    assert image.mode in ("RGB", "RGBA")


def test_every_quadrant_and_the_card_have_content(sample_png: bytes) -> None:
    image = _open(sample_png).convert("RGB")
    for index in range(4):
        # Text, shadows and sticky notes: far more than a flat background.
        assert _colours(image, _quadrant_box(index)) > 50
    card = board_image._CARD
    centre = image.crop((card.x0 + 30, card.y0 + 30, card.x1 - 30, card.y1 - 30))
    colours = centre.getcolors(maxcolors=1 << 20)
    assert colours is not None
    pixels = [rgb for _count, rgb in sorted(colours, reverse=True) if isinstance(rgb, tuple)]
    assert pixels[0] == (255, 255, 255)  # the white card
    assert min(sum(rgb) for rgb in pixels) < 200  # with dark title text on it


def test_quadrants_have_their_own_background() -> None:
    image = _open(render_board(_board())).convert("RGB")
    corners = [
        image.getpixel((40, 300)),
        image.getpixel((BOARD_WIDTH - 40, 300)),
        image.getpixel((40, BOARD_HEIGHT - 200)),
        image.getpixel((BOARD_WIDTH - 40, BOARD_HEIGHT - 200)),
    ]
    assert len(set(corners)) == 4


def test_empty_board_renders_with_placeholders() -> None:
    image = _open(render_board(_board(title="", place="")))
    assert image.size == (BOARD_WIDTH, BOARD_HEIGHT)
    for index in range(4):
        assert _colours(image, _quadrant_box(index)) > 5


def test_missing_quadrant_keys_and_odd_counts() -> None:
    board = BoardPicture(
        title="Thema",
        place="Renkum",
        notes={"wish": _notes("een"), "unknown": _notes("genegeerd")},
        counts={"wish": -4, "question": 3},
    )
    _open(render_board(board))


class _Huge(Sequence[StickyNote]):
    """A sequence pretending to hold a billion notes, recording which ones were read."""

    def __init__(self) -> None:
        self.read: set[int] = set()

    def __len__(self) -> int:
        return 1_000_000_000

    @overload
    def __getitem__(self, index: int) -> StickyNote: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[StickyNote]: ...
    def __getitem__(self, index: int | slice) -> StickyNote | Sequence[StickyNote]:
        if isinstance(index, slice):
            raise AssertionError("the renderer should not slice huge sequences")
        self.read.add(index)
        return StickyNote(f"Notitie {index} over samen wonen in het dorp")

    def __iter__(self) -> Iterator[StickyNote]:
        index = 0
        while True:
            yield self[index]
            index += 1


def test_only_the_shown_notes_are_read() -> None:
    huge = {key: _Huge() for key in QUADRANTS}
    render_board(_board(huge, {key: 1_000_000_000 for key in QUADRANTS}))
    for sequence in huge.values():
        assert sequence.read == set(range(board_image.MAX_NOTES_PER_QUADRANT))


def test_ten_thousand_notes_render_quickly() -> None:
    many = _notes(*(f"Notitie {i}: meer groen en bankjes in de wijk" for i in range(10_000)))
    board = _board({key: many for key in QUADRANTS}, {key: 10_000 for key in QUADRANTS})
    render_board(board)  # warm the font caches
    started = time.perf_counter()
    png = render_board(board)
    elapsed = time.perf_counter() - started
    assert _open(png).size == (BOARD_WIDTH, BOARD_HEIGHT)
    # Generous for slow CI machines; locally it is about 0.2 s.
    assert elapsed < 2.0


def test_more_line_appears_when_notes_are_left_out() -> None:
    notes = {key: _notes("Een", "Twee") for key in QUADRANTS}
    complete = _open(render_board(_board(notes))).convert("RGB")
    summarised = _open(render_board(_board(notes, {key: 40 for key in QUADRANTS})))
    summarised = summarised.convert("RGB")
    card = board_image._CARD
    # Top quadrants say "+ 38 meer" beside the card, bottom ones at the bottom edge.
    beside_card = (0, card.y0, card.x0, BOARD_HEIGHT // 2)
    bottom_edge = (0, BOARD_HEIGHT - 70, BOARD_WIDTH, BOARD_HEIGHT)
    for box in (beside_card, bottom_edge):
        assert complete.crop(box).tobytes() != summarised.crop(box).tobytes()


@pytest.mark.parametrize("text", NASTY_TEXTS)
def test_nasty_notes_do_not_crash(text: str) -> None:
    kinds = ("text", "photo", "voice", "sticker")
    notes = {key: [StickyNote(text, kind)] for key, kind in zip(QUADRANTS, kinds, strict=True)}
    _open(render_board(_board(notes, {key: 3 for key in QUADRANTS})))


def test_nasty_texts_everywhere_at_once() -> None:
    nasty = _notes(*NASTY_TEXTS)
    board = BoardPicture(
        title=" ".join(NASTY_TEXTS),
        place="Heelsum 🏡 " + "ä" * 200,
        notes={key: nasty[index::2] for index, key in enumerate(QUADRANTS)},
        counts={key: 10**12 for key in QUADRANTS},
    )
    _open(render_board(board, language="en"))


@pytest.mark.parametrize("title", NASTY_TEXTS)
def test_nasty_titles_do_not_crash(title: str) -> None:
    _open(render_board(_board(title=title, place=title)))


def test_english_headings_differ_from_dutch() -> None:
    board = _board()
    dutch = render_board(board, language="nl")
    english = render_board(board, language="en")
    assert _open(dutch).size == _open(english).size
    assert dutch != english
    assert render_board(board, language="en-GB") == english
    assert render_board(board, language="fy") == dutch


def test_rendering_is_deterministic(sample_png: bytes) -> None:
    assert render_board(SAMPLE) == sample_png


def test_markers_change_the_note() -> None:
    def render(kind: str) -> bytes:
        return render_board(_board({"wish": [StickyNote("Bankje", kind)]}))

    assert len({render("text"), render("photo"), render("voice")}) == 3


def test_renders_without_the_shipped_font(monkeypatch: pytest.MonkeyPatch) -> None:
    caches = (
        typeface.font_bytes,
        typeface.shipped_font,
        typeface.font,
        typeface.drawable_code_points,
    )
    for cached in caches:
        cached.cache_clear()
    monkeypatch.setattr(typeface, "font_bytes", lambda bold: None)
    try:
        image = _open(render_board(_board(SAMPLE.notes, title="Wonen 🏡 <3")))
        assert image.size == (BOARD_WIDTH, BOARD_HEIGHT)
    finally:
        monkeypatch.undo()
        for cached in caches:
            cached.cache_clear()


def test_the_shipped_font_is_used() -> None:
    font = typeface.font(False, 30)
    assert isinstance(font, ImageFont.FreeTypeFont)
    assert font.getname()[0] == "DejaVu Sans"
    drawable = typeface.drawable_code_points(False)
    assert drawable is not None
    assert {ord(c) for c in "éëïü<&>…ب"} <= drawable
    assert not {ord(c) for c in "🎉中"} & drawable


# --- wrapping ------------------------------------------------------------------------------


def _wrap(text: str, width: float, max_lines: int, size: int = 28) -> tuple[list[str], bool]:
    return text_fit.wrap_text(text, False, size, [width], max_lines)


def test_wrap_keeps_short_text_whole() -> None:
    assert _wrap("Meer bankjes", 300, 3) == (["Meer bankjes"], False)


def test_wrap_breaks_long_words_and_cuts_with_ellipsis() -> None:
    lines, cut = _wrap("a" * 300, 200, 3)
    assert cut
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    font = typeface.font(False, 28)
    assert all(font.getlength(line) <= 200 for line in lines)


def test_wrap_cuts_long_notes_at_the_budget() -> None:
    lines, cut = _wrap("woord " * 5000, 2000, 50)
    assert cut
    assert lines[-1].endswith("…")


def test_wrap_leaves_out_characters_the_font_lacks() -> None:
    lines, cut = _wrap("Leuk 🎉 idee 中", 600, 2)
    assert (lines, cut) == (["Leuk idee"], False)


def test_wrap_honours_line_breaks_but_not_empty_lines() -> None:
    lines, _cut = _wrap("een\n\n\ntwee", 600, 5)
    assert lines == ["een", "twee"]


def test_wrap_gives_the_first_line_its_own_width() -> None:
    lines, _cut = text_fit.wrap_text("een twee drie vier", False, 28, [80, 600], 3)
    assert lines == ["een", "twee drie vier"]


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(max_size=400),
    width=st.integers(min_value=60, max_value=500),
    max_lines=st.integers(min_value=1, max_value=6),
)
def test_wrap_never_overflows(text: str, width: int, max_lines: int) -> None:
    lines, cut = _wrap(text, width, max_lines)
    font = typeface.font(False, 28)
    assert len(lines) <= max_lines
    assert all(font.getlength(line) <= width for line in lines)
    if cut:
        assert lines[-1].endswith("…")


def test_a_shared_note_gets_its_badge() -> None:
    """The badge "gedeeld door N" is drawn on the note, inside its quadrant."""
    from bot.render.board_image import BoardPicture, StickyNote, render_board

    def board(badge: str) -> Image.Image:
        notes = {"wish": [StickyNote("Een bankje bij de bushalte", badge=badge)]}
        picture = BoardPicture("Groen dorp", "Renkum", notes, {"wish": 1})
        return Image.open(io.BytesIO(render_board(picture))).convert("RGB")

    plain_board, badged = board(""), board("gedeeld door 2")
    changed = ImageChops.difference(plain_board, badged).getbbox()
    assert changed is not None
    # Only inside the wish quadrant (top left), not over the rest of the board.
    assert changed[2] <= 1080 // 2 and changed[3] <= 1350 // 2
