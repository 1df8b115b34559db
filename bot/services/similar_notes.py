"""The notes of a theme that say nearly the same, kept in memory per theme and synced with storage.

The database stays the truth: before each question the index reads the theme's notes changed
since the last change it saw (one index range, usually a note or two): visible ones go in,
any other (hidden, waiting, moved back to draft) goes out. So a restart, a second replica or
a moderator's decision elsewhere never leaves it behind. A deleted note changes nothing it
could see; it may linger in the index, and callers read a note before they show it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from bot.village.similarity import Group, Match, ThemeIndex
from storage.models import Note, NoteKind, NoteStatus
from storage.repository import Repository

LIST_ALL = 1_000_000  # "all of a theme's notes" for list_notes()


@dataclass
class _Theme:
    index: ThemeIndex = field(default_factory=ThemeIndex)
    authors: dict[int, int | None] = field(default_factory=dict)
    # Per writer their notes in the index: "never the writer's own" without a walk over all.
    by_author: dict[int | None, set[int]] = field(default_factory=dict)
    changed: datetime | None = None  # the last change read; None: never read
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
            for note in await self._repo.notes_changed_since(theme_id, theme.changed):
                self._put(theme, note)
                if theme.changed is None or note.updated_at > theme.changed:
                    theme.changed = note.updated_at
        return theme

    @staticmethod
    def _put(theme: _Theme, note: Note) -> None:
        text = _words(note) if note.status == NoteStatus.VISIBLE else None
        before = theme.authors.pop(note.id, None)
        theme.by_author.get(before, set()).discard(note.id)
        if text is not None:
            theme.authors[note.id] = note.author_id
            theme.by_author.setdefault(note.author_id, set()).add(note.id)
        if text is None:
            theme.index.remove(note.id)
        else:
            theme.index.add(note.id, text)

    async def alike(self, theme_id: int, text: str, *, writer: int) -> Match | None:
        """The visible note most like this text, never one of the writer's own."""
        theme = await self._synced(theme_id)
        own = theme.by_author.get(writer, set())
        found = theme.index.similar(text, exclude=own, limit=1)
        return found[0] if found else None

    async def ranked(self, theme_id: int, text: str, *, exclude: Collection[int]) -> list[int]:
        """The visible notes sharing a word with this text, most alike first (for Dubbel)."""
        theme = await self._synced(theme_id)
        return [match.note_id for match in theme.index.ranked(text, exclude=exclude)]

    async def groups(self, theme_id: int) -> list[Group]:
        """The board's notes with words in groups of alike ones, largest first."""
        theme = await self._synced(theme_id)
        return theme.index.groups()
