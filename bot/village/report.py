"""The council's report of one theme (participatieverslag): what participation brought.

Since 2025 a municipality's participation ordinance asks it to evaluate what participation
brought. The report holds counts and the board's own words, never a name, a Telegram id or a
phone number. A count of fewer than five for one village or neighbourhood is shown as "fewer
than 5", so that nobody is recognisable in a small neighbourhood.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.village.board import QUADRANT_ORDER, BoardExport, ExportNote
from bot.village.progress import Progress
from storage.models import NoteReach, Quadrant

SMALL_COUNT = 5
"""Counts per place below this are shown as "fewer than 5"."""

ORIGINS: tuple[str, ...] = ("chat", "web", "in_person")
"""The ways a note reaches the board, in the order the report lists them."""

MOST_SHARED = 10
"""The most shared notes the report quotes."""


@dataclass(frozen=True)
class Count:
    """A figure for one place: its value, or only that it is below SMALL_COUNT."""

    value: int

    @property
    def hidden(self) -> bool:
        """True when the figure is small enough to point at someone (but not zero)."""
        return 0 < self.value < SMALL_COUNT


@dataclass(frozen=True)
class PlaceReach:
    """Who took part from one village or neighbourhood, and how."""

    name: str
    people: Count
    notes: Count
    per_quadrant: Mapping[Quadrant, Count]
    per_origin: Mapping[str, Count]


@dataclass(frozen=True)
class TableLine:
    """A follow-up table and what its members committed to."""

    title: str
    think: int
    take_part: int
    connect: int
    waiting: int
    grew_from: tuple[str, ...] = ()  # the board's words of the notes the table grew from


@dataclass(frozen=True)
class MomentLine:
    """A moment on the timeline and how many said they would come."""

    title: str
    when: str  # in the municipality's time zone and the reader's language
    coming: int
    not_coming: int
    cancelled: bool


@dataclass(frozen=True)
class SharedNote:
    """A note many share, in its own words."""

    quadrant: Quadrant
    text: str
    shared_by: int


@dataclass(frozen=True)
class CouncilReport:
    """Everything the report shows, in the reader's language."""

    board: BoardExport
    progress: Progress
    people: int
    notes_per_quadrant: Mapping[Quadrant, int]
    notes_per_origin: Mapping[str, int]
    reach: tuple[PlaceReach, ...]
    shared: tuple[SharedNote, ...]
    tables: tuple[TableLine, ...]
    moments: tuple[MomentLine, ...]

    @property
    def notes(self) -> int:
        """All notes on the board."""
        return sum(self.notes_per_quadrant.values())


def reach_by_place(
    rows: Sequence[NoteReach],
    place_name: Mapping[tuple[str | None, str | None], str],
    elsewhere: str,
) -> tuple[PlaceReach, ...]:
    """Group the board's notes by their writer's village and neighbourhood, largest first.

    place_name names a (village, neighbourhood) key pair; notes of writers who chose no place
    (and notes heard in person without one) count under ``elsewhere``.
    """
    groups: dict[str, list[NoteReach]] = {}
    for row in rows:
        name = place_name.get((row.village_key, row.neighbourhood_key), elsewhere)
        groups.setdefault(name, []).append(row)
    reach = [_place(name, notes) for name, notes in groups.items()]
    # Largest first; ties by name, so the same board gives the same report.
    return tuple(sorted(reach, key=lambda p: (-p.notes.value, p.name)))


def _place(name: str, notes: Sequence[NoteReach]) -> PlaceReach:
    quadrants = Counter(n.quadrant for n in notes)
    origins = Counter(n.origin for n in notes)
    writers = {n.writer for n in notes if n.writer is not None}
    # A note without a writer (web, in person) is one person as far as anyone can tell.
    people = len(writers) + sum(1 for n in notes if n.writer is None)
    return PlaceReach(
        name=name,
        people=Count(people),
        notes=Count(len(notes)),
        per_quadrant={q: Count(quadrants[q]) for q in QUADRANT_ORDER},
        per_origin={o: Count(origins[o]) for o in ORIGINS},
    )


def most_shared(notes: Iterable[ExportNote], limit: int = MOST_SHARED) -> tuple[SharedNote, ...]:
    """The notes shared by more than their writer ("ik ook" and duplicates), most shared first
    (then oldest)."""
    shared = [n for n in notes if n.shared_by > 1]
    shared.sort(key=lambda n: (-n.shared_by, n.number))
    return tuple(SharedNote(n.quadrant, n.text, n.shared_by) for n in shared[:limit])


def totals(rows: Sequence[NoteReach]) -> tuple[int, dict[Quadrant, int], dict[str, int]]:
    """People, notes per quadrant and notes per way in, for the theme as a whole."""
    writers = {n.writer for n in rows if n.writer is not None}
    people = len(writers) + sum(1 for n in rows if n.writer is None)
    quadrants = Counter(n.quadrant for n in rows)
    origins = Counter(n.origin for n in rows)
    return (
        people,
        {q: quadrants[q] for q in QUADRANT_ORDER},
        {o: origins[o] for o in ORIGINS},
    )
