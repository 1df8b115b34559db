"""Conversation tables and the timeline in shared SQL, layered over the core like the outbox."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from storage.connection import Connection, Row
from storage.models import (
    CardField,
    Commitment,
    FollowUpWriter,
    JoinResult,
    MemberStatus,
    Moment,
    MomentKind,
    MomentStatus,
    NewMessage,
    PlannedReminder,
    Recipient,
    ReminderStatus,
    TableDigest,
    TableMember,
    TalkTable,
)
from storage.serialized import Serialized
from storage.sql_core import THEME_CODE_ALPHABET, SqlCore, _parse_ts, _placeholders, _ts
from storage.sql_outbox import enqueue_messages
from storage.tables_repository import TablesRepository

TABLE_CODE_LENGTH = 10
_CODE_ATTEMPTS = 20

# Run before the core's steps (which delete the resident row last). Memberships and answers
# go; tables and moments are the village's, so only the link to the person goes, and the
# initiator's name typed on the card goes with it.
_ERASE_TABLES: tuple[str, ...] = (
    "DELETE FROM table_members WHERE user_id = :user_id",
    "DELETE FROM moment_rsvps WHERE user_id = :user_id",
    "UPDATE talk_tables SET initiator_name = '', initiator_id = NULL WHERE initiator_id = :user_id",
    "UPDATE talk_tables SET created_by = NULL WHERE created_by = :user_id",
    "UPDATE table_changes SET edited_by = NULL WHERE edited_by = :user_id",
    "UPDATE moments SET created_by = NULL WHERE created_by = :user_id",
)

_TEXT_FIELDS = {
    CardField.TITLE: "title",
    CardField.INITIATOR: "initiator_name",
    CardField.WHAT: "what",
    CardField.AMBITIONS: "ambitions",
    CardField.AGREEMENTS: "agreements",
    CardField.WORKING: "working",
}


def _table(row: Row) -> TalkTable:
    return TalkTable(
        id=row["id"],
        theme_id=row["theme_id"],
        code=row["code"],
        title=row["title"],
        initiator_name=row["initiator_name"],
        initiator_id=row["initiator_id"],
        what=row["what"],
        ambitions=row["ambitions"],
        agreements=row["agreements"],
        working=row["working"],
        capacity=row["capacity"],
        created_by=row["created_by"],
        created_at=_parse_ts(row["created_at"]),
        updated_at=_parse_ts(row["updated_at"]),
    )


def _member(row: Row) -> TableMember:
    return TableMember(
        table_id=row["table_id"],
        user_id=row["user_id"],
        status=MemberStatus(row["status"]),
        commitment=Commitment(row["commitment"]),
        how=row["how"],
        first_name=row["first_name"],
        seq=row["seq"],
        joined_at=_parse_ts(row["joined_at"]),
    )


def _moment(row: Row) -> Moment:
    return Moment(
        id=row["id"],
        theme_id=row["theme_id"],
        table_id=row["table_id"],
        kind=MomentKind(row["kind"]),
        title=row["title"],
        starts_at=_parse_ts(row["starts_at"]),
        place=row["place"],
        status=MomentStatus(row["status"]),
        remind_theme=bool(row["remind_theme"]),
        sequence=row["sequence"],
        created_by=row["created_by"],
        created_at=_parse_ts(row["created_at"]),
        updated_at=_parse_ts(row["updated_at"]),
        length_minutes=row["length_minutes"],
    )


def _reminder(row: Row) -> PlannedReminder:
    return PlannedReminder(
        id=row["id"],
        moment_id=row["moment_id"],
        offset_minutes=row["offset_minutes"],
        starts_at=_parse_ts(row["starts_at"]),
        due_at=_parse_ts(row["due_at"]),
        status=ReminderStatus(row["status"]),
    )


def _recipients(rows: list[Row]) -> list[Recipient]:
    return [Recipient(row["user_id"], row["language"]) for row in rows]


def new_table_code() -> str:
    return "".join(secrets.choice(THEME_CODE_ALPHABET) for _ in range(TABLE_CODE_LENGTH))


_ORDER_MEMBERS = " ORDER BY CASE status WHEN 'member' THEN 0 ELSE 1 END, seq"


class SqlTables(SqlCore, TablesRepository):
    def _erase_steps(self) -> tuple[str, ...]:
        return _ERASE_TABLES + super()._erase_steps()

    async def export_resident(self, user_id: int) -> dict[str, Any]:
        data = await super().export_resident(user_id)
        members = await self._select(
            "SELECT m.*, t.title AS table_title FROM table_members m"
            " JOIN talk_tables t ON t.id = m.table_id WHERE m.user_id = ? ORDER BY m.table_id",
            (user_id,),
        )
        data["tables"] = [
            {
                "table_id": row["table_id"],
                "table_title": row["table_title"],
                "status": row["status"],
                "commitment": row["commitment"],
                "how": row["how"],
                "first_name_shown": row["first_name"],
                "joined_at": row["joined_at"],
            }
            for row in members
        ]
        initiated = await self._select(
            "SELECT id, title, initiator_name FROM talk_tables WHERE initiator_id = ? ORDER BY id",
            (user_id,),
        )
        data["tables_initiated"] = [
            {"id": row["id"], "title": row["title"], "initiator_name": row["initiator_name"]}
            for row in initiated
        ]
        answers = await self._select(
            "SELECT r.moment_id, r.coming, r.updated_at, m.title, m.starts_at"
            " FROM moment_rsvps r JOIN moments m ON m.id = r.moment_id"
            " WHERE r.user_id = ? ORDER BY r.moment_id",
            (user_id,),
        )
        data["moment_answers"] = [
            {
                "moment_id": row["moment_id"],
                "moment_title": row["title"],
                "starts_at": row["starts_at"],
                "coming": bool(row["coming"]),
                "updated_at": row["updated_at"],
            }
            for row in answers
        ]
        return data

    # -- tables and their card -----------------------------------------------------------

    async def create_table(
        self,
        *,
        theme_id: int,
        title: str,
        initiator_name: str,
        capacity: int | None,
        what: str = "",
        ambitions: str = "",
        agreements: str = "",
        working: str = "",
        created_by: int | None = None,
    ) -> TalkTable:
        now = self._now()
        async with self._write() as conn:
            for _ in range(_CODE_ATTEMPTS):
                code = new_table_code()
                found = await conn.fetch_one("SELECT 1 FROM talk_tables WHERE code = ?", (code,))
                if found is None:
                    break
            else:
                raise RuntimeError("could not find a free table code")
            table_id = await conn.insert(
                "INSERT INTO talk_tables (theme_id, code, title, initiator_name, what, ambitions,"
                " agreements, working, capacity, created_by, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    theme_id,
                    code,
                    title,
                    initiator_name,
                    what,
                    ambitions,
                    agreements,
                    working,
                    capacity,
                    created_by,
                    now,
                    now,
                ),
            )
            row = await conn.fetch_one("SELECT * FROM talk_tables WHERE id = ?", (table_id,))
        assert row is not None
        return _table(row)

    async def get_table(self, table_id: int) -> TalkTable | None:
        row = await self._select_one("SELECT * FROM talk_tables WHERE id = ?", (table_id,))
        return None if row is None else _table(row)

    async def get_table_by_code(self, code: str) -> TalkTable | None:
        row = await self._select_one(
            "SELECT * FROM talk_tables WHERE code = ?", (code.strip().lower(),)
        )
        return None if row is None else _table(row)

    async def list_tables(self, theme_ids: Collection[int]) -> list[TalkTable]:
        ids = list(dict.fromkeys(theme_ids))
        if not ids:
            return []
        rows = await self._select(
            f"SELECT * FROM talk_tables WHERE theme_id IN ({_placeholders(len(ids))}) ORDER BY id",
            ids,
        )
        return [_table(row) for row in rows]

    async def update_table(
        self,
        table_id: int,
        field: CardField,
        value: str | int | None,
        *,
        edited_by: int | None,
        now: datetime,
        digest_after: timedelta,
        digest_within: timedelta,
    ) -> TalkTable | None:
        moment = now
        stamp = _ts(now)
        column = "capacity" if field == CardField.CAPACITY else _TEXT_FIELDS[field]
        # With finish_digest: a change must not slip in between its count and its reset.
        async with self._write(Serialized.CARD, table_id) as conn:
            changed = await conn.execute(
                f"UPDATE talk_tables SET {column} = ?, updated_at = ? WHERE id = ?",
                (value, stamp, table_id),
            )
            if not changed:
                return None
            await conn.execute(
                "INSERT INTO table_changes (table_id, field, edited_by, edited_at)"
                " VALUES (?, ?, ?, ?)",
                (table_id, field.value, edited_by, stamp),
            )
            first = await conn.fetch_one(
                "SELECT MIN(edited_at) AS first FROM table_changes"
                " WHERE table_id = ? AND digested = 0",
                (table_id,),
            )
            first_at = _parse_ts(first["first"]) if first and first["first"] else moment
            due = min(moment + digest_after, first_at + digest_within)
            await conn.execute(
                "UPDATE talk_tables SET digest_due_at = ? WHERE id = ?",
                (_ts(due), table_id),
            )
            row = await conn.fetch_one("SELECT * FROM talk_tables WHERE id = ?", (table_id,))
        return None if row is None else _table(row)

    async def claim_initiator(self, table_id: int, user_id: int) -> bool:
        async with self._write() as conn:
            changed = await conn.execute(
                "UPDATE talk_tables SET initiator_id = ?, updated_at = ?"
                " WHERE id = ? AND (initiator_id IS NULL OR initiator_id = ?)",
                (user_id, self._now(), table_id, user_id),
            )
        return changed == 1

    async def due_digests(self, now: datetime) -> list[TableDigest]:
        tables = await self._select(
            "SELECT id, digest_due_at FROM talk_tables"
            " WHERE digest_due_at IS NOT NULL AND digest_due_at <= ? ORDER BY digest_due_at",
            (_ts(now),),
        )
        digests: list[TableDigest] = []
        for table in tables:
            changes = await self._select(
                "SELECT id, field, edited_by FROM table_changes"
                " WHERE table_id = ? AND digested = 0 ORDER BY id",
                (table["id"],),
            )
            fields = tuple(dict.fromkeys(CardField(row["field"]) for row in changes))
            digests.append(
                TableDigest(
                    table_id=table["id"],
                    due_at=_parse_ts(table["digest_due_at"]),
                    fields=fields,
                    editors=frozenset(
                        row["edited_by"] for row in changes if row["edited_by"] is not None
                    ),
                    last_change_id=max((row["id"] for row in changes), default=0),
                )
            )
        return digests

    async def finish_digest(self, digest: TableDigest, messages: Sequence[NewMessage]) -> bool:
        now = self._now()
        async with self._write(Serialized.CARD, digest.table_id) as conn:
            marked = await conn.execute(
                "UPDATE table_changes SET digested = 1"
                " WHERE table_id = ? AND digested = 0 AND id <= ?",
                (digest.table_id, digest.last_change_id),
            )
            left = await conn.fetch_one(
                "SELECT COUNT(*) AS n FROM table_changes WHERE table_id = ? AND digested = 0",
                (digest.table_id,),
            )
            if not left or not left["n"]:
                await conn.execute(
                    "UPDATE talk_tables SET digest_due_at = NULL WHERE id = ?",
                    (digest.table_id,),
                )
            if not marked and digest.last_change_id:
                return False
            if messages:
                await enqueue_messages(conn, messages, now)
        return True

    # -- members and the waiting list ------------------------------------------------------

    async def join_table(
        self,
        table_id: int,
        user_id: int,
        commitment: Commitment,
        how: str,
        first_name: str | None,
    ) -> JoinResult:
        now = self._now()
        # Capacity and waiting-list order are counted, then changed.
        async with self._write(Serialized.MEMBERSHIPS) as conn:
            existing = await conn.fetch_one(
                "SELECT * FROM table_members WHERE table_id = ? AND user_id = ?",
                (table_id, user_id),
            )
            if existing is not None:
                status = MemberStatus(existing["status"])
                await conn.execute(
                    "UPDATE table_members SET commitment = ?, how = ?, first_name = ?, status = ?"
                    " WHERE table_id = ? AND user_id = ?",
                    (commitment.value, how, first_name, status.value, table_id, user_id),
                )
            else:
                table = await conn.fetch_one(
                    "SELECT capacity FROM talk_tables WHERE id = ?", (table_id,)
                )
                if table is None:
                    raise LookupError(f"no table {table_id}")
                count = await conn.fetch_one(
                    "SELECT COUNT(*) AS n FROM table_members WHERE table_id = ? AND status = ?",
                    (table_id, MemberStatus.MEMBER.value),
                )
                members = int(count["n"]) if count else 0
                waiting = await conn.fetch_one(
                    "SELECT COUNT(*) AS n FROM table_members WHERE table_id = ? AND status = ?",
                    (table_id, MemberStatus.WAITING.value),
                )
                full = table["capacity"] is not None and (
                    members >= table["capacity"] or (waiting is not None and waiting["n"] > 0)
                )
                # One rule for everyone, the initiator too: a full table has a waiting list.
                status = MemberStatus.WAITING if full else MemberStatus.MEMBER
                seq = await conn.fetch_one(
                    "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM table_members"
                    " WHERE table_id = ?",
                    (table_id,),
                )
                await conn.execute(
                    "INSERT INTO table_members (table_id, user_id, status, commitment, how,"
                    " first_name, seq, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        table_id,
                        user_id,
                        status.value,
                        commitment.value,
                        how,
                        first_name,
                        int(seq["next"]) if seq else 1,
                        now,
                    ),
                )
            row = await conn.fetch_one(
                "SELECT * FROM table_members WHERE table_id = ? AND user_id = ?",
                (table_id, user_id),
            )
            assert row is not None
            position = await self._position(conn, row)
        return JoinResult(_member(row), position, already=existing is not None)

    @staticmethod
    async def _position(conn: Connection, row: Row) -> int:
        if row["status"] != MemberStatus.WAITING.value:
            return 0
        ahead = await conn.fetch_one(
            "SELECT COUNT(*) AS n FROM table_members"
            " WHERE table_id = ? AND status = 'waiting' AND seq < ?",
            (row["table_id"], row["seq"]),
        )
        return 1 + (int(ahead["n"]) if ahead else 0)

    async def leave_table(self, table_id: int, user_id: int) -> bool:
        async with self._write(Serialized.MEMBERSHIPS) as conn:
            changed = await conn.execute(
                "DELETE FROM table_members WHERE table_id = ? AND user_id = ?",
                (table_id, user_id),
            )
        return changed > 0

    async def fill_free_places(self, table_id: int | None = None) -> list[TableMember]:
        promoted: list[TableMember] = []
        async with self._write(Serialized.MEMBERSHIPS) as conn:
            sql = (
                "SELECT t.id, t.capacity,"
                " (SELECT COUNT(*) FROM table_members m WHERE m.table_id = t.id"
                "  AND m.status = 'member') AS members"
                " FROM talk_tables t WHERE EXISTS (SELECT 1 FROM table_members w"
                "  WHERE w.table_id = t.id AND w.status = 'waiting')"
            )
            params: tuple[Any, ...] = ()
            if table_id is not None:
                sql += " AND t.id = ?"
                params = (table_id,)
            for table in await conn.fetch_all(sql, params):
                room = None if table["capacity"] is None else table["capacity"] - table["members"]
                if room is not None and room <= 0:
                    continue
                waiting = await conn.fetch_all(
                    "SELECT * FROM table_members WHERE table_id = ? AND status = 'waiting'"
                    " ORDER BY seq" + ("" if room is None else " LIMIT ?"),
                    (table["id"],) if room is None else (table["id"], room),
                )
                for row in waiting:
                    await conn.execute(
                        "UPDATE table_members SET status = 'member'"
                        " WHERE table_id = ? AND user_id = ?",
                        (row["table_id"], row["user_id"]),
                    )
                    member = _member(row)
                    promoted.append(
                        TableMember(
                            table_id=member.table_id,
                            user_id=member.user_id,
                            status=MemberStatus.MEMBER,
                            commitment=member.commitment,
                            how=member.how,
                            first_name=member.first_name,
                            seq=member.seq,
                            joined_at=member.joined_at,
                        )
                    )
        return promoted

    async def get_member(self, table_id: int, user_id: int) -> TableMember | None:
        row = await self._select_one(
            "SELECT * FROM table_members WHERE table_id = ? AND user_id = ?", (table_id, user_id)
        )
        return None if row is None else _member(row)

    async def list_members(self, table_id: int) -> list[TableMember]:
        rows = await self._select(
            "SELECT * FROM table_members WHERE table_id = ?" + _ORDER_MEMBERS, (table_id,)
        )
        return [_member(row) for row in rows]

    async def memberships_of(self, user_id: int) -> list[TableMember]:
        rows = await self._select(
            "SELECT * FROM table_members WHERE user_id = ? ORDER BY table_id", (user_id,)
        )
        return [_member(row) for row in rows]

    async def set_member_name(self, table_id: int, user_id: int, first_name: str | None) -> None:
        async with self._write() as conn:
            await conn.execute(
                "UPDATE table_members SET first_name = ? WHERE table_id = ? AND user_id = ?",
                (first_name, table_id, user_id),
            )

    async def waiting_position(self, table_id: int, user_id: int) -> int:
        async with self._read() as conn:
            row = await conn.fetch_one(
                "SELECT * FROM table_members WHERE table_id = ? AND user_id = ?",
                (table_id, user_id),
            )
            return 0 if row is None else await self._position(conn, row)

    async def invitation_recipients(self, theme_id: int, table_id: int) -> list[Recipient]:
        rows = await self._select(
            "SELECT r.user_id, r.language FROM residents r"
            " JOIN consents c ON c.user_id = r.user_id AND c.purpose = 'contact'"
            " AND c.granted = 1"
            " WHERE r.active = 1"
            " AND EXISTS (SELECT 1 FROM notes n WHERE n.theme_id = ? AND n.author_id = r.user_id)"
            " AND NOT EXISTS (SELECT 1 FROM table_members m WHERE m.table_id = ?"
            "  AND m.user_id = r.user_id)"
            " ORDER BY r.user_id",
            (theme_id, table_id),
        )
        return _recipients(rows)

    async def link_table_notes(self, table_id: int, note_ids: Collection[int]) -> None:
        if not note_ids:
            return
        async with self._write() as conn:
            await conn.executemany(
                "INSERT INTO talk_table_notes (table_id, note_id) VALUES (?, ?)"
                " ON CONFLICT (table_id, note_id) DO NOTHING",
                [(table_id, note_id) for note_id in sorted(set(note_ids))],
            )

    async def table_note_ids(self, table_id: int) -> list[int]:
        rows = await self._select(
            "SELECT note_id FROM talk_table_notes WHERE table_id = ? ORDER BY note_id",
            (table_id,),
        )
        return [int(row["note_id"]) for row in rows]

    async def set_table_notes(self, table_id: int, note_ids: Collection[int]) -> list[int]:
        wanted = sorted(set(note_ids))
        # Two ambassadors saving the same card at once must not both count a note as new.
        async with self._write(Serialized.CARD, table_id) as conn:
            rows = await conn.fetch_all(
                "SELECT note_id FROM talk_table_notes WHERE table_id = ?", (table_id,)
            )
            linked = {int(row["note_id"]) for row in rows}
            gone = sorted(linked - set(wanted))
            if gone:
                await conn.executemany(
                    "DELETE FROM talk_table_notes WHERE table_id = ? AND note_id = ?",
                    [(table_id, note_id) for note_id in gone],
                )
            added = [note_id for note_id in wanted if note_id not in linked]
            if added:
                await conn.executemany(
                    "INSERT INTO talk_table_notes (table_id, note_id) VALUES (?, ?)"
                    " ON CONFLICT (table_id, note_id) DO NOTHING",
                    [(table_id, note_id) for note_id in added],
                )
        return added

    async def follow_up_writers(
        self, table_id: int, note_ids: Collection[int] | None = None
    ) -> list[FollowUpWriter]:
        only = sorted(set(note_ids)) if note_ids is not None else None
        if only is not None and not only:
            return []
        among = f" AND n.id IN ({_placeholders(len(only))})" if only else ""
        rows = await self._select(
            "SELECT r.user_id, r.language, n.text, n.id FROM talk_table_notes l"
            " JOIN notes n ON n.id = l.note_id"
            " JOIN residents r ON r.user_id = n.author_id"
            " JOIN consents c ON c.user_id = r.user_id AND c.purpose = 'follow_up'"
            " AND c.granted = 1"
            f" WHERE l.table_id = ? AND r.active = 1{among}"
            " ORDER BY r.user_id, n.id",
            (table_id, *(only or ())),
        )
        writers: dict[int, FollowUpWriter] = {}
        for row in rows:
            uid = int(row["user_id"])
            if uid not in writers:
                writers[uid] = FollowUpWriter(uid, str(row["language"]), str(row["text"]))
        return list(writers.values())

    async def tables_from_notes(self, theme_id: int) -> dict[int, list[str]]:
        rows = await self._select(
            "SELECT DISTINCT n.author_id, t.id, t.title FROM talk_tables t"
            " JOIN talk_table_notes l ON l.table_id = t.id"
            " JOIN notes n ON n.id = l.note_id"
            " JOIN consents c ON c.user_id = n.author_id AND c.purpose = 'follow_up'"
            " AND c.granted = 1"
            " WHERE t.theme_id = ? ORDER BY n.author_id, t.id",
            (theme_id,),
        )
        found: dict[int, list[str]] = {}
        for row in rows:
            found.setdefault(int(row["author_id"]), []).append(str(row["title"]))
        return found

    async def count_tables(self, theme_id: int) -> int:
        row = await self._select_one(
            "SELECT COUNT(*) AS n FROM talk_tables WHERE theme_id = ?", (theme_id,)
        )
        return int(row["n"]) if row else 0

    async def count_commitments(self, theme_id: int) -> int:
        row = await self._select_one(
            "SELECT COUNT(*) AS n FROM table_members m JOIN talk_tables t ON t.id = m.table_id"
            " WHERE t.theme_id = ? AND m.status = 'member'",
            (theme_id,),
        )
        return int(row["n"]) if row else 0

    # -- moments -----------------------------------------------------------------------------

    async def _add_reminders(
        self,
        conn: Connection,
        moment_id: int,
        starts_at: datetime,
        reminders: Sequence[tuple[int, datetime]],
        now: str,
    ) -> int:
        return await conn.executemany(
            "INSERT INTO moment_reminders (moment_id, offset_minutes, starts_at, due_at,"
            " status, updated_at) VALUES (?, ?, ?, ?, 'pending', ?)"
            " ON CONFLICT (moment_id, starts_at, offset_minutes) DO NOTHING",
            [(moment_id, offset, _ts(starts_at), _ts(due), now) for offset, due in reminders],
        )

    async def create_moment(
        self,
        *,
        theme_id: int,
        table_id: int | None,
        kind: MomentKind,
        title: str,
        starts_at: datetime,
        place: str,
        remind_theme: bool,
        created_by: int | None,
        reminders: Sequence[tuple[int, datetime]],
        length_minutes: int | None = None,
    ) -> Moment:
        now = self._now()
        async with self._write() as conn:
            moment_id = await conn.insert(
                "INSERT INTO moments (theme_id, table_id, kind, title, starts_at, place,"
                " remind_theme, created_by, created_at, updated_at, length_minutes)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    theme_id,
                    table_id,
                    kind.value,
                    title,
                    _ts(starts_at),
                    place,
                    int(remind_theme),
                    created_by,
                    now,
                    now,
                    length_minutes,
                ),
            )
            await self._add_reminders(conn, moment_id, starts_at, reminders, now)
            row = await conn.fetch_one("SELECT * FROM moments WHERE id = ?", (moment_id,))
        assert row is not None
        return _moment(row)

    async def get_moment(self, moment_id: int) -> Moment | None:
        row = await self._select_one("SELECT * FROM moments WHERE id = ?", (moment_id,))
        return None if row is None else _moment(row)

    async def closing_moment(self, theme_id: int) -> Moment | None:
        row = await self._select_one(
            "SELECT * FROM moments WHERE theme_id = ? AND kind = 'closing' AND status = 'planned'",
            (theme_id,),
        )
        return None if row is None else _moment(row)

    async def upcoming_moments(
        self,
        now: datetime,
        *,
        theme_ids: Collection[int],
        table_ids: Collection[int] = (),
        user_id: int | None = None,
        with_tables: bool = False,
        limit: int = 30,
    ) -> list[Moment]:
        themes = list(dict.fromkeys(theme_ids))
        tables = list(dict.fromkeys(table_ids))
        where: list[str] = []
        params: list[Any] = [_ts(now)]
        if themes:
            scope = "" if with_tables else " AND table_id IS NULL"
            where.append(f"(theme_id IN ({_placeholders(len(themes))}){scope})")
            params.extend(themes)
        if tables:
            where.append(f"table_id IN ({_placeholders(len(tables))})")
            params.extend(tables)
        if user_id is not None:
            where.append(
                "EXISTS (SELECT 1 FROM moment_rsvps r WHERE r.moment_id = moments.id"
                " AND r.user_id = ? AND r.coming = 1)"
            )
            params.append(user_id)
        if not where:
            return []
        rows = await self._select(
            "SELECT * FROM moments WHERE status = 'planned' AND starts_at > ?"
            f" AND ({' OR '.join(where)}) ORDER BY starts_at, id LIMIT ?",
            (*params, limit),
        )
        return [_moment(row) for row in rows]

    async def upcoming_planned(self, now: datetime) -> list[Moment]:
        rows = await self._select(
            "SELECT * FROM moments WHERE status = 'planned' AND starts_at > ?"
            " ORDER BY starts_at, id",
            (_ts(now),),
        )
        return [_moment(row) for row in rows]

    async def move_moment(
        self, moment_id: int, starts_at: datetime, reminders: Sequence[tuple[int, datetime]]
    ) -> Moment | None:
        now = self._now()
        async with self._write() as conn:
            changed = await conn.execute(
                "UPDATE moments SET starts_at = ?, sequence = sequence + 1, updated_at = ?"
                " WHERE id = ? AND status = 'planned'",
                (_ts(starts_at), now, moment_id),
            )
            if not changed:
                return None
            await conn.execute(
                "UPDATE moment_reminders SET status = 'cancelled', updated_at = ?"
                " WHERE moment_id = ? AND status = 'pending'",
                (now, moment_id),
            )
            await self._add_reminders(conn, moment_id, starts_at, reminders, now)
            row = await conn.fetch_one("SELECT * FROM moments WHERE id = ?", (moment_id,))
        return None if row is None else _moment(row)

    async def cancel_moment(self, moment_id: int) -> Moment | None:
        now = self._now()
        async with self._write() as conn:
            changed = await conn.execute(
                "UPDATE moments SET status = 'cancelled', sequence = sequence + 1, updated_at = ?"
                " WHERE id = ? AND status = 'planned'",
                (now, moment_id),
            )
            if not changed:
                return None
            await conn.execute(
                "UPDATE moment_reminders SET status = 'cancelled', updated_at = ?"
                " WHERE moment_id = ? AND status = 'pending'",
                (now, moment_id),
            )
            row = await conn.fetch_one("SELECT * FROM moments WHERE id = ?", (moment_id,))
        return None if row is None else _moment(row)

    async def set_remind_theme(self, moment_id: int, remind_theme: bool) -> Moment | None:
        async with self._write() as conn:
            await conn.execute(
                "UPDATE moments SET remind_theme = ?, updated_at = ? WHERE id = ?",
                (int(remind_theme), self._now(), moment_id),
            )
        return await self.get_moment(moment_id)

    async def count_moments_held(self, theme_id: int, now: datetime) -> int:
        row = await self._select_one(
            "SELECT COUNT(*) AS n FROM moments WHERE theme_id = ? AND status = 'planned'"
            " AND starts_at <= ?",
            (theme_id, _ts(now)),
        )
        return int(row["n"]) if row else 0

    # -- who comes ---------------------------------------------------------------------------

    async def set_rsvp(self, moment_id: int, user_id: int, coming: bool) -> None:
        async with self._write() as conn:
            await conn.execute(
                "INSERT INTO moment_rsvps (moment_id, user_id, coming, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (moment_id, user_id) DO UPDATE SET"
                " coming = excluded.coming, updated_at = excluded.updated_at",
                (moment_id, user_id, int(coming), self._now()),
            )

    async def get_rsvp(self, moment_id: int, user_id: int) -> bool | None:
        row = await self._select_one(
            "SELECT coming FROM moment_rsvps WHERE moment_id = ? AND user_id = ?",
            (moment_id, user_id),
        )
        return None if row is None else bool(row["coming"])

    async def rsvp_counts(self, moment_id: int) -> tuple[int, int]:
        row = await self._select_one(
            "SELECT COALESCE(SUM(coming), 0) AS yes, COUNT(*) - COALESCE(SUM(coming), 0) AS no"
            " FROM moment_rsvps WHERE moment_id = ?",
            (moment_id,),
        )
        return (int(row["yes"]), int(row["no"])) if row else (0, 0)

    async def rsvp_recipients(self, moment_id: int) -> list[Recipient]:
        rows = await self._select(
            "SELECT r.user_id, r.language FROM residents r JOIN moment_rsvps v"
            " ON v.user_id = r.user_id AND v.moment_id = ? AND v.coming = 1"
            " WHERE r.active = 1 ORDER BY r.user_id",
            (moment_id,),
        )
        return _recipients(rows)

    async def moment_audience(self, moment: Moment) -> list[Recipient]:
        rows = await self._select(
            "SELECT r.user_id, r.language FROM residents r WHERE r.active = 1 AND ("
            " EXISTS (SELECT 1 FROM table_members m WHERE m.table_id = :table"
            "  AND m.user_id = r.user_id AND m.status = 'member')"
            " OR EXISTS (SELECT 1 FROM moment_rsvps v WHERE v.moment_id = :moment"
            "  AND v.user_id = r.user_id AND v.coming = 1)"
            " OR (:widen = 1 AND (EXISTS (SELECT 1 FROM notes n WHERE n.theme_id = :theme"
            "  AND n.author_id = r.user_id) OR EXISTS (SELECT 1 FROM table_members m"
            "  JOIN talk_tables t ON t.id = m.table_id WHERE t.theme_id = :theme"
            "  AND m.user_id = r.user_id AND m.status = 'member'))))"
            " AND NOT EXISTS (SELECT 1 FROM moment_rsvps v WHERE v.moment_id = :moment"
            "  AND v.user_id = r.user_id AND v.coming = 0)"
            " ORDER BY r.user_id",
            {
                "table": moment.table_id,
                "moment": moment.id,
                "widen": int(moment.remind_theme),
                "theme": moment.theme_id,
            },
        )
        return _recipients(rows)

    async def moment_invitees(self, moment: Moment) -> list[Recipient]:
        if moment.table_id is not None:
            rows = await self._select(
                "SELECT r.user_id, r.language FROM residents r JOIN table_members m"
                " ON m.user_id = r.user_id AND m.table_id = ? AND m.status = 'member'"
                " WHERE r.active = 1 ORDER BY r.user_id",
                (moment.table_id,),
            )
            return _recipients(rows)
        rows = await self._select(
            "SELECT r.user_id, r.language FROM residents r WHERE r.active = 1 AND ("
            " EXISTS (SELECT 1 FROM notes n WHERE n.theme_id = :theme"
            "  AND n.author_id = r.user_id) OR EXISTS (SELECT 1 FROM table_members m"
            "  JOIN talk_tables t ON t.id = m.table_id WHERE t.theme_id = :theme"
            "  AND m.user_id = r.user_id AND m.status = 'member'))"
            " ORDER BY r.user_id",
            {"theme": moment.theme_id},
        )
        return _recipients(rows)

    # -- reminders ---------------------------------------------------------------------------

    async def plan_reminders(
        self, moment_id: int, starts_at: datetime, reminders: Sequence[tuple[int, datetime]]
    ) -> int:
        now = self._now()
        offsets = [offset for offset, _ in reminders]
        async with self._write() as conn:
            sql = (
                "UPDATE moment_reminders SET status = 'cancelled', updated_at = ?"
                " WHERE moment_id = ? AND status = 'pending' AND (starts_at <> ?"
            )
            params: list[Any] = [now, moment_id, _ts(starts_at)]
            if offsets:
                sql += f" OR offset_minutes NOT IN ({_placeholders(len(offsets))}))"
                params.extend(offsets)
            else:
                sql += " OR 1 = 1)"
            await conn.execute(sql, params)
            return await self._add_reminders(conn, moment_id, starts_at, reminders, now)

    async def due_reminders(self, now: datetime) -> list[PlannedReminder]:
        rows = await self._select(
            "SELECT * FROM moment_reminders WHERE status = 'pending' AND due_at <= ?"
            " ORDER BY due_at, id",
            (_ts(now),),
        )
        return [_reminder(row) for row in rows]

    async def settle_reminder(self, reminder_id: int, status: ReminderStatus) -> bool:
        async with self._write() as conn:
            changed = await conn.execute(
                "UPDATE moment_reminders SET status = ?, updated_at = ?"
                " WHERE id = ? AND status = 'pending'",
                (status.value, self._now(), reminder_id),
            )
        return changed == 1

    async def release_reminder(self, reminder_id: int, messages: Sequence[NewMessage]) -> bool:
        now = self._now()
        async with self._write() as conn:
            changed = await conn.execute(
                "UPDATE moment_reminders SET status = 'sent', updated_at = ?"
                " WHERE id = ? AND status = 'pending'",
                (now, reminder_id),
            )
            if not changed:
                return False
            if messages:
                await enqueue_messages(conn, messages, now)
        return True

    async def cancel_reminders_of_begun(self, now: datetime) -> int:
        # Only moments that began in the last week: older ones have nothing left to cancel.
        async with self._write() as conn:
            return await conn.execute(
                "UPDATE outbox SET status = 'cancelled', updated_at = ?"
                " WHERE status = 'pending' AND dedupe_key LIKE 'reminder:%' AND EXISTS ("
                " SELECT 1 FROM moments m WHERE m.starts_at <= ? AND m.starts_at > ?"
                " AND outbox.dedupe_key LIKE 'reminder:' || m.id || ':%')",
                (self._now(), _ts(now), _ts(now - timedelta(days=7))),
            )

    async def next_planned_due(self) -> datetime | None:
        row = await self._select_one(
            "SELECT MIN(due) AS due FROM ("
            " SELECT MIN(due_at) AS due FROM moment_reminders WHERE status = 'pending'"
            " UNION ALL SELECT MIN(digest_due_at) FROM talk_tables"
            " WHERE digest_due_at IS NOT NULL) AS planned"
        )
        return None if row is None or row["due"] is None else _parse_ts(row["due"])
