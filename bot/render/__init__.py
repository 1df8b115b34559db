"""Pictures the bot sends: the brainstorm board as one image residents can read on a phone."""

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
