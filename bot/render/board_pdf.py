"""The board as a printable A4 PDF for the pin board in the village.

Page one shows the theme and the board picture the bot sends in the chat; the pages after it
list every note on the board, quadrant by quadrant, in the sticky-note colours, with real
text (selectable, searchable, sharp in print). Fonts and colours are the poster's and the
board picture's, so everything the village sees looks related.
"""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.core.i18n import plain
from bot.render.board_image import (
    BOARD_HEIGHT,
    BOARD_WIDTH,
    MAX_NOTES_PER_QUADRANT,
    BoardPicture,
    StickyNote,
    render_board,
)
from bot.render.exports import note_words
from bot.render.palette import BAND, INK, PRINT_MUTED_INK, QUADRANT_PALETTES, RGB, WHITE
from bot.render.paper import A4_HEIGHT_MM, A4_WIDTH_MM, start_pdf
from bot.render.text_fit import clean_text
from bot.render.typeface import PDF_FAMILY
from bot.village.board import QUADRANT_ORDER, BoardExport, shared_words
from storage.models import BOARD_QUADRANTS, Quadrant

_MARGIN = 14.0
_CONTENT = A4_WIDTH_MM - 2 * _MARGIN
_FOOTER_ROOM = 14.0

# "Something else" is no quadrant of the board, so it has no palette: a quiet grey instead.
_OTHER_NOTE: RGB = (236, 232, 226)
_OTHER_INK: RGB = (80, 74, 70)


def _text(text: str, bold: bool = False) -> str:
    """Leave out what the embedded font cannot draw (such as emoji)."""
    cleaned, _ = clean_text(" ".join(text.split()), bold)
    return " ".join(cleaned.split())


def _colours(quadrant: Quadrant) -> tuple[RGB, RGB]:
    palette = QUADRANT_PALETTES.get(quadrant.value)
    if palette is None:
        return _OTHER_NOTE, _OTHER_INK
    return palette.note, palette.ink


def board_picture(board: BoardExport) -> BoardPicture:
    """The board as the chat shows it: the newest notes per quadrant and the counts."""
    lang = board.language
    return BoardPicture(
        title=board.title,
        place=board.place,
        notes={
            q.value: [
                StickyNote(
                    text=note_words(n, lang), kind=n.kind, badge=shared_words(lang, n.shared_by)
                )
                for n in reversed(board.in_quadrant(q))
            ][:MAX_NOTES_PER_QUADRANT]
            for q in BOARD_QUADRANTS
        },
        counts={q.value: len(board.in_quadrant(q)) for q in BOARD_QUADRANTS},
    )


class _BoardPdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-_FOOTER_ROOM + 4)
        self.set_font(PDF_FAMILY, "", 8)
        self.set_text_color(*PRINT_MUTED_INK)
        self.cell(_CONTENT / 2, 5, self._footer_text)
        self.cell(_CONTENT / 2, 5, f"{self.page_no()}", align="R")


def render_board_pdf(board: BoardExport) -> bytes:
    """Return the board as an A4 portrait PDF: the picture first, then every note."""
    lang = board.language
    pdf = _BoardPdf(_text(board.footer()))
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_FOOTER_ROOM + 4)
    start_pdf(pdf, title=_text(board.title), language=lang)
    _first_page(pdf, board)
    _note_pages(pdf, board)
    return bytes(pdf.output())


def _first_page(pdf: FPDF, board: BoardExport) -> None:
    lang = board.language
    pdf.add_page()
    title = _text(board.title, bold=True)
    about = " · ".join(part for part in (board.place, board.period) if part)
    pdf.set_font(PDF_FAMILY, "B", 20)
    lines = pdf.multi_cell(_CONTENT, 9, title, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    # The band grows with a long title, so the words always stay on it.
    band = 8.0 + 9 * min(len(lines), 4) + (6 if about else 0) + 6
    pdf.set_fill_color(*BAND)
    pdf.rect(0, 0, A4_WIDTH_MM, band, style="F")
    pdf.set_xy(_MARGIN, 8)
    pdf.set_text_color(*WHITE)
    pdf.multi_cell(
        _CONTENT, 9, title, max_line_height=9, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(PDF_FAMILY, "", 11)
    if about:
        pdf.cell(_CONTENT, 6, _text(about), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top = band + 5
    pdf.set_xy(_MARGIN, top)
    if board.question:
        pdf.set_text_color(*INK)
        pdf.set_font(PDF_FAMILY, "B", 13)
        pdf.multi_cell(
            _CONTENT,
            6.5,
            _text(board.question, bold=True),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        top = pdf.get_y() + 3
    png = render_board(board_picture(board), language=lang)
    room = A4_HEIGHT_MM - _FOOTER_ROOM - 4 - top
    width = min(_CONTENT, room * BOARD_WIDTH / BOARD_HEIGHT)
    pdf.image(io.BytesIO(png), x=(A4_WIDTH_MM - width) / 2, y=top, w=width)


def _note_pages(pdf: FPDF, board: BoardExport) -> None:
    lang = board.language
    if not board.notes:
        return
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_font(PDF_FAMILY, "B", 16)
    pdf.cell(
        _CONTENT,
        9,
        _text(plain(lang, "export.all_notes"), bold=True),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(2)
    for quadrant in QUADRANT_ORDER:
        notes = board.in_quadrant(quadrant)
        if not notes:
            continue
        fill, ink = _colours(quadrant)
        heading = f"{plain(lang, f'quadrants.{quadrant.value}')} ({len(notes)})"
        if pdf.get_y() + 24 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.set_font(PDF_FAMILY, "B", 13)
        pdf.set_text_color(*ink)
        pdf.cell(_CONTENT, 8, _text(heading, bold=True), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(*ink)
        pdf.set_line_width(0.6)
        pdf.line(_MARGIN, pdf.get_y(), _MARGIN + _CONTENT, pdf.get_y())
        pdf.ln(2.5)
        pdf.set_font(PDF_FAMILY, "", 11)
        for note in notes:
            words = _text(note_words(note, lang))
            if note.shared_by > 1:
                words += "  " + _text(plain(lang, "export.also_mentioned", count=note.shared_by))
            lines = pdf.multi_cell(
                _CONTENT - 6, 5.5, words, align="L", dry_run=True, output="LINES"
            )
            assert isinstance(lines, list)
            height = len(lines) * 5.5 + 5
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
            y = pdf.get_y()
            pdf.set_fill_color(*fill)
            pdf.rect(_MARGIN, y, _CONTENT, height, style="F", round_corners=True, corner_radius=2)
            pdf.set_xy(_MARGIN + 3, y + 2.5)
            pdf.set_text_color(*INK)
            pdf.multi_cell(_CONTENT - 6, 5.5, words, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_y(y + height + 2)
        pdf.ln(3)
