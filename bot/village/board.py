"""What a theme's board holds, wherever it is shown: in the chat, in an export, on a screen.

Only notes that are visible (let through by a moderator, or needing no review) are on the
board, in the resident's own words and never with a name or Telegram id. A note a moderator
marked as saying the same as another counts as "also mentioned" on that one; with the
residents who said "ik ook" to it and its writer they make one figure, "gedeeld door N".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from bot.core.config import Municipality
from bot.core.i18n import number, plain
from bot.village.dates import format_period
from bot.village.similarity import group_notes
from bot.village.square import speaker_place_name
from storage.models import Note, NoteOrigin, NoteStatus, Quadrant, Theme

SHOWN: tuple[NoteStatus, ...] = (NoteStatus.VISIBLE,)
"""The notes anyone but the writer and the moderators may read."""
PAGE_SIZE = 5
"""Notes on one page of the board in the chat: what fits a phone screen without scrolling."""
# The board's four quadrants, then the remarks beside the theme.
QUADRANT_ORDER: tuple[Quadrant, ...] = (
    Quadrant.WISH,
    Quadrant.EXAMPLE,
    Quadrant.POSSIBILITY,
    Quadrant.QUESTION,
    Quadrant.OTHER,
)


@dataclass(frozen=True)
class ExportNote:
    """One note as the board shows it: its number on the board, never who wrote it."""

    number: int
    quadrant: Quadrant
    kind: str  # "text" | "photo" | "voice"
    text: str
    date: date
    also_mentioned: int = 0  # notes a moderator marked as saying the same
    support: int = 0  # residents who said "ik ook"
    in_person: bool = False  # heard at the stand and entered by the ambassador
    heard_in: str = ""  # the village or neighbourhood the speaker at the stand came from

    @property
    def shared_by(self) -> int:
        """Its writer, everyone who said "ik ook" and every note marked as its duplicate."""
        return shared_by(self.also_mentioned, self.support)


def shared_by(also_mentioned: int, support: int) -> int:
    """The one figure a board shows of how many share a note ("gedeeld door N")."""
    return 1 + also_mentioned + support


def shared_words(language: str, count: int) -> str:
    """The words "gedeeld door N" when more than the writer share the note, else nothing."""
    return plain(language, "support.shared_by", n=number(language, count)) if count > 1 else ""


@dataclass(frozen=True)
class NoteGroup:
    """Notes that say nearly the same, labelled by the words they share; never without them."""

    label: tuple[str, ...]  # empty for a note alone
    notes: tuple[ExportNote, ...]  # oldest first


def note_groups(notes: Sequence[ExportNote]) -> tuple[NoteGroup, ...]:
    """Every note in exactly one group, largest group first; the same notes, the same groups."""
    by_number = {note.number: note for note in notes}
    comparable = [(n.number, n.text) for n in notes if n.kind != "voice" and n.text.strip()]
    groups = [
        NoteGroup(
            group.label if len(group.note_ids) > 1 else (),
            tuple(by_number[i] for i in group.note_ids),
        )
        for group in group_notes(comparable)
    ]
    grouped = {note.number for group in groups for note in group.notes}
    groups += [NoteGroup((), (note,)) for note in notes if note.number not in grouped]
    return tuple(groups)


@dataclass(frozen=True)
class BoardExport:
    """A theme's board as a whole, for every file and picture made of it."""

    code: str
    title: str
    invitation: str
    question: str
    place: str
    period: str
    status: str
    municipality: str
    exported_at: datetime
    language: str
    notes: tuple[ExportNote, ...]  # oldest first

    @cached_property
    def groups(self) -> tuple[NoteGroup, ...]:
        """The notes grouped by what they say (bot/village/similarity.py), largest first."""
        return note_groups(self.notes)

    def in_quadrant(self, quadrant: Quadrant) -> list[ExportNote]:
        """The board's notes of one quadrant, oldest first."""
        return [note for note in self.notes if note.quadrant == quadrant]

    def footer(self, document: str = "board") -> str:
        """Return the line every export ends with: what it is, whose, and when it was taken
        (document names the file: the board, or the table cards made beside it)."""
        return plain(
            self.language,
            "export.footer",
            document=plain(self.language, f"export_document.{document}"),
            municipality=self.municipality,
            date=self.exported_at.strftime("%Y-%m-%d %H:%M"),
        )


def board_notes(
    newest_first: Iterable[Note],
    duplicates: Mapping[int, int],
    municipality: Municipality,
    support: Mapping[int, int] | None = None,
) -> tuple[ExportNote, ...]:
    """The visible notes that sit in a quadrant, oldest first, dated in the local time zone."""
    tz = municipality.tz
    return tuple(
        ExportNote(
            number=note.id,
            quadrant=note.quadrant,
            kind=note.kind.value,
            text=note.text,
            date=note.created_at.astimezone(tz).date(),
            also_mentioned=duplicates.get(note.id, 0),
            support=(support or {}).get(note.id, 0),
            in_person=note.origin == NoteOrigin.IN_PERSON,
            heard_in=speaker_place_name(municipality, note.heard_in) or "",
        )
        for note in reversed(list(newest_first))
        if note.quadrant is not None and note.status in SHOWN
    )


def board_content(
    theme: Theme,
    municipality: Municipality,
    notes: tuple[ExportNote, ...],
    *,
    language: str,
    now: datetime,
) -> BoardExport:
    """The theme's board with its notes, as of now, in the reader's language."""
    return BoardExport(
        code=theme.code,
        title=theme.title,
        invitation=theme.invitation,
        question=theme.question,
        place=municipality.place_name(theme.place),
        period=format_period(theme.starts_on, theme.ends_on, language),
        status=theme.status.value,
        municipality=municipality.name,
        exported_at=now.astimezone(municipality.tz),
        language=language,
        notes=notes,
    )
