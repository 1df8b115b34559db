"""The one typeface every picture and PDF uses: the shipped DejaVu Sans, sized and checked.

Loading it in one place keeps the board, the poster, the chart and the PDFs in the same
letters, and lets a package installed without its font files still draw, just more plainly.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from fpdf import FPDF
from PIL import ImageFont

from bot.render.font_cmap import cmap_code_points

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
# The family name the PDFs register the shipped files under.
PDF_FAMILY = "DejaVu"

# Any size tells whether the file loads; the board draws at this one anyway.
_PROBE_SIZE = 28


def font_file(bold: bool) -> Traversable:
    """Return where the shipped font file lives, for fpdf2, which embeds it from a path."""
    return resources.files("bot.render").joinpath("fonts", FONT_FILES[bold])


@cache
def font_bytes(bold: bool) -> bytes | None:
    """Return the shipped font file's bytes, or None when the package was installed without it."""
    try:
        return font_file(bold).read_bytes()
    except (OSError, ModuleNotFoundError):
        return None


@cache
def shipped_font(bold: bool, size: int) -> ImageFont.FreeTypeFont | None:
    """Return the shipped font at size, or None when it is missing or FreeType is not there."""
    data = font_bytes(bold)
    if data is None:
        return None
    try:
        return ImageFont.truetype(io.BytesIO(data), size)
    except OSError:
        return None


@cache
def font(bold: bool, size: int) -> Font:
    """Return the font to draw with at size: the shipped one, else Pillow's own."""
    shipped = shipped_font(bold, size)
    if shipped is not None:
        return shipped
    # A package installed without its font still gets a picture, just a plainer one.
    return ImageFont.load_default(size=size)


@cache
def drawable_code_points(bold: bool) -> frozenset[int] | None:
    """Return the code points font(bold, …) has glyphs for, or None when that is unknown."""
    data = font_bytes(bold)
    if data is not None and shipped_font(bold, _PROBE_SIZE) is not None:
        return cmap_code_points(data)
    if isinstance(font(bold, _PROBE_SIZE), ImageFont.FreeTypeFont):
        return None
    # Without FreeType Pillow falls back to a bitmap font that only knows Latin-1.
    return frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x100))


def add_pdf_fonts(pdf: FPDF) -> None:
    """Embed the shipped regular and bold files in pdf as PDF_FAMILY "" and "B"."""
    with (
        resources.as_file(font_file(False)) as regular,
        resources.as_file(font_file(True)) as bold,
    ):
        pdf.add_font(PDF_FAMILY, "", fname=regular)
        pdf.add_font(PDF_FAMILY, "B", fname=bold)
