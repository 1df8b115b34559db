"""The board as a printable A4 PDF for the pin board in the village.

Page one shows the theme and the board picture the bot sends in the chat, with fewer notes
per quadrant so that its letters stay readable on paper; the pages after it list every note
on the board in full, quadrant by quadrant, in the sticky-note colours, with real text
(selectable, searchable, sharp in print) and colour emoji where the machine has the font.
A note longer than what is left of a page goes on at the top of the next one. Fonts and
colours are the poster's and the board picture's, so everything the village sees looks
related.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping

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
from bot.render.emoji import add_pdf_emoji, emoji_code_points
from bot.render.exports import note_words
from bot.render.palette import BAND, INK, PRINT_MUTED_INK, QUADRANT_PALETTES, RGB, WHITE
from bot.render.paper import A4_HEIGHT_MM, A4_WIDTH_MM, start_pdf
from bot.render.typeface import PDF_FAMILY, drawable_code_points
from bot.village.board import QUADRANT_ORDER, BoardExport, ExportNote, shared_words
from storage.models import BOARD_QUADRANTS, Quadrant

_MARGIN = 14.0
_CONTENT = A4_WIDTH_MM - 2 * _MARGIN
_FOOTER_ROOM = 14.0
# The picture on paper: four notes a quadrant, so each has the room and type of a large one.
PRINTED_NOTES_PER_QUADRANT = 3
# The notes' own pages: 12 pt on 6 mm lines reads easily from a pin board.
_NOTE_SIZE = 12
_NOTE_LINE = 6.0
_NOTE_PAD = 3.0

# "Something else" is no quadrant of the board, so it has no palette: a quiet grey instead.
_OTHER_NOTE: RGB = (236, 232, 226)
_OTHER_INK: RGB = (80, 74, 70)
_DROPPED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})


def pdf_text(text: str, bold: bool = False) -> str:
    """One line of text with only what the embedded fonts can draw (emoji with their font)."""
    return " ".join(pdf_note_text(text, bold).split())


def pdf_note_text(text: str, bold: bool = False) -> str:
    """Text in full, its line breaks kept, with only what the embedded fonts can draw."""
    drawable = (drawable_code_points(bold) or frozenset()) | emoji_code_points()
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char == "\n":
            out.append("\n")
        elif char.isspace():
            out.append(" ")
        elif unicodedata.category(char) in _DROPPED_CATEGORIES:
            continue
        elif ord(char) in drawable or char in "\u200d\ufe0f":
            out.append(char)
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def _colours(quadrant: Quadrant) -> tuple[RGB, RGB]:
    palette = QUADRANT_PALETTES.get(quadrant.value)
    if palette is None:
        return _OTHER_NOTE, _OTHER_INK
    return palette.note, palette.ink


def board_picture(
    board: BoardExport,
    shown: int = MAX_NOTES_PER_QUADRANT,
    photos: Mapping[int, bytes] | None = None,
) -> BoardPicture:
    """The board as the chat shows it: the newest notes per quadrant and the counts.

    photos holds the photo notes' photos by note number, to show as thumbnails.
    """
    lang = board.language
    photos = photos or {}

    def sticky(note: ExportNote) -> StickyNote:
        photo = photos.get(note.number)
        # With the photo on the note, a bare photo needs no "[foto]" words.
        words = note.text if photo is not None else note_words(note, lang)
        return StickyNote(words, note.kind, image=photo, badge=shared_words(lang, note.shared_by))

    return BoardPicture(
        title=board.title,
        place=board.place,
        notes={
            q.value: [sticky(n) for n in reversed(board.in_quadrant(q)[-shown:])]
            for q in BOARD_QUADRANTS
        },
        counts={q.value: len(board.in_quadrant(q)) for q in BOARD_QUADRANTS},
    )


class FooterPdf(FPDF):
    """An A4 portrait page with a muted footer line and the page number on every page."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-_FOOTER_ROOM + 4)
        self.set_font(PDF_FAMILY, "", 8)
        self.set_text_color(*PRINT_MUTED_INK)
        self.cell(_CONTENT / 2, 5, self._footer_text)
        self.cell(_CONTENT / 2, 5, f"{self.page_no()}", align="R")


def render_board_pdf(board: BoardExport, photos: Mapping[int, bytes] | None = None) -> bytes:
    """Return the board as an A4 portrait PDF: the picture first, then every note.

    photos holds the photo notes' photos by note number, for the picture's thumbnails.
    """
    lang = board.language
    pdf = FooterPdf(pdf_text(board.footer()))
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_FOOTER_ROOM + 4)
    start_pdf(pdf, title=pdf_text(board.title), language=lang)
    add_pdf_emoji(pdf)
    _first_page(pdf, board, photos)
    _note_pages(pdf, board)
    return bytes(pdf.output())


def _first_page(pdf: FPDF, board: BoardExport, photos: Mapping[int, bytes] | None) -> None:
    lang = board.language
    pdf.add_page()
    title = pdf_text(board.title, bold=True)
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
        pdf.cell(_CONTENT, 6, pdf_text(about), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top = band + 5
    pdf.set_xy(_MARGIN, top)
    if board.question:
        pdf.set_text_color(*INK)
        pdf.set_font(PDF_FAMILY, "B", 13)
        pdf.multi_cell(
            _CONTENT,
            6.5,
            pdf_text(board.question, bold=True),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        top = pdf.get_y() + 3
    picture = board_picture(board, PRINTED_NOTES_PER_QUADRANT, photos)
    png = render_board(picture, language=lang)
    continued = board.notes and any(
        len(board.in_quadrant(q)) > PRINTED_NOTES_PER_QUADRANT for q in BOARD_QUADRANTS
    )
    room = A4_HEIGHT_MM - _FOOTER_ROOM - 4 - top - (11 if board.notes else 0)
    width = min(_CONTENT, room * BOARD_WIDTH / BOARD_HEIGHT)
    pdf.image(io.BytesIO(png), x=(A4_WIDTH_MM - width) / 2, y=top, w=width)
    if board.notes:
        # The picture shortens; the pages after it do not, and the reader is told so.
        key = "picture.pdf_more_notes" if continued else "picture.pdf_all_notes"
        pdf.set_xy(_MARGIN, top + width * BOARD_HEIGHT / BOARD_WIDTH + 2)
        pdf.set_font(PDF_FAMILY, "", 10)
        pdf.set_text_color(*PRINT_MUTED_INK)
        pdf.multi_cell(_CONTENT, 4.5, pdf_text(plain(lang, key)), align="C")


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
        pdf_text(plain(lang, "export.all_notes"), bold=True),
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
        pdf.cell(_CONTENT, 8, pdf_text(heading, bold=True), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(*ink)
        pdf.set_line_width(0.6)
        pdf.line(_MARGIN, pdf.get_y(), _MARGIN + _CONTENT, pdf.get_y())
        pdf.ln(2.5)
        pdf.set_font(PDF_FAMILY, "", _NOTE_SIZE)
        for note in notes:
            words = pdf_note_text(note_words(note, lang))
            if note.shared_by > 1:
                words += "  " + pdf_text(plain(lang, "export.also_mentioned", count=note.shared_by))
            _note_block(pdf, words, fill)
        pdf.ln(3)


def _note_block(pdf: FPDF, words: str, fill: RGB) -> None:
    """One note in full on its coloured block; what does not fit the page goes on the next."""
    inner = _CONTENT - 2 * _NOTE_PAD
    lines = pdf.multi_cell(inner, _NOTE_LINE, words, align="L", dry_run=True, output="LINES")
    assert isinstance(lines, list)
    lines = lines or [""]
    while lines:
        room = int((pdf.page_break_trigger - pdf.get_y() - 2 * _NOTE_PAD) // _NOTE_LINE)
        # A note starts where at least two of its lines fit (or all, when it has one).
        if room < min(2, len(lines)):
            pdf.add_page()
            continue
        part, lines = lines[:room], lines[room:]
        height = len(part) * _NOTE_LINE + 2 * _NOTE_PAD
        y = pdf.get_y()
        pdf.set_fill_color(*fill)
        pdf.rect(_MARGIN, y, _CONTENT, height, style="F", round_corners=True, corner_radius=2)
        pdf.set_text_color(*INK)
        pdf.set_xy(_MARGIN + _NOTE_PAD, y + _NOTE_PAD)
        for line in part:
            pdf.cell(inner, _NOTE_LINE, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_y(y + height + 2)
        if lines:
            pdf.add_page()
