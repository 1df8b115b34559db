"""Draw the brainstorm board as one portrait PNG that stays legible on a phone.

The board has four quadrants (wishes, examples, possibilities, questions) in a 2x2 grid with
the theme on a card in the middle, overlapping all four, the way a paper brainstorm board
looks. Each quadrant shows at most a handful of the newest notes as sticky notes and says how
many more there are: the picture summarises, it never overflows.
"""

from __future__ import annotations

import io
import itertools
import struct
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from PIL import Image, ImageDraw, ImageFilter, ImageFont

BOARD_WIDTH = 1080
BOARD_HEIGHT = 1350
QUADRANTS: tuple[str, ...] = ("wish", "example", "possibility", "question")
MAX_NOTES_PER_QUADRANT = 6

# Beyond this many characters a note can never fit a sticky note, so the rest is not even
# looked at: a 5,000-character note costs as much as a 600-character one.
_TEXT_BUDGET = 600

_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
_RGB = tuple[int, int, int]


@dataclass(frozen=True)
class StickyNote:
    """One note on the board: its text and whether it came in as text, photo or voice."""

    text: str
    kind: str = "text"  # "text" | "photo" | "voice"


@dataclass(frozen=True)
class BoardPicture:
    """Everything the board picture shows; notes per quadrant come newest first."""

    title: str
    place: str
    notes: Mapping[str, Sequence[StickyNote]]
    counts: Mapping[str, int]


@dataclass(frozen=True)
class _Labels:
    headings: Mapping[str, str]
    more: str
    empty: str
    photo: str
    voice: str
    thousands: str


_LABELS: Mapping[str, _Labels] = {
    "nl": _Labels(
        headings={
            "wish": "Wensen",
            "example": "Voorbeelden",
            "possibility": "Mogelijkheden",
            "question": "Vragen",
        },
        more="+ {n} meer",
        empty="Nog leeg",
        photo="foto",
        voice="spraak",
        thousands=".",
    ),
    "en": _Labels(
        headings={
            "wish": "Wishes",
            "example": "Examples",
            "possibility": "Possibilities",
            "question": "Questions",
        },
        more="+ {n} more",
        empty="Still empty",
        photo="photo",
        voice="voice",
        thousands=",",
    ),
}


@dataclass(frozen=True)
class _Palette:
    background: _RGB
    note: _RGB
    note_edge: _RGB
    ink: _RGB


_PALETTES: Mapping[str, _Palette] = {
    "wish": _Palette((252, 228, 234), (255, 204, 217), (246, 178, 196), (163, 41, 79)),
    "example": _Palette((224, 238, 251), (191, 221, 251), (160, 200, 242), (31, 92, 153)),
    "possibility": _Palette((227, 243, 224), (200, 236, 190), (168, 218, 156), (46, 115, 50)),
    "question": _Palette((255, 241, 214), (255, 226, 140), (244, 204, 96), (150, 88, 0)),
}
_BOARD_BACKGROUND: _RGB = (247, 244, 238)
_TEXT_INK: _RGB = (43, 43, 51)
_MUTED_INK: _RGB = (107, 107, 120)
_SHADOW: _RGB = (60, 45, 30)

# Small fixed tilts make the notes look stuck on by hand; fixed so the same board always
# gives the same picture.
_TILTS = (-1.2, 0.9, 0.5, -0.8, 1.1, -0.4, 0.7, -1.0, 0.3)


@dataclass(frozen=True)
class _Box:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


# Geometry. The middle card overlaps the inner corners of all four quadrants; the top
# quadrants put their "+ N meer" line beside it, the bottom ones their heading.
_GUTTER = 10
_PAD = 24
_MID_X = BOARD_WIDTH // 2
_MID_Y = BOARD_HEIGHT // 2
_CARD = _Box(_MID_X - 195, _MID_Y - 115, _MID_X + 195, _MID_Y + 115)
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
    panel: _Box
    right: bool  # mirrored: text hugs the board's outer (right) edge
    heading_top: int
    notes: _Box
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
        panel = _Box(x0, y0, x1, y1)
        beside_card = (x1 - _PAD - _CARD.x1 if right else _CARD.x0 - x0 - _PAD) - _CARD_CLEARANCE
        full = x1 - x0 - 2 * _PAD
        heading_top = y0 + 18
        if bottom:
            notes = _Box(x0 + _PAD, _CARD.y1 + _CARD_CLEARANCE, x1 - _PAD, y1 - 70)
            footer_middle = y1 - 36
            heading_room, footer_room = beside_card, full
        else:
            notes = _Box(x0 + _PAD, y0 + 86, x1 - _PAD, _CARD.y0 - _CARD_CLEARANCE)
            footer_middle = (_CARD.y0 + y1) // 2
            heading_room, footer_room = full, beside_card
        out.append(
            _Quadrant(
                key, panel, right, heading_top, notes, footer_middle, heading_room, footer_room
            )
        )
    return tuple(out)


_LAYOUT = _quadrants()


# --- fonts -------------------------------------------------------------------------------

_FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}


@cache
def _font_bytes(bold: bool) -> bytes | None:
    try:
        return resources.files("bot.render").joinpath("fonts", _FONT_FILES[bold]).read_bytes()
    except (OSError, ModuleNotFoundError):
        return None


@cache
def _shipped_font(bold: bool, size: int) -> ImageFont.FreeTypeFont | None:
    data = _font_bytes(bold)
    if data is None:
        return None
    try:
        return ImageFont.truetype(io.BytesIO(data), size)
    except OSError:
        return None


@cache
def _font(bold: bool, size: int) -> _Font:
    shipped = _shipped_font(bold, size)
    if shipped is not None:
        return shipped
    # A package installed without its font still gets a picture, just a plainer one.
    return ImageFont.load_default(size=size)


@cache
def _drawable(bold: bool) -> frozenset[int] | None:
    """Return the code points the font has glyphs for, or None when that is unknown."""
    data = _font_bytes(bold)
    if data is not None and _shipped_font(bold, _FOOTER_SIZE) is not None:
        return _cmap_code_points(data)
    if isinstance(_font(bold, _FOOTER_SIZE), ImageFont.FreeTypeFont):
        return None
    # Without FreeType Pillow falls back to a bitmap font that only knows Latin-1.
    return frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x100))


def _cmap_code_points(data: bytes) -> frozenset[int] | None:
    """Read the code points a TrueType font maps to real glyphs from its cmap table.

    Pillow has no API to ask whether a font has a glyph, and missing glyphs draw as empty
    boxes; knowing the cmap lets emoji and unknown scripts be left out instead.
    """
    try:
        (num_tables,) = struct.unpack_from(">H", data, 4)
        cmap = None
        for i in range(num_tables):
            tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            if tag == b"cmap":
                cmap = offset
        if cmap is None:
            return None
        _version, count = struct.unpack_from(">HH", data, cmap)
        subtables: dict[tuple[int, int], int] = {}
        for i in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
            subtables[(platform, encoding)] = cmap + offset
        for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
            start = subtables.get(key)
            if start is None:
                continue
            (fmt,) = struct.unpack_from(">H", data, start)
            if fmt == 12:
                return _cmap_format_12(data, start)
            if fmt == 4:
                return _cmap_format_4(data, start)
        return None
    except struct.error:
        return None


def _cmap_format_4(data: bytes, start: int) -> frozenset[int]:
    (seg_x2,) = struct.unpack_from(">H", data, start + 6)
    segments = seg_x2 // 2
    ends = start + 14
    starts = ends + seg_x2 + 2
    deltas = starts + seg_x2
    range_offsets = deltas + seg_x2
    points: set[int] = set()
    for i in range(segments):
        (last,) = struct.unpack_from(">H", data, ends + 2 * i)
        (first,) = struct.unpack_from(">H", data, starts + 2 * i)
        (delta,) = struct.unpack_from(">H", data, deltas + 2 * i)
        where = range_offsets + 2 * i
        (range_offset,) = struct.unpack_from(">H", data, where)
        for code in range(first, min(last, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                (glyph,) = struct.unpack_from(">H", data, where + range_offset + 2 * (code - first))
            if glyph:
                points.add(code)
    return frozenset(points)


def _cmap_format_12(data: bytes, start: int) -> frozenset[int]:
    (groups,) = struct.unpack_from(">I", data, start + 12)
    points: set[int] = set()
    for i in range(groups):
        first, last, glyph = struct.unpack_from(">III", data, start + 16 + 12 * i)
        last = min(last, 0x10FFFF)
        points.update(range(first + 1 if glyph == 0 else first, last + 1))
    return frozenset(points)


# --- text --------------------------------------------------------------------------------

# Control and format characters (zero-width joiners, bidi overrides) reorder or hide the
# text around them, lone surrogates are not text at all, and private-use characters draw as
# boxes; none of them carries meaning on a sticky note.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _clean(text: str, bold: bool) -> tuple[str, bool]:
    """Make text drawable: keep line breaks, collapse spaces, leave out undrawable characters.

    Returns the text and whether it was cut at the budget.
    """
    cut = len(text) > _TEXT_BUDGET
    text = unicodedata.normalize("NFC", text[:_TEXT_BUDGET])
    drawable = _drawable(bold)
    out: list[str] = []
    for char in text:
        if char == "\n":
            out.append("\n")
        elif char.isspace():
            out.append(" ")
        elif unicodedata.category(char) in _DROPPED_CATEGORIES:
            continue
        elif drawable is None or ord(char) in drawable:
            out.append(char)
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line), cut


def _fits(font: _Font, text: str, width: float) -> bool:
    return font.getlength(text) <= width


def _longest_prefix(font: _Font, word: str, width: float) -> int:
    """Return how many leading characters of word fit width: at least one, so text advances."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if _fits(font, word[:middle], width):
            low = middle
        else:
            high = middle - 1
    # Keep accents and other combining marks with the letter they sit on.
    while low > 1 and low < len(word) and unicodedata.combining(word[low]):
        low -= 1
    return low


def _with_ellipsis(font: _Font, line: str, width: float) -> str:
    line = line.rstrip(" ,;:.-–—")
    while line and not _fits(font, line + "…", width):
        line = line[:-1].rstrip(" ,;:.-–—")
    return line + "…"


def _wrap(
    text: str, font: _Font, widths: Sequence[float], max_lines: int
) -> tuple[list[str], bool]:
    """Wrap cleaned text to at most max_lines lines, breaking over-long words.

    Line i is at most widths[i] wide (the last width holds for the lines after it), which
    lets a marker take room from the first line only. Returns the lines and whether text was
    left out; the last line then ends in "…".
    """

    def width(index: int) -> float:
        return widths[min(index, len(widths) - 1)]

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if _fits(font, candidate, width(len(lines))):
                line = candidate
                continue
            if line:
                lines.append(line)
            while len(lines) <= max_lines and not _fits(font, word, width(len(lines))):
                keep = _longest_prefix(font, word, width(len(lines)))
                lines.append(word[:keep])
                word = word[keep:]
            line = word
            if len(lines) > max_lines:
                break
        if line:
            lines.append(line)
        if len(lines) > max_lines:
            break
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = _with_ellipsis(font, kept[-1], width(max_lines - 1))
        return kept, True
    return lines, False


def _wrap_text(
    text: str, bold: bool, size: int, widths: Sequence[float], max_lines: int
) -> tuple[list[str], bool]:
    cleaned, budget_cut = _clean(text, bold)
    if max_lines < 1 or not cleaned:
        return [], budget_cut
    font = _font(bold, size)
    lines, cut = _wrap(cleaned, font, widths, max_lines)
    if budget_cut and not cut:
        last = len(lines) - 1
        lines[last] = _with_ellipsis(font, lines[last], widths[min(last, len(widths) - 1)])
    return lines, cut or budget_cut


def _is_right_to_left(lines: Sequence[str]) -> bool:
    for line in lines:
        for char in line:
            direction = unicodedata.bidirectional(char)
            if direction in ("R", "AL"):
                return True
            if direction == "L":
                return False
    return False


def _fitted_font(text: str, bold: bool, size: int, width: float) -> _Font:
    """Return the largest font, down to a legible minimum, in which text fits width."""
    for candidate in range(size, _HEADING_MIN_SIZE - 1, -2):
        font = _font(bold, candidate)
        if _fits(font, text, width):
            return font
    return _font(bold, _HEADING_MIN_SIZE)


def _single_line(text: str, bold: bool, size: int, width: float) -> str:
    lines, _cut = _wrap_text(text.replace("\n", " "), bold, size, [width], 1)
    return lines[0] if lines else ""


def _line_height(size: int) -> int:
    return round(size * 1.2)


# --- drawing -----------------------------------------------------------------------------


def _paste_with_shadow(
    canvas: Image.Image,
    tile: Image.Image,
    centre: tuple[int, int],
    radius: int,
    tilt: float,
    offset: tuple[int, int] = (3, 6),
) -> None:
    """Paste an opaque rounded tile with a soft drop shadow, turned by tilt degrees."""
    margin = 18
    width, height = tile.size
    layer = Image.new("RGBA", (width + 2 * margin, height + 2 * margin), (*_SHADOW, 0))
    shadow = Image.new("L", layer.size, 0)
    ImageDraw.Draw(shadow).rounded_rectangle(
        (
            margin + offset[0],
            margin + offset[1],
            margin + offset[0] + width,
            margin + offset[1] + height,
        ),
        radius=radius,
        fill=70,
    )
    layer.putalpha(shadow.filter(ImageFilter.GaussianBlur(6)))
    mask = Image.new("L", tile.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, fill=255)
    layer.paste(tile, (margin, margin), mask)
    if tilt:
        layer = layer.rotate(tilt, resample=Image.Resampling.BILINEAR, expand=True)
    canvas.paste(layer, (centre[0] - layer.width // 2, centre[1] - layer.height // 2), layer)


def _draw_camera(draw: ImageDraw.ImageDraw, x: int, y: int, ink: _RGB) -> None:
    draw.rounded_rectangle((x, y + 5, x + 26, y + 22), radius=4, fill=ink)
    draw.rectangle((x + 8, y + 2, x + 16, y + 6), fill=ink)
    draw.ellipse((x + 8, y + 8, x + 18, y + 18), fill=(255, 255, 255))
    draw.ellipse((x + 11, y + 11, x + 15, y + 15), fill=ink)


def _draw_microphone(draw: ImageDraw.ImageDraw, x: int, y: int, ink: _RGB) -> None:
    draw.rounded_rectangle((x + 7, y, x + 17, y + 15), radius=5, fill=ink)
    draw.arc((x + 3, y + 4, x + 21, y + 20), start=0, end=180, fill=ink, width=2)
    draw.line((x + 12, y + 20, x + 12, y + 24), fill=ink, width=2)
    draw.line((x + 7, y + 24, x + 17, y + 24), fill=ink, width=2)


def _draw_note(
    canvas: Image.Image,
    box: _Box,
    note: StickyNote,
    palette: _Palette,
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
    if note.kind in ("photo", "voice"):
        # The marker sits top right, so only the first line gives up room for it.
        label = labels.photo if note.kind == "photo" else labels.voice
        label_font = _font(True, _MARKER_SIZE)
        icon = _draw_camera if note.kind == "photo" else _draw_microphone
        marker_width = 26 + 6 + round(label_font.getlength(label))
        x = box.width - pad - marker_width
        icon(draw, x, top + 3, palette.ink)
        draw.text((x + 32, top + 3), label, font=label_font, fill=palette.ink)
        first_width = text_width - marker_width - 12
    line_height = _line_height(size)
    max_lines = (box.height - top - 2) // line_height
    lines, _cut = _wrap_text(note.text, False, size, [first_width, text_width], max_lines)
    font = _font(False, size)
    right_to_left = _is_right_to_left(lines)
    y = top
    for index, line in enumerate(lines):
        x = pad
        if right_to_left:
            room = first_width if index == 0 else text_width
            x = pad + round(room - font.getlength(line))
        draw.text((x, y), line, font=font, fill=_TEXT_INK)
        y += line_height
    centre = ((box.x0 + box.x1) // 2, (box.y0 + box.y1) // 2)
    _paste_with_shadow(canvas, tile, centre, radius=5, tilt=tilt)


def _note_grid(shown: int) -> tuple[int, int, int]:
    """Return columns, rows and text size for a quadrant showing this many notes."""
    if shown <= 2:
        return 1, 2, 30
    if shown == 3:
        return 1, 3, 29
    if shown == 4:
        return 2, 2, 28
    return 2, 3, 26


def _note_boxes(area: _Box, shown: int) -> list[_Box]:
    columns, rows, _size = _note_grid(shown)
    gap = 14
    width = (area.width - gap * (columns - 1)) // columns
    height = (area.height - gap * (rows - 1)) // rows
    boxes = []
    for index in range(shown):
        row, column = divmod(index, columns)
        x0 = area.x0 + column * (width + gap)
        y0 = area.y0 + row * (height + gap)
        boxes.append(_Box(x0, y0, x0 + width, y0 + height))
    if shown == 5:
        # Five notes in a 2x3 grid would leave a hole; the last one takes the whole row.
        last = boxes[-1]
        boxes[-1] = _Box(last.x0, last.y0, area.x1, last.y1)
    return boxes


def _draw_placeholder(draw: ImageDraw.ImageDraw, area: _Box, text: str, ink: _RGB) -> None:
    """Draw a dashed outline of an empty sticky note with a gentle line in it."""
    box = _Box(area.x0 + 40, area.y0 + 30, area.x1 - 40, area.y0 + 30 + area.height // 2)
    dash, gap = 16, 10
    for x in range(box.x0, box.x1, dash + gap):
        end = min(x + dash, box.x1)
        draw.line((x, box.y0, end, box.y0), fill=ink, width=3)
        draw.line((x, box.y1, end, box.y1), fill=ink, width=3)
    for y in range(box.y0, box.y1, dash + gap):
        end = min(y + dash, box.y1)
        draw.line((box.x0, y, box.x0, end), fill=ink, width=3)
        draw.line((box.x1, y, box.x1, end), fill=ink, width=3)
    font = _font(False, 30)
    draw.text(
        ((box.x0 + box.x1) // 2 - round(font.getlength(text)) // 2, (box.y0 + box.y1) // 2 - 18),
        text,
        font=font,
        fill=ink,
    )


def _blend(colour: _RGB, other: _RGB, amount: float) -> _RGB:
    r, g, b = (round(a + (c - a) * amount) for a, c in zip(colour, other, strict=True))
    return (r, g, b)


def _draw_quadrant(
    canvas: Image.Image,
    quadrant: _Quadrant,
    notes: Sequence[StickyNote],
    count: int,
    labels: _Labels,
    quadrant_index: int,
) -> None:
    palette = _PALETTES[quadrant.key]
    draw = ImageDraw.Draw(canvas)
    panel = quadrant.panel
    draw.rounded_rectangle(
        (panel.x0, panel.y0, panel.x1, panel.y1), radius=22, fill=palette.background
    )

    heading = labels.headings[quadrant.key]
    heading_font = _fitted_font(heading, True, _HEADING_SIZE, quadrant.heading_room)
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
        faded = _blend(palette.ink, palette.background, 0.45)
        _draw_placeholder(draw, quadrant.notes, labels.empty, faded)
    if more:
        number = f"{more:,}".replace(",", labels.thousands)
        line = labels.more.format(n=number)
        font = _fitted_font(line, True, _FOOTER_SIZE, quadrant.footer_room)
        width = round(font.getlength(line))
        x = panel.x1 - _PAD - width if quadrant.right else panel.x0 + _PAD
        draw.text(
            (x, quadrant.footer_middle - _FOOTER_SIZE // 2 - 4), line, font=font, fill=palette.ink
        )


def _draw_pin(draw: ImageDraw.ImageDraw, x: int, y: int, ink: _RGB) -> None:
    draw.ellipse((x, y, x + 18, y + 18), fill=ink)
    draw.polygon(((x + 2, y + 13), (x + 16, y + 13), (x + 9, y + 26)), fill=ink)
    draw.ellipse((x + 5, y + 5, x + 13, y + 13), fill=(255, 255, 255))


def _draw_card(canvas: Image.Image, title: str, place: str) -> None:
    card = _CARD
    pad = 24
    tile = Image.new("RGB", (card.width, card.height), (255, 255, 255))
    draw = ImageDraw.Draw(tile)
    inner_width = card.width - 2 * pad
    place_height = _line_height(_PLACE_SIZE) + 6 if place.strip() else 0
    room = card.height - 2 * pad - place_height

    lines: list[str] = []
    size = _TITLE_SIZES[-1]
    for size in _TITLE_SIZES:
        lines, cut = _wrap_text(title, True, size, [inner_width], 3)
        if not cut and len(lines) * _line_height(size) <= room:
            break
    else:
        max_lines = max(1, min(3, room // _line_height(size)))
        lines, _cut = _wrap_text(title, True, size, [inner_width], max_lines)

    font = _font(True, size)
    block = len(lines) * _line_height(size) + place_height
    y = (card.height - block) // 2
    for line in lines:
        width = round(font.getlength(line))
        draw.text(((card.width - width) // 2, y), line, font=font, fill=_TEXT_INK)
        y += _line_height(size)
    if place_height:
        pin_width = 18
        place_line = _single_line(place, False, _PLACE_SIZE, inner_width - pin_width - 10)
        place_font = _font(False, _PLACE_SIZE)
        width = pin_width + 10 + round(place_font.getlength(place_line))
        x = (card.width - width) // 2
        _draw_pin(draw, x, y + 8, _MUTED_INK)
        draw.text((x + pin_width + 10, y + 4), place_line, font=place_font, fill=_MUTED_INK)
    # A thin frame keeps the white card apart from the pale quadrants on bright screens.
    draw.rounded_rectangle(
        (0, 0, card.width - 1, card.height - 1), radius=28, outline=(222, 216, 205), width=3
    )
    centre = ((card.x0 + card.x1) // 2, (card.y0 + card.y1) // 2)
    _paste_with_shadow(canvas, tile, centre, radius=28, tilt=0, offset=(0, 8))


def render_board(board: BoardPicture, *, language: str = "nl") -> bytes:
    """Draw the board as a 1080x1350 PNG and return its bytes.

    Only the newest few notes per quadrant are looked at, so the cost does not grow with the
    number of notes. Any text is accepted: characters the font cannot draw are left out, and
    what does not fit is cut with "…".
    """
    labels = _LABELS["en" if language.lower().startswith("en") else "nl"]
    canvas = Image.new("RGB", (BOARD_WIDTH, BOARD_HEIGHT), _BOARD_BACKGROUND)
    for index, quadrant in enumerate(_LAYOUT):
        shown = list(itertools.islice(board.notes.get(quadrant.key, ()), MAX_NOTES_PER_QUADRANT))
        count = board.counts.get(quadrant.key, len(shown))
        _draw_quadrant(canvas, quadrant, shown, count, labels, index)
    _draw_card(canvas, board.title, board.place)
    out = io.BytesIO()
    # Telegram recompresses photos anyway; a light compression level keeps rendering quick.
    canvas.save(out, format="PNG", compress_level=3)
    return out.getvalue()
