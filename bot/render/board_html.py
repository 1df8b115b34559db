"""The board as one accessible HTML page: headings per quadrant, every note in its own words.

For a municipality's website or anyone who cannot read the board picture: the picture is never
the only way to read the board. Jinja2 with autoescaping (the same environment as the council's
report), plain semantic HTML, no scripts, no outside files.
"""

from __future__ import annotations

from bot.core.i18n import plain
from bot.render.exports import note_words
from bot.render.report_html import environment
from bot.village.board import QUADRANT_ORDER, BoardExport, ExportNote
from storage.models import Quadrant


def _extra(note: ExportNote, lang: str) -> str:
    parts = []
    if note.in_person:
        parts.append(plain(lang, "square.board.mark"))
    if note.shared_by > 1:
        parts.append(plain(lang, "support.shared_by", n=note.shared_by))
    return ", ".join(parts)


def render_board_html(board: BoardExport) -> bytes:
    """Return the board as a UTF-8 HTML page, oldest note first in each quadrant."""
    lang = board.language
    quadrants = [
        {
            "key": quadrant.value,
            "name": plain(lang, f"quadrants.{quadrant.value}"),
            "notes": [(note_words(n, lang), _extra(n, lang)) for n in board.in_quadrant(quadrant)],
        }
        for quadrant in QUADRANT_ORDER
        if quadrant != Quadrant.OTHER or board.in_quadrant(quadrant)
    ]
    page = (
        environment()
        .get_template("board.html")
        .render(
            board=board,
            about=" · ".join(part for part in (board.place, board.period) if part),
            quadrants=quadrants,
            empty=plain(lang, "export.empty"),
        )
    )
    return page.encode("utf-8")
