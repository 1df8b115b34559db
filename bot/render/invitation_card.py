"""Invitation cards for the stand: an A6 card, or four on an A4 sheet to cut, each with a
QR code holding its own one-time link into the chat.

The QR code is embedded as a crisp black-and-white image (nearest-neighbour scaled), so a
printer and a test alike read exactly the modules the link made.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
import qrcode.constants
from fpdf import FPDF
from PIL import Image

from bot.render.palette import BAND, INK, PRINT_MUTED_INK
from bot.render.paper import A4_HEIGHT_MM, A4_WIDTH_MM, start_pdf
from bot.render.text_fit import clean_text
from bot.render.typeface import PDF_FAMILY

A6_WIDTH_MM = A4_WIDTH_MM / 2
A6_HEIGHT_MM = A4_HEIGHT_MM / 2
CARDS_PER_SHEET = 4
_MARGIN = 8.0
_QR_MM = 52.0
_QR_PX_PER_MODULE = 12
_QUIET_MODULES = 4


@dataclass(frozen=True)
class CardContent:
    """What one card says, in the reader's language, and the link its QR code holds."""

    heading: str
    theme: str
    when: str  # "" when no table or moment is planned yet
    scan: str
    once: str
    link: str
    web: str = ""  # the theme's web page, when the web pages are configured


def qr_png(link: str) -> bytes:
    """The link as a QR code image with its quiet zone, black on white."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0)
    code.add_data(link)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix) + 2 * _QUIET_MODULES
    image = Image.new("1", (size, size), 1)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.putpixel((x + _QUIET_MODULES, y + _QUIET_MODULES), 0)
    scaled = image.resize(
        (size * _QR_PX_PER_MODULE, size * _QR_PX_PER_MODULE), Image.Resampling.NEAREST
    )
    out = io.BytesIO()
    scaled.save(out, format="PNG")
    return out.getvalue()


def _text(pdf: FPDF, x: float, y: float, text: str, size: float, *, bold: bool = False) -> float:
    """Write wrapped text in the card's width at y; return the y below it."""
    cleaned, _cut = clean_text(text, bold)
    if not cleaned:
        return y
    pdf.set_font(PDF_FAMILY, "B" if bold else "", size)
    pdf.set_xy(x + _MARGIN, y)
    pdf.multi_cell(A6_WIDTH_MM - 2 * _MARGIN, size * 0.45, cleaned, align="C")
    return pdf.get_y() + 1.5


def _draw_card(pdf: FPDF, x: float, y: float, card: CardContent) -> None:
    pdf.set_draw_color(*PRINT_MUTED_INK)
    pdf.set_line_width(0.2)
    pdf.rect(x + 2, y + 2, A6_WIDTH_MM - 4, A6_HEIGHT_MM - 4)
    pdf.set_text_color(*BAND)
    top = _text(pdf, x, y + _MARGIN, card.heading, 20, bold=True)
    pdf.set_text_color(*INK)
    top = _text(pdf, x, top + 1, card.theme, 12, bold=True)
    if card.when:
        top = _text(pdf, x, top, card.when, 11)
    qr_top = max(top + 2, y + A6_HEIGHT_MM - _MARGIN - _QR_MM - 26)
    pdf.image(
        io.BytesIO(qr_png(card.link)),
        x=x + (A6_WIDTH_MM - _QR_MM) / 2,
        y=qr_top,
        w=_QR_MM,
        h=_QR_MM,
        link=card.link,
    )
    below = _text(pdf, x, qr_top + _QR_MM + 2, card.scan, 9)
    pdf.set_text_color(*PRINT_MUTED_INK)
    below = _text(pdf, x, below, card.once, 8)
    if card.web:
        _text(pdf, x, below, card.web, 8)


def _pdf(cards: Sequence[CardContent], *, width: float, height: float, language: str) -> bytes:
    pdf = FPDF(unit="mm", format=(width, height))
    # The title goes into the PDF's metadata: only what the font can draw, as on the card.
    title = clean_text(cards[0].theme, True)[0] if cards else ""
    start_pdf(pdf, title=title, language=language)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    per_row = int(width // A6_WIDTH_MM)
    for index, card in enumerate(cards):
        row, column = divmod(index, per_row)
        _draw_card(pdf, column * A6_WIDTH_MM, row * A6_HEIGHT_MM, card)
    return bytes(pdf.output())


def render_card_pdf(card: CardContent, *, language: str = "nl") -> bytes:
    """One card on an A6 page."""
    return _pdf([card], width=A6_WIDTH_MM, height=A6_HEIGHT_MM, language=language)


def render_sheet_pdf(cards: Sequence[CardContent], *, language: str = "nl") -> bytes:
    """Up to four cards on one A4 page, two by two, to cut along their edges."""
    if not 1 <= len(cards) <= CARDS_PER_SHEET:
        raise ValueError(f"a sheet holds 1 to {CARDS_PER_SHEET} cards")
    return _pdf(cards, width=A4_WIDTH_MM, height=A4_HEIGHT_MM, language=language)
