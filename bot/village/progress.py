"""How a theme grows, read along the network strategy's four B's.

Involved (betrokken): the residents who wrote on the board, and how many joined this week.
Aware (bewust): the notes on the board, per quadrant. Available (beschikbaar): the follow-up
tables and the commitments people made at them. Capable (bekwaam): the good examples
collected and the moments already held. Counts only, never a grade: an empty theme is not a
failing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

NEW_WITHIN = timedelta(days=7)
"""A resident counts as new to a theme when their first note is this recent."""


@dataclass(frozen=True)
class Progress:
    """The counts behind the four B's of one theme."""

    title: str
    involved: int
    involved_new_this_week: int
    notes_per_quadrant: Mapping[str, int]  # keys "wish", "example", "possibility", "question"
    tables: int
    commitments: int
    examples: int
    moments_held: int
    in_person: int = 0  # of the notes on the board, those heard in person at the stand
    cards_printed: int = 0  # invitation cards handed out at the stand
    cards_used: int = 0
    from_web: int = 0
    """Of the notes on the board, those written on the web pages (counted apart)."""
