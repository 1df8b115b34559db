"""The visibility rules on plain data: drafts, other villages, a table's own moments, notes,
and the period in which a theme takes notes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.village.visibility import (
    NoteWindow,
    Viewer,
    may_change_note,
    may_see_moment,
    may_see_table,
    may_see_theme,
    note_window,
)
from storage.models import (
    MUNICIPALITY,
    Moment,
    MomentKind,
    MomentStatus,
    Note,
    NoteKind,
    NoteStatus,
    PlaceKind,
    PlaceRef,
    TalkTable,
    Theme,
    ThemeStatus,
)

DOORWERTH = PlaceRef(PlaceKind.VILLAGE, "doorwerth")
RENKUM = PlaceRef(PlaceKind.VILLAGE, "renkum")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ANNA = Viewer(1, frozenset({MUNICIPALITY, DOORWERTH}))


def _theme(
    place: PlaceRef = DOORWERTH,
    status: ThemeStatus = ThemeStatus.ACTIVE,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Theme:
    return Theme(7, "c", "T", "", "", place, status, starts_on, ends_on, {}, None, NOW)


def _table(initiator: int | None = None) -> TalkTable:
    return TalkTable(3, 7, "x", "Tafel", "Kees", initiator, "", "", "", "", None, None, NOW, NOW)


def _moment(table_id: int | None) -> Moment:
    return Moment(
        5, 7, table_id, MomentKind.MEETING, "M", NOW, "bij Henk", MomentStatus.PLANNED,
        False, 0, None, NOW, NOW,
    )  # fmt: skip


def test_a_draft_is_for_its_ambassadors_only() -> None:
    assert not may_see_theme(_theme(status=ThemeStatus.DRAFT), ANNA)
    assert may_see_theme(_theme(status=ThemeStatus.DRAFT), Viewer(2, None, None))
    assert may_see_theme(_theme(status=ThemeStatus.CLOSED), ANNA)


def test_a_table_of_another_village_is_for_its_people_only() -> None:
    far = _theme(RENKUM)
    assert may_see_table(_table(), _theme(), ANNA)
    assert not may_see_table(_table(), far, ANNA)
    assert may_see_table(_table(), far, Viewer(1, ANNA.places, tables=frozenset({3})))
    assert may_see_table(_table(), far, Viewer(1, ANNA.places, took_part=frozenset({7})))
    assert may_see_table(_table(initiator=1), far, ANNA)
    assert may_see_table(_table(), far, Viewer(2, frozenset(), frozenset({RENKUM})))


def test_a_tables_moment_is_for_who_sits_there() -> None:
    assert may_see_moment(_moment(None), _theme(), None, ANNA)
    assert not may_see_moment(_moment(3), _theme(), _table(), ANNA)
    waiting = Viewer(1, ANNA.places, tables=frozenset({3}))
    assert not may_see_moment(_moment(3), _theme(), _table(), waiting)
    seated = Viewer(1, ANNA.places, tables=frozenset({3}), seated=frozenset({3}))
    assert may_see_moment(_moment(3), _theme(), _table(), seated)
    # Who said they come (and then left the table) still finds it in their agenda.
    assert may_see_moment(_moment(3), _theme(), _table(), Viewer(1, None, coming=frozenset({5})))


def test_only_the_author_changes_a_note() -> None:
    note = Note(9, 7, 1, None, NoteKind.TEXT, "x", None, NoteStatus.DRAFT, NOW, NOW)
    assert may_change_note(note, ANNA)
    assert not may_change_note(note, Viewer(2, None))


def test_a_theme_takes_notes_within_its_period() -> None:
    day = date(2026, 11, 2)
    assert note_window(_theme(), day) == NoteWindow.OPEN
    assert note_window(_theme(starts_on=date(2026, 12, 2)), day) == NoteWindow.NOT_YET
    assert note_window(_theme(ends_on=date(2026, 10, 3)), day) == NoteWindow.ENDED
    assert note_window(_theme(starts_on=day, ends_on=day), day) == NoteWindow.OPEN
    assert note_window(_theme(status=ThemeStatus.CLOSED), day) == NoteWindow.ENDED
