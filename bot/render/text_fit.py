"""Make any text drawable and fit it to a width: clean, wrap, hyphenate, shrink, cut with "…".

Residents type anything (emoji, right-to-left scripts, control characters, novels); every
picture and PDF shows it by the same rules, so a note reads the same on the board, the
poster and the chart. Lines break between words; a word breaks only at a hyphenation point
(with a hyphen), unless it is longer than a whole line and has none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Protocol

from bot.render.emoji import MixedMeasure, breaks_inside_emoji, segments
from bot.render.hyphens import hyphenate
from bot.render.typeface import Font, drawable_code_points, font

# Beyond this many characters a text can never fit its box, so the rest is not even looked
# at: a 5,000-character note costs as much as a 600-character one.
TEXT_BUDGET = 600

# Control and format characters (zero-width joiners, bidi overrides) reorder or hide the
# text around them, lone surrogates are not text at all, and private-use characters draw as
# boxes; none of them carries meaning in a picture (inside an emoji they are kept).
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})

# Trailing punctuation that would look odd right before "…".
_BEFORE_ELLIPSIS = " ,;:.-–—"

# A line this full takes the next word whole onto the next line rather than hyphenating it;
# a line emptier than this would leave a gap, so the word is split at a hyphenation point.
_FULL_ENOUGH = 0.5


class Measure(Protocol):
    """Anything that says how wide a text is: a Pillow font, or one with emoji beside it."""

    def getlength(self, text: str, /) -> float: ...


def clean_text(text: str, bold: bool, *, emoji: bool = False) -> tuple[str, bool]:
    """Make text drawable: keep line breaks, collapse spaces, leave out undrawable characters.

    With emoji, emoji the colour emoji font can draw are kept whole (see bot.render.emoji).
    Returns the text and whether it was cut at the budget.
    """
    cut = len(text) > TEXT_BUDGET
    text = unicodedata.normalize("NFC", text[:TEXT_BUDGET])
    drawable = drawable_code_points(bold)
    out: list[str] = []
    runs = segments(text, bold) if emoji else iter([(text, False)])
    for run, is_emoji in runs:
        if is_emoji:
            out.append(run)
            continue
        for char in run:
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


def fits(font: Measure, text: str, width: float) -> bool:
    """Say whether text in font is at most width wide."""
    return font.getlength(text) <= width


def longest_prefix(font: Measure, word: str, width: float) -> int:
    """Return how many leading characters of word fit width: at least one, so text advances."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(font, word[:middle], width):
            low = middle
        else:
            high = middle - 1
    # Keep accents and other combining marks with the letter they sit on, and an emoji whole.
    while (
        low > 1
        and low < len(word)
        and (unicodedata.combining(word[low]) or breaks_inside_emoji(word, low))
    ):
        low -= 1
    return low


def with_ellipsis(font: Measure, line: str, width: float) -> str:
    """Shorten line until it fits width with "…" after it, so a cut never goes unnoticed."""
    line = line.rstrip(_BEFORE_ELLIPSIS)
    while line and not fits(font, line + "…", width):
        line = line[:-1].rstrip(_BEFORE_ELLIPSIS)
    return line + "…"


def wrap_lines(
    text: str,
    font: Measure,
    widths: Sequence[float],
    max_lines: int,
    language: str = "nl",
    *,
    fill_gaps: bool = False,
) -> tuple[list[str], bool]:
    """Wrap cleaned text to at most max_lines lines, between words or at hyphenation points.

    Line i is at most widths[i] wide (the last width holds for the lines after it), which
    lets a marker take room from the first line only. A word that does not fit the rest of
    a line moves to the next one whole, or (when that would leave the line mostly empty and
    fill_gaps, or the word is wider than a line) breaks at a hyphenation point of language;
    only a word with no point that fits is cut where the line ends. Returns the lines and
    whether text was left out; the last line then ends in "…".
    """

    def width(index: int) -> float:
        return widths[min(index, len(widths) - 1)]

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if fits(font, candidate, width(len(lines))):
                line = candidate
                continue
            if line:
                room = width(len(lines))
                used = font.getlength(line + " ")
                piece = None
                if fill_gaps and used < room * _FULL_ENOUGH:
                    piece = hyphenate(word, room - used, font.getlength, language)
                if piece is not None:
                    lines.append(f"{line} {piece[0]}")
                    word = piece[1]
                else:
                    lines.append(line)
            while len(lines) <= max_lines and not fits(font, word, width(len(lines))):
                room = width(len(lines))
                piece = hyphenate(word, room, font.getlength, language)
                if not lines and width(1) > room and (piece is None or fits(font, word, width(1))):
                    # A narrowed first line (beside a marker) stays empty rather than take a
                    # cut piece of a word, or a piece of one that fits whole on the next line.
                    lines.append("")
                    continue
                if piece is not None:
                    lines.append(piece[0])
                    word = piece[1]
                    continue
                keep = longest_prefix(font, word, room)
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
        kept[-1] = with_ellipsis(font, kept[-1], width(max_lines - 1))
        return kept, True
    return lines, False


def wrap_measured(
    text: str,
    bold: bool,
    measure: Measure,
    widths: Sequence[float],
    max_lines: int,
    *,
    language: str = "nl",
    emoji: bool = False,
    fill_gaps: bool = False,
) -> tuple[list[str], bool]:
    """Clean and wrap any text as measured by measure; say whether text was cut.

    The poster measures with a font of its own (in print metrics), so the font is given;
    bold still chooses which characters count as drawable, emoji whether emoji stay.
    """
    cleaned, budget_cut = clean_text(text, bold, emoji=emoji)
    if max_lines < 1 or not cleaned:
        return [], budget_cut
    lines, cut = wrap_lines(cleaned, measure, widths, max_lines, language, fill_gaps=fill_gaps)
    if budget_cut and not cut:
        last = len(lines) - 1
        lines[last] = with_ellipsis(measure, lines[last], widths[min(last, len(widths) - 1)])
    return lines, cut or budget_cut


def text_measure(bold: bool, size: int, *, emoji: bool = False) -> Measure:
    """Return what measures text in the shipped font at size, with colour emoji if asked."""
    return MixedMeasure(font(bold, size), size, bold) if emoji else font(bold, size)


def wrap_text(
    text: str,
    bold: bool,
    size: int,
    widths: Sequence[float],
    max_lines: int,
    *,
    language: str = "nl",
    emoji: bool = False,
    fill_gaps: bool = False,
) -> tuple[list[str], bool]:
    """Clean and wrap any text in the shipped font at size; say whether text was cut.

    A narrow sticky note passes fill_gaps=True: there a hyphen reads better than a half-empty
    line; a title or a poster keeps its words whole unless one is wider than a line.
    """
    measure = text_measure(bold, size, emoji=emoji)
    return wrap_measured(
        text,
        bold,
        measure,
        widths,
        max_lines,
        language=language,
        emoji=emoji,
        fill_gaps=fill_gaps,
    )


def single_line(text: str, bold: bool, size: int, width: float, *, emoji: bool = False) -> str:
    """Return text on one line of at most width, cut with "…" when it is longer."""
    lines, _cut = wrap_text(text.replace("\n", " "), bold, size, [width], 1, emoji=emoji)
    return lines[0] if lines else ""


def fitted_font(text: str, bold: bool, size: int, minimum: int, width: float) -> tuple[Font, int]:
    """Return the largest font (and its size) from size down to minimum in which text fits.

    Below minimum text stops being legible on a phone, so then minimum comes back anyway.
    """
    for candidate in range(size, minimum - 1, -2):
        candidate_font = font(bold, candidate)
        if fits(candidate_font, text, width):
            return candidate_font, candidate
    return font(bold, minimum), minimum


def is_right_to_left(lines: Sequence[str]) -> bool:
    """Say whether the first letter with a direction is Hebrew or Arabic, to align right."""
    for line in lines:
        for char in line:
            direction = unicodedata.bidirectional(char)
            if direction in ("R", "AL"):
                return True
            if direction == "L":
                return False
    return False
