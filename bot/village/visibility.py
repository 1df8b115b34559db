"""Who may see which theme, table, moment and note, and when a theme takes notes: the rules
every button, deep link and (later) web page asks, on plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from storage.models import Moment, Note, PlaceRef, TalkTable, Theme, ThemeStatus


@dataclass(frozen=True, slots=True)
class Viewer:
    """What the rules need to know of the person looking."""

    user_id: int
    places: frozenset[PlaceRef] | None
    """The places the person lives in; None when they chose none (they see every place)."""
    managed: frozenset[PlaceRef] | None = frozenset()
    """The places they run themes for as ambassador; None means everywhere (an admin)."""
    tables: frozenset[int] = field(default_factory=frozenset)
    """The tables they sit at or wait for."""
    seated: frozenset[int] = field(default_factory=frozenset)
    """The tables they sit at (not only wait for)."""
    took_part: frozenset[int] = field(default_factory=frozenset)
    """The themes they wrote a note in."""
    coming: frozenset[int] = field(default_factory=frozenset)
    """The moments they said they come to (their agenda keeps showing them)."""


def manages(viewer: Viewer, place: PlaceRef) -> bool:
    """True when the viewer runs themes for this place."""
    return viewer.managed is None or place in viewer.managed


def reaches(viewer: Viewer, theme: Theme) -> bool:
    """True when the theme is about the viewer's place, or the viewer took part in it."""
    places = viewer.places
    return places is None or theme.place in places or theme.id in viewer.took_part


def may_see_theme(theme: Theme, viewer: Viewer) -> bool:
    """A published theme is for anyone its poster reaches; a draft only for its ambassadors."""
    return theme.status != ThemeStatus.DRAFT or manages(viewer, theme.place)


def may_see_table(table: TalkTable, theme: Theme, viewer: Viewer) -> bool:
    """A table is for its people, its ambassadors, and the residents its theme is about."""
    if manages(viewer, theme.place) or table.initiator_id == viewer.user_id:
        return True
    if table.id in viewer.tables:
        return True
    return theme.status != ThemeStatus.DRAFT and reaches(viewer, theme)


def may_see_moment(moment: Moment, theme: Theme, table: TalkTable | None, viewer: Viewer) -> bool:
    """A table's moment (and where it meets) is for who sits at the table; a theme's moment
    for the residents the theme is about."""
    if manages(viewer, theme.place):
        return True
    if theme.status == ThemeStatus.DRAFT:
        return False
    if moment.id in viewer.coming:
        return True
    if moment.table_id is None:
        return reaches(viewer, theme)
    if table is None:
        return False
    return table.id in viewer.seated or table.initiator_id == viewer.user_id


def may_change_note(note: Note, viewer: Viewer) -> bool:
    """Only who wrote a note may change, move or delete it."""
    return note.author_id is not None and note.author_id == viewer.user_id


class NoteWindow(StrEnum):
    """Whether a theme takes notes today."""

    OPEN = "open"
    NOT_YET = "not_yet"
    ENDED = "ended"


def note_window(theme: Theme, today: date) -> NoteWindow:
    """A theme takes notes while it is published and today lies within its period."""
    if theme.status == ThemeStatus.CLOSED:
        return NoteWindow.ENDED
    if theme.status == ThemeStatus.DRAFT or (theme.starts_on and today < theme.starts_on):
        return NoteWindow.NOT_YET
    if theme.ends_on is not None and today > theme.ends_on:
        return NoteWindow.ENDED
    return NoteWindow.OPEN
