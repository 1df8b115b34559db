"""The colours the village sees: one per board quadrant, and the inks all pictures share.

The board, the poster, the progress chart and the PDFs take their colours from here, so
everything the bot draws looks related and a quadrant has the same colour everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

RGB = tuple[int, int, int]

# The board's quadrants in reading order: top left, top right, bottom left, bottom right.
QUADRANTS: tuple[str, ...] = ("wish", "example", "possibility", "question")


@dataclass(frozen=True)
class QuadrantPalette:
    """The colours of one quadrant, from its pale panel to the ink of its heading."""

    background: RGB
    note: RGB
    note_edge: RGB
    ink: RGB


QUADRANT_PALETTES: Mapping[str, QuadrantPalette] = {
    "wish": QuadrantPalette((252, 228, 234), (255, 204, 217), (246, 178, 196), (163, 41, 79)),
    "example": QuadrantPalette((224, 238, 251), (191, 221, 251), (160, 200, 242), (31, 92, 153)),
    "possibility": QuadrantPalette(
        (227, 243, 224), (200, 236, 190), (168, 218, 156), (46, 115, 50)
    ),
    "question": QuadrantPalette((255, 241, 214), (255, 226, 140), (244, 204, 96), (150, 88, 0)),
}

# The warm off-white behind the board and the chart.
CANVAS: RGB = (247, 244, 238)
WHITE: RGB = (255, 255, 255)
# Body text everywhere: near black, softer than pure black on a bright phone screen.
INK: RGB = (43, 43, 51)
# Secondary text in the pictures sent to phones.
MUTED_INK: RGB = (107, 107, 120)
# Secondary text on paper (poster, PDF): a touch warmer, to sit on the cream poster paper.
PRINT_MUTED_INK: RGB = (105, 100, 110)
# The terracotta of the poster's and the PDF's title band, and of the chart's first B.
BAND: RGB = (184, 72, 46)


def blend(colour: RGB, other: RGB, amount: float) -> RGB:
    """Mix amount (0 to 1) of other into colour, for faded and tinted versions of a colour."""
    r, g, b = (round(a + (o - a) * amount) for a, o in zip(colour, other, strict=True))
    return (r, g, b)
