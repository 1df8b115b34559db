"""What a note's words may be, whichever way they came in."""

from __future__ import annotations

import unicodedata

from storage.models import Note

# Characters Unicode files as letters or symbols that nevertheless draw nothing: a resident's
# "note" of these would be an empty card on the board.
_BLANK_LOOKING = frozenset(
    "\u2800"  # Braille pattern blank
    "\u3164"  # Hangul filler
    "\u115f\u1160"  # Hangul choseong and jungseong fillers
    "\uffa0"  # halfwidth Hangul filler
    "\u180e"  # Mongolian vowel separator
    "\u2062\u2063\u2064"  # invisible times, separator, plus
)
# Separators, controls, format characters (zero-width space and joiners, BOM), unassigned and
# private-use code points, and combining marks (which only decorate a visible neighbour).
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cn", "Co", "Cs", "Mn", "Me"})


def has_visible_text(text: str) -> bool:
    """Tell whether text shows at least one character a reader can see."""
    return any(
        char not in _BLANK_LOOKING and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        for char in text
    )


def same_writer(first: Note, second: Note) -> bool:
    """Tell whether one resident wrote both notes: saying a thing twice is still one voice,
    so a duplicate of one's own note is no second mention, nor someone else's words."""
    return first.author_id is not None and first.author_id == second.author_id
