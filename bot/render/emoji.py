"""Colour emoji beside the typeface: found in the text, measured and drawn as small pictures.

Residents put 🌳 and 👵 in their notes; DejaVu Sans has almost none of them. When a colour
emoji font is installed (Debian's fonts-noto-color-emoji, which `.ci/setup` installs), each
emoji (with its skin tone, flag pair or family joined by zero-width joiners) is drawn from it
in colour; without one, text goes on as before and emoji the typeface cannot draw are left
out. Noto Color Emoji is a bitmap font that loads at one size only, so every emoji is drawn
once at that size and scaled to the line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from bot.render.font_cmap import cmap_code_points
from bot.render.typeface import Font, drawable_code_points

# Where Debian and most Linux systems keep the font; BUURTBOT_EMOJI_FONT names another file.
EMOJI_FONT_PATHS = (
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/google-noto-emoji/NotoColorEmoji.ttf",
)
# The family name the PDFs register the emoji font under.
PDF_EMOJI_FAMILY = "Emoji"
# The one pixel size Noto Color Emoji's bitmaps load at.
_STRIKE = 109
# An emoji takes about a letter "M" and a bit: its side and its advance, in text sizes.
_SIDE = 1.05
_ADVANCE = 1.18

_ZWJ = 0x200D
_JOINED = frozenset({0xFE0F, 0xFE0E, 0x20E3})  # presentation selectors and the keycap


def _is_skin_tone(code: int) -> bool:
    return 0x1F3FB <= code <= 0x1F3FF


def _is_regional(code: int) -> bool:
    return 0x1F1E6 <= code <= 0x1F1FF


def _is_tag(code: int) -> bool:
    return 0xE0020 <= code <= 0xE007F


@cache
def emoji_font_path() -> Path | None:
    """Return the colour emoji font to draw with, or None when the machine has none."""
    named = os.environ.get("BUURTBOT_EMOJI_FONT")
    for candidate in (named, *EMOJI_FONT_PATHS) if named else EMOJI_FONT_PATHS:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


@cache
def emoji_font() -> ImageFont.FreeTypeFont | None:
    """Return the colour emoji font at its bitmap size, or None when it is missing or broken."""
    path = emoji_font_path()
    if path is None:
        return None
    try:
        return ImageFont.truetype(str(path), _STRIKE)
    except OSError:
        return None


@cache
def emoji_code_points() -> frozenset[int]:
    """Return the code points the emoji font draws; none without the font."""
    path = emoji_font_path()
    if path is None or emoji_font() is None:
        return frozenset()
    try:
        return cmap_code_points(path.read_bytes()) or frozenset()
    except OSError:
        return frozenset()


def _starts_emoji(
    text: str, index: int, emoji: frozenset[int], plain: frozenset[int] | None
) -> bool:
    """Say whether an emoji starts at index: a picture character, or one asked to be a picture."""
    code = ord(text[index])
    if code not in emoji:
        return False
    following = ord(text[index + 1]) if index + 1 < len(text) else 0
    if following in _JOINED or _is_skin_tone(following):
        return True
    # Digits, # and * are in the emoji font too, but are letters unless a selector follows.
    if code >= 0x1F000:
        return True
    return plain is not None and code not in plain


def _emoji_end(text: str, index: int, emoji: frozenset[int]) -> int:
    """Return where the emoji starting at index ends, with its modifiers and joined parts."""
    end = index + 1
    if _is_regional(ord(text[index])) and end < len(text) and _is_regional(ord(text[end])):
        end += 1
    while end < len(text):
        code = ord(text[end])
        if code in _JOINED or _is_skin_tone(code) or _is_tag(code):
            end += 1
        elif code == _ZWJ and end + 1 < len(text) and ord(text[end + 1]) in emoji:
            end += 2
        else:
            break
    return end


def segments(text: str, bold: bool = False) -> Iterator[tuple[str, bool]]:
    """Split text into runs of letters and single emoji: (run, is_emoji), in order."""
    emoji = emoji_code_points()
    if not emoji:
        if text:
            yield text, False
        return
    plain = drawable_code_points(bold)
    start = index = 0
    while index < len(text):
        if _starts_emoji(text, index, emoji, plain):
            if start < index:
                yield text[start:index], False
            end = _emoji_end(text, index, emoji)
            yield text[index:end], True
            start = index = end
        else:
            index += 1
    if start < len(text):
        yield text[start:], False


def breaks_inside_emoji(text: str, index: int) -> bool:
    """Say whether cutting text at index would split an emoji from its modifiers or joins."""
    if index <= 0 or index >= len(text):
        return False
    code, before = ord(text[index]), ord(text[index - 1])
    if code in _JOINED or _is_skin_tone(code) or _is_tag(code) or code == _ZWJ or before == _ZWJ:
        return True
    if _is_regional(code) and _is_regional(before):
        # Flags come in pairs: an odd number of indicators before this one means mid-flag.
        run = 0
        while index - run - 1 >= 0 and _is_regional(ord(text[index - run - 1])):
            run += 1
        return run % 2 == 1
    return False


def emoji_advance(size: int) -> int:
    """Return how far one emoji moves the pen in text of size."""
    return round(size * _ADVANCE)


@lru_cache(maxsize=512)
def emoji_picture(cluster: str, size: int) -> Image.Image | None:
    """Return one emoji as an RGBA picture for text of size, or None without the font."""
    face = emoji_font()
    if face is None:
        return None
    width = max(1, round(face.getlength(cluster)))
    tile = Image.new("RGBA", (width, round(_STRIKE * 1.25)), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((0, 0), cluster, font=face, embedded_color=True)
    box = tile.getbbox()
    if box is None:
        return None
    side = max(1, round(size * _SIDE))
    # Scaled as one square, so a narrow emoji keeps its shape.
    scale = side / max(tile.width, _STRIKE * 1.17)
    return tile.resize(
        (max(1, round(tile.width * scale)), max(1, round(tile.height * scale))),
        Image.Resampling.LANCZOS,
    )


class MixedMeasure:
    """Measures text with emoji in it as it will be drawn: letters in font, emoji as pictures."""

    def __init__(self, font: Font, size: int, bold: bool = False) -> None:
        self.font = font
        self.size = size
        self.bold = bold

    def getlength(self, text: str, /) -> float:
        """Return the width of text in pixels."""
        return sum(
            emoji_advance(self.size) if is_emoji else self.font.getlength(run)
            for run, is_emoji in segments(text, self.bold)
        )


def draw_mixed(
    image: Image.Image,
    xy: tuple[float, float],
    text: str,
    measure: MixedMeasure,
    fill: tuple[int, int, int],
) -> None:
    """Draw text at xy (its top left): letters in the font, emoji as colour pictures."""
    draw = ImageDraw.Draw(image)
    x, y = xy
    size = measure.size
    for run, is_emoji in segments(text, measure.bold):
        if not is_emoji:
            draw.text((x, y), run, font=measure.font, fill=fill)
            x += measure.font.getlength(run)
            continue
        picture = emoji_picture(run, size)
        if picture is not None:
            gap = (emoji_advance(size) - picture.width) / 2
            image.paste(picture, (round(x + gap), round(y + size * 0.08)), picture)
        x += emoji_advance(size)


def add_pdf_emoji(pdf: FPDF) -> bool:
    """Embed the colour emoji font in pdf as the fallback for what DejaVu lacks, if there is one."""
    path = emoji_font_path()
    if path is None or emoji_font() is None:
        return False
    pdf.add_font(PDF_EMOJI_FAMILY, "", fname=path)
    pdf.set_fallback_fonts([PDF_EMOJI_FAMILY])
    return True
