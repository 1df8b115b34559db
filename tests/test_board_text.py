"""The board picture and PDF draw every note's words: emoji in colour, words whole or hyphenated.

Read back from what was drawn: the picture's pixels where the emoji go, the wrapped lines
against Pyphen's own hyphenation points, the PDF's text as a PDF reader extracts it.
"""

from __future__ import annotations

import io
import os
from dataclasses import replace
from datetime import UTC, date, datetime

import pyphen
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from bot.render import board_image, emoji, text_fit, typeface
from bot.render.board_image import BoardPicture, StickyNote, render_board
from bot.render.board_pdf import render_board_pdf
from bot.render.progress_chart import Progress, render_progress_chart
from bot.village.board import BoardExport, ExportNote
from storage.models import Quadrant

HAS_EMOJI_FONT = emoji.emoji_font() is not None
# On CI .ci/setup installs the font; only a developer's machine without apt may lack it.
needs_emoji_font = pytest.mark.skipif(
    not HAS_EMOJI_FONT and not os.environ.get("CI"),
    reason="no colour emoji font (Debian: fonts-noto-color-emoji)",
)


def _board(*notes: StickyNote, quadrant: str = "wish") -> BoardPicture:
    return BoardPicture(title="Samen", place="Doorwerth", notes={quadrant: list(notes)}, counts={})


def _note_area() -> tuple[int, int, int, int]:
    """Where the first note of the wishes sits when it is the only one."""
    layout = board_image._LAYOUT[0]
    boxes = board_image._note_boxes(layout.notes, 1)
    box = boxes[0]
    return (box.x0, box.y0, box.x1, box.y1)


def _colourful(image: Image.Image, other: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Count the pixels in box that differ from other and are clearly coloured, not grey ink."""
    count = 0
    a = image.convert("RGB").crop(box).tobytes()
    b = other.convert("RGB").crop(box).tobytes()
    for at in range(0, len(a), 3):
        mine = a[at : at + 3]
        if mine != b[at : at + 3] and max(mine) - min(mine) > 60:
            count += 1
    return count


def _open(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@needs_emoji_font
@pytest.mark.parametrize("emoji_text", ["🌳", "👵", "😀", "👩‍🌾", "👍🏽", "🇳🇱", "❤️"])
def test_each_emoji_is_drawn_in_colour_where_it_goes(emoji_text: str) -> None:
    plain_note = _open(render_board(_board(StickyNote("Oma zegt"))))
    with_emoji = _open(render_board(_board(StickyNote(f"Oma zegt {emoji_text}"))))
    # Dozens of coloured pixels right where the text goes on: the emoji, not a box or nothing.
    assert _colourful(with_emoji, plain_note, _note_area()) > 80


@needs_emoji_font
def test_tree_grandmother_and_smile_all_appear_in_colour() -> None:
    text = "Een boom 🌳 voor oma 👵 en een lach 😀"
    # Every emoji is a picture of its own in the colour font: none falls back to .notdef.
    runs = [run for run, is_emoji in emoji.segments(text) if is_emoji]
    assert runs == ["🌳", "👵", "😀"]
    # Joined emoji stay one picture: a farmer, a skin tone, a flag, a keycap.
    for joined in ("👩‍🌾", "👍🏽", "🇳🇱", "1️⃣"):
        assert list(emoji.segments(f"a{joined}b")) == [("a", False), (joined, True), ("b", False)]
    for run in runs:
        picture = emoji.emoji_picture(run, 26)
        assert picture is not None and picture.getbbox() is not None
        colours = picture.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 20  # a colour picture, not one-ink glyph
    without = _open(render_board(_board(StickyNote("Een boom voor oma en een lach"))))
    drawn = _open(render_board(_board(StickyNote(text))))
    assert _colourful(drawn, without, _note_area()) > 3 * 80
    # The title card draws them too.
    card = board_image._CARD
    titled = _open(render_board(BoardPicture("Samen 🌳", "Doorwerth 👵", {}, {})))
    bare = _open(render_board(BoardPicture("Samen", "Doorwerth", {}, {})))
    assert _colourful(titled, bare, (card.x0, card.y0, card.x1, card.y1)) > 80


def test_without_the_emoji_font_emoji_are_left_out_and_nothing_breaks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caches = (emoji.emoji_font_path, emoji.emoji_font, emoji.emoji_code_points)
    for cached in caches:
        cached.cache_clear()
    emoji.emoji_picture.cache_clear()
    monkeypatch.setattr(emoji, "EMOJI_FONT_PATHS", ("/nonexistent/NotoColorEmoji.ttf",))
    monkeypatch.delenv("BUURTBOT_EMOJI_FONT", raising=False)
    try:
        assert emoji.emoji_font() is None
        assert list(emoji.segments("boom 🌳")) == [("boom 🌳", False)]
        lines, _cut = text_fit.wrap_text("Een boom 🌳 voor oma 👵", False, 26, [400], 3, emoji=True)
        assert lines == ["Een boom voor oma"]
        png = render_board(_board(StickyNote("Een boom 🌳 voor oma 👵 😀")))
        assert _open(png).size == (1080, 1350)
        pdf = PdfReader(io.BytesIO(render_board_pdf(_export([_export_note(1, "Boom 🌳 hier")]))))
        assert "Boom hier" in " ".join(pdf.pages[1].extract_text().split())
    finally:
        monkeypatch.undo()
        for cached in caches:
            cached.cache_clear()
        emoji.emoji_picture.cache_clear()


# --- wrapping at words and hyphenation points ---------------------------------------------

SENTENCES = {
    "nl": [
        "Woensdagochtend koffie in het buurthuis",
        "[gesproken briefje]",
        "Zonne-energie op het dak van de gymzaal en een jeu-de-boulesbaan",
        "Speeltuinvoorzieningen bij de basisschool en de kinderboerderij",
        "Een boom 🌳 voor oma 👵 in de Dorpsstraat",
    ],
    "en": [
        "[spoken note]",
        "Neighbourhood association meeting on Wednesday mornings",
        "Accessibility of the community centre for wheelchairs",
    ],
}
_DICTIONARY = {"nl": "nl_NL", "en": "en_GB"}
_AROUND = "[](){}\"'“”‘’„«»,.;:!?…"


def _assert_words_whole_or_hyphenated(text: str, lines: list[str], language: str) -> None:
    """Every word is on one line, or broken at a Pyphen point (or its own hyphen) with a hyphen."""
    # The board's language first, then the other: a note may be written in either.
    dictionaries = [pyphen.Pyphen(lang=name, left=1, right=1) for name in _DICTIONARY.values()]

    def points(word: str) -> set[int]:
        # Brackets and quotes around a word are no part of it (see bot/render/hyphens.py).
        lead = len(word) - len(word.lstrip(_AROUND))
        core = word.strip(_AROUND)
        return {lead + p for d in dictionaries for p in d.positions(core)}

    words = text.split()
    index, partial = 0, ""
    for line in lines:
        if not line:
            continue  # a first line left to a marker
        tokens = line.split(" ")
        for position, token in enumerate(tokens):
            word = words[index]
            joined = partial + token
            if joined == word:
                index, partial = index + 1, ""
                continue
            assert position == len(tokens) - 1, (line, word)  # a break only ends a line
            assert joined.endswith("-"), (line, word)
            if word.startswith(joined) and word[len(joined) - 1] == "-":
                partial = joined  # the word's own hyphen
                continue
            head = joined[:-1]
            assert word.startswith(head), (line, word)
            assert len(head) in points(word), (line, word, head)
            partial = head
    assert index == len(words) and not partial


@pytest.mark.parametrize("language", ["nl", "en"])
def test_wrapped_lines_split_words_only_at_hyphenation_points(language: str) -> None:
    for sentence in SENTENCES[language]:
        for width in range(110, 460, 15):
            for fill_gaps in (True, False):
                lines, cut = text_fit.wrap_text(
                    sentence,
                    False,
                    26,
                    [width],
                    40,
                    language=language,
                    emoji=True,
                    fill_gaps=fill_gaps,
                )
                assert not cut
                measure = text_fit.text_measure(False, 26, emoji=True)
                assert all(measure.getlength(line) <= width for line in lines), lines
                _assert_words_whole_or_hyphenated(
                    text_fit.clean_text(sentence, False, emoji=True)[0], lines, language
                )


_WORDS = [
    *" ".join(SENTENCES["nl"] + SENTENCES["en"]).split(),
    "gemeenschapsvoorzieningen",
    "buurtbewoners",
    "fietsenstalling",
    "woningbouwvereniging",
    "(ouderenzorg)",
    "“mantelzorgers”",
    "ik",
    "en",
]


@settings(max_examples=80, deadline=None)
@given(
    words=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14),
    # From the narrowest note (two columns: about 210 px of text) up; the first line may give
    # up to 120 px to a photo or voice marker.
    width=st.integers(min_value=150, max_value=520),
    language=st.sampled_from(["nl", "en"]),
    first=st.integers(min_value=0, max_value=120),
)
def test_any_wrapping_keeps_words_whole_or_hyphenated(
    words: list[str], width: int, language: str, first: int
) -> None:
    text = " ".join(words)
    lines, cut = text_fit.wrap_text(
        text, False, 26, [width - first, width], 60, language=language, emoji=True, fill_gaps=True
    )
    assert not cut
    cleaned = text_fit.clean_text(text, False, emoji=True)[0]
    _assert_words_whole_or_hyphenated(cleaned, lines, language)


def test_the_reported_breaks_are_gone() -> None:
    # "woensdagoch|tend" and "[spoke|n note]" from the issue, at the widths of the board's notes.
    for width in (200, 231, 260):
        lines, _ = text_fit.wrap_text("Woensdagochtend", False, 26, [width], 3, fill_gaps=True)
        assert lines in (["Woensdagochtend"], ["Woensdag-", "ochtend"], ["Woensdagoch-", "tend"])
    first = 231 - 120  # the first line gives room to the "voice" marker
    lines, _ = text_fit.wrap_text(
        "[spoken note]", False, 26, [first, 231], 3, language="en", fill_gaps=True
    )
    assert lines == ["[spoken", "note]"]
    lines, _ = text_fit.wrap_text("[gesproken briefje]", False, 26, [first, 231], 3, fill_gaps=True)
    assert lines == ["", "[gesproken", "briefje]"]


def test_a_word_wider_than_any_line_without_points_still_fits() -> None:
    lines, cut = text_fit.wrap_text("x" * 60, False, 26, [200], 10)
    font = typeface.font(False, 26)
    assert not cut and "".join(lines) == "x" * 60
    assert all(font.getlength(line) <= 200 for line in lines)


# --- the PDF holds every note in full -----------------------------------------------------


def _export_note(number: int, text: str, quadrant: Quadrant = Quadrant.WISH) -> ExportNote:
    return ExportNote(number, quadrant, "text", text, date(2027, 3, 1))


def _export(notes: list[ExportNote], language: str = "nl") -> BoardExport:
    return BoardExport(
        code="abc23456",
        title="Samen wonen, jong en oud",
        invitation="Hoe willen we hier wonen?",
        question="Wat zou jij graag zien?",
        place="Doorwerth",
        period="1 maart 2027 – 12 april 2027",
        status="active",
        municipality="Renkum",
        exported_at=datetime(2027, 3, 12, 15, 30, tzinfo=UTC),
        language=language,
        notes=tuple(notes),
    )


@pytest.mark.parametrize("language", ["nl", "en"])
def test_pdf_text_holds_every_note_in_full(language: str) -> None:
    quadrants = [Quadrant.WISH, Quadrant.EXAMPLE, Quadrant.POSSIBILITY, Quadrant.QUESTION]
    novel = " ".join(f"zin {i} over de woensdagochtend in het buurthuis." for i in range(150))
    texts = [
        novel,  # about 7,000 characters: longer than a page
        "Een boom 🌳 voor oma 👵 en een lach 😀" if HAS_EMOJI_FONT else "Een boom voor oma",
        "Regel een\nregel twee",
        *(f"Briefje {i}: meer bankjes langs de Rijn en de Utrechtseweg" for i in range(40)),
    ]
    notes = [_export_note(i, text, quadrants[i % 4]) for i, text in enumerate(texts)]
    notes[3] = ExportNote(3, Quadrant.QUESTION, "text", texts[3], date(2027, 3, 1), 1)
    board = _export(notes, language)
    pdf = PdfReader(io.BytesIO(render_board_pdf(board)))
    assert len(pdf.pages) >= 4
    # Each page ends in its footer; without it the notes' words run on from page to page.
    pages = [
        " ".join(page.extract_text().split()).rsplit(board.footer(), 1)[0].strip()
        for page in pdf.pages
    ]
    # The long note runs on over a page break: its end is on a later page than its start.
    starts = next(i for i, page in enumerate(pages) if "zin 0 over" in page)
    ends = next(i for i, page in enumerate(pages) if "zin 149 over" in page)
    assert ends > starts
    # Every note's words come back, in full.
    body = " ".join(pages)
    for text in texts:
        assert " ".join(text.split()) in body, text[:40]
    mentioned = "(gedeeld door 2)" if language == "nl" else "(shared by 2)"
    assert mentioned in body
    more = "Alle briefjes, helemaal uitgeschreven" if language == "nl" else "Every note, written"
    assert more in pages[0]


@needs_emoji_font
def test_the_progress_chart_title_draws_emoji_too() -> None:
    progress = Progress(
        title="Groen dorp",
        involved=3,
        involved_new_this_week=1,
        notes_per_quadrant={"wish": 1, "example": 0, "possibility": 0, "question": 0},
        tables=0,
        commitments=0,
        examples=0,
        moments_held=0,
    )
    bare = _open(render_progress_chart(progress))
    green = _open(render_progress_chart(replace(progress, title="Groen dorp 🌳")))
    assert _colourful(green, bare, (0, 80, bare.width, 200)) > 80
