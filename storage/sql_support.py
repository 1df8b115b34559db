"""Support of notes ("ik ook") in shared SQL, layered over the core."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.models import Note
from storage.sql_core import SqlCore, _note, _placeholders, _ts
from storage.support_repository import SupportRepository

# Run by erase_resident before the core's steps: a resident's "ik ook" goes, the count drops.
_ERASE_SUPPORT: tuple[str, ...] = ("DELETE FROM note_support WHERE supporter_id = :user_id",)

# The figure "gedeeld door N" counts the writer, every "ik ook" and every note a moderator
# marked a duplicate of it (the duplicate hidden, in the decision's latest round).
_SHARED = (
    "(SELECT COUNT(*) FROM note_support s WHERE s.note_id = n.id)"
    " + (SELECT COUNT(*) FROM moderation_decisions d JOIN notes h ON h.id = d.note_id"
    " WHERE d.duplicate_of = n.id AND d.decision = 'duplicate' AND h.status = 'hidden'"
    " AND d.round = (SELECT MAX(d2.round) FROM moderation_decisions d2"
    " WHERE d2.note_id = d.note_id))"
)


class SqlSupport(SqlCore, SupportRepository):
    """Support in the SQL both backends share."""

    def _erase_steps(self) -> tuple[str, ...]:
        return _ERASE_SUPPORT + super()._erase_steps()

    async def export_resident(self, user_id: int) -> dict[str, Any]:
        data = await super().export_resident(user_id)
        rows = await self._select(
            "SELECT note_id, via_note_id, created_at FROM note_support"
            " WHERE supporter_id = ? ORDER BY id",
            (user_id,),
        )
        data["support"] = [
            {
                "note_id": row["note_id"],
                "via_note_id": row["via_note_id"],
                "created_at": row["created_at"],
            }
            for row in rows
        ]
        return data

    async def add_support(
        self, note_id: int, supporter_id: int, *, via_note_id: int | None = None
    ) -> bool:
        async with self._write() as conn:
            # Only a note on the board, and never one's own; a second "ik ook" changes nothing.
            return (
                await conn.execute(
                    "INSERT INTO note_support (note_id, supporter_id, via_note_id, created_at)"
                    " SELECT n.id, ?, ?, ? FROM notes n WHERE n.id = ? AND n.status = 'visible'"
                    " AND (n.author_id IS NULL OR n.author_id <> ?)"
                    " ON CONFLICT (note_id, supporter_id) DO NOTHING",
                    (supporter_id, via_note_id, self._now(), note_id, supporter_id),
                )
                > 0
            )

    async def remove_support(self, note_id: int, supporter_id: int) -> bool:
        async with self._write() as conn:
            return (
                await conn.execute(
                    "DELETE FROM note_support WHERE note_id = ? AND supporter_id = ?",
                    (note_id, supporter_id),
                )
                > 0
            )

    async def supported_notes(self, supporter_id: int, note_ids: list[int]) -> set[int]:
        if not note_ids:
            return set()
        rows = await self._select(
            "SELECT note_id FROM note_support WHERE supporter_id = ?"
            f" AND note_id IN ({_placeholders(len(note_ids))})",
            (supporter_id, *note_ids),
        )
        return {int(row["note_id"]) for row in rows}

    async def waiting_drafts(
        self, author_id: int, theme_id: int, note_ids: Sequence[int]
    ) -> dict[int, str]:
        if not note_ids:
            return {}
        rows = await self._select(
            f"SELECT n.id, n.text FROM notes n WHERE n.id IN ({_placeholders(len(note_ids))})"
            " AND n.author_id = ? AND n.theme_id = ? AND n.kind = 'text'"
            " AND n.status = 'draft' AND n.quadrant IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM note_support s WHERE s.via_note_id = n.id AND s.supporter_id = ?)"
            " ORDER BY n.id",
            (*note_ids, author_id, theme_id, author_id),
        )
        return {int(row["id"]): str(row["text"]) for row in rows}

    async def counted_notes(self, supporter_id: int) -> set[int]:
        rows = await self._select(
            "SELECT via_note_id FROM note_support"
            " WHERE supporter_id = ? AND via_note_id IS NOT NULL",
            (supporter_id,),
        )
        return {int(row["via_note_id"]) for row in rows}

    async def support_counts(self, theme_id: int) -> dict[int, int]:
        rows = await self._select(
            "SELECT s.note_id, COUNT(*) AS n FROM note_support s"
            " JOIN notes n ON n.id = s.note_id WHERE n.theme_id = ? GROUP BY s.note_id",
            (theme_id,),
        )
        return {int(row["note_id"]): int(row["n"]) for row in rows}

    async def list_notes_by_support(
        self, theme_id: int, *, limit: int = 10, offset: int = 0
    ) -> list[Note]:
        rows = await self._select(
            f"SELECT n.*, {_SHARED} AS shared FROM notes n"
            " WHERE n.theme_id = ? AND n.status = 'visible' AND n.quadrant IS NOT NULL"
            " ORDER BY shared DESC, n.id DESC LIMIT ? OFFSET ?",
            (theme_id, limit, offset),
        )
        return [_note(row) for row in rows]

    async def notes_changed_since(self, theme_id: int, since: datetime | None) -> list[Note]:
        # At or after: two changes may share a timestamp (a manual clock, a fast replica);
        # reading the last one again is harmless. notes_changed_idx makes it one index range.
        rows = await self._select(
            "SELECT * FROM notes WHERE theme_id = ? AND updated_at >= ? ORDER BY id",
            (theme_id, "" if since is None else _ts(since)),
        )
        return [_note(row) for row in rows]
