"""Draw the brainstorm board as one portrait PNG that stays legible on a phone.

The board has four quadrants (wishes, examples, possibilities, questions) in a 2x2 grid with
the theme on a card in the middle, overlapping all four, the way a paper brainstorm board
looks. Each quadrant shows at most a handful of the newest notes as sticky notes and says how
many more there are: the picture summarises, it never overflows.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageOps

from bot.core.i18n import number, plain
from bot.render.drawing import (
    Box,
    draw_camera,
    draw_microphone,
    draw_pin,
    paste_with_shadow,
    png_bytes,
)
from bot.render.emoji import MixedMeasure, draw_mixed
from bot.render.palette import (
    CANVAS,
    INK,
    MUTED_INK,
    QUADRANT_PALETTES,
    QUADRANTS,
    RGB,
    WHITE,
    QuadrantPalette,
    blend,
)
from bot.render.text_fit import fitted_font, is_right_to_left, single_line, wrap_text
from bot.render.typeface import font
from bot.render.wording import label_language, quadrant_name

__all__ = [
    "BOARD_HEIGHT",
    "BOARD_WIDTH",
    "MAX_NOTES_PER_QUADRANT",
    "QUADRANTS",
    "BoardPicture",
    "StickyNote",
    "render_board",
]

BOARD_WIDTH = 1080
BOARD_HEIGHT = 1350
MAX_NOTES_PER_QUADRANT = 6


@dataclass(frozen=True)
class StickyNote:
    """One note on the board: its text and whether it came in as text, photo or voice.

    A photo note may bring its photo (any image file's bytes) to show as a thumbnail; a note
    others said too (marked as duplicates of it by a moderator) says how often it was named.
    """

    text: str
    kind: str = "text"  # "text" | "photo" | "voice"
    image: bytes | None = field(default=None, repr=False)
    also_mentioned: int = 0  # notes a moderator marked as saying the same as this one
    mark: str = ""  # a small line at the foot, e.g. "op het plein" for a note heard in person


@dataclass(frozen=True)
class BoardPicture:
    """Everything the board picture shows; notes per quadrant come newest first."""

    title: str
    place: str
    notes: Mapping[str, Sequence[StickyNote]]
    counts: Mapping[str, int]


@dataclass(frozen=True)
class _Labels:
    language: str
    more: str
    empty: str
    photo: str
    voice: str


_LABELS: Mapping[str, _Labels] = {
    "nl": _Labels(
        language="nl",
        more="+ {n} meer",
        empty="Nog leeg",
        photo="foto",
        voice="spraak",
    ),
    "en": _Labels(
        language="en",
        more="+ {n} more",
        empty="Still empty",
        photo="photo",
        voice="voice",
    ),
}


# Small fixed tilts make the notes look stuck on by hand; fixed so the same board always
# gives the same picture.
_TILTS = (-1.2, 0.9, 0.5, -0.8, 1.1, -0.4, 0.7, -1.0, 0.3)


# Geometry. The middle card overlaps the inner corners of all four quadrants; the top
# quadrants put their "+ N meer" line beside it, the bottom ones their heading.
_GUTTER = 10
_PAD = 24
_MID_X = BOARD_WIDTH // 2
_MID_Y = BOARD_HEIGHT // 2
_CARD = Box(_MID_X - 195, _MID_Y - 115, _MID_X + 195, _MID_Y + 115)
_CARD_CLEARANCE = 14
_HEADING_SIZE = 38
_HEADING_MIN_SIZE = 26
_FOOTER_SIZE = 28
_MARKER_SIZE = 21
_TITLE_SIZES = (46, 41, 36, 32)
_PLACE_SIZE = 28


@dataclass(frozen=True)
class _Quadrant:
    key: str
    panel: Box
    right: bool  # mirrored: text hugs the board's outer (right) edge
    heading_top: int
    notes: Box
    footer_middle: int  # vertical centre of the "+ N meer" line
    heading_room: int
    footer_room: int


def _quadrants() -> tuple[_Quadrant, ...]:
    out: list[_Quadrant] = []
    for index, key in enumerate(QUADRANTS):
        right = index % 2 == 1
        bottom = index >= 2
        x0 = _MID_X + _GUTTER // 2 if right else _GUTTER
        x1 = BOARD_WIDTH - _GUTTER if right else _MID_X - _GUTTER // 2
        y0 = _MID_Y + _GUTTER // 2 if bottom else _GUTTER
        y1 = BOARD_HEIGHT - _GUTTER if bottom else _MID_Y - _GUTTER // 2
        panel = Box(x0, y0, x1, y1)
        beside_card = (x1 - _PAD - _CARD.x1 if right else _CARD.x0 - x0 - _PAD) - _CARD_CLEARANCE
        full = x1 - x0 - 2 * _PAD
        heading_top = y0 + 18
        if bottom:
            notes = Box(x0 + _PAD, _CARD.y1 + _CARD_CLEARANCE, x1 - _PAD, y1 - 70)
            footer_middle = y1 - 36
            heading_room, footer_room = beside_card, full
        else:
            notes = Box(x0 + _PAD, y0 + 86, x1 - _PAD, _CARD.y0 - _CARD_CLEARANCE)
            footer_middle = (_CARD.y0 + y1) // 2
            heading_room, footer_room = full, beside_card
        out.append(
            _Quadrant(
                key, panel, right, heading_top, notes, footer_middle, heading_room, footer_room
            )
        )
    return tuple(out)


_LAYOUT = _quadrants()


def _line_height(size: int) -> int:
    """Return the line distance for text at size: a fifth of the size between lines."""
    return round(size * 1.2)


def _thumbnail(data: bytes, width: int, height: int) -> Image.Image | None:
    """Return the photo cropped to fill width x height, or None when it cannot be read."""
    if width < 8 or height < 8:
        return None
    try:
        with Image.open(io.BytesIO(data)) as photo:
            photo.draft("RGB", (width * 2, height * 2))  # JPEGs decode small, quickly
            return ImageOps.fit(photo.convert("RGB"), (width, height), Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def _draw_mentioned(
    draw: ImageDraw.ImageDraw, tile: Image.Image, text: str, palette: QuadrantPalette
) -> int:
    """Draw "2× genoemd" as a small label at the note's bottom right; return its height."""
    label_font = font(True, _MARKER_SIZE)
    width = round(label_font.getlength(text)) + 16
    height = _MARKER_SIZE + 10
    x1, y1 = tile.width - 10, tile.height - 8
    draw.rounded_rectangle(
        (x1 - width, y1 - height, x1, y1), radius=height // 2, fill=palette.note_edge
    )
    draw.text((x1 - width + 8, y1 - height + 4), text, font=label_font, fill=palette.ink)
    return height + 8


def _draw_note(
    canvas: Image.Image,
    box: Box,
    note: StickyNote,
    palette: QuadrantPalette,
    labels: _Labels,
    size: int,
    tilt: float,
) -> None:
    pad = 14
    top = 13  # just below the glue strip
    tile = Image.new("RGB", (box.width, box.height), palette.note)
    draw = ImageDraw.Draw(tile)
    # A darker strip where a real sticky note's glue sits.
    draw.rectangle((0, 0, box.width, 6), fill=palette.note_edge)
    text_width = box.width - 2 * pad
    first_width = text_width
    bottom = box.height - 2
    if note.also_mentioned > 0:
        mentioned = plain(labels.language, "picture.mentioned", count=note.also_mentioned + 1)
        bottom -= _draw_mentioned(draw, tile, mentioned, palette)
    if note.mark:
        # A small line at the foot: "op het plein" for a note heard at the stand.
        bottom -= _MARKER_SIZE + 6
        draw.text((pad, bottom + 2), note.mark, font=font(False, _MARKER_SIZE), fill=palette.ink)
    line_height = _line_height(size)
    text = note.text
    photo = None
    if note.kind == "photo" and note.image is not None:
        # The photo itself says it is one: no camera marker, the words (if any) below it.
        room = bottom - top - (min(2, len(text.split())) * line_height if text.strip() else 0)
        photo = _thumbnail(note.image, text_width, max(0, room - 6))
    if photo is not None:
        tile.paste(photo, (pad, top))
        top += photo.height + 6
    elif note.kind in ("photo", "voice"):
        # The marker sits top right, so only the first line gives up room for it.
        label = labels.photo if note.kind == "photo" else labels.voice
        label_font = font(True, _MARKER_SIZE)
        icon = draw_camera if note.kind == "photo" else draw_microphone
        marker_width = 26 + 6 + round(label_font.getlength(label))
        x = box.width - pad - marker_width
        icon(draw, x, top + 3, palette.ink)
        draw.text((x + 32, top + 3), label, font=label_font, fill=palette.ink)
        first_width = text_width - marker_width - 12
    max_lines = max(0, (bottom - top) // line_height)
    lines, _cut = wrap_text(
        text,
        False,
        size,
        [first_width, text_width],
        max_lines,
        language=labels.language,
        emoji=True,
        fill_gaps=True,
    )
    measure = MixedMeasure(font(False, size), size)
    right_to_left = is_right_to_left(lines)
    y = top
    for index, line in enumerate(lines):
        x = pad
        if right_to_left:
            room = first_width if index == 0 else text_width
            x = pad + round(room - measure.getlength(line))
        draw_mixed(tile, (x, y), line, measure, INK)
        y += line_height
    centre = ((box.x0 + box.x1) // 2, (box.y0 + box.y1) // 2)
    paste_with_shadow(canvas, tile, centre, radius=5, tilt=tilt)


def _note_grid(shown: int) -> tuple[int, int, int]:
    """Return columns, rows and text size for a quadrant showing this many notes."""
    if shown <= 2:
        return 1, 2, 30
    if shown == 3:
        return 1, 3, 29
    if shown == 4:
        return 2, 2, 28
    return 2, 3, 26


def _note_boxes(area: Box, shown: int) -> list[Box]:
    columns, rows, _size = _note_grid(shown)
    gap = 14
    width = (area.width - gap * (columns - 1)) // columns
    height = (area.height - gap * (rows - 1)) // rows
    boxes = []
    for index in range(shown):
        row, column = divmod(index, columns)
        x0 = area.x0 + column * (width + gap)
        y0 = area.y0 + row * (height + gap)
        boxes.append(Box(x0, y0, x0 + width, y0 + height))
    if shown == 5:
        # Five notes in a 2x3 grid would leave a hole; the last one takes the whole row.
        last = boxes[-1]
        boxes[-1] = Box(last.x0, last.y0, area.x1, last.y1)
    return boxes


def _draw_placeholder(draw: ImageDraw.ImageDraw, area: Box, text: str, ink: RGB) -> None:
    """Draw a dashed outline of an empty sticky note with a gentle line in it."""
    box = Box(area.x0 + 40, area.y0 + 30, area.x1 - 40, area.y0 + 30 + area.height // 2)
    dash, gap = 16, 10
    for x in range(box.x0, box.x1, dash + gap):
        end = min(x + dash, box.x1)
        draw.line((x, box.y0, end, box.y0), fill=ink, width=3)
        draw.line((x, box.y1, end, box.y1), fill=ink, width=3)
    for y in range(box.y0, box.y1, dash + gap):
        end = min(y + dash, box.y1)
        draw.line((box.x0, y, box.x0, end), fill=ink, width=3)
        draw.line((box.x1, y, box.x1, end), fill=ink, width=3)
    text_font = font(False, 30)
    draw.text(
        (
            (box.x0 + box.x1) // 2 - round(text_font.getlength(text)) // 2,
            (box.y0 + box.y1) // 2 - 18,
        ),
        text,
        font=text_font,
        fill=ink,
    )


def _draw_quadrant(
    canvas: Image.Image,
    quadrant: _Quadrant,
    notes: Sequence[StickyNote],
    count: int,
    labels: _Labels,
    quadrant_index: int,
) -> None:
    palette = QUADRANT_PALETTES[quadrant.key]
    draw = ImageDraw.Draw(canvas)
    panel = quadrant.panel
    draw.rounded_rectangle(
        (panel.x0, panel.y0, panel.x1, panel.y1), radius=22, fill=palette.background
    )

    heading = quadrant_name(labels.language, quadrant.key)
    heading_font, _size = fitted_font(
        heading, True, _HEADING_SIZE, _HEADING_MIN_SIZE, quadrant.heading_room
    )
    heading_width = round(heading_font.getlength(heading))
    x = panel.x1 - _PAD - heading_width if quadrant.right else panel.x0 + _PAD
    draw.text((x, quadrant.heading_top), heading, font=heading_font, fill=palette.ink)
    bar_y = quadrant.heading_top + _HEADING_SIZE + 12
    bar_x = panel.x1 - _PAD - 56 if quadrant.right else panel.x0 + _PAD
    draw.rounded_rectangle((bar_x, bar_y, bar_x + 56, bar_y + 6), radius=3, fill=palette.ink)

    boxes = _note_boxes(quadrant.notes, len(notes))
    size = _note_grid(len(notes))[2]
    for index, (note, box) in enumerate(zip(notes, boxes, strict=True)):
        # Wide notes turn less, so their far ends do not swing out of line with the rest.
        tilt = _TILTS[(quadrant_index * 4 + index) % len(_TILTS)] * min(1.0, 240 / box.width)
        _draw_note(canvas, box, note, palette, labels, size, tilt)

    more = max(0, count - len(notes))
    if not notes and more == 0:
        faded = blend(palette.ink, palette.background, 0.45)
        _draw_placeholder(draw, quadrant.notes, labels.empty, faded)
    if more:
        line = labels.more.format(n=number(labels.language, more))
        footer_font, _size = fitted_font(
            line, True, _FOOTER_SIZE, _HEADING_MIN_SIZE, quadrant.footer_room
        )
        width = round(footer_font.getlength(line))
        x = panel.x1 - _PAD - width if quadrant.right else panel.x0 + _PAD
        draw.text(
            (x, quadrant.footer_middle - _FOOTER_SIZE // 2 - 4),
            line,
            font=footer_font,
            fill=palette.ink,
        )


def _draw_card(canvas: Image.Image, title: str, place: str, language: str) -> None:
    card = _CARD
    pad = 24
    tile = Image.new("RGB", (card.width, card.height), WHITE)
    draw = ImageDraw.Draw(tile)
    inner_width = card.width - 2 * pad
    place_height = _line_height(_PLACE_SIZE) + 6 if place.strip() else 0
    room = card.height - 2 * pad - place_height

    lines: list[str] = []
    size = _TITLE_SIZES[-1]
    for size in _TITLE_SIZES:
        lines, cut = wrap_text(title, True, size, [inner_width], 3, language=language, emoji=True)
        if not cut and len(lines) * _line_height(size) <= room:
            break
    else:
        max_lines = max(1, min(3, room // _line_height(size)))
        lines, _cut = wrap_text(
            title,
            True,
            size,
            [inner_width],
            max_lines,
            language=language,
            emoji=True,
        )

    title_measure = MixedMeasure(font(True, size), size, bold=True)
    block = len(lines) * _line_height(size) + place_height
    y = (card.height - block) // 2
    for line in lines:
        width = round(title_measure.getlength(line))
        draw_mixed(tile, ((card.width - width) // 2, y), line, title_measure, INK)
        y += _line_height(size)
    if place_height:
        pin_width = 18
        place_line = single_line(
            place, False, _PLACE_SIZE, inner_width - pin_width - 10, emoji=True
        )
        place_measure = MixedMeasure(font(False, _PLACE_SIZE), _PLACE_SIZE)
        width = pin_width + 10 + round(place_measure.getlength(place_line))
        x = (card.width - width) // 2
        draw_pin(draw, x, y + 8, MUTED_INK)
        draw_mixed(tile, (x + pin_width + 10, y + 4), place_line, place_measure, MUTED_INK)
    # A thin frame keeps the white card apart from the pale quadrants on bright screens.
    draw.rounded_rectangle(
        (0, 0, card.width - 1, card.height - 1), radius=28, outline=(222, 216, 205), width=3
    )
    centre = ((card.x0 + card.x1) // 2, (card.y0 + card.y1) // 2)
    paste_with_shadow(canvas, tile, centre, radius=28, tilt=0, offset=(0, 8))


def render_board(board: BoardPicture, *, language: str = "nl") -> bytes:
    """Draw the board as a 1080x1350 PNG and return its bytes.

    Only the newest few notes per quadrant are looked at, so the cost does not grow with the
    number of notes. Any text is accepted: characters the font cannot draw are left out, and
    what does not fit is cut with "…".
    """
    labels = _LABELS[label_language(language)]
    canvas = Image.new("RGB", (BOARD_WIDTH, BOARD_HEIGHT), CANVAS)
    for index, quadrant in enumerate(_LAYOUT):
        shown = list(itertools.islice(board.notes.get(quadrant.key, ()), MAX_NOTES_PER_QUADRANT))
        count = board.counts.get(quadrant.key, len(shown))
        _draw_quadrant(canvas, quadrant, shown, count, labels, index)
    _draw_card(canvas, board.title, board.place, labels.language)
    return png_bytes(canvas)
