"""The square's storage (notes heard in person, board photos, cards, contacts) in shared SQL."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from storage.connection import Row
from storage.models import (
    BoardPhoto,
    CardCounts,
    InPersonContact,
    Note,
    NoteOrigin,
    NoteStatus,
    Quadrant,
)
from storage.sql_core import SqlCore, _parse_ts, _placeholders, _ts
from storage.square_repository import SquareRepository

# Run before the core's steps: the contacts stay (they are the person at the stand's, kept for
# their purpose), only the link to the ambassador who noted them goes.
_ERASE_SQUARE: tuple[str, ...] = (
    "UPDATE in_person_contacts SET noted_by = NULL WHERE noted_by = :user_id",
)


def _photo(row: Row) -> BoardPhoto:
    return BoardPhoto(
        id=row["id"],
        theme_id=row["theme_id"],
        file_id=row["file_id"],
        done=row["status"] == "done",
        approved=bool(row["approved"]),
        created_at=_parse_ts(row["created_at"]),
    )


def _contact(row: Row) -> InPersonContact:
    return InPersonContact(
        id=row["id"],
        theme_id=row["theme_id"],
        first_name=row["first_name"],
        phone=row["phone"],
        email=row["email"],
        purpose=row["purpose"],
        consent=row["consent"],
        noted_by=row["noted_by"],
        noted_on=date.fromisoformat(row["noted_on"]),
    )


class SqlSquare(SqlCore, SquareRepository):
    def _erase_steps(self) -> tuple[str, ...]:
        return _ERASE_SQUARE + super()._erase_steps()

    async def count_in_person(
        self, theme_id: int, statuses: Collection[NoteStatus] = (NoteStatus.VISIBLE,)
    ) -> int:
        wanted = [status.value for status in dict.fromkeys(statuses)]
        if not wanted:
            return 0
        row = await self._select_one(
            "SELECT COUNT(*) AS n FROM notes WHERE theme_id = ? AND origin = ?"
            f" AND status IN ({_placeholders(len(wanted))}) AND quadrant IS NOT NULL"
            " AND quadrant <> ?",
            (theme_id, NoteOrigin.IN_PERSON.value, *wanted, Quadrant.OTHER.value),
        )
        return 0 if row is None else int(row["n"])

    async def set_note_heard_in(self, note_id: int, heard_in: str | None) -> Note | None:
        return await self._update_note(note_id, "heard_in = ?", (heard_in,))

    async def add_board_photo(
        self, theme_id: int, file_id: str, *, source_update_id: int | None
    ) -> BoardPhoto:
        async with self._write() as conn:
            row = await conn.fetch_one(
                "INSERT INTO board_photos (theme_id, file_id, source_update_id, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (source_update_id) DO NOTHING RETURNING *",
                (theme_id, file_id, source_update_id, self._now()),
            )
            if row is None:
                row = await conn.fetch_one(
                    "SELECT * FROM board_photos WHERE source_update_id = ?", (source_update_id,)
                )
        assert row is not None
        return _photo(row)

    async def get_board_photo(self, photo_id: int) -> BoardPhoto | None:
        row = await self._select_one("SELECT * FROM board_photos WHERE id = ?", (photo_id,))
        return None if row is None else _photo(row)

    async def waiting_board_photos(self, theme_ids: Collection[int]) -> list[BoardPhoto]:
        ids = list(dict.fromkeys(theme_ids))
        if not ids:
            return []
        rows = await self._select(
            f"SELECT * FROM board_photos WHERE theme_id IN ({_placeholders(len(ids))})"
            " AND status = 'waiting' ORDER BY id",
            ids,
        )
        return [_photo(row) for row in rows]

    async def finish_board_photo(self, photo_id: int, now: datetime) -> bool:
        async with self._write() as conn:
            changed = await conn.execute(
                "UPDATE board_photos SET status = 'done', done_at = ?"
                " WHERE id = ? AND status = 'waiting'",
                (_ts(now), photo_id),
            )
        return changed > 0

    async def approve_board_photo(self, photo_id: int) -> bool:
        async with self._write() as conn:
            changed = await conn.execute(
                "UPDATE board_photos SET approved = 1 WHERE id = ?", (photo_id,)
            )
        return changed > 0

    async def public_board_photos(self, theme_id: int) -> list[BoardPhoto]:
        rows = await self._select(
            "SELECT * FROM board_photos WHERE theme_id = ? AND approved = 1 ORDER BY id",
            (theme_id,),
        )
        return [_photo(row) for row in rows]

    async def count_photo_notes(self, photo_id: int) -> int:
        row = await self._select_one(
            "SELECT COUNT(*) AS n FROM notes WHERE board_photo_id = ?", (photo_id,)
        )
        return 0 if row is None else int(row["n"])

    async def create_invitation_card(self, theme_id: int, token_hash: str, now: datetime) -> int:
        async with self._write() as conn:
            return await conn.insert(
                "INSERT INTO invitation_cards (theme_id, token_hash, created_at) VALUES (?, ?, ?)",
                (theme_id, token_hash, _ts(now)),
            )

    async def use_invitation_card(self, token_hash: str, now: datetime) -> int | None:
        async with self._write() as conn:
            changed = await conn.execute(
                "UPDATE invitation_cards SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
                (_ts(now), token_hash),
            )
            if not changed:
                return None
            row = await conn.fetch_one(
                "SELECT theme_id FROM invitation_cards WHERE token_hash = ?", (token_hash,)
            )
        return None if row is None else int(row["theme_id"])

    async def card_counts(self, theme_id: int) -> CardCounts:
        row = await self._select_one(
            "SELECT COUNT(*) AS printed, COUNT(used_at) AS used FROM invitation_cards"
            " WHERE theme_id = ?",
            (theme_id,),
        )
        if row is None:
            return CardCounts(0, 0)
        return CardCounts(printed=int(row["printed"]), used=int(row["used"]))

    async def add_in_person_contact(
        self,
        theme_id: int,
        *,
        first_name: str,
        phone: str | None,
        email: str | None,
        noted_by: int,
        noted_on: date,
    ) -> InPersonContact:
        async with self._write() as conn:
            new_id = await conn.insert(
                "INSERT INTO in_person_contacts (theme_id, first_name, phone, email, noted_by,"
                " noted_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (theme_id, first_name, phone, email, noted_by, noted_on.isoformat(), self._now()),
            )
            row = await conn.fetch_one("SELECT * FROM in_person_contacts WHERE id = ?", (new_id,))
        assert row is not None
        return _contact(row)

    async def list_in_person_contacts(self, theme_id: int) -> list[InPersonContact]:
        rows = await self._select(
            "SELECT * FROM in_person_contacts WHERE theme_id = ? ORDER BY id", (theme_id,)
        )
        return [_contact(row) for row in rows]

    async def delete_in_person_contact(self, contact_id: int, theme_id: int) -> bool:
        async with self._write() as conn:
            changed = await conn.execute(
                "DELETE FROM in_person_contacts WHERE id = ? AND theme_id = ?",
                (contact_id, theme_id),
            )
        return changed > 0

    async def forget_in_person_contacts(self, closed_before: datetime) -> int:
        async with self._write() as conn:
            return await conn.execute(
                "DELETE FROM in_person_contacts WHERE theme_id IN (SELECT id FROM themes"
                " WHERE status = 'closed' AND closed_at IS NOT NULL AND closed_at <= ?)",
                (_ts(closed_before),),
            )

    async def next_contacts_closing(self) -> datetime | None:
        row = await self._select_one(
            "SELECT MIN(t.closed_at) AS first FROM in_person_contacts c"
            " JOIN themes t ON t.id = c.theme_id"
            " WHERE t.status = 'closed' AND t.closed_at IS NOT NULL"
        )
        return None if row is None or row["first"] is None else _parse_ts(row["first"])
