"""Make any text drawable and fit it to a width: clean, wrap, shrink and cut with "…".

Residents type anything (emoji, right-to-left scripts, control characters, novels); every
picture and PDF shows it by the same rules, so a note reads the same on the board, the
poster and the chart.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.render.typeface import Font, drawable_code_points, font

# Beyond this many characters a text can never fit its box, so the rest is not even looked
# at: a 5,000-character note costs as much as a 600-character one.
TEXT_BUDGET = 600

# Control and format characters (zero-width joiners, bidi overrides) reorder or hide the
# text around them, lone surrogates are not text at all, and private-use characters draw as
# boxes; none of them carries meaning in a picture.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})

# Trailing punctuation that would look odd right before "…".
_BEFORE_ELLIPSIS = " ,;:.-–—"


def clean_text(text: str, bold: bool) -> tuple[str, bool]:
    """Make text drawable: keep line breaks, collapse spaces, leave out undrawable characters.

    Returns the text and whether it was cut at the budget.
    """
    cut = len(text) > TEXT_BUDGET
    text = unicodedata.normalize("NFC", text[:TEXT_BUDGET])
    drawable = drawable_code_points(bold)
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


def fits(font: Font, text: str, width: float) -> bool:
    """Say whether text in font is at most width wide."""
    return font.getlength(text) <= width


def longest_prefix(font: Font, word: str, width: float) -> int:
    """Return how many leading characters of word fit width: at least one, so text advances."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(font, word[:middle], width):
            low = middle
        else:
            high = middle - 1
    # Keep accents and other combining marks with the letter they sit on.
    while low > 1 and low < len(word) and unicodedata.combining(word[low]):
        low -= 1
    return low


def with_ellipsis(font: Font, line: str, width: float) -> str:
    """Shorten line until it fits width with "…" after it, so a cut never goes unnoticed."""
    line = line.rstrip(_BEFORE_ELLIPSIS)
    while line and not fits(font, line + "…", width):
        line = line[:-1].rstrip(_BEFORE_ELLIPSIS)
    return line + "…"


def wrap_lines(
    text: str, font: Font, widths: Sequence[float], max_lines: int
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
            if fits(font, candidate, width(len(lines))):
                line = candidate
                continue
            if line:
                lines.append(line)
            while len(lines) <= max_lines and not fits(font, word, width(len(lines))):
                keep = longest_prefix(font, word, width(len(lines)))
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
    text: str, bold: bool, measure: Font, widths: Sequence[float], max_lines: int
) -> tuple[list[str], bool]:
    """Clean and wrap any text as measured by the font measure; say whether text was cut.

    The poster measures with a font of its own (in print metrics), so the font is given;
    bold still chooses which characters count as drawable.
    """
    cleaned, budget_cut = clean_text(text, bold)
    if max_lines < 1 or not cleaned:
        return [], budget_cut
    lines, cut = wrap_lines(cleaned, measure, widths, max_lines)
    if budget_cut and not cut:
        last = len(lines) - 1
        lines[last] = with_ellipsis(measure, lines[last], widths[min(last, len(widths) - 1)])
    return lines, cut or budget_cut


def wrap_text(
    text: str, bold: bool, size: int, widths: Sequence[float], max_lines: int
) -> tuple[list[str], bool]:
    """Clean and wrap any text in the shipped font at size; say whether text was cut."""
    return wrap_measured(text, bold, font(bold, size), widths, max_lines)


def single_line(text: str, bold: bool, size: int, width: float) -> str:
    """Return text on one line of at most width, cut with "…" when it is longer."""
    lines, _cut = wrap_text(text.replace("\n", " "), bold, size, [width], 1)
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
