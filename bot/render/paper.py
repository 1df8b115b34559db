"""What the printed pages share: the A4 sheet and the set-up every PDF starts with."""

from __future__ import annotations

from fpdf import FPDF

from bot.render.typeface import add_pdf_fonts
from bot.render.wording import label_language

A4_WIDTH_MM = 210.0
A4_HEIGHT_MM = 297.0


def start_pdf(pdf: FPDF, *, title: str, language: str) -> None:
    """Give pdf its metadata and the shipped fonts, so every PDF names and embeds them alike.

    The title and language are what a PDF reader shows and a screen reader reads aloud by.
    """
    pdf.set_title(title)
    pdf.set_creator("buurtbot")
    pdf.set_lang(label_language(language))
    add_pdf_fonts(pdf)
