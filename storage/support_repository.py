"""Support of notes ("ik ook"): who says a note is theirs too, counted but never shown."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime

from storage.models import Note


class SupportRepository(ABC):
    @abstractmethod
    async def add_support(
        self, note_id: int, supporter_id: int, *, via_note_id: int | None = None
    ) -> bool:
        """Count a resident's "ik ook" for a visible note not their own; False if not new."""

    @abstractmethod
    async def remove_support(self, note_id: int, supporter_id: int) -> bool:
        """Take a resident's "ik ook" back; False when there was none."""

    @abstractmethod
    async def supported_notes(self, supporter_id: int, note_ids: list[int]) -> set[int]:
        """Which of these notes the resident said "ik ook" to."""

    @abstractmethod
    async def waiting_drafts(
        self, author_id: int, theme_id: int, note_ids: Sequence[int]
    ) -> dict[int, str]:
        """The writer's text drafts among these that wait only for a place, oldest first.

        Not placed, not sent in, not kept as "ik ook" with another note (quick notes); each
        id with its text.
        """

    @abstractmethod
    async def counted_notes(self, supporter_id: int) -> set[int]:
        """The resident's own notes kept with another ("Ja, ik ook" while writing)."""

    @abstractmethod
    async def support_counts(self, theme_id: int) -> dict[int, int]:
        """Per note of the theme, how many said "ik ook" (notes without any left out)."""

    @abstractmethod
    async def list_notes_by_support(
        self, theme_id: int, *, limit: int = 10, offset: int = 0
    ) -> list[Note]:
        """A theme's visible notes, the most shared first ("ik ook" and duplicates), then newest."""

    @abstractmethod
    async def notes_changed_since(self, theme_id: int, since: datetime | None) -> list[Note]:
        """The theme's notes (any status) changed at or after a time (all of them for None)."""
