"""The notes of a theme that say nearly the same, kept in memory per theme and synced with storage.

The database stays the truth: before each question the index compares the board's marks (how
many visible notes, when the last changed) with what it holds, adds what changed since, and
is rebuilt only when a note left the board. So a restart, a second replica or a moderator's
decision elsewhere never leaves it behind, and a question costs a few milliseconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, field

from bot.village.similarity import Group, Match, ThemeIndex
from storage.models import Note, NoteKind
from storage.repository import Repository

LIST_ALL = 1_000_000  # a theme's visible notes, read whole when the index is rebuilt


@dataclass
class _Theme:
    index: ThemeIndex = field(default_factory=ThemeIndex)
    authors: dict[int, int | None] = field(default_factory=dict)
    marks: tuple[int, str] = (0, "")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _words(note: Note) -> str | None:
    """What of a note can be compared: its words (a photo's caption too), never a voice note."""
    if note.kind == NoteKind.VOICE or not note.text.strip():
        return None
    return note.text


class SimilarNotes:
    """One index per theme of the notes the board shows."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._themes: dict[int, _Theme] = {}

    async def _synced(self, theme_id: int) -> _Theme:
        theme = self._themes.setdefault(theme_id, _Theme())
        async with theme.lock:
            marks = await self._repo.board_marks(theme_id)
            if marks == theme.marks:
                return theme
            changed = await self._repo.visible_notes_since(theme_id, theme.marks[1])
            for note in changed:
                self._put(theme, note)
            if len(theme.authors) != marks[0]:
                # A note left the board (hidden, deleted, back in the queue): read it whole.
                theme.index, theme.authors = ThemeIndex(), {}
                for note in await self._repo.list_notes(theme_id, limit=LIST_ALL):
                    self._put(theme, note)
            theme.marks = marks
        return theme

    @staticmethod
    def _put(theme: _Theme, note: Note) -> None:
        theme.authors[note.id] = note.author_id
        text = _words(note)
        if text is None:
            theme.index.remove(note.id)
        else:
            theme.index.add(note.id, text)

    async def alike(self, theme_id: int, text: str, *, writer: int) -> Match | None:
        """The visible note most like this text, never one of the writer's own."""
        theme = await self._synced(theme_id)
        own = [note_id for note_id, author in theme.authors.items() if author == writer]
        found = theme.index.similar(text, exclude=own, limit=1)
        return found[0] if found else None

    async def ranked(self, theme_id: int, text: str, *, exclude: Collection[int]) -> list[int]:
        """The visible notes sharing a word with this text, most alike first (for Dubbel)."""
        theme = await self._synced(theme_id)
        return [match.note_id for match in theme.index.ranked(text, exclude=exclude)]

    async def groups(self, theme_id: int) -> list[Group]:
        """The board's notes in groups of alike ones, largest first; voice notes stand alone."""
        theme = await self._synced(theme_id)
        groups = theme.index.groups()
        alone = sorted(set(theme.authors) - {n for g in groups for n in g.note_ids})
        return [*groups, *(Group((), (note_id,)) for note_id in alone)]
