"""Draw how a theme is growing along the four B's, as one square PNG for a phone.

What counts for each of the four B's is bot/village/progress.py's. Each B gets a panel with
big numbers; the notes on the board also get one bar per quadrant. The picture shows counts
only, never a grade: an empty theme looks just as tidy as a busy one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bot.core.i18n import number, plain

# The same fonts, text rules and quadrant colours as the brainstorm board, so both match.
from bot.render.drawing import Box, png_bytes
from bot.render.emoji import MixedMeasure, draw_mixed
from bot.render.palette import (
    BAND,
    CANVAS,
    INK,
    MUTED_INK,
    QUADRANT_PALETTES,
    QUADRANTS,
    RGB,
    WHITE,
    blend,
)
from bot.render.text_fit import fitted_font, wrap_text
from bot.render.typeface import font
from bot.render.wording import label_language, quadrant_name
from bot.village.progress import Progress

CHART_SIZE = 1080


@dataclass(frozen=True)
class _Labels:
    language: str
    kicker: str
    names: tuple[str, str, str, str]
    new_this_week: str
    decimal: str
    millions: str


_LABELS: Mapping[str, _Labels] = {
    "nl": _Labels(
        language="nl",
        kicker="Zo groeit het thema",
        names=("Betrokken", "Bewust", "Beschikbaar", "Bekwaam"),
        new_this_week="+{n} nieuw deze week",
        decimal=",",
        millions="{n} mln",
    ),
    "en": _Labels(
        language="en",
        kicker="How the theme is growing",
        names=("Involved", "Aware", "Available", "Capable"),
        new_this_week="+{n} new this week",
        decimal=".",
        millions="{n}M",
    ),
}

_CARD_EDGE: RGB = (228, 221, 209)
_TRACK: RGB = (238, 234, 226)
# One colour per B, dark enough for text on white.
_ACCENTS: tuple[RGB, RGB, RGB, RGB] = (
    BAND,
    (40, 92, 158),
    (36, 122, 82),
    (118, 68, 150),
)

_MARGIN = 40
_GAP = 24
_HEADER_BOTTOM = 204
_PANEL_PAD = 32
_NAME_SIZE = 42
_LABEL_SIZE = 30
_BAR_LABEL_SIZE = 28
# The smallest text still readable when the picture fills a phone screen about 380 pt wide.
_MIN_TEXT_SIZE = 24


def _count(value: int) -> int:
    # Counts come from the database; a negative one would be a bug, not something to draw.
    return max(0, value)


def _number(value: int, labels: _Labels) -> str:
    value = _count(value)
    if value < 1_000_000:
        return number(labels.language, value)
    # Millions only happen with broken input, but must still fit a panel.
    tenths = min(value, 999_999_999) // 100_000
    whole, tenth = divmod(tenths, 10)
    text = f"{whole}{labels.decimal}{tenth}" if whole < 100 else str(whole)
    return labels.millions.format(n=text)


def _plural(value: int, key: str, labels: _Labels) -> str:
    """The words under a count, from the catalog's chart.* plural entries."""
    return plain(labels.language, f"chart.{key}", count=_count(value))


def _lines(text: str, bold: bool, size: int, width: float, max_lines: int) -> list[str]:
    """Wrap a label; a cut one already ends in "…", so whether it was cut does not matter."""
    return wrap_text(text, bold, size, [width], max_lines)[0]


def _cap_height(size: int) -> int:
    # DejaVu's digits and capitals stand about 0.73 em above the baseline.
    return round(size * 0.73)


def _panels() -> tuple[Box, Box, Box, Box]:
    width = (CHART_SIZE - 2 * _MARGIN - _GAP) // 2
    height = (CHART_SIZE - _MARGIN - _HEADER_BOTTOM - _GAP) // 2
    boxes = []
    for index in range(4):
        x0 = _MARGIN + (index % 2) * (width + _GAP)
        y0 = _HEADER_BOTTOM + (index // 2) * (height + _GAP)
        boxes.append(Box(x0, y0, x0 + width, y0 + height))
    return boxes[0], boxes[1], boxes[2], boxes[3]


def _draw_header(canvas: Image.Image, title: str, labels: _Labels) -> None:
    draw = ImageDraw.Draw(canvas)
    width = CHART_SIZE - 2 * _MARGIN
    draw.text((_MARGIN, 44), labels.kicker, font=font(True, 30), fill=MUTED_INK, anchor="lt")
    # A short title stands big on one line; a long one gets two smaller lines, cut below that.
    size = 30
    lines: list[str] = []
    for size in range(56, 29, -4):
        lines, cut = wrap_text(
            title, True, size, [width], 1 if size >= 44 else 2, language=labels.language, emoji=True
        )
        if not cut:
            break
    line_height = round(size * 1.18)
    measure = MixedMeasure(font(True, size), size, bold=True)
    for index, line in enumerate(lines):
        # The theme's own emoji (🌳 in "Groen dorp 🌳") are drawn in colour.
        draw_mixed(canvas, (_MARGIN, 94 + index * line_height), line, measure, INK)


def _draw_card(canvas: Image.Image, box: Box, accent: RGB, name: str) -> ImageDraw.ImageDraw:
    draw = ImageDraw.Draw(canvas)
    shape = (box.x0, box.y0, box.x1 - 1, box.y1 - 1)
    draw.rounded_rectangle(shape, radius=28, fill=WHITE, outline=_CARD_EDGE, width=2)
    # A strip of the B's colour along the top, cut by the card's own rounded corners.
    mask = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(shape, radius=28, fill=255)
    strip = (box.x0, box.y0, box.x1, box.y0 + 12)
    canvas.paste(accent, strip, mask.crop(strip))
    name_font, _size = fitted_font(
        name, True, _NAME_SIZE, _MIN_TEXT_SIZE, box.width - 2 * _PANEL_PAD
    )
    draw.text((box.x0 + _PANEL_PAD, box.y0 + 34), name, font=name_font, fill=accent, anchor="lt")
    return draw


def _draw_stats(
    draw: ImageDraw.ImageDraw,
    x: int,
    baselines: Sequence[int],
    width: int,
    stats: Sequence[tuple[str, str]],
    number_size: int,
) -> None:
    """Draw big numbers with their labels beside them, the labels in one column.

    The labels wrap to the room the widest number leaves, which is at least enough for a
    short word: a huge number shrinks rather than squeezing its label out.
    """
    label_room_min = 230
    fonts = [
        fitted_font(value, True, number_size, 40, width - label_room_min - 16) for value, _ in stats
    ]
    label_x = (
        x
        + max(
            round(number_font.getlength(value))
            for (number_font, _), (value, _) in zip(fonts, stats, strict=True)
        )
        + 18
    )
    room = x + width - label_x
    line_height = round(_LABEL_SIZE * 1.2)
    for baseline, (number_font, size), (value, label) in zip(baselines, fonts, stats, strict=True):
        draw.text((x, baseline), value, font=number_font, fill=INK, anchor="ls")
        lines = _lines(label, False, _LABEL_SIZE, room, 2)
        # Centre the label on the digits rather than on the whole line box.
        middle = baseline - _cap_height(size) // 2
        first = middle - (len(lines) - 1) * line_height // 2 + _cap_height(_LABEL_SIZE) // 2
        for index, line in enumerate(lines):
            draw.text(
                (label_x, first + index * line_height),
                line,
                font=font(False, _LABEL_SIZE),
                fill=MUTED_INK,
                anchor="ls",
            )


def _draw_involved(
    canvas: Image.Image, box: Box, progress: Progress, labels: _Labels, accent: RGB
) -> None:
    draw = _draw_card(canvas, box, accent, labels.names[0])
    x = box.x0 + _PANEL_PAD
    width = box.width - 2 * _PANEL_PAD
    value = _number(progress.involved, labels)
    number_font, _size = fitted_font(value, True, 150, 60, width)
    baseline = box.y0 + 118 + _cap_height(150)
    draw.text((x, baseline), value, font=number_font, fill=INK, anchor="ls")
    label = _plural(progress.involved, "residents", labels)
    for index, line in enumerate(_lines(label, False, _LABEL_SIZE, width, 2)):
        draw.text(
            (x, baseline + 50 + index * 36),
            line,
            font=font(False, _LABEL_SIZE),
            fill=MUTED_INK,
            anchor="ls",
        )

    new = _count(progress.involved_new_this_week)
    pill = labels.new_this_week.format(n=_number(new, labels))
    pill_font, _size = fitted_font(pill, True, _BAR_LABEL_SIZE, _MIN_TEXT_SIZE, width - 40)
    pill_width = round(pill_font.getlength(pill)) + 40
    top = box.y1 - _PANEL_PAD - 56
    fill = blend(accent, WHITE, 0.86) if new else _TRACK
    ink = accent if new else MUTED_INK
    draw.rounded_rectangle((x, top, x + pill_width, top + 56), radius=28, fill=fill)
    draw.text((x + 20, top + 28), pill, font=pill_font, fill=ink, anchor="lm")


def _draw_aware(
    canvas: Image.Image, box: Box, progress: Progress, labels: _Labels, accent: RGB
) -> None:
    draw = _draw_card(canvas, box, accent, labels.names[1])
    x = box.x0 + _PANEL_PAD
    width = box.width - 2 * _PANEL_PAD
    counts = [_count(progress.notes_per_quadrant.get(key, 0)) for key in QUADRANTS]
    total = sum(counts)
    stat = (_number(total, labels), _plural(total, "notes", labels))
    _draw_stats(draw, x, [box.y0 + 104 + _cap_height(84)], width, [stat], 84)

    names = [quadrant_name(labels.language, key) for key in QUADRANTS]
    numbers = [_number(count, labels) for count in counts]
    label_font = font(False, _BAR_LABEL_SIZE)
    count_font = font(True, _BAR_LABEL_SIZE)
    label_width = max(round(label_font.getlength(name)) for name in names) + 16
    count_width = max(round(count_font.getlength(number)) for number in numbers)
    bar_x0 = x + label_width
    bar_x1 = x + width - count_width - 14
    largest = max(counts)
    row = 46
    top = box.y1 - _PANEL_PAD - 4 * row + 8
    for index, key in enumerate(QUADRANTS):
        middle = top + index * row + row // 2
        draw.text((x, middle), names[index], font=label_font, fill=INK, anchor="lm")
        draw.rounded_rectangle((bar_x0, middle - 12, bar_x1, middle + 12), radius=12, fill=_TRACK)
        if counts[index]:
            # Any note at all shows as at least a round dot, so "1" never looks like "0".
            length = max(24, round((bar_x1 - bar_x0) * counts[index] / largest))
            palette = QUADRANT_PALETTES[key]
            draw.rounded_rectangle(
                (bar_x0, middle - 12, bar_x0 + length, middle + 12),
                radius=12,
                fill=blend(palette.note_edge, palette.ink, 0.25),
            )
        draw.text((x + width, middle), numbers[index], font=count_font, fill=INK, anchor="rm")


def _draw_two_stats(
    canvas: Image.Image,
    box: Box,
    labels: _Labels,
    accent: RGB,
    name: str,
    stats: tuple[tuple[int, str], tuple[int, str]],  # (count, chart.* key)
) -> None:
    draw = _draw_card(canvas, box, accent, name)
    x = box.x0 + _PANEL_PAD
    width = box.width - 2 * _PANEL_PAD
    # Two rows share the room below the name; each row is a big number with its label.
    room_top = box.y0 + 100
    row = (box.y1 - _PANEL_PAD - room_top) // 2
    baselines = [room_top + index * row + (row + _cap_height(104)) // 2 for index in range(2)]
    shown = [(_number(value, labels), _plural(value, key, labels)) for value, key in stats]
    _draw_stats(draw, x, baselines, width, shown, 104)


def render_progress_chart(progress: Progress, *, language: str = "nl") -> bytes:
    """Draw the four B's of a theme as a 1080x1080 PNG and return its bytes."""
    labels = _LABELS[label_language(language)]
    canvas = Image.new("RGB", (CHART_SIZE, CHART_SIZE), CANVAS)
    _draw_header(canvas, progress.title, labels)
    involved, aware, available, capable = _panels()
    _draw_involved(canvas, involved, progress, labels, _ACCENTS[0])
    _draw_aware(canvas, aware, progress, labels, _ACCENTS[1])
    _draw_two_stats(
        canvas,
        available,
        labels,
        _ACCENTS[2],
        labels.names[2],
        ((progress.tables, "tables"), (progress.commitments, "commitments")),
    )
    _draw_two_stats(
        canvas,
        capable,
        labels,
        _ACCENTS[3],
        labels.names[3],
        ((progress.examples, "examples"), (progress.moments_held, "moments")),
    )
    return png_bytes(canvas)
