"""What a theme's board holds, wherever it is shown: in the chat, in an export, on a screen.

Only notes that are visible (let through by a moderator, or needing no review) are on the
board, in the resident's own words and never with a name or Telegram id. A note a moderator
marked as saying the same as another counts as "also mentioned" on that one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.core.config import Municipality
from bot.core.i18n import plain
from bot.village.dates import format_period
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
    in_person: bool = False  # heard at the stand and entered by the ambassador
    heard_in: str = ""  # the village or neighbourhood the speaker at the stand came from


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
    newest_first: Iterable[Note], duplicates: Mapping[int, int], municipality: Municipality
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
