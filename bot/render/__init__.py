"""Pictures the bot sends: the brainstorm board as one image residents can read on a phone.

The pictures and PDFs share their pieces through public modules: typeface (the shipped font),
font_cmap (which characters it can draw), emoji (colour emoji beside it), text_fit (cleaning,
wrapping, shrinking), hyphens (where words may break), palette (colours), drawing (boxes,
shadows, icons), paper (A4 and PDF set-up) and wording (labels).
"""

from __future__ import annotations

from bot.render.board_image import (
    BOARD_HEIGHT,
    BOARD_WIDTH,
    QUADRANTS,
    BoardPicture,
    StickyNote,
    render_board,
)

__all__ = [
    "BOARD_HEIGHT",
    "BOARD_WIDTH",
    "QUADRANTS",
    "BoardPicture",
    "StickyNote",
    "render_board",
]
