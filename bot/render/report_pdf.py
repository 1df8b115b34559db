"""The council's report as an A4 PDF: real text, the same sections as the HTML page."""

from __future__ import annotations

from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from bot.render.board_pdf import FooterPdf, pdf_note_text, pdf_text
from bot.render.emoji import add_pdf_emoji
from bot.render.palette import BAND, INK, WHITE
from bot.render.paper import A4_WIDTH_MM, start_pdf
from bot.render.report_view import Grid, ReportView, Section
from bot.render.typeface import PDF_FAMILY

_MARGIN = 16.0
_CONTENT = A4_WIDTH_MM - 2 * _MARGIN
_HEAD: FontFace = FontFace(emphasis="BOLD", fill_color=(232, 239, 233))


def render_report_pdf(view: ReportView) -> bytes:
    """Return the report as an A4 portrait PDF."""
    pdf = FooterPdf(pdf_text(view.footer))
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=20)
    start_pdf(pdf, title=pdf_text(view.title), language=view.language)
    add_pdf_emoji(pdf)
    pdf.add_page()
    _title(pdf, view)
    for section in view.sections:
        _section(pdf, section)
    return bytes(pdf.output())


def _para(pdf: FooterPdf, height: float, text: str) -> None:
    """Text over the page's width, wrapped; the next line starts below it at the margin."""
    pdf.multi_cell(_CONTENT, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _title(pdf: FooterPdf, view: ReportView) -> None:
    pdf.set_fill_color(*BAND)
    pdf.rect(0, 0, A4_WIDTH_MM, 30, style="F")
    pdf.set_xy(_MARGIN, 9)
    pdf.set_text_color(*WHITE)
    pdf.set_font(PDF_FAMILY, "B", 17)
    pdf.multi_cell(
        _CONTENT, 8, pdf_text(view.title, bold=True), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_y(36)
    pdf.set_fill_color(*WHITE)
    pdf.set_text_color(*INK)
    pdf.set_font(PDF_FAMILY, "", 11)
    _para(pdf, 6, pdf_text(view.intro))
    pdf.ln(2)
    for label, value in view.facts:
        pdf.set_font(PDF_FAMILY, "B", 11)
        pdf.cell(30, 6, pdf_text(label, bold=True))
        pdf.set_font(PDF_FAMILY, "", 11)
        pdf.multi_cell(_CONTENT - 30, 6, pdf_text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(_CONTENT, 6, pdf_text(view.made), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _section(pdf: FooterPdf, section: Section) -> None:
    pdf.ln(4)
    pdf.set_font(PDF_FAMILY, "B", 14)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        _CONTENT, 8, pdf_text(section.heading, bold=True), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(PDF_FAMILY, "", 11)
    for line in section.lines:
        _para(pdf, 6, pdf_text(line))
    for words, shared in section.quotes:
        pdf.set_font(PDF_FAMILY, "", 11)
        _para(pdf, 6, pdf_note_text(words))
        pdf.set_font(PDF_FAMILY, "B", 10)
        pdf.multi_cell(
            _CONTENT, 5, pdf_text(shared, bold=True), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(2)
    for grid in section.grids:
        _grid(pdf, grid)


def _grid(pdf: FooterPdf, grid: Grid) -> None:
    columns = len(grid.headings)
    # Wide tables (the reach per place has eight columns) get smaller type.
    size = 10 if columns <= 5 else 8
    pdf.set_font(PDF_FAMILY, "", size)
    first = 2.5 if columns > 5 else 2.0
    widths = (first, *(1.0 for _ in range(columns - 1)))
    with pdf.table(
        col_widths=widths,
        headings_style=_HEAD,
        line_height=size * 0.5,
        text_align=("LEFT", *("RIGHT" for _ in range(columns - 1))),
        repeat_headings=1,
        cell_fill_mode="NONE",
    ) as table:
        table.row([pdf_text(h, bold=True) for h in grid.headings])
        for row in grid.rows:
            table.row([pdf_text(cell) for cell in row])
    pdf.ln(3)
